//! Cognito user pool Lambda triggers: sign-up, confirmation, authentication, token
//! generation and custom messages.
//!
//! Every trigger shares Cognito's common parameters (`version`, `triggerSource`,
//! `region`, `userPoolId`, `userName`, `callerContext`, `request`, `response`); `request`
//! and `response` hold the trigger's own fields, the response's set to what Cognito
//! sends before the function fills them in. Shape:
//! `tests/fixtures/aws-events/cognito-user-pool-pre-signup.json`.

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{EventOverrides, random_hex, region_of};

/// The user pool triggers lambdesk generates, with their `triggerSource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserPoolTrigger {
    /// Pre sign-up, for a user signing up (`PreSignUp_SignUp`).
    PreSignUp,
    /// Post confirmation, after a user confirmed their sign-up
    /// (`PostConfirmation_ConfirmSignUp`).
    PostConfirmation,
    /// Pre authentication (`PreAuthentication_Authentication`).
    PreAuthentication,
    /// Post authentication (`PostAuthentication_Authentication`).
    PostAuthentication,
    /// Pre token generation, on a sign-in (`TokenGeneration_Authentication`).
    PreTokenGeneration,
    /// Custom message, for the sign-up confirmation code (`CustomMessage_SignUp`).
    CustomMessage,
}

impl UserPoolTrigger {
    /// `triggerSource` as Cognito writes it.
    pub fn trigger_source(self) -> &'static str {
        match self {
            UserPoolTrigger::PreSignUp => "PreSignUp_SignUp",
            UserPoolTrigger::PostConfirmation => "PostConfirmation_ConfirmSignUp",
            UserPoolTrigger::PreAuthentication => "PreAuthentication_Authentication",
            UserPoolTrigger::PostAuthentication => "PostAuthentication_Authentication",
            UserPoolTrigger::PreTokenGeneration => "TokenGeneration_Authentication",
            UserPoolTrigger::CustomMessage => "CustomMessage_SignUp",
        }
    }
}

/// Email address of the generated user.
pub const DEFAULT_EMAIL: &str = "user@example.com";

/// The `trigger` event for a user `user@example.com` of a fresh user pool.
pub fn trigger_event(trigger: UserPoolTrigger, overrides: &EventOverrides) -> Value {
    let region = region_of(overrides);
    let sub = Uuid::new_v4().to_string();
    // Before confirmation a user is UNCONFIRMED; Cognito adds `sub` and the status to
    // the attributes the user gave from the post-confirmation trigger on.
    let user_attributes = if trigger == UserPoolTrigger::PreSignUp {
        json!({ "email": DEFAULT_EMAIL })
    } else {
        let status = if trigger == UserPoolTrigger::CustomMessage {
            "UNCONFIRMED"
        } else {
            "CONFIRMED"
        };
        json!({
            "sub": sub,
            "email_verified": "true",
            "cognito:user_status": status,
            "email": DEFAULT_EMAIL
        })
    };
    let mut request = Map::new();
    request.insert("userAttributes".to_owned(), user_attributes);
    let response = match trigger {
        UserPoolTrigger::PreSignUp => {
            request.insert("validationData".to_owned(), Value::Null);
            json!({
                "autoConfirmUser": false,
                "autoVerifyEmail": false,
                "autoVerifyPhone": false
            })
        }
        UserPoolTrigger::PostConfirmation => json!({}),
        UserPoolTrigger::PreAuthentication => {
            request.insert("validationData".to_owned(), Value::Null);
            json!({})
        }
        UserPoolTrigger::PostAuthentication => {
            request.insert("newDeviceUsed".to_owned(), Value::from(false));
            json!({})
        }
        UserPoolTrigger::PreTokenGeneration => {
            request.insert(
                "groupConfiguration".to_owned(),
                json!({
                    "groupsToOverride": [],
                    "iamRolesToOverride": [],
                    "preferredRole": null
                }),
            );
            json!({ "claimsOverrideDetails": null })
        }
        UserPoolTrigger::CustomMessage => {
            request.insert("codeParameter".to_owned(), Value::from("{####}"));
            request.insert("linkParameter".to_owned(), Value::from("{##Click Here##}"));
            request.insert("usernameParameter".to_owned(), Value::Null);
            json!({
                "smsMessage": null,
                "emailMessage": null,
                "emailSubject": null
            })
        }
    };
    json!({
        "version": "1",
        "triggerSource": trigger.trigger_source(),
        "region": region,
        "userPoolId": format!("{region}_{}", random_pool_suffix()),
        "userName": sub,
        "callerContext": {
            "awsSdkVersion": "aws-sdk-unknown-unknown",
            "clientId": random_hex(26)
        },
        "request": Value::Object(request),
        "response": response
    })
}

/// The 9 letters and digits after the region in a user pool id (`us-east-1_aB3dE5fG7`).
fn random_pool_suffix() -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    super::random_bytes(9)
        .into_iter()
        .map(|byte| char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]))
        .collect()
}
