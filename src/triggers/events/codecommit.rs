//! CodeCommit repository triggers: a push to a branch.
//!
//! Shape: `tests/fixtures/aws-events/sam-codecommit-repository.json`. A real push is
//! `ReferenceChanges` (SAM's sample is the console's `TriggerEventTest`), with the
//! pushed commit and the branch's ref; `eventTime` has milliseconds and a `+0000` offset.

use chrono::Utc;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{EventOverrides, account_of, random_hex, region_of};

/// Repository of the generated push.
pub const DEFAULT_REPOSITORY: &str = "my-repo";

/// A push of one commit to `refs/heads/main` of `my-repo`, now.
pub fn repository_push(overrides: &EventOverrides) -> Value {
    let region = region_of(overrides);
    let account = account_of(overrides);
    json!({
        "Records": [{
            "awsRegion": region,
            "codecommit": {
                "references": [{
                    "commit": random_hex(40),
                    "ref": "refs/heads/main"
                }]
            },
            "customData": "this is custom data",
            "eventId": Uuid::new_v4().to_string(),
            "eventName": "ReferenceChanges",
            "eventPartNumber": 1,
            "eventSource": "aws:codecommit",
            "eventSourceARN": format!("arn:aws:codecommit:{region}:{account}:{DEFAULT_REPOSITORY}"),
            "eventTime": Utc::now().format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string(),
            "eventTotalParts": 1,
            "eventTriggerConfigId": Uuid::new_v4().to_string(),
            "eventTriggerName": "my-trigger",
            "eventVersion": "1.0",
            "userIdentityARN": format!("arn:aws:iam::{account}:user/developer")
        }]
    })
}
