//! `lambdesk schedule next`, run as the real binary.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

use std::process::{Command, Output, Stdio};

fn lambdesk(args: &[&str]) -> Output {
    let cache = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .args(args)
        .env("LAMBDESK_CACHE_DIR", cache.path())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn prints_the_next_fire_times_in_utc() {
    // 1 January 2026 is a Thursday: Thursday, Friday, then Monday at 08:00.
    let output = lambdesk(&[
        "schedule",
        "next",
        "cron(0 8 ? * MON-FRI *)",
        "--count",
        "3",
        "--after",
        "2026-01-01T00:00:00Z",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "2026-01-01T08:00:00Z\n2026-01-02T08:00:00Z\n2026-01-05T08:00:00Z\n"
    );
}

#[test]
fn prints_local_times_with_a_time_zone_and_skips_the_dst_gap() {
    // 02:30 does not exist in New York on 8 March 2026.
    let output = lambdesk(&[
        "schedule",
        "next",
        "cron(30 2 * * ? *)",
        "--count",
        "3",
        "--timezone",
        "America/New_York",
        "--after",
        "2026-03-06T12:00:00Z",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "2026-03-07T07:30:00Z\t2026-03-07T02:30:00-05:00 EST\n\
         2026-03-09T06:30:00Z\t2026-03-09T02:30:00-04:00 EDT\n\
         2026-03-10T06:30:00Z\t2026-03-10T02:30:00-04:00 EDT\n"
    );
}

#[test]
fn rate_counts_from_after_with_five_by_default() {
    let output = lambdesk(&[
        "schedule",
        "next",
        "rate(15 minutes)",
        "--after",
        "2026-01-01T00:00:00+01:00",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "2025-12-31T23:15:00Z\n2025-12-31T23:30:00Z\n2025-12-31T23:45:00Z\n\
         2026-01-01T00:00:00Z\n2026-01-01T00:15:00Z\n"
    );
}

#[test]
fn both_day_fields_specified_is_bad_input() {
    let output = lambdesk(&["schedule", "next", "cron(0 8 * * * *)"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).is_empty());
    assert_eq!(
        stderr(&output),
        "lambdesk: day-of-month and day-of-week cannot both be specified; use ? in one of them\n"
    );
}

#[test]
fn bad_field_and_unknown_time_zone_are_bad_input() {
    let output = lambdesk(&["schedule", "next", "cron(61 * * * ? *)"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "lambdesk: minutes: 61 is out of range 0-59\n"
    );

    let output = lambdesk(&[
        "schedule",
        "next",
        "rate(1 hour)",
        "--timezone",
        "Mars/Olympus_Mons",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unknown time zone \"Mars/Olympus_Mons\""),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_expression_past_its_last_year_prints_nothing_and_says_so() {
    let output = lambdesk(&[
        "schedule",
        "next",
        "cron(0 0 1 1 ? 2020)",
        "--after",
        "2026-01-01T00:00:00Z",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    assert!(
        stderr(&output).contains("has no more fire times"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    // `lambdesk schedule next … | head -1`: far more output than a pipe holds, and the
    // reader goes away after the first bytes.
    let mut child = Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .args(["schedule", "next", "rate(1 minute)", "--count", "10000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0_u8; 16];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(!errors.contains("panicked"), "{errors}");
    assert!(output.status.success(), "{:?}: {errors}", output.status);
}
