//! Text edits of the Code tab's editor that egui's TextEdit does not make itself:
//! indentation kept on Enter, Shift+Tab, and find-next.

/// Byte offset of the `char_index`-th character.
pub(super) fn byte_offset(text: &str, char_index: usize) -> usize {
    text.char_indices()
        .nth(char_index)
        .map_or(text.len(), |(offset, _)| offset)
}

/// After Enter at `cursor` (a char index just past the new line break): gives the new line
/// the leading whitespace of the line above. Returns the new cursor.
pub(super) fn indent_like_previous_line(text: &mut String, cursor: usize) -> Option<usize> {
    let at = byte_offset(text, cursor);
    let before = text.get(..at)?.strip_suffix('\n')?;
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    let indent: String = before[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    if indent.is_empty() {
        return None;
    }
    text.insert_str(at, &indent);
    Some(cursor + indent.chars().count())
}

/// Shift+Tab: removes one level (a tab or up to two spaces) from the start of the
/// cursor's line. Returns the new cursor.
pub(super) fn unindent_line(text: &mut String, cursor: usize) -> Option<usize> {
    let at = byte_offset(text, cursor);
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |index| index + 1);
    let line = &text[line_start..];
    let removed = if line.starts_with('\t') {
        1
    } else {
        line.chars().take(2).take_while(|c| *c == ' ').count()
    };
    if removed == 0 {
        return None;
    }
    text.replace_range(line_start..line_start + removed, "");
    Some(
        cursor
            .saturating_sub(removed)
            .max(text[..line_start].chars().count()),
    )
}

/// The next occurrence of `needle` at or after char `from` (wrapping around), as char
/// indexes (start, end).
pub(super) fn next_match(text: &str, needle: &str, from: usize) -> Option<(usize, usize)> {
    if needle.is_empty() {
        return None;
    }
    let from_byte = byte_offset(text, from);
    let found = text[from_byte..]
        .find(needle)
        .map(|offset| from_byte + offset)
        .or_else(|| text.find(needle))?;
    let start = text[..found].chars().count();
    Some((start, start + needle.chars().count()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enter_keeps_the_indentation_of_the_line_above() {
        let mut text = "  if (x) {\n".to_owned();
        assert_eq!(indent_like_previous_line(&mut text, 11), Some(13));
        assert_eq!(text, "  if (x) {\n  ");
        let mut flat = "x\n".to_owned();
        assert_eq!(indent_like_previous_line(&mut flat, 2), None);
    }

    #[test]
    fn find_next_wraps_around() {
        assert_eq!(next_match("a b a", "a", 1), Some((4, 5)));
        assert_eq!(next_match("a b a", "a", 5), Some((0, 1)));
        assert_eq!(next_match("héllo", "llo", 0), Some((2, 5)));
        assert_eq!(next_match("abc", "x", 0), None);
    }

    #[test]
    fn shift_tab_removes_one_level() {
        let mut text = "a\n    b".to_owned();
        assert_eq!(unindent_line(&mut text, 7), Some(5));
        assert_eq!(text, "a\n  b");
        let mut tabbed = "\tc".to_owned();
        assert_eq!(unindent_line(&mut tabbed, 2), Some(1));
        assert_eq!(tabbed, "c");
    }
}
