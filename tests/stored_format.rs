//! The stored format, on both stores: data written by an earlier version of chatdesk
//! (`tests/fixtures/storage/`, never regenerated) still reads back exactly, and what this version
//! writes is that same format. A deployment upgraded in place keeps every chat it has.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aws_sdk_dynamodb::types::AttributeValue;
use chatdesk::domain::kb::{DeflectionAction, DeflectionCounts, DeflectionEvent};
use chatdesk::domain::numbering;
use chatdesk::domain::rules::LoadChange;
use chatdesk::domain::*;
use chatdesk::ports::*;
use chatdesk::sqlite::SqliteStore;
use chatdesk_server::Stores;
use chatdesk_tests::stored_world::{self, aid, cid, conn, gid, t, World, THROTTLE};
use chatdesk_tests::{dynamo_endpoint, dynamo_json};
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/storage/v0"))
}

/// A copy of the fixture database (opening a database may write to it).
fn fixture_database(dir: &Path) -> PathBuf {
    let path = dir.join("chatdesk.sqlite3");
    std::fs::copy(fixtures().join("chatdesk.sqlite3"), &path).unwrap();
    path
}

fn fixture_items() -> Vec<dynamo_json::Item> {
    dynamo_json::items_from_file(
        &std::fs::read_to_string(fixtures().join("dynamodb-items.json")).unwrap(),
    )
}

fn ids(chats: &[Chat]) -> Vec<&str> {
    chats.iter().map(|c| c.id.as_str()).collect()
}

/// Every entity of the world reads back exactly as it was written, through every read the ports
/// offer; then the stored data keeps working: its compare-and-set numbers, counters, markers and
/// subscriptions are found where the writes left them.
/// `knowledge_version` is the store's own count: a fresh SQLite database starts at 1 (its last
/// migration moved it), a fresh table at 0.
async fn assert_reads_back(stores: &Stores, world: &World, knowledge_version: u64) {
    let dir = &stores.directory;
    let mut groups = world.groups.clone();
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(dir.list_groups().await.unwrap(), groups);
    let agents: Vec<Agent> = ["ann", "bob", "carol", "dave"]
        .iter()
        .map(|a| world.agent(a))
        .collect();
    assert_eq!(dir.list_agents().await.unwrap(), agents);
    for agent in &agents {
        assert_eq!(
            dir.get_agent(&agent.id).await.unwrap().as_ref(),
            Some(agent)
        );
        let login = world
            .passwords
            .iter()
            .find(|(a, _)| a == &agent.id)
            .map(|(_, hash)| (agent.clone(), hash.clone()));
        assert_eq!(dir.find_login(&agent.username).await.unwrap(), login);
    }
    for (agent, active) in [("ann", 1), ("bob", 1), ("carol", 0), ("dave", 0)] {
        assert_eq!(
            dir.active_chat_count(&aid(agent)).await.unwrap(),
            active,
            "{agent}"
        );
    }

    let chats = &stores.chats;
    for stored in &world.chats {
        let id = &stored.created.id;
        assert_eq!(
            chats.get_chat(id).await.unwrap().as_ref(),
            Some(stored.current())
        );
        let events = stored.events();
        assert_eq!(chats.events_after(id, 0, 100).await.unwrap(), events);
        assert_eq!(chats.events_after(id, 2, 100).await.unwrap(), events[2..]);
        for event in &events {
            if let Some(cmid) = event.kind.client_msg_id() {
                assert_eq!(
                    chats.find_message(id, cmid).await.unwrap().as_ref(),
                    Some(event)
                );
            }
        }
    }
    assert_eq!(chats.get_chat(&cid("chat-never")).await.unwrap(), None);
    let lists = [
        (
            ChatFilter::GroupQueue(gid("support")),
            vec!["chat-queued", "chat-second"],
        ),
        (
            ChatFilter::GroupQueue(gid("billing")),
            vec!["chat-requeued"],
        ),
        (
            ChatFilter::GroupLive(gid("support")),
            vec!["chat-queued", "chat-second", "chat-active"],
        ),
        (
            ChatFilter::GroupLive(gid("billing")),
            vec!["chat-requeued", "chat-auto"],
        ),
        (
            ChatFilter::GroupEnded(gid("support")),
            vec!["chat-restored", "chat-left"],
        ),
        (
            ChatFilter::GroupEnded(gid("billing")),
            vec!["chat-resolved"],
        ),
        (ChatFilter::GroupEnded(gid("sales")), vec![]),
        (ChatFilter::GroupDeleted(gid("sales")), vec!["chat-deleted"]),
        (ChatFilter::GroupDeleted(gid("support")), vec![]),
        (ChatFilter::AgentActive(aid("ann")), vec!["chat-active"]),
        (ChatFilter::AgentActive(aid("bob")), vec!["chat-auto"]),
        (ChatFilter::AgentEnded(aid("ann")), vec!["chat-restored"]),
        (ChatFilter::AgentEnded(aid("bob")), vec!["chat-resolved"]),
    ];
    for (filter, expected) in lists {
        let page = chats.list_chats_after(&filter, None, 50).await.unwrap();
        assert_eq!(ids(&page), expected, "{filter:?}");
        for chat in &page {
            assert_eq!(chat, world.chat(chat.id.as_str()).current());
        }
    }
    for (chat, ahead) in [("chat-queued", 0), ("chat-second", 1), ("chat-requeued", 0)] {
        let chat = world.chat(chat).current();
        assert_eq!(
            chats.queue_position(chat).await.unwrap(),
            ahead,
            "{}",
            chat.id
        );
    }

    for (agent, prefs) in &world.preferences {
        assert_eq!(
            stores
                .preferences
                .get_preferences(agent)
                .await
                .unwrap()
                .as_ref(),
            Some(prefs)
        );
    }
    assert_eq!(
        stores
            .preferences
            .get_preferences(&aid("bob"))
            .await
            .unwrap(),
        None
    );

    let connections = &stores.connections;
    for c in &world.connections {
        assert_eq!(
            connections.get_connection(&c.id).await.unwrap().as_ref(),
            Some(c)
        );
    }
    let ann = PrincipalKey::agent(&aid("ann"));
    assert_eq!(
        connections
            .principal_connections(&ann, t(1700))
            .await
            .unwrap(),
        vec![conn("annConsole1=")]
    );
    assert_eq!(
        connections
            .principal_connections(&PrincipalKey::customer(&cid("chat-active")), t(1700))
            .await
            .unwrap(),
        vec![conn("cust+Bo/1")]
    );
    assert_eq!(
        connections
            .principal_connections(&ann, t(1600 + 7200))
            .await
            .unwrap(),
        vec![],
        "expired with its connection"
    );
    let subscriber = |c: &str, audience| Subscriber {
        connection: conn(c),
        audience,
    };
    assert_eq!(
        connections
            .chat_subscribers(&cid("chat-active"))
            .await
            .unwrap(),
        vec![
            subscriber("annConsole1=", Audience::Agent),
            subscriber("cust+Bo/1", Audience::Customer)
        ]
    );
    assert_eq!(
        connections
            .chat_subscribers(&cid("chat-requeued"))
            .await
            .unwrap(),
        vec![subscriber("annConsole1=", Audience::Agent)]
    );
    assert_eq!(
        connections
            .group_subscribers(&gid("support"))
            .await
            .unwrap(),
        vec![GroupSubscriber {
            connection: conn("annConsole1="),
            list: None
        }]
    );
    assert_eq!(
        connections
            .group_subscribers(&gid("billing"))
            .await
            .unwrap(),
        vec![GroupSubscriber {
            connection: conn("bobTab-2"),
            list: None
        }]
    );
    let ann_console = world.connections[0].clone();
    assert_eq!(
        connections
            .admit_frame(&ann_console.id, t(1704), RateLimit::default())
            .await
            .unwrap(),
        Admission::Admitted(ann_console.clone())
    );

    let knowledge = &stores.knowledge;
    let mut articles: Vec<_> = world
        .articles
        .iter()
        .filter(|a| !world.deleted_articles.contains(&a.id))
        .cloned()
        .collect();
    for a in &mut articles {
        if let Some((_, e)) = world.embeddings.iter().find(|(i, _)| i == a.id.as_str()) {
            a.embedding = Some(e.clone());
        }
    }
    articles.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(knowledge.list_articles().await.unwrap(), articles);
    assert!(articles[0].embedding.is_some() && articles[1].embedding.is_some());
    for a in &articles {
        assert_eq!(
            knowledge.get_article(&a.id).await.unwrap().as_ref(),
            Some(a)
        );
    }
    assert_eq!(
        knowledge
            .get_article(&ArticleId::parse("old-article").unwrap())
            .await
            .unwrap(),
        None
    );
    let mut resolutions = world.resolutions.clone();
    resolutions[0].embedding = Some(stored_world::embedding(4));
    assert_eq!(knowledge.list_resolutions().await.unwrap(), resolutions);
    assert_eq!(
        knowledge.knowledge_version().await.unwrap(),
        knowledge_version
    );
    let counts = |shown, clicked, solved| DeflectionCounts {
        shown,
        clicked,
        solved,
    };
    let report = knowledge.deflection_report().await.unwrap();
    assert_eq!(
        report.by_group,
        BTreeMap::from([
            ("-".to_owned(), counts(1, 0, 0)),
            ("billing".to_owned(), counts(1, 0, 0)),
            ("support".to_owned(), counts(2, 1, 1)),
        ])
    );
    assert_eq!(
        report.by_item,
        BTreeMap::from([
            ("refund-policy".to_owned(), counts(2, 0, 0)),
            ("reset-password".to_owned(), counts(2, 1, 1)),
        ])
    );

    // What was stored keeps working.
    let again = world.deflections[0].0.clone();
    assert_eq!(
        knowledge.record_deflection(&again).await.unwrap(),
        DeflectionRecorded::Repeat,
        "the marker of the first count is found"
    );
    let click = DeflectionEvent {
        question_id: "q-4".into(),
        action: DeflectionAction::Clicked,
        ..world.deflections[7].0.clone()
    };
    assert_eq!(
        knowledge.record_deflection(&click).await.unwrap(),
        DeflectionRecorded::Counted,
        "the shown marker is found"
    );
    for (key, counted) in [
        (ThrottleKey::sign_in_username(&aid("ann")), 3),
        (
            ThrottleKey::sign_in_address("203.0.113.7".parse().unwrap()),
            1,
        ),
        (
            ThrottleKey::sign_in_address("2001:db8:1:2::5".parse().unwrap()),
            1,
        ),
    ] {
        let one_more = ThrottleLimit {
            max: counted + 1,
            ..THROTTLE
        };
        let throttle = &stores.throttle;
        assert_eq!(
            throttle.admit(&key, t(1810), one_more).await.unwrap(),
            Allowance::Admitted,
            "{key}"
        );
        assert_eq!(
            throttle.admit(&key, t(1811), one_more).await.unwrap(),
            Allowance::Refused {
                until: t(1800 + 15 * 60)
            },
            "{key}: the stored count was {counted}"
        );
    }
    let active = world.chat("chat-active");
    let now = active.current();
    let duplicate = active.commits[1].event.clone();
    let (chat, event) =
        numbering::next_event(now, now.clone(), duplicate.kind.clone(), duplicate.at);
    let retried = ChatCommit {
        before: now.clone(),
        chat,
        event,
        load: LoadChange::default(),
    };
    assert_eq!(
        chats.commit(&retried).await.unwrap(),
        CommitOutcome::DuplicateMessage(duplicate),
        "the client message id is found"
    );
    let ann_agent = world.agent("ann");
    let mut after = now.clone();
    after.state = ChatState::Inactive;
    after.ended_at = Some(t(1900));
    let ended = EventKind::Ended {
        by: Party::Customer,
        resolution: None,
    };
    let (ended, event) = numbering::next_event(now, after, ended, t(1900));
    let end = ChatCommit {
        before: now.clone(),
        chat: ended.clone(),
        event,
        load: LoadChange {
            acquire: None,
            release: Some(ann_agent.id.clone()),
        },
    };
    let stale = ChatCommit {
        before: Chat {
            last_seq: now.last_seq - 1,
            ..now.clone()
        },
        ..end.clone()
    };
    assert!(matches!(chats.commit(&stale).await, Err(StoreError::Stale)));
    assert_eq!(chats.commit(&end).await.unwrap(), CommitOutcome::Committed);
    assert_eq!(chats.get_chat(&ended.id).await.unwrap(), Some(ended));
    assert_eq!(dir.active_chat_count(&ann_agent.id).await.unwrap(), 0);
    connections
        .remove_connection(&ann_console.id)
        .await
        .unwrap();
    assert_eq!(
        connections
            .chat_subscribers(&cid("chat-requeued"))
            .await
            .unwrap(),
        vec![],
        "the watched chats were found on the connection"
    );
    assert_eq!(
        connections
            .principal_connections(&ann, t(1700))
            .await
            .unwrap(),
        vec![]
    );
    assert_eq!(
        connections
            .group_subscribers(&gid("support"))
            .await
            .unwrap(),
        vec![]
    );
}

type Dump = BTreeMap<String, Vec<Value>>;

/// Every row of every table, doc columns as JSON, blobs as hex.
fn dump_sqlite(path: &Path) -> Dump {
    let c = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut dump = BTreeMap::new();
    for table in tables {
        let mut stmt = c.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let names: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
        let rows: Vec<Value> = stmt
            .query_map([], |r| {
                let mut row = serde_json::Map::new();
                for (i, name) in names.iter().enumerate() {
                    use rusqlite::types::ValueRef;
                    let v = match r.get_ref(i)? {
                        ValueRef::Null => Value::Null,
                        ValueRef::Integer(n) => Value::from(n),
                        ValueRef::Real(f) => Value::from(f),
                        ValueRef::Text(s) if name == "doc" => {
                            serde_json::from_slice(s).unwrap_or(Value::Null)
                        }
                        ValueRef::Text(s) => Value::from(String::from_utf8_lossy(s).into_owned()),
                        ValueRef::Blob(b) => {
                            Value::from(b.iter().map(|x| format!("{x:02x}")).collect::<String>())
                        }
                    };
                    row.insert(name.clone(), v);
                }
                Ok(Value::Object(row))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        dump.insert(table, rows);
    }
    dump
}

/// The dump with each document's format version taken out (rows in a stable order), and the
/// versions taken out, one per document (`null` where there was none).
fn without_versions(mut dump: Dump) -> (Dump, Vec<Value>) {
    let mut versions = Vec::new();
    for rows in dump.values_mut() {
        for row in rows.iter_mut() {
            if let Some(Value::Object(doc)) = row.get_mut("doc") {
                versions.push(doc.remove("v").unwrap_or(Value::Null));
            }
        }
        rows.sort_by_key(|r| r.to_string());
    }
    (dump, versions)
}

/// The item without its format version, and the version (`None` where there was none).
fn without_version(mut item: dynamo_json::Item) -> (Value, Option<AttributeValue>) {
    let v = item.remove("v");
    (dynamo_json::item_to_json(&item), v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_reads_data_stored_before_format_versions() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_file(&fixture_database(dir.path())).unwrap();
    assert_reads_back(&Stores::all_in(store), &stored_world::world(), 8).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_writes_the_stored_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.sqlite3");
    let world = stored_world::world();
    let stores = Stores::all_in(SqliteStore::open_file(&path).unwrap());
    stored_world::write(&stores, &world).await;
    let (written, versions) = without_versions(dump_sqlite(&path));
    let (stored, before) = without_versions(dump_sqlite(&fixture_database(dir.path())));
    assert_eq!(versions.len(), 62, "every document of the world");
    assert!(versions.iter().all(|v| v == 1), "{versions:?}");
    assert!(before.iter().all(Value::is_null), "{before:?}");
    // Added with the customer history: who each chat's customer is and when it started, filled
    // from the chat's own fields. Taken out, the rows are as they were (and sort as they did).
    let mut written = written;
    if let Some(chats) = written.get_mut("chats") {
        for row in chats.iter_mut() {
            let Some(row) = row.as_object_mut() else {
                continue;
            };
            let key = row.remove("customer_key").unwrap_or(Value::Null);
            let started = row.remove("started_at").unwrap_or(Value::Null);
            let doc = row.get("doc").cloned().unwrap_or(Value::Null);
            assert_eq!(started, doc["started_at"], "started_at");
            let customer = &doc["customer"];
            let expected = match (&customer["verified_user_id"], &customer["email"]) {
                (Value::String(user), _) => Value::from(format!("user:{user}")),
                (_, Value::String(email)) => Value::from(format!("email:{}", email.to_lowercase())),
                _ => Value::Null,
            };
            assert_eq!(key, expected, "customer_key");
        }
        chats.sort_by_key(|r| r.to_string());
    }
    // Tables added by later migrations (round-robin turns) hold nothing of this world.
    for (table, rows) in &written {
        if !stored.contains_key(table) {
            assert!(rows.is_empty(), "{table}: {rows:?}");
        }
    }
    assert!(
        stored.keys().all(|t| written.contains_key(t)),
        "written {:?}, stored {:?}",
        written.keys().collect::<Vec<_>>(),
        stored.keys().collect::<Vec<_>>()
    );
    for (table, rows) in &stored {
        // A column added by a later migration is empty in this world: absent from the fixture.
        // The one that is not: when an agent was last assigned a chat (a time, or nothing).
        let written_rows: Vec<Value> = written[table]
            .iter()
            .zip(rows.iter())
            .map(|(w, s)| {
                let mut w = w.clone();
                if let (Some(w), Some(s)) = (w.as_object_mut(), s.as_object()) {
                    if table == "agents" && !s.contains_key("last_assigned_at") {
                        let at = w.remove("last_assigned_at").unwrap_or(Value::Null);
                        assert!(at.is_null() || at.is_i64(), "last_assigned_at {at}");
                    }
                    if table == "preferences" {
                        // Notification settings, added later: at their defaults in this world.
                        if let Some(Value::Object(doc)) = w.get_mut("doc") {
                            assert_eq!(
                                doc.remove("notifications"),
                                Some(serde_json::json!({"desktop": true, "sound": true, "new_chats": true, "assigned": true, "messages": true})),
                                "notifications"
                            );
                        }
                    }
                    if table == "groups" && !s.contains_key("hand_off") {
                        // The hand-off settings, at the defaults in this world.
                        let settings = w.remove("hand_off").unwrap_or(Value::Null);
                        assert_eq!(settings, Value::from(DEFAULT_HAND_OFF_JSON));
                    }
                    if table == "chats" && !s.contains_key("await_key") {
                        // The deadline index's columns: set for an active chat awaiting its
                        // agent, from the chat's own fields.
                        let key = w.remove("await_key").unwrap_or(Value::Null);
                        let since = w.remove("await_since").unwrap_or(Value::Null);
                        assert!(
                            key.is_null() == since.is_null()
                                && (key.is_null() || key == "R" || key == "F"),
                            "await_key {key}, await_since {since}"
                        );
                        if let Some(Value::Object(doc)) = w.get_mut("doc") {
                            without_hand_off_fields_json(doc);
                        }
                    }
                    w.retain(|k, v| !v.is_null() || s.contains_key(k));
                }
                w
            })
            .collect();
        assert_eq!(
            &written_rows, rows,
            "table {table}: the same fields, named the same"
        );
    }
    assert_reads_back(&stores, &world, 8).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dynamodb_reads_data_stored_before_format_versions() {
    let (stores, store) = dynamo_endpoint::fresh_stores().await;
    dynamo_json::put_items(store.client(), store.table(), fixture_items()).await;
    assert_reads_back(&stores, &stored_world::world(), 7).await;
}

/// The default hand-off settings as the SQLite store writes them.
const DEFAULT_HAND_OFF_JSON: &str = r#"{"no_first_response_secs":120,"no_follow_up_secs":300,"agent_disconnected_secs":120,"max_hand_offs":3}"#;

fn chat_of(pk: &str) -> &str {
    pk.strip_prefix("CHAT#").unwrap_or(pk)
}

/// A chat document without the fields the hand-off timers and ratings added, each checked to
/// be at its default (this world was stored before them).
fn without_hand_off_fields_json(doc: &mut serde_json::Map<String, Value>) {
    for name in [
        "agent_active_at",
        "assigned_at",
        "customer_waiting_since",
        "queue_rank_at",
    ] {
        assert_eq!(doc.remove(name), Some(Value::Null), "{name}");
    }
    assert_eq!(doc.remove("hand_offs"), Some(Value::from(0)));
    assert_eq!(doc.remove("escalated"), Some(Value::Bool(false)));
    // Added with satisfaction ratings: nobody rated a chat of this world.
    assert_eq!(doc.remove("rating"), Some(Value::Null), "rating");
}

/// An item as the adapter wrote it before chat subscriptions moved into the chat's partition
/// and agents' last assignments were kept.
fn as_before_subscriptions_moved(mut item: dynamo_json::Item) -> dynamo_json::Item {
    let text = |item: &dynamo_json::Item, name: &str| match item.get(name) {
        Some(AttributeValue::S(v)) => v.clone(),
        _ => String::new(),
    };
    let (pk, sk) = (text(&item, "pk"), text(&item, "sk"));
    if let (Some(chat), Some(connection)) = (pk.strip_prefix("CHAT#"), sk.strip_prefix("SUB#")) {
        item.insert("pk".into(), AttributeValue::S(format!("CSUB#{chat}")));
        item.insert("sk".into(), AttributeValue::S(connection.to_owned()));
    }
    if pk.starts_with("CHAT#") && sk == "META" {
        assert!(
            item.remove("subs_rev").is_some(),
            "a chat's META has subs_rev"
        );
        // Added with the hand-off timers: the chat's new fields, at their defaults in this
        // world, and the deadline index's keys of an active chat awaiting its agent.
        for (name, default) in [
            ("agent_active_at", AttributeValue::Null(true)),
            ("assigned_at", AttributeValue::Null(true)),
            ("customer_waiting_since", AttributeValue::Null(true)),
            ("queue_rank_at", AttributeValue::Null(true)),
            ("hand_offs", AttributeValue::N("0".into())),
            ("escalated", AttributeValue::Bool(false)),
            ("rating", AttributeValue::Null(true)),
        ] {
            assert_eq!(item.remove(name), Some(default), "{pk}: {name}");
        }
        match (item.remove("gsi3pk"), item.remove("gsi3sk")) {
            (None, None) => {}
            (Some(AttributeValue::S(index)), Some(AttributeValue::S(key))) => {
                assert!(
                    index.starts_with("AWAIT#") && key.ends_with(chat_of(&pk)),
                    "{index} {key}"
                )
            }
            other => panic!("{pk}: deadline keys {other:?}"),
        }
    }
    // A group's hand-off settings, at their defaults in this world.
    if pk == "DIR" && sk.starts_with("GROUP#") {
        let settings = item
            .remove("hand_off")
            .expect("a group has hand-off settings");
        let AttributeValue::M(fields) = settings else {
            panic!("hand_off {settings:?}");
        };
        let number = |name: &str| match fields.get(name) {
            Some(AttributeValue::N(n)) => n.clone(),
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(
            [
                number("no_first_response_secs"),
                number("no_follow_up_secs"),
                number("agent_disconnected_secs"),
                number("max_hand_offs")
            ],
            ["120", "300", "120", "3"]
        );
    }
    // Added later: an agent's notification settings, at their defaults in this world.
    if pk.starts_with("AGENT#") && sk == "PREFS" {
        let settings = item
            .remove("notifications")
            .expect("preferences have notification settings");
        let AttributeValue::M(fields) = settings else {
            panic!("notifications {settings:?}");
        };
        assert_eq!(fields.len(), 5, "{fields:?}");
        assert!(
            fields.values().all(|v| v == &AttributeValue::Bool(true)),
            "{fields:?}"
        );
    }
    // Added later too: when the agent was last assigned a chat, on their active-chat counter.
    if pk.starts_with("AGENT#") && sk == "LOAD" {
        if let Some(at) = item.remove("last_assigned_at") {
            assert!(
                matches!(at, AttributeValue::N(_)),
                "last_assigned_at {at:?}"
            );
        }
    }
    item
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dynamodb_writes_the_stored_format() {
    let (stores, store) = dynamo_endpoint::fresh_stores().await;
    let world = stored_world::world();
    stored_world::write(&stores, &world).await;
    let written = dynamo_json::all_items(store.client(), store.table()).await;
    // The changes since: chat subscriptions live in the chat's partition (`SUB#{connection}`,
    // after META, so a chat and its subscribers are one read) and META carries their revision
    // `subs_rev`; an agent's LOAD item says when they were last assigned a chat. Put back as
    // they were, the items are the same.
    // The customer history's pointers (`CUST#{customer}`, one per chat whose customer gave an
    // address or is a verified user) came later too: each names a chat of the world.
    let (pointers, written): (Vec<_>, Vec<_>) = written.into_iter().partition(
        |i| matches!(i.get("pk"), Some(AttributeValue::S(pk)) if pk.starts_with("CUST#")),
    );
    let known = world
        .chats
        .iter()
        .filter(|c| chatdesk::domain::history::customer_key(&c.current().customer).is_some())
        .count();
    assert_eq!(
        pointers.len(),
        known,
        "one pointer per chat of a known customer"
    );
    let mut written: Vec<dynamo_json::Item> = written
        .into_iter()
        .map(as_before_subscriptions_moved)
        .collect();
    let mut stored = fixture_items();
    let order = |i: &dynamo_json::Item| format!("{:?}/{:?}", i.get("pk"), i.get("sk"));
    written.sort_by_key(order);
    stored.sort_by_key(order);
    assert_eq!(written.len(), stored.len());
    for (w, s) in written.into_iter().zip(stored) {
        let (w, version) = without_version(w);
        let (s, before) = without_version(s);
        assert_eq!(version, Some(AttributeValue::N("1".into())), "{w}");
        assert_eq!(before, None, "{s}");
        assert_eq!(w, s, "the same attributes, named the same");
    }
    assert_reads_back(&stores, &world, 7).await;
}
