//! The six parsed fields of a cron expression, and the grammar of one field: lists (`,`),
//! ranges (`-`), steps (`/`), `*`, month and weekday names, and the day fields' `?`, `L`, `W`
//! and `#`.
//!
//! Where EventBridge's reference is silent, these rules follow Quartz, whose syntax
//! EventBridge's is: `L`, `LW`, `15W`, `6L` and `6#3` stand alone in their field (the
//! reference says so for `#`); a bare `L` in day-of-week is 7 (Saturday, the last day of
//! the week); ranges do not wrap around (`FRI-MON` is an error); names are case-insensitive.
//! `L-3` (an offset from the last day) is not in EventBridge's reference and is rejected.

use super::error::{CronField, ScheduleError};
use super::value_set::ValueSet;

/// A parsed `cron(…)` expression: which minutes, hours, days, months and years it fires in,
/// as wall-clock times in the schedule's time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronExpression {
    pub(crate) minutes: ValueSet,
    pub(crate) hours: ValueSet,
    pub(crate) day_of_month: DayOfMonthRule,
    pub(crate) months: ValueSet,
    pub(crate) day_of_week: DayOfWeekRule,
    pub(crate) years: ValueSet,
}

/// How the day-of-month field picks days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DayOfMonthRule {
    /// `?`: the day-of-week field decides.
    Unspecified,
    /// Days, ranges, steps or `*`; a day past the month's end (31 in April) never matches.
    Days(ValueSet),
    /// `L`: the last day of the month.
    Last,
    /// `LW`: the last weekday (Monday to Friday) of the month.
    LastWeekday,
    /// `15W`: the weekday nearest the given day, never leaving its month.
    NearestWeekday(u32),
}

/// How the day-of-week field picks days. Weekdays are numbered 1 (Sunday) to 7 (Saturday).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DayOfWeekRule {
    /// `?`: the day-of-month field decides.
    Unspecified,
    /// Weekdays, ranges or `*` (a bare `L` is 7, Saturday).
    Days(ValueSet),
    /// `6L`: the last such weekday of the month.
    LastOfMonth(u32),
    /// `6#3`: the third such weekday of the month; months without one are skipped.
    Nth { weekday: u32, occurrence: u32 },
}

const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const SATURDAY: u32 = 7;

/// Parses the minutes, hours, month or year field.
pub(crate) fn parse_value_field(field: CronField, text: &str) -> Result<ValueSet, ScheduleError> {
    parse_list(field, text)
}

/// Parses the day-of-month field.
pub(crate) fn parse_day_of_month(text: &str) -> Result<DayOfMonthRule, ScheduleError> {
    let field = CronField::DayOfMonth;
    check_special_items_alone(field, text, |upper| {
        upper == "?" || upper.contains('L') || upper.contains('W')
    })?;
    let upper = text.to_ascii_uppercase();
    if upper == "?" {
        Ok(DayOfMonthRule::Unspecified)
    } else if upper == "L" {
        Ok(DayOfMonthRule::Last)
    } else if upper == "LW" {
        Ok(DayOfMonthRule::LastWeekday)
    } else if upper.starts_with("L-") {
        Err(ScheduleError::LastDayOffset {
            token: text.to_owned(),
        })
    } else if let Some(day_text) = text.strip_suffix(['W', 'w']) {
        Ok(DayOfMonthRule::NearestWeekday(parse_value(
            field, day_text, text,
        )?))
    } else {
        Ok(DayOfMonthRule::Days(parse_list(field, text)?))
    }
}

/// Parses the day-of-week field.
pub(crate) fn parse_day_of_week(text: &str) -> Result<DayOfWeekRule, ScheduleError> {
    let field = CronField::DayOfWeek;
    // No weekday name holds an L, so any L is the wildcard.
    check_special_items_alone(field, text, |upper| {
        upper == "?" || upper.contains('L') || upper.contains('#')
    })?;
    let upper = text.to_ascii_uppercase();
    if upper == "?" {
        Ok(DayOfWeekRule::Unspecified)
    } else if upper == "L" {
        let mut saturday = ValueSet::empty(1, 7);
        saturday.insert(SATURDAY);
        Ok(DayOfWeekRule::Days(saturday))
    } else if let Some((weekday_text, occurrence_text)) = text.split_once('#') {
        let weekday = parse_value(field, weekday_text, text)?;
        let occurrence = occurrence_text
            .parse::<u32>()
            .ok()
            .filter(|occurrence| (1..=5).contains(occurrence))
            .ok_or_else(|| ScheduleError::OccurrenceOutOfRange {
                token: text.to_owned(),
            })?;
        Ok(DayOfWeekRule::Nth {
            weekday,
            occurrence,
        })
    } else if let Some(weekday_text) = text.strip_suffix(['L', 'l']) {
        Ok(DayOfWeekRule::LastOfMonth(parse_value(
            field,
            weekday_text,
            text,
        )?))
    } else {
        Ok(DayOfWeekRule::Days(parse_list(field, text)?))
    }
}

/// `?`, `L`, `W` and `#` forms must be the whole field: `3#1,6#3` is two expressions, which
/// EventBridge refuses.
fn check_special_items_alone(
    field: CronField,
    text: &str,
    is_special: impl Fn(&str) -> bool,
) -> Result<(), ScheduleError> {
    if !text.contains(',') {
        return Ok(());
    }
    match text
        .split(',')
        .find(|item| is_special(&item.to_ascii_uppercase()))
    {
        Some(item) => Err(ScheduleError::NotAlone {
            field,
            token: item.to_owned(),
        }),
        None => Ok(()),
    }
}

/// A `,`-separated list of `*`, values, ranges and steps.
fn parse_list(field: CronField, text: &str) -> Result<ValueSet, ScheduleError> {
    let (min, max) = field.range();
    let mut set = ValueSet::empty(min, max);
    for item in text.split(',') {
        if item.is_empty() {
            return Err(ScheduleError::EmptyValue {
                field,
                text: text.to_owned(),
            });
        }
        parse_item(field, item, &mut set)?;
    }
    Ok(set)
}

/// One list item: `*`, `5`, `MON`, `10-40`, and any of those with a step (`*/5`, `0/15`,
/// `10-40/10`); a single start value with a step runs to the field's end.
fn parse_item(field: CronField, item: &str, set: &mut ValueSet) -> Result<(), ScheduleError> {
    let (min, max) = field.range();
    let (range_text, step) = match item.split_once('/') {
        Some((range_text, step_text)) => {
            if !field.allows('/') {
                return Err(ScheduleError::WildcardNotAllowed {
                    field,
                    token: item.to_owned(),
                    wildcard: '/',
                });
            }
            (range_text, Some(parse_step(field, item, step_text)?))
        }
        None => (item, None),
    };
    let (first, last) = if range_text == "*" {
        (min, max)
    } else if let Some((first_text, last_text)) = range_text.split_once('-') {
        let first = parse_value(field, first_text, item)?;
        let last = parse_value(field, last_text, item)?;
        if first > last {
            return Err(ScheduleError::ReversedRange {
                field,
                token: item.to_owned(),
            });
        }
        (first, last)
    } else {
        let value = parse_value(field, range_text, item)?;
        (value, if step.is_some() { max } else { value })
    };
    for value in (first..=last).step_by(step.unwrap_or(1)) {
        set.insert(value);
    }
    Ok(())
}

fn parse_step(field: CronField, item: &str, step_text: &str) -> Result<usize, ScheduleError> {
    if step_text.is_empty() || !step_text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(invalid_token(field, item));
    }
    // A step wider than any field's range selects only the first value: saturate.
    match step_text.parse::<usize>().unwrap_or(usize::MAX) {
        0 => Err(ScheduleError::ZeroStep {
            field,
            token: item.to_owned(),
        }),
        step => Ok(step),
    }
}

/// One value: a number in the field's range, or a month or weekday name. `item` is the whole
/// list item, named in errors when `text` alone would not say enough.
fn parse_value(field: CronField, text: &str, item: &str) -> Result<u32, ScheduleError> {
    let (min, max) = field.range();
    if !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()) {
        return text
            .parse::<u32>()
            .ok()
            .filter(|value| (min..=max).contains(value))
            .ok_or_else(|| ScheduleError::OutOfRange {
                field,
                token: text.to_owned(),
                min,
                max,
            });
    }
    let names: &[&str] = match field {
        CronField::Month => &MONTH_NAMES,
        CronField::DayOfWeek => &WEEKDAY_NAMES,
        _ => &[],
    };
    names
        .iter()
        .zip(1..)
        .find(|(name, _)| name.eq_ignore_ascii_case(text))
        .map(|(_, value)| value)
        .ok_or_else(|| invalid_token(field, item))
}

/// The error for a token that is no value of the field: a wildcard the field does not allow
/// when the token uses one, else a plain invalid value.
fn invalid_token(field: CronField, item: &str) -> ScheduleError {
    let upper = item.to_ascii_uppercase();
    // `L` and `W` count as wildcards where they stand apart from names (`6L`, `L-3`, `5W`, `LW`),
    // not inside one (`JUL`, `WED`).
    let letter_wildcard = |letter: char| {
        upper
            .split(|c: char| !c.is_ascii_alphabetic())
            .any(|word| matches!(word, "L" | "W" | "LW") && word.contains(letter))
    };
    let wildcard = ['?', '#', '/']
        .into_iter()
        .find(|wildcard| upper.contains(*wildcard))
        .or_else(|| {
            ['L', 'W']
                .into_iter()
                .find(|letter| letter_wildcard(*letter))
        });
    match wildcard {
        Some(wildcard) if !field.allows(wildcard) => ScheduleError::WildcardNotAllowed {
            field,
            token: item.to_owned(),
            wildcard,
        },
        _ => ScheduleError::InvalidValue {
            field,
            token: item.to_owned(),
        },
    }
}
