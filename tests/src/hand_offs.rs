//! Hand-off timers through the use cases over each store adapter, with a clock the tests move:
//! each timer fires exactly once for a chat left waiting, never for an answered one, never to an
//! away or full member nor back to the agent it comes from, the cap holds, and a sweep racing a
//! manual change leaves one consistent outcome. `tests/store_contract.rs` runs every case on
//! SQLite and on DynamoDB.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chatdesk::app::{App, BulkAction, StartChat, SweepReport};
use chatdesk::auth::Principal;
use chatdesk::domain::*;
use chatdesk::ports::{ChatNotice, Clock, ManualClock, Notifier};
use chatdesk_server::Stores;

use crate::contract::{agent, aid, app_over, gid};

/// 2026-03-02T09:00:00Z.
const START: Timestamp = Timestamp(1_772_442_000_000);

fn timers(first: u32, follow_up: u32, disconnected: u32, cap: u32) -> HandOffSettings {
    HandOffSettings {
        no_first_response_secs: first,
        no_follow_up_secs: follow_up,
        agent_disconnected_secs: disconnected,
        max_hand_offs: cap,
    }
}

/// Remembers who was alerted of chats at the cap.
#[derive(Default)]
struct Alerts(Mutex<Vec<(ChatId, Vec<AgentId>)>>);

#[async_trait]
impl Notifier for Alerts {
    async fn chat_changed(&self, _notice: &ChatNotice) {}
    async fn hand_off_escalated(&self, chat: &Chat, managers: &[AgentId]) {
        if let Ok(mut alerts) = self.0.lock() {
            alerts.push((chat.id.clone(), managers.to_vec()));
        }
    }
}

struct Desk {
    stores: Stores,
    app: App,
    clock: Arc<ManualClock>,
    alerts: Arc<Alerts>,
}

impl Desk {
    /// Group `desk` with these timers and members (each with room for `room` chats), and Meg,
    /// its manager.
    async fn new(
        stores: Stores,
        distribution: Distribution,
        hand_off: HandOffSettings,
        members: &[&str],
        room: u32,
    ) -> Desk {
        stores
            .directory
            .put_group(&Group {
                id: gid("desk"),
                name: "Desk".into(),
                distribution,
                hand_off,
                business_hours: None,
                offline: Default::default(),
                texts: Default::default(),
            })
            .await
            .unwrap();
        for m in members {
            stores
                .directory
                .put_agent(&agent(m, &["desk"], Role::Agent, room))
                .await
                .unwrap();
        }
        // The manager supervises: away, so chats are never handed to her.
        let mut meg = agent("meg", &["desk"], Role::Manager, 10);
        meg.available = false;
        stores.directory.put_agent(&meg).await.unwrap();
        let clock = Arc::new(ManualClock::new(START));
        let alerts = Arc::new(Alerts::default());
        let mut app = app_over(&stores);
        app.clock = clock.clone();
        app.notifier = alerts.clone();
        Desk {
            stores,
            app,
            clock,
            alerts,
        }
    }

    async fn start(&self, name: &str) -> ChatId {
        self.app
            .start_chat(StartChat {
                group_id: gid("desk"),
                name: name.into(),
                email: None,
                question: "My parcel is late".into(),
                client_msg_id: None,
                identity: None,
            })
            .await
            .unwrap()
            .chat
            .id
    }

    async fn chat(&self, id: &ChatId) -> Chat {
        self.stores.chats.get_chat(id).await.unwrap().unwrap()
    }

    async fn sweep(&self) -> SweepReport {
        self.app
            .run_hand_off_timers(self.stores.connections.as_ref())
            .await
            .unwrap()
    }

    fn later(&self, secs: i64) {
        self.clock.advance_ms(secs * 1000);
    }

    async fn pull(&self, who: &str, chat: &ChatId) {
        let out = self
            .app
            .bulk(
                &Principal::agent(aid(who)),
                BulkAction::Pull,
                vec![chat.clone()],
            )
            .await
            .unwrap();
        assert_eq!(out.succeeded, 1, "{who} pulls: {:?}", out.results);
    }

    async fn say(&self, who: Option<&str>, chat: &ChatId, id: &str) {
        let principal = match who {
            Some(agent) => Principal::agent(aid(agent)),
            None => Principal::Customer(chat.clone()),
        };
        self.app
            .send_message(&principal, chat, ClientMessageId::parse(id).unwrap(), "hi")
            .await
            .unwrap();
    }

    async fn hand_offs(&self, chat: &ChatId) -> Vec<EventKind> {
        self.stores
            .chats
            .events_after(chat, 0, 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .filter(|k| matches!(k, EventKind::HandedOff { .. }))
            .collect()
    }

    async fn active(&self, who: &str) -> u32 {
        self.stores
            .directory
            .active_chat_count(&aid(who))
            .await
            .unwrap()
    }
}

fn agent_of(chat: &Chat) -> Option<String> {
    chat.agent_id.as_ref().map(|a| a.to_string())
}

/// Ann pulls a chat and says nothing: at the first-response timer it goes to Ben, once; Ben
/// answers, the customer writes back, and at the follow-up timer it goes on to Ann (not back to
/// Ben, who had it last).
pub async fn each_timer_fires_once_for_a_chat_left_waiting(stores: Stores) {
    let desk = Desk::new(
        stores,
        Distribution::Automatic,
        timers(60, 120, 0, 5),
        &["ann", "ben"],
        5,
    )
    .await;
    let id = desk.start("Dana").await;
    let first = agent_of(&desk.chat(&id).await).expect("handed out at once");
    let other = if first == "ann" { "ben" } else { "ann" };
    desk.later(59);
    assert_eq!(desk.sweep().await.to_agent, 0, "not yet");
    desk.later(1);
    let report = desk.sweep().await;
    assert_eq!(report.to_agent, 1);
    let chat = desk.chat(&id).await;
    assert_eq!(agent_of(&chat).as_deref(), Some(other));
    assert_eq!(chat.hand_offs, 1);
    assert_eq!(desk.active(&first).await, 0, "released");
    assert_eq!(desk.active(other).await, 1, "acquired");
    // Late and repeated sweeps find nothing more to do: the new agent's clock just started.
    assert_eq!(desk.sweep().await, SweepReport::default());
    assert_eq!(desk.sweep().await, SweepReport::default());
    let events = desk.hand_offs(&id).await;
    assert_eq!(events.len(), 1);
    assert!(matches!(
        &events[0],
        EventKind::HandedOff { reason: HandOffReason::NoFirstResponse, from_agent_id, to: Some((to, _)), escalated: false, .. }
            if from_agent_id.as_str() == first && to.as_str() == other
    ));

    desk.say(Some(other), &id, "a1").await;
    desk.later(500);
    assert_eq!(desk.sweep().await.to_agent, 0, "answered: nothing is due");
    desk.say(None, &id, "q2").await;
    desk.later(119);
    assert_eq!(desk.sweep().await.to_agent, 0);
    desk.later(1);
    assert_eq!(desk.sweep().await.to_agent, 1);
    let chat = desk.chat(&id).await;
    assert_eq!(agent_of(&chat).as_deref(), Some(first.as_str()));
    let events = desk.hand_offs(&id).await;
    assert!(matches!(
        &events[1],
        EventKind::HandedOff {
            reason: HandOffReason::NoFollowUp,
            ..
        }
    ));
}

/// An agent who answers in time, every time, keeps the chat however long it lasts; typing
/// counts as activity.
pub async fn an_answered_chat_is_never_handed_off(stores: Stores) {
    let desk = Desk::new(
        stores,
        Distribution::Pull,
        timers(60, 60, 0, 3),
        &["ann", "ben"],
        5,
    )
    .await;
    let id = desk.start("Eve").await;
    desk.pull("ann", &id).await;
    for round in 0..5 {
        desk.later(59);
        desk.say(Some("ann"), &id, &format!("a{round}")).await;
        desk.later(59);
        desk.say(None, &id, &format!("q{round}")).await;
        assert_eq!(desk.sweep().await, SweepReport::default(), "round {round}");
    }
    // The customer waits, Ann types: her clock starts over at the typing.
    desk.later(50);
    let chat = desk.chat(&id).await;
    assert!(desk
        .stores
        .chats
        .note_agent_activity(&chat, desk.clock.now())
        .await
        .unwrap());
    desk.later(50);
    assert_eq!(desk.sweep().await, SweepReport::default(), "typed 50 s ago");
    desk.later(10);
    assert_eq!(desk.sweep().await.to_queue, 1, "60 s after the typing");
    assert!(desk.hand_offs(&id).await.len() == 1);
}

/// Nobody else can take the chat (Ben is away, Cat is full): it goes back to the head of the
/// queue, ahead of a customer who arrived later, never back to Ann.
pub async fn never_to_an_away_or_full_agent_nor_back_to_the_same(stores: Stores) {
    let desk = Desk::new(
        stores,
        Distribution::Automatic,
        timers(30, 0, 0, 3),
        &["ann", "ben", "cat"],
        1,
    )
    .await;
    let mut ben = agent("ben", &["desk"], Role::Agent, 1);
    ben.available = false;
    desk.stores.directory.put_agent(&ben).await.unwrap();
    // Cat has no room at all.
    let cat = agent("cat", &["desk"], Role::Agent, 0);
    desk.stores.directory.put_agent(&cat).await.unwrap();
    let id = desk.start("Fay").await;
    assert_eq!(agent_of(&desk.chat(&id).await).as_deref(), Some("ann"));
    desk.later(10);
    let later = desk.start("Hal").await;
    assert_eq!(
        desk.chat(&later).await.state,
        ChatState::Queued,
        "Ann is full"
    );
    desk.later(20);
    let report = desk.sweep().await;
    assert_eq!((report.to_agent, report.to_queue), (0, 1));
    let chat = desk.chat(&id).await;
    assert_eq!(chat.state, ChatState::Queued);
    assert_eq!(chat.agent_id, None);
    assert_eq!(desk.active("ann").await, 0, "released");
    assert_eq!(desk.active("cat").await, 0);
    assert!(matches!(
        desk.hand_offs(&id).await.as_slice(),
        [EventKind::HandedOff {
            to: None,
            escalated: false,
            ..
        }]
    ));
    // Back at the head of the queue: ahead of Hal, who arrived later.
    let queue = desk
        .stores
        .chats
        .list_positions(&chatdesk::ports::ChatFilter::GroupQueue(gid("desk")), 10)
        .await
        .unwrap();
    let order: Vec<&ChatId> = queue.iter().map(|p| &p.chat_id).collect();
    assert_eq!(order, vec![&id, &later]);
    // Queued, it awaits no agent: later sweeps leave it alone.
    desk.later(600);
    assert_eq!(desk.sweep().await, SweepReport::default());
}

/// Two sweeps at once and a manager taking the chat at the same moment: the hand-off happens
/// at most once, from Ann; the chat ends with one agent; every counter matches the chats.
pub async fn a_hand_off_racing_a_take_leaves_one_consistent_outcome(stores: Stores) {
    let desk = Desk::new(
        stores,
        Distribution::Automatic,
        timers(30, 0, 0, 5),
        &["ann", "ben"],
        5,
    )
    .await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(desk.start(&format!("Customer {i}")).await);
    }
    desk.later(31);
    let take = {
        let app = desk.app.clone();
        let ids = ids.clone();
        tokio::spawn(async move {
            app.bulk(&Principal::agent(aid("meg")), BulkAction::Take, ids)
                .await
                .unwrap()
        })
    };
    let sweeps: Vec<_> = (0..2)
        .map(|_| {
            let app = desk.app.clone();
            let conns = desk.stores.connections.clone();
            tokio::spawn(async move { app.run_hand_off_timers(conns.as_ref()).await.unwrap() })
        })
        .collect();
    take.await.unwrap();
    let mut moved = 0;
    for s in sweeps {
        let r = s.await.unwrap();
        moved += r.to_agent + r.to_queue;
    }
    let mut handed = 0;
    let mut held = std::collections::HashMap::<String, u32>::new();
    for id in &ids {
        let events = desk.hand_offs(id).await;
        assert!(events.len() <= 1, "{id}: handed off twice: {events:?}");
        handed += events.len() as u32;
        let chat = desk.chat(id).await;
        assert_eq!(chat.state, ChatState::Active, "{id}");
        *held.entry(agent_of(&chat).expect("one agent")).or_default() += 1;
    }
    assert_eq!(handed, moved, "every hand-off reported is in a transcript");
    for who in ["ann", "ben", "meg"] {
        assert_eq!(
            desk.active(who).await,
            held.get(who).copied().unwrap_or(0),
            "{who}'s counter matches the chats they hold"
        );
    }
}

/// With a cap of 2, the second hand-off puts the chat in the queue for a person, alerts the
/// group's managers, and automatic distribution leaves it there until someone takes it.
pub async fn the_hand_off_cap_holds(stores: Stores) {
    let desk = Desk::new(
        stores,
        Distribution::Automatic,
        timers(30, 0, 0, 2),
        &["ann", "ben"],
        5,
    )
    .await;
    let id = desk.start("Ivy").await;
    desk.later(30);
    assert_eq!(desk.sweep().await.to_agent, 1);
    desk.later(30);
    let report = desk.sweep().await;
    assert_eq!((report.to_agent, report.to_queue), (0, 1));
    let chat = desk.chat(&id).await;
    assert_eq!(chat.state, ChatState::Queued);
    assert!(chat.escalated);
    assert_eq!(chat.hand_offs, 2);
    let alerts = desk.alerts.0.lock().unwrap().clone();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].0, id);
    assert_eq!(alerts[0].1, vec![aid("meg")], "the group's manager");
    // Ann ends a chat and has room: the escalated chat is not handed to her.
    let other = desk.start("Jay").await;
    let holder = agent_of(&desk.chat(&other).await).expect("handed out");
    desk.app
        .bulk(
            &Principal::agent(aid(&holder)),
            BulkAction::End { resolution: None },
            vec![other],
        )
        .await
        .unwrap();
    desk.later(600);
    assert_eq!(desk.sweep().await, SweepReport::default());
    assert_eq!(desk.chat(&id).await.state, ChatState::Queued);
    // A person takes it: theirs, and the cap no longer holds it back.
    desk.pull("ben", &id).await;
    let chat = desk.chat(&id).await;
    assert_eq!(agent_of(&chat).as_deref(), Some("ben"));
    assert!(!chat.escalated);
    assert_eq!(desk.hand_offs(&id).await.len(), 2);
}

/// Ann's console closes: within the disconnected timer nothing moves (and a console coming back
/// cancels it); past it her chats go to Ben. Past the grace period she gets no new chats.
pub async fn a_disconnected_agents_chats_move_after_the_timer(stores: Stores) {
    let desk = Desk::new(
        stores,
        Distribution::Automatic,
        timers(0, 0, 90, 5),
        &["ann", "ben"],
        5,
    )
    .await;
    let mut ben = agent("ben", &["desk"], Role::Agent, 5);
    ben.available = false;
    desk.stores.directory.put_agent(&ben).await.unwrap();
    let a = desk.start("Kim").await;
    let b = desk.start("Lou").await;
    for id in [&a, &b] {
        assert_eq!(agent_of(&desk.chat(id).await).as_deref(), Some("ann"));
    }
    ben.available = true;
    desk.stores.directory.put_agent(&ben).await.unwrap();

    desk.stores
        .directory
        .mark_offline(&aid("ann"), desk.clock.now())
        .await
        .unwrap();
    desk.later(30);
    desk.stores
        .directory
        .mark_online(&aid("ann"))
        .await
        .unwrap();
    desk.later(120);
    assert_eq!(desk.sweep().await, SweepReport::default(), "she came back");

    desk.stores
        .directory
        .mark_offline(&aid("ann"), desk.clock.now())
        .await
        .unwrap();
    desk.later(89);
    assert_eq!(desk.sweep().await.to_agent, 0);
    // Past the grace period (a minute) a new chat goes to Ben, not to the offline Ann.
    let c = desk.start("Max").await;
    assert_eq!(agent_of(&desk.chat(&c).await).as_deref(), Some("ben"));
    desk.later(1);
    assert_eq!(desk.sweep().await.to_agent, 2);
    for id in [&a, &b] {
        let chat = desk.chat(id).await;
        assert_eq!(agent_of(&chat).as_deref(), Some("ben"));
        assert!(matches!(
            desk.hand_offs(id).await.as_slice(),
            [EventKind::HandedOff {
                reason: HandOffReason::AgentDisconnected,
                ..
            }]
        ));
    }
    assert_eq!(desk.active("ann").await, 0);
    assert_eq!(desk.sweep().await, SweepReport::default());
}

/// Ann ends some of her overdue chats and transfers the others to another group while the
/// sweep hands them off: each chat has exactly one winner (ended or transferred by Ann, or
/// handed off to Ben, whose chat Ann may then no longer touch), and every counter matches.
pub async fn a_hand_off_racing_an_end_or_a_transfer_has_exactly_one_winner(stores: Stores) {
    let desk = Desk::new(
        stores,
        Distribution::Automatic,
        timers(30, 0, 0, 5),
        &["ann", "ben"],
        10,
    )
    .await;
    desk.stores
        .directory
        .put_group(&Group::pull(gid("other"), "Other"))
        .await
        .unwrap();
    let mut ben = agent("ben", &["desk"], Role::Agent, 10);
    ben.available = false;
    desk.stores.directory.put_agent(&ben).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(desk.start(&format!("Customer {i}")).await);
    }
    ben.available = true;
    desk.stores.directory.put_agent(&ben).await.unwrap();
    desk.later(31);
    let (to_end, to_transfer) = ids.split_at(4);
    let ann = Principal::agent(aid("ann"));
    let end = {
        let (app, ann, chats) = (desk.app.clone(), ann.clone(), to_end.to_vec());
        tokio::spawn(async move {
            app.bulk(&ann, BulkAction::End { resolution: None }, chats)
                .await
                .unwrap()
        })
    };
    let transfer = {
        let (app, ann, chats) = (desk.app.clone(), ann.clone(), to_transfer.to_vec());
        tokio::spawn(async move {
            let to = chatdesk::app::TransferTarget::Group {
                group_id: gid("other"),
            };
            app.bulk(&ann, BulkAction::Transfer(to), chats)
                .await
                .unwrap()
        })
    };
    let sweep = {
        let (app, conns) = (desk.app.clone(), desk.stores.connections.clone());
        tokio::spawn(async move { app.run_hand_off_timers(conns.as_ref()).await.unwrap() })
    };
    let (ended, transferred) = (end.await.unwrap(), transfer.await.unwrap());
    let swept = sweep.await.unwrap();
    let mut by_ann = 0usize;
    for id in &ids {
        let handed = desk.hand_offs(id).await.len();
        let events = desk.stores.chats.events_after(id, 0, 1000).await.unwrap();
        let ann_acted = events
            .iter()
            .filter(|e| {
                matches!(
                    &e.kind,
                    EventKind::Ended { by: Party::Agent { id: who, .. }, .. }
                        | EventKind::Requeued { by: Party::Agent { id: who, .. }, .. }
                        if who.as_str() == "ann"
                )
            })
            .count();
        assert_eq!(handed + ann_acted, 1, "{id}: one winner: {events:?}");
        by_ann += ann_acted;
    }
    assert_eq!(by_ann, ended.succeeded + transferred.succeeded);
    assert_eq!((swept.to_agent + swept.to_queue) as usize, 8 - by_ann);
    let mut held = 0;
    for id in &ids {
        let chat = desk.chat(id).await;
        if chat.state == ChatState::Active {
            assert_eq!(agent_of(&chat).as_deref(), Some("ben"), "{id}");
            held += 1;
        }
    }
    assert_eq!(desk.active("ann").await, 0);
    assert_eq!(desk.active("ben").await, held);
}
