//! The Lambda handlers in-process, without Lambda: API Gateway events (HTTP API v2 requests and
//! WebSocket events, from fixtures of the real shapes) through `chatdesk::lambda`, exactly as
//! each function's `main` wires them.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_lambda_events::apigw::ApiGatewayCustomAuthorizerRequestTypeRequest;
use bytes::Bytes;
use chatdesk::app::App;
use chatdesk::domain::{AgentId, Timestamp};
use chatdesk::ports::{Clock, ConnectionId, ConnectionPoster, ManualClock, PostError, SystemClock};
use chatdesk::realtime::Fanout;
use chatdesk_tests::client::Api;
use chatdesk_tests::lambda_costs::{event as ws_event, WsConn};
use chatdesk_tests::server::{spawn_server_configured, without_hand_off_sweep, TestServer};

/// The handlers run here on apps of their own (some with clocks of their own): the server's
/// background hand-off sweep stays out of their way.
async fn spawn_server() -> TestServer {
    spawn_server_configured(without_hand_off_sweep).await
}
use lambda_http::{Body, Context, LambdaEvent};
use serde_json::{json, Value};

fn http_event(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> lambda_http::Request {
    let mut event: Value =
        serde_json::from_str(include_str!("fixtures/http-api-v2-request.json")).unwrap();
    let (raw_path, query) = path.split_once('?').unwrap_or((path, ""));
    event["rawPath"] = json!(raw_path);
    event["rawQueryString"] = json!(query);
    event["requestContext"]["http"]["method"] = json!(method);
    event["requestContext"]["http"]["path"] = json!(raw_path);
    if let Some(t) = token {
        event["headers"]["authorization"] = json!(format!("Bearer {t}"));
    }
    if let Some(b) = body {
        event["body"] = json!(b.to_string());
    }
    lambda_http::request::from_str(&event.to_string()).expect("an HTTP API v2 event")
}

/// A sign-in as API Gateway delivers it, from the client address `source_ip`.
fn sign_in_event(username: &str, password: &str, source_ip: &str) -> lambda_http::Request {
    let mut event: Value =
        serde_json::from_str(include_str!("fixtures/http-api-v2-request.json")).unwrap();
    event["rawPath"] = json!("/api/auth/login");
    event["rawQueryString"] = json!("");
    event["requestContext"]["http"]["method"] = json!("POST");
    event["requestContext"]["http"]["path"] = json!("/api/auth/login");
    event["requestContext"]["http"]["sourceIp"] = json!(source_ip);
    event["body"] = json!(json!({"username": username, "password": password}).to_string());
    lambda_http::request::from_str(&event.to_string()).expect("an HTTP API v2 event")
}

fn body_json(resp: &lambda_http::Response<Body>) -> Value {
    match resp.body() {
        Body::Text(t) => serde_json::from_str(t).unwrap_or(Value::Null),
        Body::Binary(b) => serde_json::from_slice(b).unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

#[tokio::test]
async fn every_function_serves_its_routes_and_only_those() {
    let server = spawn_server().await;
    let app = &server.app;
    for route in chatdesk::api::ROUTES {
        let path = route
            .path
            .replace("{chat_id}", "01J00000000000000000000000")
            .replace("{article_id}", "no-such-article");
        let resp = chatdesk::lambda::http(
            app,
            route.function,
            http_event(route.method, &path, None, None),
        )
        .await;
        let body = body_json(&resp);
        assert_ne!(
            body["error"], "no_route",
            "{} {} in {}",
            route.method, route.path, route.function
        );
        assert_ne!(
            resp.status().as_u16(),
            500,
            "{} {}: {body}",
            route.method,
            route.path
        );
        assert_eq!(resp.headers()["content-type"], "application/json");
        // Another function does not answer for it.
        let other = chatdesk::api::routes::functions()
            .into_iter()
            .find(|f| {
                !chatdesk::api::ROUTES
                    .iter()
                    .any(|r| r.function == *f && r.path == route.path)
            })
            .unwrap();
        let resp =
            chatdesk::lambda::http(app, other, http_event(route.method, &path, None, None)).await;
        assert!(
            matches!(resp.status().as_u16(), 404 | 405),
            "{other} answered {} {}",
            route.method,
            route.path
        );
    }
}

#[tokio::test]
async fn chat_start_and_queue_pull_with_their_error_cases() {
    let server = spawn_server().await;
    let app = &server.app;
    let resp = chatdesk::lambda::http(
        app,
        "chat-start",
        http_event(
            "POST",
            "/api/chats",
            None,
            Some(json!({"group_id":"support","name":"Ann","question":"Help"})),
        ),
    )
    .await;
    assert_eq!(resp.status().as_u16(), 201);
    let chat = body_json(&resp)["chat"]["id"].as_str().unwrap().to_owned();
    for (body, status, code) in [
        // A missing field is refused input, named like any other (as over the WebSocket).
        (
            json!({"group_id":"support","name":"Ann"}),
            400,
            "invalid_input",
        ),
        (
            json!({"group_id":"nope","name":"Ann","question":"q"}),
            404,
            "not_found",
        ),
        (
            json!({"group_id":"support","name":"","question":"q"}),
            400,
            "invalid_input",
        ),
    ] {
        let resp = chatdesk::lambda::http(
            app,
            "chat-start",
            http_event("POST", "/api/chats", None, Some(body)),
        )
        .await;
        assert_eq!(resp.status().as_u16(), status);
        assert_eq!(body_json(&resp)["error"], code);
    }
    let alice = Api::new(&server.base_url).login("alice").await;
    let resp = chatdesk::lambda::http(
        app,
        "queue-pull",
        http_event("POST", "/api/actions/pull", None, None),
    )
    .await;
    assert_eq!(resp.status().as_u16(), 401);
    let resp = chatdesk::lambda::http(
        app,
        "queue-pull",
        http_event("POST", "/api/actions/pull", Some(&alice), None),
    )
    .await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(body_json(&resp)["results"][0]["chat_id"], chat.as_str());
    let resp = chatdesk::lambda::http(
        app,
        "queue-pull",
        http_event("POST", "/api/actions/pull", Some(&alice), None),
    )
    .await;
    assert_eq!(resp.status().as_u16(), 409);
    assert_eq!(body_json(&resp)["error"], "queue_empty");
    for (function, path, body) in [
        (
            "chat-transfer",
            "/api/actions/transfer",
            json!({"chat_ids":[chat],"to":{"kind":"group","group_id":"billing"}}),
        ),
        (
            "chat-delete",
            "/api/actions/delete",
            json!({"chat_ids":[chat]}),
        ),
    ] {
        let resp = chatdesk::lambda::http(
            app,
            function,
            http_event("POST", path, Some(&alice), Some(body)),
        )
        .await;
        assert_eq!(resp.status().as_u16(), 200, "{function}");
    }
}

/// Records what the handlers post, as API Gateway's @connections would deliver it.
#[derive(Default)]
struct RecordingPoster(Mutex<Vec<(String, Value)>>);

#[async_trait]
impl ConnectionPoster for RecordingPoster {
    async fn post(&self, connection: &ConnectionId, frame: Bytes) -> Result<(), PostError> {
        let value = serde_json::from_slice(&frame).unwrap_or(Value::Null);
        self.0.lock().unwrap().push((connection.to_string(), value));
        Ok(())
    }

    async fn close(&self, connection: &ConnectionId) -> Result<(), PostError> {
        self.0
            .lock()
            .unwrap()
            .push((connection.to_string(), json!({"closed": true})));
        Ok(())
    }
}

fn fanout_recording(server: &TestServer) -> (Fanout, Arc<RecordingPoster>) {
    let poster = Arc::new(RecordingPoster::default());
    let fanout = Fanout::new(
        server.stores.connections.clone(),
        poster.clone(),
        server.stores.chats.clone(),
        server.stores.directory.clone(),
        server.app.clock.clone(),
        server.app.settings.idle,
    );
    (fanout, poster)
}

/// The `$connect` authorizer's request as API Gateway sends it for a WebSocket API, with `token`
/// in the query string (its identity source).
fn authorizer_event(token: &str) -> LambdaEvent<ApiGatewayCustomAuthorizerRequestTypeRequest> {
    let mut event: Value =
        serde_json::from_str(include_str!("fixtures/websocket-authorizer-request.json")).unwrap();
    event["queryStringParameters"] = json!({ "token": token });
    event["multiValueQueryStringParameters"] = json!({ "token": [token] });
    LambdaEvent::new(
        serde_json::from_value(event).expect("an authorizer request"),
        Context::default(),
    )
}

/// The method ARN of the fixture: what an answer allows or denies.
const FIXTURE_METHOD_ARN: &str = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/$connect";

/// The authorizer's answer to `token`, as the JSON API Gateway reads.
async fn authorizer_answer(app: &App, token: &str) -> Value {
    let answer = chatdesk::lambda::websocket_authorizer(app, authorizer_event(token))
        .await
        .expect("a refused token is a Deny policy, not a failed invocation");
    serde_json::to_value(answer).unwrap()
}

fn policy_effect(answer: &Value) -> &str {
    let statements = answer["policyDocument"]["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 1, "{answer}");
    assert_eq!(statements[0]["Action"], json!(["execute-api:Invoke"]));
    assert_eq!(statements[0]["Resource"], json!([FIXTURE_METHOD_ARN]));
    statements[0]["Effect"].as_str().unwrap()
}

#[tokio::test]
async fn the_connect_authorizer_allows_valid_tokens_with_their_principal_as_context() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, customer) = api.start_chat("support", "Ann", "Hi").await;
    let epoch = server
        .stores
        .directory
        .get_agent(&AgentId::parse("alice").unwrap())
        .await
        .unwrap()
        .unwrap()
        .session_epoch;

    let answer = authorizer_answer(&server.app, &alice).await;
    assert_eq!(policy_effect(&answer), "Allow", "{answer}");
    assert_eq!(answer["principalId"], "agent:alice");
    assert_eq!(
        answer["context"],
        json!({"kind": "agent", "agentId": "alice", "session": epoch.to_string()}),
        "flat strings only, as API Gateway requires"
    );

    let answer = authorizer_answer(&server.app, &customer).await;
    assert_eq!(policy_effect(&answer), "Allow", "{answer}");
    assert_eq!(answer["principalId"], format!("customer:{chat}"));
    assert_eq!(
        answer["context"],
        json!({"kind": "customer", "chatId": chat})
    );
}

#[tokio::test]
async fn the_connect_authorizer_denies_bad_expired_garbled_and_revoked_tokens() {
    let server = spawn_server().await;
    let app = &server.app;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let bob = api.login("bob").await;
    let (chat, customer) = api.start_chat("support", "Ann", "Hi").await;
    let long_ago = Timestamp(SystemClock.now().millis() - 2 * 24 * 60 * 60 * 1000);
    let alice_agent = server
        .stores
        .directory
        .get_agent(&AgentId::parse("alice").unwrap())
        .await
        .unwrap()
        .unwrap();
    let expired_agent = app.tokens.issue_agent(&alice_agent, long_ago).unwrap();
    let expired_customer = app
        .tokens
        .issue_customer(&chatdesk::domain::ChatId::parse(&chat).unwrap(), long_ago)
        .unwrap();
    // One character of the claims changed (the signature no longer matches); and the
    // customer's token cut short.
    let first_dot = alice.find('.').unwrap();
    let at = first_dot + 5;
    let swapped = if alice.as_bytes()[at] == b'A' {
        "B"
    } else {
        "A"
    };
    let garbled = format!("{}{swapped}{}", &alice[..at], &alice[at + 1..]);
    let truncated = &customer[..customer.len() / 2];

    for (what, token) in [
        ("not a token", "not-a-token"),
        ("empty", ""),
        ("garbled signature", garbled.as_str()),
        ("truncated", truncated),
        ("expired agent token", expired_agent.as_str()),
        ("expired customer token", expired_customer.as_str()),
    ] {
        let answer = authorizer_answer(app, token).await;
        assert_eq!(policy_effect(&answer), "Deny", "{what}: {answer}");
        assert_eq!(answer["context"], json!({}), "{what}: nothing is passed on");
    }

    // Bob's session is revoked (a password change elsewhere): his token from before is denied,
    // Alice's still allowed.
    server
        .stores
        .directory
        .set_session_epoch(
            &AgentId::parse("bob").unwrap(),
            chatdesk::app::new_session_epoch(),
        )
        .await
        .unwrap();
    let answer = authorizer_answer(app, &bob).await;
    assert_eq!(policy_effect(&answer), "Deny", "revoked session: {answer}");
    let answer = authorizer_answer(app, &alice).await;
    assert_eq!(policy_effect(&answer), "Allow", "{answer}");
}

#[tokio::test]
async fn websocket_routes_connect_send_and_disconnect() {
    let server = spawn_server().await;
    let (fanout, posted) = fanout_recording(&server);
    let mut app = server.app.clone();
    let fanout = Arc::new(fanout);
    app.notifier = fanout.clone();
    let api = Api::new(&server.base_url);
    let (chat, customer) = api.start_chat("support", "Ann", "Hi").await;

    // API Gateway runs the authorizer first and `$connect` only for a token it allowed; the
    // connection's events then carry the principal it returned.
    let answer = authorizer_answer(&app, "bad").await;
    assert_eq!(policy_effect(&answer), "Deny");
    let conn = WsConn::authorized(&app, "conn-A=", &customer).await;
    let resp = chatdesk::lambda::websocket(&app, &fanout, ws_event("$connect", &conn, None))
        .await
        .unwrap();
    assert_eq!(resp.status_code, 200);

    let send = json!({"action":"send","chat_id":chat,"client_msg_id":"m1","body":"Still there?"});
    let resp = chatdesk::lambda::websocket(&app, &fanout, ws_event("send", &conn, Some(send)))
        .await
        .unwrap();
    assert_eq!(resp.status_code, 200);
    let frames = posted.0.lock().unwrap().clone();
    assert!(
        frames
            .iter()
            .any(|(c, f)| c == "conn-A=" && f["type"] == "event" && f["event"]["seq"] == 3),
        "{frames:?}"
    );
    assert!(frames.iter().any(|(c, f)| c == "conn-A="
        && f["type"] == "event"
        && f["event"]["body"] == "Still there?"));

    // Errors come back as error frames; the invocation itself succeeds.
    let resp = chatdesk::lambda::websocket(
        &app,
        &fanout,
        ws_event("$default", &conn, Some(json!({"action":"dance"}))),
    )
    .await
    .unwrap();
    assert_eq!(resp.status_code, 200);
    assert!(posted
        .0
        .lock()
        .unwrap()
        .iter()
        .any(|(_, f)| f["error"] == "unknown_action"));

    let resp = chatdesk::lambda::websocket(&app, &fanout, ws_event("$disconnect", &conn, None))
        .await
        .unwrap();
    assert_eq!(resp.status_code, 200);
    let id = ConnectionId::parse("conn-A=").unwrap();
    assert!(server
        .stores
        .connections
        .get_connection(&id)
        .await
        .unwrap()
        .is_none());

    // A `$connect` without the authorizer's context (a WebSocket API deployed without the
    // authorizer) is refused as a bad token was before.
    let resp = chatdesk::lambda::websocket(
        &app,
        &fanout,
        ws_event("$connect", &WsConn::without_authorizer("conn-B="), None),
    )
    .await
    .unwrap();
    assert_eq!(resp.status_code, 401);
}

/// The errors posted to `connection` since `from`.
fn errors_to(posted: &RecordingPoster, connection: &str, from: usize) -> Vec<Value> {
    posted.0.lock().unwrap()[from..]
        .iter()
        .filter(|(c, f)| c == connection && f["type"] == "error")
        .map(|(_, f)| f.clone())
        .collect()
}

/// A message takes its sender from the authorizer's context alone (no per-frame read or write of
/// the connection: it is paced in its own commit); every other frame is still counted against a
/// registered connection. Without a valid context nothing is done.
#[tokio::test]
async fn a_send_needs_only_the_authorizer_context_other_frames_a_registered_connection() {
    let server = spawn_server().await;
    let (fanout, posted) = fanout_recording(&server);
    let mut app = server.app.clone();
    let fanout = Arc::new(fanout);
    app.notifier = fanout.clone();
    let api = Api::new(&server.base_url);
    let (chat, customer) = api.start_chat("support", "Ann", "Hi").await;
    let stored = |token: String| {
        let api = Api::new(&server.base_url);
        let chat = chat.clone();
        async move {
            let (status, events) = api
                .get(&format!("/api/chats/{chat}/events?after=0"), &token)
                .await;
            assert_eq!(status, 200, "{events}");
            events
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|e| e["client_msg_id"].as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        }
    };

    // Authorized, but `$connect` never registered it.
    let conn = WsConn::authorized(&app, "unregistered=", &customer).await;
    let send = json!({"action":"send","chat_id":chat,"client_msg_id":"m1","body":"Hello?"});
    let resp = chatdesk::lambda::websocket(&app, &fanout, ws_event("send", &conn, Some(send)))
        .await
        .unwrap();
    assert_eq!(resp.status_code, 200);
    assert!(errors_to(&posted, "unregistered=", 0).is_empty());
    assert!(
        posted
            .0
            .lock()
            .unwrap()
            .iter()
            .any(|(c, f)| c == "unregistered=" && f["type"] == "ack" && f["client_msg_id"] == "m1"),
        "a sender that does not follow the chat gets an ack"
    );
    assert!(stored(customer.clone()).await.contains(&"m1".to_owned()));

    for frame in [
        json!({"action":"typing","chat_id":chat,"typing":true}),
        json!({"action":"resume","chat_id":chat,"after_seq":0}),
        json!({"action":"ping"}),
    ] {
        let before = posted.0.lock().unwrap().len();
        let route = frame["action"].as_str().unwrap().to_owned();
        chatdesk::lambda::websocket(&app, &fanout, ws_event(&route, &conn, Some(frame)))
            .await
            .unwrap();
        let errors = errors_to(&posted, "unregistered=", before);
        assert_eq!(errors.len(), 1, "{route}: {errors:?}");
        assert_eq!(errors[0]["error"], "unauthorized", "{route}");
        assert_eq!(
            errors[0]["message"], "this connection is not registered; reconnect",
            "{route}"
        );
    }

    // Once registered, the other frames pass too.
    let resp = chatdesk::lambda::websocket(&app, &fanout, ws_event("$connect", &conn, None))
        .await
        .unwrap();
    assert_eq!(resp.status_code, 200);
    let before = posted.0.lock().unwrap().len();
    chatdesk::lambda::websocket(
        &app,
        &fanout,
        ws_event("ping", &conn, Some(json!({"action":"ping"}))),
    )
    .await
    .unwrap();
    assert!(posted.0.lock().unwrap()[before..]
        .iter()
        .any(|(c, f)| c == "unregistered=" && f["type"] == "pong"));

    // No context, or one that does not hold a valid principal: refused like an unregistered
    // connection, and nothing is stored.
    let mut forged = conn.clone();
    forged.id = "forged=".into();
    forged
        .authorizer
        .insert("chatId".into(), json!("not an id!"));
    let mut unknown_kind = conn.clone();
    unknown_kind.id = "forged=".into();
    unknown_kind
        .authorizer
        .insert("kind".into(), json!("operator"));
    for (what, bad) in [
        ("no context", WsConn::without_authorizer("forged=")),
        ("malformed chat id", forged),
        ("unknown kind", unknown_kind),
    ] {
        let before = posted.0.lock().unwrap().len();
        let send = json!({"action":"send","chat_id":chat,"client_msg_id":"m-forged","body":"x"});
        chatdesk::lambda::websocket(&app, &fanout, ws_event("send", &bad, Some(send)))
            .await
            .unwrap();
        let errors = errors_to(&posted, "forged=", before);
        assert_eq!(errors.len(), 1, "{what}: {errors:?}");
        assert_eq!(errors[0]["error"], "unauthorized", "{what}");
        assert_eq!(
            errors[0]["message"], "this connection is not registered; reconnect",
            "{what}"
        );
    }
    assert!(!stored(customer.clone())
        .await
        .contains(&"m-forged".to_owned()));
}

/// In the cloud the per-address sign-in limit counts API Gateway's `sourceIp`: 30 failures from
/// one address, then 429 with Retry-After, while another address still signs in.
#[tokio::test]
async fn sign_in_counts_failures_per_source_ip() {
    let server = spawn_server().await;
    let mut app = server.app.clone();
    // A clock at the start of a 15-minute window that stands still: no window boundary falls
    // inside the test.
    let now = SystemClock.now().millis();
    app.clock = Arc::new(ManualClock::new(Timestamp(now - now % 900_000)));
    for i in 0..30 {
        let resp = chatdesk::lambda::http(
            &app,
            "auth-login",
            sign_in_event(&format!("user{i}"), "guess", "203.0.113.7"),
        )
        .await;
        assert_eq!(resp.status().as_u16(), 401, "{}", body_json(&resp));
    }
    let resp = chatdesk::lambda::http(
        &app,
        "auth-login",
        sign_in_event("alice", chatdesk::demo::DEMO_PASSWORD, "203.0.113.7"),
    )
    .await;
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(body_json(&resp)["error"], "rate_limited");
    assert_eq!(resp.headers()["retry-after"], "900");
    let resp = chatdesk::lambda::http(
        &app,
        "auth-login",
        sign_in_event("alice", chatdesk::demo::DEMO_PASSWORD, "198.51.100.20"),
    )
    .await;
    assert_eq!(resp.status().as_u16(), 200, "{}", body_json(&resp));
}

/// A chat start as API Gateway delivers it, from the client address `source_ip`.
fn chat_start_event(name: &str, source_ip: &str) -> lambda_http::Request {
    let mut event: Value =
        serde_json::from_str(include_str!("fixtures/http-api-v2-request.json")).unwrap();
    event["rawPath"] = json!("/api/chats");
    event["rawQueryString"] = json!("");
    event["requestContext"]["http"]["method"] = json!("POST");
    event["requestContext"]["http"]["path"] = json!("/api/chats");
    event["requestContext"]["http"]["sourceIp"] = json!(source_ip);
    event["body"] =
        json!(json!({"group_id": "support", "name": name, "question": "Hello?"}).to_string());
    lambda_http::request::from_str(&event.to_string()).expect("an HTTP API v2 event")
}

/// The probe started 1,000 chats in 14 s without signing in. In the cloud nothing sits in front
/// of the HTTP API to stop that, so the chat-start function counts starts per address in the
/// store, which every instance shares.
async fn chat_starts_are_limited_per_source_ip(server: TestServer) {
    let mut app = server.app.clone();
    let now = SystemClock.now().millis();
    // A clock standing at the start of a 10-minute window: no boundary falls inside the test.
    app.clock = Arc::new(ManualClock::new(Timestamp(now - now % 600_000)));
    app.settings.chat_starts_per_address = Some(chatdesk::ports::ThrottleLimit {
        max: 3,
        ..chatdesk::app::CHAT_STARTS_PER_ADDRESS
    });
    let api = Api::new(&server.base_url);
    let manager = api.login("manager").await;
    let queued = |list: &Value| list["rows"].as_array().map_or(0, Vec::len);
    let (_, before) = api.get("/api/chats?view=queue", &manager).await;
    for i in 0..3 {
        let resp = chatdesk::lambda::http(
            &app,
            "chat-start",
            chat_start_event(&format!("Visitor {i}"), "203.0.113.9"),
        )
        .await;
        assert_eq!(resp.status().as_u16(), 201, "{}", body_json(&resp));
    }
    let resp = chatdesk::lambda::http(
        &app,
        "chat-start",
        chat_start_event("Visitor 3", "203.0.113.9"),
    )
    .await;
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(body_json(&resp)["error"], "rate_limited");
    assert_eq!(resp.headers()["retry-after"], "600");
    let (_, after) = api.get("/api/chats?view=queue", &manager).await;
    assert_eq!(
        queued(&after),
        queued(&before) + 3,
        "the refused start created nothing: {after}"
    );
    let resp = chatdesk::lambda::http(
        &app,
        "chat-start",
        chat_start_event("Someone else", "198.51.100.20"),
    )
    .await;
    assert_eq!(
        resp.status().as_u16(),
        201,
        "another address is not affected: {}",
        body_json(&resp)
    );
}

mod sqlite {
    #[tokio::test]
    async fn chat_starts_are_limited_per_source_ip() {
        super::chat_starts_are_limited_per_source_ip(super::spawn_server().await).await
    }
}

mod dynamodb {
    #[tokio::test]
    async fn chat_starts_are_limited_per_source_ip() {
        let (stores, _) = chatdesk_tests::dynamo_endpoint::fresh_stores().await;
        super::chat_starts_are_limited_per_source_ip(
            chatdesk_tests::server::spawn_server_with(stores, super::without_hand_off_sweep).await,
        )
        .await
    }
}
