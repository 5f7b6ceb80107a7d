use std::sync::Arc;

use egui_extras::syntax_highlighting::{CodeTheme, highlight};

/// The syntect language for a file name.
pub fn language_of(file: &str) -> &'static str {
    match file.rsplit_once('.').map(|(_, extension)| extension) {
        Some("js" | "mjs" | "cjs") => "js",
        Some("ts" | "mts") => "ts",
        Some("rs") => "rs",
        Some("go") => "go",
        Some("py") => "py",
        Some("rb") => "rb",
        Some("java") => "java",
        Some("toml") => "toml",
        Some("json") => "json",
        Some("wat" | "wast") => "lisp",
        _ => "txt",
    }
}

/// A layouter for `TextEdit` that highlights `language`; egui_extras memoizes the
/// highlighted layout, so typing in a long file stays smooth.
pub fn highlighted_layout(
    ui: &egui::Ui,
    text: &dyn egui::TextBuffer,
    wrap_width: f32,
    language: &str,
) -> Arc<egui::Galley> {
    let mut job = if language == "toml" {
        super::toml_highlight::toml_layout_job(ui, text.as_str())
    } else {
        let theme = CodeTheme::from_memory(ui.ctx(), ui.style());
        highlight(ui.ctx(), ui.style(), &theme, text.as_str(), language)
    };
    job.wrap.max_width = wrap_width;
    ui.fonts_mut(|fonts| fonts.layout_job(job))
}

#[cfg(test)]
mod tests {
    use super::language_of;

    #[test]
    fn every_language_lambdesk_runs_is_highlighted_by_its_extension() {
        for (file, language) in [
            ("index.mjs", "js"),
            ("src/lib.rs", "rs"),
            ("main.go", "go"),
            ("lambda_function.py", "py"),
            ("lambda_function.rb", "rb"),
            ("src/main/java/example/Hello.java", "java"),
            ("main.wat", "lisp"),
            ("notes.md", "txt"),
        ] {
            assert_eq!(language_of(file), language, "{file}");
        }
    }
}
