use serde::Deserialize;

use crate::model::{Architecture, InvocationRecord, PricingOverrides};

const BUILTIN_PRICES: &str = include_str!("../../assets/pricing.toml");

/// `assets/pricing.toml`: Lambda's prices for one region.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceList {
    pub request_price_per_million_usd: f64,
    pub ephemeral_storage_free_mb: u32,
    pub ephemeral_storage_price_per_gb_second_usd: f64,
    pub free_tier: FreeTier,
    architectures: Architectures,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreeTier {
    pub requests_per_month: f64,
    pub gb_seconds_per_month: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Architectures {
    x86_64: ArchitecturePrices,
    arm64: ArchitecturePrices,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchitecturePrices {
    tiers: Vec<PriceTier>,
}

/// Duration price up to a monthly usage; the last tier has no upper bound.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTier {
    pub up_to_gb_seconds: Option<f64>,
    pub price_per_gb_second_usd: f64,
}

/// What one invocation costs, by item.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct InvocationCost {
    pub gb_seconds: f64,
    pub request_usd: f64,
    pub duration_usd: f64,
    pub ephemeral_storage_usd: f64,
}

impl InvocationCost {
    pub fn total_usd(&self) -> f64 {
        self.request_usd + self.duration_usd + self.ephemeral_storage_usd
    }
}

const MB_PER_GB: f64 = 1024.0;
const MS_PER_S: f64 = 1000.0;

impl Default for PriceList {
    fn default() -> Self {
        Self::builtin()
    }
}

impl PriceList {
    /// The prices shipped in `assets/pricing.toml` (checked by a unit test).
    pub fn builtin() -> Self {
        toml::from_str(BUILTIN_PRICES).expect("assets/pricing.toml is valid (unit-tested)")
    }

    /// The built-in list with a workspace's `[pricing]` overrides applied.
    pub fn with_overrides(mut self, overrides: &PricingOverrides) -> Self {
        if let Some(price) = overrides.request_price_per_million_usd {
            self.request_price_per_million_usd = price;
        }
        for (architecture, price) in [
            (
                Architecture::X86_64,
                overrides.x86_64_price_per_gb_second_usd,
            ),
            (Architecture::Arm64, overrides.arm64_price_per_gb_second_usd),
        ] {
            if let (Some(price), Some(first_tier)) =
                (price, self.prices_mut(architecture).tiers.first_mut())
            {
                first_tier.price_per_gb_second_usd = price;
            }
        }
        self
    }

    fn prices_mut(&mut self, architecture: Architecture) -> &mut ArchitecturePrices {
        match architecture {
            Architecture::X86_64 => &mut self.architectures.x86_64,
            Architecture::Arm64 => &mut self.architectures.arm64,
        }
    }

    pub fn tiers(&self, architecture: Architecture) -> &[PriceTier] {
        match architecture {
            Architecture::X86_64 => &self.architectures.x86_64.tiers,
            Architecture::Arm64 => &self.architectures.arm64.tiers,
        }
    }

    pub fn request_price_usd(&self) -> f64 {
        self.request_price_per_million_usd / 1_000_000.0
    }

    /// The first-tier rate: what a single invocation is charged at.
    pub fn first_tier_price_per_gb_second_usd(&self, architecture: Architecture) -> f64 {
        self.tiers(architecture)
            .first()
            .map_or(0.0, |tier| tier.price_per_gb_second_usd)
    }

    /// Request price + billed duration (s) × memory (GB) × rate, plus ephemeral storage
    /// above the free 512 MB.
    pub fn invocation_cost(&self, record: &InvocationRecord) -> InvocationCost {
        self.cost_of(
            record.billed_duration_ms,
            record.memory_size_mb,
            record.ephemeral_storage_mb,
            record.architecture,
        )
    }

    pub fn cost_of(
        &self,
        billed_duration_ms: u64,
        memory_mb: u32,
        ephemeral_storage_mb: u32,
        architecture: Architecture,
    ) -> InvocationCost {
        #[expect(
            clippy::cast_precision_loss,
            reason = "durations are far below 2^52 ms"
        )]
        let billed_s = billed_duration_ms as f64 / MS_PER_S;
        let gb_seconds = billed_s * f64::from(memory_mb) / MB_PER_GB;
        InvocationCost {
            gb_seconds,
            request_usd: self.request_price_usd(),
            duration_usd: gb_seconds * self.first_tier_price_per_gb_second_usd(architecture),
            ephemeral_storage_usd: self.ephemeral_storage_usd(billed_s, ephemeral_storage_mb),
        }
    }

    pub fn ephemeral_storage_usd(&self, billed_s: f64, ephemeral_storage_mb: u32) -> f64 {
        let charged_mb = ephemeral_storage_mb.saturating_sub(self.ephemeral_storage_free_mb);
        f64::from(charged_mb) / MB_PER_GB
            * billed_s
            * self.ephemeral_storage_price_per_gb_second_usd
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() < 1e-12_f64.max(expected.abs() * 1e-9)
    }

    #[test]
    fn the_shipped_price_list_has_designs_figures() {
        let prices = PriceList::builtin();
        assert!(close(prices.request_price_usd(), 0.000_000_2));
        assert!(close(
            prices.first_tier_price_per_gb_second_usd(Architecture::X86_64),
            0.000_016_666_7
        ));
        assert!(close(
            prices.first_tier_price_per_gb_second_usd(Architecture::Arm64),
            0.000_013_333_4
        ));
        assert_eq!(prices.tiers(Architecture::X86_64).len(), 3);
        assert_eq!(prices.tiers(Architecture::Arm64)[2].up_to_gb_seconds, None);
        assert!(close(prices.free_tier.gb_seconds_per_month, 400_000.0));
    }

    #[test]
    fn one_millisecond_at_128_mb_on_x86() {
        // 0.20/1e6 + 0.001 s × 0.125 GB × 0.0000166667 = 0.0000002020833...
        let cost = PriceList::builtin().cost_of(1, 128, 512, Architecture::X86_64);
        assert!(close(cost.gb_seconds, 0.000_125));
        assert!(close(cost.total_usd(), 0.000_000_202_083_337_5));
        assert!(close(cost.ephemeral_storage_usd, 0.0));
    }

    #[test]
    fn ephemeral_storage_above_512_mb_is_charged() {
        // 10240 MB: 9728 MB charged = 9.5 GB × 1 s × 0.0000000309
        let cost = PriceList::builtin().cost_of(1000, 128, 10_240, Architecture::X86_64);
        assert!(close(cost.ephemeral_storage_usd, 9.5 * 0.000_000_030_9));
    }

    #[test]
    fn overrides_replace_request_and_first_tier_prices() {
        let overrides = PricingOverrides {
            request_price_per_million_usd: Some(0.25),
            arm64_price_per_gb_second_usd: Some(0.00002),
            ..PricingOverrides::default()
        };
        let prices = PriceList::builtin().with_overrides(&overrides);
        assert!(close(prices.request_price_usd(), 0.000_000_25));
        assert!(close(
            prices.first_tier_price_per_gb_second_usd(Architecture::Arm64),
            0.00002
        ));
        assert!(close(
            prices.first_tier_price_per_gb_second_usd(Architecture::X86_64),
            0.000_016_666_7
        ));
    }
}
