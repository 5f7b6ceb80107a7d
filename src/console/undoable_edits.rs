//! The console's edits of the workspace's files that Undo takes back: configuration
//! saves, queues, topics and buckets made from a form or the map's palette, deletions
//! from the map, and the map's layout. Each goes through the edit history, which keeps
//! its files before and after.

use std::path::PathBuf;

use super::{Console, NotificationLevel};
use crate::model::{FUNCTION_FILE, MapLayout, MapSelection, WORKSPACE_FILE};

impl Console {
    /// Runs `perform` (an edit of `paths`) as one undoable edit.
    pub(super) fn record_edit<T>(
        &mut self,
        description: String,
        paths: Vec<PathBuf>,
        perform: impl FnOnce(&crate::model::Workspace) -> T,
    ) -> T {
        let workspace = &self.workspace;
        let result = self
            .edit_history
            .record(description, paths, || perform(workspace));
        self.show_history();
        result
    }

    /// `function.toml` of `function`.
    pub(super) fn function_file_path(&self, function: &str) -> PathBuf {
        self.workspace
            .functions_dir()
            .join(function)
            .join(FUNCTION_FILE)
    }

    /// `lambdesk.toml`.
    pub(super) fn workspace_file_path(&self) -> PathBuf {
        self.workspace.root().join(WORKSPACE_FILE)
    }

    fn map_layout_path(&self) -> PathBuf {
        MapLayout::path_in(&self.workspace.state_dir())
    }

    /// Tells the undo and redo buttons what they would do.
    fn show_history(&mut self) {
        self.state.next_undo = self.edit_history.next_undo().map(str::to_owned);
        self.state.next_redo = self.edit_history.next_redo().map(str::to_owned);
    }

    /// Writes where the user put the map's cards.
    pub(super) fn save_map_layout(&mut self, layout: &MapLayout) {
        let path = self.map_layout_path();
        let result = self.record_edit(
            "Move cards on the map".to_owned(),
            vec![path.clone()],
            |_| layout.save(&path),
        );
        if let Err(error) = result {
            self.notify(NotificationLevel::Error, error.to_string());
        }
    }

    /// Deletes a line or card of the map and what its confirmation listed with it; the
    /// files are read again first, so what is written is worked out from them as they are.
    pub(super) fn remove_from_map(&mut self, selection: &MapSelection) {
        let planned = self.workspace.plan_removal(selection);
        let result = planned.and_then(|removal| {
            let what = match selection {
                MapSelection::Card(node) => format!("Delete {}", node.describe()),
                MapSelection::Line { from, to, .. } => {
                    format!("Delete the line {} -> {}", from.describe(), to.describe())
                }
            };
            let paths = removal.paths(&self.workspace);
            self.record_edit(what.clone(), paths, |workspace| {
                workspace.apply_removal(&removal)
            })
            .map(|()| what)
        });
        self.after_files_edit(result.map_err(|error| error.to_string()));
    }

    /// Takes back the last edit.
    pub(super) fn undo_edit(&mut self) {
        let result = self.edit_history.undo();
        self.after_history_step(result.map(|(what, paths)| (format!("Undid: {what}"), paths)));
    }

    /// Makes the last undone edit again.
    pub(super) fn redo_edit(&mut self) {
        let result = self.edit_history.redo();
        self.after_history_step(result.map(|(what, paths)| (format!("Redid: {what}"), paths)));
    }

    fn after_history_step(
        &mut self,
        result: Result<(String, Vec<PathBuf>), super::edit_history::UndoError>,
    ) {
        self.show_history();
        let result = result.map(|(said, paths)| {
            if paths.contains(&self.map_layout_path()) {
                self.state.map_layout_generation += 1;
            }
            said
        });
        self.after_files_edit(result.map_err(|error| error.to_string()));
    }

    /// Says how an edit went and reads the files again at once, so every view shows the
    /// result this frame; the disk watch's own reload then finds nothing new.
    pub(super) fn after_files_edit(&mut self, result: Result<String, String>) {
        let done = result.is_ok();
        self.say(result);
        if done {
            self.reload_workspace_config();
            self.refresh_functions();
            self.state.disk_generation += 1;
        }
    }
}
