//! The error catalogue (`shared/src/errors.rs`, rendered into `docs/errors.md`): every code in it
//! is produced here by the local server, over REST or the WebSocket, with the status the
//! catalogue gives it, so no code is documented that nothing sends and none is sent that the
//! document does not name.

use std::collections::BTreeSet;
use std::time::Duration;

use chatdesk::app::AgentProfile;
use chatdesk::domain::{GroupId, Role};
use chatdesk::errors::{catalogue_markdown, ErrorCode};
use chatdesk_tests::client::{Api, Ws};
use chatdesk_tests::counting::CountingStores;
use chatdesk_tests::server::spawn_server_with;
use serde_json::{json, Value};

fn code_of(body: &Value) -> ErrorCode {
    serde_json::from_value(body["error"].clone())
        .unwrap_or_else(|_| panic!("not a catalogue code: {body}"))
}

struct Seen(BTreeSet<ErrorCode>);

impl Seen {
    /// Records a REST refusal, checking its status against the catalogue and its message.
    fn rest(&mut self, expected: ErrorCode, status: u16, body: &Value) {
        assert_eq!(code_of(body), expected, "{body}");
        assert_eq!(status, expected.http_status(), "{expected}: {body}");
        assert!(
            !body["message"].as_str().unwrap_or("").is_empty(),
            "{expected} says what is wrong: {body}"
        );
        self.0.insert(expected);
    }

    fn frame(&mut self, expected: ErrorCode, frame: &Value) {
        assert_eq!(frame["type"], "error", "{frame}");
        assert_eq!(code_of(frame), expected, "{frame}");
        self.0.insert(expected);
    }
}

async fn raw(
    base: &str,
    method: reqwest::Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("sent");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_code_in_the_catalogue_is_produced_with_its_status() {
    let stores = CountingStores::wrap(chatdesk_server::Stores::all_in(
        chatdesk::sqlite::SqliteStore::open_in_memory().unwrap(),
    ));
    let server = spawn_server_with(stores.stores(), |_| {}).await;
    let api = Api::new(&server.base_url);
    let base = server.base_url.clone();
    let mut seen = Seen(BTreeSet::new());

    let (status, body) = raw(
        &base,
        reqwest::Method::POST,
        "/api/chats",
        "application/json",
        b"{\"group_id\":".to_vec(),
    )
    .await;
    seen.rest(ErrorCode::InvalidJson, status, &body);
    // A malformed id inside well-formed JSON is refused input, named by its field, as over the
    // WebSocket.
    let (status, body) = api
        .call(
            "POST",
            "/api/chats",
            None,
            Some(json!({"group_id":"not an id!","name":"Ann","question":"Hi"})),
        )
        .await;
    seen.rest(ErrorCode::InvalidInput, status, &body);
    assert!(
        body["message"].as_str().unwrap().contains("group_id"),
        "{body}"
    );
    let alice = api.login("alice").await;
    let (status, body) = api
        .call(
            "POST",
            "/api/actions/delete",
            Some(&alice),
            Some(json!({"chat_ids":["ok", "no spaces allowed"]})),
        )
        .await;
    seen.rest(ErrorCode::InvalidInput, status, &body);
    let (status, body) = api.get("/api/chats/abc/events?after=soon", &alice).await;
    seen.rest(ErrorCode::InvalidQuery, status, &body);
    let big = format!("{{\"x\":\"{}\"}}", "a".repeat(70 * 1024));
    let (status, body) = raw(
        &base,
        reqwest::Method::POST,
        "/api/chats",
        "application/json",
        big.into_bytes(),
    )
    .await;
    seen.rest(ErrorCode::TooLarge, status, &body);
    let (status, body) = raw(
        &base,
        reqwest::Method::POST,
        "/api/chats",
        "text/plain",
        b"hello".to_vec(),
    )
    .await;
    seen.rest(ErrorCode::UnsupportedMediaType, status, &body);
    let (status, body) = api.call("GET", "/api/me", None, None).await;
    seen.rest(ErrorCode::Unauthorized, status, &body);
    let (chat, customer) = api.start_chat("support", "Ann", "Hello").await;
    let (status, body) = api.get("/api/me", &customer).await;
    seen.rest(ErrorCode::Forbidden, status, &body);
    let (status, body) = api.get("/api/chats/no-such-chat", &alice).await;
    seen.rest(ErrorCode::NotFound, status, &body);
    let (status, body) = api.call("GET", "/api/nowhere", None, None).await;
    seen.rest(ErrorCode::NoRoute, status, &body);
    let (status, body) = api.call("DELETE", "/api/health", None, None).await;
    seen.rest(ErrorCode::MethodNotAllowed, status, &body);

    // Bob may hold one chat: the second pull says he is at capacity, not that the queue is empty.
    server
        .app
        .save_agent(
            AgentProfile {
                username: "bob".into(),
                display_name: "Bob".into(),
                role: Role::Agent,
                groups: vec![GroupId::parse("sales").unwrap()],
                max_concurrent_chats: 1,
            },
            None,
        )
        .await
        .unwrap();
    let bob = api.login("bob").await;
    let (status, body) = api.action("pull", &bob, json!({})).await;
    seen.rest(ErrorCode::QueueEmpty, status, &body);
    api.start_chat("sales", "Sal", "One").await;
    api.start_chat("sales", "Sue", "Two").await;
    let (status, _) = api.action("pull", &bob, json!({})).await;
    assert_eq!(status, 200);
    let (status, body) = api.action("pull", &bob, json!({})).await;
    seen.rest(ErrorCode::AtCapacity, status, &body);

    let (status, body) = api
        .post(&format!("/api/chats/{chat}/end"), &customer, json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = api
        .post(&format!("/api/chats/{chat}/end"), &customer, json!({}))
        .await;
    seen.rest(ErrorCode::InvalidState, status, &body);
    // This server sends no e-mail.
    let (status, body) = api
        .post(
            &format!("/api/chats/{chat}/transcript"),
            &customer,
            json!({}),
        )
        .await;
    seen.rest(ErrorCode::MailNotConfigured, status, &body);

    // Billing open on no day and taking messages only: a chat cannot start.
    let admin = api.login("admin").await;
    let (status, body) = api
        .call(
            "PUT",
            "/api/groups/billing/settings",
            Some(&admin),
            Some(json!({
                "distribution": "pull",
                "hand_off": {"no_first_response_secs": 120, "no_follow_up_secs": 300,
                    "agent_disconnected_secs": 120, "max_hand_offs": 3},
                "business_hours": {"time_zone": "UTC", "weekly": {}},
                "offline": {"when_closed_or_unstaffed": "message_only"}
            })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = api
        .call(
            "POST",
            "/api/chats",
            None,
            Some(json!({"group_id": "billing", "name": "Bea", "question": "Refund?"})),
        )
        .await;
    seen.rest(ErrorCode::GroupClosed, status, &body);

    let (flood, flooder) = api.start_chat("support", "Flo", "Flood").await;
    let mut limited = None;
    for i in 0..40 {
        let (status, body) = api
            .post(
                &format!("/api/chats/{flood}/messages"),
                &flooder,
                json!({"client_msg_id": format!("m{i}"), "body": "spam"}),
            )
            .await;
        if status != 201 {
            limited = Some((status, body));
            break;
        }
    }
    let (status, body) = limited.expect("the flood was refused");
    seen.rest(ErrorCode::RateLimited, status, &body);

    // A conflict retrying cannot resolve: a second agent under a username already taken, as an
    // administrator's change would meet it (no REST route creates agents yet).
    let conflict = server
        .stores
        .directory
        .put_agent(&chatdesk::domain::Agent {
            id: chatdesk::domain::AgentId::parse("bob2").unwrap(),
            username: "bob".into(),
            display_name: "Another Bob".into(),
            role: Role::Agent,
            groups: vec![],
            available: true,
            max_concurrent_chats: 1,
            session_epoch: 1,
            deactivated_at: None,
        })
        .await
        .map_err(chatdesk::app::AppError::from)
        .unwrap_err();
    assert_eq!(conflict.code(), ErrorCode::Conflict);
    assert_eq!(conflict.code().http_status(), 409);
    seen.0.insert(ErrorCode::Conflict);

    // A store that fails: the client learns only that it failed, never why.
    stores.fail(Some("list_groups"));
    let (status, body) = api.call("GET", "/api/groups", None, None).await;
    stores.fail(None);
    seen.rest(ErrorCode::Internal, status, &body);
    assert!(
        !body["message"].as_str().unwrap().contains("injected"),
        "{body}"
    );

    // Over the WebSocket.
    let mut ws = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    ws.send(json!({"action":"dance"})).await;
    let f = ws.expect("error", |f| f["type"] == "error").await;
    seen.frame(ErrorCode::UnknownAction, &f);
    ws.send_raw("not json".into()).await;
    let f = ws.expect("error", |f| f["type"] == "error").await;
    seen.frame(ErrorCode::InvalidJson, &f);
    ws.send(json!({"action":"watch","chat_id":"not an id!"}))
        .await;
    let f = ws.expect("error", |f| f["type"] == "error").await;
    seen.frame(ErrorCode::InvalidInput, &f);
    let _ = ws.next(Duration::from_millis(100)).await;

    let missing: Vec<ErrorCode> = ErrorCode::ALL
        .into_iter()
        .filter(|c| !seen.0.contains(c))
        .collect();
    assert!(missing.is_empty(), "codes never produced: {missing:?}");
}

#[test]
fn the_committed_catalogue_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/errors.md");
    let rendered = catalogue_markdown();
    if std::env::var("CHATDESK_WRITE_ERRORS").as_deref() == Ok("1") {
        std::fs::write(path, &rendered).expect("docs/errors.md is writable");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == rendered,
        "docs/errors.md is stale: run this test with CHATDESK_WRITE_ERRORS=1"
    );
}
