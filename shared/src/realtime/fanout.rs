//! Pushes committed changes to the connections that must see them. The work per change grows
//! with its recipients (the chat's subscribers and the agents of its groups), never with
//! everyone online: subscribers are read by key, never scanned.

mod list_rows;

pub use list_rows::ListRowsPushed;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::{self, StreamExt};

use super::coalesce::{ListCoalescer, ListPush, Offer};
use super::frames::{chat_rows_bytes, ServerFrame};
use crate::app::OrganisationCache;
use crate::domain::inbox::InboxChange;
use crate::domain::queue_place::{shown_ahead, QUEUE_READ_LIMIT};
use crate::domain::rules;
use crate::domain::{
    AgentId, Chat, ChatId, ChatNote, ChatRow, CustomerView, EventKind, Group, GroupId,
    IdleThresholds, ListWatch, OfflineMessage, Timestamp,
};
use crate::errors::error_chain;
use crate::ports::{
    Audience, ChatFilter, ChatNotice, ChatStore, Clock, ConnectionId, ConnectionOwner,
    ConnectionPoster, ConnectionStore, DirectoryStore, ListPosition, Notifier, PostError,
    PrincipalKey, QueuePlace, SessionChange, StoreError,
};

/// Posts in flight at once for one fan-out.
const POST_CONCURRENCY: usize = 32;
/// Group names change rarely; reading them for every change would cost a query each time. Timed
/// by the fan-out's clock, so that what a test measures does not depend on how fast it ran.
const GROUP_CACHE_TTL_MS: i64 = 30_000;

tokio::task_local! {
    /// The connection whose frame caused the change being fanned out (set by the `send` route
    /// around the use case, which fans out before it returns): the event that connection
    /// receives is its acknowledgement, so no separate `ack` is sent to it.
    static ORIGIN: Origin;
}

struct Origin {
    connection: ConnectionId,
    /// Shared with `from_connection`, which reads it once the change is done.
    delivered: Arc<std::sync::atomic::AtomicBool>,
}

/// Runs `change` with `connection` as the origin of what it fans out; also answers whether the
/// change's event reached that connection.
pub fn from_connection<F: std::future::Future>(
    connection: &ConnectionId,
    change: F,
) -> impl std::future::Future<Output = (F::Output, bool)> {
    use futures::FutureExt;
    let delivered = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let origin = Origin {
        connection: connection.clone(),
        delivered: delivered.clone(),
    };
    // `change` is moved once, into the task-local scope: an `async` wrapper around it would
    // hold it twice over (as its argument and inside the scope), and a message's future is
    // kilobytes, copied at every move.
    ORIGIN
        .scope(origin, change)
        .map(move |out| (out, delivered.load(std::sync::atomic::Ordering::Relaxed)))
}

/// How one change moved a group's queue: the place a chat left and the place one took.
struct QueueShift<'a> {
    chat: &'a ChatId,
    left: Option<ListPosition>,
    joined: Option<ListPosition>,
}

pub struct Fanout {
    pub connections: Arc<dyn ConnectionStore>,
    pub poster: Arc<dyn ConnectionPoster>,
    pub chats: Arc<dyn ChatStore>,
    pub directory: Arc<dyn DirectoryStore>,
    pub clock: Arc<dyn Clock>,
    /// The deployment's idle thresholds: rows are coloured by these until an administrator
    /// saved the organisation's own.
    pub idle: IdleThresholds,
    /// The organisation's settings as read (shared with the use cases of the same process, so a
    /// save shows in the next pushed row).
    organisation: OrganisationCache,
    groups: RwLock<Option<(Timestamp, Vec<Group>)>>,
    /// Holds list rows back per connection (`ListPush::Coalesced`); none: rows go at once.
    coalescer: Option<Arc<ListCoalescer>>,
    /// Rows of messages are sent by the table stream's consumer, not here (`ListPush::FromStream`).
    rows_from_stream: bool,
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
            organisation: OrganisationCache::with_clock(clock.clone()),
            clock,
            idle,
            groups: RwLock::new(None),
            coalescer: None,
            rows_from_stream: false,
        }
    }

    /// How list rows of messages reach the consoles showing them.
    pub fn with_list_push(mut self, push: ListPush) -> Self {
        self.coalescer = match push {
            ListPush::Immediate | ListPush::FromStream => None,
            ListPush::Coalesced(interval) => Some(Arc::new(ListCoalescer::new(interval))),
        };
        self.rows_from_stream = push == ListPush::FromStream;
        self
    }

    /// Reads the organisation's settings through `organisation` (the use cases' cache).
    pub fn with_organisation(mut self, organisation: OrganisationCache) -> Self {
        self.organisation = organisation;
        self
    }

    /// The idle thresholds pushed rows are coloured by: the organisation's, read at most every
    /// 30 seconds, as the console's own ticking does (`/api/me`).
    async fn idle_thresholds(&self) -> IdleThresholds {
        self.organisation
            .idle_thresholds(self.directory.as_ref(), self.idle)
            .await
    }

    /// The name of a group (its id when it is unknown), from the groups read at most every
    /// `GROUP_CACHE_TTL_MS`: found in place, without copying the list for every message.
    async fn group_name(&self, id: &GroupId) -> Result<String, StoreError> {
        let named = |groups: &[Group]| {
            groups
                .iter()
                .find(|g| &g.id == id)
                .map(|g| g.name.clone())
                .unwrap_or_else(|| id.to_string())
        };
        if let Ok(guard) = self.groups.read() {
            if let Some((at, groups)) = guard.as_ref() {
                let age = self.clock.now().millis() - at.millis();
                if (0..GROUP_CACHE_TTL_MS).contains(&age) {
                    return Ok(named(groups));
                }
            }
        }
        let groups = self.directory.list_groups().await?;
        let name = named(&groups);
        if let Ok(mut guard) = self.groups.write() {
            *guard = Some((self.clock.now(), groups));
        }
        Ok(name)
    }

    /// Posts one frame to one connection. A connection that is gone is forgotten (that one,
    /// not the sender's); any other failure is logged and the fan-out goes on.
    pub async fn post(&self, connection: &ConnectionId, frame: Bytes) -> bool {
        post_to(
            self.poster.as_ref(),
            self.connections.as_ref(),
            connection,
            frame,
        )
        .await
    }

    pub async fn post_frame(&self, connection: &ConnectionId, frame: &ServerFrame) -> bool {
        self.post(connection, frame.to_bytes()).await
    }

    /// Posts the same frame to many connections, a bounded number at a time.
    pub async fn post_many(&self, mut connections: Vec<ConnectionId>, frame: Bytes) {
        // One recipient (the other side of most messages) needs no set of futures in flight.
        if connections.len() <= 1 {
            if let Some(c) = connections.pop() {
                self.post(&c, frame).await;
            }
            return;
        }
        stream::iter(connections)
            .for_each_concurrent(POST_CONCURRENCY, |c| {
                let frame = frame.clone();
                async move {
                    self.post(&c, frame).await;
                }
            })
            .await;
    }

    /// Whether the agent behind an agent connection may still read `chat`: the connection's
    /// agent exists, its session is still theirs, and the chat is in one of their groups or
    /// assigned to them. Fails closed: anything unreadable counts as no.
    async fn connection_may_read(&self, connection: &ConnectionId, chat: &Chat) -> bool {
        let owner = match self.connections.get_connection(connection).await {
            Ok(Some(record)) => record.owner,
            Ok(None) => return false,
            Err(e) => {
                tracing::warn!(connection = %connection, error = %error_chain(&e), "reading a watcher failed; not sending to it");
                return false;
            }
        };
        let ConnectionOwner::Agent {
            agent_id, session, ..
        } = owner
        else {
            return false;
        };
        match self.directory.get_agent(&agent_id).await {
            Ok(Some(agent)) => {
                agent.is_active()
                    && session.is_none_or(|s| s == agent.session_epoch)
                    && rules::can_view(chat, &agent)
            }
            Ok(None) => false,
            Err(e) => {
                tracing::warn!(agent = %agent_id, error = %error_chain(&e), "reading a watcher's agent failed; not sending to it");
                false
            }
        }
    }

    async fn fan_out(&self, notice: &ChatNotice) -> Result<(), StoreError> {
        let ChatNotice {
            chat,
            event,
            previous_group,
            readers_changed,
            queued_before,
        } = notice;

        // 1. The event itself, to everyone in the chat (customers only see what is theirs).
        // When the change moved the chat to another group or agent, each agent watching is
        // checked again first: one who may no longer read it is unsubscribed and told, and gets
        // neither this event nor any later one.
        let subscribers = self.connections.chat_subscribers(&chat.id).await?;
        // Customers get their version of the event (none of agent-only events, an end without
        // the agent's resolution note).
        let customer_view = event.customer_view();
        let mut customers: Vec<ConnectionId> = Vec::new();
        let mut recipients: Vec<ConnectionId> = Vec::new();
        let mut revoked: Vec<ConnectionId> = Vec::new();
        for s in subscribers {
            match s.audience {
                Audience::Customer if customer_view != CustomerView::Hidden => {
                    customers.push(s.connection)
                }
                Audience::Customer => {}
                Audience::Agent if !readers_changed => recipients.push(s.connection),
                Audience::Agent => {
                    if self.connection_may_read(&s.connection, chat).await {
                        recipients.push(s.connection);
                    } else {
                        revoked.push(s.connection);
                    }
                }
            }
        }
        self.unwatch_all(&chat.id, revoked, "moved").await;
        let frame = ServerFrame::Event {
            chat_id: (&chat.id).into(),
            event: event.into(),
        }
        .to_bytes();
        // Most events (every message) read the same to both sides: one frame for all.
        let customer_frame = match &customer_view {
            CustomerView::Same => Some(frame.clone()),
            CustomerView::Redacted(customer_event) => Some(
                ServerFrame::Event {
                    chat_id: (&chat.id).into(),
                    event: customer_event.into(),
                }
                .to_bytes(),
            ),
            CustomerView::Hidden => None,
        };
        self.post_event(recipients, frame).await;
        if let Some(customer_frame) = customer_frame {
            self.post_event(customers, customer_frame).await;
        }

        let is_message = matches!(
            event.kind,
            EventKind::Message { .. } | EventKind::Attachment { .. }
        );
        if is_message && self.rows_from_stream {
            // A message moves no queue and no list membership; its list rows are the stream
            // consumer's work, so the message path reads no group's subscribers.
            return Ok(());
        }

        // 2. Queue positions, when the queue of a group changed.
        let mut affected: Vec<GroupId> = vec![chat.group_id.clone()];
        if let Some(g) = &previous_group {
            affected.push(g.clone());
        }
        let queue_changed = matches!(
            event.kind,
            EventKind::Started { .. }
                | EventKind::Assigned { .. }
                | EventKind::Requeued { .. }
                | EventKind::Moved { .. }
                | EventKind::Ended { .. }
                | EventKind::Deleted { .. }
                | EventKind::Restored { .. }
                // Back to the head of the queue: everyone behind it moves down one.
                | EventKind::HandedOff { to: None, .. }
        );
        let mut queue_counts = BTreeMap::new();
        if queue_changed {
            let queued_now = QueuePlace::of(chat);
            for group in &affected {
                let in_group = |place: &Option<QueuePlace>| {
                    place
                        .as_ref()
                        .filter(|p| &p.group == group)
                        .map(|p| p.position.clone())
                };
                let shift = QueueShift {
                    chat: &chat.id,
                    left: in_group(queued_before),
                    joined: in_group(&queued_now),
                };
                let count = self.post_queue_positions(group, &shift).await?;
                queue_counts.insert(group.to_string(), count);
            }
        }

        // 3. The list change: the row to the agents of the chat's group; to those of the group
        // it left, only that it left (they may no longer read it).
        let row = || async {
            let group_name = self.group_name(&chat.group_id).await?;
            let idle = self.idle_thresholds().await;
            Ok::<_, StoreError>(ChatRow::from_chat(
                chat,
                &group_name,
                self.clock.now(),
                &idle,
            ))
        };
        // The change is named as the event's `type` on the wire (a message, by far the most
        // frequent event, needs no name unless it moved the chat).
        let change = || {
            serde_json::to_value(crate::api::wire::EventKind::from(&event.kind))
                .ok()
                .and_then(|v| v.get("type").and_then(|t| t.as_str().map(str::to_owned)))
                .unwrap_or_default()
        };
        if is_message {
            // A message changes no list's membership and no queue: only the consoles showing a
            // list that holds the chat see its new count and idle time, at most once a second
            // each when coalesced.
            let watchers = self.connections.list_watchers(chat).await?;
            if watchers.is_empty() {
                return Ok(());
            }
            let wire_row: crate::api::wire::ChatRow = row().await?.into();
            match &self.coalescer {
                // Each row at once, posted a bounded number at a time (in the cloud each post is
                // a PostToConnection call: one after the other they would add up).
                None => {
                    let frame = ServerFrame::ChatRows {
                        chats: vec![wire_row],
                    }
                    .to_bytes();
                    self.post_many(watchers, frame).await;
                }
                Some(coalescer) => {
                    // One row, shared by every console it is held for; one lock for all of them.
                    let row = Arc::new(wire_row);
                    for (watcher, offer) in coalescer.offer_to_each(watchers, &row, Instant::now())
                    {
                        self.act_on_offer(coalescer, watcher, offer).await;
                    }
                }
            }
            return Ok(());
        }
        let members = self.connections.group_subscribers(&chat.group_id).await?;
        if let Some(left) = &previous_group {
            let former: Vec<ConnectionId> = self
                .connections
                .group_subscribers(left)
                .await?
                .into_iter()
                .map(|s| s.connection)
                .filter(|c| !members.iter().any(|m| &m.connection == c))
                .collect();
            let frame = ServerFrame::ChatRemoved {
                chat_id: (&chat.id).into(),
                group_id: left.into(),
                change: change(),
                queue_counts: queue_counts.clone(),
            }
            .to_bytes();
            self.post_many(former, frame).await;
        }
        // Any other change may move the chat into or out of a list, or change a queue: every
        // console of the group's agents hears of it (the queue badge and the My Active count
        // stay live everywhere), and a row held back for the chat is dropped as superseded.
        let members: Vec<ConnectionId> = members.into_iter().map(|m| m.connection).collect();
        if let Some(coalescer) = &self.coalescer {
            for m in &members {
                coalescer.superseded(m, chat.id.as_str());
            }
        }
        let frame = ServerFrame::ChatChanged {
            chat: row().await?.into(),
            change: change(),
            queue_counts,
        }
        .to_bytes();
        self.post_many(members, frame).await;
        Ok(())
    }

    /// Posts a chat event; notes whether it reached the connection that caused it.
    async fn post_event(&self, mut connections: Vec<ConnectionId>, frame: Bytes) {
        let origin = ORIGIN.try_with(|o| o.connection.clone()).ok();
        if let Some(origin) = origin {
            if let Some(i) = connections.iter().position(|c| c == &origin) {
                connections.swap_remove(i);
                if self.post(&origin, frame.clone()).await {
                    let _ = ORIGIN.try_with(|o| {
                        o.delivered
                            .store(true, std::sync::atomic::Ordering::Relaxed)
                    });
                }
            }
        }
        self.post_many(connections, frame).await;
    }

    /// Sends the rows offered to a console now, or schedules the flush of those held for it.
    async fn act_on_offer(
        &self,
        coalescer: &Arc<ListCoalescer>,
        connection: ConnectionId,
        offer: Offer,
    ) {
        match offer {
            Offer::SendNow(chats) => {
                self.post(&connection, chat_rows_bytes(&chats)).await;
            }
            Offer::Held => {}
            Offer::FlushAt(at) => {
                let coalescer = coalescer.clone();
                let poster = self.poster.clone();
                let connections = self.connections.clone();
                tokio::spawn(async move {
                    tokio::time::sleep_until(at.into()).await;
                    let chats = coalescer.flush(&connection, Instant::now());
                    if !chats.is_empty() {
                        let frame = chat_rows_bytes(&chats);
                        post_to(poster.as_ref(), connections.as_ref(), &connection, frame).await;
                    }
                });
            }
        }
    }

    /// The list a console shows from now on; rows held for the one it showed are dropped.
    pub async fn watch_list(
        &self,
        connection: &ConnectionId,
        list: Option<&ListWatch>,
    ) -> Result<(), StoreError> {
        if let Some(coalescer) = &self.coalescer {
            coalescer.forget(connection);
        }
        self.connections.watch_list(connection, list).await
    }

    /// Tells each customer waiting in the group's queue whose shown place the change altered
    /// (`queue_place::shown_ahead`: at most `MOST_TOLD_PER_CHANGE` of them, however long the
    /// queue), and the chat that took a place; returns the queue's length (read up to
    /// `QUEUE_READ_LIMIT`).
    async fn post_queue_positions(
        &self,
        group: &GroupId,
        shift: &QueueShift<'_>,
    ) -> Result<u32, StoreError> {
        let queue = self
            .chats
            .list_positions(&ChatFilter::GroupQueue(group.clone()), QUEUE_READ_LIMIT)
            .await?;
        if shift.left == shift.joined {
            return Ok(queue.len() as u32);
        }
        for (index, place) in queue.iter().enumerate() {
            let now = index as u32;
            let told = if &place.chat_id == shift.chat {
                true
            } else {
                // Where it was before: one further back if the chat that took a place is ahead of
                // it now, one further forward if the one that left was.
                let was = (now + u32::from(shift.left.as_ref().is_some_and(|l| l < place)))
                    .saturating_sub(u32::from(shift.joined.as_ref().is_some_and(|j| j < place)));
                shown_ahead(was) != shown_ahead(now)
            };
            if !told {
                continue;
            }
            let customers: Vec<ConnectionId> = self
                .connections
                .chat_subscribers(&place.chat_id)
                .await?
                .into_iter()
                .filter(|s| s.audience == Audience::Customer)
                .map(|s| s.connection)
                .collect();
            if customers.is_empty() {
                continue;
            }
            let frame = ServerFrame::QueuePosition {
                chat_id: (&place.chat_id).into(),
                position: now,
            }
            .to_bytes();
            self.post_many(customers, frame).await;
        }
        Ok(queue.len() as u32)
    }

    /// Unsubscribes connections from a chat, then tells each why. A subscription that cannot be
    /// removed costs its connection instead (forgotten and closed; the console reconnects), so
    /// no later event of the chat can reach it.
    async fn unwatch_all(&self, chat: &ChatId, connections: Vec<ConnectionId>, reason: &str) {
        // Every event of a chat whose readers changed comes through here, almost always with
        // nobody to unsubscribe.
        if connections.is_empty() {
            return;
        }
        let mut unwatched = Vec::with_capacity(connections.len());
        for c in connections {
            match self.connections.unwatch_chat(chat, &c).await {
                Ok(()) => unwatched.push(c),
                Err(e) => {
                    tracing::warn!(connection = %c, error = %error_chain(&e), "removing a revoked subscription failed; ending the connection");
                    self.end_connection(&c, "access_changed", "reconnecting", true)
                        .await;
                }
            }
        }
        let frame = ServerFrame::Unwatched {
            chat_id: chat.into(),
            reason: reason.into(),
        }
        .to_bytes();
        self.post_many(unwatched, frame).await;
    }

    async fn purged(&self, chat: &Chat) -> Result<(), StoreError> {
        let subscribers = self.connections.chat_subscribers(&chat.id).await?;
        let (customers, agents): (Vec<_>, Vec<_>) = subscribers
            .into_iter()
            .partition(|s| s.audience == Audience::Customer);
        self.unwatch_all(
            &chat.id,
            agents.into_iter().map(|s| s.connection).collect(),
            "purged",
        )
        .await;
        // A customer's connection to a purged chat has nothing left to show: it is forgotten
        // and told, and the chat page closes it (the purge needs no right to close sockets).
        for c in customers {
            self.end_connection(&c.connection, "purged", "this chat no longer exists", false)
                .await;
        }
        let members: Vec<ConnectionId> = self
            .connections
            .group_subscribers(&chat.group_id)
            .await?
            .into_iter()
            .map(|m| m.connection)
            .collect();
        let frame = ServerFrame::ChatRemoved {
            chat_id: (&chat.id).into(),
            group_id: (&chat.group_id).into(),
            change: "purged".into(),
            queue_counts: BTreeMap::new(),
        }
        .to_bytes();
        self.post_many(members, frame).await;
        Ok(())
    }

    /// Forgets a connection at once (no push reaches it from now on), tells it why and, with
    /// `close`, closes it.
    async fn end_connection(
        &self,
        connection: &ConnectionId,
        reason: &str,
        message: &str,
        close: bool,
    ) {
        if let Err(e) = self.connections.remove_connection(connection).await {
            tracing::error!(connection = %connection, error = %error_chain(&e), "removing a revoked connection failed");
        }
        let frame = ServerFrame::SessionEnded {
            reason: reason.into(),
            message: message.into(),
        };
        if self.post_frame(connection, &frame).await && close {
            if let Err(e) = self.poster.close(connection).await {
                if !matches!(e, PostError::Gone) {
                    tracing::warn!(connection = %connection, error = %error_chain(&e), "closing a revoked connection failed");
                }
            }
        }
    }

    async fn sessions_changed(
        &self,
        agent: &AgentId,
        change: SessionChange,
    ) -> Result<(), StoreError> {
        let open = self
            .connections
            .principal_connections(&PrincipalKey::agent(agent), self.clock.now())
            .await?;
        let (reason, message) = match change {
            SessionChange::Revoked => (
                "revoked",
                "your sign-in was revoked (password, role or groups changed); sign in again",
            ),
            SessionChange::AccessGranted => (
                "access_changed",
                "your groups or role changed; reconnecting",
            ),
        };
        for c in open {
            self.end_connection(&c, reason, message, true).await;
        }
        Ok(())
    }
}

async fn post_to(
    poster: &dyn ConnectionPoster,
    connections: &dyn ConnectionStore,
    connection: &ConnectionId,
    frame: Bytes,
) -> bool {
    match poster.post(connection, frame).await {
        Ok(()) => true,
        Err(PostError::Gone) => {
            tracing::info!(connection = %connection, "connection gone; removing it");
            if let Err(e) = connections.remove_connection(connection).await {
                tracing::warn!(error = %error_chain(&e), "could not remove a gone connection");
            }
            false
        }
        Err(e) => {
            tracing::warn!(connection = %connection, error = %error_chain(&e), "post to connection failed");
            false
        }
    }
}

#[async_trait]
impl Notifier for Fanout {
    async fn chat_changed(&self, notice: &ChatNotice) {
        if let Err(e) = self.fan_out(notice).await {
            // The change is committed; clients catch up by sequence number on their next resume.
            tracing::error!(chat = %notice.chat.id, error = %error_chain(&e), "fan-out failed");
        }
    }

    async fn chat_purged(&self, chat: &Chat) {
        if let Err(e) = self.purged(chat).await {
            tracing::error!(chat = %chat.id, error = %error_chain(&e), "fan-out of a purge failed");
        }
    }

    async fn hand_off_escalated(&self, chat: &Chat, managers: &[AgentId]) {
        let frame = ServerFrame::HandOffAlert {
            chat_id: (&chat.id).into(),
            group_id: (&chat.group_id).into(),
            customer_name: chat.customer.name.clone(),
            hand_offs: chat.hand_offs,
        }
        .to_bytes();
        let now = self.clock.now();
        let mut to = Vec::new();
        for manager in managers {
            match self
                .connections
                .principal_connections(&PrincipalKey::agent(manager), now)
                .await
            {
                Ok(open) => to.extend(open),
                Err(e) => {
                    tracing::error!(agent = %manager, error = %error_chain(&e), "could not find a manager's consoles for a hand-off alert");
                }
            }
        }
        self.post_many(to, frame).await;
    }

    async fn inbox_changed(&self, message: &OfflineMessage, change: InboxChange) {
        // Group subscriptions are the consoles of the group's members, kept in step with their
        // access (a member who loses the group has their connections closed).
        match self.connections.group_subscribers(&message.group_id).await {
            Ok(members) => {
                let frame = ServerFrame::InboxChanged {
                    message: message.into(),
                    change: change.as_str().into(),
                }
                .to_bytes();
                let to = members.into_iter().map(|m| m.connection).collect();
                self.post_many(to, frame).await;
            }
            Err(e) => {
                tracing::error!(message = %message.id, error = %error_chain(&e), "fan-out of an inbox change failed");
            }
        }
    }

    async fn chat_note_added(&self, chat: &Chat, note: &ChatNote) {
        // Agents' connections only, each checked now: a note is never a customer's to see, and
        // an agent who lost the chat's group since they began watching it gets nothing.
        let subscribers = match self.connections.chat_subscribers(&chat.id).await {
            Ok(subscribers) => subscribers,
            Err(e) => {
                tracing::error!(chat = %chat.id, error = %error_chain(&e), "fan-out of a note failed");
                return;
            }
        };
        let mut to = Vec::new();
        for s in subscribers {
            if s.audience == Audience::Agent && self.connection_may_read(&s.connection, chat).await
            {
                to.push(s.connection);
            }
        }
        let frame = ServerFrame::ChatNote {
            chat_id: (&chat.id).into(),
            note: note.into(),
        }
        .to_bytes();
        self.post_many(to, frame).await;
    }

    async fn agent_sessions_changed(&self, agent: &AgentId, change: SessionChange) {
        if let Err(e) = self.sessions_changed(agent, change).await {
            // The agent's credentials are revoked either way (REST and frames check the session
            // epoch); only the closing of their sockets failed.
            tracing::error!(agent = %agent, error = %error_chain(&e), "closing an agent's connections failed");
        }
    }
}
