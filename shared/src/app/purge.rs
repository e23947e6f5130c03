//! Purging a deleted chat: its transcript and its resolution go for good. The store removes the
//! chat only if it is still deleted and at the sequence number checked here (compare-and-set),
//! so a restore that commits first wins and the purge says so instead of answering ok.

use super::{App, AppError};
use crate::domain::rules;
use crate::domain::{
    Agent, AuditAction, AuditActor, AuditEntry, AuditTarget, Chat, ChatId, FieldChange, Role,
};
use crate::ports::StoreError;

impl App {
    pub(crate) async fn purge(&self, actor: &Agent, id: &ChatId) -> Result<(), AppError> {
        let Some(chat) = self.chats.get_chat(id).await? else {
            return self.finish_cut_short_purge(actor, id).await;
        };
        rules::check_purge(&chat, actor)?;
        match self.chats.purge_chat(id, chat.last_seq).await {
            Ok(()) => {}
            Err(StoreError::Stale) => return Err(self.lost_purge_race(actor, id).await),
            Err(e) => return Err(e.into()),
        }
        // Logged with the group it was in: never the customer's name or words.
        let entry = AuditEntry::new(
            self.clock.now(),
            AuditActor::Agent {
                id: actor.id.clone(),
                name: actor.display_name.clone(),
            },
            AuditAction::ChatPurged,
            AuditTarget::Chat(id.clone()),
            vec![FieldChange {
                field: "group".into(),
                before: Some(chat.group_id.to_string()),
                after: None,
            }],
        );
        self.log_chat_audit(&entry).await;
        self.after_purge(&chat).await
    }

    /// What a purge that lost a race answers: the chat was restored (`invalid_state`, from the
    /// rule), is gone, or changed otherwise (`conflict`: look again before purging).
    async fn lost_purge_race(&self, actor: &Agent, id: &ChatId) -> AppError {
        match self.chats.get_chat(id).await {
            Ok(Some(now)) => match rules::check_purge(&now, actor) {
                Err(refused) => refused.into(),
                Ok(()) => AppError::Conflict(format!(
                    "chat {id} changed while it was being purged; look at it again and retry"
                )),
            },
            Ok(None) => AppError::NotFound(format!("chat {id} was not found")),
            Err(e) => e.into(),
        }
    }

    /// A purge that committed but was cut short (DynamoDB deletes a chat's items after the
    /// commit; the resolution is removed after the chat) leaves a chat that reads as gone;
    /// purging it again completes the job. Only an administrator's purge does this, and only
    /// an administrator of the chat's group hears that it was there.
    async fn finish_cut_short_purge(&self, actor: &Agent, id: &ChatId) -> Result<(), AppError> {
        let gone = || AppError::NotFound(format!("chat {id} was not found"));
        if actor.role != Role::Administrator {
            return Err(gone());
        }
        match self.chats.finish_purge(id).await? {
            Some(chat) => {
                self.after_purge(&chat).await?;
                rules::check_purge(&chat, actor).map_err(|_| gone())
            }
            None => {
                // No chat: a resolution of it can only be one its purge failed to remove.
                self.knowledge.forget_resolution(id).await?;
                Err(gone())
            }
        }
    }

    /// Consoles are told, and the chat's resolution goes with it (from the store and every
    /// suggestion index). The purge has committed by now: if removing the resolution fails, the
    /// error is reported and purging again removes it.
    async fn after_purge(&self, chat: &Chat) -> Result<(), AppError> {
        self.notifier.chat_purged(chat).await;
        self.knowledge.forget_resolution(&chat.id).await
    }
}
