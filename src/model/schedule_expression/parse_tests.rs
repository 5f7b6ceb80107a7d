//! Parsing: every piece of EventBridge's syntax, and every error message.

use super::cron_fields::{CronExpression, DayOfMonthRule, DayOfWeekRule};
use super::value_set::ValueSet;
use super::*;

fn cron(text: &str) -> CronExpression {
    match ScheduleExpression::parse(text) {
        Ok(ScheduleExpression::Cron(cron)) => cron,
        other => panic!("{text}: expected a cron expression, got {other:?}"),
    }
}

fn rate(text: &str) -> RateExpression {
    match ScheduleExpression::parse(text) {
        Ok(ScheduleExpression::Rate(rate)) => rate,
        other => panic!("{text}: expected a rate expression, got {other:?}"),
    }
}

fn error(text: &str) -> String {
    match ScheduleExpression::parse(text) {
        Ok(parsed) => panic!("{text}: expected an error, parsed {parsed:?}"),
        Err(error) => error.to_string(),
    }
}

fn values(set: &ValueSet) -> Vec<u32> {
    set.values().collect()
}

fn days_of_week(cron: &CronExpression) -> Vec<u32> {
    match &cron.day_of_week {
        DayOfWeekRule::Days(days) => values(days),
        other => panic!("expected weekdays, got {other:?}"),
    }
}

fn days_of_month(cron: &CronExpression) -> Vec<u32> {
    match &cron.day_of_month {
        DayOfMonthRule::Days(days) => values(days),
        other => panic!("expected days, got {other:?}"),
    }
}

// ---- rate ----

#[test]
fn rate_values_and_units() {
    assert_eq!(rate("rate(1 minute)").period_secs(), 60);
    assert_eq!(rate("rate(5 minutes)").period_secs(), 300);
    assert_eq!(rate("rate(1 hour)").period_secs(), 3_600);
    assert_eq!(rate("rate(2 hours)").period_secs(), 7_200);
    assert_eq!(rate("rate(1 day)").period_secs(), 86_400);
    assert_eq!(rate("rate(3 days)").period_secs(), 259_200);
    let every_3_days = rate("  rate(3   days)  ");
    assert_eq!(
        (every_3_days.value(), every_3_days.unit()),
        (3, RateUnit::Days)
    );
}

#[test]
fn rate_unit_must_be_singular_for_1_and_plural_otherwise() {
    assert_eq!(
        error("rate(1 minutes)"),
        "rate: the unit must be singular when the value is 1: rate(1 minute), not rate(1 minutes)"
    );
    assert_eq!(
        error("rate(1 hours)"),
        "rate: the unit must be singular when the value is 1: rate(1 hour), not rate(1 hours)"
    );
    assert_eq!(
        error("rate(5 hour)"),
        "rate: the unit must be plural when the value is more than 1: rate(5 hours), not rate(5 hour)"
    );
    assert_eq!(
        error("rate(2 day)"),
        "rate: the unit must be plural when the value is more than 1: rate(2 days), not rate(2 day)"
    );
}

#[test]
fn rate_value_must_be_a_positive_whole_number() {
    for value in ["0", "-1", "+5", "1.5", "five", "99999999999"] {
        assert_eq!(
            error(&format!("rate({value} minutes)")),
            format!("rate: {value} is not a positive whole number")
        );
    }
}

#[test]
fn rate_unit_must_be_minutes_hours_or_days() {
    assert_eq!(
        error("rate(5 weeks)"),
        "rate: weeks is not a unit: use minute(s), hour(s) or day(s)"
    );
    assert_eq!(
        error("rate(30 seconds)"),
        "rate: seconds is not a unit: use minute(s), hour(s) or day(s)"
    );
    assert_eq!(
        error("rate(5 Minutes)"),
        "rate: Minutes is not a unit: use minute(s), hour(s) or day(s)"
    );
}

#[test]
fn rate_needs_exactly_a_value_and_a_unit() {
    assert_eq!(
        error("rate(5)"),
        "rate: expected a value and a unit such as rate(5 minutes), found rate(5)"
    );
    assert_eq!(
        error("rate()"),
        "rate: expected a value and a unit such as rate(5 minutes), found rate()"
    );
    assert_eq!(
        error("rate(5 minutes now)"),
        "rate: expected a value and a unit such as rate(5 minutes), found rate(5 minutes now)"
    );
}

// ---- the wrapper and the field count ----

#[test]
fn empty_input_is_an_error() {
    let expected = "the schedule expression is empty: expected rate(value unit) or \
                    cron(minutes hours day-of-month month day-of-week year)";
    assert_eq!(error(""), expected);
    assert_eq!(error("   "), expected);
}

#[test]
fn missing_wrapper_is_an_error() {
    assert_eq!(
        error("0 8 * * ? *"),
        "\"0 8 * * ? *\" is not a schedule expression: expected rate(value unit) or \
         cron(minutes hours day-of-month month day-of-week year)"
    );
    assert_eq!(
        error("at(2026-01-01T00:00:00)"),
        "\"at(2026-01-01T00:00:00)\" is not a schedule expression: expected rate(value unit) or \
         cron(minutes hours day-of-month month day-of-week year)"
    );
    assert_eq!(
        error("cron(0 8 * * ? *"),
        "\"cron(0 8 * * ? *\" is missing its closing parenthesis"
    );
    assert_eq!(
        error("rate(5 minutes"),
        "\"rate(5 minutes\" is missing its closing parenthesis"
    );
}

#[test]
fn cron_needs_six_fields() {
    assert_eq!(
        error("cron(0 8 * * ?)"),
        "cron: expected 6 fields (minutes hours day-of-month month day-of-week year), found 5"
    );
    assert_eq!(
        error("cron(0 0 8 * * ? *)"),
        "cron: expected 6 fields (minutes hours day-of-month month day-of-week year), found 7"
    );
    assert_eq!(
        error("cron()"),
        "cron: expected 6 fields (minutes hours day-of-month month day-of-week year), found 0"
    );
}

// ---- day-of-month against day-of-week ----

#[test]
fn both_day_fields_specified_is_refused_with_the_documented_message() {
    let message = "day-of-month and day-of-week cannot both be specified; use ? in one of them";
    assert_eq!(error("cron(0 8 * * * *)"), message);
    assert_eq!(error("cron(0 8 1 * MON *)"), message);
    assert_eq!(error("cron(0 8 L * 6L *)"), message);
}

#[test]
fn both_day_fields_unspecified_is_refused() {
    assert_eq!(
        error("cron(0 8 ? * ? *)"),
        "day-of-month and day-of-week cannot both be ?; give a value or * in one of them"
    );
}

#[test]
fn either_day_field_may_be_the_question_mark() {
    assert_eq!(
        cron("cron(0 8 ? * * *)").day_of_month,
        DayOfMonthRule::Unspecified
    );
    assert_eq!(
        cron("cron(0 8 * * ? *)").day_of_week,
        DayOfWeekRule::Unspecified
    );
}

// ---- values, lists, ranges, steps ----

#[test]
fn star_selects_the_whole_range_of_each_field() {
    let every_minute = cron("cron(* * * * ? *)");
    assert_eq!(values(&every_minute.minutes), (0..=59).collect::<Vec<_>>());
    assert_eq!(values(&every_minute.hours), (0..=23).collect::<Vec<_>>());
    assert_eq!(days_of_month(&every_minute), (1..=31).collect::<Vec<_>>());
    assert_eq!(values(&every_minute.months), (1..=12).collect::<Vec<_>>());
    assert_eq!(
        values(&every_minute.years),
        (1970..=2199).collect::<Vec<_>>()
    );
    assert_eq!(
        days_of_week(&cron("cron(0 0 ? * * *)")),
        [1, 2, 3, 4, 5, 6, 7]
    );
}

#[test]
fn lists_and_ranges() {
    let parsed = cron("cron(0,15,30 9-11,14 1-3,15 1,6-7 ? 2026,2028-2029)");
    assert_eq!(values(&parsed.minutes), [0, 15, 30]);
    assert_eq!(values(&parsed.hours), [9, 10, 11, 14]);
    assert_eq!(days_of_month(&parsed), [1, 2, 3, 15]);
    assert_eq!(values(&parsed.months), [1, 6, 7]);
    assert_eq!(values(&parsed.years), [2026, 2028, 2029]);
}

#[test]
fn steps_from_a_start_a_star_or_a_range() {
    assert_eq!(
        values(&cron("cron(0/15 * * * ? *)").minutes),
        [0, 15, 30, 45]
    );
    assert_eq!(values(&cron("cron(*/20 * * * ? *)").minutes), [0, 20, 40]);
    assert_eq!(
        values(&cron("cron(10-40/10 * * * ? *)").minutes),
        [10, 20, 30, 40]
    );
    // The documented example: 1/10 is minutes 1, 11, 21, …
    assert_eq!(
        values(&cron("cron(1/10 * * * ? *)").minutes),
        [1, 11, 21, 31, 41, 51]
    );
    assert_eq!(values(&cron("cron(0 5/6 * * ? *)").hours), [5, 11, 17, 23]);
    assert_eq!(
        days_of_month(&cron("cron(0 0 1/10 * ? *)")),
        [1, 11, 21, 31]
    );
    assert_eq!(values(&cron("cron(0 0 1 */3 ? *)").months), [1, 4, 7, 10]);
    assert_eq!(values(&cron("cron(0 0 1 1 ? 2100/50)").years), [2100, 2150]);
    // A step wider than the range keeps only the start.
    assert_eq!(values(&cron("cron(7/100 * * * ? *)").minutes), [7]);
}

#[test]
fn month_names_case_insensitive() {
    assert_eq!(values(&cron("cron(0 0 1 JAN-MAR ? *)").months), [1, 2, 3]);
    assert_eq!(values(&cron("cron(0 0 1 jul,Dec ? *)").months), [7, 12]);
    assert_eq!(values(&cron("cron(0 0 1 FEB/4 ? *)").months), [2, 6, 10]);
}

#[test]
fn weekday_names_with_sunday_as_1() {
    assert_eq!(
        days_of_week(&cron("cron(0 0 ? * MON-FRI *)")),
        [2, 3, 4, 5, 6]
    );
    assert_eq!(days_of_week(&cron("cron(0 0 ? * SUN,sat *)")), [1, 7]);
    assert_eq!(days_of_week(&cron("cron(0 0 ? * 1 *)")), [1]);
    assert_eq!(days_of_week(&cron("cron(0 0 ? * 2-4,WED *)")), [2, 3, 4]);
}

// ---- L, W, # ----

#[test]
fn last_day_and_weekday_forms_in_day_of_month() {
    assert_eq!(cron("cron(0 0 L * ? *)").day_of_month, DayOfMonthRule::Last);
    assert_eq!(
        cron("cron(0 0 LW * ? *)").day_of_month,
        DayOfMonthRule::LastWeekday
    );
    assert_eq!(
        cron("cron(0 0 lw * ? *)").day_of_month,
        DayOfMonthRule::LastWeekday
    );
    assert_eq!(
        cron("cron(0 0 5W * ? *)").day_of_month,
        DayOfMonthRule::NearestWeekday(5)
    );
    assert_eq!(
        cron("cron(0 0 31W * ? *)").day_of_month,
        DayOfMonthRule::NearestWeekday(31)
    );
}

#[test]
fn last_and_nth_forms_in_day_of_week() {
    assert_eq!(
        cron("cron(0 0 ? * 6L *)").day_of_week,
        DayOfWeekRule::LastOfMonth(6)
    );
    assert_eq!(
        cron("cron(0 0 ? * FRIL *)").day_of_week,
        DayOfWeekRule::LastOfMonth(6)
    );
    assert_eq!(
        cron("cron(0 0 ? * 6#3 *)").day_of_week,
        DayOfWeekRule::Nth {
            weekday: 6,
            occurrence: 3
        }
    );
    assert_eq!(
        cron("cron(0 0 ? * TUE#2 *)").day_of_week,
        DayOfWeekRule::Nth {
            weekday: 3,
            occurrence: 2
        }
    );
    // A bare L is the last day of the week: Saturday.
    assert_eq!(days_of_week(&cron("cron(0 0 ? * L *)")), [7]);
}

#[test]
fn offset_from_the_last_day_is_not_supported() {
    assert_eq!(
        error("cron(0 0 L-3 * ? *)"),
        "day-of-month: L-3 is not supported: EventBridge documents L, LW and a day with W \
         (such as 15W), not an offset from the last day"
    );
}

#[test]
fn nth_weekday_must_be_1_to_5() {
    for token in ["6#0", "6#6", "6#", "6#x"] {
        assert_eq!(
            error(&format!("cron(0 0 ? * {token} *)")),
            format!("day-of-week: in {token}, the number after # must be 1-5")
        );
    }
    assert_eq!(
        error("cron(0 0 ? * 8#1 *)"),
        "day-of-week: 8 is out of range 1-7"
    );
}

#[test]
fn special_forms_must_stand_alone() {
    // EventBridge's own example of what is refused.
    assert_eq!(
        error("cron(0 0 ? * 3#1,6#3 *)"),
        "day-of-week: 3#1 must be the only value in the field, not part of a list"
    );
    assert_eq!(
        error("cron(0 0 ? * MON,6L *)"),
        "day-of-week: 6L must be the only value in the field, not part of a list"
    );
    assert_eq!(
        error("cron(0 0 1,L * ? *)"),
        "day-of-month: L must be the only value in the field, not part of a list"
    );
    assert_eq!(
        error("cron(0 0 15W,20 * ? *)"),
        "day-of-month: 15W must be the only value in the field, not part of a list"
    );
    assert_eq!(
        error("cron(0 0 ?,1 * MON *)"),
        "day-of-month: ? must be the only value in the field, not part of a list"
    );
}

// ---- range errors, one per field ----

#[test]
fn values_out_of_range_name_the_field_and_the_token() {
    let cases = [
        ("cron(61 * * * ? *)", "minutes: 61 is out of range 0-59"),
        ("cron(50-61 * * * ? *)", "minutes: 61 is out of range 0-59"),
        ("cron(0 24 * * ? *)", "hours: 24 is out of range 0-23"),
        ("cron(0 0 0 * ? *)", "day-of-month: 0 is out of range 1-31"),
        (
            "cron(0 0 32 * ? *)",
            "day-of-month: 32 is out of range 1-31",
        ),
        (
            "cron(0 0 32W * ? *)",
            "day-of-month: 32 is out of range 1-31",
        ),
        ("cron(0 0 1 13 ? *)", "month: 13 is out of range 1-12"),
        ("cron(0 0 1 0 ? *)", "month: 0 is out of range 1-12"),
        ("cron(0 0 ? * 0 *)", "day-of-week: 0 is out of range 1-7"),
        ("cron(0 0 ? * 8L *)", "day-of-week: 8 is out of range 1-7"),
        (
            "cron(0 0 1 1 ? 1969)",
            "year: 1969 is out of range 1970-2199",
        ),
        (
            "cron(0 0 1 1 ? 2026-2200)",
            "year: 2200 is out of range 1970-2199",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(error(text), expected, "{text}");
    }
}

#[test]
fn unknown_tokens_name_the_field_and_what_it_takes() {
    let cases = [
        (
            "cron(ab * * * ? *)",
            "minutes: ab is not a valid value; expected a number 0-59",
        ),
        (
            "cron(0 -1 * * ? *)",
            "hours: -1 is not a valid value; expected a number 0-23",
        ),
        (
            "cron(0 0 1 FOO ? *)",
            "month: FOO is not a valid value; expected 1-12 or JAN-DEC",
        ),
        (
            "cron(0 0 ? * MONDAY *)",
            "day-of-week: MONDAY is not a valid value; expected 1-7 or SUN-SAT (1 = SUN), L, \
             a day with L such as 6L, or # such as 6#3",
        ),
        (
            "cron(0 0 W * ? *)",
            "day-of-month: W is not a valid value; expected a day 1-31, L, LW or a day with W \
             such as 15W",
        ),
        (
            "cron(0 0 1 1 ? 20x6)",
            "year: 20x6 is not a valid value; expected a year 1970-2199",
        ),
        (
            "cron(0/x * * * ? *)",
            "minutes: 0/x is not a valid value; expected a number 0-59",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(error(text), expected, "{text}");
    }
}

#[test]
fn wildcards_outside_their_fields_are_refused() {
    let cases = [
        (
            "cron(? * * * ? *)",
            "minutes: ? uses ?, which this field does not allow (allowed: , - * /)",
        ),
        (
            "cron(0 L * * ? *)",
            "hours: L uses L, which this field does not allow (allowed: , - * /)",
        ),
        (
            "cron(0 5W * * ? *)",
            "hours: 5W uses W, which this field does not allow (allowed: , - * /)",
        ),
        (
            "cron(0 0 1 6#1 ? *)",
            "month: 6#1 uses #, which this field does not allow (allowed: , - * /)",
        ),
        (
            "cron(0 0 1 ? ? *)",
            "month: ? uses ?, which this field does not allow (allowed: , - * /)",
        ),
        (
            "cron(0 0 6#3 * ? *)",
            "day-of-month: 6#3 uses #, which this field does not allow (allowed: , - * ? / L W)",
        ),
        (
            "cron(0 0 ? * 2/2 *)",
            "day-of-week: 2/2 uses /, which this field does not allow (allowed: , - * ? L #)",
        ),
        (
            "cron(0 0 ? * 2W *)",
            "day-of-week: 2W uses W, which this field does not allow (allowed: , - * ? L #)",
        ),
        (
            "cron(0 0 1 1 ? L)",
            "year: L uses L, which this field does not allow (allowed: , - * /)",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(error(text), expected, "{text}");
    }
}

#[test]
fn reversed_ranges_zero_steps_and_empty_items_are_refused() {
    assert_eq!(
        error("cron(0 22-2 * * ? *)"),
        "hours: the range 22-2 starts after it ends"
    );
    assert_eq!(
        error("cron(0 0 ? * FRI-MON *)"),
        "day-of-week: the range FRI-MON starts after it ends"
    );
    assert_eq!(
        error("cron(*/0 * * * ? *)"),
        "minutes: the step in */0 must be at least 1"
    );
    assert_eq!(
        error("cron(1,,2 * * * ? *)"),
        "minutes: empty value in \"1,,2\""
    );
    assert_eq!(
        error("cron(0 0 1, * ? *)"),
        "day-of-month: empty value in \"1,\""
    );
}

// ---- time zones ----

#[test]
fn time_zones_by_iana_name() {
    assert_eq!(
        parse_time_zone("Europe/Berlin"),
        Ok(chrono_tz::Europe::Berlin)
    );
    assert_eq!(parse_time_zone("UTC"), Ok(chrono_tz::UTC));
    assert_eq!(
        parse_time_zone("Mars/Olympus_Mons").map_err(|error| error.to_string()),
        Err(
            "unknown time zone \"Mars/Olympus_Mons\": use an IANA name such as Europe/Berlin \
             or America/New_York"
                .to_owned()
        )
    );
}

#[test]
fn from_str_is_parse() {
    let parsed: ScheduleExpression = "rate(5 minutes)".parse().unwrap();
    assert_eq!(
        parsed,
        ScheduleExpression::parse("rate(5 minutes)").unwrap()
    );
}
