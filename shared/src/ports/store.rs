use async_trait::async_trait;

use super::error::StoreError;
use crate::domain::rules::LoadChange;
use crate::domain::{
    Agent, AgentId, Chat, ChatEvent, ChatId, ClientMessageId, Group, GroupId, ListPreferences,
};

/// Agents and groups.
#[async_trait]
pub trait DirectoryStore: Send + Sync {
    async fn put_group(&self, group: &Group) -> Result<(), StoreError>;
    async fn list_groups(&self) -> Result<Vec<Group>, StoreError>;
    /// Creates or updates an agent's profile. The username must be unique
    /// (`AlreadyExists` otherwise); the active-chat count is kept.
    async fn put_agent(&self, agent: &Agent) -> Result<(), StoreError>;
    async fn get_agent(&self, id: &AgentId) -> Result<Option<Agent>, StoreError>;
    async fn list_agents(&self) -> Result<Vec<Agent>, StoreError>;
    async fn set_password_hash(&self, id: &AgentId, hash: &str) -> Result<(), StoreError>;
    /// The agent with this username and their password hash (if one is set).
    async fn find_login(&self, username: &str) -> Result<Option<(Agent, String)>, StoreError>;
    /// How many chats the agent has active, as counted by committed assignments.
    async fn active_chat_count(&self, id: &AgentId) -> Result<u32, StoreError>;
}

/// The lists chats are read in. Each maps to one index query in every adapter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChatFilter {
    /// Queued and active chats of a group.
    GroupLive(GroupId),
    /// Ended chats of a group, most recently ended first.
    GroupEnded(GroupId),
    /// Queued chats of a group, longest waiting first.
    GroupQueue(GroupId),
    /// Deleted chats of a group, most recently deleted first.
    GroupDeleted(GroupId),
    /// An agent's active chats.
    AgentActive(AgentId),
    /// Ended chats an agent had last, most recently ended first.
    AgentEnded(AgentId),
}

/// One change to a chat: the chat as it becomes, the event recording why, and the agents'
/// counters that move with it. Applied all-or-nothing, and only if the chat is still at
/// `expected_seq` (compare-and-set); `event.seq` must be `expected_seq + 1`.
#[derive(Clone, Debug)]
pub struct ChatCommit {
    pub chat: Chat,
    pub expected_seq: u64,
    pub event: ChatEvent,
    pub load: LoadChange,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommitOutcome {
    Committed,
    /// The event is a message whose client id this chat already has: nothing was written and
    /// this is the message stored the first time.
    DuplicateMessage(ChatEvent),
}

#[async_trait]
pub trait ChatStore: Send + Sync {
    /// Stores a new chat with its first events (`AlreadyExists` if the id is taken).
    async fn create_chat(&self, chat: &Chat, events: &[ChatEvent]) -> Result<(), StoreError>;
    async fn get_chat(&self, id: &ChatId) -> Result<Option<Chat>, StoreError>;
    /// Applies a change atomically. `Stale` if the chat moved on, `AtCapacity` if the agent to
    /// acquire is at their limit, `DuplicateMessage` for a repeated client message id.
    async fn commit(&self, commit: &ChatCommit) -> Result<CommitOutcome, StoreError>;
    /// Events with a sequence number above `after_seq`, in order, at most `limit`.
    async fn events_after(
        &self,
        chat: &ChatId,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<ChatEvent>, StoreError>;
    async fn find_message(
        &self,
        chat: &ChatId,
        client_msg_id: &ClientMessageId,
    ) -> Result<Option<ChatEvent>, StoreError>;
    async fn list_chats(&self, filter: &ChatFilter, limit: usize) -> Result<Vec<Chat>, StoreError>;
    /// How many chats wait ahead of this queued one in its group's queue.
    async fn queue_position(&self, chat: &Chat) -> Result<u32, StoreError>;
    /// Removes a deleted chat and its events for good, only if it is still deleted and at
    /// `expected_seq` (compare-and-set, like a commit): `Stale` if it changed or was restored
    /// since it was read, `NotFound` if there is no such chat. Once a purge commits, every
    /// later commit to the chat fails and the chat reads as gone everywhere, even if removing
    /// its items is cut short (a crash): `finish_purge` completes it.
    async fn purge_chat(&self, id: &ChatId, expected_seq: u64) -> Result<(), StoreError>;
    /// Removes what a committed purge of this chat left behind, and returns the chat as it was
    /// purged; `None` when no purge of it is unfinished (stores that purge in one transaction
    /// never leave one).
    async fn finish_purge(&self, id: &ChatId) -> Result<Option<Chat>, StoreError>;
}

#[async_trait]
pub trait PreferenceStore: Send + Sync {
    async fn get_preferences(&self, agent: &AgentId)
        -> Result<Option<ListPreferences>, StoreError>;
    async fn put_preferences(
        &self,
        agent: &AgentId,
        prefs: &ListPreferences,
    ) -> Result<(), StoreError>;
}
