//! Next fire times. Every expected time was worked out by hand from the calendar (weekdays of
//! 2026: 1 January is a Thursday, 1 February a Sunday, 1 August a Saturday) and the 2026
//! daylight saving time changes (New York: 8 March 02:00 EST → 03:00 EDT, 1 November
//! 02:00 EDT → 01:00 EST; Berlin: 29 March 02:00 CET → 03:00 CEST, 25 October 03:00 CEST →
//! 02:00 CET).

use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::{America, Asia, Europe, Tz};

use super::*;

fn at(rfc3339: &str) -> DateTime<Utc> {
    rfc3339.parse().unwrap()
}

fn format(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn next(expression: &str, after: &str, time_zone: Option<Tz>) -> Option<String> {
    ScheduleExpression::parse(expression)
        .unwrap()
        .next_after(at(after), time_zone)
        .map(format)
}

/// The first `count` fire times after `after`, for a schedule that started at `after`.
fn next_n(expression: &str, after: &str, time_zone: Option<Tz>, count: usize) -> Vec<String> {
    let schedule = Schedule::new(
        ScheduleExpression::parse(expression).unwrap(),
        time_zone,
        at(after),
    );
    schedule
        .fire_times_after(at(after))
        .take(count)
        .map(format)
        .collect()
}

// ---- basics ----

#[test]
fn next_fire_time_is_strictly_after() {
    let daily_at_10 = "cron(0 10 * * ? *)";
    assert_eq!(
        next(daily_at_10, "2026-01-01T10:00:00Z", None).as_deref(),
        Some("2026-01-02T10:00:00Z")
    );
    assert_eq!(
        next(daily_at_10, "2026-01-01T09:59:59Z", None).as_deref(),
        Some("2026-01-01T10:00:00Z")
    );
    assert_eq!(
        next(daily_at_10, "2026-01-01T09:59:59.5Z", None).as_deref(),
        Some("2026-01-01T10:00:00Z")
    );
    assert_eq!(
        next(daily_at_10, "2026-01-01T10:00:00.5Z", None).as_deref(),
        Some("2026-01-02T10:00:00Z")
    );
}

#[test]
fn search_carries_into_the_next_day_month_and_year() {
    assert_eq!(
        next("cron(15 12 * * ? *)", "2026-06-30T13:00:00Z", None).as_deref(),
        Some("2026-07-01T12:15:00Z")
    );
    assert_eq!(
        next("cron(15 12 * * ? *)", "2026-12-31T12:16:00Z", None).as_deref(),
        Some("2027-01-01T12:15:00Z")
    );
    assert_eq!(
        next("cron(59 23 31 12 ? *)", "2026-12-31T23:59:00Z", None).as_deref(),
        Some("2027-12-31T23:59:00Z")
    );
    assert_eq!(
        next("cron(0 8 1 * ? *)", "2026-01-31T09:00:00Z", None).as_deref(),
        Some("2026-02-01T08:00:00Z")
    );
}

#[test]
fn steps_fire_at_each_step() {
    assert_eq!(
        next_n("cron(0/15 * * * ? *)", "2026-01-01T00:07:30Z", None, 4),
        [
            "2026-01-01T00:15:00Z",
            "2026-01-01T00:30:00Z",
            "2026-01-01T00:45:00Z",
            "2026-01-01T01:00:00Z"
        ]
    );
    assert_eq!(
        next_n("cron(10-40/10 9 * * ? *)", "2026-01-01T09:35:00Z", None, 3),
        [
            "2026-01-01T09:40:00Z",
            "2026-01-02T09:10:00Z",
            "2026-01-02T09:20:00Z"
        ]
    );
    assert_eq!(
        next_n("cron(0 */8 * * ? *)", "2026-01-01T09:00:00Z", None, 3),
        [
            "2026-01-01T16:00:00Z",
            "2026-01-02T00:00:00Z",
            "2026-01-02T08:00:00Z"
        ]
    );
}

#[test]
fn weekdays_are_numbered_from_sunday() {
    // Friday 2 January 2026 at 18:00 → Monday 5 January.
    assert_eq!(
        next("cron(0 18 ? * MON-FRI *)", "2026-01-02T18:00:00Z", None).as_deref(),
        Some("2026-01-05T18:00:00Z")
    );
    // 1 is Sunday: Sunday 4 January 2026.
    assert_eq!(
        next("cron(0 12 ? * 1 *)", "2026-01-01T00:00:00Z", None).as_deref(),
        Some("2026-01-04T12:00:00Z")
    );
    assert_eq!(
        next("cron(0 12 ? * SUN *)", "2026-01-01T00:00:00Z", None).as_deref(),
        Some("2026-01-04T12:00:00Z")
    );
    // 7 is Saturday: 3 January.
    assert_eq!(
        next("cron(0 12 ? * 7 *)", "2026-01-01T00:00:00Z", None).as_deref(),
        Some("2026-01-03T12:00:00Z")
    );
}

#[test]
fn months_by_name() {
    assert_eq!(
        next_n("cron(0 0 1 JAN,JUL ? *)", "2026-01-01T00:00:00Z", None, 2),
        ["2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z"]
    );
}

#[test]
fn years_limit_the_schedule() {
    assert_eq!(
        next_n(
            "cron(0 12 1 1 ? 2030-2032)",
            "2026-01-01T00:00:00Z",
            None,
            10
        ),
        [
            "2030-01-01T12:00:00Z",
            "2031-01-01T12:00:00Z",
            "2032-01-01T12:00:00Z"
        ]
    );
    assert_eq!(
        next("cron(0 0 1 1 ? */50)", "2000-01-01T00:00:00Z", None).as_deref(),
        Some("2020-01-01T00:00:00Z")
    );
    // Before 1970 the search starts at the first cron year.
    assert_eq!(
        next("cron(0 0 1 1 ? *)", "1950-06-01T00:00:00Z", None).as_deref(),
        Some("1970-01-01T00:00:00Z")
    );
}

// ---- leap years and expressions that never fire ----

#[test]
fn leap_days() {
    let leap_day = "cron(0 0 29 2 ? *)";
    assert_eq!(
        next(leap_day, "2026-01-01T00:00:00Z", None).as_deref(),
        Some("2028-02-29T00:00:00Z")
    );
    assert_eq!(
        next(leap_day, "2028-02-29T00:00:00Z", None).as_deref(),
        Some("2032-02-29T00:00:00Z")
    );
    // 2100 is divisible by 100 and not by 400: no leap day.
    assert_eq!(
        next(leap_day, "2097-01-01T00:00:00Z", None).as_deref(),
        Some("2104-02-29T00:00:00Z")
    );
    let last_of_february = "cron(0 0 L 2 ? *)";
    assert_eq!(
        next(last_of_february, "2027-03-01T00:00:00Z", None).as_deref(),
        Some("2028-02-29T00:00:00Z")
    );
    assert_eq!(
        next(last_of_february, "2099-03-01T00:00:00Z", None).as_deref(),
        Some("2100-02-28T00:00:00Z")
    );
    // The fifth Sunday of February needs a leap year whose 1 February is a Sunday.
    assert_eq!(
        next("cron(0 0 ? FEB 1#5 *)", "2026-01-01T00:00:00Z", None).as_deref(),
        Some("2032-02-29T00:00:00Z")
    );
}

#[test]
fn expressions_that_never_fire_answer_none_quickly() {
    let started = Instant::now();
    assert_eq!(
        next("cron(0 0 31 2 ? *)", "2026-01-01T00:00:00Z", None),
        None
    );
    assert_eq!(
        next(
            "cron(0 0 30 2 ? *)",
            "1970-01-01T00:00:00Z",
            Some(Europe::Berlin)
        ),
        None
    );
    assert_eq!(
        next("cron(0 0 31 4,6,9,11 ? *)", "2026-01-01T00:00:00Z", None),
        None
    );
    assert_eq!(
        next("cron(0 0 * * ? 2020)", "2026-01-01T00:00:00Z", None),
        None
    );
    assert_eq!(
        next("cron(0 0 1 1 ? 2199)", "2198-06-01T00:00:00Z", None).as_deref(),
        Some("2199-01-01T00:00:00Z")
    );
    assert_eq!(
        next("cron(0 0 1 1 ? 2199)", "2199-01-01T00:00:00Z", None),
        None
    );
    assert_eq!(
        next("cron(* * * * ? *)", "2199-12-31T23:59:00Z", None),
        None
    );
    assert_eq!(
        next("cron(0 0 29 2 ? *)", "2197-01-01T00:00:00Z", None),
        None
    ); // 2200 is past 2199
    // Field by field, each of these is a few hundred steps; minute by minute it would be
    // over a hundred million.
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn fire_times_end_with_the_last_year() {
    let schedule = Schedule::new(
        ScheduleExpression::parse("cron(0 0 1 1 ? 2198-2199)").unwrap(),
        None,
        at("2190-01-01T00:00:00Z"),
    );
    let times: Vec<String> = schedule
        .fire_times_after(at("2190-01-01T00:00:00Z"))
        .map(format)
        .collect();
    assert_eq!(times, ["2198-01-01T00:00:00Z", "2199-01-01T00:00:00Z"]);
}

// ---- L, W, # ----

#[test]
fn last_day_of_the_month() {
    assert_eq!(
        next_n("cron(0 0 L * ? *)", "2026-01-15T00:00:00Z", None, 4),
        [
            "2026-01-31T00:00:00Z",
            "2026-02-28T00:00:00Z",
            "2026-03-31T00:00:00Z",
            "2026-04-30T00:00:00Z"
        ]
    );
}

#[test]
fn last_weekday_of_the_month() {
    // 31 January 2026 is a Saturday, 28 February a Saturday, 31 March a Tuesday.
    assert_eq!(
        next_n("cron(0 0 LW * ? *)", "2026-01-01T00:00:00Z", None, 3),
        [
            "2026-01-30T00:00:00Z",
            "2026-02-27T00:00:00Z",
            "2026-03-31T00:00:00Z"
        ]
    );
    // 31 May 2026 is a Sunday: back to Friday the 29th.
    assert_eq!(
        next("cron(0 0 LW * ? *)", "2026-05-01T00:00:00Z", None).as_deref(),
        Some("2026-05-29T00:00:00Z")
    );
}

#[test]
fn nearest_weekday_stays_in_its_month() {
    // 1 August 2026 is a Saturday: on to Monday the 3rd, not back to Friday 31 July.
    assert_eq!(
        next_n("cron(0 0 1W * ? *)", "2026-07-15T00:00:00Z", None, 2),
        ["2026-08-03T00:00:00Z", "2026-09-01T00:00:00Z"]
    );
    // 1 February 2026 is a Sunday: Monday the 2nd.
    assert_eq!(
        next("cron(0 0 1W * ? *)", "2026-01-15T00:00:00Z", None).as_deref(),
        Some("2026-02-02T00:00:00Z")
    );
    // 31 May 2026 is a Sunday: back to Friday the 29th, not on to 1 June. April has no 31st;
    // 31 July 2026 is a Friday.
    assert_eq!(
        next_n("cron(0 0 31W * ? *)", "2026-04-01T00:00:00Z", None, 2),
        ["2026-05-29T00:00:00Z", "2026-07-31T00:00:00Z"]
    );
}

#[test]
fn nearest_weekday_mid_month() {
    // 15 February 2026 is a Sunday → Monday 16th; 15 August a Saturday → Friday 14th.
    assert_eq!(
        next("cron(0 0 15W * ? *)", "2026-02-01T00:00:00Z", None).as_deref(),
        Some("2026-02-16T00:00:00Z")
    );
    assert_eq!(
        next("cron(0 0 15W * ? *)", "2026-08-01T00:00:00Z", None).as_deref(),
        Some("2026-08-14T00:00:00Z")
    );
    // 5 March 2026 is a Thursday: that day itself.
    assert_eq!(
        next("cron(0 0 5W 3 ? *)", "2026-01-01T00:00:00Z", None).as_deref(),
        Some("2026-03-05T00:00:00Z")
    );
}

#[test]
fn last_weekday_of_a_kind() {
    // Last Friday: 30 January and 27 February 2026.
    assert_eq!(
        next_n("cron(0 0 ? * 6L *)", "2026-01-01T00:00:00Z", None, 2),
        ["2026-01-30T00:00:00Z", "2026-02-27T00:00:00Z"]
    );
    // Last Sunday of March 2026: the 29th.
    assert_eq!(
        next("cron(0 1 ? 3 1L *)", "2026-01-01T00:00:00Z", None).as_deref(),
        Some("2026-03-29T01:00:00Z")
    );
    // A bare L is Saturday: Saturday 3 January 2026.
    assert_eq!(
        next("cron(0 0 ? * L *)", "2026-01-01T00:00:00Z", None).as_deref(),
        Some("2026-01-03T00:00:00Z")
    );
}

#[test]
fn nth_weekday_of_the_month() {
    // Third Friday: 16 January and 20 February 2026.
    assert_eq!(
        next_n("cron(0 0 ? * 6#3 *)", "2026-01-01T00:00:00Z", None, 2),
        ["2026-01-16T00:00:00Z", "2026-02-20T00:00:00Z"]
    );
    // EventBridge's example 3#2, the second Tuesday: 13 January 2026.
    assert_eq!(
        next("cron(0 0 ? * 3#2 *)", "2026-01-01T00:00:00Z", None).as_deref(),
        Some("2026-01-13T00:00:00Z")
    );
}

#[test]
fn fifth_weekday_skips_months_without_one() {
    // Fifth Monday: none in January, February, April or May 2026; 30 March and 29 June.
    assert_eq!(
        next_n("cron(0 0 ? * 2#5 *)", "2026-01-01T00:00:00Z", None, 2),
        ["2026-03-30T00:00:00Z", "2026-06-29T00:00:00Z"]
    );
}

// ---- time zones and daylight saving time ----

#[test]
fn cron_is_read_in_the_time_zone() {
    let new_york = Some(America::New_York);
    // 08:00 EST is 13:00 UTC; 08:00 EDT is 12:00 UTC.
    assert_eq!(
        next("cron(0 8 * * ? *)", "2026-01-10T00:00:00Z", new_york).as_deref(),
        Some("2026-01-10T13:00:00Z")
    );
    assert_eq!(
        next("cron(0 8 * * ? *)", "2026-07-10T00:00:00Z", new_york).as_deref(),
        Some("2026-07-10T12:00:00Z")
    );
    // The last day of January in Tokyo starts at 15:00 UTC the day before.
    assert_eq!(
        next(
            "cron(0 0 L * ? *)",
            "2026-01-01T00:00:00Z",
            Some(Asia::Tokyo)
        )
        .as_deref(),
        Some("2026-01-30T15:00:00Z")
    );
    // The weekday is the local one: Monday 00:30 in Berlin is Sunday 23:30 UTC.
    assert_eq!(
        next(
            "cron(30 0 ? * MON *)",
            "2026-01-01T00:00:00Z",
            Some(Europe::Berlin)
        )
        .as_deref(),
        Some("2026-01-04T23:30:00Z")
    );
}

#[test]
fn a_time_skipped_by_the_clocks_going_forward_does_not_fire() {
    // 02:30 does not exist in New York on 8 March 2026: 7 March at 02:30 EST, then
    // 9 March at 02:30 EDT.
    assert_eq!(
        next_n(
            "cron(30 2 * * ? *)",
            "2026-03-06T12:00:00Z",
            Some(America::New_York),
            3
        ),
        [
            "2026-03-07T07:30:00Z",
            "2026-03-09T06:30:00Z",
            "2026-03-10T06:30:00Z"
        ]
    );
    // Berlin, 29 March 2026: 02:30 is skipped; 30 March 02:30 CEST is 00:30 UTC.
    assert_eq!(
        next_n(
            "cron(30 2 * * ? *)",
            "2026-03-28T12:00:00Z",
            Some(Europe::Berlin),
            2
        ),
        ["2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"]
    );
}

#[test]
fn a_frequent_schedule_runs_on_through_the_gap() {
    // Every half hour in New York: 01:30 EST (06:30 UTC), then 02:00 and 02:30 do not
    // exist, then 03:00 EDT (07:00 UTC): no gap in UTC.
    assert_eq!(
        next_n(
            "cron(0/30 * * * ? *)",
            "2026-03-08T06:00:00Z",
            Some(America::New_York),
            3
        ),
        [
            "2026-03-08T06:30:00Z",
            "2026-03-08T07:00:00Z",
            "2026-03-08T07:30:00Z"
        ]
    );
}

#[test]
fn a_time_repeated_by_the_clocks_going_back_fires_once() {
    // 01:30 happens twice in New York on 1 November 2026 (05:30 UTC as EDT, 06:30 UTC as
    // EST): it fires at the first, then the next day at 01:30 EST.
    assert_eq!(
        next_n(
            "cron(30 1 * * ? *)",
            "2026-11-01T04:00:00Z",
            Some(America::New_York),
            2
        ),
        ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"]
    );
    // Berlin, 25 October 2026: 02:30 CEST (00:30 UTC) fires, 02:30 CET (01:30 UTC) does not.
    assert_eq!(
        next_n(
            "cron(30 2 * * ? *)",
            "2026-10-24T12:00:00Z",
            Some(Europe::Berlin),
            2
        ),
        ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"]
    );
}

#[test]
fn a_frequent_schedule_does_not_repeat_the_repeated_hour() {
    // Every half hour: 01:00 and 01:30 EDT fire; the same wall-clock times in EST do not;
    // 02:00 EST (07:00 UTC) is next.
    assert_eq!(
        next_n(
            "cron(0/30 * * * ? *)",
            "2026-11-01T04:45:00Z",
            Some(America::New_York),
            3
        ),
        [
            "2026-11-01T05:00:00Z",
            "2026-11-01T05:30:00Z",
            "2026-11-01T07:00:00Z"
        ]
    );
    // Asked from inside the repeated hour (01:10 EST, 06:10 UTC): 01:20 and 01:40 were
    // already fired as EDT, so 02:00 EST is next.
    assert_eq!(
        next(
            "cron(0/20 * * * ? *)",
            "2026-11-01T06:10:00Z",
            Some(America::New_York)
        )
        .as_deref(),
        Some("2026-11-01T07:00:00Z")
    );
}

// ---- rate and Schedule ----

#[test]
fn rate_keeps_to_the_grid_of_its_start() {
    let every_5_minutes = Schedule::new(
        ScheduleExpression::parse("rate(5 minutes)").unwrap(),
        None,
        at("2026-01-01T00:00:00Z"),
    );
    // Before the start: the start itself, when a rate schedule fires first.
    assert_eq!(
        every_5_minutes
            .next_after(at("2025-12-31T23:00:00Z"))
            .map(format)
            .as_deref(),
        Some("2026-01-01T00:00:00Z")
    );
    assert_eq!(
        every_5_minutes
            .next_after(at("2026-01-01T00:00:00Z"))
            .map(format)
            .as_deref(),
        Some("2026-01-01T00:05:00Z")
    );
    assert_eq!(
        every_5_minutes
            .next_after(at("2026-01-01T00:07:00Z"))
            .map(format)
            .as_deref(),
        Some("2026-01-01T00:10:00Z")
    );
    assert_eq!(
        every_5_minutes
            .next_after(at("2026-01-01T00:09:59.900Z"))
            .map(format)
            .as_deref(),
        Some("2026-01-01T00:10:00Z")
    );
    assert_eq!(
        every_5_minutes
            .next_after(at("2026-01-01T00:10:00Z"))
            .map(format)
            .as_deref(),
        Some("2026-01-01T00:15:00Z")
    );
    let from_before_start: Vec<String> = every_5_minutes
        .fire_times_after(at("2025-12-31T00:00:00Z"))
        .take(3)
        .map(format)
        .collect();
    assert_eq!(
        from_before_start,
        [
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:05:00Z",
            "2026-01-01T00:10:00Z"
        ]
    );
}

#[test]
fn rate_of_days_is_24_hours_across_daylight_saving_time() {
    // New York's 8 March 2026 has 23 hours; the rate still adds 24.
    let daily = Schedule::new(
        ScheduleExpression::parse("rate(1 day)").unwrap(),
        Some(America::New_York),
        at("2026-03-07T12:00:00Z"),
    );
    let times: Vec<String> = daily
        .fire_times_after(at("2026-03-07T12:00:00Z"))
        .take(2)
        .map(format)
        .collect();
    assert_eq!(times, ["2026-03-08T12:00:00Z", "2026-03-09T12:00:00Z"]);
}

#[test]
fn rate_expression_alone_counts_from_the_last_fire() {
    assert_eq!(
        next("rate(2 hours)", "2026-01-01T10:17:00Z", None).as_deref(),
        Some("2026-01-01T12:17:00Z")
    );
    assert_eq!(
        next("rate(3 days)", "2026-02-27T00:00:00Z", Some(Europe::Berlin)).as_deref(),
        Some("2026-03-02T00:00:00Z")
    );
}

#[test]
fn cron_schedule_fires_from_its_start() {
    let daily_at_10 = Schedule::new(
        ScheduleExpression::parse("cron(0 10 * * ? *)").unwrap(),
        None,
        at("2026-01-05T10:00:00Z"),
    );
    // A fire time exactly at the start counts; none before it.
    assert_eq!(
        daily_at_10
            .next_after(at("2026-01-01T00:00:00Z"))
            .map(format)
            .as_deref(),
        Some("2026-01-05T10:00:00Z")
    );
    assert_eq!(
        daily_at_10
            .next_after(at("2026-01-05T10:00:00Z"))
            .map(format)
            .as_deref(),
        Some("2026-01-06T10:00:00Z")
    );
    assert_eq!(daily_at_10.time_zone(), None);
    assert_eq!(daily_at_10.start(), at("2026-01-05T10:00:00Z"));
}
