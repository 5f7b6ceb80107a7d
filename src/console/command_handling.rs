//! Applying the commands panels send: one match, each arm a call or a few lines.

use super::*;

impl Console {
    /// Applies one command from the UI.
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::Invoke { function, event } => {
                self.start_invocation(&function, Arc::from(event), "Test");
            }
            Command::Rerun { request_id } => self.rerun(&request_id),
            Command::Cancel { function } => self.cancel_invocation(&function),
            Command::RenameFile { function, from, to } => self.rename_file(&function, &from, &to),
            Command::DeleteFile {
                function,
                relative_path,
            } => {
                if let Some(path) = self.file_path(&function, &relative_path)
                    && let Err(error) = std::fs::remove_file(&path)
                {
                    self.notify(
                        NotificationLevel::Error,
                        format!("Could not delete {}: {error}", path.display()),
                    );
                }
                self.refresh_functions();
            }
            Command::Autosave {
                function,
                relative_path,
                contents,
            } => {
                let Some(path) = self.autosave_path(&function, &relative_path) else {
                    return;
                };
                let result = match contents {
                    Some(contents) => write_atomically(&path, contents.as_bytes()),
                    None => match std::fs::remove_file(&path) {
                        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
                        other => other,
                    },
                };
                if let Err(error) = result {
                    self.notify(
                        NotificationLevel::Error,
                        format!("Could not autosave {}: {error}", path.display()),
                    );
                }
            }
            Command::SaveFile {
                function,
                relative_path,
                contents,
                expected,
            } => self.save_file(&function, &relative_path, &contents, expected.as_deref()),
            Command::NewFile {
                function,
                relative_path,
            } => self.new_file(&function, &relative_path),
            Command::DismissSaveConflict {
                function,
                relative_path,
            } => {
                self.state.save_conflicts.remove(&(function, relative_path));
            }
            Command::SaveConfig {
                function,
                base,
                config,
                overwrite,
            } => self.save_config(&function, &base, &config, overwrite),
            Command::CreateFunction {
                blueprint,
                name,
                memory_mb,
                triggers,
            } => self.create_function(&blueprint, &name, memory_mb, triggers),
            Command::SaveEvent {
                function,
                name,
                json,
            } => self.save_event(&function, &name, &json),
            Command::DeleteEvent { function, name } => {
                let Some(path) = self.event_path(&function, &name) else {
                    return;
                };
                if let Err(error) = std::fs::remove_file(&path) {
                    self.notify(
                        NotificationLevel::Error,
                        format!("Could not delete {}: {error}", path.display()),
                    );
                }
                self.state.events_changed = true;
            }
            Command::DeleteFunction { function } => self.delete_function(&function),
            Command::RenameFunction { from, to } => self.rename_function(&from, &to),
            Command::ImportWasm { path } => self.import_wasm(&path),
            Command::ExportSamApplication { out_dir } => self.start_sam_export(out_dir),
            Command::DismissSamExport => {
                if !matches!(self.state.sam_export, Some(SamExportState::Running { .. })) {
                    self.state.sam_export = None;
                }
            }
            Command::ExportLogs { path, text } => {
                if let Err(error) = write_atomically(&path, text.as_bytes()) {
                    self.notify(
                        NotificationLevel::Error,
                        format!("Could not export to {}: {error}", path.display()),
                    );
                }
            }
            Command::SendMessage {
                queue,
                body,
                attributes,
                group_id,
            } => {
                let result = self
                    .messaging
                    .send(&queue, &body, &attributes, group_id.as_deref());
                self.say(result);
            }
            Command::PurgeQueue { queue } => {
                let result = self.messaging.purge(&queue);
                self.say(result);
            }
            Command::RedriveQueue { queue } => {
                let result = self.messaging.redrive(&queue);
                self.say(result);
            }
            Command::BrowseQueue { queue } => self.messaging.browse(queue),
            Command::Publish {
                topic,
                message,
                subject,
                attributes,
            } => {
                let result = self
                    .messaging
                    .publish(&topic, &message, &subject, &attributes);
                self.say(result);
            }
            Command::SendTestEvent { function, index } => self.send_test_event(&function, index),
            Command::CreateQueue {
                queue,
                visibility_timeout_secs,
            } => self.create_queue(&queue, visibility_timeout_secs),
            Command::CreateTopic { topic } => self.create_topic(&topic),
            Command::CreateBucket { bucket } => self.create_bucket(&bucket),
            Command::SaveMapLayout { layout } => self.save_map_layout(&layout),
            Command::RemoveFromMap { selection } => self.remove_from_map(&selection),
            Command::Undo => self.undo_edit(),
            Command::Redo => self.redo_edit(),
            Command::Build { function } => self.build_function(&function),
            Command::CancelBuild { function } => crate::runtime::cancel_build(&function),
            Command::Refresh => self.refresh_functions(),
            Command::MarkNotificationsSeen => self.notifications.lock().mark_seen(),
            Command::ClearNotifications => self.notifications.lock().clear(),
            Command::ShowMessage(message) => self.notify(NotificationLevel::Error, message),
        }
    }

    /// Tells the user how an action went.
    pub(super) fn say(&mut self, result: Result<String, String>) {
        match result {
            Ok(done) => self.notify(NotificationLevel::Info, done),
            Err(failed) => self.notify(NotificationLevel::Error, failed),
        }
    }
}
