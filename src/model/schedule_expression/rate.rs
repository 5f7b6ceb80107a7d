//! `rate(value unit)`: a fixed interval. EventBridge counts it from the moment the schedule
//! starts (its creation, or EventBridge Scheduler's `StartDate`, when it fires first), and a
//! day is 24 hours whatever the time zone's daylight saving time does (the fire times are
//! worked out in `triggers::schedule`).

use super::error::ScheduleError;

/// The unit of a rate expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateUnit {
    Minutes,
    Hours,
    Days,
}

impl RateUnit {
    fn secs(self) -> i64 {
        match self {
            Self::Minutes => 60,
            Self::Hours => 60 * 60,
            Self::Days => 24 * 60 * 60,
        }
    }

    fn singular(self) -> &'static str {
        match self {
            Self::Minutes => "minute",
            Self::Hours => "hour",
            Self::Days => "day",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Self::Minutes => "minutes",
            Self::Hours => "hours",
            Self::Days => "days",
        }
    }
}

/// A parsed `rate(…)` expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateExpression {
    value: u32,
    unit: RateUnit,
}

impl RateExpression {
    /// Parses what is inside `rate(…)`: a positive whole number and a unit, singular when the
    /// number is 1 and plural otherwise (EventBridge refuses `rate(1 hours)` and `rate(5 hour)`).
    pub(crate) fn parse(inner: &str) -> Result<Self, ScheduleError> {
        let mut parts = inner.split_whitespace();
        let (Some(value_text), Some(unit_text), None) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(ScheduleError::RateShape {
                inner: inner.to_owned(),
            });
        };
        let value = Some(value_text)
            .filter(|text| text.bytes().all(|byte| byte.is_ascii_digit()))
            .and_then(|text| text.parse::<u32>().ok())
            .filter(|value| *value > 0)
            .ok_or_else(|| ScheduleError::RateValue {
                token: value_text.to_owned(),
            })?;
        let (unit, plural) = match unit_text {
            "minute" => (RateUnit::Minutes, false),
            "minutes" => (RateUnit::Minutes, true),
            "hour" => (RateUnit::Hours, false),
            "hours" => (RateUnit::Hours, true),
            "day" => (RateUnit::Days, false),
            "days" => (RateUnit::Days, true),
            _ => {
                return Err(ScheduleError::RateUnit {
                    token: unit_text.to_owned(),
                });
            }
        };
        if value == 1 && plural {
            return Err(ScheduleError::RateUnitNotSingular {
                token: unit_text.to_owned(),
                singular: unit.singular(),
            });
        }
        if value > 1 && !plural {
            return Err(ScheduleError::RateUnitNotPlural {
                value,
                token: unit_text.to_owned(),
                plural: unit.plural(),
            });
        }
        Ok(Self { value, unit })
    }

    pub fn value(&self) -> u32 {
        self.value
    }

    pub fn unit(&self) -> RateUnit {
        self.unit
    }

    /// The interval between two fire times, in seconds.
    pub fn period_secs(&self) -> i64 {
        i64::from(self.value) * self.unit.secs()
    }
}
