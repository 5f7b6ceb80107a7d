//! What `sam build` would have added to a function's folder and an import does not:
//! dependencies to install, a `bootstrap` to build. The folder is copied as it is, so each
//! is reported with the command that makes it, never silently missing.

use std::path::Path;

use serde_json::{Map, Value};

use super::plan::Planner;
use crate::model::Runtime;

impl Planner {
    /// Reports what the folder lacks for `runtime` to run it as `sam build` would.
    pub(super) fn report_what_sam_build_would_add(
        &mut self,
        id: &str,
        dir: &Path,
        runtime: Runtime,
        build_method: Option<&str>,
    ) {
        self.report_uninstalled_dependencies(id, dir);
        match runtime {
            Runtime::Provided => self.report_missing_bootstrap(id, dir, build_method),
            Runtime::Java => self.report_maven_dependencies(id, dir),
            _ => {}
        }
    }

    /// `sam build` installs a function's dependencies; an import copies the folder as it
    /// is, so packages that are declared but not in the folder are reported.
    fn report_uninstalled_dependencies(&mut self, id: &str, dir: &Path) {
        let requirements =
            std::fs::read_to_string(dir.join("requirements.txt")).unwrap_or_default();
        let missing: Vec<&str> = requirements
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#') && !line.starts_with('-'))
            .map(requirement_name)
            .filter(|name| !python_package_installed(dir, name))
            .collect();
        if !missing.is_empty() {
            self.plan.report.skip(
                id,
                "CodeUri",
                format!("requirements.txt lists {} that sam build would install and the folder lacks: install them into the function's folder (pip install -r requirements.txt -t .)", missing.join(", ")),
            );
        }
        let package = std::fs::read_to_string(dir.join("package.json")).unwrap_or_default();
        let dependencies = serde_json::from_str::<Value>(&package)
            .ok()
            .and_then(|package| {
                package
                    .get("dependencies")
                    .and_then(Value::as_object)
                    .map(Map::len)
            })
            .unwrap_or(0);
        if dependencies > 0 && !dir.join("node_modules").is_dir() {
            self.plan.report.skip(
                id,
                "CodeUri",
                format!("package.json names {dependencies} dependenc(ies) and the folder has no node_modules: run npm install in the function's folder"),
            );
        }
        let gemfile = std::fs::read_to_string(dir.join("Gemfile")).unwrap_or_default();
        let gems = gemfile
            .lines()
            .filter(|line| line.trim_start().starts_with("gem "))
            .count();
        if gems > 0 && !dir.join("vendor").is_dir() {
            self.plan.report.skip(
                id,
                "CodeUri",
                format!("the Gemfile names {gems} gem(s) that sam build would install: vendor them into the function's folder (bundle config set path vendor/bundle; bundle install)"),
            );
        }
    }

    /// A custom runtime's folder holds its `bootstrap` only after a build.
    fn report_missing_bootstrap(&mut self, id: &str, dir: &Path, build_method: Option<&str>) {
        if is_executable(&dir.join("bootstrap")) {
            return;
        }
        let how = match build_method {
            Some("go1.x") => {
                "build it as sam build does: GOOS=linux go build -tags lambda.norpc -o bootstrap ."
            }
            Some("rust-cargolambda") => {
                "build it as sam build does: cargo lambda build --release, then copy target/lambda/<name>/bootstrap into the folder"
            }
            Some("makefile") => {
                "build it as sam build does: run the Makefile's build target with ARTIFACTS_DIR set to the folder"
            }
            _ => "build your runtime's executable into the folder as bootstrap",
        };
        self.plan.report.skip(
            id,
            "CodeUri",
            format!("the folder has no executable bootstrap yet (Runtime.InvalidEntrypoint until it has): {how}"),
        );
    }

    /// lambdesk gives Java code the `aws-lambda-java-core` interfaces; other Maven
    /// dependencies are not fetched.
    fn report_maven_dependencies(&mut self, id: &str, dir: &Path) {
        let Ok(pom) = std::fs::read_to_string(dir.join("pom.xml")) else {
            return;
        };
        let others: Vec<&str> = pom
            .split("<dependency>")
            .skip(1)
            .filter_map(|dependency| {
                let artifact = dependency.split("<artifactId>").nth(1)?;
                artifact.split("</artifactId>").next().map(str::trim)
            })
            .filter(|artifact| *artifact != "aws-lambda-java-core")
            .collect();
        if !others.is_empty() {
            self.plan.report.skip(
                id,
                "CodeUri",
                format!("pom.xml's dependencies {} are not fetched (lambdesk provides aws-lambda-java-core only): put their jars in the folder's lib/ (mvn dependency:copy-dependencies -DoutputDirectory=lib)", others.join(", ")),
            );
        }
    }
}

/// `requests>=2.31 ; python_version > "3.8"` → `requests`.
fn requirement_name(line: &str) -> &str {
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(line.len());
    &line[..end]
}

/// Whether pip installed `name` into `dir` (`-t .`): its `*.dist-info` is there.
fn python_package_installed(dir: &Path, name: &str) -> bool {
    // Distribution names compare with `-`, `_` and `.` alike, case aside (PEP 503).
    let normalized = |text: &str| text.to_ascii_lowercase().replace(['-', '.'], "_");
    let wanted = normalized(name);
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|entry| {
            let file_name = entry.file_name();
            let file_name = file_name.to_string_lossy();
            file_name
                .strip_suffix(".dist-info")
                .and_then(|stem| stem.rsplit_once('-'))
                .is_some_and(|(distribution, _version)| normalized(distribution) == wanted)
        })
    })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}
