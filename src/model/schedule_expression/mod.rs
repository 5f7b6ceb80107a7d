//! EventBridge schedule expressions as written in `function.toml`: `rate(5 minutes)` and
//! `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, parsed with EventBridge's
//! rules, and the IANA time zone a cron expression is read in. The model checks them when a
//! function's configuration loads; `triggers::schedule` asks them for fire times.
//!
//! | file | what it is for |
//! | --- | --- |
//! | `parse.rs` | the `rate(…)`/`cron(…)` wrapper, six fields, the one-of-the-days-is-`?` rule |
//! | `cron_fields.rs` | the parsed cron fields and the grammar of one field |
//! | `rate.rs` | rate expressions |
//! | `value_set.rs` | the set of values one field allows |
//! | `error.rs` | every way an expression can be wrong, with its message |

mod cron_fields;
mod error;
mod parse;
mod rate;
mod value_set;

#[cfg(test)]
mod parse_tests;

use std::str::FromStr;

use chrono_tz::Tz;

pub use cron_fields::CronExpression;
pub(crate) use cron_fields::{DayOfMonthRule, DayOfWeekRule};
pub use error::{CronField, ScheduleError};
pub use rate::{RateExpression, RateUnit};

/// A parsed EventBridge schedule expression.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(
    clippy::large_enum_variant,
    reason = "a few hundred bytes, made once per schedule; a Box would only show in the API"
)]
pub enum ScheduleExpression {
    /// `rate(value unit)`: every `value` minutes, hours or days.
    Rate(RateExpression),
    /// `cron(…)`: at the wall-clock times the six fields describe.
    Cron(CronExpression),
}

impl ScheduleExpression {
    /// Parses `rate(…)` or `cron(…)` with EventBridge's rules; the error names the field and
    /// the token at fault.
    pub fn parse(text: &str) -> Result<Self, ScheduleError> {
        parse::parse_expression(text)
    }
}

impl FromStr for ScheduleExpression {
    type Err = ScheduleError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// An IANA time zone by name, such as `Europe/Berlin` (exact spelling, as EventBridge
/// Scheduler takes it).
pub fn parse_time_zone(name: &str) -> Result<Tz, ScheduleError> {
    name.parse::<Tz>()
        .map_err(|_| ScheduleError::UnknownTimeZone {
            name: name.to_owned(),
        })
}
