//! Finding a cron expression's next fire time, field by field (year, month, day, hour,
//! minute), so that even a date that comes once in four years, or never, is answered after
//! a few hundred steps at most rather than a minute-by-minute walk.
//!
//! The expression is matched against wall-clock time in the schedule's time zone. Around
//! daylight saving time changes lambdesk does what EventBridge Scheduler documents: when the
//! clocks go forward, a wall-clock time that does not exist that day is skipped (it does not
//! fire at the first valid instant after the gap); when they go back, a wall-clock time that
//! happens twice fires once, at its first occurrence.

use chrono::{
    DateTime, Datelike as _, NaiveDate, NaiveDateTime, TimeDelta, TimeZone as _, Timelike as _, Utc,
};
use chrono_tz::Tz;

use super::month_days::{first_day_at_or_after, matching_days};
use crate::model::schedule_expression::{CronExpression, RateExpression};

impl RateExpression {
    /// The first fire time strictly after `after`, for a schedule that started (and fired
    /// first) at `anchor`: `anchor + k × period` for the smallest `k ≥ 0` past `after`.
    pub fn next_after(&self, after: DateTime<Utc>, anchor: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if after < anchor {
            return Some(anchor);
        }
        let period_secs = self.period_secs();
        // Whole seconds since the anchor, rounded down: a fire time at exactly `after` is not
        // "after", so the next one is one period further.
        let elapsed_secs = (after - anchor).num_seconds();
        let periods = elapsed_secs / period_secs + 1;
        let offset = TimeDelta::try_seconds(periods.checked_mul(period_secs)?)?;
        anchor.checked_add_signed(offset)
    }
}

impl CronExpression {
    /// The first fire time strictly after `after`, with the expression read as wall-clock time
    /// in `time_zone`; `None` when it never fires again (its years are past, or its days
    /// never come, like 31 February).
    pub fn next_after(&self, after: DateTime<Utc>, time_zone: Tz) -> Option<DateTime<Utc>> {
        let local_after = after.with_timezone(&time_zone).naive_local();
        let mut from = whole_minute(local_after).checked_add_signed(TimeDelta::minutes(1))?;
        loop {
            let candidate = self.first_match_at_or_after(from)?;
            // `earliest` is the only occurrence of a normal time, the first of a repeated one,
            // and `None` for a time skipped by the clocks going forward.
            let fire_time = time_zone
                .from_local_datetime(&candidate)
                .earliest()
                .map(|local| local.with_timezone(&Utc));
            match fire_time {
                Some(fire_time) if fire_time > after => return Some(fire_time),
                // Skipped, or the first occurrence of a repeated time that is already past
                // (`after` is in the repeated hour): look at the next matching minute.
                _ => from = candidate.checked_add_signed(TimeDelta::minutes(1))?,
            }
        }
    }

    /// The first wall-clock minute at or after `from` (a whole minute) that every field
    /// matches.
    fn first_match_at_or_after(&self, from: NaiveDateTime) -> Option<NaiveDateTime> {
        let mut cursor = Cursor::at(from);
        loop {
            let year = self.years.first_at_or_after(cursor.year)?;
            if year != cursor.year {
                cursor = Cursor::start_of_month(year, 1);
            }
            let Some(month) = self.months.first_at_or_after(cursor.month) else {
                cursor = Cursor::start_of_month(year.checked_add(1)?, 1);
                continue;
            };
            if month != cursor.month {
                cursor = Cursor::start_of_month(year, month);
            }
            let year_number = i32::try_from(year).ok()?;
            let days = matching_days(&self.day_of_month, &self.day_of_week, year_number, month);
            let Some(day) = first_day_at_or_after(days, cursor.day) else {
                cursor = if month == 12 {
                    Cursor::start_of_month(year.checked_add(1)?, 1)
                } else {
                    Cursor::start_of_month(year, month + 1)
                };
                continue;
            };
            if day != cursor.day {
                cursor.start_of_day(day);
            }
            let Some(hour) = self.hours.first_at_or_after(cursor.hour) else {
                // Day 32 matches nothing, which moves the search to the next month.
                cursor.start_of_day(day + 1);
                continue;
            };
            if hour != cursor.hour {
                cursor.hour = hour;
                cursor.minute = 0;
            }
            let Some(minute) = self.minutes.first_at_or_after(cursor.minute) else {
                // Hour 24 matches nothing, which moves the search to the next day.
                cursor.hour = hour + 1;
                cursor.minute = 0;
                continue;
            };
            return NaiveDate::from_ymd_opt(year_number, month, day)?.and_hms_opt(hour, minute, 0);
        }
    }
}

/// The wall-clock minute the search has reached. Fields may run one past their end (hour 24,
/// day 32): the next search step then finds no match and carries into the larger field.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
}

impl Cursor {
    fn at(time: NaiveDateTime) -> Self {
        Self {
            // Years before the common era are before any cron year (1970-2199).
            year: u32::try_from(time.year()).unwrap_or(0),
            month: time.month(),
            day: time.day(),
            hour: time.hour(),
            minute: time.minute(),
        }
    }

    fn start_of_month(year: u32, month: u32) -> Self {
        Self {
            year,
            month,
            day: 1,
            hour: 0,
            minute: 0,
        }
    }

    fn start_of_day(&mut self, day: u32) {
        self.day = day;
        self.hour = 0;
        self.minute = 0;
    }
}

fn whole_minute(time: NaiveDateTime) -> NaiveDateTime {
    time.with_second(0)
        .and_then(|time| time.with_nanosecond(0))
        .unwrap_or(time)
}
