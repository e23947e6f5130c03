//! The deployment manifest: which Lambda function serves which route, which one authorizes
//! the WebSocket API's `$connect`, which one consumes the table's stream, and which ones run on a
//! schedule. The template checks in
//! `infra/checks/` compare `infra/template.yaml` with this, so a route without its function (or a
//! function without its binary) is found before anyone deploys.

use serde_json::{json, Value};

pub fn manifest() -> Value {
    let http: Vec<Value> = chatdesk::api::ROUTES
        .iter()
        .map(|r| json!({"method": r.method, "path": r.path, "function": r.function}))
        .collect();
    let ws: Vec<Value> = chatdesk::realtime::WS_ROUTES
        .iter()
        .map(|r| json!({"route_key": r.route_key, "function": r.function}))
        .collect();
    let authorizer = &chatdesk::realtime::WS_AUTHORIZER;
    let stream = &chatdesk::realtime::TABLE_STREAM_CONSUMER;
    let schedules = [chatdesk::app::HAND_OFF_SWEEP, chatdesk::app::MAIL_DELIVERY];
    let mut functions: Vec<&str> = chatdesk::api::ROUTES
        .iter()
        .map(|r| r.function)
        .chain(chatdesk::realtime::WS_ROUTES.iter().map(|r| r.function))
        .chain([authorizer.function, stream.function])
        .chain(schedules.iter().map(|s| s.function))
        .collect();
    functions.sort_unstable();
    functions.dedup();
    json!({
        "http_routes": http,
        "websocket_routes": ws,
        "websocket_authorizer": {
            "route_key": authorizer.route_key,
            "function": authorizer.function,
            "identity_source": authorizer.identity_source,
        },
        "table_stream": stream,
        "schedules": schedules,
        "functions": functions,
        "table": chatdesk::dynamodb::schema::table_spec(),
    })
}

pub fn manifest_json() -> String {
    serde_json::to_string_pretty(&manifest()).unwrap_or_else(|_| "{}".into())
}
