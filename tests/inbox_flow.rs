//! Offline messages end to end over HTTP and WebSocket on the local server, on the embedded
//! store and on DynamoDB (moto): a message left for a group lands in the inbox of the group's
//! open consoles at once and of no one else's; a customer tired of waiting turns their queued
//! chat into a message without retyping; agents reply, note, close and reopen; bad input is
//! refused with the field named and creates nothing.

use chatdesk_tests::client::{Api, Ws};
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
    a_message_lands_live_in_the_groups_inbox_only,
    a_waiting_customer_turns_the_chat_into_a_message_without_retyping,
    agents_reply_note_close_and_reopen,
    bad_messages_are_refused_with_the_field_named_and_create_nothing,
);

fn is_inbox_change(id: &str, change: &'static str) -> impl Fn(&Value) -> bool {
    let id = id.to_owned();
    move |f| {
        f["type"] == "inbox_changed" && f["message"]["id"] == id.as_str() && f["change"] == change
    }
}

async fn leave(api: &Api, group: &str, name: &str, question: &str) -> (u16, Value) {
    api.call(
        "POST",
        "/api/messages",
        None,
        Some(json!({"group_id": group, "name": name, "email": "ann@example.com", "question": question})),
    )
    .await
}

async fn a_message_lands_live_in_the_groups_inbox_only(server: TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await; // Support
    let bob = api.login("bob").await; // Sales only
    let mut support_console = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    let mut sales_console = Ws::connect(&server.ws_url(&bob)).await.unwrap();

    let (status, receipt) = leave(&api, "support", "Ann", "The printer shows E42 <b>now</b>").await;
    assert_eq!(status, 201, "{receipt}");
    let id = receipt["id"].as_str().unwrap().to_owned();
    assert_eq!(receipt["email"], "ann@example.com");
    assert!(
        receipt.get("question").is_none(),
        "the receipt repeats nothing else: {receipt}"
    );

    let pushed = support_console
        .expect("the new message", is_inbox_change(&id, "received"))
        .await;
    assert_eq!(pushed["message"]["status"], "open");
    assert_eq!(pushed["message"]["name"], "Ann");
    assert_eq!(
        pushed["message"]["preview"],
        "The printer shows E42 <b>now</b>"
    );
    sales_console
        .expect_none("Support's message", Duration::from_millis(500), |f| {
            f["type"] == "inbox_changed"
        })
        .await;

    let (status, page) = api
        .get("/api/messages?group_id=support&status=open", &alice)
        .await;
    assert_eq!(status, 200, "{page}");
    let ids: Vec<&str> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert!(ids.contains(&id.as_str()), "{page}");
    let (status, _) = api.get("/api/messages?group_id=support", &bob).await;
    assert_eq!(status, 403);
    let (status, _) = api.get(&format!("/api/messages/{id}"), &bob).await;
    assert_eq!(status, 403);
}

async fn a_waiting_customer_turns_the_chat_into_a_message_without_retyping(server: TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, customer) = api
        .start_chat("support", "Cleo", "My invoice is wrong")
        .await;
    let (status, _) = api
        .post(
            &format!("/api/chats/{chat}/messages"),
            &customer,
            json!({"client_msg_id":"c1","body":"It was charged twice"}),
        )
        .await;
    assert_eq!(status, 201);
    // Without an address (none was given at the start) it cannot become a message.
    let (status, body) = api
        .post(&format!("/api/chats/{chat}/message"), &customer, json!({}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("email"),
        "{body}"
    );
    // An agent cannot do it for the customer.
    let (status, _) = api
        .post(
            &format!("/api/chats/{chat}/message"),
            &alice,
            json!({"email":"cleo@example.com"}),
        )
        .await;
    assert_eq!(status, 403);

    let (status, receipt) = api
        .post(
            &format!("/api/chats/{chat}/message"),
            &customer,
            json!({"email":"cleo@example.com"}),
        )
        .await;
    assert_eq!(status, 201, "{receipt}");
    let id = receipt["id"].as_str().unwrap().to_owned();
    // A retry after a lost answer is the same message, not a second one.
    let (status, again) = api
        .post(
            &format!("/api/chats/{chat}/message"),
            &customer,
            json!({"email":"cleo@example.com"}),
        )
        .await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["id"], id.as_str());

    let (_, message) = api.get(&format!("/api/messages/{id}"), &alice).await;
    assert_eq!(
        message["question"], "My invoice is wrong\n\nIt was charged twice",
        "{message}"
    );
    assert_eq!(message["from_chat"], chat.as_str());
    assert_eq!(message["email"], "cleo@example.com");
    let (_, read) = api.get(&format!("/api/chats/{chat}"), &customer).await;
    assert_eq!(read["state"], "inactive", "the chat ended: {read}");
    let (_, page) = api.get("/api/messages?group_id=support", &alice).await;
    let count = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["id"] == id.as_str())
        .count();
    assert_eq!(count, 1);

    // A chat an agent already took stays a chat.
    let (taken, taken_customer) = api.start_chat("support", "Dan", "Hello").await;
    api.action("pull", &alice, json!({"chat_ids":[taken]}))
        .await;
    let (status, body) = api
        .post(
            &format!("/api/chats/{taken}/message"),
            &taken_customer,
            json!({"email":"dan@example.com"}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
}

async fn agents_reply_note_close_and_reopen(server: TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let carol = api.login("carol").await; // Support too
    let mut carols_console = Ws::connect(&server.ws_url(&carol)).await.unwrap();
    let (_, receipt) = leave(&api, "support", "Eve", "Where is my order?").await;
    let id = receipt["id"].as_str().unwrap().to_owned();

    let (status, m) = api
        .post(&format!("/api/messages/{id}/assign"), &alice, json!({}))
        .await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["assignee"]["name"], "Alice");
    carols_console
        .expect("assigned", is_inbox_change(&id, "assigned"))
        .await;
    let (status, m) = api
        .post(
            &format!("/api/messages/{id}/notes"),
            &alice,
            json!({"body":"Checked the warehouse"}),
        )
        .await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["status"], "open", "a note answers nothing");
    let (status, m) = api
        .post(
            &format!("/api/messages/{id}/reply"),
            &alice,
            json!({"body":"It ships tomorrow."}),
        )
        .await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["status"], "answered");
    assert_eq!(m["replies"], 1);
    let kinds: Vec<&str> = m["thread"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert_eq!(kinds, vec!["assigned", "note", "reply"]);

    let (status, _) = api
        .post(&format!("/api/messages/{id}/close"), &carol, json!({}))
        .await;
    assert_eq!(status, 200);
    carols_console
        .expect("closed", is_inbox_change(&id, "closed"))
        .await;
    let (status, body) = api
        .post(
            &format!("/api/messages/{id}/reply"),
            &alice,
            json!({"body":"One more thing"}),
        )
        .await;
    assert_eq!(status, 409, "a closed message takes no reply: {body}");
    let (status, body) = api
        .post(&format!("/api/messages/{id}/close"), &alice, json!({}))
        .await;
    assert_eq!(status, 409, "{body}");
    let (_, closed) = api
        .get("/api/messages?group_id=support&status=closed", &alice)
        .await;
    assert!(closed.to_string().contains(&id), "{closed}");
    let (status, m) = api
        .post(&format!("/api/messages/{id}/reopen"), &alice, json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(m["status"], "answered", "it had a reply");
}

async fn bad_messages_are_refused_with_the_field_named_and_create_nothing(server: TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    for (body, field) in [
        (
            json!({"group_id":"support","name":"","email":"a@b.co","question":"q"}),
            "name",
        ),
        (
            json!({"group_id":"support","name":"A","email":"","question":"q"}),
            "email",
        ),
        (
            json!({"group_id":"support","name":"A","email":"nope","question":"q"}),
            "email",
        ),
        (
            json!({"group_id":"support","name":"A","email":"a@b.co","question":"  "}),
            "question",
        ),
        (
            json!({"group_id":"no such!","name":"A","email":"a@b.co","question":"q"}),
            "group_id",
        ),
    ] {
        let (status, answer) = api.call("POST", "/api/messages", None, Some(body)).await;
        assert_eq!(status, 400, "{answer}");
        assert!(
            answer["message"].as_str().unwrap_or("").contains(field),
            "{field}: {answer}"
        );
    }
    let (status, answer) = api
        .call(
            "POST",
            "/api/messages",
            None,
            Some(
                json!({"group_id":"support","name":"A","email":"a@b.co","question":"q","extra":1}),
            ),
        )
        .await;
    assert_eq!(status, 400, "unknown fields are refused: {answer}");
    let (status, answer) = leave(&api, "nowhere", "A", "q").await;
    assert_eq!(status, 404, "{answer}");
    let (_, page) = api.get("/api/messages?group_id=support", &alice).await;
    assert_eq!(page["messages"], json!([]), "nothing was created");
    for (query, field) in [
        ("group_id=support&status=pending", "status"),
        ("group_id=support&limit=0", "limit"),
        ("group_id=support&cursor=garbage", "cursor"),
        ("status=open", "group_id"),
    ] {
        let (status, answer) = api.get(&format!("/api/messages?{query}"), &alice).await;
        assert_eq!(status, 400, "{query}: {answer}");
        assert!(
            answer["message"].as_str().unwrap_or("").contains(field),
            "{query}: {answer}"
        );
    }
    let (status, answer) = api.get("/api/messages/nope", &alice).await;
    assert_eq!(status, 404, "{answer}");
    let (status, answer) = api
        .post("/api/messages/nope/reply", &alice, json!({"body":"hi"}))
        .await;
    assert_eq!(status, 404, "{answer}");
}
