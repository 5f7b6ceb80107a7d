//! CloudFormation custom resource requests (Create, Update, Delete), as CloudFormation
//! sends them to the function behind a `Custom::` resource.
//!
//! Shape: `tests/fixtures/aws-events/sam-cloudformation-create-request.json` plus the
//! `ServiceToken` CloudFormation adds at the top and in `ResourceProperties` (the
//! function's ARN, which SAM's sample leaves out). An Update also carries the
//! `PhysicalResourceId` the Create answered and the `OldResourceProperties`; a Delete the
//! `PhysicalResourceId`.

use serde_json::{Value, json};
use uuid::Uuid;

use super::{EventOverrides, account_of, form_urlencode, random_hex, region_of};

/// Which lifecycle step of the custom resource the request is for (`RequestType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestType {
    /// The stack creates the resource.
    Create,
    /// The stack changed the resource's properties.
    Update,
    /// The stack deletes the resource (or replaces it after an Update).
    Delete,
}

impl RequestType {
    /// `RequestType` as CloudFormation writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestType::Create => "Create",
            RequestType::Update => "Update",
            RequestType::Delete => "Delete",
        }
    }
}

/// Stack of the generated requests.
pub const DEFAULT_STACK: &str = "MyStack";

/// Function the resource's `ServiceToken` names.
pub const DEFAULT_FUNCTION: &str = "custom-resource-handler";

/// A `request_type` request for the resource `MyTestResource` of stack `MyStack`, with
/// fresh ids; region and account from `overrides`.
pub fn custom_resource_request(request_type: RequestType, overrides: &EventOverrides) -> Value {
    let region = region_of(overrides);
    let account = account_of(overrides);
    let service_token = format!("arn:aws:lambda:{region}:{account}:function:{DEFAULT_FUNCTION}");
    let stack_id = format!(
        "arn:aws:cloudformation:{region}:{account}:stack/{DEFAULT_STACK}/{}",
        Uuid::new_v4()
    );
    let request_id = Uuid::new_v4().to_string();
    let logical_id = "MyTestResource";
    // CloudFormation's pre-signed URL names the stack, the resource and the request.
    let response_url = format!(
        "https://cloudformation-custom-resource-response-{}.s3.amazonaws.com/{}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=7200&X-Amz-SignedHeaders=host&X-Amz-Signature={}",
        region.replace('-', ""),
        form_urlencode(&format!("{stack_id}|{logical_id}|{request_id}"), b""),
        random_hex(64)
    );
    let properties = |list: [&str; 3]| {
        json!({
            "ServiceToken": service_token,
            "StackName": DEFAULT_STACK,
            "List": list
        })
    };
    let mut event = json!({
        "RequestType": request_type.as_str(),
        "ServiceToken": service_token,
        "ResponseURL": response_url,
        "StackId": stack_id,
        "RequestId": request_id,
        "ResourceType": "Custom::TestResource",
        "LogicalResourceId": logical_id,
        "ResourceProperties": properties(["1", "2", "3"])
    });
    if request_type != RequestType::Create {
        event["PhysicalResourceId"] = Value::from(format!(
            "{DEFAULT_STACK}-{logical_id}-{}",
            random_hex(12).to_ascii_uppercase()
        ));
    }
    if request_type == RequestType::Update {
        // The update changed the list's last item.
        event["ResourceProperties"] = properties(["1", "2", "4"]);
        event["OldResourceProperties"] = properties(["1", "2", "3"]);
    }
    event
}
