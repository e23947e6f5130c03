//! Writes the stored-format fixtures (`tests/fixtures/storage/v0/`) with the store adapters of
//! the commit it is built from. Run once, at the last commit before stored items carried a format
//! version; see the fixture folder's README.

use std::path::PathBuf;

use chatdesk::sqlite::SqliteStore;
use chatdesk_server::Stores;
use chatdesk_tests::{dynamo_endpoint, dynamo_json, stored_world};

#[tokio::main]
async fn main() {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/storage/v0"));
    std::fs::create_dir_all(&dir).unwrap();
    let world = stored_world::world();

    let db = dir.join("chatdesk.sqlite3");
    for leftover in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{leftover}", db.display()));
    }
    {
        let stores = Stores::all_in(SqliteStore::open_file(&db).unwrap());
        stored_world::write(&stores, &world).await;
    }
    // Everything in the one file: no write-ahead log beside it.
    let c = rusqlite::Connection::open(&db).unwrap();
    c.pragma_update(None, "wal_checkpoint", "TRUNCATE").unwrap();
    drop(c);
    for leftover in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{leftover}", db.display()));
    }

    let (stores, store) = dynamo_endpoint::fresh_stores().await;
    stored_world::write(&stores, &world).await;
    let items = dynamo_json::all_items(store.client(), store.table()).await;
    std::fs::write(
        dir.join("dynamodb-items.json"),
        dynamo_json::items_to_file(&items),
    )
    .unwrap();
    println!("wrote {} and {} DynamoDB items", db.display(), items.len());
}
