//! The Logs view's model: a bounded window of log lines grouped by invocation (request
//! id), and the rows a filter shows (an invocation's header, its action row when
//! expanded, its lines). Rows are kept up to date as lines arrive instead of being
//! recomputed, so a flood of lines costs little per frame.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use crate::console::LogEntry;

/// Levels a line can be filtered by.
pub const LEVELS: [&str; 6] = ["All", "INFO", "WARN", "ERROR", "DEBUG", "Platform"];

/// The lines of one invocation: the lines a log store appends together.
#[derive(Debug)]
pub struct Group {
    pub request_id: Arc<str>,
    pub function: Arc<str>,
    /// Sequence numbers of its lines, ascending.
    pub lines: Vec<u64>,
}

/// One row of the view; sequence numbers never change while a line or group is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Header(u64),
    Actions(u64),
    Line(u64),
}

/// What the view shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// "All" or a function's name.
    pub function: String,
    pub level: &'static str,
    pub text: String,
    /// Group lines under their invocation; otherwise a flat tail of lines.
    pub grouped: bool,
    pub expand_all: bool,
    /// Only the invocations a trigger source caused (a map card's Logs link).
    pub source: Option<SourceFilter>,
}

/// The invocations one trigger source caused: its name as the map shows it, and their
/// request ids (shared: the filter is cloned every frame).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFilter {
    pub label: String,
    pub request_ids: Arc<HashSet<String>>,
}

impl Default for Filter {
    fn default() -> Self {
        Self {
            function: "All".to_owned(),
            level: "All",
            text: String::new(),
            grouped: true,
            expand_all: false,
            source: None,
        }
    }
}

impl Filter {
    /// A level or text filter shows the matching lines under each invocation.
    fn narrows_lines(&self) -> bool {
        self.level != "All" || !self.text.is_empty()
    }
}

/// The level of a log line written in Lambda's format.
pub fn level_of(message: &str) -> &'static str {
    for level in ["INFO", "WARN", "ERROR", "DEBUG", "TRACE"] {
        if message.contains(&format!("\t{level}\t")) {
            return if level == "TRACE" { "DEBUG" } else { level };
        }
    }
    let platform = ["START RequestId", "END RequestId", "REPORT RequestId"]
        .iter()
        .any(|prefix| message.starts_with(prefix));
    if platform { "Platform" } else { "INFO" }
}

#[derive(Debug)]
pub struct LogRows {
    capacity_lines: usize,
    lines: VecDeque<LogEntry>,
    first_line: u64,
    groups: VecDeque<Group>,
    first_group: u64,
    /// Group of each kept line, parallel to `lines`.
    line_groups: VecDeque<u64>,
    filter: Filter,
    /// The lower-cased filter text, computed once per filter change.
    text_lower: String,
    expanded: HashSet<u64>,
    rows: VecDeque<Row>,
    /// The next line not yet turned into rows.
    next_unrowed_line: u64,
    stale: bool,
}

impl LogRows {
    pub fn new(capacity_lines: usize) -> Self {
        Self {
            capacity_lines,
            lines: VecDeque::new(),
            first_line: 0,
            groups: VecDeque::new(),
            first_group: 0,
            line_groups: VecDeque::new(),
            filter: Filter::default(),
            text_lower: String::new(),
            expanded: HashSet::new(),
            rows: VecDeque::new(),
            next_unrowed_line: 0,
            stale: true,
        }
    }

    pub fn push(&mut self, entry: LogEntry) {
        if self.lines.len() == self.capacity_lines {
            self.evict_oldest_line();
        }
        let line = self.first_line + self.lines.len() as u64;
        // Lines of an invocation arrive together; look back a little in case two
        // invocations' lines interleave.
        let recent_group = self
            .groups
            .iter()
            .enumerate()
            .rev()
            .take(8)
            .find(|(_, group)| group.request_id == entry.request_id)
            .map(|(index, _)| index);
        let group = match recent_group {
            Some(index) => {
                self.groups[index].lines.push(line);
                self.first_group + index as u64
            }
            None => {
                self.groups.push_back(Group {
                    request_id: entry.request_id.clone(),
                    function: entry.function.clone(),
                    lines: vec![line],
                });
                self.first_group + self.groups.len() as u64 - 1
            }
        };
        self.lines.push_back(entry);
        self.line_groups.push_back(group);
    }

    fn evict_oldest_line(&mut self) {
        let (Some(_), Some(group)) = (self.lines.pop_front(), self.line_groups.pop_front()) else {
            return;
        };
        let evicted = self.first_line;
        self.first_line += 1;
        if let Some(index) = self.group_index(group) {
            self.groups[index].lines.retain(|line| *line != evicted);
        }
        while self
            .groups
            .front()
            .is_some_and(|group| group.lines.is_empty())
        {
            self.groups.pop_front();
            self.first_group += 1;
        }
    }

    fn group_index(&self, group: u64) -> Option<usize> {
        let index = usize::try_from(group.checked_sub(self.first_group)?).ok()?;
        (index < self.groups.len()).then_some(index)
    }

    pub fn line(&self, line: u64) -> Option<&LogEntry> {
        self.lines
            .get(usize::try_from(line.checked_sub(self.first_line)?).ok()?)
    }

    pub fn group(&self, group: u64) -> Option<&Group> {
        self.groups.get(self.group_index(group)?)
    }

    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    pub fn invocation_count(&self) -> usize {
        self.groups.len()
    }

    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    pub fn set_filter(&mut self, filter: Filter) {
        if filter != self.filter {
            self.text_lower = filter.text.to_lowercase();
            self.filter = filter;
            self.stale = true;
        }
    }

    pub fn is_expanded(&self, group: u64) -> bool {
        self.filter.expand_all || self.filter.narrows_lines() || self.expanded.contains(&group)
    }

    pub fn toggle(&mut self, group: u64) {
        if !self.expanded.remove(&group) {
            self.expanded.insert(group);
        }
        self.stale = true;
    }

    fn invocation_matches(&self, function: &str, request_id: &str) -> bool {
        (self.filter.function == "All" || self.filter.function == function)
            && self
                .filter
                .source
                .as_ref()
                .is_none_or(|source| source.request_ids.contains(request_id))
    }

    fn line_matches(&self, entry: &LogEntry) -> bool {
        (self.filter.level == "All" || level_of(&entry.message) == self.filter.level)
            && (self.text_lower.is_empty()
                || entry.message.to_lowercase().contains(&self.text_lower))
    }

    /// The rows to show, brought up to date with the lines that arrived.
    pub fn rows(&mut self) -> &VecDeque<Row> {
        if self.stale {
            self.rebuild();
        } else {
            self.drop_evicted_rows();
            self.add_new_lines();
        }
        &self.rows
    }

    fn rebuild(&mut self) {
        self.rows.clear();
        self.expanded.retain(|group| *group >= self.first_group);
        for index in 0..self.groups.len() {
            let sequence = self.first_group + index as u64;
            let group = &self.groups[index];
            if !self.invocation_matches(&group.function, &group.request_id) {
                continue;
            }
            let matching: Vec<u64> = group
                .lines
                .iter()
                .copied()
                .filter(|line| {
                    self.line(*line)
                        .is_some_and(|entry| self.line_matches(entry))
                })
                .collect();
            if matching.is_empty() {
                continue;
            }
            if !self.filter.grouped {
                self.rows.extend(matching.into_iter().map(Row::Line));
                continue;
            }
            self.rows.push_back(Row::Header(sequence));
            if self.is_expanded(sequence) {
                self.rows.push_back(Row::Actions(sequence));
                self.rows.extend(matching.into_iter().map(Row::Line));
            }
        }
        if !self.filter.grouped {
            // Interleaved invocations: a flat tail is in time order, not group order.
            self.rows.make_contiguous().sort_by_key(|row| match row {
                Row::Header(line) | Row::Actions(line) | Row::Line(line) => *line,
            });
        }
        self.next_unrowed_line = self.first_line + self.lines.len() as u64;
        self.stale = false;
    }

    fn drop_evicted_rows(&mut self) {
        // Evicted lines are the oldest: their rows are at the front, after at most the
        // header and action row of their (partly evicted) invocation, which stay.
        let mut kept = Vec::new();
        while let Some(&row) = self.rows.front() {
            let evicted = match row {
                Row::Header(group) | Row::Actions(group) => group < self.first_group,
                Row::Line(line) => line < self.first_line,
            };
            if evicted {
                self.rows.pop_front();
                continue;
            }
            match row {
                Row::Line(_) => break,
                Row::Header(_) | Row::Actions(_) => {
                    if kept.len() == 2 {
                        break;
                    }
                    kept.push(row);
                    self.rows.pop_front();
                }
            }
        }
        for row in kept.into_iter().rev() {
            self.rows.push_front(row);
        }
    }

    fn add_new_lines(&mut self) {
        let end = self.first_line + self.lines.len() as u64;
        let start = self.next_unrowed_line.max(self.first_line);
        self.next_unrowed_line = end;
        for line in start..end {
            let (Some(entry), Some(group)) = (
                self.line(line),
                self.line_groups
                    .get(usize::try_from(line - self.first_line).unwrap_or(usize::MAX))
                    .copied(),
            ) else {
                continue;
            };
            if !self.invocation_matches(&entry.function, &entry.request_id)
                || !self.line_matches(entry)
            {
                continue;
            }
            if !self.filter.grouped {
                self.rows.push_back(Row::Line(line));
                continue;
            }
            let last_group = self.rows.iter().rev().find_map(|row| match row {
                Row::Header(group) => Some(*group),
                _ => None,
            });
            match last_group {
                Some(last) if last == group => {
                    if self.is_expanded(group) {
                        self.rows.push_back(Row::Line(line));
                    }
                }
                Some(last) if last > group => {
                    // A line of an earlier invocation: rare; rebuild on the next call.
                    self.stale = true;
                    return;
                }
                _ => {
                    self.rows.push_back(Row::Header(group));
                    if self.is_expanded(group) {
                        self.rows.push_back(Row::Actions(group));
                        self.rows.push_back(Row::Line(line));
                    }
                }
            }
        }
    }

    /// The lines the filter shows (all lines of the shown invocations when grouped and
    /// not narrowed), oldest first.
    pub fn shown_lines(&self) -> impl Iterator<Item = &LogEntry> {
        let groups = self
            .groups
            .iter()
            .filter(|group| self.invocation_matches(&group.function, &group.request_id));
        groups.flat_map(move |group| {
            group
                .lines
                .iter()
                .filter_map(|line| self.line(*line))
                .filter(|entry| self.line_matches(entry))
        })
    }

    /// The lines of one invocation, in order.
    pub fn group_lines(&self, group: u64) -> impl Iterator<Item = &LogEntry> {
        self.group(group)
            .into_iter()
            .flat_map(|group| group.lines.iter().filter_map(|line| self.line(*line)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(function: &str, request_id: &str, message: &str) -> LogEntry {
        LogEntry {
            time: chrono::Utc::now(),
            function: Arc::from(function),
            request_id: Arc::from(request_id),
            log_stream: Arc::from(""),
            message: Arc::from(message),
        }
    }

    fn invocation(rows: &mut LogRows, function: &str, request_id: &str, message: &str) {
        rows.push(entry(
            function,
            request_id,
            &format!("START RequestId: {request_id}"),
        ));
        rows.push(entry(function, request_id, message));
        rows.push(entry(
            function,
            request_id,
            &format!("END RequestId: {request_id}"),
        ));
    }

    fn shown(rows: &mut LogRows) -> Vec<Row> {
        rows.rows().iter().copied().collect()
    }

    #[test]
    fn groups_lines_by_invocation_collapsed_until_expanded() {
        let mut rows = LogRows::new(100);
        invocation(&mut rows, "a", "r1", "2026\tr1\tINFO\thello");
        invocation(&mut rows, "b", "r2", "2026\tr2\tERROR\tboom");
        assert_eq!(shown(&mut rows), vec![Row::Header(0), Row::Header(1)]);
        rows.toggle(1);
        assert_eq!(
            shown(&mut rows),
            vec![
                Row::Header(0),
                Row::Header(1),
                Row::Actions(1),
                Row::Line(3),
                Row::Line(4),
                Row::Line(5)
            ]
        );
    }

    #[test]
    fn new_lines_extend_the_rows_as_a_rebuild_would() {
        let mut incremental = LogRows::new(100);
        incremental.set_filter(Filter {
            expand_all: true,
            ..Filter::default()
        });
        let _ = incremental.rows();
        invocation(&mut incremental, "a", "r1", "one");
        let _ = incremental.rows();
        invocation(&mut incremental, "a", "r2", "two");
        let after_increments = shown(&mut incremental);
        incremental.stale = true;
        assert_eq!(after_increments, shown(&mut incremental));
        assert_eq!(after_increments.len(), 2 * 5);
    }

    #[test]
    fn filters_by_function_level_and_text() {
        let mut rows = LogRows::new(100);
        invocation(&mut rows, "a", "r1", "2026\tr1\tINFO\thello");
        invocation(&mut rows, "b", "r2", "2026\tr2\tERROR\tboom");
        rows.set_filter(Filter {
            level: "ERROR",
            ..Filter::default()
        });
        assert_eq!(
            shown(&mut rows),
            vec![Row::Header(1), Row::Actions(1), Row::Line(4)]
        );
        rows.set_filter(Filter {
            function: "a".to_owned(),
            ..Filter::default()
        });
        assert_eq!(shown(&mut rows), vec![Row::Header(0)]);
        rows.set_filter(Filter {
            text: "HELLO".to_owned(),
            grouped: false,
            ..Filter::default()
        });
        assert_eq!(shown(&mut rows), vec![Row::Line(1)]);
    }

    #[test]
    fn a_source_filter_shows_only_the_invocations_it_caused_as_they_become_known() {
        let mut rows = LogRows::new(100);
        invocation(&mut rows, "a", "r1", "from the queue");
        invocation(&mut rows, "a", "r2", "from a test");
        let only = |ids: &[&str]| Filter {
            source: Some(SourceFilter {
                label: "queue orders".to_owned(),
                request_ids: Arc::new(ids.iter().map(|id| (*id).to_owned()).collect()),
            }),
            ..Filter::default()
        };
        rows.set_filter(only(&["r1"]));
        assert_eq!(shown(&mut rows), vec![Row::Header(0)]);
        // A new invocation's lines arrive before it is known to come from the source.
        invocation(&mut rows, "a", "r3", "from the queue, later");
        assert_eq!(shown(&mut rows), vec![Row::Header(0)]);
        rows.set_filter(only(&["r1", "r3"]));
        assert_eq!(shown(&mut rows), vec![Row::Header(0), Row::Header(2)]);
    }

    #[test]
    fn evicts_the_oldest_lines_and_their_rows() {
        let mut rows = LogRows::new(4);
        invocation(&mut rows, "a", "r1", "one");
        let _ = rows.rows();
        invocation(&mut rows, "a", "r2", "two");
        assert_eq!(rows.line_count(), 4);
        assert_eq!(rows.invocation_count(), 2);
        assert_eq!(shown(&mut rows), vec![Row::Header(0), Row::Header(1)]);
        rows.push(entry("a", "r3", "three"));
        assert_eq!(rows.invocation_count(), 2);
        assert_eq!(shown(&mut rows), vec![Row::Header(1), Row::Header(2)]);
        assert_eq!(
            rows.group_lines(1).map(|e| &*e.message).collect::<Vec<_>>(),
            vec!["START RequestId: r2", "two", "END RequestId: r2"]
        );
    }

    #[test]
    fn an_expanded_invocation_losing_its_first_lines_keeps_no_empty_rows() {
        // Regression: rows of evicted lines stayed behind their invocation's header.
        let mut rows = LogRows::new(4);
        rows.set_filter(Filter {
            expand_all: true,
            ..Filter::default()
        });
        invocation(&mut rows, "a", "r1", "one");
        let _ = rows.rows();
        rows.push(entry("a", "r2", "two"));
        rows.push(entry("a", "r2", "three"));
        let shown = shown(&mut rows);
        assert_eq!(
            shown,
            vec![
                Row::Header(0),
                Row::Actions(0),
                Row::Line(1),
                Row::Line(2),
                Row::Header(1),
                Row::Actions(1),
                Row::Line(3),
                Row::Line(4)
            ]
        );
    }

    #[test]
    fn reads_levels_in_lambda_format() {
        assert_eq!(
            level_of("2026-11-26T10:00:00.000Z\tid\tWARN\tcareful"),
            "WARN"
        );
        assert_eq!(level_of("REPORT RequestId: id\tDuration: 1 ms"), "Platform");
        assert_eq!(level_of("plain output"), "INFO");
    }
}
