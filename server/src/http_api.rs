//! `/api/*` on the local server: the request is read into plain `http` types and handed to the
//! same dispatcher the Lambda functions use.

use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use bytes::Bytes;

use chatdesk::api::{self, error::ApiError};
use chatdesk::app::App;

pub fn routes(app: App) -> Router {
    Router::new()
        .route("/api", any(serve))
        .route("/api/{*rest}", any(serve))
        .with_state(app)
}

async fn serve(State(app): State<App>, req: axum::extract::Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, api::MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return into_axum(api::error::response_for(&ApiError::BodyTooLarge {
                limit: api::MAX_BODY_BYTES,
            }))
        }
    };
    let req = http::Request::from_parts(parts, bytes);
    into_axum(api::dispatch(&app, req, None).await)
}

fn into_axum(resp: http::Response<Bytes>) -> Response {
    let (parts, body) = resp.into_parts();
    http::Response::from_parts(parts, Body::from(body)).into_response()
}
