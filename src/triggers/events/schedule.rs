//! EventBridge (CloudWatch Events) scheduled events.
//!
//! Shape: `tests/fixtures/aws-events/scheduled-event.json` (the `sam local
//! generate-event` template, which has no `version` field).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{DEFAULT_ACCOUNT, DEFAULT_REGION, EventOverrides, set_if};

/// Rule used when the user names none.
pub const DEFAULT_RULE: &str = "example-schedule";

/// One firing of a schedule rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledEvent {
    /// Event id (`id`): a UUID.
    pub id: String,
    /// Name of the rule that fired (in `resources`).
    pub rule: String,
    /// Region of the rule (`region`, and in the ARN).
    pub region: String,
    /// Account owning the rule (`account`, and in the ARN).
    pub account: String,
    /// Time the schedule fired (`time`, whole seconds).
    pub time: DateTime<Utc>,
}

impl ScheduledEvent {
    /// A firing of `rule` now.
    pub fn new(rule: impl Into<String>) -> Self {
        Self {
            id: Uuid::new_v4().to_string(),
            rule: rule.into(),
            region: DEFAULT_REGION.to_owned(),
            account: DEFAULT_ACCOUNT.to_owned(),
            time: Utc::now(),
        }
    }

    /// The generated `schedule` event: `example-schedule` firing now.
    pub fn sample() -> Self {
        Self::new(DEFAULT_RULE)
    }

    /// Applies region and account.
    pub fn with_overrides(mut self, overrides: &EventOverrides) -> Self {
        set_if(&mut self.region, overrides.region.as_deref());
        set_if(&mut self.account, overrides.account.as_deref());
        self
    }

    /// `arn:aws:events:<region>:<account>:rule/<rule>`.
    pub fn rule_arn(&self) -> String {
        format!(
            "arn:aws:events:{}:{}:rule/{}",
            self.region, self.account, self.rule
        )
    }

    /// The event as the function receives it.
    pub fn event(&self) -> Value {
        json!({
            "id": self.id,
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": self.account,
            "time": self.time.to_rfc3339_opts(SecondsFormat::Secs, true),
            "region": self.region,
            "resources": [self.rule_arn()],
            "detail": {}
        })
    }
}
