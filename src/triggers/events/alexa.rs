//! Alexa Skills Kit requests: a user spoke an intent of the skill.
//!
//! Shape: `tests/fixtures/aws-events/sam-alexa-skills-kit-intent-recipe.json`. Ids are
//! fresh `amzn1.…` identifiers; `timestamp` is ISO 8601 in whole seconds, as Alexa
//! writes it.

use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{EventOverrides, random_hex};

/// An `IntentRequest` for `RecipeIntent` (slot `Item` = `snowball`) in an open session,
/// now; `--body` sets the slot's value.
pub fn intent_request(overrides: &EventOverrides) -> Value {
    let application_id = format!("amzn1.ask.skill.{}", Uuid::new_v4());
    let user_id = format!("amzn1.ask.account.{}", random_hex(64).to_ascii_uppercase());
    let item = overrides.body.as_deref().unwrap_or("snowball");
    json!({
        "version": "1.0",
        "session": {
            "new": false,
            "sessionId": format!("amzn1.echo-api.session.{}", Uuid::new_v4()),
            "application": { "applicationId": application_id },
            "attributes": {},
            "user": { "userId": user_id }
        },
        "context": {
            "AudioPlayer": { "playerActivity": "IDLE" },
            "System": {
                "application": { "applicationId": application_id },
                "user": { "userId": user_id },
                "device": { "supportedInterfaces": { "AudioPlayer": {} } }
            }
        },
        "request": {
            "type": "IntentRequest",
            "requestId": format!("amzn1.echo-api.request.{}", Uuid::new_v4()),
            "timestamp": Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
            "locale": "en-US",
            "intent": {
                "name": "RecipeIntent",
                "slots": { "Item": { "name": "Item", "value": item } }
            }
        }
    })
}
