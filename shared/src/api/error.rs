//! The one place errors become HTTP responses.

use bytes::Bytes;
use http::{header, StatusCode};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::routes::RouteError;
use super::Response;
use crate::app::AppError;
use crate::domain::DomainError;
use crate::errors::{error_chain, ErrorCode};

/// Every error response: `{"error": code, "message": text}`.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable code: one of the catalogue (`docs/errors.md`).
    pub error: ErrorCode,
    /// What went wrong, in words a person can act on.
    pub message: String,
}

#[derive(Debug, Error)]
pub enum ApiError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("the request body is not valid JSON: {0}")]
    InvalidJson(String),
    /// Valid JSON that does not fit the route's body: a field missing, unknown, of the wrong
    /// type or refused by its parser (an id, a time). Named like every other refused input.
    #[error("{0}")]
    InvalidBody(String),
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

/// The code of any API error: the one mapping (its status comes from the catalogue).
pub fn code_of(e: &ApiError) -> ErrorCode {
    match e {
        ApiError::App(app) => app.code(),
        ApiError::InvalidJson(_) => ErrorCode::InvalidJson,
        ApiError::InvalidBody(_) => ErrorCode::InvalidInput,
        ApiError::InvalidQuery(_) => ErrorCode::InvalidQuery,
        ApiError::BodyTooLarge { .. } => ErrorCode::TooLarge,
        ApiError::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
    }
}

/// The HTTP status of a code, as `http` wants it.
pub fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
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
    let code = code_of(e);
    let status = status_of(code);
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
            error: code,
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
            status_of(ErrorCode::NoRoute),
            &ErrorBody {
                error: ErrorCode::NoRoute,
                message: "there is no such API route".into(),
            },
        ),
        RouteError::MethodNotAllowed(allowed) => {
            let mut resp = json_response(
                status_of(ErrorCode::MethodNotAllowed),
                &ErrorBody {
                    error: ErrorCode::MethodNotAllowed,
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
