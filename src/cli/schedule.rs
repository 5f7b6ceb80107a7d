//! `lambdesk schedule next EXPR`: the next fire times of a rate() or cron() expression.

use std::process::ExitCode;

use chrono::{DateTime, SecondsFormat, SubsecRound as _, Utc};
use lambdesk::triggers::schedule::{Schedule, ScheduleExpression, parse_time_zone};

#[derive(Debug, clap::Subcommand)]
pub enum ScheduleCommand {
    /// Print the next fire times, one a line: RFC 3339 in UTC, then the local time when
    /// --timezone is given.
    Next(NextArgs),
}

#[derive(Debug, clap::Args)]
pub struct NextArgs {
    /// An EventBridge schedule expression: "rate(5 minutes)" or "cron(0 8 ? * MON-FRI *)".
    expression: String,
    /// How many fire times to print.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    count: u32,
    /// IANA time zone the cron fields are read in, e.g. Europe/Berlin (default UTC).
    #[arg(long, value_name = "ZONE")]
    timezone: Option<String>,
    /// Start from this time (RFC 3339, e.g. 2026-01-01T00:00:00Z) instead of now; a rate
    /// schedule is taken to start here.
    #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
    after: Option<DateTime<Utc>>,
}

fn parse_rfc3339(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|error| format!("{error}: expected RFC 3339 such as 2026-01-01T00:00:00Z"))
}

pub fn run(command: &ScheduleCommand) -> anyhow::Result<ExitCode> {
    match command {
        ScheduleCommand::Next(args) => next(args),
    }
}

fn next(args: &NextArgs) -> anyhow::Result<ExitCode> {
    let expression = ScheduleExpression::parse(&args.expression)?;
    let time_zone = args.timezone.as_deref().map(parse_time_zone).transpose()?;
    // Whole seconds, so that rate() fire times counted from now print without fractions.
    let after = args.after.unwrap_or_else(|| Utc::now().trunc_subsecs(0));
    let schedule = Schedule::new(expression, time_zone, after);
    let count = usize::try_from(args.count)?;
    let mut printed_count = 0;
    for fire_time in schedule.fire_times_after(after).take(count) {
        let utc = fire_time.to_rfc3339_opts(SecondsFormat::Secs, true);
        match time_zone {
            Some(zone) => {
                let local = fire_time.with_timezone(&zone);
                let local_text = local.to_rfc3339_opts(SecondsFormat::Secs, false);
                outln!("{utc}\t{local_text} {}", local.format("%Z"));
            }
            None => outln!("{utc}"),
        }
        printed_count += 1;
    }
    if printed_count < count {
        eprintln!(
            "lambdesk: {} has no more fire times (cron years end at 2199)",
            args.expression.trim()
        );
    }
    Ok(ExitCode::SUCCESS)
}
