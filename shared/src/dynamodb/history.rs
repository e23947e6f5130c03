//! A customer's chats: `CUST#{key}` / `{13-digit started ms}#{chat}`, one pointer item per chat,
//! put in the chat's start transaction and deleted by its purge; read newest first by one Query,
//! then the chats by key.

use async_trait::async_trait;

use super::keys::*;
use super::records::{from_item, ChatRecord};
use super::schema::PK;
use super::{key, s, DynamoStore, Item};
use crate::domain::{Chat, ChatId};
use crate::ports::{HistoryStore, StoreError};

/// The pointer to a chat in its customer's history (`None`: the customer gave nothing to know
/// them by).
pub(super) fn history_item(chat: &Chat) -> Option<Item> {
    let customer = crate::domain::history::customer_key(&chat.customer)?;
    let mut item = key(
        customer_pk(&customer),
        customer_chat_sk(chat.started_at, &chat.id),
    );
    item.insert("chat_id".into(), s(chat.id.as_str()));
    Some(super::records::versioned(item))
}

#[async_trait]
impl HistoryStore for DynamoStore {
    async fn customer_chats(&self, customer: &str, limit: usize) -> Result<Vec<Chat>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(self.table())
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":pk", s(customer_pk(customer)))
            .scan_index_forward(false);
        let pointers = self.run_query(query, false, Some(limit)).await?;
        let order: Vec<ChatId> = pointers
            .iter()
            .filter_map(|p| ChatId::parse(p.get("chat_id")?.as_s().ok()?).ok())
            .collect();
        let keys: Vec<Item> = order.iter().map(|id| key(chat_pk(id), META)).collect();
        let mut found = std::collections::HashMap::new();
        for chunk in keys.chunks(100) {
            for item in self.batch_get(chunk.to_vec()).await? {
                // A chat whose purge has committed reads as gone.
                if super::purge::is_purged(&item) {
                    continue;
                }
                let chat: Chat = from_item::<ChatRecord, _>(item)?;
                found.insert(chat.id.clone(), chat);
            }
        }
        Ok(order.iter().filter_map(|id| found.remove(id)).collect())
    }
}
