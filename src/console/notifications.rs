//! What the console tells the user, kept as a list with history: a trigger problem, a
//! failed save and a sent message each stay readable until cleared, instead of one
//! message slot that the next one overwrites. Background threads (triggers) add to it
//! directly, so no note is dropped when the UI is busy.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// How many notifications are kept; older ones go first.
const KEPT_NOTIFICATIONS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NotificationLevel {
    /// Something done as asked ("Sent 1 message to orders").
    Info,
    /// Something that may need a look (a trigger that could not start).
    Warning,
    /// Something that failed.
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// Increases with every notification: the newest has the highest.
    pub id: u64,
    pub level: NotificationLevel,
    pub text: String,
    pub at: chrono::DateTime<chrono::Local>,
}

/// The notifications, newest last.
#[derive(Debug, Clone, Default)]
pub struct Notifications {
    items: VecDeque<Notification>,
    next_id: u64,
    /// Notifications with an id below this were seen (the list was opened or dismissed).
    seen_below: u64,
}

impl Notifications {
    pub fn push(&mut self, level: NotificationLevel, text: impl Into<String>) {
        let text = text.into();
        // The same note again (a trigger failing on every fire) is one line, refreshed.
        if let Some(last) = self.items.back_mut()
            && last.level == level
            && last.text == text
            && last.id >= self.seen_below
        {
            last.at = chrono::Local::now();
            return;
        }
        if self.items.len() == KEPT_NOTIFICATIONS {
            self.items.pop_front();
        }
        self.items.push_back(Notification {
            id: self.next_id,
            level,
            text,
            at: chrono::Local::now(),
        });
        self.next_id += 1;
    }

    /// Every notification kept, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Notification> {
        self.items.iter()
    }

    /// The notifications not seen yet, oldest first.
    pub fn unseen(&self) -> impl DoubleEndedIterator<Item = &Notification> {
        self.items
            .iter()
            .filter(move |notification| notification.id >= self.seen_below)
    }

    pub fn mark_seen(&mut self) {
        self.seen_below = self.next_id;
    }

    pub fn clear(&mut self) {
        self.items.clear();
        self.mark_seen();
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Changes with every push, mark and clear: a snapshot is taken again only then.
    fn version(&self) -> (u64, u64, usize) {
        (self.next_id, self.seen_below, self.items.len())
    }
}

/// The notifications shared with the trigger threads.
#[derive(Debug, Clone, Default)]
pub struct SharedNotifications(Arc<Mutex<Notifications>>);

impl SharedNotifications {
    pub fn lock(&self) -> MutexGuard<'_, Notifications> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn push(&self, level: NotificationLevel, text: impl Into<String>) {
        self.lock().push(level, text);
    }

    /// A copy for the UI, if anything changed since `snapshot` was taken.
    pub fn refreshed(&self, snapshot: &Notifications) -> Option<Notifications> {
        let current = self.lock();
        (current.version() != snapshot.version()).then(|| current.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_kept_in_order_with_their_levels_until_cleared() {
        let mut notifications = Notifications::default();
        notifications.push(NotificationLevel::Warning, "the gateway cannot listen");
        notifications.push(NotificationLevel::Error, "could not save");
        notifications.push(NotificationLevel::Info, "sent");
        let texts: Vec<_> = notifications.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(
            texts,
            ["the gateway cannot listen", "could not save", "sent"]
        );
        assert_eq!(notifications.unseen().count(), 3);
        notifications.mark_seen();
        assert_eq!(notifications.unseen().count(), 0);
        assert_eq!(notifications.iter().count(), 3);
        notifications.clear();
        assert!(notifications.is_empty());
    }

    #[test]
    fn a_repeated_note_is_one_line_and_the_oldest_go_first() {
        let mut notifications = Notifications::default();
        for _ in 0..3 {
            notifications.push(NotificationLevel::Error, "orders: queue missing");
        }
        assert_eq!(notifications.iter().count(), 1);
        for index in 0..KEPT_NOTIFICATIONS + 5 {
            notifications.push(NotificationLevel::Info, format!("note {index}"));
        }
        assert_eq!(notifications.iter().count(), KEPT_NOTIFICATIONS);
        assert_eq!(
            notifications.iter().next().map(|n| n.text.clone()),
            Some("note 5".to_owned())
        );
    }
}
