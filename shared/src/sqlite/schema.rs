use rusqlite::Connection;

use super::db_err;
use crate::ports::StoreError;

/// Each entry upgrades the schema by one version; `user_version` records how far a database is.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE groups (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE agents (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    doc           TEXT NOT NULL,
    password_hash TEXT,
    active_chats  INTEGER NOT NULL DEFAULT 0
);
-- The chat document is JSON; the columns beside it exist for the list queries.
CREATE TABLE chats (
    id       TEXT PRIMARY KEY,
    group_id TEXT NOT NULL,
    agent_id TEXT,
    state    TEXT NOT NULL,
    deleted  INTEGER NOT NULL,
    sort_ts  INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    doc      TEXT NOT NULL
);
CREATE INDEX chats_by_group ON chats (group_id, deleted, state, sort_ts);
CREATE INDEX chats_by_agent ON chats (agent_id, deleted, state, sort_ts);
CREATE TABLE events (
    chat_id       TEXT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    client_msg_id TEXT,
    doc           TEXT NOT NULL,
    PRIMARY KEY (chat_id, seq)
);
CREATE UNIQUE INDEX events_by_client_msg_id ON events (chat_id, client_msg_id)
    WHERE client_msg_id IS NOT NULL;
CREATE TABLE preferences (
    agent_id TEXT PRIMARY KEY,
    doc      TEXT NOT NULL
);
"#,
    r#"
CREATE TABLE connections (
    id         TEXT PRIMARY KEY,
    doc        TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE chat_subscriptions (
    chat_id       TEXT NOT NULL,
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    audience      TEXT NOT NULL,
    PRIMARY KEY (chat_id, connection_id)
);
CREATE INDEX chat_subscriptions_by_connection ON chat_subscriptions (connection_id);
CREATE TABLE group_subscriptions (
    group_id      TEXT NOT NULL,
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, connection_id)
);
CREATE INDEX group_subscriptions_by_connection ON group_subscriptions (connection_id);
"#,
    // The knowledge base: articles and resolutions as documents (embeddings as little-endian
    // f32 blobs beside them), a version counter for index freshness, deflection events.
    r#"
CREATE TABLE articles (
    id         TEXT PRIMARY KEY,
    doc        TEXT NOT NULL,
    embedding  BLOB
);
CREATE TABLE resolutions (
    chat_id    TEXT PRIMARY KEY,
    doc        TEXT NOT NULL,
    embedding  BLOB
);
CREATE TABLE knowledge_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO knowledge_version (id, version) VALUES (1, 0);
CREATE TABLE deflection_events (
    question_id TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    action      TEXT NOT NULL,
    group_id    TEXT,
    at          INTEGER NOT NULL,
    PRIMARY KEY (question_id, item_id, action)
);
"#,
    // How each group's chats reach agents: pulled from the queue (as before) or automatic.
    r#"
ALTER TABLE groups ADD COLUMN distribution TEXT NOT NULL DEFAULT 'pull';
"#,
    // Connections by principal (an agent, or a customer's chat): their number is limited, and
    // they are what a revoked sign-in closes.
    r#"
ALTER TABLE connections ADD COLUMN principal TEXT NOT NULL DEFAULT '';
CREATE INDEX connections_by_principal ON connections (principal, expires_at);
"#,
    // Sign-in attempts per username and per client address, one row per key and fixed window;
    // rows go once their window has ended.
    r#"
CREATE TABLE throttle (
    key          TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    attempts     INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX throttle_by_expiry ON throttle (expires_at);
"#,
    // Resolutions no longer keep the customer's question (it may hold personal data and was
    // shown as the suggestion's title). Embeddings made from it are dropped too: the index
    // recomputes them from the agent's note alone, and the version bump makes it rebuild.
    r#"
UPDATE resolutions SET doc = json_remove(doc, '$.question'), embedding = NULL;
UPDATE knowledge_version SET version = version + 1 WHERE id = 1;
"#,
    // The list an agent connection shows, on each of its group subscriptions: list changes go
    // only where a list holding the chat is on screen.
    r#"
ALTER TABLE group_subscriptions ADD COLUMN list_agent TEXT;
ALTER TABLE group_subscriptions ADD COLUMN list_view TEXT;
"#,
    // Who had the last turn in each round-robin group.
    r#"
CREATE TABLE round_robin_turns (
    group_id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL
);
"#,
    // When each agent was last assigned a chat: automatic distribution's tie-break.
    r#"
ALTER TABLE agents ADD COLUMN last_assigned_at INTEGER;
"#,
    // Hand-off timers: each group's settings (JSON; none = the defaults), what each active chat
    // waits for from its agent and since when (`handoff::awaiting`, indexed only where set), and
    // since when each agent has had no console open.
    r#"
ALTER TABLE groups ADD COLUMN hand_off TEXT;
ALTER TABLE chats ADD COLUMN await_key TEXT;
ALTER TABLE chats ADD COLUMN await_since INTEGER;
CREATE INDEX chats_awaiting ON chats (group_id, await_key, await_since)
    WHERE await_key IS NOT NULL;
ALTER TABLE agents ADD COLUMN offline_since INTEGER;
CREATE INDEX agents_offline ON agents (offline_since) WHERE offline_since IS NOT NULL;
"#,
    // Offline messages, one document each; the inbox lists a group's messages of one status,
    // newest first.
    r#"
CREATE TABLE offline_messages (
    id          TEXT PRIMARY KEY,
    group_id    TEXT NOT NULL,
    status      TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    revision    INTEGER NOT NULL,
    doc         TEXT NOT NULL
);
CREATE INDEX offline_messages_inbox ON offline_messages (group_id, status, received_at, id);
"#,
    // The outbox: each mail with its delivery (JSON), what it is about, and, while it is
    // pending, when its next attempt is due (indexed only there) and who holds its lease.
    r#"
CREATE TABLE mails (
    id              TEXT PRIMARY KEY,
    about           TEXT NOT NULL,
    next_attempt_at INTEGER,
    lease_token     TEXT,
    doc             TEXT NOT NULL
);
CREATE INDEX mails_about ON mails (about, id);
CREATE INDEX mails_due ON mails (next_attempt_at, id) WHERE next_attempt_at IS NOT NULL;
"#,
    // Business hours, offline behaviour and texts of each group (JSON, `records::offline`):
    // NULL is the default (always open, the customer chooses, the built-in texts).
    r#"
ALTER TABLE groups ADD COLUMN business_hours TEXT;
ALTER TABLE groups ADD COLUMN offline TEXT;
ALTER TABLE groups ADD COLUMN texts TEXT;
"#,
    // The audit log: entries ordered by id (time first), added only; the triggers refuse any
    // change or removal, whoever runs the SQL.
    r#"
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is never changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is never changed'); END;
"#,
    // Internal notes on chats, numbered per chat; a chat's purge removes them with it.
    r#"
CREATE TABLE chat_notes (
    chat_id TEXT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    number  INTEGER NOT NULL,
    doc     TEXT NOT NULL,
    PRIMARY KEY (chat_id, number)
);
"#,
    // Customer history: who each chat's customer is (`history::customer_key`: the verified user
    // id, else the lower-cased e-mail address) and when it started, indexed where known. Chats
    // stored before are filled in from their documents.
    r#"
ALTER TABLE chats ADD COLUMN customer_key TEXT;
ALTER TABLE chats ADD COLUMN started_at INTEGER;
UPDATE chats SET
    started_at = json_extract(doc, '$.started_at'),
    customer_key = CASE
        WHEN json_extract(doc, '$.customer.verified_user_id') IS NOT NULL
            THEN 'user:' || json_extract(doc, '$.customer.verified_user_id')
        WHEN trim(coalesce(json_extract(doc, '$.customer.email'), '')) <> ''
            THEN 'email:' || lower(trim(json_extract(doc, '$.customer.email')))
    END;
CREATE INDEX chats_by_customer ON chats (customer_key, started_at, id)
    WHERE customer_key IS NOT NULL;
"#,
    // Canned replies, one document each; a shortcut is unique within its scope (the index also
    // lists a scope in shortcut order), and the usage count is a column of its own, raised in
    // place.
    r#"
CREATE TABLE canned_replies (
    id       TEXT PRIMARY KEY,
    scope    TEXT NOT NULL,
    shortcut TEXT NOT NULL,
    revision INTEGER NOT NULL,
    uses     INTEGER NOT NULL DEFAULT 0,
    doc      TEXT NOT NULL,
    UNIQUE (scope, shortcut)
);
"#,
    // The organisation's settings (one row), changed by administrators in the console.
    r#"
CREATE TABLE organisation (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    doc TEXT NOT NULL
);
"#,
];

pub fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let current: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(db_err)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        conn.execute_batch(&format!(
            "BEGIN; {sql} PRAGMA user_version = {}; COMMIT;",
            i + 1
        ))
        .map_err(db_err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database written before resolutions stopped keeping the customer's question: after
    /// the upgrade the question is gone from disk, not only unread.
    #[test]
    fn upgrading_removes_the_customer_question_from_stored_resolutions() {
        let conn = Connection::open_in_memory().unwrap();
        let scrub = MIGRATIONS
            .iter()
            .position(|m| m.contains("json_remove(doc, '$.question')"))
            .unwrap();
        for (i, sql) in MIGRATIONS.iter().enumerate().take(scrub) {
            conn.execute_batch(&format!(
                "BEGIN; {sql} PRAGMA user_version = {}; COMMIT;",
                i + 1
            ))
            .unwrap();
        }
        let legacy = r#"{"chat_id":"c1","group_id":"g","question":"I am Ann, card 4111 1111",
            "resolution":"Reset the password","agent_name":"Al","resolved_at":5}"#;
        conn.execute(
            "INSERT INTO resolutions (chat_id, doc, embedding) VALUES ('c1', ?1, x'0000803f')",
            [legacy],
        )
        .unwrap();
        migrate(&conn).unwrap();
        let (doc, embedding, version): (String, Option<Vec<u8>>, i64) = conn
            .query_row(
                "SELECT doc, embedding, (SELECT version FROM knowledge_version)
                 FROM resolutions WHERE chat_id = 'c1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert!(!doc.contains("question") && !doc.contains("4111"), "{doc}");
        assert!(doc.contains("Reset the password"), "{doc}");
        assert_eq!(
            embedding, None,
            "made from the question too: recomputed from the note"
        );
        assert_eq!(version, 1, "indexes rebuild");
    }
}
