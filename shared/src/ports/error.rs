use thiserror::Error;

/// What a store can report. The first variants are outcomes the application handles; `Backend`
/// and `Corrupt` are failures that become a 5xx (logged in full, never shown to a client).
#[derive(Debug, Error)]
pub enum StoreError {
    /// The chat's sequence number moved since it was read: someone else changed it first.
    #[error("the chat was changed concurrently")]
    Stale,
    #[error("agent {agent} is at the limit of {limit} active chats")]
    AtCapacity { agent: String, limit: u32 },
    #[error("{0} already exists")]
    AlreadyExists(String),
    #[error("{0} was not found")]
    NotFound(String),
    /// A per-principal limit (open connections, ...) is reached: refused, nothing written.
    #[error("at most {limit} {what}")]
    LimitReached { what: &'static str, limit: u32 },
    #[error("stored data is malformed: {0}")]
    Corrupt(String),
    #[error("the store failed")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Backend(Box::new(e))
    }
}
