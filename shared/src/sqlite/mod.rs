//! The embedded store: SQLite (through rusqlite, bundled) in one file of the data directory.
//! WAL mode, one connection behind a mutex: SQLite has a single writer anyway, and every
//! operation is a short transaction run off the async threads.

mod chats;
mod connections;
mod directory;
mod knowledge;
mod preferences;
mod records;
mod schema;
mod throttle;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension};
use serde::de::DeserializeOwned;

use crate::ports::StoreError;

/// One writer connection (SQLite allows one writer at a time) and, for a database file, a few
/// reader connections: in WAL mode readers never wait for the writer, so list and fan-out reads
/// go on while a message is being committed.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: Arc<std::sync::atomic::AtomicUsize>,
    /// Frames counted per connection in the current rate-limit window.
    frame_counters: Arc<Mutex<std::collections::HashMap<crate::ports::ConnectionId, (i64, u32)>>>,
}

const READERS: usize = 4;

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
            readers.push(Mutex::new(reader));
        }
        store.readers = Arc::new(readers);
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
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(StoreError::backend)?;
        schema::migrate(&conn)?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            readers: Arc::new(Vec::new()),
            next_reader: Arc::default(),
            frame_counters: Arc::default(),
        })
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
