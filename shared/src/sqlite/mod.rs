//! The embedded store: SQLite (through rusqlite, bundled) in one file of the data directory.
//! WAL mode, one connection behind a mutex: SQLite has a single writer anyway, and every
//! operation is a short transaction run off the async threads.

mod agent_cache;
mod audit;
mod canned;
mod chats;
mod connections;
mod directory;
mod history;
mod inbox;
mod knowledge;
mod notes;
mod organisation;
mod outbox;
mod preferences;
mod records;
mod schema;
mod throttle;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension};
use serde::de::DeserializeOwned;

use crate::ports::{CommitOutcome, StoreError};

/// One writer connection (SQLite allows one writer at a time) and, for a database file, a few
/// reader connections: in WAL mode readers never wait for the writer, so list and fan-out reads
/// go on while a message is being committed.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: Arc<std::sync::atomic::AtomicUsize>,
    /// The connections and subscriptions of this process (`connections::Live`).
    live: Arc<std::sync::RwLock<connections::Live>>,
    /// The chats as last written (`ChatCache`).
    chats: Arc<ChatCache>,
    /// The agents as last read (`agent_cache`).
    agents: Arc<agent_cache::AgentCache>,
    /// The group-commit writer's queue (`commit_grouped`).
    commits: tokio::sync::mpsc::UnboundedSender<CommitRequest>,
    /// Keeps the checkpointer (`start_checkpointer`) running while the store is open.
    checkpoints: Option<Arc<std::sync::mpsc::Sender<()>>>,
    /// Frames counted per connection in the current rate-limit window.
    frame_counters: Arc<Mutex<std::collections::HashMap<crate::ports::ConnectionId, (i64, u32)>>>,
}

const READERS: usize = 4;

/// How much of the database file each connection maps into memory (address space, not memory
/// used: the pages are the operating system's file cache).
const MMAP_BYTES: i64 = 1 << 30;

pub const DATABASE_FILE: &str = "chatdesk.sqlite3";

impl SqliteStore {
    /// Opens (creating if needed) the database in `dir`.
    pub fn open_dir(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(StoreError::backend)?;
        Self::open_file(&dir.join(DATABASE_FILE))
    }

    pub fn open_file(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(StoreError::backend)?;
        let mut store = Self::init(conn)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let reader = Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(StoreError::backend)?;
            reader
                .busy_timeout(std::time::Duration::from_secs(5))
                .map_err(StoreError::backend)?;
            // Readers read pages, they do not map the file: a reader that finds the database
            // changed since its last read (under a stream of messages, every read) drops its
            // mapping whole, and that `munmap` (with the TLB shootdown on every core) cost more
            // than the few `pread` calls of a read by key. Chats are read from the cache anyway.
            reader
                .pragma_update(None, "mmap_size", 0)
                .map_err(StoreError::backend)?;
            readers.push(Mutex::new(reader));
        }
        store.readers = Arc::new(readers);
        if let Ok(writer) = store.conn.lock() {
            store.agents.for_shared_file(&writer);
        }
        store.checkpoints = Some(Arc::new(start_checkpointer(
            path,
            store.conn.clone(),
            store.chats.clone(),
            store.agents.clone(),
        )?));
        Ok(store)
    }

    /// A private in-memory database (tests). Everything goes through the one connection.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory().map_err(StoreError::backend)?;
        Self::init(conn)
    }

    fn init(conn: Connection) -> Result<Self, StoreError> {
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(StoreError::backend)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(StoreError::backend)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(StoreError::backend)?;
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)
            .map_err(StoreError::backend)?;
        // Checkpoints of a database file run on a thread of their own (`start_checkpointer`,
        // which also sets when the writer finishes one itself); until then, and for a database
        // in memory, the writer checkpoints past 64 MiB of WAL. The WAL is synced as before;
        // only who folds it into the database, and when, changes.
        conn.pragma_update(None, "wal_autocheckpoint", 16_384)
            .map_err(StoreError::backend)?;
        // A page cache of 64 MiB for the writer (the default is 2 MiB): every commit updates a
        // chat's row, its indexes and its events, and with thousands of live chats those pages
        // no longer fit the default.
        conn.pragma_update(None, "cache_size", -65_536)
            .map_err(StoreError::backend)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(StoreError::backend)?;
        schema::migrate(&conn)?;
        let live = Arc::new(std::sync::RwLock::new(connections::Live::load(&conn)?));
        let conn = Arc::new(Mutex::new(conn));
        let chats = Arc::new(ChatCache::default());
        let agents = Arc::new(agent_cache::AgentCache::default());
        let (commits, queue) = tokio::sync::mpsc::unbounded_channel();
        let writer = conn.clone();
        let caches = Caches {
            chats: chats.clone(),
            agents: agents.clone(),
        };
        std::thread::Builder::new()
            .name("sqlite-commits".into())
            .spawn(move || group_commit_writer(&writer, &caches, queue))
            .map_err(StoreError::backend)?;
        Ok(SqliteStore {
            conn,
            readers: Arc::new(Vec::new()),
            next_reader: Arc::default(),
            live,
            chats,
            agents,
            commits,
            checkpoints: None,
            frame_counters: Arc::default(),
        })
    }

    /// Hands a chat commit to the group-commit writer and waits for its outcome, which comes
    /// only once the transaction holding it is committed (acknowledged means written to the
    /// WAL, as with a transaction of its own).
    async fn commit_grouped(
        &self,
        commit: chats::PreparedCommit,
    ) -> Result<CommitOutcome, StoreError> {
        let (reply, outcome) = tokio::sync::oneshot::channel();
        self.commits
            .send(CommitRequest { commit, reply })
            .map_err(|_| writer_gone())?;
        outcome.await.map_err(|_| writer_gone())?
    }

    /// Runs a read-only `f` on a reader connection (or the writer when there are none).
    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        if self.readers.is_empty() {
            return self.with(move |c| f(c)).await;
        }
        let readers = self.readers.clone();
        let i = self
            .next_reader
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            % readers.len();
        tokio::task::spawn_blocking(move || {
            let guard = readers[i]
                .lock()
                .map_err(|_| StoreError::Corrupt("database lock poisoned".into()))?;
            f(&guard)
        })
        .await
        .map_err(StoreError::backend)?
    }

    /// Runs a read-only `f` that finds rows by key (microseconds of work) right here on a free
    /// reader connection: handing it to a blocking thread would cost more than the read. When
    /// every reader is busy (or there are none) it goes through `read`.
    async fn read_by_key<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let n = self.readers.len();
        let start = self
            .next_reader
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for i in 0..n {
            if let Ok(guard) = self.readers[(start + i) % n].try_lock() {
                return f(&guard);
            }
        }
        self.read(f).await
    }

    /// Runs `f` on the connection on a blocking thread.
    async fn with<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| StoreError::Corrupt("database lock poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(StoreError::backend)?
    }
}

/// The chats as this process last wrote them, so that reading a chat before changing it (every
/// message does) costs neither a query nor parsing its document. Only the writes of chats fill
/// it (a commit, a creation), each after its transaction committed and while the writer
/// connection is still held, so it never holds anything older than the database; a purge
/// removes its chat. A chat not in it is read from the database (and not added: that read may
/// be older than a write finishing at the same moment).
#[derive(Default)]
struct ChatCache {
    chats: Mutex<std::collections::HashMap<crate::domain::ChatId, Arc<crate::domain::Chat>>>,
}

/// Chats kept before the cache starts over (a few kilobytes each).
const CACHED_CHATS: usize = 100_000;

impl ChatCache {
    fn get(&self, id: &crate::domain::ChatId) -> Option<crate::domain::Chat> {
        let chat = self.chats.lock().ok()?.get(id).cloned()?;
        // Copied outside the lock.
        Some(crate::domain::Chat::clone(&chat))
    }

    fn put(&self, chat: &crate::domain::Chat) {
        self.put_shared(Arc::new(chat.clone()));
    }

    fn put_shared(&self, chat: Arc<crate::domain::Chat>) {
        if let Ok(mut chats) = self.chats.lock() {
            if chats.len() >= CACHED_CHATS && !chats.contains_key(&chat.id) {
                chats.clear();
            }
            chats.insert(chat.id.clone(), chat);
        }
    }

    fn remove(&self, id: &crate::domain::ChatId) {
        if let Ok(mut chats) = self.chats.lock() {
            chats.remove(id);
        }
    }

    fn clear(&self) {
        if let Ok(mut chats) = self.chats.lock() {
            chats.clear();
        }
    }
}

/// What this process keeps of the database besides the database.
struct Caches {
    chats: Arc<ChatCache>,
    agents: Arc<agent_cache::AgentCache>,
}

impl Caches {
    /// With the writer connection held: if another connection wrote the database since the
    /// last time this was asked, both caches start over.
    fn changed_elsewhere(&self, writer: &Connection) {
        if self.agents.changed_elsewhere(writer) {
            self.chats.clear();
        }
    }
}

/// Marks the group-commit writer's transaction as guarded (`agent_cache`) until dropped.
struct Guarded<'a>(&'a agent_cache::AgentCache);

impl<'a> Guarded<'a> {
    /// Inside a write transaction just begun.
    fn begin(caches: &'a Caches, tx: &Connection) -> Guarded<'a> {
        caches.changed_elsewhere(tx);
        caches.agents.guard();
        Guarded(&caches.agents)
    }
}

impl Drop for Guarded<'_> {
    fn drop(&mut self) {
        self.0.unguard();
    }
}

/// How often the checkpointer folds the WAL into the database.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// WAL frames (pages) after which the writer finishes a checkpoint itself (`start_checkpointer`):
/// 16 MiB of 4 KiB pages.
const WAL_RESTART_FRAMES: i64 = 4_096;

/// The WAL file's size kept once it starts over.
const WAL_KEPT_BYTES: i64 = 32 << 20;

/// Folds the WAL into the database file on a thread and connection of its own, a passive
/// checkpoint every `CHECKPOINT_EVERY`: writers go on meanwhile, so the writer copies pages
/// only for what this thread has not copied yet, once the WAL holds `WAL_RESTART_FRAMES`
/// (copying all of it in the writer held every commit waiting for up to a second under a
/// stream of messages). It stops when the store is dropped (the returned sender with it).
///
/// On the same tick, when the writer is free, it asks whether anything else wrote the database
/// (`Caches::changed_elsewhere`, which every commit batch also asks as it begins): chats changed
/// by another process (`sqlite3`, a restore) are read afresh from the next commit or within
/// `CHECKPOINT_EVERY`.
fn start_checkpointer(
    path: &Path,
    writer: Arc<Mutex<Connection>>,
    chats: Arc<ChatCache>,
    agents: Arc<agent_cache::AgentCache>,
) -> Result<std::sync::mpsc::Sender<()>, StoreError> {
    let caches = Caches { chats, agents };
    let conn = Connection::open(path).map_err(StoreError::backend)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(StoreError::backend)?;
    if let Ok(w) = writer.lock() {
        // The writer finishes the copy itself once the WAL holds `WAL_RESTART_FRAMES`: under a
        // steady stream of commits this thread's passive checkpoint never catches up with the
        // writer, and SQLite starts the WAL over only after a checkpoint copied every frame, so
        // the WAL grew without end (270 MB in a benchmark run of 40,000 messages) until a
        // checkpoint of all of it held every commit. The writer's checkpoint copies only what
        // arrived since this thread's last one (no commit can come in meanwhile), and the next
        // commit starts the WAL from its beginning; the file is cut back to `WAL_KEPT_BYTES`
        // then.
        w.pragma_update(None, "wal_autocheckpoint", WAL_RESTART_FRAMES)
            .map_err(StoreError::backend)?;
        w.pragma_update(None, "journal_size_limit", WAL_KEPT_BYTES)
            .map_err(StoreError::backend)?;
    }
    let (keep, stopped) = std::sync::mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                stopped.recv_timeout(CHECKPOINT_EVERY)
            {
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!(error = %e, "checkpointing the WAL failed; the next try follows");
                }
                // Busy writer: a commit batch asks as it begins.
                if let Ok(w) = writer.try_lock() {
                    caches.changed_elsewhere(&w);
                }
            }
        })
        .map_err(StoreError::backend)?;
    Ok(keep)
}

/// A chat commit waiting for the group-commit writer, and where its outcome goes.
struct CommitRequest {
    commit: chats::PreparedCommit,
    reply: tokio::sync::oneshot::Sender<Result<CommitOutcome, StoreError>>,
}

/// Most commits in one transaction: enough to amortise a transaction over a burst, few enough
/// that the first of them is not held long.
const MAX_GROUP: usize = 256;

fn writer_gone() -> StoreError {
    StoreError::backend(std::io::Error::other("the commit writer has stopped"))
}

/// Group commit: takes every commit queued at the moment and runs them in one write
/// transaction, each in a savepoint of its own with its own compare-and-set (one that fails
/// is rolled back alone and answered with its error), then answers each after the COMMIT.
/// While one transaction runs the next commits queue up, so a burst costs a transaction per
/// batch instead of one per message. It ends when the store (every sender) is dropped.
fn group_commit_writer(
    conn: &Mutex<Connection>,
    caches: &Caches,
    mut queue: tokio::sync::mpsc::UnboundedReceiver<CommitRequest>,
) {
    let cache = &caches.chats;
    let mut batch = Vec::with_capacity(MAX_GROUP);
    while let Some(first) = queue.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let outcomes = match conn.lock() {
            Ok(mut guard) => {
                let outcomes = commit_batch(&mut guard, &batch, caches);
                // Still holding the writer: the cache takes the changes in the order the
                // database did.
                if let Ok(outcomes) = &outcomes {
                    for (request, outcome) in batch.iter().zip(outcomes) {
                        if matches!(outcome, Ok(CommitOutcome::Committed)) {
                            cache.put_shared(request.commit.chat.clone());
                        }
                    }
                }
                outcomes
            }
            Err(_) => Err(StoreError::Corrupt("database lock poisoned".into())),
        };
        match outcomes {
            Ok(outcomes) => {
                for (request, outcome) in batch.drain(..).zip(outcomes) {
                    let _ = request.reply.send(outcome);
                }
            }
            Err(e) => {
                // Nothing of the batch is written: each of its commits fails.
                let message = crate::errors::error_chain(&e);
                for request in batch.drain(..) {
                    let _ = request
                        .reply
                        .send(Err(StoreError::backend(std::io::Error::other(
                            message.clone(),
                        ))));
                }
            }
        }
    }
}

/// One transaction for the batch; the outcome of each commit in order.
fn commit_batch(
    c: &mut Connection,
    batch: &[CommitRequest],
    caches: &Caches,
) -> Result<Vec<Result<CommitOutcome, StoreError>>, StoreError> {
    match run_batch(c, batch, Savepoints::WhereNeeded, caches)? {
        BatchRun::Done(outcomes) => Ok(outcomes),
        // A commit without a savepoint failed after writing its event (a database error, or
        // a chat whose number moved without an event taking it): nothing of the batch was
        // committed; again, each commit guarded.
        BatchRun::Redo => match run_batch(c, batch, Savepoints::Every, caches)? {
            BatchRun::Done(outcomes) => Ok(outcomes),
            BatchRun::Redo => Err(StoreError::Corrupt(
                "a guarded commit asked for its batch to be redone".into(),
            )),
        },
    }
}

/// Which commits of a batch run in a savepoint of their own. A savepoint copies every page a
/// commit first touches into its journal, so it is kept for the commits that can fail after
/// writing (`PreparedCommit::may_fail_after_writing`): a message checks everything before its
/// first write.
#[derive(Clone, Copy, PartialEq)]
enum Savepoints {
    WhereNeeded,
    Every,
}

enum BatchRun {
    Done(Vec<Result<CommitOutcome, StoreError>>),
    /// An unguarded commit failed after writing; the transaction was rolled back.
    Redo,
}

fn run_batch(
    c: &mut Connection,
    batch: &[CommitRequest],
    savepoints: Savepoints,
    caches: &Caches,
) -> Result<BatchRun, StoreError> {
    // IMMEDIATE: take the write lock up front so the checks and the writes see one state of the
    // database (and no other connection commits until it ends: `Guarded`).
    let tx =
        rusqlite::Transaction::new(c, rusqlite::TransactionBehavior::Immediate).map_err(db_err)?;
    let guarded = Guarded::begin(caches, &tx);
    let mut outcomes = Vec::with_capacity(batch.len());
    for request in batch {
        let guarded = savepoints == Savepoints::Every || request.commit.may_fail_after_writing();
        // Savepoint statements through the statement cache (rusqlite's `savepoint()` parses
        // its SQL every time: a measurable share of a batch).
        if guarded {
            execute(&tx, "SAVEPOINT one_commit", []).map_err(db_err)?;
        }
        let mut wrote = false;
        let outcome = chats::apply_commit(&tx, &request.commit, &mut wrote);
        if guarded {
            if outcome.is_err() {
                execute(&tx, "ROLLBACK TO one_commit", []).map_err(db_err)?;
            }
            execute(&tx, "RELEASE one_commit", []).map_err(db_err)?;
        } else if outcome.is_err() && wrote {
            // Dropping the transaction rolls it back.
            return Ok(BatchRun::Redo);
        }
        outcomes.push(outcome);
    }
    // Another connection may commit as soon as this one has.
    drop(guarded);
    tx.commit().map_err(db_err)?;
    Ok(BatchRun::Done(outcomes))
}

/// `query_row` through the connection's statement cache: the hot paths run the same few
/// statements thousands of times, and parsing SQL each time was a measurable share of the work.
fn query_row<T, P, F>(c: &Connection, sql: &str, params: P, f: F) -> rusqlite::Result<T>
where
    P: rusqlite::Params,
    F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
{
    c.prepare_cached(sql)?.query_row(params, f)
}

/// `execute` through the statement cache.
fn execute<P: rusqlite::Params>(c: &Connection, sql: &str, params: P) -> rusqlite::Result<usize> {
    c.prepare_cached(sql)?.execute(params)
}

fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::backend(e)
}

/// The one document `sql` selects (`SELECT doc FROM ... WHERE ...`), read through its record `R`.
fn doc_where<R, T, P>(c: &Connection, sql: &str, params: P) -> Result<Option<T>, StoreError>
where
    R: DeserializeOwned + TryInto<T, Error = StoreError>,
    P: rusqlite::Params,
{
    let doc: Option<String> = query_row(c, sql, params, |r| r.get(0))
        .optional()
        .map_err(db_err)?;
    doc.map(|d| records::from_doc::<R, T>(&d)).transpose()
}

/// Every document `sql` selects, in its order, read through their record `R`.
fn docs_where<R, T, P>(c: &Connection, sql: &str, params: P) -> Result<Vec<T>, StoreError>
where
    R: DeserializeOwned + TryInto<T, Error = StoreError>,
    P: rusqlite::Params,
{
    let mut stmt = c.prepare_cached(sql).map_err(db_err)?;
    let docs = stmt
        .query_map(params, |r| r.get::<_, String>(0))
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    docs.iter().map(|d| records::from_doc::<R, T>(d)).collect()
}
