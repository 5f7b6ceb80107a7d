//! Which days of one month the day-of-month and day-of-week rules select: the calendar part
//! of the search (month lengths, leap years, `L`, `W`, `#`).

use chrono::{Datelike as _, NaiveDate};

use crate::model::schedule_expression::{DayOfMonthRule, DayOfWeekRule};

/// The days of `year`-`month` the rules select, as a bit mask: bit `d` set for day `d`.
/// Exactly one of the two rules is `Unspecified` (the parser makes sure); the other decides.
pub(crate) fn matching_days(
    day_of_month: &DayOfMonthRule,
    day_of_week: &DayOfWeekRule,
    year: i32,
    month: u32,
) -> u32 {
    let Some(month_days) = MonthDays::new(year, month) else {
        return 0;
    };
    match day_of_month {
        DayOfMonthRule::Unspecified => month_days.by_day_of_week(day_of_week),
        rule => month_days.by_day_of_month(rule),
    }
}

/// The smallest day in `mask` that is `>= day`.
pub(crate) fn first_day_at_or_after(mask: u32, day: u32) -> Option<u32> {
    (day..=31).find(|candidate| mask & (1 << candidate) != 0)
}

/// The length of a month and the weekday it starts on.
struct MonthDays {
    /// 28 to 31.
    last_day: u32,
    /// Weekday of the 1st: 1 (Sunday) to 7 (Saturday), EventBridge's numbering.
    first_weekday: u32,
}

const SUNDAY: u32 = 1;
const SATURDAY: u32 = 7;

impl MonthDays {
    fn new(year: i32, month: u32) -> Option<Self> {
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let last_day = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            _ if first.leap_year() => 29,
            _ => 28,
        };
        Some(Self {
            last_day,
            first_weekday: first.weekday().number_from_sunday(),
        })
    }

    /// 1 (Sunday) to 7 (Saturday).
    fn weekday(&self, day: u32) -> u32 {
        (self.first_weekday - 1 + day - 1) % 7 + 1
    }

    fn days(&self) -> impl Iterator<Item = u32> + '_ {
        1..=self.last_day
    }

    fn by_day_of_month(&self, rule: &DayOfMonthRule) -> u32 {
        match rule {
            DayOfMonthRule::Unspecified => 0,
            DayOfMonthRule::Days(days) => self
                .days()
                .filter(|day| days.contains(*day))
                .fold(0, |mask, day| mask | 1 << day),
            DayOfMonthRule::Last => 1 << self.last_day,
            DayOfMonthRule::LastWeekday => 1 << self.nearest_weekday(self.last_day),
            DayOfMonthRule::NearestWeekday(day) if *day <= self.last_day => {
                1 << self.nearest_weekday(*day)
            }
            // 31W in a 30-day month: the day does not exist, so nothing is near it.
            DayOfMonthRule::NearestWeekday(_) => 0,
        }
    }

    /// The weekday (Monday to Friday) nearest `day` within this month, as Quartz defines `W`:
    /// a Saturday moves back to Friday and a Sunday on to Monday, unless that leaves the
    /// month: Saturday the 1st moves on to Monday the 3rd, and Sunday the last day back to
    /// Friday.
    fn nearest_weekday(&self, day: u32) -> u32 {
        match self.weekday(day) {
            SATURDAY if day == 1 => 3,
            SATURDAY => day - 1,
            SUNDAY if day == self.last_day => day - 2,
            SUNDAY => day + 1,
            _ => day,
        }
    }

    fn by_day_of_week(&self, rule: &DayOfWeekRule) -> u32 {
        match rule {
            DayOfWeekRule::Unspecified => 0,
            DayOfWeekRule::Days(weekdays) => self
                .days()
                .filter(|day| weekdays.contains(self.weekday(*day)))
                .fold(0, |mask, day| mask | 1 << day),
            DayOfWeekRule::LastOfMonth(weekday) => self
                .days()
                .filter(|day| self.weekday(*day) == *weekday)
                .last()
                .map_or(0, |day| 1 << day),
            DayOfWeekRule::Nth {
                weekday,
                occurrence,
            } => {
                let first = (weekday + 7 - self.first_weekday) % 7 + 1;
                let day = first + 7 * (occurrence - 1);
                if day <= self.last_day { 1 << day } else { 0 }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_lengths_and_first_weekdays() {
        // 1 January 2026 is a Thursday (5); 1 February 2026 a Sunday (1).
        let january = MonthDays::new(2026, 1).unwrap();
        assert_eq!((january.last_day, january.first_weekday), (31, 5));
        let february = MonthDays::new(2026, 2).unwrap();
        assert_eq!((february.last_day, february.first_weekday), (28, 1));
        assert_eq!(MonthDays::new(2028, 2).unwrap().last_day, 29);
        assert_eq!(MonthDays::new(2100, 2).unwrap().last_day, 28); // divisible by 100
        assert_eq!(MonthDays::new(2000, 2).unwrap().last_day, 29); // divisible by 400
        assert_eq!(MonthDays::new(2026, 4).unwrap().last_day, 30);
    }

    #[test]
    fn first_day_at_or_after_searches_the_mask() {
        let mask = 1 << 3 | 1 << 17;
        assert_eq!(first_day_at_or_after(mask, 1), Some(3));
        assert_eq!(first_day_at_or_after(mask, 4), Some(17));
        assert_eq!(first_day_at_or_after(mask, 18), None);
    }
}
