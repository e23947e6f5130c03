use async_trait::async_trait;
use rusqlite::params;

use super::records::{to_doc, ConnectionRecord};
use super::{db_err, doc_where, SqliteStore};
use crate::domain::{AgentId, ChatId, ChatView, GroupId, ListWatch, Timestamp};
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

#[async_trait]
impl ConnectionStore for SqliteStore {
    async fn put_connection(
        &self,
        connection: &Connection,
        max_per_principal: u32,
    ) -> Result<(), StoreError> {
        let connection = connection.clone();
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
            tx.commit().map_err(db_err)
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
        let id = id.clone();
        self.read(move |c| {
            doc_where::<ConnectionRecord, _, _>(
                c,
                "SELECT doc FROM connections WHERE id = ?1",
                params![id.as_str()],
            )
        })
        .await
    }

    /// The local server is one process, so the frame counters live in memory here (a write per
    /// frame to the database would halve its message rate); the connection comes from a reader.
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
        self.with(move |c| {
            // Subscriptions go with it (ON DELETE CASCADE).
            super::execute(
                c,
                "DELETE FROM connections WHERE id = ?1",
                params![id.as_str()],
            )
            .map_err(db_err)?;
            Ok(())
        })
        .await
    }

    async fn watch_chat(&self, chat: &ChatId, connection: &ConnectionId) -> Result<(), StoreError> {
        let (chat, connection) = (chat.clone(), connection.clone());
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
            let _ = n;
            Ok(())
        })
        .await
    }

    async fn unwatch_chat(
        &self,
        chat: &ChatId,
        connection: &ConnectionId,
    ) -> Result<(), StoreError> {
        let (chat, connection) = (chat.clone(), connection.clone());
        self.with(move |c| {
            super::execute(
                c,
                "DELETE FROM chat_subscriptions WHERE chat_id = ?1 AND connection_id = ?2
                 AND audience = 'agent'",
                params![chat.as_str(), connection.as_str()],
            )
            .map_err(db_err)?;
            Ok(())
        })
        .await
    }

    async fn chat_subscribers(&self, chat: &ChatId) -> Result<Vec<Subscriber>, StoreError> {
        let chat = chat.clone();
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT connection_id, audience FROM chat_subscriptions WHERE chat_id = ?1
                     ORDER BY connection_id",
                )
                .map_err(db_err)?;
            let rows = stmt
                .query_map(params![chat.as_str()], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(db_err)?;
            let mut out = Vec::new();
            for row in rows {
                let (id, audience) = row.map_err(db_err)?;
                out.push(Subscriber {
                    connection: ConnectionId::parse(&id)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    audience: if audience == "customer" {
                        Audience::Customer
                    } else {
                        Audience::Agent
                    },
                });
            }
            Ok(out)
        })
        .await
    }

    async fn group_subscribers(&self, group: &GroupId) -> Result<Vec<GroupSubscriber>, StoreError> {
        let group = group.clone();
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT connection_id, list_agent, list_view FROM group_subscriptions
                     WHERE group_id = ?1 ORDER BY connection_id",
                )
                .map_err(db_err)?;
            let rows = stmt
                .query_map(params![group.as_str()], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                })
                .map_err(db_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(db_err)?;
            rows.into_iter()
                .map(|(id, agent, view)| {
                    Ok(GroupSubscriber {
                        connection: ConnectionId::parse(&id)
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                        list: list_watch(agent.as_deref(), view.as_deref())?,
                    })
                })
                .collect()
        })
        .await
    }

    async fn watch_list(
        &self,
        connection: &ConnectionId,
        list: Option<&ListWatch>,
    ) -> Result<(), StoreError> {
        let connection = connection.clone();
        let agent = list.map(|l| l.agent_id.to_string());
        let view = list.map(|l| l.view.key());
        self.with(move |c| {
            super::execute(
                c,
                "UPDATE group_subscriptions SET list_agent = ?2, list_view = ?3
                 WHERE connection_id = ?1",
                params![connection.as_str(), agent, view],
            )
            .map_err(db_err)?;
            Ok(())
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
        self.with(|c| {
            super::execute(c, "DELETE FROM connections", []).map_err(db_err)?;
            Ok(())
        })
        .await
    }
}
