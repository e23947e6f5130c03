//! What one chat message costs in the cloud, for a chat with one customer and one agent: Lambda
//! invocations, DynamoDB calls and capacity, PostToConnection calls. The WebSocket handler runs
//! in-process as the `ws-send` function would, over the DynamoDB store, with a poster that counts
//! what API Gateway would deliver. Printed (run with --nocapture) and asserted.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use bytes::Bytes;
use chatdesk::ports::{ConnectionId, ConnectionPoster, PostError};
use chatdesk::realtime::Fanout;
use chatdesk_tests::client::Api;
use chatdesk_tests::dynamo_endpoint::fresh_stores;
use chatdesk_tests::server::spawn_server_with;
use lambda_http::{Context, LambdaEvent};
use serde_json::{json, Value};

#[derive(Default)]
struct CountingPoster(Mutex<Vec<(String, String)>>);

#[async_trait]
impl ConnectionPoster for CountingPoster {
    async fn post(&self, connection: &ConnectionId, frame: Bytes) -> Result<(), PostError> {
        let kind = serde_json::from_slice::<Value>(&frame)
            .ok()
            .and_then(|v| v["type"].as_str().map(str::to_owned))
            .unwrap_or_default();
        self.0.lock().unwrap().push((connection.to_string(), kind));
        Ok(())
    }
}

fn event(
    route: &str,
    connection: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> LambdaEvent<ApiGatewayWebsocketProxyRequest> {
    let mut e: Value =
        serde_json::from_str(include_str!("fixtures/websocket-message-request.json")).unwrap();
    e["requestContext"]["routeKey"] = json!(route);
    e["requestContext"]["connectionId"] = json!(connection);
    if let Some(t) = token {
        e["queryStringParameters"] = json!({ "token": t });
    }
    if let Some(b) = body {
        e["body"] = json!(b.to_string());
    }
    LambdaEvent::new(serde_json::from_value(e).unwrap(), Context::default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_message_between_one_customer_and_one_agent() {
    let (stores, store) = fresh_stores().await;
    let server = spawn_server_with(stores, |_| {}).await;
    let poster = Arc::new(CountingPoster::default());
    let fanout = Arc::new(Fanout::new(
        server.stores.connections.clone(),
        poster.clone(),
        server.stores.chats.clone(),
        server.stores.directory.clone(),
        server.app.clock.clone(),
        server.app.settings.idle,
    ));
    let mut app = server.app.clone();
    app.notifier = fanout.clone();
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, customer) = api.start_chat("support", "Ann", "Hi").await;
    api.action("pull", &alice, json!({"chat_ids":[chat]})).await;

    // The customer's page and the agent's console, connected; the agent has the chat open.
    let ok = |r: aws_lambda_events::apigw::ApiGatewayProxyResponse| assert_eq!(r.status_code, 200);
    ok(chatdesk::lambda::websocket(
        &app,
        &fanout,
        event("$connect", "cust=", Some(&customer), None),
    )
    .await
    .unwrap());
    ok(chatdesk::lambda::websocket(
        &app,
        &fanout,
        event("$connect", "agent=", Some(&alice), None),
    )
    .await
    .unwrap());
    ok(chatdesk::lambda::websocket(
        &app,
        &fanout,
        event(
            "watch",
            "agent=",
            None,
            Some(json!({"action":"watch","chat_id":chat})),
        ),
    )
    .await
    .unwrap());
    // A warm container has the group names cached: send one message first.
    ok(chatdesk::lambda::websocket(
        &app,
        &fanout,
        event(
            "send",
            "cust=",
            None,
            Some(json!({"action":"send","chat_id":chat,"client_msg_id":"w","body":"warm"})),
        ),
    )
    .await
    .unwrap());

    println!("| message from | Lambda invocations | DynamoDB calls | read units | write units | PostToConnection | DynamoDB calls by operation |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    let mut figures = Vec::new();
    for (who, conn, cmid) in [("customer", "cust=", "c1"), ("agent", "agent=", "a1")] {
        store.reset_metrics();
        poster.0.lock().unwrap().clear();
        let frame =
            json!({"action":"send","chat_id":chat,"client_msg_id":cmid,"body":"Hello there"});
        ok(
            chatdesk::lambda::websocket(&app, &fanout, event("send", conn, None, Some(frame)))
                .await
                .unwrap(),
        );
        let m = store.metrics();
        let posts = poster.0.lock().unwrap().clone();
        let ops: Vec<String> = m
            .operations
            .iter()
            .map(|(k, v)| format!("{k} x{}", v.calls))
            .collect();
        println!(
            "| {who} | 1 | {} | {:.1} | {:.1} | {} | {} |",
            m.calls(),
            m.read_units(),
            m.write_units(),
            posts.len(),
            ops.join(", ")
        );
        figures.push((who, m.calls(), posts));
    }
    // Customer: count the frame (1), read the chat (1), commit (1), the chat's and the group's
    // subscribers (2). Agent: also their profile (1). Posts: the event to both sides, the ack,
    // the list update to the agent's console.
    assert_eq!(figures[0].1, 5);
    assert_eq!(figures[1].1, 6);
    for (who, _, posts) in &figures {
        let kinds: Vec<&str> = posts.iter().map(|(_, k)| k.as_str()).collect();
        assert_eq!(posts.len(), 4, "{who}: {kinds:?}");
        assert_eq!(kinds.iter().filter(|k| **k == "event").count(), 2);
        assert_eq!(kinds.iter().filter(|k| **k == "ack").count(), 1);
        assert_eq!(kinds.iter().filter(|k| **k == "chat_changed").count(), 1);
    }
}
