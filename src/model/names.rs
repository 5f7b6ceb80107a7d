/// Lambda's rule for function names: 1–64 characters of letters, digits, `-` and `_`.
pub fn validate_function_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a function name cannot be empty".to_owned());
    }
    if name.len() > 64 {
        return Err(format!(
            "a function name has at most 64 characters; `{name}` has {}",
            name.chars().count()
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "`{name}` contains `{bad}`; a function name may hold only letters, digits, `-` and `_`"
        ));
    }
    Ok(())
}

/// S3's rule for bucket names (the part that matters for a local folder): 3–63 characters
/// of lower-case letters, digits, `.` and `-`, starting and ending with a letter or digit.
pub fn validate_bucket_name(name: &str) -> Result<(), String> {
    let length_ok = (3..=63).contains(&name.len());
    let chars_ok = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
    let ends_ok = name
        .chars()
        .next()
        .zip(name.chars().last())
        .is_some_and(|(first, last)| first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric());
    if length_ok && chars_ok && ends_ok && !name.contains("..") {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a valid bucket name: use 3–63 lower-case letters, digits, `.` and `-`, starting and ending with a letter or digit"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_follow_lambdas_rule() {
        assert!(validate_function_name("echo").is_ok());
        assert!(validate_function_name("My_func-2").is_ok());
        assert!(validate_function_name(&"a".repeat(64)).is_ok());
        assert!(validate_function_name(&"a".repeat(65)).is_err());
        assert!(validate_function_name("").is_err());
        assert!(validate_function_name("has space").is_err());
        assert!(validate_function_name("dots.not.allowed").is_err());
        assert!(validate_function_name("../escape").is_err());
    }

    #[test]
    fn bucket_names_follow_s3s_rule() {
        assert!(validate_bucket_name("photos").is_ok());
        assert!(validate_bucket_name("my.bucket-1").is_ok());
        assert!(validate_bucket_name("ab").is_err());
        assert!(validate_bucket_name("Photos").is_err());
        assert!(validate_bucket_name("-photos").is_err());
        assert!(validate_bucket_name("a..b").is_err());
    }
}
