//! Which lambdesk runtime runs a Lambda runtime: one table, extended as lambdesk gains
//! runtimes.

use crate::model::Runtime;

/// Lambda runtime identifiers by prefix, and the lambdesk runtime that runs them (`None`:
/// none yet; the function is imported with its code, marked not runnable).
const RUNTIMES: &[(&str, Option<Runtime>)] = &[
    ("nodejs", Some(Runtime::Js)),
    ("python3", Some(Runtime::Python)),
    ("ruby3", Some(Runtime::Ruby)),
    ("java", Some(Runtime::Java)),
    ("provided", Some(Runtime::Provided)),
    ("go1.x", None),
    ("dotnet", None),
];

/// How an imported function runs here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeMapping {
    Runs(Runtime),
    /// Imported with its code but not loaded by the workspace, for this reason.
    NotRunnable(String),
}

/// The lambdesk runtime for Lambda's `runtime` (`nodejs20.x`, `python3.12` …).
pub fn map_runtime(runtime: &str) -> RuntimeMapping {
    match RUNTIMES
        .iter()
        .find(|(prefix, _)| runtime.starts_with(prefix))
    {
        Some((_, Some(lambdesk))) => RuntimeMapping::Runs(*lambdesk),
        Some((_, None)) => {
            RuntimeMapping::NotRunnable(format!("lambdesk has no `{runtime}` runtime yet"))
        }
        None => RuntimeMapping::NotRunnable(format!(
            "`{runtime}` is not a Lambda runtime lambdesk knows"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_python_ruby_java_and_provided_run_the_others_are_kept() {
        assert_eq!(map_runtime("nodejs20.x"), RuntimeMapping::Runs(Runtime::Js));
        assert_eq!(
            map_runtime("python3.12"),
            RuntimeMapping::Runs(Runtime::Python)
        );
        assert_eq!(map_runtime("ruby3.3"), RuntimeMapping::Runs(Runtime::Ruby));
        assert_eq!(map_runtime("java21"), RuntimeMapping::Runs(Runtime::Java));
        assert_eq!(
            map_runtime("provided.al2023"),
            RuntimeMapping::Runs(Runtime::Provided)
        );
        for kept in ["go1.x", "dotnet8"] {
            let RuntimeMapping::NotRunnable(reason) = map_runtime(kept) else {
                panic!("{kept} runs");
            };
            assert!(reason.contains("no `"), "{reason}");
        }
        assert!(matches!(
            map_runtime("cobol"),
            RuntimeMapping::NotRunnable(_)
        ));
    }
}
