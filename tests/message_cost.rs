//! What one chat message, and one whole chat, cost in the cloud, for a chat with one customer and
//! one agent: Lambda invocations, DynamoDB calls and capacity, PostToConnection calls. The
//! WebSocket handlers run in-process as the `ws-*` functions would, the REST routes through the
//! same use cases over HTTP, all over the DynamoDB store, with a poster that counts what API
//! Gateway would deliver. Printed (run with --nocapture) and asserted; the figures are the ones in
//! docs/performance.md and docs/deploy.md ("What it costs").

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use bytes::Bytes;
use chatdesk::app::App;
use chatdesk::ports::{Clock, ConnectionId, ConnectionPoster, ManualClock, PostError, SystemClock};
use chatdesk::realtime::Fanout;
use chatdesk_tests::client::Api;
use chatdesk_tests::dynamo_endpoint::fresh_stores;
use chatdesk_tests::server::{spawn_server_with, TestServer};
use lambda_http::{Context, LambdaEvent};
use serde_json::{json, Value};

#[derive(Default)]
struct CountingPoster(Mutex<Vec<(String, String)>>);

#[async_trait]
impl ConnectionPoster for CountingPoster {
    async fn post(&self, connection: &ConnectionId, frame: Bytes) -> Result<(), PostError> {
        // A refused frame is kept whole, so a failing assertion says why.
        let kind = serde_json::from_slice::<Value>(&frame)
            .ok()
            .and_then(|v| match v["type"].as_str() {
                Some("error") => Some(format!("error: {v}")),
                other => other.map(str::to_owned),
            })
            .unwrap_or_default();
        self.0.lock().unwrap().push((connection.to_string(), kind));
        Ok(())
    }

    async fn close(&self, connection: &ConnectionId) -> Result<(), PostError> {
        self.0
            .lock()
            .unwrap()
            .push((connection.to_string(), "closed".into()));
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

/// The server's use cases with fan-out through PostToConnection as in the cloud, to a poster
/// that counts what API Gateway would deliver.
fn counting_fan_out(server: &TestServer) -> (App, Arc<Fanout>, Arc<CountingPoster>) {
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
    (app, fanout, poster)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_message_between_one_customer_and_one_agent() {
    let (stores, store) = fresh_stores().await;
    let server = spawn_server_with(stores, |_| {}).await;
    let (mut app, fanout, poster) = counting_fan_out(&server);
    // Frames are counted in fixed rate-limit windows of wall-clock time; a measured frame that
    // happened to open a new window would cost one more call. The clock stands still here, so
    // every frame falls in the window the warm-up opened, as frames of a conversation do.
    app.clock = Arc::new(ManualClock::new(SystemClock.now()));
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
    // subscribers (2). Agent: also their profile (1). Posts: the event to both sides, which is
    // also the sender's acknowledgement; the agent's console shows the chat, not a list, so no
    // list row is sent to it.
    assert_eq!(figures[0].1, 5);
    assert_eq!(figures[1].1, 6);
    for (who, _, posts) in &figures {
        let kinds: Vec<&str> = posts.iter().map(|(_, k)| k.as_str()).collect();
        assert_eq!(posts.len(), 2, "{who}: {kinds:?}");
        assert_eq!(kinds.iter().filter(|k| **k == "event").count(), 2);
    }
}

/// Runs one WebSocket event through the handlers the `ws-*` functions use; asserts it succeeded.
async fn ws(app: &App, fanout: &Fanout, route: &str, connection: &str, body: Option<Value>) {
    let response = chatdesk::lambda::websocket(app, fanout, event(route, connection, None, body))
        .await
        .unwrap();
    assert_eq!(response.status_code, 200, "{route} on {connection}");
}

async fn ws_connect(app: &App, fanout: &Fanout, connection: &str, token: &str) {
    let response = chatdesk::lambda::websocket(
        app,
        fanout,
        event("$connect", connection, Some(token), None),
    )
    .await
    .unwrap();
    assert_eq!(response.status_code, 200, "$connect {connection}");
}

/// One REST request through `api::dispatch`, the code the HTTP functions run after Lambda's
/// event is converted; asserts a 2xx and returns the JSON body.
async fn rest(
    app: &App,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Value {
    let mut req = http::Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let bytes = match body {
        Some(b) => {
            req = req.header("content-type", "application/json");
            Bytes::from(b.to_string())
        }
        None => Bytes::new(),
    };
    let resp = chatdesk::api::dispatch(app, req.body(bytes).unwrap(), None).await;
    let status = resp.status().as_u16();
    let value: Value = serde_json::from_slice(resp.body()).unwrap_or(Value::Null);
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {value}"
    );
    value
}

/// The chat that docs/deploy.md prices "per 1,000 chats": the customer reads suggestions and
/// starts the chat, connects and resumes; the agent (console already open, the group's one agent
/// online) pulls it, watches it, opens it (chat + events), reads its suggestions and reloads two
/// lists; 10 messages each way, each after a typing notice; 24 pings from the customer's page;
/// the agent ends it with a resolution; the customer's page disconnects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_whole_chat_as_the_cost_model_assumes() {
    let (stores, store) = fresh_stores().await;
    let server = spawn_server_with(stores, |c| c.suggestions = true).await;
    let (mut app, fanout, poster) = counting_fan_out(&server);
    // The chat's ten minutes run here in about a second. Spread over ten minutes a client's frames
    // come seconds apart, so nearly every one opens a new rate-limit window (two UpdateItems
    // instead of one): 1 ms windows make every frame do so, as they would.
    app.settings.rate_limit = chatdesk::ports::RateLimit {
        limit: 30,
        window_ms: 1,
    };
    let alice = Api::new(&server.base_url).login("alice").await;
    ws_connect(&app, &fanout, "agent=", &alice).await;
    // A warm instance: the suggestion index is built and the group names are cached.
    rest(&app, "GET", "/api/suggestions?q=warm%20up", None, None).await;
    store.reset_metrics();
    poster.0.lock().unwrap().clear();

    let mut invocations = 0u32;
    let mut call = |n: u32| invocations += n;
    rest(
        &app,
        "GET",
        "/api/suggestions?q=my%20mailbox%20is%20full&group_id=support",
        None,
        None,
    )
    .await;
    let started = rest(
        &app,
        "POST",
        "/api/chats",
        None,
        Some(json!({"group_id":"support","name":"Ann","question":"My mailbox is full"})),
    )
    .await;
    call(2);
    let chat = started["chat"]["id"].as_str().unwrap().to_owned();
    let customer = started["token"].as_str().unwrap().to_owned();
    ws_connect(&app, &fanout, "cust=", &customer).await;
    ws(
        &app,
        &fanout,
        "resume",
        "cust=",
        Some(json!({"action":"resume","chat_id":chat,"after_seq":0})),
    )
    .await;
    rest(
        &app,
        "POST",
        "/api/actions/pull",
        Some(&alice),
        Some(json!({})),
    )
    .await;
    ws(
        &app,
        &fanout,
        "watch",
        "agent=",
        Some(json!({"action":"watch","chat_id":chat})),
    )
    .await;
    call(4);
    for path in [
        format!("/api/chats/{chat}"),
        format!("/api/chats/{chat}/events?after=0"),
        format!("/api/chats/{chat}/suggestions"),
        "/api/chats?view=my_active".to_owned(),
        "/api/chats?view=group&group_id=support".to_owned(),
    ] {
        rest(&app, "GET", &path, Some(&alice), None).await;
        call(1);
    }
    for i in 0..10 {
        for (conn, who) in [("cust=", "c"), ("agent=", "a")] {
            ws(
                &app,
                &fanout,
                "typing",
                conn,
                Some(json!({"action":"typing","chat_id":chat,"typing":true})),
            )
            .await;
            ws(
                &app,
                &fanout,
                "send",
                conn,
                Some(json!({"action":"send","chat_id":chat,"client_msg_id":format!("{who}{i}"),"body":"A message of a few words"})),
            )
            .await;
            call(2);
        }
    }
    for _ in 0..24 {
        ws(
            &app,
            &fanout,
            "ping",
            "cust=",
            Some(json!({"action":"ping"})),
        )
        .await;
        call(1);
    }
    rest(
        &app,
        "POST",
        "/api/actions/end",
        Some(&alice),
        Some(json!({"chat_ids":[chat],"resolution":"Old mail deleted; quota explained."})),
    )
    .await;
    ws(&app, &fanout, "$disconnect", "cust=", None).await;
    call(2);

    let m = store.metrics();
    let posted = poster.0.lock().unwrap().clone();
    let refused: Vec<_> = posted
        .iter()
        .filter(|(_, kind)| kind.starts_with("error"))
        .collect();
    assert!(refused.is_empty(), "frames were refused: {refused:?}");
    let events = rest(
        &app,
        "GET",
        &format!("/api/chats/{chat}/events?after=0"),
        Some(&alice),
        None,
    )
    .await;
    let messages = events
        .as_array()
        .map_or(0, |e| e.iter().filter(|e| e["type"] == "message").count());
    assert_eq!(messages, 21, "the question and the 20 messages were stored");
    let ops: Vec<String> = m
        .operations
        .iter()
        .map(|(k, v)| {
            format!(
                "{k} x{} ({:.1} R / {:.1} W)",
                v.calls, v.read_units, v.write_units
            )
        })
        .collect();
    println!(
        "one whole chat: {invocations} Lambda invocations, {} DynamoDB calls, {:.1} read units, {:.1} write units, {} PostToConnection",
        m.calls(),
        m.read_units(),
        m.write_units(),
        posted.len()
    );
    println!("  by operation: {}", ops.join(", "));
    println!(
        "  DynamoDB per 1,000 chats: ${:.3} (writes ${:.3} + reads ${:.3})",
        1000.0 * (m.write_units() * 0.625 + m.read_units() * 0.125) / 1e6,
        1000.0 * m.write_units() * 0.625 / 1e6,
        1000.0 * m.read_units() * 0.125 / 1e6
    );
    assert!(
        !m.operations.contains_key("Scan"),
        "a Scan on a request path"
    );
    // Measured when docs/deploy.md's figures were written: 344 calls, 156 read and 367 write
    // units (by AWS's rules, index entries included), 93 posts. About 5% of headroom, so one more
    // call per message or frame fails here.
    assert!(m.calls() <= 360, "DynamoDB calls {}", m.calls());
    assert!(m.read_units() <= 164.0, "read units {}", m.read_units());
    assert!(m.write_units() <= 385.0, "write units {}", m.write_units());
    assert!(
        posted.len() <= 98,
        "PostToConnection calls {}",
        posted.len()
    );
}
