//! The Python virtualenvs `.ci/run` fills with AWS's own tools from PyPI, found as the
//! tests need them: a test without its tools says why on stderr and skips that part.

use std::path::PathBuf;
use std::process::Command;

/// boto3, the AWS CLI v1 and `awslambdaric` (`LAMBDESK_AWS_VENV`).
pub const AWS_VENV: Venv = Venv {
    variable: "LAMBDESK_AWS_VENV",
    default_dir: ".cache/lambdesk-aws-venv",
};

/// cfn-lint, aws-sam-translator and the SAM CLI (`LAMBDESK_SAM_VENV`).
pub const SAM_VENV: Venv = Venv {
    variable: "LAMBDESK_SAM_VENV",
    default_dir: ".cache/lambdesk-sam-venv",
};

pub struct Venv {
    /// The variable that names another venv.
    variable: &'static str,
    /// Where `.ci/run` puts it, under the home folder.
    default_dir: &'static str,
}

impl Venv {
    /// The venv when its Python imports `modules` and it has `programs` in `bin/`;
    /// otherwise `None`, having said on stderr what `test_name` skips and why.
    pub fn with(&self, test_name: &str, modules: &[&str], programs: &[&str]) -> Option<PathBuf> {
        let venv = std::env::var_os(self.variable).map_or_else(
            || dirs::home_dir().unwrap_or_default().join(self.default_dir),
            PathBuf::from,
        );
        let imports = modules.join(", ");
        let ready = Command::new(venv.join("bin/python"))
            .args(["-c", &format!("import {imports}")])
            .output()
            .is_ok_and(|output| output.status.success())
            && programs
                .iter()
                .all(|program| venv.join("bin").join(program).is_file());
        if !ready {
            eprintln!(
                "skipping {test_name}: no {} in {} (.ci/run installs them; set {} to another venv)",
                modules
                    .iter()
                    .chain(programs)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", "),
                venv.display(),
                self.variable
            );
        }
        ready.then_some(venv)
    }
}
