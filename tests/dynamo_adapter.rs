//! What is specific to the DynamoDB store: the item layout, the sparse agent index, pagination,
//! and what each operation costs in calls and capacity units (printed; run with --nocapture).

use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use chatdesk::app::{App, BulkAction, Knowledge, Settings, StartChat, TransferTarget};
use chatdesk::auth::{Principal, TokenService};
use chatdesk::domain::*;
use chatdesk::dynamodb::DynamoStore;
use chatdesk::ports::*;
use chatdesk_tests::contract::{agent, seed_groups};
use chatdesk_tests::dynamo_endpoint::fresh_stores;

fn app_over(stores: &chatdesk_server::Stores) -> App {
    App {
        directory: stores.directory.clone(),
        chats: stores.chats.clone(),
        preferences: stores.preferences.clone(),
        throttle: stores.throttle.clone(),
        inbox: stores.inbox.clone(),
        audit: stores.audit.clone(),
        notes: stores.notes.clone(),
        history: stores.history.clone(),
        canned: stores.canned.clone(),
        notifier: Arc::new(NullNotifier),
        clock: Arc::new(SystemClock),
        tokens: Arc::new(TokenService::new(&[3u8; 32]).unwrap()),
        identity: None,
        oidc: None,
        knowledge: Knowledge {
            store: stores.knowledge.clone(),
            suggester: None,
        },
        settings: Settings::default(),
        mail: chatdesk::app::Mail {
            outbox: stores.outbox.clone(),
            from: None,
            sender: None,
            queued: Arc::default(),
        },
        attachments: None,
        organisation: Default::default(),
        user_pool: None,
    }
}

async fn raw(
    store: &DynamoStore,
    pk: &str,
    sk: &str,
) -> Option<std::collections::HashMap<String, AttributeValue>> {
    store
        .client()
        .get_item()
        .table_name(store.table())
        .key("pk", AttributeValue::S(pk.into()))
        .key("sk", AttributeValue::S(sk.into()))
        .send()
        .await
        .unwrap()
        .item
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chats_are_stored_as_documented_and_the_agent_index_is_sparse() {
    let (stores, store) = fresh_stores().await;
    seed_groups(&stores, &["support"]).await;
    let app = app_over(&stores);
    let ann = agent("ann", &["support"], Role::Agent, 3);
    stores.directory.put_agent(&ann).await.unwrap();
    let started = app
        .start_chat(StartChat {
            group_id: GroupId::parse("support").unwrap(),
            name: "Sam".into(),
            email: None,
            question: "Hello".into(),
            client_msg_id: Some(ClientMessageId::parse("q1").unwrap()),
            identity: None,
        })
        .await
        .unwrap();
    let id = started.chat.id.clone();
    let meta = raw(&store, &format!("CHAT#{id}"), "META").await.unwrap();
    assert_eq!(meta["gsi1pk"], AttributeValue::S("GROUP#support".into()));
    let sk = meta["gsi1sk"].as_s().unwrap();
    assert!(sk.starts_with("L1#") && sk.ends_with(id.as_str()), "{sk}");
    assert!(
        !meta.contains_key("gsi2pk"),
        "queued: not in any agent's lists"
    );
    assert_eq!(meta["state"], AttributeValue::S("queued".into()));
    assert_eq!(meta["last_seq"], AttributeValue::N("2".into()));
    assert!(raw(&store, &format!("CHAT#{id}"), "EV#000000000002")
        .await
        .is_some());
    assert!(raw(&store, &format!("CHAT#{id}"), "CMID#q1")
        .await
        .is_some());

    let ann_p = Principal::agent(ann.id.clone());
    app.pull_next(&ann_p).await.unwrap();
    let meta = raw(&store, &format!("CHAT#{id}"), "META").await.unwrap();
    assert_eq!(meta["gsi2pk"], AttributeValue::S("AGENT#ann".into()));
    assert!(meta["gsi2sk"].as_s().unwrap().starts_with("L2#"));
    let load = raw(&store, "AGENT#ann", "LOAD").await.unwrap();
    assert_eq!(load["active_chats"], AttributeValue::N("1".into()));

    app.bulk(
        &ann_p,
        BulkAction::End { resolution: None },
        vec![id.clone()],
    )
    .await
    .unwrap();
    app.bulk(&ann_p, BulkAction::Delete, vec![id.clone()])
        .await
        .unwrap();
    let meta = raw(&store, &format!("CHAT#{id}"), "META").await.unwrap();
    assert!(meta["gsi1sk"].as_s().unwrap().starts_with("X#"));
    assert!(
        !meta.contains_key("gsi2pk"),
        "deleted: removed from the agent's lists"
    );
    let load = raw(&store, "AGENT#ann", "LOAD").await.unwrap();
    assert_eq!(load["active_chats"], AttributeValue::N("0".into()));
    assert!(
        store.metrics().operations.keys().all(|op| op != "Scan"),
        "never a Scan"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_and_transcripts_page_through_everything() {
    let (stores, store) = fresh_stores().await;
    seed_groups(&stores, &["support"]).await;
    let app = app_over(&stores);
    let mut ids = Vec::new();
    for i in 0..30 {
        let started = app
            .start_chat(StartChat {
                group_id: GroupId::parse("support").unwrap(),
                name: format!("C{i}"),
                email: None,
                // Big items, so that the pages of one query hold few of them.
                question: "q".repeat(1900),
                client_msg_id: None,
                identity: None,
            })
            .await
            .unwrap();
        ids.push(started.chat.id);
    }
    let queue = stores
        .chats
        .list_chats(
            &ChatFilter::GroupQueue(GroupId::parse("support").unwrap()),
            1000,
        )
        .await
        .unwrap();
    assert_eq!(queue.len(), 30);
    let limited = stores
        .chats
        .list_chats(
            &ChatFilter::GroupQueue(GroupId::parse("support").unwrap()),
            7,
        )
        .await
        .unwrap();
    assert_eq!(limited.len(), 7);
    assert_eq!(limited[0].id, ids[0], "oldest first");
    let _ = store;
}

async fn items_of_chat(store: &DynamoStore, id: &ChatId) -> usize {
    store
        .client()
        .query()
        .table_name(store.table())
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", AttributeValue::S(format!("CHAT#{id}")))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .count() as usize
}

/// A purge commits with one conditional write on META and deletes the chat's items after it. A
/// crash in between leaves a chat that reads as gone everywhere, that nothing can bring back,
/// and that an administrator's purge of it again removes for good, resolution included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_cut_short_reads_as_gone_and_purging_again_finishes_it() {
    let (stores, store) = fresh_stores().await;
    seed_groups(&stores, &["support"]).await;
    let app = app_over(&stores);
    let ada = agent("ada", &["support"], Role::Administrator, 5);
    stores.directory.put_agent(&ada).await.unwrap();
    let admin = Principal::agent(ada.id.clone());
    let started = app
        .start_chat(StartChat {
            group_id: GroupId::parse("support").unwrap(),
            name: "Sam".into(),
            email: None,
            question: "Hello".into(),
            client_msg_id: None,
            identity: None,
        })
        .await
        .unwrap();
    let id = started.chat.id.clone();
    app.bulk(&admin, BulkAction::Take, vec![id.clone()])
        .await
        .unwrap();
    for action in [
        BulkAction::End {
            resolution: Some("Restarted the service".into()),
        },
        BulkAction::Delete,
    ] {
        let out = app.bulk(&admin, action, vec![id.clone()]).await.unwrap();
        assert_eq!(out.succeeded, 1, "{:?}", out.results);
    }
    assert_eq!(stores.knowledge.list_resolutions().await.unwrap().len(), 1);
    let chat = stores.chats.get_chat(&id).await.unwrap().unwrap();

    // The crash: the purge's commit, and nothing after it.
    store.commit_purge(&id, chat.last_seq).await.unwrap();
    assert!(stores.chats.get_chat(&id).await.unwrap().is_none());
    assert!(stores
        .chats
        .list_chats(
            &ChatFilter::GroupDeleted(GroupId::parse("support").unwrap()),
            10
        )
        .await
        .unwrap()
        .is_empty());
    let left = items_of_chat(&store, &id).await;
    assert!(left > 1, "events and META are still stored: {left}");
    let out = app
        .bulk(&admin, BulkAction::Restore, vec![id.clone()])
        .await
        .unwrap();
    assert_eq!(out.results[0].failure.as_ref().unwrap().error, "not_found");
    assert!(matches!(
        stores.chats.purge_chat(&id, chat.last_seq).await,
        Err(StoreError::NotFound(_))
    ));

    // Purging again finishes the job.
    let out = app
        .bulk(&admin, BulkAction::Purge, vec![id.clone()])
        .await
        .unwrap();
    assert_eq!(out.succeeded, 1, "{:?}", out.results);
    assert_eq!(items_of_chat(&store, &id).await, 0);
    assert!(stores
        .knowledge
        .list_resolutions()
        .await
        .unwrap()
        .is_empty());
    let out = app
        .bulk(&admin, BulkAction::Purge, vec![id.clone()])
        .await
        .unwrap();
    assert_eq!(out.results[0].failure.as_ref().unwrap().error, "not_found");
}

/// Resolutions stored before they stopped keeping the customer's question still read, without
/// it, and lose it (and the embedding made from it) at rest when the index is next built.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolution_stored_with_the_question_reads_without_it_and_loses_it() {
    let (stores, store) = fresh_stores().await;
    let chat = ChatId::generate();
    stores
        .knowledge
        .put_resolution(&chatdesk::domain::kb::Resolution {
            chat_id: chat.clone(),
            group_id: GroupId::parse("support").unwrap(),
            resolution: "Reset the password".into(),
            agent_name: "Al".into(),
            resolved_at: Timestamp(5),
            embedding: Some(vec![1.0; 4]),
        })
        .await
        .unwrap();
    let sk = format!("RESOLUTION#{chat}");
    store
        .client()
        .update_item()
        .table_name(store.table())
        .key("pk", AttributeValue::S("KB".into()))
        .key("sk", AttributeValue::S(sk.clone()))
        .update_expression("SET question = :q")
        .expression_attribute_values(
            ":q",
            AttributeValue::S("I am Ann, account 88231, I forgot my password".into()),
        )
        .send()
        .await
        .unwrap();
    let read = stores.knowledge.list_resolutions().await.unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].resolution, "Reset the password");
    assert_eq!(
        read[0].embedding, None,
        "made from the question: recomputed"
    );
    assert!(!format!("{read:?}").contains("88231"));
    let item = raw(&store, "KB", &sk).await.unwrap();
    assert!(!item.contains_key("question") && !item.contains_key("embedding_f32"));
    assert_eq!(
        item["resolution"],
        AttributeValue::S("Reset the password".into())
    );
}

fn units(
    before: &chatdesk::dynamodb::MetricsSnapshot,
    after: &chatdesk::dynamodb::MetricsSnapshot,
) -> (u64, f64, f64, String) {
    let calls = after.calls() - before.calls();
    let read = after.read_units() - before.read_units();
    let write = after.write_units() - before.write_units();
    let mut ops = Vec::new();
    for (op, m) in &after.operations {
        let prev = before.operations.get(op).map(|p| p.calls).unwrap_or(0);
        if m.calls > prev {
            ops.push(format!("{op} x{}", m.calls - prev));
        }
    }
    (calls, read, write, ops.join(", "))
}

/// The DynamoDB calls of each operation through the application (store only, no fan-out), as
/// counted by the adapter. Asserted exactly so that an extra call is noticed; printed for the
/// cost tables (`cargo test -p chatdesk-tests --test dynamo_adapter -- --nocapture`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_and_capacity_per_operation() {
    let (stores, store) = fresh_stores().await;
    seed_groups(&stores, &["support", "billing"]).await;
    let app = app_over(&stores);
    let ann = agent("ann", &["support", "billing"], Role::Manager, 5);
    stores.directory.put_agent(&ann).await.unwrap();
    let p = Principal::agent(ann.id.clone());
    let mut rows = Vec::new();

    let m0 = store.metrics();
    let started = app
        .start_chat(StartChat {
            group_id: GroupId::parse("support").unwrap(),
            name: "Sam".into(),
            email: Some("sam@example.com".into()),
            question: "My mailbox is full and mail bounces".into(),
            client_msg_id: None,
            identity: None,
        })
        .await
        .unwrap();
    let id = started.chat.id.clone();
    // Query groups, TransactWriteItems, Query the queue position; and whether the waiting
    // customer is offered a message: Query agents, GetItem the first available member's LOAD
    // (someone receives chats: no other member is read).
    rows.push(("start chat", units(&m0, &store.metrics()), 5u64));

    let m0 = store.metrics();
    app.pull_next(&p).await.unwrap();
    rows.push(("pull (oldest of 2 groups)", units(&m0, &store.metrics()), 6));

    let customer = Principal::Customer(id.clone());
    let m0 = store.metrics();
    app.send_message(
        &customer,
        &id,
        ClientMessageId::parse("c1").unwrap(),
        "Are you there?",
    )
    .await
    .unwrap();
    rows.push(("send message (customer)", units(&m0, &store.metrics()), 2));

    let m0 = store.metrics();
    app.send_message(
        &p,
        &id,
        ClientMessageId::parse("a1").unwrap(),
        "Yes, looking now.",
    )
    .await
    .unwrap();
    rows.push(("send message (agent)", units(&m0, &store.metrics()), 3));

    let m0 = store.metrics();
    app.bulk(
        &p,
        BulkAction::Transfer(TransferTarget::Group {
            group_id: GroupId::parse("billing").unwrap(),
        }),
        vec![id.clone()],
    )
    .await
    .unwrap();
    // The sixth call reads the groups' distribution: the released agent may get a waiting chat.
    rows.push(("transfer to a group", units(&m0, &store.metrics()), 6));

    app.bulk(&p, BulkAction::Pull, vec![id.clone()])
        .await
        .unwrap();
    app.bulk(&p, BulkAction::End { resolution: None }, vec![id.clone()])
        .await
        .unwrap();
    let m0 = store.metrics();
    app.bulk(&p, BulkAction::Delete, vec![id.clone()])
        .await
        .unwrap();
    // The fifth call is the audit log's entry (a conditional PutItem).
    rows.push(("delete", units(&m0, &store.metrics()), 5));

    let ada = agent("ada", &["support", "billing"], Role::Administrator, 5);
    stores.directory.put_agent(&ada).await.unwrap();
    let m0 = store.metrics();
    app.bulk(
        &Principal::agent(ada.id.clone()),
        BulkAction::Purge,
        vec![id.clone()],
    )
    .await
    .unwrap();
    // GetItem agent, GetItem chat, UpdateItem (the commit), Query keys, BatchWriteItem events,
    // GetItem META and BatchWriteItem (the customer history's pointer, in the customer's
    // partition), BatchWriteItem META, TransactWriteItems (the resolution and the knowledge
    // version), PutItem (the audit log's entry).
    rows.push(("purge", units(&m0, &store.metrics()), 10));

    println!("| operation | DynamoDB calls | read units | write units | calls |");
    println!("|---|---:|---:|---:|---|");
    for (name, (calls, read, write, ops), _) in &rows {
        println!("| {name} | {calls} | {read:.1} | {write:.1} | {ops} |");
    }
    println!("capacity units: computed by the adapter from item sizes by AWS's rules");
    for (name, (calls, ..), expected) in &rows {
        assert_eq!(calls, expected, "{name}");
    }
}

/// A message's fan-out reads no subscribers of its own: the chat's read brought them (they share
/// its partition), and the commit holds only if nobody subscribed since that read. A console that
/// starts watching in between makes the commit fail, so the sender reads again and tells it too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_is_told_to_the_subscribers_read_with_the_chat_and_a_new_watcher_is_never_missed()
{
    let (stores, store) = fresh_stores().await;
    let at = Timestamp(1_700_000_000_000);
    let chat = chatdesk_tests::contract::new_chat(&stores, "g", "Cy", at).await;
    let connection = |id: &str, owner: ConnectionOwner| Connection {
        id: ConnectionId::parse(id).unwrap(),
        owner,
        connected_at: at,
        expires_at: at.plus_millis(3_600_000),
    };
    let customer = connection(
        "cust1=",
        ConnectionOwner::Customer {
            chat_id: chat.id.clone(),
        },
    );
    let console = connection(
        "console1=",
        ConnectionOwner::Agent {
            agent_id: AgentId::parse("ann").unwrap(),
            groups: vec![GroupId::parse("g").unwrap()],
            session: None,
        },
    );
    stores
        .connections
        .put_connection(&customer, 5)
        .await
        .unwrap();
    stores
        .connections
        .put_connection(&console, 5)
        .await
        .unwrap();
    let message = |before: &Chat, n: u32| {
        let m = rules::send_message(
            before,
            rules::Sender::Customer,
            ClientMessageId::generate(),
            &format!("message {n}"),
            at.plus_millis(i64::from(n) * 60_000),
        )
        .unwrap();
        chatdesk_tests::contract::commit_of(before, m, at)
    };

    // The sender reads the chat; the console starts watching before the commit: the commit
    // fails, and nothing was stored.
    let read = stores.chats.get_chat(&chat.id).await.unwrap().unwrap();
    stores
        .connections
        .watch_chat(&chat.id, &console.id)
        .await
        .unwrap();
    assert!(matches!(
        stores.chats.commit(&message(&read, 1)).await,
        Err(StoreError::Stale)
    ));
    // Read again: the commit holds, and its subscribers (the customer and the console) come
    // from that read, with no call.
    let read = stores.chats.get_chat(&chat.id).await.unwrap().unwrap();
    assert_eq!(
        stores.chats.commit(&message(&read, 2)).await.unwrap(),
        CommitOutcome::Committed
    );
    store.reset_metrics();
    let told: Vec<String> = stores
        .connections
        .chat_subscribers(&chat.id)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.connection.to_string())
        .collect();
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(told.contains(&"cust1=".to_owned()) && told.contains(&"console1=".to_owned()));
    assert_eq!(store.metrics().calls(), 0, "no Query for the subscribers");
    // Later reads without a commit just before ask the table (one Query).
    let again = stores.connections.chat_subscribers(&chat.id).await.unwrap();
    assert_eq!(again.len(), 2);
    assert_eq!(store.metrics().calls(), 1);
}
