//! Tags on chats: set by agents who may see the chat, through the chat's compare-and-set commit
//! (an agents-only `tagged` event, so two agents tagging at once both get their change in, each
//! over what the other wrote).

use super::mutate::Mutated;
use super::{App, AppError};
use crate::auth::Principal;
use crate::domain::rules;
use crate::domain::{ChatId, ChatRow, DomainError};

impl App {
    /// Replaces the chat's tags; the same tags again change nothing. Answers the chat's row.
    pub async fn set_chat_tags(
        &self,
        principal: &Principal,
        id: &ChatId,
        tags: &[String],
    ) -> Result<ChatRow, AppError> {
        let agent = self.agent(principal).await?;
        let wanted = crate::domain::tags::tag_set(tags)?;
        let result = self
            .mutate_chat(id, |chat, _now| rules::set_tags(chat, &agent, &wanted))
            .await;
        let chat = match result {
            Ok(Mutated::Changed { chat, .. } | Mutated::Duplicate { chat, .. }) => chat,
            Err(AppError::Domain(DomainError::InvalidState(reason))) => {
                let chat = self.load_chat(id).await?;
                if chat.tags != wanted || chat.is_deleted() {
                    return Err(AppError::Domain(DomainError::InvalidState(reason)));
                }
                chat
            }
            Err(e) => return Err(e),
        };
        self.row(&chat).await
    }
}
