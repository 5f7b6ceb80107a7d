//! Writes a changed configuration back into the user's TOML file in place: only the keys
//! that changed are touched, so comments, key order and blank lines stay.
//!
//! A change is the difference between two configurations: the one a view read (`base`)
//! and the one the user made of it (`edited`). It is applied to the file as it is *now*,
//! which may have changed since the view read it (the Code tab saved it, another program
//! wrote it). Changes on both sides merge when they touch different keys; when both sides
//! changed the same key differently, that is a conflict and nothing is written unless the
//! caller chose to keep its own values.

use toml::Value;
use toml_edit::{DocumentMut, Item, TableLike};

/// Keys that both the file and the edit changed, each as a dotted path
/// (`timeout_secs`, `triggers[2].expression`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflicts(pub Vec<String>);

/// What to do with a key both sides changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    /// Write nothing and report the conflicting keys.
    Refuse,
    /// The edit's value wins (the user chose to overwrite).
    KeepEdited,
}

/// Applies the change from `base` to `edited` to `document`, whose meaning is `current`.
/// Returns the keys both sides changed (written with the edited value only with
/// [`OnConflict::KeepEdited`]; with [`OnConflict::Refuse`] the document may be half
/// changed and must be dropped).
pub fn apply_change(
    document: &mut DocumentMut,
    base: &toml::Table,
    edited: &toml::Table,
    current: &toml::Table,
    on_conflict: OnConflict,
) -> Conflicts {
    let mut merge = Merge {
        on_conflict,
        conflicts: Vec::new(),
    };
    merge.tables(document.as_table_mut(), base, edited, current, "");
    Conflicts(merge.conflicts)
}

struct Merge {
    on_conflict: OnConflict,
    conflicts: Vec<String>,
}

impl Merge {
    fn tables(
        &mut self,
        target: &mut dyn TableLike,
        base: &toml::Table,
        edited: &toml::Table,
        current: &toml::Table,
        path: &str,
    ) {
        let keys = edited
            .keys()
            .chain(base.keys().filter(|key| !edited.contains_key(*key)));
        for key in keys {
            let key_path = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            self.key(target, key, &key_path, base, edited, current);
        }
    }

    fn key(
        &mut self,
        target: &mut dyn TableLike,
        key: &str,
        key_path: &str,
        base: &toml::Table,
        edited: &toml::Table,
        current: &toml::Table,
    ) {
        let (was, wanted, now) = (base.get(key), edited.get(key), current.get(key));
        if was == wanted {
            return;
        }
        // Tables and lists of tables on every side: merge inside them, so the comments
        // within stay and changes to different keys of one table both survive.
        if let (Some(Value::Table(was)), Some(Value::Table(wanted)), Some(Value::Table(now))) =
            (was, wanted, now)
            && let Some(inner) = target.get_mut(key).and_then(Item::as_table_like_mut)
        {
            self.tables(inner, was, wanted, now, key_path);
            return;
        }
        if let (Some(Value::Array(was)), Some(Value::Array(wanted)), Some(Value::Array(now))) =
            (was, wanted, now)
            && [was, wanted, now].iter().all(|list| all_tables(list))
            && let Some(item) = target.get_mut(key)
            && self.table_lists(item, was, wanted, now, key_path)
        {
            return;
        }
        if now == wanted {
            return;
        }
        if now != was {
            self.conflicts.push(key_path.to_owned());
            if self.on_conflict == OnConflict::Refuse {
                return;
            }
        }
        match wanted {
            Some(value) => set_value(target, key, value),
            None => {
                target.remove(key);
            }
        }
    }

    /// Merges lists of tables (`[[triggers]]`) element by element: edits of an element,
    /// elements added at the end, elements removed. Returns false for changes it cannot
    /// place (the caller then treats the list as one value).
    fn table_lists(
        &mut self,
        item: &mut Item,
        was: &[Value],
        wanted: &[Value],
        now: &[Value],
        path: &str,
    ) -> bool {
        let table_at = |list: &[Value], index: usize| match list.get(index) {
            Some(Value::Table(table)) => Some(table.clone()),
            _ => None,
        };
        if wanted.len() < was.len() {
            // Removed elements: the edit must be the base less some elements, each of
            // which the file still has unchanged at its place.
            let Some(removed) = removed_indices(was, wanted) else {
                return false;
            };
            if now.len() < was.len() || removed.iter().any(|&index| now[index] != was[index]) {
                return false;
            }
            for &index in removed.iter().rev() {
                remove_element(item, index);
            }
            return true;
        }
        if now.len() < was.len() {
            return false;
        }
        for index in 0..was.len() {
            let (Some(was_table), Some(wanted_table), Some(now_table)) = (
                table_at(was, index),
                table_at(wanted, index),
                table_at(now, index),
            ) else {
                return false;
            };
            if was_table == wanted_table {
                continue;
            }
            let Some(target) = element_mut(item, index) else {
                return false;
            };
            self.tables(
                target,
                &was_table,
                &wanted_table,
                &now_table,
                &format!("{path}[{index}]"),
            );
        }
        for added in &wanted[was.len()..] {
            if !push_element(item, added) {
                return false;
            }
        }
        true
    }
}

fn all_tables(list: &[Value]) -> bool {
    list.iter().all(|value| matches!(value, Value::Table(_)))
}

/// The indices of `was` that `wanted` lacks, if `wanted` is `was` with some elements
/// taken out (order kept).
fn removed_indices(was: &[Value], wanted: &[Value]) -> Option<Vec<usize>> {
    let mut removed = Vec::new();
    let mut next = 0;
    for (index, element) in was.iter().enumerate() {
        if wanted.get(next) == Some(element) {
            next += 1;
        } else {
            removed.push(index);
        }
    }
    (next == wanted.len()).then_some(removed)
}

fn element_mut(item: &mut Item, index: usize) -> Option<&mut dyn TableLike> {
    match item {
        Item::ArrayOfTables(tables) => tables
            .get_mut(index)
            .map(|table| table as &mut dyn TableLike),
        Item::Value(toml_edit::Value::Array(array)) => array
            .get_mut(index)
            .and_then(toml_edit::Value::as_inline_table_mut)
            .map(|table| table as &mut dyn TableLike),
        _ => None,
    }
}

fn remove_element(item: &mut Item, index: usize) {
    match item {
        Item::ArrayOfTables(tables) => {
            tables.remove(index);
        }
        Item::Value(toml_edit::Value::Array(array)) => {
            array.remove(index);
        }
        _ => {}
    }
}

fn push_element(item: &mut Item, value: &Value) -> bool {
    let Some(new_item) = item_of(value) else {
        return false;
    };
    match item {
        Item::ArrayOfTables(tables) => match new_item {
            Item::Table(table) => {
                tables.push(table);
                true
            }
            _ => false,
        },
        Item::Value(toml_edit::Value::Array(array)) => match new_item.into_value() {
            Ok(value) => {
                array.push_formatted(value);
                true
            }
            Err(_) => false,
        },
        _ => false,
    }
}

/// Sets `key` to `value`, keeping the comment after the old value (`memory_mb = 256  #
/// caps the sandbox`) and the key's place.
fn set_value(target: &mut dyn TableLike, key: &str, value: &Value) {
    let Some(mut new_item) = item_of(value) else {
        return;
    };
    if let Some(existing) = target.get_mut(key) {
        if let (Item::Value(old), Item::Value(new)) = (&*existing, &mut new_item) {
            *new.decor_mut() = old.decor().clone();
        }
        *existing = new_item;
    } else {
        target.insert(key, new_item);
    }
}

/// `value` as toml_edit writes it: tables as `[table]` sections, lists of tables as
/// `[[list]]`, the rest inline; formatted as the `toml` crate formats a new file.
fn item_of(value: &Value) -> Option<Item> {
    let mut wrapper = toml::Table::new();
    wrapper.insert("value".to_owned(), value.clone());
    let text = toml::to_string(&wrapper).ok()?;
    let mut document: DocumentMut = text.parse().ok()?;
    let mut item = document.remove("value")?;
    forget_positions(&mut item);
    set_off_tables(&mut item);
    if let Item::Value(value) = &mut item {
        value.decor_mut().clear();
    }
    Some(item)
}

/// A new `[table]` or `[[list]]` section starts after a blank line, as the `toml` crate
/// writes a new file, so it does not run into the section before it.
fn set_off_tables(item: &mut Item) {
    match item {
        Item::Table(table) => {
            if !table.is_implicit() {
                table.decor_mut().set_prefix("\n");
            }
            for (_, child) in table.iter_mut() {
                set_off_tables(child);
            }
        }
        Item::ArrayOfTables(tables) => {
            for table in tables.iter_mut() {
                table.decor_mut().set_prefix("\n");
            }
        }
        Item::Value(_) | Item::None => {}
    }
}

/// Tables parsed from the scratch document carry its positions; cleared, they are
/// written after the tables around them in the user's file.
fn forget_positions(item: &mut Item) {
    match item {
        Item::Table(table) => {
            table.set_position(None);
            for (_, child) in table.iter_mut() {
                forget_positions(child);
            }
        }
        Item::ArrayOfTables(tables) => {
            for table in tables.iter_mut() {
                table.set_position(None);
                for (_, child) in table.iter_mut() {
                    forget_positions(child);
                }
            }
        }
        Item::Value(_) | Item::None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    /// Applies base → edited to `file` (whose meaning is itself).
    fn apply(file: &str, base: &str, edited: &str) -> (String, Conflicts) {
        let mut document: DocumentMut = file.parse().unwrap();
        let conflicts = apply_change(
            &mut document,
            &table(base),
            &table(edited),
            &table(file),
            OnConflict::Refuse,
        );
        (document.to_string(), conflicts)
    }

    const FILE: &str = "# my function\nruntime = \"js\"\n\n# a slow API\ntimeout_secs = 10 # seconds\nhandler = \"index.handler\"\n\n[environment]\n# the greeting\nGREETING = \"hi\"\n\n# nightly\n[[triggers]]\ntype = \"schedule\"\nexpression = \"rate(1 day)\"\n";

    #[test]
    fn a_changed_key_keeps_every_comment_blank_line_and_the_order() {
        let base = FILE;
        let edited = FILE.replace("timeout_secs = 10", "timeout_secs = 30");
        let (written, conflicts) = apply(FILE, base, &edited);
        assert!(conflicts.0.is_empty());
        assert_eq!(
            written,
            FILE.replace("timeout_secs = 10 # seconds", "timeout_secs = 30 # seconds")
        );
    }

    #[test]
    fn a_new_key_is_added_and_a_removed_one_goes_alone() {
        let edited = "runtime = \"js\"\ntimeout_secs = 10\nhandler = \"index.handler\"\nmemory_mb = 256\n[environment]\n[[triggers]]\ntype = \"schedule\"\nexpression = \"rate(1 day)\"\n";
        let (written, conflicts) = apply(FILE, FILE, edited);
        assert!(conflicts.0.is_empty());
        assert!(written.contains("memory_mb = 256"), "{written}");
        assert!(!written.contains("GREETING"), "{written}");
        assert!(written.contains("# my function\nruntime"), "{written}");
        assert!(written.contains("# nightly\n[[triggers]]"), "{written}");
    }

    #[test]
    fn a_trigger_added_elsewhere_survives_a_change_made_from_an_older_copy() {
        // The Configuration tab read FILE; the Code tab then added a trigger; the
        // Configuration tab changes the timeout.
        let now = format!(
            "{FILE}\n# added in the editor\n[[triggers]]\ntype = \"http\"\nroute = \"GET /x\"\n"
        );
        let edited = FILE.replace("timeout_secs = 10", "timeout_secs = 30");
        let mut document: DocumentMut = now.parse().unwrap();
        let conflicts = apply_change(
            &mut document,
            &table(FILE),
            &table(&edited),
            &table(&now),
            OnConflict::Refuse,
        );
        assert!(conflicts.0.is_empty());
        let written = document.to_string();
        assert!(written.contains("timeout_secs = 30 # seconds"), "{written}");
        assert!(
            written.contains("# added in the editor\n[[triggers]]\ntype = \"http\""),
            "{written}"
        );
    }

    #[test]
    fn the_same_key_changed_on_both_sides_is_a_conflict() {
        let now = FILE.replace("timeout_secs = 10", "timeout_secs = 20");
        let edited = FILE.replace("timeout_secs = 10", "timeout_secs = 30");
        let mut document: DocumentMut = now.parse().unwrap();
        let conflicts = apply_change(
            &mut document,
            &table(FILE),
            &table(&edited),
            &table(&now),
            OnConflict::Refuse,
        );
        assert_eq!(conflicts.0, vec!["timeout_secs".to_owned()]);

        let mut document: DocumentMut = now.parse().unwrap();
        apply_change(
            &mut document,
            &table(FILE),
            &table(&edited),
            &table(&now),
            OnConflict::KeepEdited,
        );
        assert!(document.to_string().contains("timeout_secs = 30 # seconds"));
    }

    #[test]
    fn a_trigger_is_changed_added_and_removed_in_place() {
        let two = format!("{FILE}\n# web\n[[triggers]]\ntype = \"http\"\nroute = \"GET /x\"\n");
        let switched_off = two.replace(
            "expression = \"rate(1 day)\"",
            "expression = \"rate(1 day)\"\nenabled = false",
        );
        let (written, conflicts) = apply(&two, &two, &switched_off);
        assert!(conflicts.0.is_empty());
        assert_eq!(written, switched_off);

        let first_removed = "# my function\nruntime = \"js\"\ntimeout_secs = 10\nhandler = \"index.handler\"\n[environment]\nGREETING = \"hi\"\n[[triggers]]\ntype = \"http\"\nroute = \"GET /x\"\n";
        let (written, _) = apply(&two, &two, first_removed);
        assert!(!written.contains("rate(1 day)"), "{written}");
        assert!(written.contains("# web\n[[triggers]]"), "{written}");

        let added = format!("{two}[[triggers]]\ntype = \"bucket\"\nbucket = \"photos\"\n");
        let (written, _) = apply(&two, &two, &added);
        assert!(
            written.ends_with("[[triggers]]\ntype = \"bucket\"\nbucket = \"photos\"\n"),
            "{written}"
        );
    }

    #[test]
    fn inline_tables_are_edited_inline() {
        let file = "runtime = \"js\"\nenvironment = { A = \"1\", B = \"2\" } # vars\n";
        let edited = "runtime = \"js\"\nenvironment = { A = \"1\", B = \"3\" }\n";
        let (written, _) = apply(file, file, edited);
        assert_eq!(
            written,
            "runtime = \"js\"\nenvironment = { A = \"1\", B = \"3\" } # vars\n"
        );
    }
}
