//! `lambdesk build NAME`: builds a Rust, Go or Java function now (an invocation builds it too,
//! when a source is newer than its module), with the progress and the compiler's
//! messages on stderr.

use std::io::Write as _;
use std::process::ExitCode;

use lambdesk::model::{BuildProgress, Runtime as Language, Workspace};
use lambdesk::runtime::{
    FunctionBuilder, GoBuildOptions, GoBuilder, JavaBuildOptions, JavaBuilder, RustBuildOptions,
    RustBuilder,
};

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The function's name (runtime = "rust", "go" or "java").
    name: String,
}

pub fn run(workspace: &Workspace, args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let function = workspace.function(&args.name)?;
    let (builder, units): (Box<dyn FunctionBuilder>, &str) = match function.config.runtime {
        Language::Rust => (
            Box::new(RustBuilder::new(RustBuildOptions::default())),
            "crates",
        ),
        Language::Go => (
            Box::new(GoBuilder::new(GoBuildOptions::default())),
            "packages",
        ),
        Language::Java => (
            Box::new(JavaBuilder::new(JavaBuildOptions::default())),
            "source files",
        ),
        Language::Provided => anyhow::bail!(
            "`{}` has runtime = \"provided\": lambdesk runs its `bootstrap` as it is; build it with your own tools (for example `cargo build --release` and copy the binary to `bootstrap`)",
            function.name
        ),
        Language::Js | Language::Wat | Language::Wasm | Language::Python | Language::Ruby => {
            anyhow::bail!(
                "`{}` has runtime = \"{}\": only Rust, Go and Java functions are built (wat and wasm load as they are, js, python and ruby need no build)",
                function.name,
                function.config.runtime
            )
        }
    };
    let mut on_progress = |progress: BuildProgress| {
        let total = progress
            .crates_total
            .map_or_else(|| "?".to_owned(), |total| total.to_string());
        eprint!(
            "\rlambdesk: building {}: {}/{total} {units}",
            function.name, progress.crates_compiled
        );
        // The progress line is a nicety; a closed stderr must not stop the build.
        let _ = std::io::stderr().flush();
    };
    let built = builder.build(&function, &mut on_progress);
    eprintln!();
    let report = built?;
    for diagnostic in &report.diagnostics {
        eprintln!("{diagnostic}");
    }
    eprintln!(
        "lambdesk: built {} in {:.1} s ({} {units}; not billed) → {}",
        function.name,
        report.duration.as_secs_f64(),
        report.crates_compiled,
        report.module_path.display()
    );
    Ok(ExitCode::SUCCESS)
}
