use super::*;
use crate::domain::agent::Role;
use crate::domain::rules::start_chat;
use crate::domain::{ClientMessageId, Group, GroupId};

const T0: Timestamp = Timestamp(1_800_000_000_000);

fn agent(id: &str, group: &str) -> Agent {
    Agent {
        id: AgentId::parse(id).unwrap(),
        username: id.into(),
        display_name: id.to_uppercase(),
        role: Role::Agent,
        groups: vec![GroupId::parse(group).unwrap()],
        available: true,
        max_concurrent_chats: 3,
        session_epoch: 1,
        deactivated_at: None,
    }
}

fn chat() -> Chat {
    let group = Group::pull(GroupId::parse("support").unwrap(), "Support");
    start_chat(
        ChatId::parse("c1").unwrap(),
        &group,
        "Ann",
        None,
        "Printer shows E42",
        ClientMessageId::parse("q1").unwrap(),
        T0,
    )
    .unwrap()
    .chat
}

#[test]
fn a_member_writes_numbered_trimmed_notes() {
    let bob = agent("bob", "support");
    let first = write_note(&chat(), &bob, None, "  called her back \n", T0).unwrap();
    assert_eq!(first.number, 1);
    assert_eq!(first.text, "called her back");
    assert_eq!(first.author_name, "BOB");
    let third = write_note(&chat(), &bob, Some(2), "again", T0).unwrap();
    assert_eq!(third.number, 3);
}

#[test]
fn outsiders_empty_or_long_notes_and_a_full_chat_are_refused() {
    let eve = agent("eve", "billing");
    assert!(matches!(
        write_note(&chat(), &eve, None, "x", T0),
        Err(DomainError::Forbidden(_))
    ));
    let bob = agent("bob", "support");
    for text in ["   ", &"x".repeat(MAX_MESSAGE_CHARS + 1), "bell \u{7}"] {
        assert!(matches!(
            write_note(&chat(), &bob, None, text, T0),
            Err(DomainError::InvalidInput { field: "text", .. })
        ));
    }
    assert!(matches!(
        write_note(&chat(), &bob, Some(MAX_NOTES_PER_CHAT), "one more", T0),
        Err(DomainError::InvalidState(_))
    ));
}
