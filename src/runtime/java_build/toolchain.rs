//! The user's JDK: `java` and `javac` from `LAMBDESK_JAVA_HOME`, else `JAVA_HOME`, else
//! the `PATH`, and both at least Java 17 (the oldest Java runtime Lambda still offers, and
//! what the runtime client's code needs). Checked once per JDK and process, so a missing
//! or old JDK is one clear message with how to install it, not a javac log.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, PoisonError};

use super::super::function_build::{BuildError, setting};
use super::MIN_JAVA_VERSION;

/// Overrides the JDK (tests point it at one that is missing).
pub const JAVA_HOME_VAR: &str = "LAMBDESK_JAVA_HOME";

/// A JDK found and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jdk {
    pub java: PathBuf,
    pub javac: PathBuf,
    /// `javac -version`'s answer (`javac 17.0.15`): part of what a build is keyed by.
    pub version_text: String,
    pub major_version: u32,
}

/// The programs of `home` (`<home>/bin/java`), or those the `PATH` names, as absolute
/// paths: an execution environment starts with Lambda's `PATH`, not the user's.
pub fn programs(home: Option<&Path>) -> (PathBuf, PathBuf) {
    match home {
        Some(home) => (home.join("bin/java"), home.join("bin/javac")),
        None => (on_path("java"), on_path("javac")),
    }
}

/// The first executable `name` in the `PATH`'s folders, or the bare name (which then
/// fails to start, and is reported as missing).
fn on_path(name: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|folder| folder.join(name))
        .find(|path| {
            std::fs::metadata(path).is_ok_and(|metadata| {
                metadata.is_file() && metadata.permissions().mode() & 0o111 != 0
            })
        })
        .unwrap_or_else(|| PathBuf::from(name))
}

/// The JDK's home as the environment names it, if it does.
pub fn configured_home() -> Option<PathBuf> {
    setting(JAVA_HOME_VAR)
        .or_else(|| setting("JAVA_HOME"))
        .map(PathBuf::from)
}

/// Finds and checks the JDK of `home` (or the `PATH`'s), once per process.
pub fn find(home: Option<&Path>) -> Result<Jdk, BuildError> {
    static CHECKED: Mutex<Option<HashMap<Option<PathBuf>, Jdk>>> = Mutex::new(None);
    let key = home.map(Path::to_path_buf);
    if let Some(jdk) = CHECKED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(HashMap::new)
        .get(&key)
    {
        return Ok(jdk.clone());
    }
    let jdk = check(home)?;
    CHECKED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(HashMap::new)
        .insert(key, jdk.clone());
    Ok(jdk)
}

fn check(home: Option<&Path>) -> Result<Jdk, BuildError> {
    let (java, javac) = programs(home);
    let javac_text = version_of(&javac).ok_or_else(|| BuildError::JdkMissing {
        program: javac.display().to_string(),
    })?;
    let javac_major = major_version(&javac_text);
    if javac_major < MIN_JAVA_VERSION {
        return Err(BuildError::JdkTooOld {
            program: javac.display().to_string(),
            version: javac_text,
        });
    }
    let java_text = version_of(&java).ok_or_else(|| BuildError::JdkMissing {
        program: java.display().to_string(),
    })?;
    if major_version(&java_text) < MIN_JAVA_VERSION {
        return Err(BuildError::JdkTooOld {
            program: java.display().to_string(),
            version: java_text,
        });
    }
    Ok(Jdk {
        java,
        javac,
        version_text: javac_text,
        major_version: javac_major,
    })
}

/// The first line of `program -version` (javac prints it on stdout, java on stderr).
fn version_of(program: &Path) -> Option<String> {
    let output = Command::new(program)
        .arg("-version")
        .stdin(Stdio::null())
        .output()
        .ok()
        .filter(|output| output.status.success())?;
    let text = [output.stdout, output.stderr]
        .iter()
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
        .collect::<String>();
    text.lines()
        .find(|line| !line.trim().is_empty() && !line.starts_with("Picked up"))
        .map(|line| line.trim().to_owned())
}

/// `javac 17.0.15` → 17, `openjdk version "21.0.2" 2024-01-16` → 21, `javac 1.8.0_392` → 8.
fn major_version(text: &str) -> u32 {
    let version = text
        .split_whitespace()
        .map(|word| word.trim_matches('"'))
        .find(|word| word.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or_default();
    let mut numbers = version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse::<u32>().unwrap_or(0));
    match numbers.next() {
        Some(1) => numbers.next().unwrap_or(0),
        Some(major) => major,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn major_versions_read_from_either_tool() {
        assert_eq!(major_version("javac 17.0.15"), 17);
        assert_eq!(major_version("openjdk version \"21.0.2\" 2024-01-16"), 21);
        assert_eq!(major_version("javac 1.8.0_392"), 8);
        assert_eq!(major_version("java version \"1.8.0_202\""), 8);
        assert_eq!(major_version("javac 23"), 23);
        assert_eq!(major_version("no version here"), 0);
    }

    #[test]
    fn the_paths_java_is_found_by_its_absolute_path() {
        let (java, javac) = programs(None);
        if java.is_absolute() {
            assert!(
                java.ends_with("java") && javac.ends_with("javac"),
                "{java:?}"
            );
        } else {
            assert_eq!(java, PathBuf::from("java"), "no java on this PATH");
        }
    }

    #[test]
    fn a_missing_jdk_is_named_with_its_program() {
        let error = check(Some(Path::new("/nonexistent-jdk"))).unwrap_err();
        assert!(
            matches!(&error, BuildError::JdkMissing { program } if program == "/nonexistent-jdk/bin/javac"),
            "{error}"
        );
        assert!(error.to_string().contains("JDK 17+"), "{error}");
    }
}
