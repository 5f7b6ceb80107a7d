//! TOML highlighting for `function.toml` and `lambdesk.toml`: syntect's default syntaxes
//! (which egui_extras uses) have no TOML, and these are the files users edit most after
//! their code. A line-based scan is enough for TOML's line-oriented grammar.

use egui::text::{LayoutJob, TextFormat};

/// What a stretch of TOML is, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Comment,
    /// `[table]` and `[[array]]` headers.
    Header,
    Key,
    String,
    /// Numbers, booleans, dates.
    Literal,
    Punctuation,
    Plain,
}

/// The tokens of `text` as (byte range, token), covering all of it in order.
fn tokens(text: &str) -> Vec<(std::ops::Range<usize>, Token)> {
    let mut found = Vec::new();
    let mut offset = 0;
    // A multi-line string runs across lines until its closing quotes.
    let mut open_multiline: Option<&'static str> = None;
    for line in text.split_inclusive('\n') {
        scan_line(line, offset, &mut open_multiline, &mut found);
        offset += line.len();
    }
    found
}

fn scan_line(
    line: &str,
    offset: usize,
    open_multiline: &mut Option<&'static str>,
    found: &mut Vec<(std::ops::Range<usize>, Token)>,
) {
    let mut at = 0;
    let continues_string = open_multiline.is_some();
    let push = |found: &mut Vec<_>, start: usize, end: usize, token| {
        if end > start {
            found.push((offset + start..offset + end, token));
        }
    };
    if let Some(quotes) = *open_multiline {
        match line.find(quotes) {
            Some(end) => {
                push(found, 0, end + 3, Token::String);
                at = end + 3;
                *open_multiline = None;
            }
            None => {
                push(found, 0, line.len(), Token::String);
                return;
            }
        }
    }
    let trimmed_start = line[at..].len() - line[at..].trim_start().len();
    push(found, at, at + trimmed_start, Token::Plain);
    at += trimmed_start;
    if !continues_string && line[at..].starts_with('[') {
        let end = line.find('#').unwrap_or(line.trim_end().len()).max(at);
        push(found, at, end, Token::Header);
        at = end;
    }
    let mut before_equals = !line[at..].trim_start().starts_with('[') && line[at..].contains('=');
    while at < line.len() {
        let rest = &line[at..];
        let c = rest.as_bytes()[0];
        let (length, token) = if c == b'#' {
            (rest.len(), Token::Comment)
        } else if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
            let quotes = if rest.starts_with("\"\"\"") {
                "\"\"\""
            } else {
                "'''"
            };
            match rest[3..].find(quotes) {
                Some(end) => (end + 6, Token::String),
                None => {
                    *open_multiline = Some(quotes);
                    (rest.len(), Token::String)
                }
            }
        } else if c == b'"' || c == b'\'' {
            (
                string_length(rest),
                if before_equals {
                    Token::Key
                } else {
                    Token::String
                },
            )
        } else if c == b'=' {
            before_equals = false;
            (1, Token::Punctuation)
        } else if matches!(c, b'[' | b']' | b'{' | b'}' | b',' | b'.') {
            // A key follows `{` and, inside an inline table, `,`.
            if c == b'{' || (c == b',' && inside_inline_table(line, at)) {
                before_equals = true;
            }
            (1, Token::Punctuation)
        } else if c.is_ascii_whitespace() {
            (word_length(rest, |c| c.is_ascii_whitespace()), Token::Plain)
        } else {
            // A word ends at a separator; a dotted key's `.` separates its parts.
            let ends_word = |c: u8| {
                c.is_ascii_whitespace()
                    || matches!(c, b'=' | b',' | b']' | b'}' | b'#')
                    || (before_equals && c == b'.')
            };
            let length = word_length(rest, |c| !ends_word(c));
            let word = &rest[..length];
            let token = if before_equals {
                Token::Key
            } else if matches!(word, "true" | "false")
                || word.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-')
                || matches!(word, "inf" | "nan")
            {
                Token::Literal
            } else {
                Token::Plain
            };
            (length.max(1), token)
        };
        push(found, at, at + length, token);
        at += length;
    }
}

/// Whether the byte at `at` is inside `{ … }` on this line.
fn inside_inline_table(line: &str, at: usize) -> bool {
    let before = &line[..at];
    before.matches('{').count() > before.matches('}').count()
}

/// The length of the quoted string at the start of `rest` (to its closing quote, or the
/// end of the line).
fn string_length(rest: &str) -> usize {
    let quote = rest.as_bytes()[0];
    let mut escaped = false;
    for (index, &byte) in rest.as_bytes().iter().enumerate().skip(1) {
        if quote == b'"' && byte == b'\\' && !escaped {
            escaped = true;
            continue;
        }
        if byte == quote && !escaped {
            return index + 1;
        }
        if byte == b'\n' {
            return index;
        }
        escaped = false;
    }
    rest.len()
}

fn word_length(rest: &str, belongs: impl Fn(u8) -> bool) -> usize {
    rest.bytes().take_while(|&byte| belongs(byte)).count()
}

/// `text` as a highlighted layout in the editor's monospace font.
pub fn toml_layout_job(ui: &egui::Ui, text: &str) -> LayoutJob {
    let font_id = egui::TextStyle::Monospace.resolve(ui.style());
    let dark = ui.visuals().dark_mode;
    let color = |token: Token| match (token, dark) {
        (Token::Comment, _) => ui.visuals().weak_text_color(),
        (Token::Header, true) => egui::Color32::from_rgb(0xe5, 0xc0, 0x7b),
        (Token::Header, false) => egui::Color32::from_rgb(0x98, 0x68, 0x01),
        (Token::Key, true) => egui::Color32::from_rgb(0x61, 0xaf, 0xef),
        (Token::Key, false) => egui::Color32::from_rgb(0x40, 0x78, 0xf2),
        (Token::String, true) => egui::Color32::from_rgb(0x98, 0xc3, 0x79),
        (Token::String, false) => egui::Color32::from_rgb(0x50, 0xa1, 0x4f),
        (Token::Literal, true) => egui::Color32::from_rgb(0xd1, 0x9a, 0x66),
        (Token::Literal, false) => egui::Color32::from_rgb(0x98, 0x68, 0x01),
        (Token::Punctuation | Token::Plain, _) => ui.visuals().text_color(),
    };
    let mut job = LayoutJob::default();
    for (range, token) in tokens(text) {
        job.append(
            &text[range],
            0.0,
            TextFormat::simple(font_id.clone(), color(token)),
        );
    }
    job
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> Vec<(&str, Token)> {
        tokens(text)
            .into_iter()
            .filter(|(_, token)| *token != Token::Plain)
            .map(|(range, token)| (&text[range], token))
            .collect()
    }

    #[test]
    fn keys_values_comments_and_headers_get_their_own_colours() {
        let text = "# greets\nruntime = \"js\" # the engine\nmemory_mb = 256\n\n[[triggers]]\ntype = 'http'\nenabled = false\n";
        assert_eq!(
            shown(text),
            [
                ("# greets\n", Token::Comment),
                ("runtime", Token::Key),
                ("=", Token::Punctuation),
                ("\"js\"", Token::String),
                ("# the engine\n", Token::Comment),
                ("memory_mb", Token::Key),
                ("=", Token::Punctuation),
                ("256", Token::Literal),
                ("[[triggers]]", Token::Header),
                ("type", Token::Key),
                ("=", Token::Punctuation),
                ("'http'", Token::String),
                ("enabled", Token::Key),
                ("=", Token::Punctuation),
                ("false", Token::Literal),
            ]
        );
    }

    #[test]
    fn inline_tables_multi_line_strings_and_every_byte_covered() {
        let text = "environment = { GREETING = \"hi\", NAME = \"x\" }\nnote = \"\"\"\nline # not a comment\n\"\"\"\n[queues.\"work.fifo\"]\n";
        let all = tokens(text);
        let covered: String = all.iter().map(|(range, _)| &text[range.clone()]).collect();
        assert_eq!(covered, text);
        let found = shown(text);
        assert!(found.contains(&("GREETING", Token::Key)), "{found:?}");
        assert!(found.contains(&("NAME", Token::Key)), "{found:?}");
        assert!(
            found.contains(&("line # not a comment\n", Token::String)),
            "{found:?}"
        );
        assert!(
            found.contains(&("[queues.\"work.fifo\"]", Token::Header)),
            "{found:?}"
        );
    }
}
