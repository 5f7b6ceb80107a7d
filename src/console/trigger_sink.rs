//! How invocations started by triggers reach the console: recorded in the shared ledger
//! (logs, meter, history) on the trigger's thread, then a short note to the UI so the
//! function's status follows.

use std::sync::mpsc::SyncSender;

use crate::triggers::{FinishedInvocation, InvocationSink};

use super::notifications::{NotificationLevel, SharedNotifications};
use super::session_ledger::SharedLedger;
use super::{ConsoleEvent, Waker};

pub struct ConsoleSink {
    pub ledger: SharedLedger,
    pub events: SyncSender<ConsoleEvent>,
    /// Problems go here, never dropped, however busy the UI is.
    pub notifications: SharedNotifications,
    pub waker: Waker,
}

impl InvocationSink for ConsoleSink {
    fn finished(&self, invocation: FinishedInvocation) {
        let success = match &invocation.result {
            Ok(record) => {
                let (_, logged) =
                    self.ledger
                        .record(record, &invocation.origin, invocation.event.clone());
                if let Err(message) = logged {
                    self.notifications.push(NotificationLevel::Error, message);
                }
                record.is_success()
            }
            Err(message) => {
                // No sandbox ran, so no START/END/REPORT: the function's log says why.
                if let Err(error) = self.ledger.logs().append_not_started(
                    &invocation.function,
                    &invocation.origin,
                    message,
                ) {
                    self.notifications
                        .push(NotificationLevel::Error, error.to_string());
                }
                self.notifications.push(
                    NotificationLevel::Error,
                    format!("{} ({}): {message}", invocation.function, invocation.origin),
                );
                false
            }
        };
        // Lossy on purpose: a full queue means the UI is busy, and the next note brings
        // the status up to date; the ledger already has the invocation.
        let _ = self.events.try_send(ConsoleEvent::TriggerFinished {
            function: invocation.function,
            success,
        });
        (self.waker)();
    }

    /// A trigger that stopped unexpectedly is the workspace's news, not a function's log.
    fn problem(&self, text: String) {
        self.notifications.push(NotificationLevel::Warning, text);
        (self.waker)();
    }
}
