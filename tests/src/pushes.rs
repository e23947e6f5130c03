//! Who receives which frame: the push half of the authorization matrix. Each scenario opens the
//! sockets of the people it concerns, does one thing, and records, per socket, the kinds of frame
//! that carried anything of the chat (or ended the session). The rows are checked against the
//! specification in `tests/authorization_matrix.rs` and rendered into the same document.

use std::collections::BTreeSet;
use std::time::Duration;

use chatdesk::app::AgentProfile;
use chatdesk::domain::{AgentId, GroupId, Role};
use serde_json::{json, Value};

use crate::client::{Api, Ws};
use crate::server::TestServer;

pub const RECEIVERS: [&str; 5] = [
    "the chat's customer",
    "alice (Support), chat open",
    "carol (Support, Billing), Support's live list on screen",
    "bob (Sales)",
    "the agent changed",
];

/// What one socket received: the frame kinds about the chat, sorted, or `nothing`.
fn summary(frames: &[Value], chat: &str) -> String {
    let mut kinds = BTreeSet::new();
    for f in frames {
        let kind = f["type"].as_str().unwrap_or("?");
        let about_chat = f["chat_id"] == chat
            || f["chat"]["id"] == chat
            || f["chats"]
                .as_array()
                .is_some_and(|rows| rows.iter().any(|r| r["id"] == chat));
        match kind {
            "session_ended" => {
                kinds.insert(format!(
                    "session_ended ({})",
                    f["reason"].as_str().unwrap_or("?")
                ));
            }
            "unwatched" if about_chat => {
                kinds.insert(format!(
                    "unwatched ({})",
                    f["reason"].as_str().unwrap_or("?")
                ));
            }
            "ack" | "resumed" | "pong" | "error" | "queue_position" => {}
            _ if about_chat => {
                kinds.insert(kind.to_owned());
            }
            _ => {}
        }
    }
    if kinds.is_empty() {
        "nothing".into()
    } else {
        kinds.into_iter().collect::<Vec<_>>().join(", ")
    }
}

async fn drain(ws: &mut Ws) -> Vec<Value> {
    let mut frames = Vec::new();
    while let Some(f) = ws.next(Duration::from_millis(600)).await {
        frames.push(f);
    }
    frames
}

struct Sockets {
    customer: Ws,
    alice: Ws,
    carol: Ws,
    bob: Ws,
    changed: Option<Ws>,
}

impl Sockets {
    async fn summaries(mut self, chat: &str) -> Vec<String> {
        let mut out = Vec::new();
        for ws in [
            &mut self.customer,
            &mut self.alice,
            &mut self.carol,
            &mut self.bob,
        ] {
            out.push(summary(&drain(ws).await, chat));
        }
        out.push(match self.changed.as_mut() {
            Some(ws) => summary(&drain(ws).await, chat),
            None => "—".into(),
        });
        out
    }
}

async fn open(server: &TestServer, token: &str) -> Ws {
    Ws::connect(&server.ws_url(token)).await.expect("socket")
}

fn profile(username: &str, role: Role, groups: &[&str]) -> AgentProfile {
    AgentProfile {
        username: username.into(),
        display_name: username.to_uppercase(),
        role,
        groups: groups.iter().map(|g| GroupId::parse(g).unwrap()).collect(),
        max_concurrent_chats: 5,
    }
}

/// A Support chat that alice has pulled and opened, with everyone's sockets open and quiet.
async fn active_chat(
    server: &TestServer,
    api: &Api,
    changed: Option<&str>,
) -> (String, String, Sockets) {
    let alice = api.login("alice").await;
    let (chat, customer) = api.start_chat("support", "Pat", "Help").await;
    let (status, _) = api.action("pull", &alice, json!({"chat_ids":[chat]})).await;
    assert_eq!(status, 200);
    let mut alice_ws = open(server, &alice).await;
    alice_ws
        .send(json!({"action":"resume","chat_id":chat,"after_seq":0}))
        .await;
    let mut carol_ws = open(server, &api.login("carol").await).await;
    carol_ws
        .watch_list(json!({"view":"group","group_id":"support","inactive":false}))
        .await;
    let mut sockets = Sockets {
        customer: open(server, &customer).await,
        alice: alice_ws,
        carol: carol_ws,
        bob: open(server, &api.login("bob").await).await,
        changed: match changed {
            Some(token) => Some(open(server, token).await),
            None => None,
        },
    };
    for ws in [
        &mut sockets.customer,
        &mut sockets.alice,
        &mut sockets.carol,
        &mut sockets.bob,
    ] {
        drain(ws).await;
    }
    if let Some(ws) = sockets.changed.as_mut() {
        drain(ws).await;
    }
    (chat, customer, sockets)
}

async fn customer_writes(api: &Api, chat: &str, customer: &str, id: &str) {
    let (status, body) = api
        .post(
            &format!("/api/chats/{chat}/messages"),
            customer,
            json!({"client_msg_id": id, "body": "my account number is 12345"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

/// Each scenario and what every receiver got.
pub async fn push_rows(server: &TestServer) -> Vec<(String, Vec<String>)> {
    let api = Api::new(&server.base_url);
    let mut rows = Vec::new();

    let (chat, customer, sockets) = active_chat(server, &api, None).await;
    customer_writes(&api, &chat, &customer, "p1").await;
    rows.push((
        "the customer writes in alice's Support chat".to_owned(),
        sockets.summaries(&chat).await,
    ));

    let (chat, customer, mut sockets) = active_chat(server, &api, None).await;
    let alice = api.login("alice").await;
    let (_, out) = api
        .action(
            "transfer",
            &alice,
            json!({"chat_ids":[chat],"to":{"kind":"group","group_id":"billing"}}),
        )
        .await;
    assert_eq!(out["succeeded"], 1, "{out}");
    let moved = [
        summary(&drain(&mut sockets.customer).await, &chat),
        summary(&drain(&mut sockets.alice).await, &chat),
        summary(&drain(&mut sockets.carol).await, &chat),
        summary(&drain(&mut sockets.bob).await, &chat),
        "—".to_owned(),
    ];
    rows.push(("alice transfers it to Billing".to_owned(), moved.to_vec()));
    customer_writes(&api, &chat, &customer, "p2").await;
    rows.push((
        "then the customer writes".to_owned(),
        sockets.summaries(&chat).await,
    ));

    // A manager of Support and Billing, demoted to an agent of Support; then a Billing chat.
    server
        .app
        .save_agent(
            profile("dana", Role::Manager, &["support", "billing"]),
            None,
        )
        .await
        .unwrap();
    let dana = server
        .app
        .tokens
        .issue_agent(
            &server
                .stores
                .directory
                .get_agent(&AgentId::parse("dana").unwrap())
                .await
                .unwrap()
                .unwrap(),
            server.app.clock.now(),
        )
        .unwrap();
    let (_, _, mut sockets) = active_chat(server, &api, Some(&dana)).await;
    server
        .app
        .save_agent(profile("dana", Role::Agent, &["support"]), None)
        .await
        .unwrap();
    let (billing, _) = api.start_chat("billing", "Bo", "A Billing question").await;
    let mut cells = Vec::new();
    for ws in [
        &mut sockets.customer,
        &mut sockets.alice,
        &mut sockets.carol,
        &mut sockets.bob,
    ] {
        cells.push(summary(&drain(ws).await, &billing));
    }
    cells.push(summary(
        &drain(sockets.changed.as_mut().unwrap()).await,
        &billing,
    ));
    rows.push((
        "dana (manager, Support and Billing) is demoted to Support; a Billing chat starts"
            .to_owned(),
        cells,
    ));

    // An agent of Support removed; then a Support chat starts.
    server
        .app
        .save_agent(profile("eli", Role::Agent, &["support"]), None)
        .await
        .unwrap();
    let eli_agent = server
        .stores
        .directory
        .get_agent(&AgentId::parse("eli").unwrap())
        .await
        .unwrap()
        .unwrap();
    let eli = server
        .app
        .tokens
        .issue_agent(&eli_agent, server.app.clock.now())
        .unwrap();
    let (_, _, mut sockets) = active_chat(server, &api, Some(&eli)).await;
    server.app.remove_agent(&eli_agent.id).await.unwrap();
    let (support, _) = api.start_chat("support", "Sue", "A Support question").await;
    let mut cells = Vec::new();
    for ws in [
        &mut sockets.customer,
        &mut sockets.alice,
        &mut sockets.carol,
        &mut sockets.bob,
    ] {
        cells.push(summary(&drain(ws).await, &support));
    }
    cells.push(summary(
        &drain(sockets.changed.as_mut().unwrap()).await,
        &support,
    ));
    rows.push((
        "eli (Support) is removed; a Support chat starts".to_owned(),
        cells,
    ));

    // A chat ended and deleted, still open in alice's console and on the customer's page, is
    // purged by an administrator.
    let (chat, _, mut sockets) = active_chat(server, &api, None).await;
    let alice = api.login("alice").await;
    let admin = api.login("admin").await;
    for action in ["end", "delete"] {
        let (_, out) = api.action(action, &alice, json!({"chat_ids":[chat]})).await;
        assert_eq!(out["succeeded"], 1, "{action}: {out}");
    }
    for ws in [
        &mut sockets.customer,
        &mut sockets.alice,
        &mut sockets.carol,
        &mut sockets.bob,
    ] {
        drain(ws).await;
    }
    let (_, out) = api
        .action("purge", &admin, json!({"chat_ids":[chat]}))
        .await;
    assert_eq!(out["succeeded"], 1, "purge: {out}");
    rows.push((
        "an administrator purges a deleted Support chat alice has open".to_owned(),
        sockets.summaries(&chat).await,
    ));
    rows
}
