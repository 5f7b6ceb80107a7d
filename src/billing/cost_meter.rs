use std::collections::BTreeMap;

use crate::model::{Architecture, InvocationRecord};

use super::price_list::{InvocationCost, PriceList};
use super::projection::{MonthlyCost, MonthlyUsage};

/// Totals of a session, for one function or all of them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FunctionUsage {
    pub invocations: u64,
    pub errors: u64,
    pub billed_duration_ms: u64,
    pub gb_seconds: f64,
    pub cost_usd: f64,
    /// The configuration of the latest invocation, used for projections.
    pub memory_mb: u32,
    pub ephemeral_storage_mb: u32,
    pub architecture: Architecture,
}

impl FunctionUsage {
    fn add(&mut self, record: &InvocationRecord, cost: &InvocationCost) {
        self.invocations += 1;
        self.errors += u64::from(!record.is_success());
        self.billed_duration_ms += record.billed_duration_ms;
        self.gb_seconds += cost.gb_seconds;
        self.cost_usd += cost.total_usd();
        self.memory_mb = record.memory_size_mb;
        self.ephemeral_storage_mb = record.ephemeral_storage_mb;
        self.architecture = record.architecture;
    }

    pub fn average_billed_duration_ms(&self) -> f64 {
        if self.invocations == 0 {
            return 0.0;
        }
        #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        let average = self.billed_duration_ms as f64 / self.invocations as f64;
        average
    }
}

/// The running cost of a session: every invocation's price, per function and overall.
#[derive(Debug, Clone, Default)]
pub struct CostMeter {
    prices: PriceList,
    per_function: BTreeMap<String, FunctionUsage>,
    total: FunctionUsage,
}

impl CostMeter {
    pub fn new(prices: PriceList) -> Self {
        Self {
            prices,
            per_function: BTreeMap::new(),
            total: FunctionUsage::default(),
        }
    }

    pub fn prices(&self) -> &PriceList {
        &self.prices
    }

    /// Prices the invocations from now on (`lambdesk.toml`'s `[pricing]` changed); the
    /// session's totals so far keep the prices they were made with.
    pub fn set_prices(&mut self, prices: PriceList) {
        self.prices = prices;
    }

    /// Adds one invocation and returns what it cost.
    pub fn record(&mut self, record: &InvocationRecord) -> InvocationCost {
        let cost = self.prices.invocation_cost(record);
        self.per_function
            .entry(record.function.clone())
            .or_default()
            .add(record, &cost);
        self.total.add(record, &cost);
        cost
    }

    pub fn function(&self, name: &str) -> Option<&FunctionUsage> {
        self.per_function.get(name)
    }

    pub fn functions(&self) -> impl Iterator<Item = (&str, &FunctionUsage)> {
        self.per_function
            .iter()
            .map(|(name, usage)| (name.as_str(), usage))
    }

    pub fn total(&self) -> &FunctionUsage {
        &self.total
    }

    /// "At `requests_per_day` requests a day this function costs $X a month", from its
    /// measured average billed duration; `architecture` compares the other one.
    pub fn project_monthly(
        &self,
        function: &str,
        requests_per_day: f64,
        free_tier: bool,
        architecture: Option<Architecture>,
    ) -> Option<MonthlyCost> {
        let usage = self.per_function.get(function)?;
        let monthly = MonthlyUsage::from_daily_rate(
            requests_per_day,
            usage.average_billed_duration_ms(),
            usage.memory_mb,
            usage.ephemeral_storage_mb,
            architecture.unwrap_or(usage.architecture),
        );
        Some(self.prices.monthly_cost(&monthly, free_tier))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FunctionError, Outcome};

    fn record(function: &str, billed_duration_ms: u64, success: bool) -> InvocationRecord {
        InvocationRecord {
            request_id: "r".into(),
            function: function.into(),
            started_at: chrono::Utc::now(),
            duration_ms: 0.5,
            billed_duration_ms,
            memory_size_mb: 1024,
            max_memory_used_mb: 1,
            init_duration_ms: None,
            build_duration_ms: None,
            architecture: Architecture::X86_64,
            ephemeral_storage_mb: 512,
            log_stream: "s".into(),
            outcome: if success {
                Outcome::Success(serde_json::Value::Null)
            } else {
                Outcome::Failure(FunctionError::new("Error", "boom"))
            },
            init_log_lines: Vec::new(),
            outbox: Vec::new(),
            log_lines: Vec::new(),
        }
    }

    #[test]
    fn totals_per_function_and_overall() {
        let mut meter = CostMeter::new(PriceList::builtin());
        meter.record(&record("a", 100, true));
        meter.record(&record("a", 300, false));
        meter.record(&record("b", 1000, true));
        let a = meter.function("a").unwrap();
        assert_eq!((a.invocations, a.errors), (2, 1));
        assert!((a.gb_seconds - 0.4).abs() < 1e-12);
        assert!((a.average_billed_duration_ms() - 200.0).abs() < 1e-12);
        let total = meter.total();
        assert_eq!(total.invocations, 3);
        assert!((total.gb_seconds - 1.4).abs() < 1e-12);
        // 3 requests × $0.0000002 + 1.4 GB-s × $0.0000166667
        assert!((total.cost_usd - (3.0 * 0.000_000_2 + 1.4 * 0.000_016_666_7)).abs() < 1e-15);
    }

    #[test]
    fn projects_a_month_from_the_measured_average() {
        let mut meter = CostMeter::new(PriceList::builtin());
        meter.record(&record("a", 200, true));
        // 100,000 a day × 30.4167 days × 0.2 s × 1 GB = 608,333 GB-s.
        let cost = meter.project_monthly("a", 100_000.0, false, None).unwrap();
        assert!((cost.gb_seconds - 608_333.333_333).abs() < 1e-3);
        let arm = meter
            .project_monthly("a", 100_000.0, false, Some(Architecture::Arm64))
            .unwrap();
        assert!(arm.total_usd() < cost.total_usd());
        assert!(meter.project_monthly("missing", 1.0, true, None).is_none());
    }
}
