use async_trait::async_trait;

use super::indexing::ListPosition;
use crate::domain::inbox::InboxChange;
use crate::domain::{AgentId, Chat, ChatEvent, ChatNote, ChatState, GroupId, OfflineMessage};

/// A committed change that people watching must hear about: the chat as it now is, the event
/// that changed it, and the group it was in before (a transfer is news to both groups).
#[derive(Clone, Debug)]
pub struct ChatNotice {
    pub chat: Chat,
    pub event: ChatEvent,
    pub previous_group: Option<GroupId>,
    /// The change moved the chat to another group or agent, so who may read it changed: the
    /// connections watching it are checked again before they receive anything more.
    pub readers_changed: bool,
    /// Where the chat stood in its group's queue before the change, if it was queued: the
    /// customers behind that place moved up.
    pub queued_before: Option<QueuePlace>,
}

/// A chat's place in a group's queue (the queue is ordered by `ListPosition`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuePlace {
    pub group: GroupId,
    pub position: ListPosition,
}

impl QueuePlace {
    /// The chat's place, when it is waiting in a queue.
    pub fn of(chat: &Chat) -> Option<QueuePlace> {
        (chat.state == ChatState::Queued && !chat.is_deleted()).then(|| QueuePlace {
            group: chat.group_id.clone(),
            position: ListPosition::of(chat),
        })
    }
}

/// Why an agent's open connections are closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionChange {
    /// Their credentials were revoked (password changed, role or groups reduced, removed): the
    /// console must sign in again.
    Revoked,
    /// They gained access (a group, a role): the console reconnects to receive it.
    AccessGranted,
}

/// Fans committed changes out to connected clients. Called after the commit; a failure to
/// notify never undoes the change (clients catch up by sequence number on reconnect).
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Borrowed: the use case keeps the chat and the event it returns, without copying them.
    async fn chat_changed(&self, notice: &ChatNotice);

    /// A chat was purged: gone for good, with its transcript. `chat` is the chat as it was
    /// (deleted), so lists and views showing it can drop it.
    async fn chat_purged(&self, _chat: &Chat) {}

    /// A chat reached its group's hand-off cap and waits in the queue for a person: tell these
    /// agents (the group's managers and administrators) on every console they have open.
    async fn hand_off_escalated(&self, _chat: &Chat, _managers: &[AgentId]) {}

    /// A message in a group's inbox arrived or changed: tell the consoles of the group's
    /// members.
    async fn inbox_changed(&self, _message: &OfflineMessage, _change: InboxChange) {}

    /// An internal note was added to the chat: tell the agents' connections watching it that
    /// may see it now (never a customer's).
    async fn chat_note_added(&self, _chat: &Chat, _note: &ChatNote) {}

    /// The agent's access changed: close their open connections, saying why.
    async fn agent_sessions_changed(&self, _agent: &AgentId, _change: SessionChange) {}
}

pub struct NullNotifier;

#[async_trait]
impl Notifier for NullNotifier {
    async fn chat_changed(&self, _notice: &ChatNotice) {}
}
