use thiserror::Error;

/// Why a rule refused an action. Each variant is something a user can understand and act on;
/// the API layer maps them to status codes in one place.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DomainError {
    #[error("{field}: {reason}")]
    InvalidInput { field: &'static str, reason: String },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The action does not fit the chat's current state (e.g. ending a chat twice).
    #[error("{0}")]
    InvalidState(String),
    /// The agent already has as many active chats as they may.
    #[error("agent {agent} is at the limit of {limit} concurrent chats")]
    AtCapacity { agent: String, limit: u32 },
    /// Messages come faster than a person writes: try again after a pause.
    #[error("messages are coming too fast; wait {} s and send again", (retry_after_ms + 999) / 1000)]
    TooFast { retry_after_ms: i64 },
}

impl DomainError {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        DomainError::InvalidInput {
            field,
            reason: reason.into(),
        }
    }
}
