//! The one place errors become HTTP responses.

use bytes::Bytes;
use http::{header, StatusCode};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::routes::RouteError;
use super::Response;
use crate::app::AppError;
use crate::domain::DomainError;

/// Every error response: `{"error": code, "message": text}`.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable code (e.g. `invalid_input`, `forbidden`, `queue_empty`).
    pub error: String,
    /// What went wrong, in words a person can act on.
    pub message: String,
}

#[derive(Debug, Error)]
pub enum ApiError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("the request body is not valid JSON for this route: {0}")]
    InvalidJson(String),
    #[error("invalid query string: {0}")]
    InvalidQuery(String),
    #[error("the request body is over the limit of {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("send the body as application/json")]
    UnsupportedMediaType,
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        ApiError::App(AppError::Domain(e))
    }
}

/// The HTTP status and code of an application error: the one mapping, used by the REST routes and
/// by the WebSocket `$connect` answer.
pub fn app_status_and_code(e: &AppError) -> (StatusCode, &'static str) {
    status_and_code_of_app(e)
}

fn status_and_code(e: &ApiError) -> (StatusCode, &'static str) {
    match e {
        ApiError::App(app) => status_and_code_of_app(app),
        ApiError::InvalidJson(_) => (StatusCode::BAD_REQUEST, "invalid_json"),
        ApiError::InvalidQuery(_) => (StatusCode::BAD_REQUEST, "invalid_query"),
        ApiError::BodyTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        ApiError::UnsupportedMediaType => {
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
        }
    }
}

fn status_and_code_of_app(app: &AppError) -> (StatusCode, &'static str) {
    {
        {
            let status = match app {
                AppError::Domain(DomainError::InvalidInput { .. }) => StatusCode::BAD_REQUEST,
                AppError::Domain(DomainError::Forbidden(_)) | AppError::Forbidden(_) => {
                    StatusCode::FORBIDDEN
                }
                AppError::Domain(DomainError::NotFound(_)) | AppError::NotFound(_) => {
                    StatusCode::NOT_FOUND
                }
                AppError::Domain(DomainError::InvalidState(_))
                | AppError::Domain(DomainError::AtCapacity { .. })
                | AppError::Conflict(_)
                | AppError::QueueEmpty => StatusCode::CONFLICT,
                AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
                AppError::RateLimited { .. } | AppError::Domain(DomainError::TooFast { .. }) => {
                    StatusCode::TOO_MANY_REQUESTS
                }
                AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            };
            (status, app.code())
        }
    }
}

/// The error and everything under it, for the log.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

pub fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = http::Response::new(Bytes::from(bytes));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    resp
}

pub fn response_for(e: &ApiError) -> Response {
    let (status, code) = status_and_code(e);
    let message = match e {
        ApiError::App(app) => app.public_message(),
        other => other.to_string(),
    };
    if status.is_server_error() {
        tracing::error!(error = %error_chain(e), "request failed");
    } else {
        tracing::debug!(error = %e, status = status.as_u16(), "request refused");
    }
    let mut resp = json_response(
        status,
        &ErrorBody {
            error: code.into(),
            message,
        },
    );
    let retry_after_secs = match e {
        ApiError::App(AppError::RateLimited {
            retry_after_secs, ..
        }) => Some(*retry_after_secs),
        ApiError::App(AppError::Domain(DomainError::TooFast { retry_after_ms })) => Some(
            (retry_after_ms.max(&0).unsigned_abs())
                .div_ceil(1000)
                .max(1),
        ),
        _ => None,
    };
    if let Some(secs) = retry_after_secs {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
    }
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    resp
}

pub fn response_for_routing(e: RouteError) -> Response {
    match e {
        RouteError::NotFound => json_response(
            StatusCode::NOT_FOUND,
            &ErrorBody {
                error: "no_route".into(),
                message: "there is no such API route".into(),
            },
        ),
        RouteError::MethodNotAllowed(allowed) => {
            let mut resp = json_response(
                StatusCode::METHOD_NOT_ALLOWED,
                &ErrorBody {
                    error: "method_not_allowed".into(),
                    message: format!("this route accepts {}", allowed.join(", ")),
                },
            );
            if let Ok(v) = header::HeaderValue::from_str(&allowed.join(", ")) {
                resp.headers_mut().insert(header::ALLOW, v);
            }
            resp
        }
    }
}
