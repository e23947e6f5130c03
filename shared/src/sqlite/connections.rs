use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::RwLock;

use async_trait::async_trait;
use rusqlite::params;

use super::records::{to_doc, ConnectionRecord};
use super::{db_err, SqliteStore};
use crate::domain::{
    list_follows_messages_of, AgentId, Chat, ChatId, ChatView, GroupId, ListWatch, Timestamp,
};
use crate::ports::{
    Admission, Audience, Connection, ConnectionId, ConnectionOwner, ConnectionStore,
    GroupSubscriber, PrincipalKey, RateLimit, StoreError, Subscriber,
};

fn audience_str(a: Audience) -> &'static str {
    match a {
        Audience::Customer => "customer",
        Audience::Agent => "agent",
    }
}

/// The connections of this process and their subscriptions, in memory beside their tables: the
/// local server's sockets all live (and die) in this process, so the fan-out of every message
/// reads its recipients here instead of from a reader connection on a blocking thread. It is
/// changed only by the writes to the tables, after they commit and while the writer connection
/// is held, so it always shows what the tables hold, in the same order of changes.
#[derive(Default)]
pub(super) struct Live {
    connections: HashMap<ConnectionId, LiveConnection>,
    /// By chat, in connection id order (the order the table is read in).
    chats: HashMap<ChatId, BTreeMap<ConnectionId, Audience>>,
    groups: HashMap<GroupId, BTreeMap<ConnectionId, Option<ListWatch>>>,
}

struct LiveConnection {
    record: Connection,
    chats: BTreeSet<ChatId>,
    groups: BTreeSet<GroupId>,
}

impl Live {
    /// Everything the tables hold (a database opened again after the process stopped).
    pub(super) fn load(c: &rusqlite::Connection) -> Result<Live, StoreError> {
        let mut live = Live::default();
        let records = super::docs_where::<ConnectionRecord, Connection, _>(
            c,
            "SELECT doc FROM connections",
            [],
        )?;
        for record in records {
            live.put(record);
        }
        let mut stmt = c
            .prepare("SELECT chat_id, connection_id, audience FROM chat_subscriptions")
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        for (chat, connection, audience) in rows {
            let chat = ChatId::parse(&chat).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let connection =
                ConnectionId::parse(&connection).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            live.subscribe_chat(&chat, &connection, audience_of(&audience));
        }
        let mut stmt = c
            .prepare(
                "SELECT group_id, connection_id, list_agent, list_view FROM group_subscriptions",
            )
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        for (group, connection, agent, view) in rows {
            let group = GroupId::parse(&group).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let connection =
                ConnectionId::parse(&connection).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let list = list_watch(agent.as_deref(), view.as_deref())?;
            if let Some(entry) = live.connections.get_mut(&connection) {
                entry.groups.insert(group.clone());
                live.groups
                    .entry(group)
                    .or_default()
                    .insert(connection, list);
            }
        }
        Ok(live)
    }

    /// As `put_connection` writes: the record replaced, subscriptions added where missing.
    fn put(&mut self, record: Connection) {
        let id = record.id.clone();
        let (chat, groups) = match &record.owner {
            ConnectionOwner::Agent { groups, .. } => (None, groups.clone()),
            ConnectionOwner::Customer { chat_id } => (Some(chat_id.clone()), Vec::new()),
        };
        match self.connections.get_mut(&id) {
            Some(entry) => entry.record = record,
            None => {
                self.connections.insert(
                    id.clone(),
                    LiveConnection {
                        record,
                        chats: BTreeSet::new(),
                        groups: BTreeSet::new(),
                    },
                );
            }
        }
        for g in groups {
            if let Some(entry) = self.connections.get_mut(&id) {
                entry.groups.insert(g.clone());
            }
            self.groups
                .entry(g)
                .or_default()
                .entry(id.clone())
                .or_insert(None);
        }
        if let Some(chat) = chat {
            self.subscribe_chat(&chat, &id, Audience::Customer);
        }
    }

    /// A subscription of a known connection (`INSERT OR IGNORE`: one that exists stays as is).
    fn subscribe_chat(&mut self, chat: &ChatId, connection: &ConnectionId, audience: Audience) {
        let Some(entry) = self.connections.get_mut(connection) else {
            return;
        };
        entry.chats.insert(chat.clone());
        self.chats
            .entry(chat.clone())
            .or_default()
            .entry(connection.clone())
            .or_insert(audience);
    }

    fn unsubscribe_agent(&mut self, chat: &ChatId, connection: &ConnectionId) {
        let Some(subscribers) = self.chats.get_mut(chat) else {
            return;
        };
        if subscribers.get(connection) != Some(&Audience::Agent) {
            return;
        }
        subscribers.remove(connection);
        if subscribers.is_empty() {
            self.chats.remove(chat);
        }
        if let Some(entry) = self.connections.get_mut(connection) {
            entry.chats.remove(chat);
        }
    }

    fn remove(&mut self, connection: &ConnectionId) {
        let Some(entry) = self.connections.remove(connection) else {
            return;
        };
        for chat in entry.chats {
            if let Some(subscribers) = self.chats.get_mut(&chat) {
                subscribers.remove(connection);
                if subscribers.is_empty() {
                    self.chats.remove(&chat);
                }
            }
        }
        for group in entry.groups {
            if let Some(members) = self.groups.get_mut(&group) {
                members.remove(connection);
                if members.is_empty() {
                    self.groups.remove(&group);
                }
            }
        }
    }

    fn watch_list(&mut self, connection: &ConnectionId, list: Option<&ListWatch>) {
        let Some(entry) = self.connections.get(connection) else {
            return;
        };
        for group in &entry.groups {
            if let Some(watch) = self
                .groups
                .get_mut(group)
                .and_then(|members| members.get_mut(connection))
            {
                *watch = list.cloned();
            }
        }
    }

    fn clear(&mut self) {
        *self = Live::default();
    }
}

fn audience_of(stored: &str) -> Audience {
    if stored == "customer" {
        Audience::Customer
    } else {
        Audience::Agent
    }
}

impl SqliteStore {
    fn live_read<T>(&self, f: impl FnOnce(&Live) -> T) -> Result<T, StoreError> {
        self.live
            .read()
            .map(|live| f(&live))
            .map_err(|_| StoreError::Corrupt("connection index lock poisoned".into()))
    }
}

/// Changes the index (called with the writer connection held, after the write committed).
fn live_write(live: &RwLock<Live>, f: impl FnOnce(&mut Live)) -> Result<(), StoreError> {
    live.write()
        .map(|mut live| f(&mut live))
        .map_err(|_| StoreError::Corrupt("connection index lock poisoned".into()))
}

#[async_trait]
impl ConnectionStore for SqliteStore {
    async fn put_connection(
        &self,
        connection: &Connection,
        max_per_principal: u32,
    ) -> Result<(), StoreError> {
        let connection = connection.clone();
        let live = self.live.clone();
        self.with(move |c| {
            let tx = c.transaction().map_err(db_err)?;
            let principal = connection.owner.principal_key();
            // One writer: the count and the insert below cannot interleave with another connect.
            let open: i64 = super::query_row(
                &tx,
                "SELECT COUNT(*) FROM connections
                 WHERE principal = ?1 AND expires_at > ?2 AND id <> ?3",
                params![
                    principal.as_str(),
                    connection.connected_at.millis(),
                    connection.id.as_str()
                ],
                |r| r.get(0),
            )
            .map_err(db_err)?;
            if open >= i64::from(max_per_principal) {
                return Err(StoreError::LimitReached {
                    what: "open connections per sign-in",
                    limit: max_per_principal,
                });
            }
            let doc = to_doc(&ConnectionRecord::from(&connection))?;
            super::execute(&tx,
                "INSERT INTO connections (id, doc, expires_at, principal) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, expires_at = excluded.expires_at,
                 principal = excluded.principal",
                params![connection.id.as_str(), doc, connection.expires_at.millis(), principal.as_str()],
            )
            .map_err(db_err)?;
            match &connection.owner {
                ConnectionOwner::Agent { groups, .. } => {
                    for g in groups {
                        super::execute(&tx,
                            "INSERT OR IGNORE INTO group_subscriptions (group_id, connection_id)
                             VALUES (?1, ?2)",
                            params![g.as_str(), connection.id.as_str()],
                        )
                        .map_err(db_err)?;
                    }
                }
                ConnectionOwner::Customer { chat_id } => {
                    super::execute(&tx,
                        "INSERT OR IGNORE INTO chat_subscriptions (chat_id, connection_id, audience)
                         VALUES (?1, ?2, 'customer')",
                        params![chat_id.as_str(), connection.id.as_str()],
                    )
                    .map_err(db_err)?;
                }
            }
            tx.commit().map_err(db_err)?;
            live_write(&live, |l| l.put(connection))
        })
        .await
    }

    async fn principal_connections(
        &self,
        principal: &PrincipalKey,
        now: Timestamp,
    ) -> Result<Vec<ConnectionId>, StoreError> {
        let principal = principal.clone();
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT id FROM connections WHERE principal = ?1 AND expires_at > ?2
                     ORDER BY id",
                )
                .map_err(db_err)?;
            let ids = stmt
                .query_map(params![principal.as_str(), now.millis()], |r| {
                    r.get::<_, String>(0)
                })
                .map_err(db_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(db_err)?;
            ids.iter()
                .map(|id| ConnectionId::parse(id).map_err(|e| StoreError::Corrupt(e.to_string())))
                .collect()
        })
        .await
    }

    async fn get_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        self.live_read(|l| l.connections.get(id).map(|c| c.record.clone()))
    }

    /// The local server is one process, so the frame counters live in memory here (a write per
    /// frame to the database would halve its message rate); the connection comes from the index.
    async fn admit_frame(
        &self,
        id: &ConnectionId,
        now: Timestamp,
        limit: RateLimit,
    ) -> Result<Admission, StoreError> {
        let Some(connection) = self.get_connection(id).await? else {
            return Ok(Admission::Unknown);
        };
        let window = now.millis() / limit.window_ms.max(1);
        let count = match self.frame_counters.lock() {
            Ok(mut counters) => {
                // Forget counters of past windows now and then so the map stays small.
                if counters.len() > 10_000 {
                    counters.retain(|_, (w, _)| *w == window);
                }
                let entry = counters.entry(id.clone()).or_insert((window, 0));
                if entry.0 != window {
                    *entry = (window, 0);
                }
                entry.1 += 1;
                entry.1
            }
            Err(_) => return Err(StoreError::Corrupt("rate counter lock poisoned".into())),
        };
        if count > limit.limit {
            Ok(Admission::Limited)
        } else {
            Ok(Admission::Admitted(connection))
        }
    }

    async fn remove_connection(&self, id: &ConnectionId) -> Result<(), StoreError> {
        let id = id.clone();
        let live = self.live.clone();
        self.with(move |c| {
            // Subscriptions go with it (ON DELETE CASCADE).
            super::execute(
                c,
                "DELETE FROM connections WHERE id = ?1",
                params![id.as_str()],
            )
            .map_err(db_err)?;
            live_write(&live, |l| l.remove(&id))
        })
        .await
    }

    async fn watch_chat(&self, chat: &ChatId, connection: &ConnectionId) -> Result<(), StoreError> {
        let (chat, connection) = (chat.clone(), connection.clone());
        let live = self.live.clone();
        self.with(move |c| {
            let n = super::execute(
                c,
                "INSERT OR IGNORE INTO chat_subscriptions (chat_id, connection_id, audience)
                     SELECT ?1, id, ?3 FROM connections WHERE id = ?2",
                params![
                    chat.as_str(),
                    connection.as_str(),
                    audience_str(Audience::Agent)
                ],
            )
            .map_err(db_err)?;
            if n == 0 {
                return Ok(());
            }
            live_write(&live, |l| {
                l.subscribe_chat(&chat, &connection, Audience::Agent);
            })
        })
        .await
    }

    async fn unwatch_chat(
        &self,
        chat: &ChatId,
        connection: &ConnectionId,
    ) -> Result<(), StoreError> {
        let (chat, connection) = (chat.clone(), connection.clone());
        let live = self.live.clone();
        self.with(move |c| {
            super::execute(
                c,
                "DELETE FROM chat_subscriptions WHERE chat_id = ?1 AND connection_id = ?2
                 AND audience = 'agent'",
                params![chat.as_str(), connection.as_str()],
            )
            .map_err(db_err)?;
            live_write(&live, |l| l.unsubscribe_agent(&chat, &connection))
        })
        .await
    }

    async fn chat_subscribers(&self, chat: &ChatId) -> Result<Vec<Subscriber>, StoreError> {
        self.live_read(|l| {
            l.chats
                .get(chat)
                .map(|subscribers| {
                    subscribers
                        .iter()
                        .map(|(connection, audience)| Subscriber {
                            connection: connection.clone(),
                            audience: *audience,
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    async fn group_subscribers(&self, group: &GroupId) -> Result<Vec<GroupSubscriber>, StoreError> {
        self.live_read(|l| {
            l.groups
                .get(group)
                .map(|members| {
                    members
                        .iter()
                        .map(|(connection, list)| GroupSubscriber {
                            connection: connection.clone(),
                            list: list.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    async fn list_watchers(&self, chat: &Chat) -> Result<Vec<ConnectionId>, StoreError> {
        self.live_read(|l| {
            l.groups
                .get(&chat.group_id)
                .map(|members| {
                    members
                        .iter()
                        .filter(|(_, list)| list_follows_messages_of(list.as_ref(), chat))
                        .map(|(connection, _)| connection.clone())
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    async fn watch_list(
        &self,
        connection: &ConnectionId,
        list: Option<&ListWatch>,
    ) -> Result<(), StoreError> {
        let connection = connection.clone();
        let agent = list.map(|l| l.agent_id.to_string());
        let view = list.map(|l| l.view.key());
        let watch = list.cloned();
        let live = self.live.clone();
        self.with(move |c| {
            super::execute(
                c,
                "UPDATE group_subscriptions SET list_agent = ?2, list_view = ?3
                 WHERE connection_id = ?1",
                params![connection.as_str(), agent, view],
            )
            .map_err(db_err)?;
            live_write(&live, |l| l.watch_list(&connection, watch.as_ref()))
        })
        .await
    }
}

/// A stored list watch: both columns or neither.
fn list_watch(agent: Option<&str>, view: Option<&str>) -> Result<Option<ListWatch>, StoreError> {
    match (agent, view) {
        (Some(agent), Some(view)) => Ok(Some(ListWatch {
            agent_id: AgentId::parse(agent).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            view: ChatView::parse_key(view)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown list view {view:?}")))?,
        })),
        _ => Ok(None),
    }
}

impl SqliteStore {
    /// Forgets every connection (the local server's sockets all close when it stops).
    pub async fn clear_connections(&self) -> Result<(), StoreError> {
        let live = self.live.clone();
        self.with(move |c| {
            super::execute(c, "DELETE FROM connections", []).map_err(db_err)?;
            live_write(&live, Live::clear)
        })
        .await
    }
}
