use super::*;
use crate::domain::agent::Role;

const T0: Timestamp = Timestamp(1_800_000_000_000);

fn at(secs: i64) -> Timestamp {
    T0.plus_millis(secs * 1000)
}

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

fn message() -> OfflineMessage {
    let left = LeftMessage::parse("Ann", "ann@example.com", "  Printer shows E42  ").unwrap();
    OfflineMessage::new(
        OfflineMessageId::parse("m1").unwrap(),
        GroupId::parse("support").unwrap(),
        left,
        None,
        T0,
    )
}

#[test]
fn a_left_message_needs_a_name_an_address_and_a_question() {
    assert_eq!(message().question, "Printer shows E42");
    let field = |r: Result<LeftMessage, DomainError>| match r {
        Err(DomainError::InvalidInput { field, .. }) => field,
        other => panic!("expected a named field, got {other:?}"),
    };
    assert_eq!(field(LeftMessage::parse("", "a@b.co", "q")), "name");
    assert_eq!(field(LeftMessage::parse("Ann", " ", "q")), "email");
    assert_eq!(
        field(LeftMessage::parse("Ann", "not an address", "q")),
        "email"
    );
    assert_eq!(field(LeftMessage::parse("Ann", "a@b.co", "  ")), "question");
    let long = "x".repeat(limits::MAX_MESSAGE_CHARS + 1);
    assert_eq!(
        field(LeftMessage::parse("Ann", "a@b.co", &long)),
        "question"
    );
}

#[test]
fn a_reply_answers_the_message_and_assigns_it_to_whoever_replied() {
    let mut m = message();
    let bob = agent("bob", "support");
    m.reply(&bob, "Reseat the toner", Some("mail1".into()), at(60))
        .unwrap();
    assert_eq!(m.status, MessageStatus::Answered);
    assert_eq!(m.assignee.as_ref().map(|a| a.id.as_str()), Some("bob"));
    assert_eq!(m.replies(), 1);
    assert_eq!(m.revision, 2);
    assert_eq!(m.updated_at, at(60));
}

#[test]
fn notes_change_no_status_and_closed_messages_take_no_reply_until_reopened() {
    let mut m = message();
    let bob = agent("bob", "support");
    m.note(&bob, "Customer called too", at(5)).unwrap();
    assert_eq!(m.status, MessageStatus::Open);
    m.close(&bob, at(6)).unwrap();
    assert!(matches!(
        m.reply(&bob, "late", None, at(7)),
        Err(DomainError::InvalidState(_))
    ));
    assert!(matches!(
        m.close(&bob, at(7)),
        Err(DomainError::InvalidState(_))
    ));
    m.reopen(&bob, at(8)).unwrap();
    assert_eq!(m.status, MessageStatus::Open, "no reply yet: open again");
    m.reply(&bob, "Done", None, at(9)).unwrap();
    m.close(&bob, at(10)).unwrap();
    m.reopen(&bob, at(11)).unwrap();
    assert_eq!(m.status, MessageStatus::Answered, "it had a reply");
}

#[test]
fn only_members_of_the_group_or_the_assignee_act_on_it() {
    let mut m = message();
    let outsider = agent("olga", "billing");
    assert!(matches!(
        m.note(&outsider, "x", at(1)),
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        m.assign_to(&outsider, at(1)),
        Err(DomainError::Forbidden(_))
    ));
    assert_eq!(m.revision, 1, "a refused change changes nothing");
    assert!(m.thread.is_empty());
}

#[test]
fn assigning_to_the_same_agent_twice_records_it_once() {
    let mut m = message();
    let bob = agent("bob", "support");
    assert!(m.assign_to(&bob, at(1)).unwrap());
    assert!(!m.assign_to(&bob, at(2)).unwrap());
    assert_eq!(m.thread.len(), 1);
    let carol = agent("carol", "support");
    assert!(m.assign_to(&carol, at(3)).unwrap());
    assert_eq!(m.assignee.as_ref().map(|a| a.name.as_str()), Some("CAROL"));
}

#[test]
fn the_thread_is_bounded_and_stays_in_time_order() {
    let mut m = message();
    let bob = agent("bob", "support");
    m.note(&bob, "first", at(10)).unwrap();
    // A clock that stepped back does not put an entry before the previous one.
    m.note(&bob, "second", at(5)).unwrap();
    assert!(m.thread[1].at >= m.thread[0].at);
    while m.thread.len() < MAX_THREAD_ENTRIES {
        m.note(&bob, "more", at(20)).unwrap();
    }
    assert!(matches!(
        m.note(&bob, "one too many", at(21)),
        Err(DomainError::InvalidState(_))
    ));
    assert_eq!(m.thread.len(), MAX_THREAD_ENTRIES);
}

#[test]
fn a_checked_reply_changes_nothing() {
    let m = message();
    let bob = agent("bob", "support");
    assert_eq!(m.check_reply(&bob, " Hi ").unwrap(), "Hi");
    assert_eq!(m, message());
    assert!(m.check_reply(&bob, "").is_err());
}
