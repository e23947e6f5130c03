use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{params, OptionalExtension, Transaction};

use super::records::{to_doc, ChatRecord, EventRecord};
use super::{db_err, doc_where, docs_where, SqliteStore};
use crate::domain::handoff;
use crate::domain::queue_place::QUEUE_READ_LIMIT;
use crate::domain::rules::LoadChange;
use crate::domain::{Awaiting, Chat, ChatEvent, ChatId, ClientMessageId, GroupId, Timestamp};
use crate::ports::indexing::{list_position, ListBucket, ListPosition};
use crate::ports::{ChatCommit, ChatFilter, ChatStore, CommitOutcome, StoreError};

fn bucket_columns(chat: &Chat) -> (&'static str, bool, i64) {
    let (bucket, at) = list_position(chat);
    let state = chat.state.as_str();
    (state, bucket == ListBucket::Deleted, at.millis())
}

/// The `await_key` and `await_since` columns: what the chat waits for from its agent, and
/// since when (the hand-off sweep's index).
fn await_columns(chat: &Chat) -> (Option<&'static str>, Option<i64>) {
    match handoff::awaiting(chat) {
        Some((kind, since)) => (Some(kind.key()), Some(since.millis())),
        None => (None, None),
    }
}

fn insert_event(tx: &Transaction<'_>, event: &ChatEvent) -> Result<(), StoreError> {
    insert_event_on(tx, event)
}

fn insert_event_on(tx: &rusqlite::Connection, event: &ChatEvent) -> Result<(), StoreError> {
    let doc = to_doc(&EventRecord::from(event))?;
    super::execute(
        tx,
        "INSERT INTO events (chat_id, seq, client_msg_id, doc) VALUES (?1, ?2, ?3, ?4)",
        params![
            event.chat_id.as_str(),
            event.seq as i64,
            event.kind.client_msg_id().map(|c| c.as_str()),
            doc
        ],
    )
    .map_err(db_err)?;
    Ok(())
}

/// What the commit writer needs of a `ChatCommit`: the chat as changed, its event and load
/// change, and of the chat as read only the compare-and-set's sequence number and whether the
/// change moves a list key (the chat as read is not copied to the writer).
pub(super) struct PreparedCommit {
    /// Shared with the chat cache once committed (no copy of the chat for it).
    pub(super) chat: std::sync::Arc<Chat>,
    event: ChatEvent,
    load: LoadChange,
    expected_seq: u64,
    keys_unchanged: bool,
}

impl PreparedCommit {
    pub(super) fn of(commit: &ChatCommit) -> PreparedCommit {
        let (before, chat) = (&commit.before, &commit.chat);
        // The row is the one `before` was read from (same `last_seq`), so its indexed columns
        // are `before`'s.
        let keys_unchanged = chat.group_id == before.group_id
            && chat.agent_id == before.agent_id
            && bucket_columns(chat) == bucket_columns(before)
            && await_columns(chat) == await_columns(before);
        PreparedCommit {
            chat: std::sync::Arc::new(chat.clone()),
            event: commit.event.clone(),
            load: commit.load.clone(),
            expected_seq: commit.expected_seq(),
            keys_unchanged,
        }
    }
}

impl PreparedCommit {
    /// Whether the commit can fail after its first write (an agent at their limit refuses the
    /// assignment once the chat's row is updated): only such a commit needs a savepoint of its
    /// own for a failure to leave nothing behind.
    pub(super) fn may_fail_after_writing(&self) -> bool {
        self.load.acquire.is_some()
    }
}

/// One commit's checks and writes, inside the caller's transaction (the group-commit writer
/// runs each that may fail after writing in its own savepoint, so one that fails leaves the
/// others untouched). `wrote` is set once the commit has written anything: its checks all come
/// first, so a failure before that leaves the database as it was.
pub(super) fn apply_commit(
    tx: &rusqlite::Connection,
    commit: &PreparedCommit,
    wrote: &mut bool,
) -> Result<CommitOutcome, StoreError> {
    let chat: &Chat = &commit.chat;
    // The event first: the table's unique keys answer what a query would ask before it. Its
    // number taken means another change of the chat won the race for it (the compare-and-set
    // below would fail too); its client id taken means the message is already stored (a
    // retried send). A refused insert writes nothing.
    if let Err(e) = insert_event_on(tx, &commit.event) {
        return match refused_event(&e) {
            Some(EventRefused::NumberTaken) => Err(StoreError::Stale),
            Some(EventRefused::NoChat) => Err(StoreError::NotFound(format!("chat {}", chat.id))),
            Some(EventRefused::ClientIdTaken) => match commit.event.kind.client_msg_id() {
                Some(cmid) => match find_message_tx(tx, &chat.id, cmid)? {
                    Some(existing) => Ok(CommitOutcome::DuplicateMessage(existing)),
                    None => Err(e),
                },
                None => Err(e),
            },
            None => Err(e),
        };
    }
    *wrote = true;
    let (state, deleted, sort_ts) = bucket_columns(chat);
    let (await_key, await_since) = await_columns(chat);
    let doc = to_doc(&ChatRecord::from(chat))?;
    // A change that moves no indexed column (every message but the few that start or stop a
    // hand-off clock) sets only the sequence number and the document: SQLite rewrites the
    // entries of every index whose columns an UPDATE sets, even to the same values, and those
    // were two more pages written per message.
    let updated = if commit.keys_unchanged {
        super::execute(
            tx,
            "UPDATE chats SET last_seq = ?2, doc = ?3 WHERE id = ?1 AND last_seq = ?4",
            params![
                chat.id.as_str(),
                chat.last_seq as i64,
                doc,
                commit.expected_seq as i64
            ],
        )
    } else {
        super::execute(
            tx,
            "UPDATE chats SET group_id = ?2, agent_id = ?3, state = ?4, deleted = ?5,
                     sort_ts = ?6, last_seq = ?7, doc = ?8, await_key = ?10, await_since = ?11
                 WHERE id = ?1 AND last_seq = ?9",
            params![
                chat.id.as_str(),
                chat.group_id.as_str(),
                chat.agent_id.as_ref().map(|a| a.as_str()),
                state,
                deleted,
                sort_ts,
                chat.last_seq as i64,
                doc,
                commit.expected_seq as i64,
                await_key,
                await_since
            ],
        )
    }
    .map_err(db_err)?;
    if updated == 0 {
        let exists: Option<i64> = super::query_row(
            tx,
            "SELECT last_seq FROM chats WHERE id = ?1",
            params![chat.id.as_str()],
            |r| r.get(0),
        )
        .optional()
        .map_err(db_err)?;
        return Err(match exists {
            Some(_) => StoreError::Stale,
            None => StoreError::NotFound(format!("chat {}", chat.id)),
        });
    }
    if let Some((agent, limit)) = &commit.load.acquire {
        let acquired = super::execute(
            tx,
            "UPDATE agents SET active_chats = active_chats + 1, last_assigned_at = ?3
                 WHERE id = ?1 AND active_chats < ?2",
            params![agent.as_str(), *limit as i64, commit.event.at.millis()],
        )
        .map_err(db_err)?;
        if acquired == 0 {
            return Err(StoreError::AtCapacity {
                agent: agent.to_string(),
                limit: *limit,
            });
        }
    }
    if let Some(agent) = &commit.load.release {
        super::execute(
            tx,
            "UPDATE agents SET active_chats = MAX(active_chats - 1, 0) WHERE id = ?1",
            params![agent.as_str()],
        )
        .map_err(db_err)?;
    }
    Ok(CommitOutcome::Committed)
}

/// Why the database refused an event's insert, where a commit answers it otherwise.
enum EventRefused {
    /// `(chat_id, seq)`: the chat's next number is taken.
    NumberTaken,
    /// `(chat_id, client_msg_id)`: the message is already stored.
    ClientIdTaken,
    /// No such chat (the events' foreign key).
    NoChat,
}

fn refused_event(e: &StoreError) -> Option<EventRefused> {
    let StoreError::Backend(source) = e else {
        return None;
    };
    let Some(rusqlite::Error::SqliteFailure(failure, _)) = source.downcast_ref::<rusqlite::Error>()
    else {
        return None;
    };
    match failure.extended_code {
        rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => Some(EventRefused::NumberTaken),
        rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => Some(EventRefused::ClientIdTaken),
        rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY => Some(EventRefused::NoChat),
        _ => None,
    }
}

fn find_message_tx(
    c: &rusqlite::Connection,
    chat: &ChatId,
    client_msg_id: &ClientMessageId,
) -> Result<Option<ChatEvent>, StoreError> {
    doc_where::<EventRecord, _, _>(
        c,
        "SELECT doc FROM events WHERE chat_id = ?1 AND client_msg_id = ?2",
        params![chat.as_str(), client_msg_id.as_str()],
    )
}

/// The query of one list page: the filter's rows in `ListPosition` order, after `after`. Only
/// the live list holds two buckets, ranked queued (0) before active (1).
fn list_query(
    filter: &ChatFilter,
    after: Option<&ListPosition>,
    limit: usize,
) -> (String, Vec<Value>) {
    let (scope, key) = match filter {
        ChatFilter::GroupLive(g) => (
            "group_id = ?1 AND deleted = 0 AND state IN ('queued', 'active')",
            g.as_str(),
        ),
        ChatFilter::GroupEnded(g) => (
            "group_id = ?1 AND deleted = 0 AND state = 'inactive'",
            g.as_str(),
        ),
        ChatFilter::GroupQueue(g) => (
            "group_id = ?1 AND deleted = 0 AND state = 'queued'",
            g.as_str(),
        ),
        ChatFilter::GroupDeleted(g) => ("group_id = ?1 AND deleted = 1", g.as_str()),
        ChatFilter::AgentActive(a) => (
            "agent_id = ?1 AND deleted = 0 AND state = 'active'",
            a.as_str(),
        ),
        ChatFilter::AgentEnded(a) => (
            "agent_id = ?1 AND deleted = 0 AND state = 'inactive'",
            a.as_str(),
        ),
    };
    let live = matches!(filter, ChatFilter::GroupLive(_));
    let (cmp, dir) = if filter.newest_first() {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let mut args = vec![Value::Text(key.to_owned())];
    let mut sql = format!("SELECT doc FROM chats WHERE {scope}");
    if let Some(p) = after {
        if live {
            sql.push_str(&format!(
                " AND ((state = 'active'), sort_ts, id) {cmp} (?2, ?3, ?4)"
            ));
            args.push(Value::Integer(i64::from(p.bucket == ListBucket::Active)));
        } else {
            sql.push_str(&format!(" AND (sort_ts, id) {cmp} (?2, ?3)"));
        }
        args.push(Value::Integer(p.at.millis()));
        args.push(Value::Text(p.chat_id.as_str().to_owned()));
    }
    let rank = if live { "(state = 'active') ASC, " } else { "" };
    sql.push_str(&format!(
        " ORDER BY {rank}sort_ts {dir}, id {dir} LIMIT ?{}",
        args.len() + 1
    ));
    args.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    (sql, args)
}

#[async_trait]
impl ChatStore for SqliteStore {
    async fn create_chat(&self, chat: &Chat, events: &[ChatEvent]) -> Result<(), StoreError> {
        let chat = chat.clone();
        let events = events.to_vec();
        let cache = self.chats.clone();
        self.with(move |c| {
            let tx = c.transaction().map_err(db_err)?;
            let (state, deleted, sort_ts) = bucket_columns(&chat);
            let (await_key, await_since) = await_columns(&chat);
            let doc = to_doc(&ChatRecord::from(&chat))?;
            let inserted = super::execute(
                &tx,
                "INSERT INTO chats (id, group_id, agent_id, state, deleted, sort_ts, last_seq, doc,
                                    await_key, await_since, customer_key, started_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                     ON CONFLICT (id) DO NOTHING",
                params![
                    chat.id.as_str(),
                    chat.group_id.as_str(),
                    chat.agent_id.as_ref().map(|a| a.as_str()),
                    state,
                    deleted,
                    sort_ts,
                    chat.last_seq as i64,
                    doc,
                    await_key,
                    await_since,
                    crate::domain::history::customer_key(&chat.customer),
                    chat.started_at.millis()
                ],
            )
            .map_err(db_err)?;
            if inserted == 0 {
                return Err(StoreError::AlreadyExists(format!("chat {}", chat.id)));
            }
            for event in &events {
                insert_event(&tx, event)?;
            }
            tx.commit().map_err(db_err)?;
            cache.put(&chat);
            Ok(())
        })
        .await
    }

    async fn get_chat(&self, id: &ChatId) -> Result<Option<Chat>, StoreError> {
        if let Some(chat) = self.chats.get(id) {
            return Ok(Some(chat));
        }
        let id = id.clone();
        self.read_by_key(move |c| {
            doc_where::<ChatRecord, _, _>(
                c,
                "SELECT doc FROM chats WHERE id = ?1",
                params![id.as_str()],
            )
        })
        .await
    }

    /// Queued to the group-commit writer (`SqliteStore::commit_grouped`): the commits waiting
    /// together go in one transaction, each checked on its own, and each is answered only
    /// after that transaction is committed.
    async fn commit(&self, commit: &ChatCommit) -> Result<CommitOutcome, StoreError> {
        self.commit_grouped(PreparedCommit::of(commit)).await
    }

    async fn events_after(
        &self,
        chat: &ChatId,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<ChatEvent>, StoreError> {
        let chat = chat.clone();
        self.read(move |c| {
            docs_where::<EventRecord, _, _>(
                c,
                "SELECT doc FROM events WHERE chat_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                params![
                    chat.as_str(),
                    i64::try_from(after_seq).unwrap_or(i64::MAX),
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
            )
        })
        .await
    }

    async fn find_message(
        &self,
        chat: &ChatId,
        client_msg_id: &ClientMessageId,
    ) -> Result<Option<ChatEvent>, StoreError> {
        let (chat, cmid) = (chat.clone(), client_msg_id.clone());
        self.read_by_key(move |c| find_message_tx(c, &chat, &cmid))
            .await
    }

    async fn list_chats_after(
        &self,
        filter: &ChatFilter,
        after: Option<&ListPosition>,
        limit: usize,
    ) -> Result<Vec<Chat>, StoreError> {
        if after.is_some_and(|p| !filter.buckets().contains(&p.bucket)) {
            return Ok(Vec::new());
        }
        let filter = filter.clone();
        let after = after.cloned();
        self.read(move |c| {
            let (sql, args) = list_query(&filter, after.as_ref(), limit);
            docs_where::<ChatRecord, _, _>(c, &sql, rusqlite::params_from_iter(args))
        })
        .await
    }

    async fn queue_position(&self, chat: &Chat) -> Result<u32, StoreError> {
        let chat = chat.clone();
        self.read(move |c| {
            let (_, sort_ts) = list_position(&chat);
            let ahead: i64 = super::query_row(
                c,
                "SELECT COUNT(*) FROM (SELECT 1 FROM chats WHERE group_id = ?1 AND deleted = 0
                     AND state = 'queued' AND (sort_ts < ?2 OR (sort_ts = ?2 AND id < ?3))
                     LIMIT ?4)",
                params![
                    chat.group_id.as_str(),
                    sort_ts.millis(),
                    chat.id.as_str(),
                    QUEUE_READ_LIMIT as i64
                ],
                |r| r.get(0),
            )
            .map_err(db_err)?;
            Ok(ahead.max(0) as u32)
        })
        .await
    }

    async fn awaiting_chats(
        &self,
        group: &GroupId,
        kind: Awaiting,
        until: Timestamp,
        limit: usize,
    ) -> Result<Vec<ChatId>, StoreError> {
        let group = group.clone();
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT id FROM chats
                     WHERE group_id = ?1 AND await_key = ?2 AND await_since <= ?3
                     ORDER BY await_since, id LIMIT ?4",
                )
                .map_err(db_err)?;
            let rows = stmt
                .query_map(
                    params![group.as_str(), kind.key(), until.millis(), limit as i64],
                    |r| r.get::<_, String>(0),
                )
                .map_err(db_err)?;
            let mut ids = Vec::new();
            for row in rows {
                let id = row.map_err(db_err)?;
                ids.push(ChatId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?);
            }
            Ok(ids)
        })
        .await
    }

    async fn note_agent_activity(&self, before: &Chat, at: Timestamp) -> Result<bool, StoreError> {
        let mut chat = before.clone();
        chat.agent_active_at = Some(at);
        let cache = self.chats.clone();
        self.with(move |c| {
            let (await_key, await_since) = await_columns(&chat);
            let doc = to_doc(&ChatRecord::from(&chat))?;
            let updated = super::execute(
                c,
                "UPDATE chats SET doc = ?2, await_key = ?3, await_since = ?4
                 WHERE id = ?1 AND last_seq = ?5",
                params![
                    chat.id.as_str(),
                    doc,
                    await_key,
                    await_since,
                    chat.last_seq as i64
                ],
            )
            .map_err(db_err)?;
            if updated == 1 {
                // Still holding the writer, as every write of a chat does.
                cache.put(&chat);
            }
            Ok(updated == 1)
        })
        .await
    }

    /// One transaction: the chat row goes only while it is deleted and at the expected sequence
    /// number, its events with it; a purge that loses a race writes nothing.
    async fn purge_chat(&self, id: &ChatId, expected_seq: u64) -> Result<(), StoreError> {
        let id = id.clone();
        let cache = self.chats.clone();
        self.with(move |c| {
            let tx = rusqlite::Transaction::new(c, rusqlite::TransactionBehavior::Immediate)
                .map_err(db_err)?;
            let n = super::execute(
                &tx,
                "DELETE FROM chats WHERE id = ?1 AND last_seq = ?2 AND deleted = 1",
                params![id.as_str(), expected_seq as i64],
            )
            .map_err(db_err)?;
            if n == 0 {
                let exists: Option<i64> = super::query_row(
                    &tx,
                    "SELECT 1 FROM chats WHERE id = ?1",
                    params![id.as_str()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_err)?;
                return Err(match exists {
                    Some(_) => StoreError::Stale,
                    None => StoreError::NotFound(format!("chat {id}")),
                });
            }
            super::execute(
                &tx,
                "DELETE FROM events WHERE chat_id = ?1",
                params![id.as_str()],
            )
            .map_err(db_err)?;
            tx.commit().map_err(db_err)?;
            cache.remove(&id);
            Ok(())
        })
        .await
    }

    async fn finish_purge(&self, _id: &ChatId) -> Result<Option<Chat>, StoreError> {
        // A purge here is one transaction: it never leaves anything behind.
        Ok(None)
    }
}
