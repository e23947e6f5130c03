//! The hand-off timers' rules, on one chat of Support assigned to Bob.

use super::*;
use crate::domain::agent::{Group, Role};
use crate::domain::ids::{ChatId, ClientMessageId, GroupId};
use crate::domain::rules::{self, Sender};

const T0: Timestamp = Timestamp(1_767_225_600_000);

fn at(secs: i64) -> Timestamp {
    T0.plus_millis(secs * 1000)
}

fn agent(id: &str, available: bool) -> Agent {
    Agent {
        id: AgentId::parse(id).unwrap(),
        username: id.into(),
        display_name: id.to_uppercase(),
        role: Role::Agent,
        groups: vec![GroupId::parse("support").unwrap()],
        available,
        max_concurrent_chats: 3,
        session_epoch: 1,
        deactivated_at: None,
    }
}

fn settings() -> HandOffSettings {
    HandOffSettings {
        no_first_response_secs: 60,
        no_follow_up_secs: 120,
        agent_disconnected_secs: 30,
        max_hand_offs: 2,
    }
}

/// Started at T0, taken by Bob at 10 s.
fn assigned_chat() -> Chat {
    let group = Group::pull(GroupId::parse("support").unwrap(), "Support");
    let new = rules::start_chat(
        ChatId::parse("c1").unwrap(),
        &group,
        "Dana",
        None,
        "Where is my parcel?",
        ClientMessageId::parse("q1").unwrap(),
        T0,
    )
    .unwrap();
    rules::take(&new.chat, &agent("bob", true), at(10))
        .unwrap()
        .chat
}

fn say(chat: &Chat, from: Sender<'_>, when: Timestamp, id: &str) -> Chat {
    rules::send_message(
        chat,
        from,
        ClientMessageId::parse(id).unwrap(),
        "hello",
        when,
    )
    .unwrap()
    .chat
}

#[test]
fn an_assigned_chat_awaits_its_first_answer_from_the_assignment() {
    let chat = assigned_chat();
    assert_eq!(awaiting(&chat), Some((Awaiting::FirstResponse, at(10))));
    assert_eq!(response_overdue(&chat, &settings(), at(69)), None);
    assert_eq!(
        response_overdue(&chat, &settings(), at(70)),
        Some(HandOffReason::NoFirstResponse)
    );
}

#[test]
fn an_answered_chat_awaits_nothing_until_the_customer_writes_again() {
    let bob = agent("bob", true);
    let answered = say(&assigned_chat(), Sender::Agent(&bob), at(20), "a1");
    assert_eq!(awaiting(&answered), None);
    assert_eq!(response_overdue(&answered, &settings(), at(10_000)), None);
    // The clock runs from the first unanswered message, not the latest.
    let asked = say(&answered, Sender::Customer, at(30), "q2");
    let asked_again = say(&asked, Sender::Customer, at(90), "q3");
    assert_eq!(awaiting(&asked_again), Some((Awaiting::FollowUp, at(30))));
    assert_eq!(
        response_overdue(&asked_again, &settings(), at(150)),
        Some(HandOffReason::NoFollowUp)
    );
    let answered_again = say(&asked_again, Sender::Agent(&bob), at(100), "a2");
    assert_eq!(awaiting(&answered_again), None);
}

#[test]
fn typing_restarts_the_clock_and_a_timer_of_zero_is_off() {
    let mut chat = assigned_chat();
    chat.agent_active_at = Some(at(50));
    assert_eq!(response_overdue(&chat, &settings(), at(100)), None);
    assert!(response_overdue(&chat, &settings(), at(110)).is_some());
    let off = HandOffSettings {
        no_first_response_secs: 0,
        ..settings()
    };
    assert_eq!(response_overdue(&chat, &off, at(100_000)), None);
}

#[test]
fn a_hand_off_goes_to_the_colleague_and_never_back_to_the_same_agent() {
    let chat = assigned_chat();
    let tina = agent("tina", true);
    let m = hand_off(
        &chat,
        HandOffReason::NoFirstResponse,
        &settings(),
        Some(&tina),
        at(70),
    )
    .unwrap();
    assert_eq!(m.chat.agent_id, Some(tina.id.clone()));
    assert_eq!(m.chat.assigned_at, Some(at(70)));
    assert_eq!(m.chat.hand_offs, 1);
    assert_eq!(m.load.release, Some(AgentId::parse("bob").unwrap()));
    assert_eq!(m.load.acquire, Some((tina.id.clone(), 3)));
    // Tina's own clock starts now.
    assert_eq!(awaiting(&m.chat), Some((Awaiting::FirstResponse, at(70))));
    let bob = agent("bob", true);
    assert!(hand_off(
        &chat,
        HandOffReason::NoFollowUp,
        &settings(),
        Some(&bob),
        at(70)
    )
    .is_err());
    let away = agent("amy", false);
    assert!(hand_off(
        &chat,
        HandOffReason::NoFollowUp,
        &settings(),
        Some(&away),
        at(70)
    )
    .is_err());
}

#[test]
fn with_nobody_to_take_it_the_chat_goes_to_the_head_of_the_queue() {
    let chat = assigned_chat();
    let m = hand_off(
        &chat,
        HandOffReason::NoFirstResponse,
        &settings(),
        None,
        at(70),
    )
    .unwrap();
    assert_eq!(m.chat.state, ChatState::Queued);
    assert_eq!(m.chat.agent_id, None);
    assert_eq!(m.chat.queued_since, Some(at(70)));
    // Ordered by its start, ahead of everyone who came later.
    assert_eq!(m.chat.queue_order_at(), T0);
    assert!(!m.chat.escalated);
    assert_eq!(m.load.acquire, None);
}

#[test]
fn the_cap_puts_the_chat_in_the_queue_for_a_person() {
    let mut chat = assigned_chat();
    chat.hand_offs = 1;
    let tina = agent("tina", true);
    let m = hand_off(
        &chat,
        HandOffReason::NoFollowUp,
        &settings(),
        Some(&tina),
        at(70),
    )
    .unwrap();
    assert_eq!(m.chat.state, ChatState::Queued);
    assert!(m.chat.escalated);
    assert!(matches!(
        m.event,
        EventKind::HandedOff {
            escalated: true,
            to: None,
            ..
        }
    ));
    // Automatic distribution passes it by; a person may still take it.
    assert!(rules::assign_automatically(&m.chat, &tina, at(80)).is_err());
    let taken = rules::pull(&m.chat, &tina, at(80)).unwrap().chat;
    assert!(!taken.escalated);
}

#[test]
fn the_disconnected_timer_counts_from_the_agents_last_console() {
    let chat = assigned_chat();
    let bob = AgentId::parse("bob").unwrap();
    assert!(!disconnect_overdue(
        &chat,
        &bob,
        at(100),
        &settings(),
        at(129)
    ));
    assert!(disconnect_overdue(
        &chat,
        &bob,
        at(100),
        &settings(),
        at(130)
    ));
    let tina = AgentId::parse("tina").unwrap();
    assert!(!disconnect_overdue(
        &chat,
        &tina,
        at(100),
        &settings(),
        at(130)
    ));
}

#[test]
fn an_offline_agent_receives_chats_only_during_the_grace_period() {
    assert!(receives_chats(true, None, 60_000, at(0)));
    assert!(receives_chats(true, Some(at(0)), 60_000, at(59)));
    assert!(!receives_chats(true, Some(at(0)), 60_000, at(60)));
    assert!(!receives_chats(false, None, 60_000, at(0)));
    assert_eq!(
        Presence::of(true, Some(at(0)), 60_000, at(59)),
        Presence::Available
    );
    assert_eq!(
        Presence::of(true, Some(at(0)), 60_000, at(60)),
        Presence::Offline
    );
    assert_eq!(Presence::of(false, None, 60_000, at(0)), Presence::Away);
}

#[test]
fn settings_out_of_range_are_refused_by_name() {
    let long = HandOffSettings {
        no_follow_up_secs: MAX_TIMER_SECS + 1,
        ..settings()
    };
    assert!(matches!(
        long.validated(),
        Err(DomainError::InvalidInput {
            field: "no_follow_up_secs",
            ..
        })
    ));
    let no_cap = HandOffSettings {
        max_hand_offs: 0,
        ..settings()
    };
    assert!(no_cap.validated().is_err());
}
