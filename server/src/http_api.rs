//! `/api/*` on the local server: the request is read into plain `http` types and handed to the
//! same dispatcher the Lambda functions use.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use bytes::Bytes;

use chatdesk::api::routes::match_route;
use chatdesk::api::{self, error::ApiError, ClientAddr};
use chatdesk::app::App;

use crate::chat_start_limit::{ChatStartLimit, ChatStartLimiter};

#[derive(Clone)]
struct ApiState {
    app: App,
    chat_starts: Arc<ChatStartLimiter>,
}

/// `allowed_origins`: other origins whose pages may call the API (CORS); none by default, since
/// the console and chat page are served from this origin. `chat_starts`: chats one client
/// address may start.
pub fn routes(app: App, allowed_origins: &[String], chat_starts: ChatStartLimit) -> Router {
    let state = ApiState {
        app,
        chat_starts: Arc::new(ChatStartLimiter::new(chat_starts)),
    };
    let router = Router::new()
        .route("/api", any(serve))
        .route("/api/{*rest}", any(serve))
        .with_state(state);
    let origins: Vec<http::HeaderValue> = allowed_origins
        .iter()
        .filter_map(|o| http::HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return router;
    }
    router.layer(
        tower_http::cors::CorsLayer::new()
            .allow_origin(tower_http::cors::AllowOrigin::list(origins))
            .allow_methods([
                http::Method::GET,
                http::Method::POST,
                http::Method::PUT,
                http::Method::PATCH,
            ])
            .allow_headers([http::header::AUTHORIZATION, http::header::CONTENT_TYPE])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

async fn serve(State(state): State<ApiState>, req: axum::extract::Request) -> Response {
    let client = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    // Counted before the body is even read: a refused start costs next to nothing.
    if is_chat_start(&req) {
        if let Err(refused) = state.chat_starts.admit(client, state.app.clock.now()) {
            return into_axum(api::error::response_for(&ApiError::App(refused)));
        }
    }
    let (mut parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, api::MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return into_axum(api::error::response_for(&ApiError::BodyTooLarge {
                limit: api::MAX_BODY_BYTES,
            }))
        }
    };
    if let Some(addr) = client {
        parts.extensions.insert(ClientAddr(addr));
    }
    let req = http::Request::from_parts(parts, bytes);
    into_axum(api::dispatch(&state.app, req, None).await)
}

fn is_chat_start(req: &axum::extract::Request) -> bool {
    matches!(
        match_route(api::ROUTES, req.method(), req.uri().path()),
        Ok((route, _)) if std::ptr::eq(route, &chatdesk::handlers::chats::START_CHAT)
    )
}

fn into_axum(resp: http::Response<Bytes>) -> Response {
    let (parts, body) = resp.into_parts();
    http::Response::from_parts(parts, Body::from(body)).into_response()
}
