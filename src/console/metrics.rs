//! The Monitor's metrics over time, as CloudWatch shows a function's: invocations,
//! errors, duration p50/p99 and cost per period, computed from this session's history.

use chrono::{DateTime, Utc};

use super::invocation_history::InvocationHistory;

/// Period lengths to choose from, shortest first.
const PERIODS_SECS: [i64; 9] = [1, 5, 10, 30, 60, 300, 900, 3600, 86_400];

/// At most this many periods on a chart; the period grows with the session.
const MAX_PERIODS: i64 = 60;

/// One period of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsPeriod {
    /// Start of the period, seconds since the Unix epoch.
    pub start_unix_secs: i64,
    pub invocations: u64,
    pub errors: u64,
    /// `None` when nothing ran in the period.
    pub duration_p50_ms: Option<f64>,
    pub duration_p99_ms: Option<f64>,
    pub cost_usd: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetricsSeries {
    pub period_secs: i64,
    /// Consecutive periods, oldest first, up to the one holding `now`.
    pub periods: Vec<MetricsPeriod>,
}

/// The nearest-rank percentile of sorted values (`fraction` in 0..=1).
fn percentile(sorted: &[f64], fraction: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "a rank within a short list"
    )]
    let rank = ((fraction * sorted.len() as f64).ceil() as usize).max(1);
    sorted.get(rank - 1).copied()
}

/// Metrics of `function` (every function when `None`) from the first invocation to `now`.
pub fn metrics_series(
    history: &InvocationHistory,
    function: Option<&str>,
    now: DateTime<Utc>,
) -> MetricsSeries {
    let invocations: Vec<_> = history
        .iter()
        .filter(|summary| function.is_none_or(|name| summary.function == name))
        .collect();
    let Some(first) = invocations.first() else {
        return MetricsSeries {
            period_secs: PERIODS_SECS[0],
            periods: Vec::new(),
        };
    };
    let span_secs = (now.timestamp() - first.started_at.timestamp()).max(0) + 1;
    let period_secs = PERIODS_SECS
        .into_iter()
        .find(|period| (span_secs + period - 1) / period <= MAX_PERIODS)
        .unwrap_or(PERIODS_SECS[PERIODS_SECS.len() - 1]);
    let first_start = first.started_at.timestamp().div_euclid(period_secs) * period_secs;
    let last_start = now.timestamp().div_euclid(period_secs) * period_secs;
    let count = usize::try_from((last_start - first_start) / period_secs + 1).unwrap_or(0);
    let mut durations: Vec<Vec<f64>> = vec![Vec::new(); count];
    let mut periods: Vec<MetricsPeriod> = (0..count)
        .map(|index| MetricsPeriod {
            start_unix_secs: first_start + period_secs * index as i64,
            invocations: 0,
            errors: 0,
            duration_p50_ms: None,
            duration_p99_ms: None,
            cost_usd: 0.0,
        })
        .collect();
    for summary in invocations {
        let index = (summary.started_at.timestamp() - first_start).div_euclid(period_secs);
        let Some(index) = usize::try_from(index).ok().filter(|index| *index < count) else {
            continue;
        };
        let period = &mut periods[index];
        period.invocations += 1;
        period.errors += u64::from(!summary.is_success());
        period.cost_usd += summary.cost_usd;
        durations[index].push(summary.duration_ms);
    }
    for (period, mut durations) in periods.iter_mut().zip(durations) {
        durations.sort_by(f64::total_cmp);
        period.duration_p50_ms = percentile(&durations, 0.50);
        period.duration_p99_ms = percentile(&durations, 0.99);
    }
    MetricsSeries {
        period_secs,
        periods,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::TimeZone as _;

    use super::*;
    use crate::console::InvocationSummary;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).single().unwrap()
    }

    fn run(history: &mut InvocationHistory, function: &str, secs: i64, duration_ms: f64, ok: bool) {
        history.push(InvocationSummary {
            request_id: uuid::Uuid::new_v4().to_string(),
            function: function.to_owned(),
            started_at: at(secs),
            duration_ms,
            billed_duration_ms: 1,
            memory_size_mb: 128,
            error_type: (!ok).then(|| "Runtime.ExitError".to_owned()),
            cost_usd: 0.25,
            source: "Test".to_owned(),
            event: Some(Arc::from("{}")),
        });
    }

    #[test]
    fn counts_invocations_errors_and_cost_per_period() {
        let mut history = InvocationHistory::default();
        // 1_800_000_000 is a multiple of 10: periods start at secs 0, 1, 2, …
        run(&mut history, "a", 0, 10.0, true);
        run(&mut history, "a", 0, 20.0, false);
        run(&mut history, "b", 2, 5.0, true);
        let series = metrics_series(&history, None, at(3));
        assert_eq!(series.period_secs, 1);
        let counts: Vec<_> = series
            .periods
            .iter()
            .map(|p| (p.invocations, p.errors))
            .collect();
        assert_eq!(counts, vec![(2, 1), (0, 0), (1, 0), (0, 0)]);
        assert!((series.periods[0].cost_usd - 0.5).abs() < 1e-12);
        assert_eq!(series.periods[1].duration_p50_ms, None);

        let only_b = metrics_series(&history, Some("b"), at(3));
        assert_eq!(only_b.periods.len(), 2);
        assert_eq!(only_b.periods[0].invocations, 1);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut history = InvocationHistory::default();
        for n in 1..=100 {
            run(&mut history, "a", 0, f64::from(n), true);
        }
        let series = metrics_series(&history, None, at(0));
        assert_eq!(series.periods[0].duration_p50_ms, Some(50.0));
        assert_eq!(series.periods[0].duration_p99_ms, Some(99.0));
    }

    #[test]
    fn the_period_grows_to_keep_at_most_sixty_periods() {
        let mut history = InvocationHistory::default();
        run(&mut history, "a", 0, 1.0, true);
        // 30 minutes: 1-minute periods give 31, 30-second ones 61.
        let series = metrics_series(&history, None, at(30 * 60));
        assert_eq!(series.period_secs, 60);
        assert_eq!(series.periods.len(), 31);
        assert_eq!(series.periods[0].invocations, 1);
    }

    #[test]
    fn no_invocations_no_periods() {
        let series = metrics_series(&InvocationHistory::default(), None, at(0));
        assert!(series.periods.is_empty());
    }
}
