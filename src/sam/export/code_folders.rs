//! Each function's code folder in the export (`functions/<name>/`, its `CodeUri`): the
//! function's files as Lambda's runtime loads them. JavaScript with ES module syntax in
//! `.js` files gets `"type": "module"` in `package.json`; WebAssembly functions get the
//! `function.toml` lambdesk's bootstrap reads, and Rust and Go functions their built module;
//! Java functions get their compiled classes at the folder's top (Lambda's Java runtime
//! loads them from the task root); a `provided` function's own `bootstrap` is copied
//! executable.

use std::path::{Path, PathBuf};

use crate::model::{FunctionConfig, Permissions, Runtime, write_atomically};
use crate::runtime::{
    FunctionBuilder, GoBuildOptions, GoBuilder, JavaBuildOptions, JavaBuilder, RustBuildOptions,
    RustBuilder,
};

use super::ExportError;
use super::notes::{NoteLevel, Notes, function_subject};
use super::template::{BUILT_MODULE_FILE, PackagedFunction};

/// Folders of a function that are the toolchain's output, not its code.
const SKIPPED_FOLDERS: &[&str] = &[".git", "target"];

/// How Rust, Go and Java functions are built for the export.
#[derive(Debug, Clone, Default)]
pub struct Builds {
    pub rust: RustBuildOptions,
    pub go: GoBuildOptions,
    pub java: JavaBuildOptions,
}

/// Writes `packaged`'s code folder under `out_dir`; the paths written, relative to it.
pub fn write_code_folder(
    packaged: &PackagedFunction,
    out_dir: &Path,
    builds: &Builds,
    notes: &mut Notes,
) -> Result<Vec<PathBuf>, ExportError> {
    let function = &packaged.function;
    let target = out_dir.join(&packaged.code_uri);
    let mut written = Vec::new();
    // Built first: the build may write the lock file (`Cargo.lock`) that goes out too.
    let module = if function.config.runtime.is_built() {
        Some(built_module(packaged, builds)?)
    } else {
        None
    };
    copy_folder(&function.dir, &target, &mut written)?;
    match function.config.runtime {
        Runtime::Js => mark_es_modules(&target, &function.name, &mut written, notes)?,
        Runtime::Python | Runtime::Ruby => {}
        Runtime::Java => {
            copy_java_classes(packaged, builds, &target, &mut written)?;
            if let Some(pom) = write_maven_build(&function.dir, &target, &function.name)? {
                written.push(pom);
            }
        }
        Runtime::Provided => notes.add(
            NoteLevel::Info,
            function_subject(&function.name),
            format!(
                "its own bootstrap runs on Lambda as it is: it must be an executable built for Linux on {} ({})",
                function.architecture.id(),
                match function.architecture {
                    crate::model::Architecture::Arm64 => "aarch64-unknown-linux-gnu or -musl",
                    crate::model::Architecture::X86_64 => "x86_64-unknown-linux-gnu or -musl",
                }
            ),
        ),
        Runtime::Wat | Runtime::Wasm => {
            write_bootstrap_config(&target, &function.config, &function.config.handler)?;
        }
        Runtime::Rust | Runtime::Go => {
            if let Some(module) = &module {
                let destination = target.join(BUILT_MODULE_FILE);
                std::fs::copy(module, &destination).map_err(ExportError::io(&destination))?;
                written.push(destination);
            }
            write_bootstrap_config(&target, &function.config, BUILT_MODULE_FILE)?;
        }
    }
    if packaged.is_custom_runtime() {
        written.push(target.join(crate::model::FUNCTION_FILE));
    }
    Ok(written
        .into_iter()
        .filter_map(|path| path.strip_prefix(out_dir).ok().map(Path::to_path_buf))
        .collect())
}

/// Copies the function's files, but not its `function.toml` (the template says all it
/// said) nor the toolchain's output.
fn copy_folder(from: &Path, to: &Path, written: &mut Vec<PathBuf>) -> Result<(), ExportError> {
    std::fs::create_dir_all(to).map_err(ExportError::io(to))?;
    let entries = std::fs::read_dir(from).map_err(ExportError::io(from))?;
    let mut entries: Vec<_> = entries
        .collect::<Result<_, _>>()
        .map_err(ExportError::io(from))?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let file_type = entry.file_type().map_err(ExportError::io(&path))?;
        if file_type.is_dir() {
            if SKIPPED_FOLDERS.iter().any(|skipped| name == *skipped) {
                continue;
            }
            copy_folder(&path, &to.join(&name), written)?;
        } else if name != crate::model::FUNCTION_FILE {
            let destination = to.join(&name);
            std::fs::copy(&path, &destination).map_err(ExportError::io(&destination))?;
            written.push(destination);
        }
    }
    Ok(())
}

/// The `function.toml` lambdesk's bootstrap loads from the task root: the runtime, the
/// module and the limits; triggers, permissions and destinations are the template's.
fn write_bootstrap_config(
    folder: &Path,
    config: &FunctionConfig,
    handler: &str,
) -> Result<(), ExportError> {
    let runtime = match config.runtime {
        Runtime::Wat => Runtime::Wat,
        _ => Runtime::Wasm,
    };
    let mut bootstrap_config = FunctionConfig::new(runtime, handler);
    bootstrap_config.description.clone_from(&config.description);
    bootstrap_config.memory_mb = config.memory_mb;
    bootstrap_config.timeout_secs = config.timeout_secs;
    bootstrap_config.ephemeral_storage_mb = config.ephemeral_storage_mb;
    bootstrap_config.environment.clone_from(&config.environment);
    // The sandbox's /outbox needs send permissions; on Lambda nothing delivers it.
    bootstrap_config.permissions = Permissions::default();
    let text = format!(
        "# Written by `lambdesk export` for `lambdesk lambda-bootstrap` (this function's custom runtime):\n# the module and its limits. Triggers, permissions and destinations are in template.yaml.\n{}",
        toml::to_string(&bootstrap_config)
            .map_err(|error| ExportError::Serialize(error.to_string()))?
    );
    let path = folder.join(crate::model::FUNCTION_FILE);
    write_atomically(&path, text.as_bytes()).map_err(ExportError::io(&path))
}

/// javac's output for the function's sources, beside them at the folder's top: what
/// `sam build` would have put in the package (the Lambda interfaces are the runtime's).
fn copy_java_classes(
    packaged: &PackagedFunction,
    builds: &Builds,
    target: &Path,
    written: &mut Vec<PathBuf>,
) -> Result<(), ExportError> {
    let function = &packaged.function;
    let code = JavaBuilder::new(builds.java.clone())
        .build(function)
        .map_err(|error| ExportError::Build {
            function: function.name.clone(),
            message: error.to_string(),
        })?;
    // The compiled sources' folder and `src/main/resources` go to the task root, where
    // Lambda's class loader looks; the folder itself and its jars are copied already.
    for folder in code
        .classpath
        .iter()
        .filter(|path| path.is_dir() && **path != function.dir)
    {
        copy_folder(folder, target, written)?;
    }
    Ok(())
}

/// Marks a `pom.xml` the export wrote: an import leaves it out, it is not the user's.
pub const EXPORTED_POM_MARKER: &str = "Written by `lambdesk export`";

/// SAM builds a Java function with Maven or Gradle from its build file: a folder without
/// one gets a `pom.xml` that compiles its sources against `aws-lambda-java-core`, as
/// lambdesk compiled them.
fn write_maven_build(
    source_dir: &Path,
    target: &Path,
    function_name: &str,
) -> Result<Option<PathBuf>, ExportError> {
    let has_build_file = ["pom.xml", "build.gradle", "build.gradle.kts"]
        .iter()
        .any(|file| source_dir.join(file).is_file());
    if has_build_file {
        return Ok(None);
    }
    // Maven's layout needs no setting; lambdesk also compiles `src/**`.
    let source_directory = if source_dir.join("src/main/java").is_dir() {
        String::new()
    } else {
        "\n  <build>\n    <sourceDirectory>src</sourceDirectory>\n  </build>".to_owned()
    };
    let pom = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- {EXPORTED_POM_MARKER} so that `sam build` compiles this function with Maven. -->
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>lambdesk.export</groupId>
  <artifactId>{function_name}</artifactId>
  <version>1.0</version>
  <packaging>jar</packaging>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>com.amazonaws</groupId>
      <artifactId>aws-lambda-java-core</artifactId>
      <version>1.2.3</version>
    </dependency>
  </dependencies>{source_directory}
</project>
"#
    );
    let path = target.join("pom.xml");
    write_atomically(&path, pom.as_bytes()).map_err(ExportError::io(&path))?;
    Ok(Some(path))
}

/// The Rust or Go function's module, built first when a source is newer.
fn built_module(packaged: &PackagedFunction, builds: &Builds) -> Result<PathBuf, ExportError> {
    let function = &packaged.function;
    let builder: Box<dyn FunctionBuilder> = match function.config.runtime {
        Runtime::Go => Box::new(GoBuilder::new(builds.go.clone())),
        _ => Box::new(RustBuilder::new(builds.rust.clone())),
    };
    builder
        .build_if_stale(function, &mut |_| {})
        .map_err(|error| ExportError::Build {
            function: function.name.clone(),
            message: error.to_string(),
        })?;
    Ok(builder.module_path(function))
}

/// Lambda's Node.js runtime loads a `.js` file as CommonJS unless the nearest
/// `package.json` says `"type": "module"` (lambdesk also detects `import`/`export`), so
/// the export says it where a `.js` file is an ES module.
fn mark_es_modules(
    folder: &Path,
    function_name: &str,
    written: &mut Vec<PathBuf>,
    notes: &mut Notes,
) -> Result<(), ExportError> {
    let Some(es_module) = first_es_module_js(folder, folder) else {
        return Ok(());
    };
    let subject = function_subject(function_name);
    let package_path = folder.join("package.json");
    let mut package = match std::fs::read_to_string(&package_path) {
        Ok(text) => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(package)) => package,
            _ => {
                notes.add(
                    NoteLevel::ActionNeeded,
                    &subject,
                    format!(
                        "{} uses ES module syntax but package.json is not a JSON object lambdesk can add \"type\": \"module\" to: add it, or Lambda loads the file as CommonJS",
                        es_module.display()
                    ),
                );
                return Ok(());
            }
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => serde_json::Map::new(),
        Err(error) => return Err(ExportError::io(&package_path)(error)),
    };
    match package.get("type").and_then(serde_json::Value::as_str) {
        Some("module") => return Ok(()),
        Some(other) => {
            notes.add(
                NoteLevel::ActionNeeded,
                &subject,
                format!(
                    "{} uses ES module syntax but package.json says \"type\": \"{other}\": rename the file to .mjs, or Lambda loads it as CommonJS",
                    es_module.display()
                ),
            );
            return Ok(());
        }
        None => {}
    }
    package.insert("type".into(), "module".into());
    let text = serde_json::to_string_pretty(&package)
        .map_err(|error| ExportError::Serialize(error.to_string()))?
        + "\n";
    write_atomically(&package_path, text.as_bytes()).map_err(ExportError::io(&package_path))?;
    if !written.contains(&package_path) {
        written.push(package_path);
    }
    notes.add(
        NoteLevel::Info,
        &subject,
        format!(
            "{} uses ES module syntax (import/export): its package.json says \"type\": \"module\" in the export, as Lambda's Node.js runtime needs",
            es_module.display()
        ),
    );
    Ok(())
}

/// The first `.js` file (outside `node_modules`) with a top-level `import` or `export`.
fn first_es_module_js(root: &Path, folder: &Path) -> Option<PathBuf> {
    let mut entries: Vec<_> = std::fs::read_dir(folder).ok()?.flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            if entry.file_name() == "node_modules" {
                continue;
            }
            if let Some(found) = first_es_module_js(root, &path) {
                return Some(found);
            }
        } else if path.extension().is_some_and(|extension| extension == "js")
            && std::fs::read_to_string(&path).is_ok_and(|text| has_module_syntax(&text))
        {
            return path.strip_prefix(root).ok().map(Path::to_path_buf);
        }
    }
    None
}

/// A line that starts with an `export` or a static `import` statement.
fn has_module_syntax(source: &str) -> bool {
    source.lines().any(|line| {
        let line = line.trim_start();
        line.starts_with("export ")
            || line.starts_with("export{")
            || (line.starts_with("import ")
                && (line.contains(" from ") || line.contains("\"") || line.contains('\''))
                && !line.starts_with("import("))
    })
}

#[cfg(test)]
mod tests {
    use super::has_module_syntax;

    #[test]
    fn module_syntax_is_import_or_export_statements() {
        assert!(has_module_syntax("export const handler = async () => 1;"));
        assert!(has_module_syntax(
            "import { S3Client } from \"@aws-sdk/client-s3\";\n"
        ));
        assert!(has_module_syntax("import './setup.js';"));
        assert!(!has_module_syntax(
            "exports.handler = async () => 1;\nconst x = await import('y');"
        ));
        assert!(!has_module_syntax("module.exports = { handler };"));
    }
}
