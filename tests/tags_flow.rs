//! Tags end to end over HTTP and WebSocket on the local server, on the embedded store and on
//! DynamoDB (moto): an agent tags a chat, the group's consoles get the row with its tags, a tag
//! narrows the lists, the customer sees none of it; bad tags are refused with the problem named.

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
    a_tag_narrows_the_lists_and_never_reaches_the_customer,
    bad_tags_are_refused_with_the_problem_named,
);

fn ids(rows: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = rows
        .iter()
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect();
    ids.sort();
    ids
}

async fn a_tag_narrows_the_lists_and_never_reaches_the_customer(server: TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let carol = api.login("carol").await;
    let (tagged, customer) = api.start_chat("support", "Ann", "Refund please").await;
    let (other, _) = api.start_chat("support", "Ben", "Hello").await;
    let mut customer_socket = Ws::connect(&server.ws_url(&customer)).await.unwrap();
    customer_socket.watch_chat(&tagged).await;
    let mut colleague = Ws::connect(&server.ws_url(&carol)).await.unwrap();
    colleague
        .watch_list(json!({"view": "group", "group_id": "support", "inactive": false}))
        .await;

    let (status, row) = api
        .call(
            "PUT",
            &format!("/api/chats/{tagged}/tags"),
            Some(&alice),
            Some(json!({"tags": ["Refund", " VIP "]})),
        )
        .await;
    assert_eq!(status, 200, "{row}");
    assert_eq!(row["tags"], json!(["refund", "vip"]));
    let pushed = colleague
        .expect("the tagged row", |f| {
            f["type"] == "chat_changed" && f["chat"]["id"] == tagged.as_str()
        })
        .await;
    assert_eq!(pushed["change"], "tagged");
    assert_eq!(pushed["chat"]["tags"], json!(["refund", "vip"]));

    let live = "view=group&group_id=support";
    assert_eq!(ids(&api.list(&carol, live).await), {
        let mut both = vec![tagged.clone(), other.clone()];
        both.sort();
        both
    });
    assert_eq!(
        ids(&api.list(&carol, &format!("{live}&tag=VIP")).await),
        vec![tagged.clone()]
    );
    assert_eq!(
        ids(&api.list(&carol, "view=queue&tag=refund").await),
        vec![tagged.clone()]
    );
    assert!(api.list(&carol, "view=queue&tag=other").await.is_empty());

    // The customer: no tags in their view, no tagged event; a message after the change arrives,
    // so what came before it has too.
    let (status, view) = api.get(&format!("/api/chats/{tagged}"), &customer).await;
    assert_eq!(status, 200);
    assert!(!view.to_string().contains("vip"), "{view}");
    let (status, _) = api
        .post(
            &format!("/api/chats/{tagged}/messages"),
            &customer,
            json!({"client_msg_id": "c1", "body": "Any news?"}),
        )
        .await;
    assert_eq!(status, 201);
    loop {
        let frame = customer_socket
            .next(Duration::from_secs(10))
            .await
            .expect("the customer's own message comes back");
        assert!(!frame.to_string().contains("vip"), "{frame}");
        if is_event(&tagged, "message")(&frame) {
            break;
        }
    }
    let (_, events) = api
        .get(&format!("/api/chats/{tagged}/events?after=0"), &customer)
        .await;
    assert!(!events.to_string().contains("tagged"), "{events}");
}

async fn bad_tags_are_refused_with_the_problem_named(server: TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, customer) = api.start_chat("support", "Ann", "Hello").await;
    let path = format!("/api/chats/{chat}/tags");
    let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
    for (body, named) in [
        (json!({"tags": ["a/b"]}), "tags"),
        (json!({"tags": [""]}), "tags"),
        (json!({"tags": ["x".repeat(33)]}), "tags"),
        (json!({"tags": eleven}), "at most 10"),
        (json!({"tags": "vip"}), "tags"),
        (json!({"tags": [], "color": "red"}), "color"),
    ] {
        let (status, reply) = api
            .call("PUT", &path, Some(&alice), Some(body.clone()))
            .await;
        assert_eq!(status, 400, "{body} -> {reply}");
        assert!(
            reply["message"].as_str().unwrap_or("").contains(named),
            "{body} -> {reply}"
        );
    }
    let (status, _) = api
        .call("PUT", &path, Some(&customer), Some(json!({"tags": ["x"]})))
        .await;
    assert_eq!(status, 403);
    let (status, reply) = api.get("/api/chats?view=queue&tag=%3Cb%3E", &alice).await;
    assert_eq!(status, 400, "{reply}");
    let (_, row) = api.get(&format!("/api/chats/{chat}"), &alice).await;
    assert_eq!(row["tags"], json!([]), "nothing was written: {row}");
}
