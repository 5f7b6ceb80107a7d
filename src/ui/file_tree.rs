//! The Code tab's file tree: a function's files by folder, like the Lambda console's
//! Environment explorer. Folders first, then files, each sorted by name.

use std::collections::BTreeMap;

/// A folder of the tree: sub-folders and files (name → relative path).
#[derive(Debug, Default, PartialEq)]
struct Folder {
    folders: BTreeMap<String, Folder>,
    files: BTreeMap<String, String>,
}

impl Folder {
    fn of(files: &[String]) -> Self {
        let mut root = Self::default();
        for path in files {
            let mut folder = &mut root;
            let mut parts: Vec<&str> = path.split('/').collect();
            let Some(name) = parts.pop() else {
                continue;
            };
            for part in parts {
                folder = folder.folders.entry(part.to_owned()).or_default();
            }
            folder.files.insert(name.to_owned(), path.clone());
        }
        root
    }
}

/// Draws the tree; returns the file clicked. `current` is highlighted, and marked with
/// `*` when it has unsaved changes.
pub fn ui(
    ui: &mut egui::Ui,
    files: &[String],
    current: Option<&str>,
    dirty: bool,
) -> Option<String> {
    let mut clicked = None;
    folder_ui(ui, &Folder::of(files), "", current, dirty, &mut clicked);
    clicked
}

fn folder_ui(
    ui: &mut egui::Ui,
    folder: &Folder,
    path: &str,
    current: Option<&str>,
    dirty: bool,
    clicked: &mut Option<String>,
) {
    for (name, sub_folder) in &folder.folders {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}/{name}")
        };
        egui::CollapsingHeader::new(format!("{name}/"))
            .id_salt(("file_tree", &sub_path))
            .default_open(true)
            .show(ui, |ui| {
                folder_ui(ui, sub_folder, &sub_path, current, dirty, clicked);
            });
    }
    for (name, relative_path) in &folder.files {
        let is_current = current == Some(relative_path.as_str());
        let label = if is_current && dirty {
            format!("{name} *")
        } else {
            name.clone()
        };
        let response = ui
            .selectable_label(is_current, label)
            .on_hover_text(relative_path);
        if response.clicked() && !is_current {
            *clicked = Some(relative_path.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nests_files_by_folder() {
        let files: Vec<String> = [
            "function.toml",
            "index.mjs",
            "lib/util.mjs",
            "lib/deep/x.json",
        ]
        .map(str::to_owned)
        .into();
        let tree = Folder::of(&files);
        assert_eq!(
            tree.files.keys().collect::<Vec<_>>(),
            vec!["function.toml", "index.mjs"]
        );
        let lib = &tree.folders["lib"];
        assert_eq!(lib.files["util.mjs"], "lib/util.mjs");
        assert_eq!(lib.folders["deep"].files["x.json"], "lib/deep/x.json");
    }
}
