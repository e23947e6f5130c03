//! The subscribers of a chat as its last read saw them, so that a message's fan-out needs no
//! Query of its own: reading a chat reads its `SUB#` items in the same call (they share its
//! partition), and a commit that succeeds on the condition `subs_rev = :seen` proves that nobody
//! subscribed between that read and the commit. Every new subscription moves `subs_rev` in its own
//! transaction, so the set read is exactly the set to tell; a connection that left meanwhile
//! costs one failed post at most.
//!
//! Held per store (one Lambda environment serves one event at a time; in tests many tasks share a
//! store, and an entry only ever answers for the commit made from its own read).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::ChatId;
use crate::ports::Subscriber;

/// More entries than one process holds reads in flight for; past it, old ones go first.
const MOST_ENTRIES: usize = 4096;
/// A confirmed set answers only the fan-out right after its commit.
const CONFIRMED_FOR: Duration = Duration::from_secs(5);

/// What the chat's subscriptions looked like at a read.
#[derive(Clone, Debug)]
pub(super) struct SeenRead {
    /// The chat's `last_seq` at the read: the commit made from this read expects it.
    pub last_seq: u64,
    /// `subs_rev` at the read; `None` for a chat stored before subscriptions moved into its
    /// partition (its subscribers are still the `CSUB#` items).
    pub rev: Option<u64>,
    pub subscribers: Vec<Subscriber>,
}

struct Entry {
    read: SeenRead,
    at: Instant,
    /// Set by the commit made from this read: `subscribers` are those of the chat at that commit.
    confirmed: bool,
}

#[derive(Default)]
pub(super) struct SeenSubscribers {
    entries: Mutex<HashMap<ChatId, Entry>>,
}

impl SeenSubscribers {
    pub fn note_read(&self, chat: &ChatId, read: SeenRead) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= MOST_ENTRIES {
            let now = Instant::now();
            entries.retain(|_, e| now.duration_since(e.at) < CONFIRMED_FOR);
            if entries.len() >= MOST_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            chat.clone(),
            Entry {
                read,
                at: Instant::now(),
                confirmed: false,
            },
        );
    }

    /// The `subs_rev` the read a commit was made from saw, if this store made that read.
    pub fn rev_at(&self, chat: &ChatId, last_seq: u64) -> Option<Option<u64>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(chat)
            .filter(|e| e.read.last_seq == last_seq)
            .map(|e| e.read.rev)
    }

    /// The commit made from the read at `last_seq` succeeded on its `subs_rev` condition.
    pub fn confirm(&self, chat: &ChatId, last_seq: u64) {
        if let Ok(mut entries) = self.entries.lock() {
            if let Some(e) = entries
                .get_mut(chat)
                .filter(|e| e.read.last_seq == last_seq && e.read.rev.is_some())
            {
                e.confirmed = true;
                e.at = Instant::now();
            }
        }
    }

    /// The subscribers a commit just proved current, once.
    pub fn take_confirmed(&self, chat: &ChatId) -> Option<Vec<Subscriber>> {
        let mut entries = self.entries.lock().ok()?;
        let fresh = entries
            .get(chat)
            .is_some_and(|e| e.confirmed && e.at.elapsed() < CONFIRMED_FOR);
        if !fresh {
            return None;
        }
        entries.remove(chat).map(|e| e.read.subscribers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{Audience, ConnectionId};

    fn read(last_seq: u64, rev: Option<u64>) -> SeenRead {
        SeenRead {
            last_seq,
            rev,
            subscribers: vec![Subscriber {
                connection: ConnectionId::parse("c1").unwrap(),
                audience: Audience::Customer,
            }],
        }
    }

    #[test]
    fn a_set_answers_only_after_its_commit_and_only_once() {
        let seen = SeenSubscribers::default();
        let chat = ChatId::generate();
        seen.note_read(&chat, read(4, Some(2)));
        assert_eq!(seen.rev_at(&chat, 4), Some(Some(2)));
        assert_eq!(seen.rev_at(&chat, 3), None, "another read's commit");
        assert!(seen.take_confirmed(&chat).is_none(), "not committed yet");
        seen.confirm(&chat, 3);
        assert!(
            seen.take_confirmed(&chat).is_none(),
            "another read's commit"
        );
        seen.confirm(&chat, 4);
        assert_eq!(seen.take_confirmed(&chat).map(|s| s.len()), Some(1));
        assert!(seen.take_confirmed(&chat).is_none(), "taken once");
    }

    #[test]
    fn a_chat_in_the_old_layout_is_never_confirmed() {
        let seen = SeenSubscribers::default();
        let chat = ChatId::generate();
        seen.note_read(&chat, read(1, None));
        seen.confirm(&chat, 1);
        assert!(seen.take_confirmed(&chat).is_none());
        assert_eq!(seen.rev_at(&chat, 1), Some(None));
    }
}
