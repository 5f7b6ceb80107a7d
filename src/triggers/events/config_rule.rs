//! AWS Config custom rule evaluations: a periodic rule's scheduled invocation.
//!
//! Shape: `tests/fixtures/aws-events/config-event.json` and
//! `sam-config-periodic-rule.json`. `invokingEvent` and `ruleParameters` are JSON
//! documents written as strings, as Config sends them; `resultToken` is what the function
//! passes back to `PutEvaluations`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use serde_json::{Value, json};

use super::{EventOverrides, account_of, iso8601_millis, random_bytes, random_hex, region_of};

/// Rule of the generated evaluation.
pub const DEFAULT_RULE: &str = "periodic-config-rule";

/// A `ScheduledNotification` evaluation of the periodic rule `periodic-config-rule`, now.
pub fn periodic_rule_evaluation(overrides: &EventOverrides) -> Value {
    let region = region_of(overrides);
    let account = account_of(overrides);
    let rule_id = format!("config-rule-{}", random_hex(6));
    let invoking_event = json!({
        "awsAccountId": account,
        "notificationCreationTime": iso8601_millis(Utc::now()),
        "messageType": "ScheduledNotification",
        "recordVersion": "1.0"
    });
    json!({
        "invokingEvent": invoking_event.to_string(),
        "ruleParameters": json!({"myParameterKey": "myParameterValue"}).to_string(),
        "resultToken": STANDARD.encode(random_bytes(48)),
        "eventLeftScope": false,
        "executionRoleArn": format!("arn:aws:iam::{account}:role/config-role"),
        "configRuleArn": format!("arn:aws:config:{region}:{account}:config-rule/{rule_id}"),
        "configRuleName": DEFAULT_RULE,
        "configRuleId": rule_id,
        "accountId": account,
        "version": "1.0"
    })
}
