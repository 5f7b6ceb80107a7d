//! The Code tab's gutter and the places it marks: line numbers with the lines of a syntax
//! error and of the compiler's diagnostics coloured, and where a line starts (a clicked
//! problem puts the cursor there).

use crate::console::ConsoleState;

/// The gutter: one number per line, aligned with the editor's rows; the lines of the last
/// run's syntax error and of the compiler's errors in the error colour, warnings in the
/// warning colour.
pub fn line_numbers(
    ui: &egui::Ui,
    line_count: usize,
    marked_lines: &[(usize, bool)],
) -> std::sync::Arc<egui::Galley> {
    let font = egui::TextStyle::Monospace.resolve(ui.style());
    let mut job = egui::text::LayoutJob::default();
    for line in 1..=line_count {
        let marks = marked_lines.iter().filter(|(marked, _)| *marked == line);
        let color = match marks.map(|(_, is_error)| *is_error).max() {
            Some(true) => ui.visuals().error_fg_color,
            Some(false) => ui.visuals().warn_fg_color,
            None => ui.visuals().weak_text_color(),
        };
        let separator = if line == line_count { "" } else { "\n" };
        job.append(
            &format!("{line:>4}{separator}"),
            0.0,
            egui::TextFormat::simple(font.clone(), color),
        );
    }
    ui.fonts_mut(|fonts| fonts.layout_job(job))
}

/// The line of a syntax error the last run reported in `file`, with its message.
pub fn syntax_error_line(
    state: &ConsoleState,
    function: &str,
    file: &str,
) -> Option<(usize, String)> {
    let error = state.syntax_errors.get(function)?;
    // JS names the place as "(index.mjs:3:11)" or "(index.mjs:3)", WAT as
    // "--> main.wat:3:5": the file, a colon, the line.
    let needle = format!("{file}:");
    let line = error
        .error_message
        .match_indices(&needle)
        .filter(|(at, _)| {
            // The file itself, not one whose name ends the same (`lib/index.mjs`).
            error.error_message[..*at]
                .chars()
                .next_back()
                .is_none_or(|c| matches!(c, '(' | ' ' | '/'))
        })
        .find_map(|(at, _)| {
            let rest = &error.error_message[at + needle.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })?;
    Some((line, error.error_message.clone()))
}

/// The character index where 1-based `line` of `text` starts (its end past the last line).
pub fn line_start_char(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    let mut newlines = 0;
    for (index, character) in text.chars().enumerate() {
        if character == '\n' {
            newlines += 1;
            if newlines == line - 1 {
                return index + 1;
            }
        }
    }
    text.chars().count()
}
