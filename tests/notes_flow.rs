//! Internal notes end to end over HTTP and WebSocket on the local server, on the embedded store
//! and on DynamoDB (moto): a note reaches the colleagues watching the chat at once and never the
//! customer (not on their socket, not in their transcript, not through their token), nor an
//! agent of another group; bad notes are refused with the field named and write nothing.

use chatdesk_tests::client::{is_event, Api, Ws};
use chatdesk_tests::server::TestServer;
use serde_json::{json, Value};
use std::time::Duration;

async fn sqlite_server() -> TestServer {
    chatdesk_tests::server::spawn_server_with(
        chatdesk_server::Stores::all_in(chatdesk::sqlite::SqliteStore::open_in_memory().unwrap()),
        |_| {},
    )
    .await
}

async fn dynamodb_server() -> TestServer {
    let (stores, _) = chatdesk_tests::dynamo_endpoint::fresh_stores().await;
    chatdesk_tests::server::spawn_server_with(stores, |_| {}).await
}

chatdesk_tests::on_both_stores!(
    worker_threads = 2;
    a_note_reaches_colleagues_live_and_never_the_customer,
    notes_are_refused_to_customers_and_other_groups,
    bad_notes_are_refused_with_the_field_named_and_write_nothing,
);

const SECRET: &str = "Customer is on the fraud watch list";

fn is_note(chat: &str) -> impl Fn(&Value) -> bool {
    let chat = chat.to_owned();
    move |f| f["type"] == "chat_note" && f["chat_id"] == chat.as_str()
}

async fn a_note_reaches_colleagues_live_and_never_the_customer(server: TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await; // Support
    let carol = api.login("carol").await; // Billing and Support
    let bob = api.login("bob").await; // Sales only
    let (chat, customer) = api.start_chat("support", "Ann", "My mailbox is full").await;
    let mut customer_socket = Ws::connect(&server.ws_url(&customer)).await.unwrap();
    customer_socket.watch_chat(&chat).await;
    let mut colleague = Ws::connect(&server.ws_url(&carol)).await.unwrap();
    colleague.watch_chat(&chat).await;
    let mut outsider = Ws::connect(&server.ws_url(&bob)).await.unwrap();
    outsider
        .send(json!({"action": "watch", "chat_id": chat}))
        .await;

    let (status, note) = api
        .post(
            &format!("/api/chats/{chat}/notes"),
            &alice,
            json!({"text": SECRET}),
        )
        .await;
    assert_eq!(status, 201, "{note}");
    assert_eq!(note["number"], 1);
    assert_eq!(note["author_name"], "Alice");
    let pushed = colleague.expect("the note", is_note(&chat)).await;
    assert_eq!(pushed["note"]["text"], SECRET);

    // The chat goes on: a message after the notes reaches the customer, so everything pushed
    // before it has arrived too; none of it names or carries the note.
    let (status, _) = api
        .post(
            &format!("/api/chats/{chat}/notes"),
            &carol,
            json!({"text": "Second note"}),
        )
        .await;
    assert_eq!(status, 201);
    api.action("pull", &alice, json!({})).await;
    let (status, _) = api
        .post(
            &format!("/api/chats/{chat}/messages"),
            &alice,
            json!({"client_msg_id": "a1", "body": "Hello Ann"}),
        )
        .await;
    assert_eq!(status, 201);
    let mut seen = Vec::new();
    loop {
        let frame = customer_socket
            .next(Duration::from_secs(10))
            .await
            .expect("the customer's socket receives the message");
        seen.push(frame.clone());
        if is_event(&chat, "message")(&frame) && frame["event"]["body"] == "Hello Ann" {
            break;
        }
    }
    for frame in &seen {
        let text = frame.to_string();
        assert_ne!(frame["type"], "chat_note", "{text}");
        assert!(
            !text.contains(SECRET) && !text.contains("Second note"),
            "{text}"
        );
    }
    outsider
        .expect_none("another group's note", Duration::from_millis(300), |f| {
            f["type"] == "chat_note"
        })
        .await;

    // Nor in the customer's transcript.
    let (status, events) = api
        .get(&format!("/api/chats/{chat}/events?after=0"), &customer)
        .await;
    assert_eq!(status, 200);
    assert!(!events.to_string().contains(SECRET), "{events}");
    // Colleagues read both, in order.
    let (status, notes) = api.get(&format!("/api/chats/{chat}/notes"), &carol).await;
    assert_eq!(status, 200, "{notes}");
    let texts: Vec<&str> = notes["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["text"].as_str())
        .collect();
    assert_eq!(texts, vec![SECRET, "Second note"]);
}

async fn notes_are_refused_to_customers_and_other_groups(server: TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let bob = api.login("bob").await;
    let (chat, customer) = api.start_chat("support", "Ann", "Hello").await;
    let path = format!("/api/chats/{chat}/notes");
    let (status, _) = api.post(&path, &alice, json!({"text": SECRET})).await;
    assert_eq!(status, 201);
    for token in [&customer, &bob] {
        let (status, body) = api.get(&path, token).await;
        assert_eq!(status, 403, "{body}");
        assert!(!body.to_string().contains(SECRET));
        let (status, _) = api.post(&path, token, json!({"text": "sneaky"})).await;
        assert_eq!(status, 403);
    }
    let (_, notes) = api.get(&path, &alice).await;
    assert_eq!(notes["notes"].as_array().unwrap().len(), 1, "{notes}");
    let (status, _) = api.get("/api/chats/no-such-chat/notes", &alice).await;
    assert_eq!(status, 404);
}

async fn bad_notes_are_refused_with_the_field_named_and_write_nothing(server: TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, _) = api.start_chat("support", "Ann", "Hello").await;
    let path = format!("/api/chats/{chat}/notes");
    for (body, named) in [
        (json!({"text": "  "}), "text"),
        (json!({"text": "x".repeat(4001)}), "text"),
        (json!({"text": "ok", "pinned": true}), "pinned"),
        (json!({}), "text"),
    ] {
        let (status, reply) = api.post(&path, &alice, body.clone()).await;
        assert_eq!(status, 400, "{body} -> {reply}");
        assert!(
            reply["message"].as_str().unwrap_or("").contains(named),
            "{body} -> {reply}"
        );
    }
    let (_, notes) = api.get(&path, &alice).await;
    assert_eq!(notes["notes"], json!([]));
}
