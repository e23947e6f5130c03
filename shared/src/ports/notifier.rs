use async_trait::async_trait;

use crate::domain::{Chat, ChatEvent, GroupId};

/// A committed change that people watching must hear about: the chat as it now is, the event
/// that changed it, and the group it was in before (a transfer is news to both groups).
#[derive(Clone, Debug)]
pub struct ChatNotice {
    pub chat: Chat,
    pub event: ChatEvent,
    pub previous_group: Option<GroupId>,
}

/// Fans committed chat events out to connected clients. Called after the commit; a failure to
/// notify never undoes the change (clients catch up by sequence number on reconnect).
#[async_trait]
pub trait Notifier: Send + Sync {
    async fn chat_changed(&self, notice: ChatNotice);
    /// A chat was purged: gone for good, with its transcript. `chat` is the chat as it was
    /// (deleted), so lists showing it can drop it.
    async fn chat_purged(&self, _chat: &Chat) {}
}

pub struct NullNotifier;

#[async_trait]
impl Notifier for NullNotifier {
    async fn chat_changed(&self, _notice: ChatNotice) {}
}
