//! The embedded store's group-commit writer: commits queued together share one transaction,
//! and one that fails leaves nothing of itself behind while the others of its batch are kept.
//! Messages run without a savepoint of their own (they check everything before writing), so a
//! failure after a message's first write must redo its batch with every commit guarded.

use chatdesk::domain::numbering;
use chatdesk::domain::rules::{self, Sender};
use chatdesk::domain::{Chat, ClientMessageId, Role, Timestamp};
use chatdesk::ports::{ChatCommit, CommitOutcome, DirectoryStore, StoreError};
use chatdesk::sqlite::{SqliteStore, DATABASE_FILE};
use chatdesk_server::Stores;
use chatdesk_tests::contract::{agent, new_chat};

fn at(millis: i64) -> Timestamp {
    Timestamp(millis)
}

fn customer_message(before: &Chat, body: &str, now: Timestamp) -> ChatCommit {
    let m = rules::send_message(
        before,
        Sender::Customer,
        ClientMessageId::generate(),
        body,
        now,
    )
    .unwrap();
    let (chat, event) = numbering::next_event(before, m.chat, m.event, now);
    ChatCommit {
        before: before.clone(),
        chat,
        event,
        load: m.load,
    }
}

/// The sequence number and message count the database file holds for a chat, read past the
/// store's cache.
fn stored(db: &rusqlite::Connection, chat: &Chat) -> (i64, i64) {
    db.query_row(
        "SELECT last_seq, (SELECT COUNT(*) FROM events WHERE chat_id = ?1) FROM chats WHERE id = ?1",
        [chat.id.as_str()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

#[tokio::test]
async fn a_message_that_fails_after_writing_leaves_nothing_and_its_batch_neighbours_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).unwrap();
    let stores = Stores::all_in(store);
    let broken = new_chat(&stores, "support", "Ada", at(1_000)).await;
    let healthy: Vec<Chat> = three_more_chats(&stores).await;

    // The database refuses to update `broken`'s row: its next message stores its event, then
    // its chat row cannot be updated.
    let db = rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    db.execute_batch(&format!(
        "CREATE TRIGGER broken_chat BEFORE UPDATE ON chats WHEN NEW.id = '{}'
         BEGIN SELECT RAISE(ABORT, 'this chat cannot be updated'); END;",
        broken.id.as_str()
    ))
    .unwrap();
    let broken_before = stored(&db, &broken);
    let healthy_before: Vec<(i64, i64)> = healthy.iter().map(|c| stored(&db, c)).collect();

    // Queued together: the writer takes whatever is waiting into one transaction.
    let now = at(2_000);
    let broken_commit = customer_message(&broken, "this one cannot be stored", now);
    let healthy_commits: Vec<ChatCommit> = healthy
        .iter()
        .map(|c| customer_message(c, "this one is kept", now))
        .collect();
    let chats = stores.chats.clone();
    let mut all = vec![broken_commit];
    all.extend(healthy_commits);
    let outcomes = futures::future::join_all(all.iter().map(|commit| chats.commit(commit))).await;

    assert!(
        matches!(&outcomes[0], Err(StoreError::Backend(_))),
        "the broken commit fails: {:?}",
        outcomes[0]
    );
    for outcome in &outcomes[1..] {
        assert_eq!(outcome.as_ref().ok(), Some(&CommitOutcome::Committed));
    }
    // Nothing of the failed message: neither its chat row's new number nor an event.
    assert_eq!(stored(&db, &broken), broken_before);
    let stored_chat = stores.chats.get_chat(&broken.id).await.unwrap().unwrap();
    assert_eq!(stored_chat.last_seq, broken.last_seq);
    // Each neighbour has its message and its new number.
    for (chat, (seq, events)) in healthy.iter().zip(healthy_before) {
        assert_eq!(stored(&db, chat), (seq + 1, events + 1));
    }
}

async fn three_more_chats(stores: &Stores) -> Vec<Chat> {
    let mut chats = Vec::new();
    for name in ["Bo", "Cy", "Di"] {
        chats.push(new_chat(stores, "support", name, at(1_000)).await);
    }
    chats
}

/// A steady stream of messages does not grow the database's WAL without end (it did: 270 MB in
/// a benchmark run of 40,000 messages, then a checkpoint of all of it held every commit). The
/// writer finishes a checkpoint itself once the WAL holds 16 MiB of pages, and the next commit
/// starts the WAL over; the file is never larger than 32 MiB. Every message is still there.
#[tokio::test]
async fn a_stream_of_messages_keeps_the_wal_file_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).unwrap();
    let stores = Stores::all_in(store);
    let mut chat = new_chat(&stores, "support", "Ada", at(1_000)).await;
    let first_seq = chat.last_seq;
    let wal = dir.path().join(format!("{DATABASE_FILE}-wal"));
    // Each message takes a few 4 KiB pages (its event spills over one): 3,000 of them write
    // about 50 MB of WAL frames in all.
    let body = "x".repeat(chatdesk::domain::limits::MAX_MESSAGE_CHARS);
    let mut largest = 0;
    for i in 0..3_000 {
        // A second apart: the chat's pace limit lets each through.
        let commit = customer_message(&chat, &body, at(2_000 + i * 1_000));
        let outcome = stores.chats.commit(&commit).await.unwrap();
        assert!(matches!(outcome, CommitOutcome::Committed));
        chat = commit.chat;
        largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
    }
    assert!(
        largest <= 32 << 20,
        "the WAL file reached {largest} bytes during the stream"
    );
    let db = rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    let last_seq = (first_seq + 3_000) as i64;
    assert_eq!(chat.last_seq as i64, last_seq);
    assert_eq!(
        stored(&db, &chat),
        (last_seq, last_seq),
        "one event per number"
    );
}

/// The embedded store keeps the agents it has read, so that an agent's message does not query
/// the database to check the sender's access. A change to an agent is still read at once,
/// whether this process makes it or another process working on the same data directory does
/// (an operator command revoking a sign-in, deactivating or removing an agent), and also when
/// this process writes something else right after the other process's change.
#[tokio::test]
async fn an_agent_changed_here_or_by_another_process_is_read_as_changed_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = SqliteStore::open_dir(dir.path()).unwrap();
    // Another process's store: its own connections to the same file.
    let operator = SqliteStore::open_dir(dir.path()).unwrap();
    let ada = agent("ada", &["support"], Role::Agent, 3);
    let bo = agent("bo", &["support"], Role::Agent, 3);
    server.put_agent(&ada).await.unwrap();
    server.put_agent(&bo).await.unwrap();
    let epoch_of = |agent: Option<chatdesk::domain::Agent>| agent.unwrap().session_epoch;
    let first = epoch_of(server.get_agent(&ada.id).await.unwrap());
    assert_eq!(epoch_of(server.get_agent(&ada.id).await.unwrap()), first);

    operator
        .set_session_epoch(&ada.id, first + 1)
        .await
        .unwrap();
    assert_eq!(
        epoch_of(server.get_agent(&ada.id).await.unwrap()),
        first + 1,
        "a sign-in revoked by another process"
    );

    // Another process's change, then a write of this process before the next read.
    operator
        .set_session_epoch(&ada.id, first + 2)
        .await
        .unwrap();
    server.put_agent(&bo).await.unwrap();
    assert_eq!(
        epoch_of(server.get_agent(&ada.id).await.unwrap()),
        first + 2,
        "a change by another process followed by one of this process"
    );

    let mut deactivated = server.get_agent(&ada.id).await.unwrap().unwrap();
    deactivated.deactivated_at = Some(at(5_000));
    operator.put_agent(&deactivated).await.unwrap();
    let read = server.get_agent(&ada.id).await.unwrap().unwrap();
    assert_eq!(
        read.deactivated_at,
        Some(at(5_000)),
        "deactivated elsewhere"
    );

    server.set_session_epoch(&ada.id, first + 3).await.unwrap();
    assert_eq!(
        epoch_of(server.get_agent(&ada.id).await.unwrap()),
        first + 3,
        "a sign-in revoked by this process"
    );

    assert!(operator.delete_agent(&ada.id).await.unwrap());
    assert!(
        server.get_agent(&ada.id).await.unwrap().is_none(),
        "removed by another process"
    );
    assert_eq!(
        epoch_of(server.get_agent(&bo.id).await.unwrap()),
        bo.session_epoch,
        "the other agent is unchanged"
    );
}
