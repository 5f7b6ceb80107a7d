//! What can be wrong with a schedule expression. Each message names the part at fault (the
//! cron field, or `rate`) and the token as written, so one line tells the user what to fix.

use std::fmt;

/// The six fields of an EventBridge cron expression, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CronField {
    Minutes,
    Hours,
    DayOfMonth,
    Month,
    DayOfWeek,
    Year,
}

impl CronField {
    /// The fields in the order they are written.
    pub const ALL: [Self; 6] = [
        Self::Minutes,
        Self::Hours,
        Self::DayOfMonth,
        Self::Month,
        Self::DayOfWeek,
        Self::Year,
    ];

    /// The name used in error messages (EventBridge's own names, lower case).
    pub fn name(self) -> &'static str {
        match self {
            Self::Minutes => "minutes",
            Self::Hours => "hours",
            Self::DayOfMonth => "day-of-month",
            Self::Month => "month",
            Self::DayOfWeek => "day-of-week",
            Self::Year => "year",
        }
    }

    /// The smallest and largest value the field takes.
    pub fn range(self) -> (u32, u32) {
        match self {
            Self::Minutes => (0, 59),
            Self::Hours => (0, 23),
            Self::DayOfMonth => (1, 31),
            Self::Month => (1, 12),
            Self::DayOfWeek => (1, 7),
            Self::Year => (1970, 2199),
        }
    }

    /// The wildcards EventBridge allows in the field, as its reference lists them.
    pub fn wildcards(self) -> &'static str {
        match self {
            Self::Minutes | Self::Hours | Self::Month | Self::Year => ", - * /",
            Self::DayOfMonth => ", - * ? / L W",
            Self::DayOfWeek => ", - * ? L #",
        }
    }

    /// Whether `wildcard` (one of `, - * ? / L W #`) is allowed in the field.
    pub fn allows(self, wildcard: char) -> bool {
        wildcard != ' ' && self.wildcards().contains(wildcard)
    }

    /// What a value in the field looks like, for "expected …" hints.
    fn expected_values(self) -> &'static str {
        match self {
            Self::Minutes => "a number 0-59",
            Self::Hours => "a number 0-23",
            Self::DayOfMonth => "a day 1-31, L, LW or a day with W such as 15W",
            Self::Month => "1-12 or JAN-DEC",
            Self::DayOfWeek => {
                "1-7 or SUN-SAT (1 = SUN), L, a day with L such as 6L, or # such as 6#3"
            }
            Self::Year => "a year 1970-2199",
        }
    }
}

impl fmt::Display for CronField {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

const EXPECTED_FORMS: &str =
    "expected rate(value unit) or cron(minutes hours day-of-month month day-of-week year)";

/// A schedule expression (or time zone) that cannot be used, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("the schedule expression is empty: {EXPECTED_FORMS}")]
    Empty,

    #[error("{text:?} is not a schedule expression: {EXPECTED_FORMS}")]
    NotAnExpression { text: String },

    #[error("{text:?} is missing its closing parenthesis")]
    MissingClosingParenthesis { text: String },

    #[error("rate: expected a value and a unit such as rate(5 minutes), found rate({inner})")]
    RateShape { inner: String },

    #[error("rate: {token} is not a positive whole number")]
    RateValue { token: String },

    #[error("rate: {token} is not a unit: use minute(s), hour(s) or day(s)")]
    RateUnit { token: String },

    #[error(
        "rate: the unit must be singular when the value is 1: rate(1 {singular}), not rate(1 {token})"
    )]
    RateUnitNotSingular {
        token: String,
        singular: &'static str,
    },

    #[error(
        "rate: the unit must be plural when the value is more than 1: rate({value} {plural}), not rate({value} {token})"
    )]
    RateUnitNotPlural {
        value: u32,
        token: String,
        plural: &'static str,
    },

    #[error(
        "cron: expected 6 fields (minutes hours day-of-month month day-of-week year), found {found_count}"
    )]
    FieldCount { found_count: usize },

    #[error("{field}: {token} is out of range {min}-{max}")]
    OutOfRange {
        field: CronField,
        token: String,
        min: u32,
        max: u32,
    },

    #[error("{field}: {token} is not a valid value; expected {}", .field.expected_values())]
    InvalidValue { field: CronField, token: String },

    #[error("{field}: {token} uses {wildcard}, which this field does not allow (allowed: {})", .field.wildcards())]
    WildcardNotAllowed {
        field: CronField,
        token: String,
        wildcard: char,
    },

    #[error("{field}: the range {token} starts after it ends")]
    ReversedRange { field: CronField, token: String },

    #[error("{field}: the step in {token} must be at least 1")]
    ZeroStep { field: CronField, token: String },

    #[error("{field}: {token} must be the only value in the field, not part of a list")]
    NotAlone { field: CronField, token: String },

    #[error("{field}: empty value in {text:?}")]
    EmptyValue { field: CronField, text: String },

    #[error(
        "day-of-month: {token} is not supported: EventBridge documents L, LW and a day with W (such as 15W), not an offset from the last day"
    )]
    LastDayOffset { token: String },

    #[error("day-of-week: in {token}, the number after # must be 1-5")]
    OccurrenceOutOfRange { token: String },

    #[error("day-of-month and day-of-week cannot both be specified; use ? in one of them")]
    BothDaysSpecified,

    #[error("day-of-month and day-of-week cannot both be ?; give a value or * in one of them")]
    NeitherDaySpecified,

    #[error(
        "unknown time zone {name:?}: use an IANA name such as Europe/Berlin or America/New_York"
    )]
    UnknownTimeZone { name: String },
}
