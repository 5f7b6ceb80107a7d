//! What an import did, and everything it could not carry over: the list the CLI prints
//! (or writes as JSON) and the console shows.

use serde::{Deserialize, Serialize};

/// One thing of the template that is not in the workspace, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotCarriedOver {
    /// The resource's logical id (or a section: `Globals`, `Outputs`).
    pub resource: String,
    /// The property's path inside it (`Events.Stream`, `Properties.Tracing`); empty for
    /// the whole resource.
    pub property: String,
    pub reason: String,
}

/// A function of the template and where it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedFunction {
    pub logical_id: String,
    /// The function's folder name (in `functions/`, or in `not-runnable/`).
    pub name: String,
    /// Lambda's runtime as the template says it.
    pub lambda_runtime: String,
    /// The lambdesk runtime, or `None` where the function does not run here.
    pub runtime: Option<String>,
    /// Where a function that does not run here went, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_runnable: Option<String>,
}

/// Where an import leaves its report in the workspace, for the console to show the
/// next time it opens the workspace (an import from the command line too).
pub const REPORT_FILE: &str = "sam-import-report.json";
/// The report once the console has shown it.
pub const SEEN_REPORT_FILE: &str = "sam-import-report.seen.json";

/// The result of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub workspace: String,
    pub functions: Vec<ImportedFunction>,
    pub buckets: Vec<String>,
    pub queues: Vec<String>,
    pub topics: Vec<String>,
    pub not_carried_over: Vec<NotCarriedOver>,
}

impl ImportReport {
    pub(super) fn skip(&mut self, resource: &str, property: &str, reason: impl Into<String>) {
        self.not_carried_over.push(NotCarriedOver {
            resource: resource.to_owned(),
            property: property.to_owned(),
            reason: reason.into(),
        });
    }

    /// The report as lines of text, as `lambdesk import` prints it.
    pub fn text(&self) -> String {
        let mut out = format!("imported into {}\n", self.workspace);
        for function in &self.functions {
            match (&function.runtime, &function.not_runnable) {
                (Some(runtime), _) => out.push_str(&format!(
                    "  function {} ({} → {runtime})\n",
                    function.name, function.lambda_runtime
                )),
                (None, reason) => out.push_str(&format!(
                    "  function {} ({}): NOT RUNNABLE: {}\n",
                    function.name,
                    function.lambda_runtime,
                    reason.as_deref().unwrap_or("")
                )),
            }
        }
        for (kind, names) in [
            ("bucket", &self.buckets),
            ("queue", &self.queues),
            ("topic", &self.topics),
        ] {
            for name in names {
                out.push_str(&format!("  {kind} {name}\n"));
            }
        }
        if self.not_carried_over.is_empty() {
            out.push_str("everything was carried over\n");
        } else {
            out.push_str(&format!(
                "not carried over ({}):\n",
                self.not_carried_over.len()
            ));
            for item in &self.not_carried_over {
                let at = if item.property.is_empty() {
                    item.resource.clone()
                } else {
                    format!("{}.{}", item.resource, item.property)
                };
                out.push_str(&format!("  {at}: {}\n", item.reason));
            }
        }
        out
    }
}
