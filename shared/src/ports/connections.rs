//! Open WebSocket connections and who listens to what. Fan-out reads only the subscribers of the
//! chat or group that changed, never every connection.

use async_trait::async_trait;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::error::StoreError;
use crate::domain::{
    list_follows_messages_of, AgentId, Chat, ChatId, DomainError, GroupId, ListWatch, Timestamp,
};

/// An API Gateway connection id (base64-like, e.g. `L0SM9cOFvHcCIhw=`). Shared, not copied: a
/// message's fan-out hands its recipients' ids from the subscriptions to the coalescer and the
/// sockets, and a copy of each was an allocation per recipient.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct ConnectionId(std::sync::Arc<str>);

// Written as the string it holds, in place (`into = "String"` copied it first).
impl Serialize for ConnectionId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl ConnectionId {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let ok = !s.is_empty()
            && s.len() <= 128
            && s.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_')
            });
        if ok {
            Ok(ConnectionId(s.into()))
        } else {
            Err(DomainError::invalid(
                "connection_id",
                "is not a connection id",
            ))
        }
    }

    pub fn generate() -> Self {
        ConnectionId(ulid::Ulid::new().to_string().into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ConnectionId {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ConnectionId> for String {
    fn from(c: ConnectionId) -> String {
        c.0.to_string()
    }
}

impl std::fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who is on the other end of a connection, fixed at `$connect`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConnectionOwner {
    Agent {
        agent_id: AgentId,
        /// The groups whose list changes the connection receives: the agent's groups at
        /// `$connect`. A change of the agent's groups or role closes the connection (the console
        /// reconnects with the new ones), so this never outlives the access it was granted for.
        groups: Vec<GroupId>,
        /// The session epoch of the credential the connection was opened with; every frame is
        /// checked against the agent's current one.
        #[serde(default)]
        session: Option<u64>,
    },
    Customer {
        chat_id: ChatId,
    },
}

impl ConnectionOwner {
    /// The principal this connection acts for: the unit its connection limit and its
    /// revocation apply to (an agent, or a customer's one chat).
    pub fn principal_key(&self) -> PrincipalKey {
        match self {
            ConnectionOwner::Agent { agent_id, .. } => PrincipalKey::agent(agent_id),
            ConnectionOwner::Customer { chat_id } => PrincipalKey::customer(chat_id),
        }
    }
}

/// Names the principal behind connections in the stores: `agent:{id}` or `chat:{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PrincipalKey(String);

impl PrincipalKey {
    pub fn agent(id: &AgentId) -> Self {
        PrincipalKey(format!("agent:{id}"))
    }

    pub fn customer(chat: &ChatId) -> Self {
        PrincipalKey(format!("chat:{chat}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PrincipalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub id: ConnectionId,
    pub owner: ConnectionOwner,
    pub connected_at: Timestamp,
    /// After this the records are garbage (API Gateway closes connections after two hours);
    /// the DynamoDB adapter lets TTL remove them if `$disconnect` never ran.
    pub expires_at: Timestamp,
}

/// Who receives a chat's events through a connection: customers only get what is meant for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Customer,
    Agent,
}

/// An agent connection subscribed to a group: it hears of the group's queue changes, and of
/// every change of the chats its list on screen holds (`list`, none when no list is shown).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupSubscriber {
    pub connection: ConnectionId,
    pub list: Option<ListWatch>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscriber {
    pub connection: ConnectionId,
    pub audience: Audience,
}

/// A per-connection rate limit: at most `limit` frames in each window of `window_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: u32,
    pub window_ms: i64,
}

impl Default for RateLimit {
    /// Enough for fast typing with typing indicators (clients send those at most every few
    /// seconds), far too few for a flood.
    fn default() -> Self {
        RateLimit {
            limit: 30,
            window_ms: 10_000,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Admission {
    /// The connection is known and under its limit: here it is.
    Admitted(Connection),
    /// Over the limit in the current window: drop the frame.
    Limited,
    /// No such connection.
    Unknown,
}

#[async_trait]
pub trait ConnectionStore: Send + Sync {
    /// Records a connection; an agent's connection is subscribed to each of its groups, a
    /// customer's to its chat. Refused with `LimitReached` when its principal already has
    /// `max_per_principal` open connections (connections past their `expires_at` do not count);
    /// the check and the write are one atomic step, so concurrent connects cannot pass the limit.
    async fn put_connection(
        &self,
        connection: &Connection,
        max_per_principal: u32,
    ) -> Result<(), StoreError>;
    /// The open connections of a principal (to revoke them).
    async fn principal_connections(
        &self,
        principal: &PrincipalKey,
        now: Timestamp,
    ) -> Result<Vec<ConnectionId>, StoreError>;
    async fn get_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError>;
    /// Counts one incoming frame against the connection's rate limit and returns the connection
    /// (one call per frame: the count and the lookup together).
    async fn admit_frame(
        &self,
        id: &ConnectionId,
        now: Timestamp,
        limit: RateLimit,
    ) -> Result<Admission, StoreError>;
    /// Forgets a connection and every subscription it had. Removing an unknown one is not an error.
    async fn remove_connection(&self, id: &ConnectionId) -> Result<(), StoreError>;
    /// An agent connection watches a chat (its chat view is open).
    async fn watch_chat(&self, chat: &ChatId, connection: &ConnectionId) -> Result<(), StoreError>;
    async fn unwatch_chat(
        &self,
        chat: &ChatId,
        connection: &ConnectionId,
    ) -> Result<(), StoreError>;
    async fn chat_subscribers(&self, chat: &ChatId) -> Result<Vec<Subscriber>, StoreError>;
    async fn group_subscribers(&self, group: &GroupId) -> Result<Vec<GroupSubscriber>, StoreError>;
    /// The connections subscribed to the chat's group whose list follows its messages
    /// (`ListWatch::follows_messages_of`): who gets the chat's row when a message changes it.
    /// An adapter that holds its subscribers in memory answers without copying the others'
    /// lists (this runs for every message).
    async fn list_watchers(&self, chat: &Chat) -> Result<Vec<ConnectionId>, StoreError> {
        Ok(self
            .group_subscribers(&chat.group_id)
            .await?
            .into_iter()
            .filter(|s| list_follows_messages_of(s.list.as_ref(), chat))
            .map(|s| s.connection)
            .collect())
    }
    /// The list an agent connection shows from now on (`None`: no list), on every one of its
    /// group subscriptions. A connection that is gone changes nothing.
    async fn watch_list(
        &self,
        connection: &ConnectionId,
        list: Option<&ListWatch>,
    ) -> Result<(), StoreError>;
}

#[derive(Debug, Error)]
pub enum PostError {
    /// The connection no longer exists (API Gateway's 410 Gone).
    #[error("the connection is gone")]
    Gone,
    #[error("posting to the connection failed")]
    Failed(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Pushes a frame to one connection: API Gateway's PostToConnection, or the local gateway.
#[async_trait]
pub trait ConnectionPoster: Send + Sync {
    async fn post(&self, connection: &ConnectionId, frame: Bytes) -> Result<(), PostError>;
    /// Closes the connection from the server's side (API Gateway's DeleteConnection); its
    /// `$disconnect` follows as for any close.
    async fn close(&self, connection: &ConnectionId) -> Result<(), PostError>;
}
