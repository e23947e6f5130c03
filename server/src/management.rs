//! The `@connections/{id}` management API, as API Gateway serves it to the Lambda functions:
//! POST pushes a frame into a socket, GET tells when and from which address it connected, DELETE
//! closes it. It has no authentication (API Gateway's needs AWS request signing), so it is served
//! only on the internal loopback listener, never beside the public routes.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use bytes::Bytes;

use chatdesk::ports::ConnectionId;

use crate::gateway::{Outbound, Registry};

/// Largest body `POST @connections/{id}` accepts (API Gateway's limit is 128 KB).
const MAX_POST_BYTES: usize = 128 * 1024;

pub fn routes(registry: Registry) -> Router {
    Router::new()
        .route("/@connections/{id}", any(management))
        .with_state(registry)
}

/// For the public listener: `@connections` is answered as a route that does not exist, for
/// every method, instead of falling through to the static files (which answer 405 to a POST).
pub fn absent_on_public_listener() -> Router {
    Router::new()
        .route("/@connections", any(absent))
        .route("/@connections/{*rest}", any(absent))
}

async fn absent() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(serde_json::json!({
            "error": chatdesk::errors::ErrorCode::NoRoute,
            "message": "there is no such route on this listener",
        })),
    )
        .into_response()
}

/// As API Gateway answers for a connection that no longer exists; the error-type header is what
/// the AWS SDK turns into `GoneException`.
fn gone() -> Response {
    (
        StatusCode::GONE,
        [("x-amzn-errortype", "GoneException")],
        Json(serde_json::json!({"message": "Gone"})),
    )
        .into_response()
}

fn iso(t: std::time::SystemTime) -> String {
    time::OffsetDateTime::from(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `@connections/{id}`: POST pushes the body, GET describes, DELETE closes; 410 for an unknown id.
async fn management(
    State(registry): State<Registry>,
    Path(id): Path<String>,
    method: axum::http::Method,
    body: Bytes,
) -> Response {
    let connection = match ConnectionId::parse(&id) {
        Ok(c) => c,
        Err(_) => return gone(),
    };
    match method.as_str() {
        "POST" => {
            if body.len() > MAX_POST_BYTES {
                return (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    Json(serde_json::json!({"message": "Payload too large"})),
                )
                    .into_response();
            }
            if registry.send(&connection, Outbound::Frame(body)) {
                StatusCode::OK.into_response()
            } else {
                gone()
            }
        }
        "GET" => match registry.describe(&connection) {
            Some((connected_at, ip)) => Json(serde_json::json!({
                "ConnectedAt": iso(connected_at),
                "Identity": {"SourceIp": ip},
            }))
            .into_response(),
            None => gone(),
        },
        "DELETE" => {
            if registry.send(&connection, Outbound::Close) {
                StatusCode::NO_CONTENT.into_response()
            } else {
                gone()
            }
        }
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}
