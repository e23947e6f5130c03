//! The list rows of messages when they come from the table's stream (`ListPush::FromStream`):
//! the stream hands over the chats that messages changed, in batches, and each console showing a
//! list that holds some of them gets one frame with their latest rows. A batch costs one read of
//! subscribers per group in it, whatever the number of messages.

use std::collections::{BTreeMap, HashMap};

use futures::stream::{self, StreamExt};

use super::{Fanout, POST_CONCURRENCY};
use crate::api::wire;
use crate::domain::{Chat, ChatId, ChatRow, GroupId};
use crate::ports::{ConnectionId, StoreError};
use crate::realtime::frames::ServerFrame;

/// What one batch of changed chats cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListRowsPushed {
    /// Distinct chats in the batch.
    pub chats: usize,
    /// Groups whose subscribers were read (one read each).
    pub groups: usize,
    /// Consoles sent a frame (one each).
    pub consoles: usize,
}

impl Fanout {
    /// Sends every console showing a list that holds one of `chats` one `chat_rows` frame with
    /// the latest rows of those chats. A chat given more than once counts with its latest state
    /// (the highest sequence number): a batch may hold several messages of one chat.
    pub async fn push_list_rows(&self, chats: Vec<Chat>) -> Result<ListRowsPushed, StoreError> {
        let mut latest: HashMap<ChatId, Chat> = HashMap::new();
        for chat in chats {
            let newer = latest
                .get(&chat.id)
                .is_none_or(|held| held.last_seq < chat.last_seq);
            if newer {
                latest.insert(chat.id.clone(), chat);
            }
        }
        let mut by_group: BTreeMap<GroupId, Vec<Chat>> = BTreeMap::new();
        for chat in latest.into_values() {
            by_group
                .entry(chat.group_id.clone())
                .or_default()
                .push(chat);
        }
        let mut pushed = ListRowsPushed {
            chats: by_group.values().map(Vec::len).sum(),
            groups: by_group.len(),
            consoles: 0,
        };
        if by_group.is_empty() {
            return Ok(pushed);
        }
        let now = self.clock.now();
        let idle = self.idle_thresholds().await;
        let mut frames: BTreeMap<ConnectionId, Vec<wire::ChatRow>> = BTreeMap::new();
        for (group, chats) in &by_group {
            let name = self.group_name(group).await?;
            let watchers = self.connections.group_subscribers(group).await?;

            for chat in chats {
                let holding: Vec<&ConnectionId> = watchers
                    .iter()
                    .filter(|w| w.list.as_ref().is_some_and(|l| l.follows_messages_of(chat)))
                    .map(|w| &w.connection)
                    .collect();
                if holding.is_empty() {
                    continue;
                }
                let row: wire::ChatRow = ChatRow::from_chat(chat, &name, now, &idle).into();
                for connection in holding {
                    frames
                        .entry(connection.clone())
                        .or_default()
                        .push(row.clone());
                }
            }
        }
        pushed.consoles = frames.len();
        stream::iter(frames)
            .for_each_concurrent(POST_CONCURRENCY, |(connection, chats)| async move {
                self.post_frame(&connection, &ServerFrame::ChatRows { chats })
                    .await;
            })
            .await;
        Ok(pushed)
    }
}
