use crate::model::Function;

/// The environment a function sees: Lambda's own variables, then the function's
/// `[environment]`. Nothing comes from the host's environment.
pub fn lambda_variables(
    function: &Function,
    region: &str,
    log_stream: &str,
) -> Vec<(String, String)> {
    let name = &function.name;
    let mut variables = vec![
        ("AWS_LAMBDA_FUNCTION_NAME".to_owned(), name.clone()),
        (
            "AWS_LAMBDA_FUNCTION_VERSION".to_owned(),
            "$LATEST".to_owned(),
        ),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE".to_owned(),
            function.config.memory_mb.to_string(),
        ),
        ("AWS_REGION".to_owned(), region.to_owned()),
        ("AWS_DEFAULT_REGION".to_owned(), region.to_owned()),
        ("AWS_LAMBDA_LOG_GROUP_NAME".to_owned(), log_group_name(name)),
        (
            "AWS_LAMBDA_LOG_STREAM_NAME".to_owned(),
            log_stream.to_owned(),
        ),
        (
            "AWS_LAMBDA_INITIALIZATION_TYPE".to_owned(),
            "on-demand".to_owned(),
        ),
        ("_HANDLER".to_owned(), function.config.handler.clone()),
        ("TZ".to_owned(), ":UTC".to_owned()),
        ("LANG".to_owned(), "en_US.UTF-8".to_owned()),
    ];
    variables.extend(
        function
            .config
            .environment
            .iter()
            .map(|(key, value)| (key.clone(), value.clone())),
    );
    variables
}

/// CloudWatch Logs group of a function: `/aws/lambda/<name>`.
pub fn log_group_name(function_name: &str) -> String {
    format!("/aws/lambda/{function_name}")
}

/// A new log stream name in Lambda's form: `2026/11/26/[$LATEST]<32 hex digits>`.
pub fn new_log_stream_name() -> String {
    format!(
        "{}/[$LATEST]{}",
        chrono::Utc::now().format("%Y/%m/%d"),
        uuid::Uuid::new_v4().simple()
    )
}
