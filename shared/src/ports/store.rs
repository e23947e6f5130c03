use async_trait::async_trait;

use super::error::StoreError;
use super::indexing::{ListBucket, ListPosition};
use crate::domain::rules::LoadChange;
use crate::domain::{
    Agent, AgentId, Awaiting, Chat, ChatEvent, ChatId, ClientMessageId, Group, GroupId,
    ListPreferences, OrganisationSettings, Timestamp,
};

/// What automatic distribution reads of an agent: their active chats and their last assignment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssignmentLoad {
    pub active_chats: u32,
    pub last_assigned_at: Option<Timestamp>,
    /// Since when the agent has had no console open (`None` while one is).
    pub offline_since: Option<Timestamp>,
}

/// Agents and groups.
#[async_trait]
pub trait DirectoryStore: Send + Sync {
    async fn put_group(&self, group: &Group) -> Result<(), StoreError>;
    async fn list_groups(&self) -> Result<Vec<Group>, StoreError>;
    /// Removes a group's record and its round-robin turn; `false` when there was no such group.
    /// Its chats and members are the caller's to move first.
    async fn delete_group(&self, id: &GroupId) -> Result<bool, StoreError>;
    /// The organisation's settings; `None` until an administrator first saves them.
    async fn get_organisation(&self) -> Result<Option<OrganisationSettings>, StoreError>;
    /// Saves the settings (their `revision` one above `read_revision`) only if the stored ones
    /// are still at `read_revision` (0: none stored yet); `Stale` otherwise.
    async fn put_organisation(
        &self,
        settings: &OrganisationSettings,
        read_revision: u64,
    ) -> Result<(), StoreError>;
    /// Creates or updates an agent's profile. The username must be unique
    /// (`AlreadyExists` otherwise). On an update the active-chat count and the stored session
    /// epoch are kept (only `set_session_epoch` moves it, so a profile written from an earlier
    /// read can never bring back a revoked epoch).
    async fn put_agent(&self, agent: &Agent) -> Result<(), StoreError>;
    /// Moves the agent's session epoch on (revokes every credential carrying the old one).
    async fn set_session_epoch(&self, id: &AgentId, epoch: u64) -> Result<(), StoreError>;
    /// Removes an agent: profile, sign-in, counter and preferences. False if there was none.
    async fn delete_agent(&self, id: &AgentId) -> Result<bool, StoreError>;
    async fn get_agent(&self, id: &AgentId) -> Result<Option<Agent>, StoreError>;
    async fn list_agents(&self) -> Result<Vec<Agent>, StoreError>;
    async fn set_password_hash(&self, id: &AgentId, hash: &str) -> Result<(), StoreError>;
    /// The agent with this username and their password hash (if one is set).
    async fn find_login(&self, username: &str) -> Result<Option<(Agent, String)>, StoreError>;
    /// How many chats the agent has active, as counted by committed assignments.
    async fn active_chat_count(&self, id: &AgentId) -> Result<u32, StoreError>;
    /// The agent's active-chat count and when a commit last assigned them a chat, in one read
    /// (automatic distribution's order).
    async fn assignment_load(&self, id: &AgentId) -> Result<AssignmentLoad, StoreError>;
    /// Who had the last turn in a round-robin group (`None` before the first).
    async fn round_robin_turn(&self, group: &GroupId) -> Result<Option<AgentId>, StoreError>;
    /// Gives the turn to `to`, only if the last turn is still `from` (a conditional write): false
    /// when someone else moved it meanwhile, and nothing is written.
    async fn pass_round_robin_turn(
        &self,
        group: &GroupId,
        from: Option<&AgentId>,
        to: &AgentId,
    ) -> Result<bool, StoreError>;
    /// The agent's last console connection went away at `since`. An agent already offline
    /// keeps the earlier instant.
    async fn mark_offline(&self, agent: &AgentId, since: Timestamp) -> Result<(), StoreError>;
    /// A console of the agent is connected: they are not offline.
    async fn mark_online(&self, agent: &AgentId) -> Result<(), StoreError>;
    /// Agents offline since `until` or earlier, longest offline first, at most `limit`
    /// (an index of offline agents only: the sweep reads nobody else).
    async fn offline_agents(
        &self,
        until: Timestamp,
        limit: usize,
    ) -> Result<Vec<(AgentId, Timestamp)>, StoreError>;
}

/// The lists chats are read in. Each maps to one index query in every adapter, in the order of
/// `ListPosition` (ascending, or descending for the newest-first lists).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChatFilter {
    /// Queued chats of a group (longest waiting first), then its active ones (by start).
    GroupLive(GroupId),
    /// Ended chats of a group, most recently ended first.
    GroupEnded(GroupId),
    /// Queued chats of a group, longest waiting first.
    GroupQueue(GroupId),
    /// Deleted chats of a group, most recently deleted first.
    GroupDeleted(GroupId),
    /// An agent's active chats, by start.
    AgentActive(AgentId),
    /// Ended chats an agent had last, most recently ended first.
    AgentEnded(AgentId),
}

impl ChatFilter {
    /// The buckets the list holds, in its order.
    pub fn buckets(&self) -> &'static [ListBucket] {
        match self {
            ChatFilter::GroupLive(_) => &[ListBucket::Queued, ListBucket::Active],
            ChatFilter::GroupQueue(_) => &[ListBucket::Queued],
            ChatFilter::AgentActive(_) => &[ListBucket::Active],
            ChatFilter::GroupEnded(_) | ChatFilter::AgentEnded(_) => &[ListBucket::Ended],
            ChatFilter::GroupDeleted(_) => &[ListBucket::Deleted],
        }
    }

    /// Whether the chat, as it is now, belongs to the list (an index read a moment ago may
    /// still hold a chat that has moved on since).
    pub fn holds(&self, chat: &Chat) -> bool {
        let position = crate::ports::indexing::list_position(chat).0;
        let agent_is = |a: &AgentId| chat.agent_id.as_ref() == Some(a);
        self.buckets().contains(&position)
            && match self {
                ChatFilter::GroupLive(g)
                | ChatFilter::GroupEnded(g)
                | ChatFilter::GroupQueue(g)
                | ChatFilter::GroupDeleted(g) => &chat.group_id == g,
                ChatFilter::AgentActive(a) | ChatFilter::AgentEnded(a) => agent_is(a),
            }
    }

    /// Whether the list is read in descending position order (most recent first).
    pub fn newest_first(&self) -> bool {
        matches!(
            self,
            ChatFilter::GroupEnded(_) | ChatFilter::GroupDeleted(_) | ChatFilter::AgentEnded(_)
        )
    }
}

/// One change to a chat: the chat as it was read and as it becomes, the event recording why,
/// and the agents' counters that move with it. Applied all-or-nothing, and only if the chat is
/// still at the `last_seq` it was read at (compare-and-set); `event.seq` must be one above.
#[derive(Clone, Debug)]
pub struct ChatCommit {
    /// The chat as read before the change (its `last_seq` is the compare-and-set condition; the
    /// DynamoDB adapter also bills the write by its size and index keys).
    pub before: Chat,
    pub chat: Chat,
    pub event: ChatEvent,
    pub load: LoadChange,
}

impl ChatCommit {
    /// The sequence number the stored chat must still have.
    pub fn expected_seq(&self) -> u64 {
        self.before.last_seq
    }
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
    /// At most `limit` chats of a list in its order, starting after `after` when given: the
    /// position of the last chat of the previous page (keyset paging: that chat may have moved
    /// or gone since). A position in a bucket the list does not hold lists nothing.
    async fn list_chats_after(
        &self,
        filter: &ChatFilter,
        after: Option<&ListPosition>,
        limit: usize,
    ) -> Result<Vec<Chat>, StoreError>;
    /// The first `limit` chats of a list.
    async fn list_chats(&self, filter: &ChatFilter, limit: usize) -> Result<Vec<Chat>, StoreError> {
        self.list_chats_after(filter, None, limit).await
    }
    /// Where the first `limit` chats of a list stand, in its order: ids and places only, for
    /// callers that read or change each chat on their own afterwards (pull, hand-out, queue
    /// places). The DynamoDB store answers from the index's keys without reading the chats.
    async fn list_positions(
        &self,
        filter: &ChatFilter,
        limit: usize,
    ) -> Result<Vec<ListPosition>, StoreError> {
        Ok(self
            .list_chats(filter, limit)
            .await?
            .iter()
            .map(ListPosition::of)
            .collect())
    }
    /// How many chats wait ahead of this queued one in its group's queue, counted up to
    /// `queue_place::QUEUE_READ_LIMIT`: further back every customer is shown the same band
    /// ("more than 200"), so the count, and what it reads, stops there.
    async fn queue_position(&self, chat: &Chat) -> Result<u32, StoreError>;
    /// Chats of a group whose agent they have awaited (`handoff::awaiting`, of this kind) since
    /// `until` or earlier, longest first, at most `limit`: ids only, read from an index that
    /// holds only chats awaiting their agent (the hand-off sweep). The caller reads each chat
    /// and checks again before acting.
    async fn awaiting_chats(
        &self,
        group: &GroupId,
        kind: Awaiting,
        until: Timestamp,
        limit: usize,
    ) -> Result<Vec<ChatId>, StoreError>;
    /// Records that the assigned agent was active in the chat at `at` without writing
    /// (typing), which restarts its response timers: no event, and only if the chat is still
    /// at `before.last_seq` (false, and nothing written, otherwise).
    async fn note_agent_activity(&self, before: &Chat, at: Timestamp) -> Result<bool, StoreError>;
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
