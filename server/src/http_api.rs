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

/// `allowed_origins`: other origins whose pages may call the API (CORS); none by default, since
/// the console and chat page are served from this origin.
pub fn routes(app: App, allowed_origins: &[String]) -> Router {
    let router = Router::new()
        .route("/api", any(serve))
        .route("/api/{*rest}", any(serve))
        .with_state(app);
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
