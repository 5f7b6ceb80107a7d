//! EventBridge schedule expressions: `rate(5 minutes)` and
//! `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, parsed with EventBridge's rules
//! and asked for their next fire times, optionally in an IANA time zone.
//!
//! ```
//! use chrono::{TimeZone as _, Utc};
//! use lambdesk::triggers::schedule::ScheduleExpression;
//!
//! let weekdays_at_8 = ScheduleExpression::parse("cron(0 8 ? * MON-FRI *)").unwrap();
//! let friday_noon = Utc.with_ymd_and_hms(2026, 1, 2, 12, 0, 0).unwrap();
//! let next = weekdays_at_8.next_after(friday_noon, None);
//! assert_eq!(next, Some(Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0).unwrap()));
//! ```
//!
//! | file | what it is for |
//! | --- | --- |
//! | `parse.rs` | the `rate(…)`/`cron(…)` wrapper, six fields, the one-of-the-days-is-`?` rule |
//! | `cron_fields.rs` | the parsed cron fields and the grammar of one field |
//! | `rate.rs` | rate expressions and their fixed-interval fire times |
//! | `month_days.rs` | which days of a month the day rules pick (`L`, `W`, `#`) |
//! | `next_fire.rs` | the field-by-field search for the next fire time; time zones, DST |
//! | `value_set.rs` | the set of values one field allows |
//! | `error.rs` | every way an expression can be wrong, with its message |

mod cron_fields;
mod error;
mod month_days;
mod next_fire;
mod parse;
mod rate;
mod value_set;

#[cfg(test)]
mod next_fire_tests;
#[cfg(test)]
mod parse_tests;

use std::str::FromStr;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

pub use cron_fields::CronExpression;
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

    /// The first fire time strictly after `after`.
    ///
    /// A cron expression is read as wall-clock time in `time_zone` (UTC when `None`); see
    /// [`CronExpression::next_after`] for daylight saving time. A rate expression takes
    /// `after` as its last fire time and answers one period later, as EventBridge Scheduler
    /// evaluates a rate "after the schedule's last invocation"; the time zone does not move
    /// it (a day is 24 hours). To keep a rate on the grid of its start time whatever `after`
    /// is, use [`Schedule`].
    pub fn next_after(&self, after: DateTime<Utc>, time_zone: Option<Tz>) -> Option<DateTime<Utc>> {
        match self {
            Self::Rate(rate) => rate.next_after(after, after),
            Self::Cron(cron) => cron.next_after(after, time_zone.unwrap_or(Tz::UTC)),
        }
    }
}

impl FromStr for ScheduleExpression {
    type Err = ScheduleError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// A running schedule, as the trigger engine holds one: an expression, the time zone its cron
/// fields are read in, and the moment it started.
///
/// A rate schedule fires at `start` and every period after it (EventBridge starts a rate at
/// the rule's creation, or at EventBridge Scheduler's `StartDate`). A cron schedule fires at
/// its matching times from `start` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    expression: ScheduleExpression,
    time_zone: Option<Tz>,
    start: DateTime<Utc>,
}

impl Schedule {
    pub fn new(
        expression: ScheduleExpression,
        time_zone: Option<Tz>,
        start: DateTime<Utc>,
    ) -> Self {
        Self {
            expression,
            time_zone,
            start,
        }
    }

    pub fn expression(&self) -> &ScheduleExpression {
        &self.expression
    }

    /// `None` is UTC.
    pub fn time_zone(&self) -> Option<Tz> {
        self.time_zone
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The first fire time strictly after `after` (and not before `start`).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match &self.expression {
            ScheduleExpression::Rate(rate) => rate.next_after(after, self.start),
            ScheduleExpression::Cron(cron) => {
                // A cron time exactly at `start` fires: search from just before it.
                let from = if after < self.start {
                    self.start.checked_sub_signed(TimeDelta::nanoseconds(1))?
                } else {
                    after
                };
                cron.next_after(from, self.time_zone.unwrap_or(Tz::UTC))
            }
        }
    }

    /// The fire times strictly after `after`, in order, until the schedule ends (a cron
    /// expression's last year; a rate never ends).
    pub fn fire_times_after(&self, after: DateTime<Utc>) -> FireTimes<'_> {
        FireTimes {
            schedule: self,
            after: Some(after),
        }
    }
}

/// The iterator of [`Schedule::fire_times_after`].
#[derive(Debug, Clone)]
pub struct FireTimes<'schedule> {
    schedule: &'schedule Schedule,
    /// `None` once the schedule has no more fire times.
    after: Option<DateTime<Utc>>,
}

impl Iterator for FireTimes<'_> {
    type Item = DateTime<Utc>;

    fn next(&mut self) -> Option<Self::Item> {
        let next = self.schedule.next_after(self.after?);
        self.after = next;
        next
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
