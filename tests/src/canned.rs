//! The canned-reply store contract (`tests/store_contract.rs` runs every case on SQLite and on
//! DynamoDB): a shortcut is unique within its scope whatever the case and however it is raced,
//! an edit lands only over the revision it read and frees the shortcut it left, a scope lists in
//! shortcut order narrowed by a prefix, a delete frees the shortcut, and uses counted at the
//! same time are all counted, never lost to an edit.

use std::sync::Arc;

use chatdesk::domain::*;
use chatdesk::ports::StoreError;
use chatdesk_server::Stores;

use crate::contract::{agent, aid, gid};

const T0: Timestamp = Timestamp(1_772_442_000_000);

fn reply(id: &str, scope: ReplyScope, shortcut: &str) -> CannedReply {
    let author = agent("root", &[], Role::Administrator, 1);
    CannedReply::create(
        CannedReplyId::parse(id).unwrap(),
        scope,
        ReplyDraft::parse(shortcut, "Title", &format!("Body of {shortcut}")).unwrap(),
        &author,
        T0,
    )
    .unwrap()
}

fn support() -> ReplyScope {
    ReplyScope::Group(gid("support"))
}

fn shortcuts(replies: &[CannedReply]) -> Vec<&str> {
    replies.iter().map(|r| r.shortcut.as_str()).collect()
}

pub async fn replies_are_created_once_and_read_back(stores: Stores) {
    let r = reply("r1", support(), "refund");
    stores.canned.create_reply(&r).await.unwrap();
    assert_eq!(
        stores.canned.get_reply(&r.id).await.unwrap(),
        Some(r.clone())
    );
    let missing = CannedReplyId::parse("nope").unwrap();
    assert_eq!(stores.canned.get_reply(&missing).await.unwrap(), None);
    let mut again = r.clone();
    again.title = "Changed".into();
    assert!(matches!(
        stores.canned.create_reply(&again).await,
        Err(StoreError::AlreadyExists(_))
    ));
    assert_eq!(
        stores.canned.get_reply(&r.id).await.unwrap(),
        Some(r),
        "the second creation wrote nothing"
    );
}

pub async fn a_shortcut_is_unique_within_its_scope_only(stores: Stores) {
    stores
        .canned
        .create_reply(&reply("r1", support(), "refund"))
        .await
        .unwrap();
    // The same shortcut, typed in capitals, in the same scope.
    assert!(matches!(
        stores
            .canned
            .create_reply(&reply("r2", support(), "REFUND"))
            .await,
        Err(StoreError::AlreadyExists(_))
    ));
    assert_eq!(
        stores
            .canned
            .get_reply(&CannedReplyId::parse("r2").unwrap())
            .await
            .unwrap(),
        None
    );
    for (id, scope) in [
        ("r3", ReplyScope::Group(gid("sales"))),
        ("r4", ReplyScope::Global),
        ("r5", ReplyScope::Personal(aid("ann"))),
        ("r6", ReplyScope::Personal(aid("bob"))),
    ] {
        stores
            .canned
            .create_reply(&reply(id, scope, "refund"))
            .await
            .unwrap();
    }
}

pub async fn two_creations_racing_for_one_shortcut_store_one(stores: Stores) {
    let stores = Arc::new(stores);
    let mut tasks = Vec::new();
    for i in 0..8 {
        let stores = stores.clone();
        tasks.push(tokio::spawn(async move {
            stores
                .canned
                .create_reply(&reply(&format!("r{i}"), ReplyScope::Global, "hello"))
                .await
        }));
    }
    let mut created = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => created += 1,
            Err(StoreError::AlreadyExists(_)) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(created, 1);
    let listed = stores
        .canned
        .list_replies(&ReplyScope::Global, "")
        .await
        .unwrap();
    assert_eq!(shortcuts(&listed), ["hello"]);
}

pub async fn an_edit_lands_only_over_the_revision_read_and_moves_the_shortcut(stores: Stores) {
    let root = agent("root", &[], Role::Administrator, 1);
    let r = reply("r1", support(), "refund");
    stores.canned.create_reply(&r).await.unwrap();
    stores
        .canned
        .create_reply(&reply("r2", support(), "taken"))
        .await
        .unwrap();

    let mut renamed = r.clone();
    renamed
        .edit(
            support(),
            ReplyDraft::parse("refunds", "T", "B").unwrap(),
            &root,
            T0,
        )
        .unwrap();
    let mut stale = r.clone();
    stale
        .edit(
            support(),
            ReplyDraft::parse("other", "T", "B").unwrap(),
            &root,
            T0,
        )
        .unwrap();
    stores
        .canned
        .save_reply(&renamed, r.revision)
        .await
        .unwrap();
    assert!(matches!(
        stores.canned.save_reply(&stale, r.revision).await,
        Err(StoreError::Stale)
    ));
    assert_eq!(
        stores.canned.get_reply(&r.id).await.unwrap(),
        Some(renamed.clone())
    );

    // The old shortcut is free again, the new one taken.
    stores
        .canned
        .create_reply(&reply("r3", support(), "refund"))
        .await
        .unwrap();
    assert!(matches!(
        stores
            .canned
            .create_reply(&reply("r4", support(), "refunds"))
            .await,
        Err(StoreError::AlreadyExists(_))
    ));

    // Onto a shortcut another reply holds: refused, nothing changes.
    let mut clash = renamed.clone();
    clash
        .edit(
            support(),
            ReplyDraft::parse("taken", "T", "B").unwrap(),
            &root,
            T0,
        )
        .unwrap();
    assert!(matches!(
        stores.canned.save_reply(&clash, renamed.revision).await,
        Err(StoreError::AlreadyExists(_))
    ));
    assert_eq!(
        stores.canned.get_reply(&r.id).await.unwrap(),
        Some(renamed.clone())
    );

    // To another scope: the shortcut moves with it.
    let mut global = renamed.clone();
    global
        .edit(
            ReplyScope::Global,
            ReplyDraft::parse("refunds", "T", "B").unwrap(),
            &root,
            T0,
        )
        .unwrap();
    stores
        .canned
        .save_reply(&global, renamed.revision)
        .await
        .unwrap();
    assert_eq!(
        shortcuts(&stores.canned.list_replies(&support(), "").await.unwrap()),
        ["refund", "taken"]
    );
    assert_eq!(
        shortcuts(
            &stores
                .canned
                .list_replies(&ReplyScope::Global, "")
                .await
                .unwrap()
        ),
        ["refunds"]
    );
    stores
        .canned
        .create_reply(&reply("r5", support(), "refunds"))
        .await
        .unwrap();

    let ghost = reply("ghost", support(), "ghost");
    assert!(matches!(
        stores.canned.save_reply(&ghost, 1).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn a_scope_lists_in_shortcut_order_narrowed_by_a_prefix(stores: Stores) {
    for (id, scope, shortcut) in [
        ("r1", support(), "thanks"),
        ("r2", support(), "refund-policy"),
        ("r3", support(), "refund"),
        ("r4", support(), "hello"),
        ("r5", ReplyScope::Group(gid("sales")), "refund-sales"),
        ("r6", ReplyScope::Personal(aid("ann")), "refund-mine"),
    ] {
        stores
            .canned
            .create_reply(&reply(id, scope, shortcut))
            .await
            .unwrap();
    }
    assert_eq!(
        shortcuts(&stores.canned.list_replies(&support(), "").await.unwrap()),
        ["hello", "refund", "refund-policy", "thanks"]
    );
    assert_eq!(
        shortcuts(&stores.canned.list_replies(&support(), "ref").await.unwrap()),
        ["refund", "refund-policy"]
    );
    assert_eq!(
        shortcuts(
            &stores
                .canned
                .list_replies(&support(), "refund-")
                .await
                .unwrap()
        ),
        ["refund-policy"]
    );
    assert!(stores
        .canned
        .list_replies(&support(), "x")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        shortcuts(
            &stores
                .canned
                .list_replies(&ReplyScope::Personal(aid("ann")), "")
                .await
                .unwrap()
        ),
        ["refund-mine"]
    );
    assert!(stores
        .canned
        .list_replies(&ReplyScope::Personal(aid("bob")), "")
        .await
        .unwrap()
        .is_empty());
}

pub async fn a_delete_over_the_revision_read_frees_the_shortcut(stores: Stores) {
    let root = agent("root", &[], Role::Administrator, 1);
    let r = reply("r1", support(), "refund");
    stores.canned.create_reply(&r).await.unwrap();
    let mut edited = r.clone();
    edited.mark_reviewed(&root, T0.plus_millis(5)).unwrap();
    stores.canned.save_reply(&edited, r.revision).await.unwrap();
    assert!(
        matches!(stores.canned.delete_reply(&r).await, Err(StoreError::Stale)),
        "a delete of what was read before the edit"
    );
    stores.canned.delete_reply(&edited).await.unwrap();
    assert_eq!(stores.canned.get_reply(&r.id).await.unwrap(), None);
    assert!(matches!(
        stores.canned.delete_reply(&edited).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(stores
        .canned
        .list_replies(&support(), "")
        .await
        .unwrap()
        .is_empty());
    stores
        .canned
        .create_reply(&reply("r2", support(), "refund"))
        .await
        .unwrap();
}

pub async fn uses_at_the_same_time_are_all_counted_and_no_edit_loses_them(stores: Stores) {
    let root = agent("root", &[], Role::Administrator, 1);
    let r = reply("r1", ReplyScope::Global, "hello");
    stores.canned.create_reply(&r).await.unwrap();
    let stores = Arc::new(stores);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let stores = stores.clone();
        let id = r.id.clone();
        tasks.push(tokio::spawn(async move {
            stores.canned.count_use(&id).await.unwrap()
        }));
    }
    let mut counts = Vec::new();
    for t in tasks {
        counts.push(t.await.unwrap());
    }
    counts.sort_unstable();
    assert_eq!(
        counts,
        (1..=20).collect::<Vec<u64>>(),
        "each use saw its own count"
    );
    // An edit from a read before the uses writes its content, not the count it read.
    let mut edited = r.clone();
    edited
        .edit(
            ReplyScope::Global,
            ReplyDraft::parse("hello", "New", "New body").unwrap(),
            &root,
            T0,
        )
        .unwrap();
    stores.canned.save_reply(&edited, r.revision).await.unwrap();
    let stored = stores.canned.get_reply(&r.id).await.unwrap().unwrap();
    assert_eq!(stored.usage_count, 20);
    assert_eq!(stored.body, "New body");
    assert_eq!(
        stores
            .canned
            .list_replies(&ReplyScope::Global, "")
            .await
            .unwrap()[0]
            .usage_count,
        20
    );
    let missing = CannedReplyId::parse("nope").unwrap();
    assert!(matches!(
        stores.canned.count_use(&missing).await,
        Err(StoreError::NotFound(_))
    ));
}
