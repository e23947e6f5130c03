//! Floods the outside probe ran, replayed: one customer token opened 200 sockets, 100 sockets x 30
//! frames stored 2,990 messages in 5 s, and `POST /api/chats/{id}/messages` stored 600 in 2.3 s.
//! Limits now hold per principal and per chat, whatever mix of sockets and REST carries the
//! messages, on the embedded store and on DynamoDB (moto).

use std::time::Duration;

use chatdesk::app::{CONNECTIONS_PER_AGENT, CONNECTIONS_PER_CUSTOMER};
use chatdesk::domain::pace::{MESSAGE_BURST, MESSAGE_INTERVAL_MS};
use chatdesk_server::FanoutVia;
use chatdesk_tests::client::{Api, Ws};
use chatdesk_tests::dynamo_endpoint::fresh_stores;
use chatdesk_tests::server::{spawn_server, spawn_server_with, TestServer};
use serde_json::{json, Value};

async fn sqlite_server() -> TestServer {
    spawn_server().await
}

async fn dynamodb_server() -> TestServer {
    let (stores, _) = fresh_stores().await;
    spawn_server_with(stores, |c| c.fanout_via = FanoutVia::ManagementApi).await
}

/// How many messages of the chat are stored (the customer's question is the first).
async fn stored_messages(api: &Api, token: &str, chat: &str) -> usize {
    let (status, events) = api
        .get(&format!("/api/chats/{chat}/events?limit=500"), token)
        .await;
    assert_eq!(status, 200, "{events}");
    events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "message")
        .count()
}

/// Messages one side can get through in `elapsed`: the burst, then one per interval.
fn allowed_in(elapsed: Duration) -> usize {
    MESSAGE_BURST as usize + (elapsed.as_millis() as i64 / MESSAGE_INTERVAL_MS) as usize + 1
}

/// A customer token opens many sockets: only the allowance gets in, the rest are refused at the
/// handshake with 429; closing one makes room for one.
async fn one_customer_token_cannot_open_many_sockets(server: TestServer) {
    let api = Api::new(&server.base_url);
    let (_, customer) = api.start_chat("support", "Flo", "Flood").await;
    let mut open = Vec::new();
    let mut refused = Vec::new();
    for _ in 0..40 {
        match Ws::connect(&server.ws_url(&customer)).await {
            Ok(ws) => open.push(ws),
            Err(e) => refused.push(e),
        }
    }
    assert_eq!(open.len(), CONNECTIONS_PER_CUSTOMER as usize);
    assert!(
        refused.iter().all(|e| e.contains("429")),
        "refused with 429 Too Many Requests: {:?}",
        refused.first()
    );
    // Closing one makes room for exactly one more (the close is processed asynchronously).
    open.pop().unwrap().close().await;
    let mut reopened = None;
    for _ in 0..50 {
        if let Ok(ws) = Ws::connect(&server.ws_url(&customer)).await {
            reopened = Some(ws);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(reopened.is_some(), "a closed socket frees its place");
    assert!(Ws::connect(&server.ws_url(&customer)).await.is_err());

    // Agents have their own allowance, per agent.
    let alice = api.login("alice").await;
    let mut agent_sockets = Vec::new();
    for _ in 0..(CONNECTIONS_PER_AGENT + 3) {
        if let Ok(ws) = Ws::connect(&server.ws_url(&alice)).await {
            agent_sockets.push(ws);
        }
    }
    assert_eq!(agent_sockets.len(), CONNECTIONS_PER_AGENT as usize);
    let bob = api.login("bob").await;
    assert!(Ws::connect(&server.ws_url(&bob)).await.is_ok());
}

/// The customer writes as fast as possible over every socket they may open and over REST at
/// once: what is stored stays within one side's pace, and every refusal says so.
async fn a_customer_flood_over_sockets_and_rest_is_paced_per_chat(server: TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, customer) = api.start_chat("support", "Flo", "Flood").await;
    let started = tokio::time::Instant::now();
    let mut sockets = Vec::new();
    for _ in 0..CONNECTIONS_PER_CUSTOMER {
        sockets.push(Ws::connect(&server.ws_url(&customer)).await.unwrap());
    }
    let mut tasks = Vec::new();
    for (s, mut ws) in sockets.into_iter().enumerate() {
        let chat = chat.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..30 {
                ws.send(json!({"action":"send","chat_id":chat,"client_msg_id":format!("ws-{s}-{i}"),"body":"spam"}))
                    .await;
            }
            let mut limited = 0;
            while let Some(f) = ws.next(Duration::from_millis(1500)).await {
                if f["type"] == "error" && f["error"] == "rate_limited" {
                    limited += 1;
                }
            }
            limited
        }));
    }
    let rest = {
        let api = Api::new(&server.base_url);
        let chat = chat.clone();
        let customer = customer.clone();
        tokio::spawn(async move {
            let mut statuses = Vec::new();
            for i in 0..100 {
                let (status, body) = api
                    .post(
                        &format!("/api/chats/{chat}/messages"),
                        &customer,
                        json!({"client_msg_id": format!("rest-{i}"), "body": "spam"}),
                    )
                    .await;
                if status == 429 {
                    assert_eq!(body["error"], "rate_limited", "{body}");
                    assert!(
                        body["message"].as_str().unwrap().contains("too fast"),
                        "{body}"
                    );
                }
                statuses.push(status);
            }
            statuses
        })
    };
    let mut limited_frames = 0;
    for t in tasks {
        limited_frames += t.await.unwrap();
    }
    let statuses = rest.await.unwrap();
    let elapsed = started.elapsed();
    let stored = stored_messages(&api, &alice, &chat).await - 1;
    assert!(
        stored <= allowed_in(elapsed),
        "{stored} messages stored in {elapsed:?}"
    );
    assert!(
        stored >= MESSAGE_BURST as usize,
        "the burst itself gets through"
    );
    let refused_rest = statuses.iter().filter(|s| **s == 429).count();
    assert!(
        refused_rest > 0 && limited_frames > 0,
        "both paths were refused"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 429),
        "{statuses:?}"
    );
}

/// The agent's side of a chat has its own pace, over REST as over the socket; the customer's
/// flood does not use it up.
async fn an_agent_flood_is_paced_and_leaves_the_customer_side_alone(server: TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, customer) = api.start_chat("support", "Flo", "Flood").await;
    let (status, _) = api.action("pull", &alice, json!({"chat_ids":[chat]})).await;
    assert_eq!(status, 200);
    // Twice the burst and more, as fast as REST takes them: whatever the machine's speed, more
    // than the pace allows in the time it took.
    let attempts = 3 * MESSAGE_BURST;
    let started = tokio::time::Instant::now();
    let mut accepted = 0;
    let mut refused: Option<Value> = None;
    for i in 0..attempts {
        let (status, body) = api
            .post(
                &format!("/api/chats/{chat}/messages"),
                &alice,
                json!({"client_msg_id": format!("agent-{i}"), "body": "canned"}),
            )
            .await;
        match status {
            201 => accepted += 1,
            429 => refused = Some(body),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    let elapsed = started.elapsed();
    assert!(accepted >= MESSAGE_BURST as usize, "the burst gets through");
    assert!(
        accepted <= allowed_in(elapsed),
        "{accepted} agent messages in {elapsed:?}"
    );
    if allowed_in(elapsed) < attempts as usize {
        assert_eq!(refused.expect("some were refused")["error"], "rate_limited");
    }
    let (status, body) = api
        .post(
            &format!("/api/chats/{chat}/messages"),
            &customer,
            json!({"client_msg_id": "customer-1", "body": "are you there?"}),
        )
        .await;
    assert_eq!(status, 201, "the customer still writes: {body}");
}

chatdesk_tests::on_both_stores!(
    worker_threads = 4;
    one_customer_token_cannot_open_many_sockets,
    a_customer_flood_over_sockets_and_rest_is_paced_per_chat,
    an_agent_flood_is_paced_and_leaves_the_customer_side_alone,
);
