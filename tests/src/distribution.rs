//! Automatic distribution, through the use cases over each store adapter: who gets a new chat,
//! when a waiting chat is handed out, and that concurrent hand-outs never break an agent's
//! limit (the adapters' conditional writes are what guarantees it). `tests/store_contract.rs`
//! runs every case on SQLite and on DynamoDB.

use chatdesk::app::{ActionOutcome, App, BulkAction, StartChat, TransferTarget};
use chatdesk::auth::Principal;
use chatdesk::domain::*;
use chatdesk::ports::ChatFilter;
use chatdesk_server::Stores;

use crate::contract::{agent, aid, app_over, gid};

async fn automatic_group(stores: &Stores, id: &str) {
    stores
        .directory
        .put_group(&Group {
            id: gid(id),
            name: format!("Group {id}"),
            distribution: Distribution::Automatic,
            hand_off: Default::default(),
            business_hours: None,
            offline: Default::default(),
            texts: Default::default(),
        })
        .await
        .unwrap();
}

async fn start(app: &App, group: &str, name: &str) -> chatdesk::app::CustomerChat {
    app.start_chat(StartChat {
        group_id: gid(group),
        name: name.into(),
        email: None,
        question: "My site is down".into(),
        client_msg_id: None,
        identity: None,
    })
    .await
    .unwrap()
    .chat
}

async fn chat(stores: &Stores, id: &ChatId) -> Chat {
    stores.chats.get_chat(id).await.unwrap().unwrap()
}

async fn active_count(stores: &Stores, agent: &str) -> u32 {
    stores
        .directory
        .active_chat_count(&aid(agent))
        .await
        .unwrap()
}

async fn end(app: &App, agent: &str, chat: &ChatId) {
    let out = app
        .bulk(
            &Principal::agent(aid(agent)),
            BulkAction::End { resolution: None },
            vec![chat.clone()],
        )
        .await
        .unwrap();
    assert_eq!(out.succeeded, 1, "{agent} ends {chat}: {:?}", out.results);
}

/// `agent` transfers the chat back to the "auto" group's queue.
async fn hand_back(app: &App, agent: &str, chat: &ChatId) -> ActionOutcome {
    app.bulk(
        &Principal::agent(aid(agent)),
        BulkAction::Transfer(TransferTarget::Group {
            group_id: gid("auto"),
        }),
        vec![chat.clone()],
    )
    .await
    .unwrap()
}

fn assigned_automatically(events: &[ChatEvent]) -> usize {
    events
        .iter()
        .filter(|e| {
            matches!(
                &e.kind,
                EventKind::Assigned {
                    by: Party::Automatic,
                    ..
                }
            )
        })
        .count()
}

pub async fn new_chats_go_to_the_least_loaded_available_member(stores: Stores) {
    automatic_group(&stores, "auto").await;
    crate::contract::seed_groups(&stores, &["other"]).await;
    let app = app_over(&stores);
    for a in [
        agent("ann", &["auto"], Role::Agent, 2),
        agent("ben", &["auto", "other"], Role::Agent, 2),
        agent("dan", &["other"], Role::Agent, 5),
    ] {
        stores.directory.put_agent(&a).await.unwrap();
    }
    let mut away = agent("cat", &["auto"], Role::Agent, 5);
    away.available = false;
    stores.directory.put_agent(&away).await.unwrap();

    let mut started = Vec::new();
    for i in 0..4 {
        let c = start(&app, "auto", &format!("Customer {i}")).await;
        assert_eq!(
            c.state,
            ChatState::Active,
            "the customer is answered at once"
        );
        assert!(c.agent_name.is_some());
        assert_eq!(c.queue_position, None);
        started.push(c.id);
    }
    assert_eq!(active_count(&stores, "ann").await, 2);
    assert_eq!(active_count(&stores, "ben").await, 2);
    assert_eq!(active_count(&stores, "cat").await, 0, "unavailable: none");
    assert_eq!(active_count(&stores, "dan").await, 0, "not a member: none");
    for id in &started {
        let events = stores.chats.events_after(id, 0, 100).await.unwrap();
        assert_eq!(assigned_automatically(&events), 1);
        assert!(chat(&stores, id).await.first_assigned_at.is_some());
    }

    // Everybody is full: the fifth customer waits, first in line.
    let waiting = start(&app, "auto", "Customer 5").await;
    assert_eq!(waiting.state, ChatState::Queued);
    assert_eq!(waiting.queue_position, Some(0));

    // Ann ends a chat: the waiting one is hers straight away.
    let anns = stores
        .chats
        .list_chats(&ChatFilter::AgentActive(aid("ann")), 10)
        .await
        .unwrap();
    end(&app, "ann", &anns[0].id).await;
    let handed = chat(&stores, &waiting.id).await;
    assert_eq!(handed.state, ChatState::Active);
    assert_eq!(handed.agent_id, Some(aid("ann")));
    assert_eq!(active_count(&stores, "ann").await, 2);
}

pub async fn a_chat_waits_until_a_member_becomes_available(stores: Stores) {
    automatic_group(&stores, "auto").await;
    let app = app_over(&stores);
    let mut ann = agent("ann", &["auto"], Role::Agent, 2);
    ann.available = false;
    stores.directory.put_agent(&ann).await.unwrap();

    // A few milliseconds apart: the queue is ordered by arrival time (to the millisecond, ties
    // by id), and this case is about who waited longest.
    let mut arrivals = Vec::new();
    for name in ["First", "Second", "Third"] {
        arrivals.push(start(&app, "auto", name).await);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let [first, second, third] = <[_; 3]>::try_from(arrivals).unwrap();
    for c in [&first, &second, &third] {
        assert_eq!(c.state, ChatState::Queued, "nobody is available");
    }
    assert_eq!(third.queue_position, Some(2));

    app.set_available(&Principal::agent(aid("ann")), true)
        .await
        .unwrap();
    // Up to her limit, longest waiting first.
    assert_eq!(chat(&stores, &first.id).await.agent_id, Some(aid("ann")));
    assert_eq!(chat(&stores, &second.id).await.agent_id, Some(aid("ann")));
    assert_eq!(chat(&stores, &third.id).await.state, ChatState::Queued);
    assert_eq!(active_count(&stores, "ann").await, 2);
}

pub async fn a_chat_handed_back_to_the_queue_goes_to_another_member(stores: Stores) {
    automatic_group(&stores, "auto").await;
    let app = app_over(&stores);
    stores
        .directory
        .put_agent(&agent("ann", &["auto"], Role::Agent, 3))
        .await
        .unwrap();
    let c = start(&app, "auto", "Sam").await;
    assert_eq!(chat(&stores, &c.id).await.agent_id, Some(aid("ann")));

    // Nobody else yet: handed back, it waits (not straight back to Ann).
    let back = hand_back(&app, "ann", &c.id).await;
    assert_eq!(back.succeeded, 1, "{:?}", back.results);
    assert_eq!(chat(&stores, &c.id).await.state, ChatState::Queued);
    assert_eq!(active_count(&stores, "ann").await, 0);

    // Ben comes on duty and gets it.
    let mut ben = agent("ben", &["auto"], Role::Agent, 3);
    ben.available = false;
    stores.directory.put_agent(&ben).await.unwrap();
    app.set_available(&Principal::agent(aid("ben")), true)
        .await
        .unwrap();
    let now = chat(&stores, &c.id).await;
    assert_eq!(now.agent_id, Some(aid("ben")));

    // Ben hands it back while Ann has room: it goes to Ann, and the answer shows it.
    let back = hand_back(&app, "ben", &c.id).await;
    let row = back.results[0].chat.clone().unwrap();
    assert_eq!(row.agent_id, Some(aid("ann")));
    assert_eq!(row.state, ChatState::Active);
}

pub async fn pull_groups_keep_chats_in_the_queue(stores: Stores) {
    crate::contract::seed_groups(&stores, &["pull"]).await;
    let app = app_over(&stores);
    stores
        .directory
        .put_agent(&agent("ann", &["pull"], Role::Agent, 3))
        .await
        .unwrap();
    let c = start(&app, "pull", "Sam").await;
    assert_eq!(c.state, ChatState::Queued);
    assert_eq!(active_count(&stores, "ann").await, 0);
}

pub async fn concurrent_starts_and_ends_never_exceed_a_limit(stores: Stores) {
    automatic_group(&stores, "auto").await;
    let app = app_over(&stores);
    let names = ["ann", "ben", "cat"];
    for n in names {
        stores
            .directory
            .put_agent(&agent(n, &["auto"], Role::Agent, 2))
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for i in 0..10 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            start(&app, "auto", &format!("Customer {i}")).await.id
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    let mut active = 0;
    for id in &ids {
        let c = chat(&stores, id).await;
        let events = stores.chats.events_after(id, 0, 100).await.unwrap();
        match c.state {
            ChatState::Active => {
                active += 1;
                assert_eq!(assigned_automatically(&events), 1, "handed out once");
            }
            ChatState::Queued => assert_eq!(assigned_automatically(&events), 0),
            other => panic!("chat {id} is {other:?}"),
        }
    }
    assert_eq!(active, 6, "two each, the rest wait");
    for n in names {
        assert_eq!(active_count(&stores, n).await, 2, "{n}");
        let listed = stores
            .chats
            .list_chats(&ChatFilter::AgentActive(aid(n)), 10)
            .await
            .unwrap();
        assert_eq!(listed.len(), 2, "{n}'s list matches the counter");
    }

    // All three end one chat at once: three waiting chats are handed out, none twice.
    let mut ends = Vec::new();
    for n in names {
        let mine = stores
            .chats
            .list_chats(&ChatFilter::AgentActive(aid(n)), 10)
            .await
            .unwrap();
        let app = app.clone();
        let first = mine[0].id.clone();
        ends.push(tokio::spawn(async move { end(&app, n, &first).await }));
    }
    for t in ends {
        t.await.unwrap();
    }
    for n in names {
        assert_eq!(active_count(&stores, n).await, 2, "{n} is full again");
    }
    let queue = stores
        .chats
        .list_chats(&ChatFilter::GroupQueue(gid("auto")), 10)
        .await
        .unwrap();
    assert_eq!(queue.len(), 1, "one of the four still waits");
}

/// Round robin: 30 chats arriving one by one to 3 available members with room go to each in
/// turn (10 each, in the members' order); with one of them away, the other two alternate.
/// A round-robin group `turns` whose members have room for 50 chats each.
async fn round_robin_group(stores: &Stores, members: &[&str]) {
    stores
        .directory
        .put_group(&Group {
            id: gid("turns"),
            name: "Turns".into(),
            distribution: Distribution::RoundRobin,
            hand_off: Default::default(),
            business_hours: None,
            offline: Default::default(),
            texts: Default::default(),
        })
        .await
        .unwrap();
    for m in members {
        stores
            .directory
            .put_agent(&agent(m, &["turns"], Role::Agent, 50))
            .await
            .unwrap();
    }
}

pub async fn round_robin_hands_out_in_turns_and_skips_the_away(stores: Stores) {
    let members = ["ann", "ben", "cat"];
    round_robin_group(&stores, &members).await;
    let app = app_over(&stores);
    let mut got: Vec<String> = Vec::new();
    for i in 0..30 {
        let c = start(&app, "turns", &format!("Customer {i}")).await;
        assert_eq!(c.state, ChatState::Active, "chat {i} is handed out at once");
        let handed = chat(&stores, &c.id).await;
        got.push(handed.agent_id.expect("assigned").to_string());
    }
    let expected: Vec<String> = (0..30).map(|i| members[i % 3].to_owned()).collect();
    assert_eq!(got, expected, "one each, in turn order");
    for m in members {
        assert_eq!(active_count(&stores, m).await, 10, "{m}");
    }

    // Cat goes away: Ann and Ben alternate, starting after Cat's last turn.
    let mut away = agent("cat", &["turns"], Role::Agent, 50);
    away.available = false;
    stores.directory.put_agent(&away).await.unwrap();
    let mut got: Vec<String> = Vec::new();
    for i in 0..30 {
        let c = start(&app, "turns", &format!("Later customer {i}")).await;
        got.push(
            chat(&stores, &c.id)
                .await
                .agent_id
                .expect("assigned")
                .to_string(),
        );
    }
    let expected: Vec<String> = (0..30).map(|i| ["ann", "ben"][i % 2].to_owned()).collect();
    assert_eq!(got, expected);
    assert_eq!(active_count(&stores, "ann").await, 25);
    assert_eq!(active_count(&stores, "ben").await, 25);
    assert_eq!(active_count(&stores, "cat").await, 10, "away: no new chats");
}

/// Chats starting at the same moment in a round-robin group never take the same turn: with 3
/// members and 9 chats at once, each member gets 3.
pub async fn concurrent_round_robin_starts_share_the_turns_evenly(stores: Stores) {
    round_robin_group(&stores, &["ann", "ben", "cat"]).await;
    let app = app_over(&stores);
    let starts = (0..9).map(|i| {
        let app = app.clone();
        tokio::spawn(async move { start(&app, "turns", &format!("Customer {i}")).await })
    });
    for s in starts {
        assert_eq!(s.await.unwrap().state, ChatState::Active);
    }
    for m in ["ann", "ben", "cat"] {
        assert_eq!(active_count(&stores, m).await, 3, "{m}");
    }
}

/// Least busy first; among members equally busy, the one whose last assignment is longest ago
/// (never assigned first): SmarterTrack's tie-break.
pub async fn equally_busy_members_go_by_time_since_their_last_assignment(stores: Stores) {
    automatic_group(&stores, "auto").await;
    let app = app_over(&stores);
    for a in ["ann", "ben"] {
        stores
            .directory
            .put_agent(&agent(a, &["auto"], Role::Agent, 5))
            .await
            .unwrap();
    }
    let assignee = |c: Chat| c.agent_id.expect("handed out").to_string();
    let first = start(&app, "auto", "Customer 1").await;
    let x = assignee(chat(&stores, &first.id).await);
    let y = if x == "ann" { "ben" } else { "ann" }.to_owned();
    end(&app, &x, &first.id).await;
    // Strictly later instants, whatever the clock's resolution.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let second = start(&app, "auto", "Customer 2").await;
    assert_eq!(
        assignee(chat(&stores, &second.id).await),
        y,
        "both idle: the one never assigned"
    );
    end(&app, &y, &second.id).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let third = start(&app, "auto", "Customer 3").await;
    assert_eq!(
        assignee(chat(&stores, &third.id).await),
        x,
        "both idle: the one assigned longest ago"
    );
    let fourth = start(&app, "auto", "Customer 4").await;
    assert_eq!(
        assignee(chat(&stores, &fourth.id).await),
        y,
        "fewer active chats first, whatever the times"
    );
}
