//! A function's ARN, the same wherever lambdesk gives it: the handler's
//! `invokedFunctionArn`, the Invoke API's `FunctionArn`, a destination record's
//! `functionArn`, an imported template's `!GetAtt Fn.Arn`.

/// The account of every function: local, not one of the user's (the Invoke API's
/// `000000000000`, as LocalStack and the Lambda Runtime Interface Emulator use).
pub const LOCAL_ACCOUNT_ID: &str = "000000000000";

/// `arn:aws:lambda:<region>:000000000000:function:<name>`.
pub fn function_arn(region: &str, function: &str) -> String {
    format!("arn:aws:lambda:{region}:{LOCAL_ACCOUNT_ID}:function:{function}")
}
