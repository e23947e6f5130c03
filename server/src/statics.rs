//! The console and the customer chat page, as static files with a strict
//! Content-Security-Policy (no inline script, no third-party origins).

use std::path::Path;

use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use http::header::{self, HeaderValue};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; frame-ancestors *; base-uri 'none'; form-action 'self'; object-src 'none'";

pub fn routes(web_dir: &Path) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/console/") }))
        .fallback_service(ServeDir::new(web_dir).append_index_html_on_directories(true))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
}
