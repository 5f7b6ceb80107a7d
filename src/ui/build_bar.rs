//! The Code tab's build bar for a compiled function (Rust, Go, Java): Build, the build's
//! progress (crates compiled of the total) and Cancel while it runs, how the last one
//! ended, and the Problems list — the compiler's errors and warnings, each a link to its
//! line.

use crate::console::{BuildOutcome, BuildStatus, Command, ConsoleState};
use crate::model::{BuildDiagnostic, DiagnosticLevel, Runtime};

/// Problems listed before "and N more": the editor marks every one anyway.
const MAX_PROBLEMS_SHOWN: usize = 8;

/// A place the user clicked in the Problems list: the file (relative to the function's
/// folder) and the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemJump {
    pub file: String,
    pub line: usize,
}

/// Whether the function is built before it runs.
pub fn is_compiled(state: &ConsoleState, function: &str) -> bool {
    state
        .function(function)
        .and_then(|entry| entry.runtime)
        .is_some_and(Runtime::has_build_step)
}

/// The diagnostics of `file` as (line, level) for the editor's gutter.
pub fn markers_of(status: Option<&BuildStatus>, file: &str) -> Vec<(usize, DiagnosticLevel)> {
    status
        .map(|status| {
            status
                .diagnostics
                .iter()
                .filter(|diagnostic| diagnostic.file == std::path::Path::new(file))
                .filter_map(|diagnostic| {
                    Some((usize::try_from(diagnostic.line).ok()?, diagnostic.level))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The bar and the Problems list; a clicked problem comes back to be opened.
pub fn build_bar_ui(
    ui: &mut egui::Ui,
    function: &str,
    state: &ConsoleState,
    status: Option<&BuildStatus>,
    commands: &mut Vec<Command>,
) -> Option<ProblemJump> {
    let progress = status.and_then(|status| status.progress);
    let building = state.building.contains(function) || progress.is_some();
    let diagnostics: &[BuildDiagnostic] = status.map_or(&[], |status| &status.diagnostics);
    let errors = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.level == DiagnosticLevel::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    ui.horizontal(|ui| {
        let build = ui
            .add_enabled(!building, egui::Button::new("Build"))
            .on_hover_text(
                "Build it for wasm32-wasip1 (saving code builds it too; the build is never billed)",
            );
        if build.clicked() {
            commands.push(Command::Build {
                function: function.to_owned(),
            });
        }
        if building {
            let (done, total) = progress.map_or((0, None), |progress| {
                (progress.crates_compiled, progress.crates_total)
            });
            // Cargo counts crates, go packages: "units" would say neither.
            let text = match total {
                Some(total) => format!("Building: {done} of {total} compiled"),
                None => format!("Building: {done} compiled"),
            };
            #[expect(clippy::cast_precision_loss, reason = "crate counts are small")]
            let fraction = total.map_or(0.0, |total| done as f32 / total.max(1) as f32);
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_width(220.0)
                    .text(text)
                    .animate(true),
            );
            if ui
                .button("Cancel")
                .on_hover_text("Stop the compiler; the function keeps its last build")
                .clicked()
            {
                commands.push(Command::CancelBuild {
                    function: function.to_owned(),
                });
            }
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(200));
            return;
        }
        let summary = match (state.last_builds.get(function), errors, warnings) {
            (Some(BuildOutcome::Failed(reason)), 0, _) => {
                // Wrapped: the reason ends with the command to run, which must show.
                let text = egui::RichText::new(reason).color(ui.visuals().error_fg_color);
                ui.add(egui::Label::new(text).wrap());
                return;
            }
            (_, 0, 0) => match state.last_builds.get(function) {
                Some(BuildOutcome::Built { seconds }) => format!("Built in {seconds:.1} s"),
                _ => String::new(),
            },
            (_, errors, warnings) => format!(
                "{} · {}",
                plural(errors, "error"),
                plural(warnings, "warning")
            ),
        };
        let color = if errors > 0 {
            ui.visuals().error_fg_color
        } else if warnings > 0 {
            ui.visuals().warn_fg_color
        } else {
            ui.visuals().weak_text_color()
        };
        ui.colored_label(color, summary);
    });
    problems_ui(ui, diagnostics)
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// Each diagnostic as a link: "src/lib.rs:5:18 error: mismatched types".
fn problems_ui(ui: &mut egui::Ui, diagnostics: &[BuildDiagnostic]) -> Option<ProblemJump> {
    if diagnostics.is_empty() {
        return None;
    }
    let mut jump = None;
    egui::CollapsingHeader::new(format!("Problems ({})", diagnostics.len()))
        .id_salt("build_problems")
        .default_open(true)
        .show(ui, |ui| {
            for diagnostic in diagnostics.iter().take(MAX_PROBLEMS_SHOWN) {
                let color = match diagnostic.level {
                    DiagnosticLevel::Error => ui.visuals().error_fg_color,
                    DiagnosticLevel::Warning => ui.visuals().warn_fg_color,
                };
                let text = egui::RichText::new(diagnostic.to_string()).color(color);
                if ui
                    .link(text)
                    .on_hover_text("Open the file at this line")
                    .clicked()
                {
                    jump = Some(ProblemJump {
                        file: diagnostic.file.to_string_lossy().into_owned(),
                        line: usize::try_from(diagnostic.line).unwrap_or(1),
                    });
                }
            }
            if diagnostics.len() > MAX_PROBLEMS_SHOWN {
                ui.weak(format!(
                    "and {} more",
                    diagnostics.len() - MAX_PROBLEMS_SHOWN
                ));
            }
        });
    jump
}
