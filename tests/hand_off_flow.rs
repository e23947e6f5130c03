//! Hand-off timers end to end on the local server, over real WebSockets: its own in-process
//! scheduler sweeps every 250 ms; the server's clock is one the test moves, so each timer is
//! reached exactly, and what a deadline does is seen live by the customer and both consoles.

use std::sync::Arc;
use std::time::Duration;

use chatdesk::ports::{Clock, ManualClock, SystemClock};
use chatdesk_server::ServerClock;
use chatdesk_tests::client::{Api, Ws};
use chatdesk_tests::server::{eventually, spawn_server_with};
use serde_json::{json, Value};

fn is_hand_off(chat: &str) -> impl Fn(&Value) -> bool + '_ {
    move |f| f["type"] == "event" && f["chat_id"] == chat && f["event"]["type"] == "handed_off"
}

fn is_change_of(chat: &str) -> impl Fn(&Value) -> bool + '_ {
    move |f| f["type"] == "chat_changed" && f["chat"]["id"] == chat
}

/// Support (Alice and Carol working; the manager and the administrator away) distributes
/// automatically: 30 s for a first answer, 90 s for a closed console.
async fn support_with_timers(api: &Api) -> (String, String) {
    let admin = api.login("admin").await;
    let (status, body) = api
        .call(
            "PUT",
            "/api/groups/support/settings",
            Some(&admin),
            Some(json!({
                "distribution": "automatic",
                "hand_off": {
                    "no_first_response_secs": 30,
                    "no_follow_up_secs": 0,
                    "agent_disconnected_secs": 90,
                    "max_hand_offs": 3
                }
            })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for who in ["admin", "manager"] {
        let token = api.login(who).await;
        let (status, body) = api
            .call(
                "PATCH",
                "/api/me",
                Some(&token),
                Some(json!({"available": false})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    (api.login("alice").await, api.login("carol").await)
}

async fn console(server: &chatdesk_tests::server::TestServer, token: &str) -> Ws {
    let mut ws = Ws::connect(&server.ws_url(token)).await.unwrap();
    ws.watch_list(json!({"view":"group","group_id":"support","inactive":false}))
        .await;
    ws
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_silent_agent_and_a_closed_console_hand_the_customer_to_a_colleague_live() {
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    let server = spawn_server_with(
        chatdesk_server::Stores::all_in(chatdesk::sqlite::SqliteStore::open_in_memory().unwrap()),
        |c| c.clock = ServerClock(clock.clone()),
    )
    .await;
    let api = Api::new(&server.base_url);
    let (alice, carol) = support_with_timers(&api).await;
    let mut consoles = [
        console(&server, &alice).await,
        console(&server, &carol).await,
    ];

    // A customer arrives and is handed to one of them at once.
    let (chat, customer) = api
        .start_chat("support", "Dana", "Where is my parcel?")
        .await;
    let mut cws = Ws::connect(&server.ws_url(&customer)).await.unwrap();
    cws.send(json!({"action":"resume","chat_id":chat,"after_seq":0}))
        .await;
    let assigned = cws
        .expect("assigned", |f| {
            f["type"] == "event" && f["chat_id"] == chat && f["event"]["type"] == "assigned"
        })
        .await;
    let first = assigned["event"]["agent_id"].as_str().unwrap().to_owned();
    let (silent, colleague) = if first == "alice" { (0, 1) } else { (1, 0) };
    let assigned_at = assigned["event"]["at"].as_i64().unwrap();

    // Nothing happens before the timer runs out.
    clock.set(chatdesk::domain::Timestamp(assigned_at + 29_999));
    cws.expect_none(
        "early hand-off",
        Duration::from_millis(800),
        is_hand_off(&chat),
    )
    .await;

    // At the deadline the customer is with the colleague, and everyone sees it live.
    let deadline = assigned_at + 30_000;
    clock.set(chatdesk::domain::Timestamp(deadline));
    let handed = cws.expect("hand-off", is_hand_off(&chat)).await;
    let event = &handed["event"];
    assert_eq!(event["reason"], "no_first_response");
    assert_eq!(event["from_agent_id"], first.as_str());
    let to = event["to_agent_id"]
        .as_str()
        .expect("to a colleague")
        .to_owned();
    assert_ne!(to, first);
    let at = event["at"].as_i64().unwrap();
    assert!(
        (deadline..=deadline + 1000).contains(&at),
        "handed off at {at}, the timer ran out at {deadline}"
    );
    // Both consoles' lists show the chat with the colleague, handed off once.
    for c in consoles.iter_mut() {
        let row = c
            .expect("the hand-off in the list", |f| {
                is_change_of(&chat)(f) && f["change"] == "handed_off"
            })
            .await;
        assert_eq!(row["chat"]["agent_id"], to.as_str());
        assert_eq!(row["chat"]["hand_offs"], 1);
    }

    // The colleague answers, then closes the console (the silent agent stays).
    let colleague_token = if colleague == 0 { &alice } else { &carol };
    let [a, b] = consoles;
    let (mut stays, leaves) = if silent == 0 { (a, b) } else { (b, a) };
    let (status, body) = api
        .post(
            &format!("/api/chats/{chat}/messages"),
            colleague_token,
            json!({"client_msg_id":"hello-1","body":"Hello, I am looking into it"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    leaves.close().await;
    let me = |token: String| {
        let api = &api;
        async move { api.get("/api/me", &token).await.1["presence"].clone() }
    };
    // Still available within the grace period (a reload), away after it.
    assert!(eventually(|| async { me(colleague_token.clone()).await == "available" }).await);
    let closed_at = clock.now().millis();
    clock.set(chatdesk::domain::Timestamp(closed_at + 60_000));
    assert_eq!(me(colleague_token.clone()).await, "offline");
    // A new customer now goes to the agent with a console, not to the one without.
    let (second, _) = api
        .start_chat("support", "Eli", "Can I change my order?")
        .await;
    let (_, detail) = api
        .get(&format!("/api/chats/{second}"), colleague_token)
        .await;
    assert_eq!(detail["agent_id"], first.as_str(), "{detail}");

    // At the disconnected timer the colleague's chat moves on, live.
    clock.set(chatdesk::domain::Timestamp(closed_at + 89_000));
    cws.expect_none("early hand-off", Duration::from_millis(800), |f| {
        is_hand_off(&chat)(f) && f["event"]["reason"] == "agent_disconnected"
    })
    .await;
    clock.set(chatdesk::domain::Timestamp(closed_at + 90_000));
    let moved = cws
        .expect("disconnected hand-off", |f| {
            is_hand_off(&chat)(f) && f["event"]["reason"] == "agent_disconnected"
        })
        .await;
    assert_eq!(moved["event"]["from_agent_id"], to.as_str());
    assert_eq!(moved["event"]["to_agent_id"], first.as_str());
    stays
        .expect("the chat back with the agent who stayed", |f| {
            is_change_of(&chat)(f) && f["chat"]["agent_id"] == first.as_str()
        })
        .await;
}
