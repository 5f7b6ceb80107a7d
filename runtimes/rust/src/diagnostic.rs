use std::fmt::Display;

/// Lambda's error JSON, `{"errorType": …, "errorMessage": …}`: what a failed invocation
/// answers (`lambda_runtime::Diagnostic`).
///
/// Any error that implements `Display` converts into one, its type name as `errorType`
/// (as `lambda_runtime` does: a boxed [`crate::Error`] reads
/// `alloc::boxed::Box<dyn core::error::Error + …>`); build one yourself for a type of your
/// choosing, e.g. `Diagnostic::new("ValidationError", "name is missing")`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    pub error_type: String,
    pub error_message: String,
}

impl Diagnostic {
    pub fn new(error_type: impl Into<String>, error_message: impl Into<String>) -> Self {
        Self {
            error_type: error_type.into(),
            error_message: error_message.into(),
        }
    }

    /// The JSON lambdesk reads; serialising two strings cannot fail.
    pub(crate) fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

// `Diagnostic` itself is not `Display`, so this does not overlap `From<T> for T`.
impl<T: Display> From<T> for Diagnostic {
    fn from(error: T) -> Self {
        Self::new(std::any::type_name::<T>(), error.to_string())
    }
}
