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
//! The expressions themselves (their syntax, their errors, time zone names) are part of the
//! model (`model::schedule_expression`), which checks them when a function's configuration
//! loads; they are re-exported here.
//!
//! | file | what it is for |
//! | --- | --- |
//! | `month_days.rs` | which days of a month the day rules pick (`L`, `W`, `#`) |
//! | `next_fire.rs` | the field-by-field search for the next fire time; time zones, DST; a rate's fixed interval |

mod month_days;
mod next_fire;

#[cfg(test)]
mod next_fire_tests;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

pub use crate::model::schedule_expression::{
    CronExpression, CronField, RateExpression, RateUnit, ScheduleError, ScheduleExpression,
    parse_time_zone,
};

impl ScheduleExpression {
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
