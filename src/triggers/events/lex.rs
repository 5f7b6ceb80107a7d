//! Amazon Lex (V1) code hooks: the bot asks the function to validate slots
//! (`DialogCodeHook`) or fulfil the intent (`FulfillmentCodeHook`).
//!
//! Shape: `tests/fixtures/aws-events/sam-lex-order-flowers.json`, plus the user's words
//! (`inputTranscript`), which Lex sends with every hook and SAM's sample leaves out.

use serde_json::{Value, json};

use super::{EventOverrides, random_hex};

/// The OrderFlowers sample bot validating the slots of its intent; `--body` is what the
/// user said.
pub fn dialog_code_hook(overrides: &EventOverrides) -> Value {
    let transcript = overrides
        .body
        .as_deref()
        .unwrap_or("I would like to pick up lilies at 10:00 on 2030-11-08");
    json!({
        "messageVersion": "1.0",
        "invocationSource": "DialogCodeHook",
        "userId": random_hex(26),
        "sessionAttributes": {},
        "bot": {
            "name": "OrderFlowers",
            "alias": "$LATEST",
            "version": "$LATEST"
        },
        "outputDialogMode": "Text",
        "currentIntent": {
            "name": "OrderFlowers",
            "slots": {
                "FlowerType": "lilies",
                "PickupDate": "2030-11-08",
                "PickupTime": "10:00"
            },
            "confirmationStatus": "None"
        },
        "inputTranscript": transcript
    })
}
