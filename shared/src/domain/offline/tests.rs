//! What a group offers when nobody can answer, and when a waiting customer is offered a message.

use std::collections::BTreeSet;

use super::*;
use crate::domain::business_hours::{parse_interval, parse_time_zone, BusinessHours};
use crate::domain::ids::{ChatId, ClientMessageId, GroupId};
use crate::domain::rules;

// 2026-12-07 is a Monday; 12:00 UTC.
const MONDAY_NOON: Timestamp = Timestamp(1_796_644_800_000);

fn group(hours: Option<BusinessHours>, when: WhenClosed, limit: Option<u32>) -> Group {
    let mut g = Group::pull(GroupId::parse("support").unwrap(), "Support");
    g.business_hours = hours;
    g.offline = OfflineSettings {
        when_closed_or_unstaffed: when,
        queue_wait_limit_secs: limit,
        reply_to: None,
    };
    g
}

/// Open 09:00-17:00 UTC on weekdays.
fn weekdays() -> BusinessHours {
    let day = vec![parse_interval("monday", "09:00", "17:00").unwrap()];
    let mut weekly: [Vec<_>; 7] = Default::default();
    for d in weekly.iter_mut().take(5) {
        *d = day.clone();
    }
    BusinessHours::new(parse_time_zone("UTC").unwrap(), weekly, BTreeSet::new()).unwrap()
}

#[test]
fn a_group_without_hours_is_open_while_someone_receives_chats() {
    let g = group(None, WhenClosed::default(), None);
    let a = availability(&g, true, MONDAY_NOON);
    assert_eq!(
        (a.state, a.offer, a.next_open_at),
        (AvailabilityState::Open, Offer::Chat, None)
    );
    let a = availability(&g, false, MONDAY_NOON);
    assert_eq!(
        (a.state, a.offer),
        (AvailabilityState::NobodyAvailable, Offer::Choose)
    );
}

#[test]
fn outside_hours_offers_what_the_group_says_and_when_it_opens() {
    let g = group(Some(weekdays()), WhenClosed::MessageOnly, None);
    let evening = MONDAY_NOON.plus_millis(8 * 3_600_000);
    let a = availability(&g, true, evening);
    assert_eq!(
        (a.state, a.offer),
        (AvailabilityState::OutsideHours, Offer::Message)
    );
    assert_eq!(
        a.next_open_at,
        Some(MONDAY_NOON.plus_millis(21 * 3_600_000))
    );
    assert_eq!(availability(&g, true, MONDAY_NOON).offer, Offer::Chat);
    assert_eq!(availability(&g, false, MONDAY_NOON).offer, Offer::Message);
}

#[test]
fn settings_refuse_a_wait_limit_of_zero_or_over_a_day() {
    for bad in [0, MAX_TIMER_SECS + 1] {
        let e = OfflineSettings {
            queue_wait_limit_secs: Some(bad),
            ..OfflineSettings::default()
        }
        .validated()
        .unwrap_err();
        assert!(e.to_string().starts_with("offline.queue_wait_limit_secs:"));
    }
    assert_eq!(
        WhenClosed::parse("message_only"),
        Some(WhenClosed::MessageOnly)
    );
    assert_eq!(WhenClosed::parse("later"), None);
}

fn queued_chat(g: &Group) -> Chat {
    rules::start_chat(
        ChatId::parse("c1").unwrap(),
        g,
        "Eve",
        None,
        "Help",
        ClientMessageId::parse("m1").unwrap(),
        MONDAY_NOON,
    )
    .unwrap()
    .chat
}

#[test]
fn a_queued_chat_passes_the_wait_limit_at_the_limit_not_before() {
    let g = group(None, WhenClosed::default(), Some(300));
    let chat = queued_chat(&g);
    let open = availability(&g, true, MONDAY_NOON);
    assert!(!queue_wait_limit_passed(
        &chat,
        &g,
        MONDAY_NOON.plus_millis(299_999)
    ));
    assert!(queue_wait_limit_passed(
        &chat,
        &g,
        MONDAY_NOON.plus_millis(300_000)
    ));
    assert!(!offers_message(
        &chat,
        &g,
        open,
        MONDAY_NOON.plus_millis(299_999)
    ));
    assert!(offers_message(
        &chat,
        &g,
        open,
        MONDAY_NOON.plus_millis(300_000)
    ));
    // Without a limit it never passes.
    let no_limit = group(None, WhenClosed::default(), None);
    assert!(!queue_wait_limit_passed(
        &chat,
        &no_limit,
        MONDAY_NOON.plus_millis(86_400_000)
    ));
    // An answered chat is not waiting.
    let mut active = chat.clone();
    active.state = ChatState::Active;
    assert!(!queue_wait_limit_passed(
        &active,
        &g,
        MONDAY_NOON.plus_millis(300_000)
    ));
    assert!(!offers_message(
        &active,
        &g,
        availability(&g, false, MONDAY_NOON),
        MONDAY_NOON
    ));
}

#[test]
fn a_waiting_customer_is_offered_a_message_while_nobody_can_answer() {
    let g = group(None, WhenClosed::ChooseWaitOrMessage, None);
    let chat = queued_chat(&g);
    assert!(offers_message(
        &chat,
        &g,
        availability(&g, false, MONDAY_NOON),
        MONDAY_NOON
    ));
    assert!(!offers_message(
        &chat,
        &g,
        availability(&g, true, MONDAY_NOON),
        MONDAY_NOON
    ));
}

#[test]
fn the_groups_reply_address_must_be_an_address() {
    let bad = OfflineSettings {
        reply_to: Some("support at example".into()),
        ..OfflineSettings::default()
    }
    .validated()
    .unwrap_err();
    assert!(bad.to_string().starts_with("offline.reply_to:"), "{bad}");
    let blank = OfflineSettings {
        reply_to: Some("  ".into()),
        ..OfflineSettings::default()
    }
    .validated()
    .unwrap();
    assert_eq!(blank.reply_to, None, "blank is no address");
    let good = OfflineSettings {
        reply_to: Some(" support@example.com ".into()),
        ..OfflineSettings::default()
    }
    .validated()
    .unwrap();
    assert_eq!(good.reply_to.as_deref(), Some("support@example.com"));
}
