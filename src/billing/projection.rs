use crate::model::Architecture;

use super::price_list::{PriceList, PriceTier};

/// AWS's pricing calculator counts a month as 730 hours.
pub const DAYS_PER_MONTH: f64 = 730.0 / 24.0;

/// A month of one function's use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthlyUsage {
    pub requests: f64,
    pub average_billed_duration_ms: f64,
    pub memory_mb: u32,
    pub ephemeral_storage_mb: u32,
    pub architecture: Architecture,
}

/// A monthly bill, by item.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MonthlyCost {
    pub gb_seconds: f64,
    /// After the free tier, if it applies.
    pub billable_gb_seconds: f64,
    pub billable_requests: f64,
    pub requests_usd: f64,
    pub duration_usd: f64,
    pub ephemeral_storage_usd: f64,
}

impl MonthlyCost {
    pub fn total_usd(&self) -> f64 {
        self.requests_usd + self.duration_usd + self.ephemeral_storage_usd
    }
}

impl MonthlyUsage {
    /// The usage of `requests_per_day` invocations like the ones measured.
    pub fn from_daily_rate(
        requests_per_day: f64,
        average_billed_duration_ms: f64,
        memory_mb: u32,
        ephemeral_storage_mb: u32,
        architecture: Architecture,
    ) -> Self {
        Self {
            requests: requests_per_day * DAYS_PER_MONTH,
            average_billed_duration_ms,
            memory_mb,
            ephemeral_storage_mb,
            architecture,
        }
    }
}

impl PriceList {
    /// The monthly bill for `usage`: free tier first (if `free_tier`), then duration
    /// priced through the architecture's tiers.
    pub fn monthly_cost(&self, usage: &MonthlyUsage, free_tier: bool) -> MonthlyCost {
        let billed_s = usage.requests * usage.average_billed_duration_ms / 1000.0;
        let gb_seconds = billed_s * f64::from(usage.memory_mb) / 1024.0;
        let (free_requests, free_gb_seconds) = if free_tier {
            (
                self.free_tier.requests_per_month,
                self.free_tier.gb_seconds_per_month,
            )
        } else {
            (0.0, 0.0)
        };
        let billable_requests = (usage.requests - free_requests).max(0.0);
        let billable_gb_seconds = (gb_seconds - free_gb_seconds).max(0.0);
        MonthlyCost {
            gb_seconds,
            billable_gb_seconds,
            billable_requests,
            requests_usd: billable_requests * self.request_price_usd(),
            duration_usd: tiered_cost(self.tiers(usage.architecture), billable_gb_seconds),
            ephemeral_storage_usd: self.ephemeral_storage_usd(billed_s, usage.ephemeral_storage_mb),
        }
    }
}

fn tiered_cost(tiers: &[PriceTier], gb_seconds: f64) -> f64 {
    let mut cost = 0.0;
    let mut priced_up_to = 0.0;
    for tier in tiers {
        let tier_end = tier.up_to_gb_seconds.unwrap_or(f64::INFINITY);
        let in_tier = (gb_seconds.min(tier_end) - priced_up_to).max(0.0);
        cost += in_tier * tier.price_per_gb_second_usd;
        priced_up_to = tier_end;
        if gb_seconds <= tier_end {
            break;
        }
    }
    cost
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= expected.abs() * 1e-9
    }

    /// 3 million invocations a month, 120 ms each, 1536 MB, x86_64.
    fn three_million_at_120_ms(architecture: Architecture) -> MonthlyUsage {
        MonthlyUsage {
            requests: 3_000_000.0,
            average_billed_duration_ms: 120.0,
            memory_mb: 1536,
            ephemeral_storage_mb: 512,
            architecture,
        }
    }

    #[test]
    fn worked_example_with_the_free_tier() {
        // 3e6 × 0.12 s × 1.5 GB = 540,000 GB-s; minus 400,000 free = 140,000 GB-s
        // × 0.0000166667 = $2.333338. Requests: (3e6 − 1e6) × $0.20/1e6 = $0.40.
        let cost =
            PriceList::builtin().monthly_cost(&three_million_at_120_ms(Architecture::X86_64), true);
        assert!(close(cost.gb_seconds, 540_000.0));
        assert!(close(cost.billable_gb_seconds, 140_000.0));
        assert!(close(cost.duration_usd, 2.333_338));
        assert!(close(cost.requests_usd, 0.40));
        assert!(close(cost.total_usd(), 2.733_338));
    }

    #[test]
    fn worked_example_without_the_free_tier() {
        // 540,000 × 0.0000166667 = $9.000018; 3e6 × $0.20/1e6 = $0.60.
        let cost = PriceList::builtin()
            .monthly_cost(&three_million_at_120_ms(Architecture::X86_64), false);
        assert!(close(cost.duration_usd, 9.000_018));
        assert!(close(cost.requests_usd, 0.60));
        assert!(close(cost.total_usd(), 9.600_018));
    }

    #[test]
    fn arm64_is_cheaper_for_the_same_work() {
        // 540,000 × 0.0000133334 = $7.200036 + $0.60.
        let cost =
            PriceList::builtin().monthly_cost(&three_million_at_120_ms(Architecture::Arm64), false);
        assert!(close(cost.total_usd(), 7.800_036));
    }

    #[test]
    fn usage_beyond_the_first_tier_is_priced_lower() {
        // 7 billion GB-s on x86_64: 6e9 × 0.0000166667 + 1e9 × 0.000015 = 100,000.2 + 15,000.
        let usage = MonthlyUsage {
            requests: 7_000_000_000.0,
            average_billed_duration_ms: 1000.0,
            memory_mb: 1024,
            ephemeral_storage_mb: 512,
            architecture: Architecture::X86_64,
        };
        let cost = PriceList::builtin().monthly_cost(&usage, false);
        assert!(close(cost.duration_usd, 115_000.2));
        // And past 15 billion, the third tier: 6e9 × 0.0000166667 + 9e9 × 0.000015 + 1e9 × 0.000013334.
        let usage = MonthlyUsage {
            requests: 16_000_000_000.0,
            ..usage
        };
        let cost = PriceList::builtin().monthly_cost(&usage, false);
        assert!(close(cost.duration_usd, 100_000.2 + 135_000.0 + 13_334.0));
    }

    #[test]
    fn a_daily_rate_becomes_a_730_hour_month() {
        let usage = MonthlyUsage::from_daily_rate(24_000.0, 10.0, 128, 512, Architecture::X86_64);
        assert!(close(usage.requests, 730_000.0));
    }
}
