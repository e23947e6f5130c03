//! Pushes committed changes to the connections that must see them. The work per change grows
//! with its recipients (the chat's subscribers and the agents of its groups), never with
//! everyone online: subscribers are read by key, never scanned.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::{self, StreamExt};

use super::frames::ServerFrame;
use crate::domain::{ChatRow, EventKind, Group, GroupId, IdleThresholds, Visibility};
use crate::ports::{
    Audience, ChatFilter, ChatNotice, ChatStore, Clock, ConnectionId, ConnectionPoster,
    ConnectionStore, DirectoryStore, Notifier, PostError, StoreError,
};

/// Posts in flight at once for one fan-out.
const POST_CONCURRENCY: usize = 32;
/// Group names change rarely; reading them for every message would cost a query each time.
const GROUP_CACHE_TTL: Duration = Duration::from_secs(30);
/// Most queued chats told their position after one queue change.
const QUEUE_NOTIFY_LIMIT: usize = 200;

pub struct Fanout {
    pub connections: Arc<dyn ConnectionStore>,
    pub poster: Arc<dyn ConnectionPoster>,
    pub chats: Arc<dyn ChatStore>,
    pub directory: Arc<dyn DirectoryStore>,
    pub clock: Arc<dyn Clock>,
    pub idle: IdleThresholds,
    groups: RwLock<Option<(Instant, Vec<Group>)>>,
}

impl Fanout {
    pub fn new(
        connections: Arc<dyn ConnectionStore>,
        poster: Arc<dyn ConnectionPoster>,
        chats: Arc<dyn ChatStore>,
        directory: Arc<dyn DirectoryStore>,
        clock: Arc<dyn Clock>,
        idle: IdleThresholds,
    ) -> Self {
        Fanout {
            connections,
            poster,
            chats,
            directory,
            clock,
            idle,
            groups: RwLock::new(None),
        }
    }

    async fn groups(&self) -> Result<Vec<Group>, StoreError> {
        if let Ok(guard) = self.groups.read() {
            if let Some((at, groups)) = guard.as_ref() {
                if at.elapsed() < GROUP_CACHE_TTL {
                    return Ok(groups.clone());
                }
            }
        }
        let groups = self.directory.list_groups().await?;
        if let Ok(mut guard) = self.groups.write() {
            *guard = Some((Instant::now(), groups.clone()));
        }
        Ok(groups)
    }

    /// Posts one frame to one connection. A connection that is gone is forgotten (that one,
    /// not the sender's); any other failure is logged and the fan-out goes on.
    pub async fn post(&self, connection: &ConnectionId, frame: Bytes) -> bool {
        match self.poster.post(connection, frame).await {
            Ok(()) => true,
            Err(PostError::Gone) => {
                tracing::info!(connection = %connection, "connection gone; removing it");
                if let Err(e) = self.connections.remove_connection(connection).await {
                    tracing::warn!(error = %crate::api::error::error_chain(&e), "could not remove a gone connection");
                }
                false
            }
            Err(e) => {
                tracing::warn!(connection = %connection, error = %crate::api::error::error_chain(&e), "post to connection failed");
                false
            }
        }
    }

    pub async fn post_frame(&self, connection: &ConnectionId, frame: &ServerFrame) -> bool {
        self.post(connection, frame.to_bytes()).await
    }

    /// Posts the same frame to many connections, a bounded number at a time.
    pub async fn post_many(&self, connections: Vec<ConnectionId>, frame: Bytes) {
        stream::iter(connections)
            .for_each_concurrent(POST_CONCURRENCY, |c| {
                let frame = frame.clone();
                async move {
                    self.post(&c, frame).await;
                }
            })
            .await;
    }

    async fn fan_out(&self, notice: ChatNotice) -> Result<(), StoreError> {
        let ChatNotice {
            chat,
            event,
            previous_group,
        } = notice;

        // 1. The event itself, to everyone in the chat (customers only see what is theirs).
        let subscribers = self.connections.chat_subscribers(&chat.id).await?;
        let for_customers = event.kind.visibility() == Visibility::Everyone;
        let recipients: Vec<ConnectionId> = subscribers
            .into_iter()
            .filter(|s| for_customers || s.audience == Audience::Agent)
            .map(|s| s.connection)
            .collect();
        let frame = ServerFrame::Event {
            chat_id: chat.id.clone(),
            event: event.clone(),
        }
        .to_bytes();
        self.post_many(recipients, frame).await;

        // 2. Queue positions, when the queue of a group changed.
        let mut affected: Vec<GroupId> = vec![chat.group_id.clone()];
        if let Some(g) = previous_group {
            affected.push(g);
        }
        let queue_changed = matches!(
            event.kind,
            EventKind::Started { .. }
                | EventKind::Assigned { .. }
                | EventKind::Requeued { .. }
                | EventKind::Ended { .. }
                | EventKind::Deleted { .. }
                | EventKind::Restored { .. }
        );
        let mut queue_counts = BTreeMap::new();
        if queue_changed {
            for group in &affected {
                let queue = self
                    .chats
                    .list_chats(&ChatFilter::GroupQueue(group.clone()), QUEUE_NOTIFY_LIMIT)
                    .await?;
                queue_counts.insert(group.to_string(), queue.len() as u32);
                for (position, queued) in queue.iter().enumerate() {
                    let customers: Vec<ConnectionId> = self
                        .connections
                        .chat_subscribers(&queued.id)
                        .await?
                        .into_iter()
                        .filter(|s| s.audience == Audience::Customer)
                        .map(|s| s.connection)
                        .collect();
                    if customers.is_empty() {
                        continue;
                    }
                    let frame = ServerFrame::QueuePosition {
                        chat_id: queued.id.clone(),
                        position: position as u32,
                    }
                    .to_bytes();
                    self.post_many(customers, frame).await;
                }
            }
        }

        // 3. The list change, to the agents of the chat's group(s).
        let groups = self.groups().await?;
        let group_name = groups
            .iter()
            .find(|g| g.id == chat.group_id)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| chat.group_id.to_string());
        let row = ChatRow::from_chat(&chat, &group_name, self.clock.now(), &self.idle);
        let change = serde_json::to_value(&event.kind)
            .ok()
            .and_then(|v| v.get("type").and_then(|t| t.as_str().map(str::to_owned)))
            .unwrap_or_default();
        let frame = ServerFrame::ChatChanged {
            chat: row,
            change,
            queue_counts,
        }
        .to_bytes();
        let mut agents: Vec<ConnectionId> = Vec::new();
        for group in &affected {
            for c in self.connections.group_subscribers(group).await? {
                if !agents.contains(&c) {
                    agents.push(c);
                }
            }
        }
        self.post_many(agents, frame).await;
        Ok(())
    }
}

#[async_trait]
impl Notifier for Fanout {
    async fn chat_changed(&self, notice: ChatNotice) {
        let chat = notice.chat.id.clone();
        if let Err(e) = self.fan_out(notice).await {
            // The change is committed; clients catch up by sequence number on their next resume.
            tracing::error!(chat = %chat, error = %crate::api::error::error_chain(&e), "fan-out failed");
        }
    }
}
