use thiserror::Error;

use crate::auth::AuthError;
use crate::domain::DomainError;
use crate::errors::ErrorCode;
use crate::ports::StoreError;

/// The application layer's one error type. The API layer maps it to HTTP in one place
/// (`api::error`); `Internal` is logged with its whole chain and never shown to a client.
#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// Lost a race that retrying did not win, or a state that forbids the action.
    #[error("{0}")]
    Conflict(String),
    #[error("no chat is waiting in the queues of your groups")]
    QueueEmpty,
    /// The group offers only a message now: a chat cannot start. The message is for customers.
    #[error("{0}")]
    GroupClosed(String),
    /// Too many attempts: refused before doing any of the work.
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    /// This deployment sends no e-mail (no sender address is configured).
    #[error("e-mail is not configured on this server: nothing was queued")]
    MailNotConfigured,
    #[error("internal error")]
    Internal(#[source] StoreError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => AppError::NotFound(format!("{what} was not found")),
            StoreError::AtCapacity { agent, limit } => {
                AppError::Domain(DomainError::AtCapacity { agent, limit })
            }
            StoreError::AlreadyExists(what) => AppError::Conflict(format!("{what} already exists")),
            StoreError::LimitReached { what, limit } => AppError::RateLimited {
                message: format!("at most {limit} {what}; close one and try again"),
                retry_after_secs: 5,
            },
            StoreError::Stale => {
                AppError::Conflict("the chat was changed by someone else; try again".into())
            }
            other => AppError::Internal(other),
        }
    }
}

impl From<AuthError> for AppError {
    fn from(e: AuthError) -> Self {
        AppError::Unauthorized(e.to_string())
    }
}

impl AppError {
    /// A stable, machine-readable code for clients (`{"error": code}`); also used per chat in
    /// the results of bulk actions.
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Domain(DomainError::InvalidInput { .. }) => ErrorCode::InvalidInput,
            AppError::Domain(DomainError::Forbidden(_)) | AppError::Forbidden(_) => {
                ErrorCode::Forbidden
            }
            AppError::Domain(DomainError::NotFound(_)) | AppError::NotFound(_) => {
                ErrorCode::NotFound
            }
            AppError::Domain(DomainError::InvalidState(_)) => ErrorCode::InvalidState,
            AppError::Domain(DomainError::AtCapacity { .. }) => ErrorCode::AtCapacity,
            AppError::Domain(DomainError::TooFast { .. }) | AppError::RateLimited { .. } => {
                ErrorCode::RateLimited
            }
            AppError::Unauthorized(_) => ErrorCode::Unauthorized,
            AppError::Conflict(_) => ErrorCode::Conflict,
            AppError::QueueEmpty => ErrorCode::QueueEmpty,
            AppError::GroupClosed(_) => ErrorCode::GroupClosed,
            AppError::MailNotConfigured => ErrorCode::MailNotConfigured,
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// `what` was refused for being too frequent; the message says when to try again.
    pub fn rate_limited(what: &str, retry_after_ms: i64) -> Self {
        let secs = (retry_after_ms.max(0) as u64).div_ceil(1000).max(1);
        let wait = if secs < 120 {
            format!("{secs} seconds")
        } else {
            format!("{} minutes", secs.div_ceil(60))
        };
        AppError::RateLimited {
            message: format!("{what}; try again in {wait}"),
            retry_after_secs: secs,
        }
    }

    /// The message a client may see: never the internals of a failure.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => "something went wrong on our side; it has been logged".into(),
            other => other.to_string(),
        }
    }
}
