//! Business hours, offline behaviour and texts through the use cases over each store adapter,
//! with a clock the tests move: the settings round-trip through the store with their checks and
//! their permissions, a group outside its hours or without anyone receiving chats says so
//! publicly, refuses chats when it takes messages only, and a waiting customer is offered a
//! message once the group's wait limit has passed. `tests/store_contract.rs` runs every case on
//! SQLite and on DynamoDB.

use std::collections::BTreeSet;
use std::sync::Arc;

use chatdesk::app::{App, AppError, ChatForCaller, GroupSettingsChange, StartChat};
use chatdesk::auth::Principal;
use chatdesk::domain::business_hours::{parse_holiday, parse_interval, parse_time_zone};
use chatdesk::domain::*;
use chatdesk::errors::ErrorCode;
use chatdesk::ports::ManualClock;
use chatdesk_server::Stores;

use crate::contract::{agent, aid, app_over, gid};

/// Monday 2026-12-07 08:00 UTC: 09:00 in Berlin.
const MONDAY_NINE_BERLIN: Timestamp = Timestamp(1_796_630_400_000);
const HOUR_MS: i64 = 3_600_000;

/// Open 09:00-12:00 and 13:00-17:00 Berlin time on weekdays; closed on 2026-12-24.
fn berlin_office_hours() -> BusinessHours {
    let day = vec![
        parse_interval("monday", "09:00", "12:00").unwrap(),
        parse_interval("monday", "13:00", "17:00").unwrap(),
    ];
    let mut weekly: [Vec<_>; 7] = Default::default();
    for d in weekly.iter_mut().take(5) {
        *d = day.clone();
    }
    BusinessHours::new(
        parse_time_zone("Europe/Berlin").unwrap(),
        weekly,
        BTreeSet::from([parse_holiday("2026-12-24").unwrap()]),
    )
    .unwrap()
}

struct Office {
    app: App,
    clock: Arc<ManualClock>,
    stores: Stores,
}

/// Group `office` with Ann (an agent, available), Meg (its manager, away) and Root (an
/// administrator of no group), at Monday 09:00 in Berlin.
async fn office(stores: Stores) -> Office {
    stores
        .directory
        .put_group(&Group::pull(gid("office"), "Office"))
        .await
        .unwrap();
    stores
        .directory
        .put_agent(&agent("ann", &["office"], Role::Agent, 3))
        .await
        .unwrap();
    let mut meg = agent("meg", &["office"], Role::Manager, 3);
    meg.available = false;
    stores.directory.put_agent(&meg).await.unwrap();
    let mut root = agent("root", &[], Role::Administrator, 3);
    root.available = false;
    stores.directory.put_agent(&root).await.unwrap();
    let clock = Arc::new(ManualClock::new(MONDAY_NINE_BERLIN));
    let mut app = app_over(&stores);
    app.clock = clock.clone();
    Office { app, clock, stores }
}

impl Office {
    async fn change(&self, who: &str, change: GroupSettingsChange) -> Result<Group, AppError> {
        self.app
            .update_group_settings(&Principal::agent(aid(who)), &gid("office"), change)
            .await
    }

    async fn set(&self, hours: Option<BusinessHours>, offline: OfflineSettings) {
        self.change(
            "meg",
            GroupSettingsChange {
                distribution: Distribution::Pull,
                hand_off: HandOffSettings::default(),
                business_hours: Some(hours),
                offline: Some(offline),
                texts: None,
            },
        )
        .await
        .unwrap();
    }

    async fn availability(&self) -> (Availability, String) {
        let all = self.app.groups_with_availability().await.unwrap();
        let office = all
            .into_iter()
            .find(|g| g.group.id == gid("office"))
            .unwrap();
        (office.availability, office.notice)
    }

    async fn start(&self) -> Result<ChatId, AppError> {
        Ok(self
            .app
            .start_chat(StartChat {
                group_id: gid("office"),
                name: "Eve".into(),
                email: None,
                question: "Where is my parcel?".into(),
                client_msg_id: None,
                identity: None,
            })
            .await?
            .chat
            .id)
    }

    async fn customer_offered_message(&self, chat: &ChatId) -> bool {
        match self
            .app
            .chat_for(&Principal::Customer(chat.clone()), chat)
            .await
            .unwrap()
        {
            ChatForCaller::Customer(view) => view.offer_message,
            ChatForCaller::Agent(_) => panic!("a customer gets the customer view"),
        }
    }

    async fn set_available(&self, who: &str, available: bool) {
        self.app
            .set_available(&Principal::agent(aid(who)), available)
            .await
            .unwrap();
    }
}

fn message_only() -> OfflineSettings {
    OfflineSettings {
        when_closed_or_unstaffed: WhenClosed::MessageOnly,
        queue_wait_limit_secs: None,
        reply_to: None,
    }
}

pub async fn group_offline_settings_round_trip_with_their_checks(stores: Stores) {
    let office = office(stores).await;
    let offline = OfflineSettings {
        when_closed_or_unstaffed: WhenClosed::MessageOnly,
        queue_wait_limit_secs: Some(300),
        reply_to: None,
    };
    office
        .set(Some(berlin_office_hours()), offline.clone())
        .await;
    let stored = office.stores.directory.list_groups().await.unwrap();
    let stored = stored.iter().find(|g| g.id == gid("office")).unwrap();
    assert_eq!(stored.business_hours, Some(berlin_office_hours()));
    assert_eq!(stored.offline, offline);
    // A manager saving the rest with the texts as read changes nothing of them; changing them is
    // for administrators.
    let mut change = GroupSettingsChange {
        distribution: Distribution::Pull,
        hand_off: HandOffSettings::default(),
        business_hours: None,
        offline: None,
        texts: Some(GroupTexts::default()),
    };
    office.change("meg", change.clone()).await.unwrap();
    change.texts = Some(GroupTexts {
        offline_notice: Some("{group} is closed; back {next_open}.".into()),
        reply_subject: Some("Re: {question}".into()),
        ..GroupTexts::default()
    });
    let refused = office.change("meg", change.clone()).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Forbidden, "{refused}");
    assert!(refused.to_string().contains("administrators"), "{refused}");
    let saved = office.change("root", change.clone()).await.unwrap();
    assert_eq!(saved.texts, change.texts.clone().unwrap());
    let stored = office.stores.directory.list_groups().await.unwrap();
    let stored = stored.iter().find(|g| g.id == gid("office")).unwrap();
    assert_eq!(stored.texts, change.texts.clone().unwrap());
    assert_eq!(
        stored.business_hours,
        Some(berlin_office_hours()),
        "left out: kept"
    );
    // A bad text is refused naming the field, and nothing is saved.
    change.texts = Some(GroupTexts {
        transcript_body: Some("{transcript} {secret}".into()),
        ..GroupTexts::default()
    });
    let refused = office.change("root", change).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidInput);
    assert!(
        refused.to_string().starts_with("texts.transcript_body:"),
        "{refused}"
    );
    let again = office.stores.directory.list_groups().await.unwrap();
    assert_eq!(again.iter().find(|g| g.id == gid("office")), Some(stored));
    // Back to always open and the defaults.
    office.set(None, OfflineSettings::default()).await;
    let stored = office.stores.directory.list_groups().await.unwrap();
    let stored = stored.iter().find(|g| g.id == gid("office")).unwrap();
    assert_eq!(stored.business_hours, None);
    assert_eq!(stored.offline, OfflineSettings::default());
}

pub async fn a_group_outside_its_hours_takes_messages_only_and_says_when_it_opens(stores: Stores) {
    let office = office(stores).await;
    office
        .set(Some(berlin_office_hours()), message_only())
        .await;
    // Monday 09:00: open, and Ann receives chats.
    let (open, _) = office.availability().await;
    assert_eq!(
        (open.state, open.offer),
        (AvailabilityState::Open, Offer::Chat)
    );
    office.start().await.unwrap();
    // Lunch, 12:30 in Berlin: closed until 13:00.
    office.clock.advance_ms(3 * HOUR_MS + HOUR_MS / 2);
    let (lunch, notice) = office.availability().await;
    assert_eq!(
        (lunch.state, lunch.offer),
        (AvailabilityState::OutsideHours, Offer::Message)
    );
    assert_eq!(
        lunch.next_open_at,
        Some(MONDAY_NINE_BERLIN.plus_millis(4 * HOUR_MS))
    );
    assert!(notice.contains("Leave us a message"), "{notice}");
    let refused = office.start().await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::GroupClosed, "{refused}");
    // Christmas Eve (a Thursday) is a holiday: closed at 10:00, open on the 25th.
    let christmas_eve_ten = Timestamp(1_798_102_800_000);
    office.clock.set(christmas_eve_ten);
    let (holiday, _) = office.availability().await;
    assert_eq!(holiday.state, AvailabilityState::OutsideHours);
    assert_eq!(
        holiday.next_open_at,
        Some(christmas_eve_ten.plus_millis(23 * HOUR_MS))
    );
    office
        .clock
        .set(christmas_eve_ten.plus_millis(24 * HOUR_MS));
    office.start().await.unwrap();
}

pub async fn nobody_available_offers_the_choice_and_the_waiting_customer_a_message(stores: Stores) {
    let office = office(stores).await;
    office
        .set(
            None,
            OfflineSettings {
                when_closed_or_unstaffed: WhenClosed::ChooseWaitOrMessage,
                queue_wait_limit_secs: Some(120),
                reply_to: None,
            },
        )
        .await;
    office.set_available("ann", false).await;
    let (nobody, _) = office.availability().await;
    assert_eq!(
        (nobody.state, nobody.offer, nobody.next_open_at),
        (AvailabilityState::NobodyAvailable, Offer::Choose, None)
    );
    // The customer chooses to wait: the chat starts, and they may still leave a message.
    let waiting = office.start().await.unwrap();
    assert!(office.customer_offered_message(&waiting).await);
    // Ann is back: open, and the customer is no longer offered a message, until the limit.
    office.set_available("ann", true).await;
    let (open, _) = office.availability().await;
    assert_eq!(open.state, AvailabilityState::Open);
    assert!(!office.customer_offered_message(&waiting).await);
    office.clock.advance_ms(119_999);
    assert!(!office.customer_offered_message(&waiting).await);
    office.clock.advance_ms(1);
    assert!(office.customer_offered_message(&waiting).await);
    // The same group taking messages only refuses a chat while nobody is available.
    office.set(None, message_only()).await;
    office.set_available("ann", false).await;
    let refused = office.start().await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::GroupClosed, "{refused}");
}
