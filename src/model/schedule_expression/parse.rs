//! Reading a schedule expression: the `rate(…)` / `cron(…)` wrapper, the six cron fields,
//! and the rule that exactly one of day-of-month and day-of-week is `?`.

use super::ScheduleExpression;
use super::cron_fields::{
    CronExpression, DayOfMonthRule, DayOfWeekRule, parse_day_of_month, parse_day_of_week,
    parse_value_field,
};
use super::error::{CronField, ScheduleError};
use super::rate::RateExpression;

pub(crate) fn parse_expression(text: &str) -> Result<ScheduleExpression, ScheduleError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ScheduleError::Empty);
    }
    if let Some(inner) = wrapped(text, "rate(")? {
        return Ok(ScheduleExpression::Rate(RateExpression::parse(inner)?));
    }
    if let Some(inner) = wrapped(text, "cron(")? {
        return Ok(ScheduleExpression::Cron(parse_cron(inner)?));
    }
    Err(ScheduleError::NotAnExpression {
        text: text.to_owned(),
    })
}

/// What is inside `prefix…)`, or `None` when `text` does not start with `prefix`.
fn wrapped<'text>(text: &'text str, prefix: &str) -> Result<Option<&'text str>, ScheduleError> {
    let Some(rest) = text.strip_prefix(prefix) else {
        return Ok(None);
    };
    match rest.strip_suffix(')') {
        Some(inner) => Ok(Some(inner)),
        None => Err(ScheduleError::MissingClosingParenthesis {
            text: text.to_owned(),
        }),
    }
}

fn parse_cron(inner: &str) -> Result<CronExpression, ScheduleError> {
    let fields: Vec<&str> = inner.split_whitespace().collect();
    let [minutes, hours, day_of_month, month, day_of_week, year] = fields[..] else {
        return Err(ScheduleError::FieldCount {
            found_count: fields.len(),
        });
    };
    let cron = CronExpression {
        minutes: parse_value_field(CronField::Minutes, minutes)?,
        hours: parse_value_field(CronField::Hours, hours)?,
        day_of_month: parse_day_of_month(day_of_month)?,
        months: parse_value_field(CronField::Month, month)?,
        day_of_week: parse_day_of_week(day_of_week)?,
        years: parse_value_field(CronField::Year, year)?,
    };
    match (&cron.day_of_month, &cron.day_of_week) {
        (DayOfMonthRule::Unspecified, DayOfWeekRule::Unspecified) => {
            Err(ScheduleError::NeitherDaySpecified)
        }
        (DayOfMonthRule::Unspecified, _) | (_, DayOfWeekRule::Unspecified) => Ok(cron),
        _ => Err(ScheduleError::BothDaysSpecified),
    }
}
