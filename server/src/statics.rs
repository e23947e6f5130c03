//! The console and the customer chat page, as static files with a strict
//! Content-Security-Policy (no inline script; no third-party origin but the identity provider's
//! token endpoint, which the console calls to finish an OpenID Connect sign-in). Only the chat
//! page may be framed (the website widget, `embed.js`, opens it in a frame on any site); the
//! console and everything else may not, so no site can overlay it to trick an agent into clicks.

use std::path::Path;

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{Redirect, Response};
use axum::routing::get;
use axum::Router;
use http::header::{self, HeaderValue};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy, with `connect` the origins the pages may call besides their own, and
/// `frame_ancestors` who may frame them.
fn content_security_policy(connect: &[String], frame_ancestors: &str) -> String {
    let mut connect_src = String::from("'self'");
    for origin in connect {
        connect_src.push(' ');
        connect_src.push_str(origin);
    }
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src {connect_src}; frame-ancestors {frame_ancestors}; base-uri 'none'; \
         form-action 'self'; object-src 'none'"
    )
}

fn policy_header(connect_origins: &[String], frame_ancestors: &str) -> HeaderValue {
    HeaderValue::from_str(&content_security_policy(connect_origins, frame_ancestors))
        .unwrap_or_else(|_| {
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; connect-src 'self'; \
                 frame-ancestors 'none'; object-src 'none'",
            )
        })
}

/// The two policies: the chat page's, which any site may frame, and everyone else's.
#[derive(Clone)]
struct Framing {
    embeddable: HeaderValue,
    not_framed: HeaderValue,
}

/// The chat page (`/chat/...`) is embeddable, as the cloud's `ChatHeadersPolicy` for `/chat/*`
/// (infra/template.yaml); everything else is refused in any frame, by the CSP and, for browsers
/// that predate `frame-ancestors`, `X-Frame-Options`.
async fn frame_policy(State(framing): State<Framing>, req: Request, next: Next) -> Response {
    let embeddable = req.uri().path().starts_with("/chat/");
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    if embeddable {
        headers.insert(header::CONTENT_SECURITY_POLICY, framing.embeddable);
    } else {
        headers.insert(header::CONTENT_SECURITY_POLICY, framing.not_framed);
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    resp
}

/// `scheme://host[:port]` of an absolute http(s) URL: what a CSP source names. `None` for
/// anything else, so nothing odd ever lands in the header.
pub fn origin_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return None;
    }
    Some(parsed.origin().ascii_serialization())
}

/// `connect_origins`: where else the pages may send requests (the OpenID Connect token
/// endpoint, when agents sign in through an issuer).
pub fn routes(web_dir: &Path, connect_origins: &[String]) -> Router {
    let framing = Framing {
        embeddable: policy_header(connect_origins, "*"),
        not_framed: policy_header(connect_origins, "'none'"),
    };
    Router::new()
        .route("/", get(|| async { Redirect::to("/console/") }))
        .fallback_service(ServeDir::new(web_dir).append_index_html_on_directories(true))
        .layer(middleware::from_fn_with_state(framing, frame_policy))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_origin_of_an_http_url_reaches_the_policy() {
        assert_eq!(
            origin_of("https://x.auth.eu-west-1.amazoncognito.com/oauth2/token").as_deref(),
            Some("https://x.auth.eu-west-1.amazoncognito.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:9000/oauth2/token").as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(origin_of("javascript:alert(1)"), None);
        assert_eq!(origin_of("not a url; script-src *"), None);
        let csp = content_security_policy(&["https://idp.example".into()], "'none'");
        assert!(
            csp.contains("connect-src 'self' https://idp.example;"),
            "{csp}"
        );
        assert!(content_security_policy(&[], "'none'").contains("connect-src 'self';"));
    }
}
