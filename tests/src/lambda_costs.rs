//! Running the Lambda functions' handlers in-process over the DynamoDB store and counting what
//! AWS would bill: invocations, DynamoDB calls and capacity (the adapter's metrics), and
//! PostToConnection calls (a poster that records each frame). Used by `tests/message_cost.rs` and
//! `tests/cost_curve.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use bytes::Bytes;
use chatdesk::app::App;
use chatdesk::dynamodb::{DynamoStore, MetricsSnapshot};
use chatdesk::ports::{ConnectionId, ConnectionPoster, PostError};
use chatdesk::realtime::Fanout;
use lambda_http::{Context, LambdaEvent};
use serde_json::{json, Value};

use crate::server::TestServer;
use crate::table_stream::TableStream;

#[derive(Default)]
pub struct CountingPoster(pub Mutex<Vec<(String, String)>>);

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

/// The method ARN API Gateway asks the `$connect` authorizer about.
pub const CONNECT_METHOD_ARN: &str =
    "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/$connect";

/// A WebSocket as API Gateway knows it: its connection id and the context the `$connect`
/// authorizer returned for it, which API Gateway passes with every event of the connection.
#[derive(Clone, Debug)]
pub struct WsConn {
    pub id: String,
    pub authorizer: HashMap<String, Value>,
}

impl WsConn {
    /// A socket opening with `token`: the authorizer runs as API Gateway runs it, and must
    /// allow it.
    pub async fn authorized(app: &App, id: &str, token: &str) -> WsConn {
        let answer = chatdesk::realtime::authorize(app, token, CONNECT_METHOD_ARN)
            .await
            .expect("the authorizer decides");
        assert!(
            chatdesk::realtime::authorizer::allows(&answer),
            "the authorizer denied {id}: {answer:?}"
        );
        WsConn {
            id: id.to_owned(),
            authorizer: chatdesk::realtime::authorizer::passed_context(&answer),
        }
    }

    /// Events on `id` that carry no authorizer context (a WebSocket API without the authorizer).
    pub fn without_authorizer(id: &str) -> WsConn {
        WsConn {
            id: id.to_owned(),
            authorizer: HashMap::new(),
        }
    }
}

/// An API Gateway WebSocket event for `route` on `connection` (a frame with `body`), with the
/// connection's authorizer context, as the `ws-*` functions receive it.
pub fn event(
    route: &str,
    connection: &WsConn,
    body: Option<Value>,
) -> LambdaEvent<ApiGatewayWebsocketProxyRequest> {
    let mut e: Value =
        serde_json::from_str(include_str!("../fixtures/websocket-message-request.json")).unwrap();
    e["requestContext"]["routeKey"] = json!(route);
    e["requestContext"]["connectionId"] = json!(connection.id);
    e["requestContext"]["eventType"] = json!(match route {
        "$connect" => "CONNECT",
        "$disconnect" => "DISCONNECT",
        _ => "MESSAGE",
    });
    if !connection.authorizer.is_empty() {
        e["requestContext"]["authorizer"] = json!(connection.authorizer);
    }
    if let Some(b) = body {
        e["body"] = json!(b.to_string());
    }
    LambdaEvent::new(
        serde_json::from_value(e).expect("a WebSocket event"),
        Context::default(),
    )
}

/// The server's use cases with fan-out through PostToConnection as in the cloud, to a poster
/// that counts what API Gateway would deliver. As in the cloud, the list rows of messages are
/// left to the table stream's consumer (`crate::table_stream::TableStream::deliver`). The
/// fan-out's clock stands still, as in a warm container between changes seconds apart: the group
/// names (and the organisation's settings) it reads once stay cached however slowly the emulator
/// answers.
pub fn counting_fan_out(server: &TestServer) -> (App, Arc<Fanout>, Arc<CountingPoster>) {
    let poster = Arc::new(CountingPoster::default());
    let fanout = Arc::new(
        Fanout::new(
            server.stores.connections.clone(),
            poster.clone(),
            server.stores.chats.clone(),
            server.stores.directory.clone(),
            Arc::new(chatdesk::ports::ManualClock::new(server.app.clock.now())),
            server.app.settings.idle,
        )
        .with_list_push(chatdesk::realtime::ListPush::FromStream),
    );
    let mut app = server.app.clone();
    app.notifier = fanout.clone();
    // Likewise the organisation's settings: read once, kept however long the emulator takes.
    app.organisation = chatdesk::app::OrganisationCache::with_clock(Arc::new(
        chatdesk::ports::ManualClock::new(server.app.clock.now()),
    ));
    (app, fanout, poster)
}

/// Runs one WebSocket event through the handlers the `ws-*` functions use; asserts it succeeded.
pub async fn ws(app: &App, fanout: &Fanout, route: &str, connection: &WsConn, body: Option<Value>) {
    let response = chatdesk::lambda::websocket(app, fanout, event(route, connection, body))
        .await
        .unwrap();
    assert_eq!(response.status_code, 200, "{route} on {}", connection.id);
}

/// Opens a socket as API Gateway does: the authorizer (`ws-authorize`), then `$connect`
/// (`ws-connect`) with the context it returned; two invocations.
pub async fn ws_connect(app: &App, fanout: &Fanout, connection: &str, token: &str) -> WsConn {
    let conn = WsConn::authorized(app, connection, token).await;
    let response = chatdesk::lambda::websocket(app, fanout, event("$connect", &conn, None))
        .await
        .unwrap();
    assert_eq!(response.status_code, 200, "$connect {connection}");
    conn
}

/// One REST request through `api::dispatch`, the code the HTTP functions run after Lambda's
/// event is converted; asserts a 2xx and returns the JSON body.
pub async fn rest(
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

/// What one whole chat cost.
pub struct WholeChat {
    pub invocations: u32,
    pub metrics: MetricsSnapshot,
    /// Every frame posted (connection, frame type).
    pub posted: Vec<(String, String)>,
    pub chat: String,
}

/// The chat that docs/deploy.md prices "per 1,000 chats": the customer reads suggestions and
/// starts the chat, connects (authorizer and `$connect`) and resumes; the agent (console
/// connected as `agent`, token `alice`) pulls it, watches it, opens it (chat + events), reads its suggestions and reloads
/// two lists; 10 messages each way, each after a typing notice; 24 pings from the customer's
/// page; the agent ends it with a resolution; the customer's page disconnects. Counted from a
/// metrics and poster reset at its start. The table stream's records are delivered to the
/// list-rows handler as they come, each counted as an invocation of its own (the changes of one
/// chat are seconds apart, more than the batching window).
pub async fn whole_chat(
    app: &App,
    fanout: &Fanout,
    store: &DynamoStore,
    poster: &CountingPoster,
    alice: &str,
    agent: &WsConn,
    stream: &mut TableStream,
) -> WholeChat {
    let app = app.clone();
    let alice = alice.to_owned();
    stream.deliver(fanout).await;
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
    let cust = ws_connect(&app, fanout, "cust=", &customer).await;
    ws(
        &app,
        fanout,
        "resume",
        &cust,
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
        fanout,
        "watch",
        agent,
        Some(json!({"action":"watch","chat_id":chat})),
    )
    .await;
    // The customer's authorizer and $connect, resume, pull, watch.
    call(5);
    call(stream.deliver(fanout).await.passed as u32);
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
        for (conn, who) in [(&cust, "c"), (agent, "a")] {
            ws(
                &app,
                fanout,
                "typing",
                conn,
                Some(json!({"action":"typing","chat_id":chat,"typing":true})),
            )
            .await;
            ws(
                &app,
                fanout,
                "send",
                conn,
                Some(json!({"action":"send","chat_id":chat,"client_msg_id":format!("{who}{i}"),"body":"A message of a few words"})),
            )
            .await;
            call(2);
            call(stream.deliver(fanout).await.passed as u32);
        }
    }
    for _ in 0..24 {
        ws(&app, fanout, "ping", &cust, Some(json!({"action":"ping"}))).await;
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
    ws(&app, fanout, "$disconnect", &cust, None).await;
    call(2);
    call(stream.deliver(fanout).await.passed as u32);

    WholeChat {
        invocations,
        metrics: store.metrics(),
        posted: poster.0.lock().unwrap().clone(),
        chat,
    }
}
