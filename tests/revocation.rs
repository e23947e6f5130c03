//! An outside probe found that a WebSocket kept the powers it was opened with: an agent who
//! transferred a chat away kept receiving what the customer typed next, a manager demoted to one
//! group kept receiving every group's new chats, a removed agent's socket kept receiving group
//! pushes, and tokens survived a password change or came back when a removed username was
//! created again. Each attack is replayed here, on the embedded store and on DynamoDB (moto),
//! and must no longer get through.

use std::time::Duration;

use chatdesk::app::AgentProfile;
use chatdesk::domain::{AgentId, GroupId, Role};
use chatdesk_server::FanoutVia;
use chatdesk_tests::client::{is_ack_of, is_chat_changed, is_chat_row, is_event, Api, Ws};
use chatdesk_tests::dynamo_endpoint::fresh_stores;
use chatdesk_tests::server::{spawn_server, spawn_server_with, TestServer};
use serde_json::{json, Value};

const QUIET: Duration = Duration::from_millis(700);

fn gid(s: &str) -> GroupId {
    GroupId::parse(s).unwrap()
}

fn profile(username: &str, name: &str, role: Role, groups: &[&str]) -> AgentProfile {
    AgentProfile {
        username: username.into(),
        display_name: name.into(),
        role,
        groups: groups.iter().map(|g| gid(g)).collect(),
        max_concurrent_chats: 5,
    }
}

fn session_ended(reason: &'static str) -> impl Fn(&Value) -> bool {
    move |f| f["type"] == "session_ended" && f["reason"] == reason
}

/// Any frame that carries something of `chat`: its events, its row, its typing.
fn about(chat: &str) -> impl Fn(&Value) -> bool {
    let chat = chat.to_owned();
    move |f| {
        f["type"] != "chat_removed"
            && f["type"] != "unwatched"
            && (f["chat_id"] == chat.as_str() || f["chat"]["id"] == chat.as_str())
    }
}

/// Reads until the server closes the socket; false if it stays open for `wait`.
async fn closed_within(ws: &mut Ws, wait: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        if remaining.is_zero() {
            return false;
        }
        match ws.next(remaining).await {
            Some(_) => continue,
            None => return tokio::time::Instant::now() < deadline,
        }
    }
}

async fn sqlite_server() -> TestServer {
    spawn_server().await
}

async fn dynamodb_server() -> TestServer {
    let (stores, _) = fresh_stores().await;
    spawn_server_with(stores, |c| c.fanout_via = FanoutVia::ManagementApi).await
}

/// Alice takes a Support chat, opens it, and transfers it to Billing (not her group). What the
/// customer writes next must not reach her socket; she is told the chat left her view; her
/// Support list only learns that the chat left.
async fn a_chat_transferred_away_stops_reaching_the_agent(server: TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let carol = api.login("carol").await;
    let (chat, customer) = api
        .start_chat("support", "Ann", "My account number is 4411")
        .await;
    let (status, _) = api.action("pull", &alice, json!({"chat_ids":[chat]})).await;
    assert_eq!(status, 200);
    let mut alice_ws = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    alice_ws
        .send(json!({"action":"resume","chat_id":chat,"after_seq":0}))
        .await;
    alice_ws.expect("resumed", |f| f["type"] == "resumed").await;
    let mut carol_ws = Ws::connect(&server.ws_url(&carol)).await.unwrap();
    // Carol shows Billing's live list: she is sent the rows of the chats in it.
    carol_ws
        .watch_list(json!({"view":"group","group_id":"billing","inactive":false}))
        .await;
    let mut customer_ws = Ws::connect(&server.ws_url(&customer)).await.unwrap();

    let (status, out) = api
        .action(
            "transfer",
            &alice,
            json!({"chat_ids":[chat],"to":{"kind":"group","group_id":"billing"}}),
        )
        .await;
    assert_eq!((status, out["succeeded"].as_u64()), (200, Some(1)), "{out}");
    alice_ws
        .expect("unwatched", |f| {
            f["type"] == "unwatched" && f["chat_id"] == chat.as_str() && f["reason"] == "moved"
        })
        .await;
    alice_ws
        .expect("chat_removed", |f| {
            f["type"] == "chat_removed"
                && f["chat_id"] == chat.as_str()
                && f["group_id"] == "support"
        })
        .await;
    // Carol (Billing and Support) sees it arrive in Billing's queue with its row.
    carol_ws
        .expect("queued in billing", is_chat_changed(&chat, "requeued"))
        .await;
    alice_ws.clear_backlog();

    customer_ws
        .send(json!({"action":"send","chat_id":chat,"client_msg_id":"after-transfer","body":"and my PIN is 9876"}))
        .await;
    customer_ws
        .expect("stored", is_ack_of("after-transfer"))
        .await;
    carol_ws
        .expect("Billing's list sees the message", is_chat_row(&chat, 2))
        .await;
    alice_ws
        .expect_none("anything of the transferred chat", QUIET, about(&chat))
        .await;
    // Her REST answer agrees: the chat is no longer hers to read.
    let (status, body) = api.get(&format!("/api/chats/{chat}/events"), &alice).await;
    assert_eq!(status, 403, "{body}");
    // Watching it again is refused too.
    alice_ws
        .send(json!({"action":"watch","chat_id":chat}))
        .await;
    alice_ws
        .expect("refusal", |f| {
            f["type"] == "error" && f["error"] == "forbidden"
        })
        .await;
}

/// The manager (Support and Billing) is demoted to an agent of Support only. Their open console
/// is told and closed at once, their token is refused, and nothing of Billing reaches them.
async fn a_demoted_manager_loses_the_other_groups_at_once(server: TestServer) {
    let api = Api::new(&server.base_url);
    let manager = api.login("manager").await;
    let mut ws = Ws::connect(&server.ws_url(&manager)).await.unwrap();
    let (before, _) = api.start_chat("billing", "Bea", "Before").await;
    ws.expect(
        "billing chat while a manager",
        is_chat_changed(&before, "started"),
    )
    .await;

    let saved = server
        .app
        .save_agent(
            profile("manager", "Morgan", Role::Agent, &["support"]),
            None,
        )
        .await
        .unwrap();
    assert!(saved.sessions_revoked);
    ws.expect("session ended", session_ended("revoked")).await;
    assert!(
        closed_within(&mut ws, Duration::from_secs(2)).await,
        "the socket is closed"
    );

    let (after, _) = api
        .start_chat("billing", "Ben", "My card number is 4111")
        .await;
    let (status, body) = api.get("/api/me", &manager).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = api.get(&format!("/api/chats/{after}"), &manager).await;
    assert_eq!(status, 401, "{body}");
    let refused = Ws::connect(&server.ws_url(&manager)).await;
    assert!(refused.is_err(), "the old token opens no socket");

    // Signed in again, they get only what an agent of Support gets.
    let fresh = api.login("manager").await;
    let mut ws = Ws::connect(&server.ws_url(&fresh)).await.unwrap();
    let (billing, _) = api.start_chat("billing", "Bo", "Billing again").await;
    let (support, _) = api.start_chat("support", "Sue", "Support question").await;
    ws.expect("support chat", is_chat_changed(&support, "started"))
        .await;
    ws.expect_none("billing chat", QUIET, about(&billing)).await;
    let (status, _) = api.get(&format!("/api/chats/{billing}"), &fresh).await;
    assert_eq!(status, 403);
}

/// Carol is removed. Her socket is told and closed, her token is refused, and creating the
/// username again does not bring the old token back.
async fn a_removed_agent_is_cut_off_and_stays_cut_off(server: TestServer) {
    let api = Api::new(&server.base_url);
    let carol = api.login("carol").await;
    let mut ws = Ws::connect(&server.ws_url(&carol)).await.unwrap();
    server
        .app
        .remove_agent(&AgentId::parse("carol").unwrap())
        .await
        .unwrap();
    ws.expect("session ended", session_ended("revoked")).await;
    assert!(
        closed_within(&mut ws, Duration::from_secs(2)).await,
        "the socket is closed"
    );
    let (chat, _) = api.start_chat("support", "Ann", "After the removal").await;
    let (status, _) = api.get(&format!("/api/chats/{chat}"), &carol).await;
    assert_eq!(status, 401);

    server
        .app
        .save_agent(
            profile("carol", "Carol", Role::Agent, &["billing", "support"]),
            None,
        )
        .await
        .unwrap();
    let (status, body) = api.get("/api/me", &carol).await;
    assert_eq!(
        status, 401,
        "a recreated username does not revive old tokens: {body}"
    );
    assert!(Ws::connect(&server.ws_url(&carol)).await.is_err());
}

/// A password change revokes every earlier token; a change that only adds access keeps them,
/// and the console is asked to reconnect to receive the new group.
async fn a_password_change_revokes_and_a_new_group_reconnects(server: TestServer) {
    let api = Api::new(&server.base_url);
    let bob = api.login("bob").await;
    let mut ws = Ws::connect(&server.ws_url(&bob)).await.unwrap();
    server
        .app
        .save_agent(
            profile("bob", "Bob", Role::Agent, &["sales", "support"]),
            None,
        )
        .await
        .unwrap();
    ws.expect("reconnect asked", session_ended("access_changed"))
        .await;
    let (status, _) = api.get("/api/me", &bob).await;
    assert_eq!(status, 200, "gaining a group revokes nothing");
    let mut ws = Ws::connect(&server.ws_url(&bob)).await.unwrap();
    let (chat, _) = api.start_chat("support", "Sam", "Now Bob's too").await;
    ws.expect("the new group's chats", is_chat_changed(&chat, "started"))
        .await;

    server
        .app
        .save_agent(
            profile("bob", "Bob", Role::Agent, &["sales", "support"]),
            Some("a brand new secret password"),
        )
        .await
        .unwrap();
    ws.expect("session ended", session_ended("revoked")).await;
    let (status, _) = api.get("/api/me", &bob).await;
    assert_eq!(status, 401, "the token from before the password change");
    let (status, body) = api
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username":"bob","password":"a brand new secret password"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// A frame sent on a socket whose agent was revoked is refused even before the socket closes
/// (the session is checked on every frame, not only at connect).
async fn frames_of_a_revoked_session_are_refused(server: TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, _) = api.start_chat("support", "Ann", "Hello").await;
    let (status, _) = api.action("pull", &alice, json!({"chat_ids":[chat]})).await;
    assert_eq!(status, 200);
    // Revoke in the store only, as another process would, without closing anything.
    let agent = AgentId::parse("alice").unwrap();
    let mut ws = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    server
        .stores
        .directory
        .set_session_epoch(&agent, chatdesk::app::new_session_epoch())
        .await
        .unwrap();
    ws.send(json!({"action":"send","chat_id":chat,"client_msg_id":"late","body":"still me?"}))
        .await;
    ws.expect("refusal", |f| {
        f["type"] == "error" && f["error"] == "unauthorized"
    })
    .await;
    let (status, events) = api
        .get(
            &format!("/api/chats/{chat}/events"),
            &api.login("alice").await,
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        !events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["client_msg_id"] == "late"),
        "nothing was stored"
    );
    let _ = is_event;
}

/// The use cases as an operator command (`chatdesk agent ...`, `chatdesk group ...`) has them in
/// another process beside the running server: its own store on the database file, and the
/// server's loopback gateway reached through the endpoint file.
async fn operator_beside(server: &TestServer) -> chatdesk::app::App {
    use chatdesk_server::admin::{operator_app_over, StoreKind};
    let config = chatdesk_server::Config::for_tests(server.data_dir().to_path_buf());
    let stores = chatdesk_server::Stores::all_in(
        chatdesk_server::data_dir::open_store(server.data_dir()).unwrap(),
    );
    operator_app_over(&config, StoreKind::Sqlite, &stores)
        .await
        .unwrap()
}

/// The operator command (`chatdesk agent add` / `agent remove`) runs in another process on the
/// running server's data directory: it opens its own store on the database file and reaches the
/// server's loopback gateway through the endpoint file. The demoted agent's console is told and
/// closed at once, exactly as when the server itself makes the change.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_operator_command_beside_the_running_server_revokes_at_once() {
    let server = sqlite_server().await;
    let api = Api::new(&server.base_url);
    let manager = api.login("manager").await;
    let mut ws = Ws::connect(&server.ws_url(&manager)).await.unwrap();

    let operator = operator_beside(&server).await;
    operator
        .save_agent(
            profile("manager", "Morgan", Role::Agent, &["support"]),
            None,
        )
        .await
        .unwrap();
    ws.expect("session ended", session_ended("revoked")).await;
    assert!(
        closed_within(&mut ws, Duration::from_secs(2)).await,
        "the socket is closed"
    );
    let (status, _) = api.get("/api/me", &manager).await;
    assert_eq!(status, 401);
    let (chat, _) = api.start_chat("billing", "Bea", "Billing question").await;
    let (status, _) = api
        .get(&format!("/api/chats/{chat}"), &api.login("manager").await)
        .await;
    assert_eq!(status, 403, "Billing is no longer theirs");

    let carol = api.login("carol").await;
    let mut ws = Ws::connect(&server.ws_url(&carol)).await.unwrap();
    operator
        .remove_agent(&AgentId::parse("carol").unwrap())
        .await
        .unwrap();
    ws.expect("session ended", session_ended("revoked")).await;
    let (status, _) = api.get("/api/me", &carol).await;
    assert_eq!(status, 401);
}

/// `chatdesk group remove` beside the running server: a group holding nothing goes, its members
/// lose it and their consoles are told at once (without losing their sign-in); a group with chats
/// is refused, naming where to remove it instead, and stays as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_operator_removes_an_empty_group_beside_the_running_server() {
    use chatdesk::domain::{AuditActor, Group};
    let server = sqlite_server().await;
    let api = Api::new(&server.base_url);
    let operator = operator_beside(&server).await;
    operator
        .save_group_by(
            AuditActor::Operator,
            &Group::pull(gid("promo"), "Promotions"),
        )
        .await
        .unwrap();
    operator
        .save_agent(
            profile("alice", "Alice", Role::Agent, &["support", "promo"]),
            None,
        )
        .await
        .unwrap();
    let alice = api.login("alice").await;
    let (_, me) = api.get("/api/me", &alice).await;
    assert!(me["groups"].to_string().contains("promo"), "{me}");
    let mut ws = Ws::connect(&server.ws_url(&alice)).await.unwrap();

    operator
        .remove_group_by(AuditActor::Operator, &gid("promo"))
        .await
        .unwrap();
    ws.expect("console told", session_ended("access_changed"))
        .await;
    let (status, me) = api.get("/api/me", &alice).await;
    assert_eq!(status, 200, "still signed in: {me}");
    assert!(!me["groups"].to_string().contains("promo"), "{me}");
    let (_, groups) = api.call("GET", "/api/groups", None, None).await;
    assert!(!groups.to_string().contains("promo"), "{groups}");
    let admin = api.login("admin").await;
    let (_, log) = api.get("/api/admin/audit?limit=5", &admin).await;
    assert!(
        log.to_string().contains("group_removed"),
        "the removal is in the audit log: {log}"
    );

    // A group with a chat stays, with a refusal that says where to remove it.
    api.start_chat("billing", "Bea", "Invoice copy").await;
    let refused = operator
        .remove_group_by(AuditActor::Operator, &gid("billing"))
        .await
        .unwrap_err();
    assert!(
        refused.public_message().contains("Administration"),
        "{}",
        refused.public_message()
    );
    let (_, groups) = api.call("GET", "/api/groups", None, None).await;
    assert!(groups.to_string().contains("billing"), "{groups}");
    let unknown = operator
        .remove_group_by(AuditActor::Operator, &gid("nowhere"))
        .await
        .unwrap_err();
    assert!(
        matches!(unknown, chatdesk::app::AppError::NotFound(_)),
        "{unknown:?}"
    );
}

chatdesk_tests::on_both_stores!(
    worker_threads = 4;
    a_chat_transferred_away_stops_reaching_the_agent,
    a_demoted_manager_loses_the_other_groups_at_once,
    a_removed_agent_is_cut_off_and_stays_cut_off,
    a_password_change_revokes_and_a_new_group_reconnects,
    frames_of_a_revoked_session_are_refused,
);
