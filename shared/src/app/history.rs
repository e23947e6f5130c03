//! A customer's earlier chats, for the agent looking at one of their chats: matched by who the
//! customer is (`history::customer_key`), and only the chats the agent may see (each checked as
//! any chat read is).

use super::{App, AppError};
use crate::auth::Principal;
use crate::domain::history::{customer_key, MAX_HISTORY};
use crate::domain::rules::can_view;
use crate::domain::{ChatId, ChatRow};

impl App {
    /// The chat's customer's other chats, most recently started first (at most `MAX_HISTORY`),
    /// of those the caller may see. Empty when the customer gave nothing to know them by.
    pub async fn customer_history(
        &self,
        principal: &Principal,
        id: &ChatId,
    ) -> Result<Vec<ChatRow>, AppError> {
        let agent = self.agent(principal).await?;
        let chat = self.load_chat(id).await?;
        if !can_view(&chat, &agent) {
            return Err(AppError::Forbidden(format!(
                "chat {id} belongs to a group you are not a member of"
            )));
        }
        let Some(key) = customer_key(&chat.customer) else {
            return Ok(Vec::new());
        };
        // One more than shown: the chat itself is among them.
        let chats = self.history.customer_chats(&key, MAX_HISTORY + 1).await?;
        let groups = self.directory.list_groups().await?;
        let now = self.clock.now();
        let idle = self.idle_thresholds().await;
        Ok(chats
            .iter()
            .filter(|c| &c.id != id && can_view(c, &agent))
            .take(MAX_HISTORY)
            .map(|c| {
                let name = groups
                    .iter()
                    .find(|g| g.id == c.group_id)
                    .map(|g| g.name.as_str())
                    .unwrap_or(c.group_id.as_str());
                ChatRow::from_chat(c, name, now, &idle)
            })
            .collect())
    }
}
