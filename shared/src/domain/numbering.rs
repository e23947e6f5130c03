//! Event numbering: a chat's events are numbered 1, 2, 3, ... without a gap, and the chat carries
//! the number of its latest event (`last_seq`). A change is committed only at the number it was
//! read at (compare-and-set), which is what makes concurrent changes safe; every writer of events
//! numbers them here.

use super::chat::Chat;
use super::event::{ChatEvent, EventKind};
use super::ids::ChatId;
use super::time::Timestamp;

/// The events a new chat opens with, numbered from 1.
pub fn opening_events(chat: &ChatId, kinds: Vec<EventKind>, at: Timestamp) -> Vec<ChatEvent> {
    (1..)
        .zip(kinds)
        .map(|(seq, kind)| ChatEvent {
            chat_id: chat.clone(),
            seq,
            at,
            kind,
        })
        .collect()
}

/// A change to `before`: its event takes the next number, and `after` (the chat as the change
/// leaves it) carries that number as its latest.
pub fn next_event(
    before: &Chat,
    mut after: Chat,
    kind: EventKind,
    at: Timestamp,
) -> (Chat, ChatEvent) {
    let event = ChatEvent {
        chat_id: before.id.clone(),
        seq: before.last_seq + 1,
        at,
        kind,
    };
    after.last_seq = event.seq;
    (after, event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{GroupId, Party};

    #[test]
    fn a_chat_opens_at_one_and_each_change_takes_the_next_number() {
        let id = ChatId::parse("c1").unwrap();
        let group_id = GroupId::parse("g").unwrap();
        let opening = opening_events(
            &id,
            vec![
                EventKind::Started { group_id },
                EventKind::Deleted {
                    by: Party::Customer,
                },
            ],
            Timestamp(5),
        );
        assert_eq!(
            opening.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![1, 2]
        );
        assert!(opening
            .iter()
            .all(|e| e.chat_id == id && e.at == Timestamp(5)));
    }

    #[test]
    fn the_changed_chat_carries_the_number_of_its_new_event() {
        let group = crate::domain::Group::pull(GroupId::parse("g").unwrap(), "G");
        let new = crate::domain::rules::start_chat(
            ChatId::parse("c1").unwrap(),
            &group,
            "Ann",
            None,
            "Hello?",
            crate::domain::ClientMessageId::parse("m1").unwrap(),
            Timestamp(5),
        )
        .unwrap();
        let before = new.chat;
        assert_eq!(before.last_seq, new.events.len() as u64);
        let mut after = before.clone();
        after.deleted_at = Some(Timestamp(9));
        let kind = EventKind::Deleted {
            by: Party::Customer,
        };
        let (chat, event) = next_event(&before, after, kind.clone(), Timestamp(9));
        assert_eq!((event.seq, chat.last_seq), (3, 3));
        assert_eq!(
            (event.chat_id, event.at, event.kind),
            (before.id, Timestamp(9), kind)
        );
        assert_eq!(chat.deleted_at, Some(Timestamp(9)), "the change is kept");
    }
}
