//! What the grid holds fixed: where a transfer goes, what the person typed, the start of a chat
//! and the pace of messages. Each table row is one case with the answer a user would see.

use super::actions::{kind, message_id, Kind};
use super::cast::{agent, at, commit, msg, now, sales, support, tina, Actor, State, T0};
use crate::domain::agent::{Agent, Role};
use crate::domain::chat::{Chat, ChatState};
use crate::domain::error::DomainError;
use crate::domain::event::{Author, EventKind};
use crate::domain::ids::{ChatId, GroupId};
use crate::domain::limits::{MAX_MESSAGE_CHARS, MAX_NOTE_CHARS};
use crate::domain::pace::MESSAGE_BURST;
use crate::domain::rules::{self, EndedBy, Mutation, Sender};
use crate::domain::time::{DAY_MS, MAX_CLOCK_SKEW_MS, MAX_FOLLOW_UP_AHEAD_MS};

type Rule = fn(&Chat) -> Result<Mutation, DomainError>;

fn manager() -> Agent {
    Actor::Manager.agent().unwrap()
}

fn bob() -> Agent {
    Actor::Assigned.agent().unwrap()
}

fn unavailable_tina() -> Agent {
    Agent {
        available: false,
        ..tina()
    }
}

fn long(chars: usize) -> String {
    "x".repeat(chars)
}

/// `None`: allowed.
type Case = (&'static str, State, Rule, Option<Kind>);

#[rustfmt::skip]
const TARGETS: &[Case] = &[
    ("to the agent who already has it", State::Active,
        |c| rules::transfer_to_agent(c, &manager(), &bob(), now()), Some(Kind::InvalidState)),
    ("to an agent who is not receiving chats", State::Active,
        |c| rules::transfer_to_agent(c, &manager(), &unavailable_tina(), now()), Some(Kind::InvalidState)),
    ("to an agent outside the chat's group", State::Active,
        |c| rules::transfer_to_agent(c, &manager(), &Actor::Outsider.agent().unwrap(), now()), Some(Kind::InvalidState)),
    ("a queued chat to the manager themself", State::Queued,
        |c| rules::transfer_to_agent(c, &manager(), &manager(), now()), None),
    ("a queued chat to Bob, who had none of it", State::Queued,
        |c| rules::transfer_to_agent(c, &manager(), &bob(), now()), None),
    ("a queued chat to the queue it is in", State::Queued,
        |c| rules::transfer_to_group(c, &manager(), &support(), now()), Some(Kind::InvalidState)),
    ("an active chat back to its own group's queue", State::Active,
        |c| rules::transfer_to_group(c, &bob(), &support(), now()), None),
    ("automatically, to an agent who is not receiving chats", State::Queued,
        |c| rules::assign_automatically(c, &unavailable_tina(), now()), Some(Kind::InvalidState)),
];

#[rustfmt::skip]
const INPUTS: &[Case] = &[
    ("a resolution over the note limit", State::Active,
        |c| rules::end(c, EndedBy::Agent(&bob()), Some(&long(MAX_NOTE_CHARS + 1)), now()), Some(Kind::InvalidInput)),
    ("a resolution with a control character", State::Active,
        |c| rules::end(c, EndedBy::Agent(&bob()), Some("done\u{7}"), now()), Some(Kind::InvalidInput)),
    ("a blank resolution from the customer (no resolution)", State::Active,
        |c| rules::end(c, EndedBy::Customer, Some("  \n "), now()), None),
    ("a follow-up due more than the skew ago", State::Active,
        |c| rules::set_follow_up(c, &bob(), Some((now().plus_millis(-MAX_CLOCK_SKEW_MS - 1), "n")), now()), Some(Kind::InvalidInput)),
    ("a follow-up due beyond the horizon", State::Active,
        |c| rules::set_follow_up(c, &bob(), Some((now().plus_millis(MAX_FOLLOW_UP_AHEAD_MS + 1), "n")), now()), Some(Kind::InvalidInput)),
    ("a follow-up with an empty note", State::Active,
        |c| rules::set_follow_up(c, &bob(), Some((now().plus_millis(DAY_MS), " ")), now()), Some(Kind::InvalidInput)),
    ("a follow-up due a moment ago (clock skew)", State::Active,
        |c| rules::set_follow_up(c, &bob(), Some((now().plus_millis(-MAX_CLOCK_SKEW_MS), "n")), now()), None),
    ("clearing a follow-up that is not there", State::Active,
        |c| rules::set_follow_up(&Chat { follow_up: None, ..c.clone() }, &bob(), None, now()), Some(Kind::InvalidState)),
    ("an empty message", State::Active,
        |c| rules::send_message(c, Sender::Customer, message_id(), " \n", now()), Some(Kind::InvalidInput)),
    ("a message over the limit", State::Active,
        |c| rules::send_message(c, Sender::Agent(&bob()), message_id(), &long(MAX_MESSAGE_CHARS + 1), now()), Some(Kind::InvalidInput)),
    ("a message of exactly the limit", State::Active,
        |c| rules::send_message(c, Sender::Agent(&bob()), message_id(), &long(MAX_MESSAGE_CHARS), now()), None),
    // Who may act is answered before what they sent, so an outsider learns nothing either way.
    ("an outsider's invalid follow-up", State::Active,
        |c| rules::set_follow_up(c, &Actor::Outsider.agent().unwrap(), Some((T0, "")), now()), Some(Kind::Forbidden)),
    ("an outsider's empty message", State::Ended,
        |c| rules::send_message(c, Sender::Agent(&Actor::Outsider.agent().unwrap()), message_id(), "", now()), Some(Kind::Forbidden)),
];

fn check(cases: &[Case]) {
    let mut wrong = Vec::new();
    for (name, state, rule, refusal) in cases {
        let got = rule(&state.chat()).map_err(|e| kind(&e));
        match (refusal, &got) {
            (None, Ok(_)) => {}
            (Some(k), Err(g)) if k == g => {}
            _ => wrong.push(format!("{name}: expected {refusal:?}, got {got:?}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn where_a_transfer_may_go() {
    check(TARGETS);
}

#[test]
fn what_a_person_typed_is_checked() {
    check(INPUTS);
}

#[test]
fn a_transfer_of_a_queued_chat_to_another_group_keeps_its_first_stay() {
    // Queued at T0, moved to Sales at 10:00: 10 minutes so far, and it keeps ticking there.
    let chat = State::Queued.chat();
    let moved = commit(
        &chat,
        rules::transfer_to_group(&chat, &manager(), &sales(), now()),
    );
    assert_eq!(moved.group_id, sales().id);
    assert_eq!(moved.queued_since, Some(now()));
    assert_eq!(moved.queue_time_ms(now()), 600_000);
    assert_eq!(moved.queue_time_ms(at(660)), 660_000);
    let taken = commit(
        &moved,
        rules::take(&moved, &Actor::Admin.agent().unwrap(), at(700)),
    );
    assert_eq!(taken.queue_time_ms(at(5_000)), 700_000, "stops when taken");
}

#[test]
fn a_chat_starts_queued_with_the_question_as_its_first_message() {
    let started = rules::start_chat(
        ChatId::parse("chat-2").unwrap(),
        &support(),
        "  Carl ",
        Some(" "),
        " Where is my order? ",
        msg("q"),
        T0,
    )
    .unwrap();
    let chat = &started.chat;
    assert_eq!(chat.state, ChatState::Queued);
    assert_eq!(
        (chat.agent_id.clone(), chat.agent_name.clone()),
        (None, None)
    );
    assert_eq!(chat.group_id, support().id);
    assert_eq!(chat.customer.name, "Carl");
    assert_eq!(chat.customer.email, None, "a blank e-mail is no e-mail");
    assert_eq!(chat.question, "Where is my order?");
    assert_eq!((chat.queued_since, chat.queue_ms), (Some(T0), 0));
    assert_eq!(chat.queue_time_ms(at(30)), 30_000);
    assert_eq!(
        chat.idle_ms(at(30)),
        30_000,
        "idle from the start until someone joins"
    );
    assert!(chat.customer_waiting);
    assert_eq!((chat.message_count, chat.last_seq), (1, 2));
    assert_eq!(
        started.events,
        vec![
            EventKind::Started {
                group_id: support().id
            },
            EventKind::Message {
                client_msg_id: msg("q"),
                author: Author::Customer {
                    name: "Carl".into()
                },
                body: "Where is my order?".into()
            }
        ]
    );
}

#[test]
fn a_chat_start_refuses_what_cannot_be_shown() {
    let start = |name: &str, email: Option<&str>, question: &str| {
        rules::start_chat(
            ChatId::parse("chat-2").unwrap(),
            &support(),
            name,
            email,
            question,
            msg("q"),
            T0,
        )
        .map(|_| ())
    };
    let field = |r: Result<(), DomainError>| match r {
        Err(DomainError::InvalidInput { field, .. }) => field,
        other => panic!("not an input error: {other:?}"),
    };
    assert_eq!(field(start(" ", None, "q")), "name");
    assert_eq!(field(start("Carl\u{1b}[2J", None, "q")), "name");
    assert_eq!(field(start("Carl", Some("carl@"), "q")), "email");
    assert_eq!(field(start("Carl", None, "")), "question");
    assert_eq!(field(start("Carl", None, &long(2_001))), "question");
}

/// Each side gets a burst, then waits; the other side is not held up by it.
#[test]
fn a_side_that_writes_too_fast_is_told_how_long_to_wait() {
    let bob = bob();
    let mut chat = State::Active.chat();
    let t = now();
    for i in 0..MESSAGE_BURST {
        let sent = rules::send_message(&chat, Sender::Agent(&bob), msg(&format!("b{i}")), "x", t);
        chat = commit(&chat, sent);
    }
    let refused = rules::send_message(&chat, Sender::Agent(&bob), msg("late"), "x", t);
    assert_eq!(
        refused,
        Err(DomainError::TooFast {
            retry_after_ms: 1_000
        })
    );
    let customer = rules::send_message(&chat, Sender::Customer, msg("c"), "x", t);
    assert!(
        customer.is_ok(),
        "the customer has an allowance of their own"
    );
    let later = rules::send_message(
        &chat,
        Sender::Agent(&bob),
        msg("late"),
        "x",
        t.plus_millis(1_000),
    );
    assert!(later.is_ok(), "one more after one interval");
}

/// An agent who ends a chat with a blank note records no resolution (no empty suggestion).
#[test]
fn a_blank_resolution_is_no_resolution() {
    let chat = State::Active.chat();
    let ended = rules::end(&chat, EndedBy::Agent(&bob()), Some(" \n\t "), now()).unwrap();
    assert_eq!(ended.chat.resolution, None);
    assert!(matches!(
        ended.event,
        EventKind::Ended {
            resolution: None,
            ..
        }
    ));
}

/// A customer is not told that agents deleted their (ended) chat, an agents-only event, nor
/// asked to restore it: they hear that it has ended, as before the deletion.
#[test]
fn a_customer_is_not_told_their_chat_was_deleted() {
    let ended = State::Ended.chat();
    let deleted = State::DeletedEnded.chat();
    let send = |c: &Chat| rules::send_message(c, Sender::Customer, message_id(), "hello?", now());
    let end = |c: &Chat| rules::end(c, EndedBy::Customer, None, now());
    assert_eq!(send(&deleted), send(&ended));
    assert_eq!(end(&deleted), end(&ended));
    let Err(DomainError::InvalidState(message)) = send(&deleted) else {
        panic!("not refused as ended")
    };
    assert!(!message.contains("delete"), "{message}");
}

/// The group check is about the chat's group, not the group an agent was in: an agent in all
/// three groups may act in each.
#[test]
fn membership_is_checked_against_the_chat_s_current_group() {
    let chat = State::Queued.chat();
    let in_sales = commit(
        &chat,
        rules::transfer_to_group(&chat, &manager(), &sales(), now()),
    );
    let manager_of_support = manager();
    assert_eq!(
        rules::take(&in_sales, &manager_of_support, now()).map_err(|e| kind(&e)),
        Err(Kind::Forbidden),
        "the chat left Support"
    );
    let everywhere = agent("eve", Role::Agent, &["support", "sales", "billing"], 2);
    assert!(rules::take(&in_sales, &everywhere, now()).is_ok());
    assert_eq!(in_sales.group_id, GroupId::parse("sales").unwrap());
}

#[test]
fn a_move_for_a_removed_group_changes_only_the_group_whatever_the_state() {
    for state in State::ALL {
        let chat = state.chat();
        let Mutation {
            chat: moved,
            event,
            load,
        } = rules::move_to_group(&chat, &manager(), &sales()).unwrap();
        let mut expected = chat.clone();
        expected.group_id = sales().id;
        assert_eq!(
            moved, expected,
            "{state:?}: state, agent, queue time and the rest stay"
        );
        assert_eq!(
            load,
            rules::LoadChange::default(),
            "{state:?}: no agent's count moves"
        );
        assert!(
            matches!(&event, EventKind::Moved { from_group_id, group_id, .. }
                if *from_group_id == support().id && *group_id == sales().id),
            "{event:?}"
        );
        assert_eq!(
            event.visibility(),
            crate::domain::event::Visibility::AgentsOnly
        );
    }
    let in_sales = commit(
        &State::Queued.chat(),
        rules::move_to_group(&State::Queued.chat(), &manager(), &sales()),
    );
    let again = rules::move_to_group(&in_sales, &manager(), &sales());
    assert_eq!(
        again.as_ref().err().map(kind),
        Some(Kind::InvalidState),
        "not to the group it is in"
    );
}
