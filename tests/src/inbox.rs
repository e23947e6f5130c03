//! The inbox store contract and its use cases over each adapter (`tests/store_contract.rs` runs
//! every case on SQLite and on DynamoDB): a message is created once, changed only over the
//! revision it was read at, listed by group and status newest first in pages that show each
//! message once, and agents acting at the same time all get their change in.

use std::sync::Arc;

use chatdesk::app::{AppError, LeaveMessage};
use chatdesk::auth::Principal;
use chatdesk::domain::inbox::LeftMessage;
use chatdesk::domain::*;
use chatdesk::ports::{InboxCursor, StoreError};
use chatdesk_server::Stores;

use crate::contract::{agent, aid, app_over, gid, seed_groups};

const T0: Timestamp = Timestamp(1_772_442_000_000);

fn message(id: &str, group: &str, at: Timestamp) -> OfflineMessage {
    OfflineMessage::new(
        OfflineMessageId::parse(id).unwrap(),
        gid(group),
        LeftMessage::parse("Ann", "ann@example.com", &format!("Question {id}")).unwrap(),
        None,
        at,
    )
}

pub async fn messages_are_created_once_and_read_back(stores: Stores) {
    let m = message("m1", "support", T0);
    stores.inbox.create_message(&m).await.unwrap();
    assert_eq!(
        stores.inbox.get_message(&m.id).await.unwrap(),
        Some(m.clone())
    );
    let mut again = m.clone();
    again.question = "a different question".into();
    assert!(matches!(
        stores.inbox.create_message(&again).await,
        Err(StoreError::AlreadyExists(_))
    ));
    assert_eq!(
        stores.inbox.get_message(&m.id).await.unwrap(),
        Some(m),
        "the second creation wrote nothing"
    );
    let missing = OfflineMessageId::parse("nope").unwrap();
    assert_eq!(stores.inbox.get_message(&missing).await.unwrap(), None);
}

pub async fn a_message_is_saved_only_over_the_revision_read(stores: Stores) {
    let m = message("m1", "support", T0);
    stores.inbox.create_message(&m).await.unwrap();
    let bob = agent("bob", &["support"], Role::Agent, 3);
    let mut first = m.clone();
    first.note(&bob, "first", T0.plus_millis(10)).unwrap();
    let mut second = m.clone();
    second.note(&bob, "second", T0.plus_millis(20)).unwrap();
    stores.inbox.save_message(&first, m.revision).await.unwrap();
    assert!(matches!(
        stores.inbox.save_message(&second, m.revision).await,
        Err(StoreError::Stale)
    ));
    let stored = stores.inbox.get_message(&m.id).await.unwrap().unwrap();
    assert_eq!(stored, first, "the stale write changed nothing");
    let ghost = message("ghost", "support", T0);
    assert!(matches!(
        stores.inbox.save_message(&ghost, 1).await,
        Err(StoreError::NotFound(_))
    ));
}

/// Reads a whole inbox list page by page (pages of `page`).
async fn read_all(stores: &Stores, group: &str, status: MessageStatus, page: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after: Option<InboxCursor> = None;
    for _ in 0..50 {
        let got = stores
            .inbox
            .list_messages(&gid(group), status, after.as_ref(), page)
            .await
            .unwrap();
        assert!(got.len() <= page);
        ids.extend(got.iter().map(|m| m.id.to_string()));
        match got.last() {
            Some(last) if got.len() == page => {
                after = Some(InboxCursor {
                    received_at: last.received_at,
                    id: last.id.clone(),
                })
            }
            _ => return ids,
        }
    }
    panic!("the pages never ended: {ids:?}");
}

pub async fn inboxes_list_a_groups_messages_of_one_status_newest_first(stores: Stores) {
    // Two received in the same millisecond: ordered by id.
    for (id, group, secs) in [
        ("a1", "support", 1),
        ("a2", "support", 2),
        ("a3", "support", 3),
        ("a4", "support", 3),
        ("a5", "support", 5),
        ("b1", "billing", 4),
    ] {
        stores
            .inbox
            .create_message(&message(id, group, T0.plus_millis(secs * 1000)))
            .await
            .unwrap();
    }
    let newest_first = vec!["a5", "a4", "a3", "a2", "a1"];
    for page in [1, 2, 3, 10] {
        assert_eq!(
            read_all(&stores, "support", MessageStatus::Open, page).await,
            newest_first,
            "pages of {page}"
        );
    }
    assert_eq!(
        read_all(&stores, "billing", MessageStatus::Open, 10).await,
        vec!["b1"]
    );

    // Closing one moves it to the closed list (the index may lag: read until it settles).
    let bob = agent("bob", &["support"], Role::Agent, 3);
    let mut a3 = stores
        .inbox
        .get_message(&OfflineMessageId::parse("a3").unwrap())
        .await
        .unwrap()
        .unwrap();
    let read = a3.revision;
    a3.close(&bob, T0.plus_millis(9_000)).unwrap();
    stores.inbox.save_message(&a3, read).await.unwrap();
    let mut settled = false;
    for _ in 0..50 {
        let open = read_all(&stores, "support", MessageStatus::Open, 10).await;
        let closed = read_all(&stores, "support", MessageStatus::Closed, 10).await;
        if open == vec!["a5", "a4", "a2", "a1"] && closed == vec!["a3"] {
            settled = true;
            break;
        }
        // Whatever a lagging index says, a list never shows a message of another status.
        assert!(!open.contains(&"a3".to_string()) || closed.is_empty());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(settled, "the closed message moved lists");
}

pub async fn agents_acting_at_once_all_get_their_change_in(stores: Stores) {
    seed_groups(&stores, &["support"]).await;
    for name in ["bob", "carol"] {
        stores
            .directory
            .put_agent(&agent(name, &["support"], Role::Agent, 3))
            .await
            .unwrap();
    }
    let app = Arc::new(app_over(&stores));
    let left = app
        .leave_message(
            LeaveMessage {
                group_id: "support".into(),
                name: "Ann".into(),
                email: "ann@example.com".into(),
                question: "My printer shows E42".into(),
            },
            None,
        )
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let app = app.clone();
        let id = left.id.clone();
        let who = if i % 2 == 0 { "bob" } else { "carol" };
        tasks.push(tokio::spawn(async move {
            let caller = Principal::Agent(aid(who), None);
            app.note_message(&caller, &id, &format!("note {i}")).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let bob = Principal::Agent(aid("bob"), None);
    let stored = app.inbox_message(&bob, &left.id).await.unwrap();
    assert_eq!(stored.thread.len(), 8, "every note landed once");
    assert_eq!(stored.revision, 9);
    let mut bodies: Vec<String> = stored
        .thread
        .iter()
        .filter_map(|e| match &e.kind {
            chatdesk::domain::inbox::EntryKind::Note { body } => Some(body.clone()),
            _ => None,
        })
        .collect();
    bodies.sort();
    assert_eq!(
        bodies,
        (0..8).map(|i| format!("note {i}")).collect::<Vec<_>>()
    );
}

pub async fn only_members_of_the_group_read_and_change_its_messages(stores: Stores) {
    seed_groups(&stores, &["support", "billing"]).await;
    stores
        .directory
        .put_agent(&agent("bob", &["support"], Role::Agent, 3))
        .await
        .unwrap();
    stores
        .directory
        .put_agent(&agent("olga", &["billing"], Role::Manager, 3))
        .await
        .unwrap();
    let app = app_over(&stores);
    let left = app
        .leave_message(
            LeaveMessage {
                group_id: "support".into(),
                name: "Ann".into(),
                email: "ann@example.com".into(),
                question: "Invoice?".into(),
            },
            None,
        )
        .await
        .unwrap();
    let olga = Principal::Agent(aid("olga"), None);
    let forbidden = |r: Result<OfflineMessage, AppError>| {
        matches!(
            r,
            Err(AppError::Domain(DomainError::Forbidden(_))) | Err(AppError::Forbidden(_))
        )
    };
    assert!(forbidden(app.inbox_message(&olga, &left.id).await));
    assert!(forbidden(app.reply_to_message(&olga, &left.id, "hi").await));
    assert!(forbidden(app.close_message(&olga, &left.id).await));
    assert!(matches!(
        app.inbox(&olga, &gid("support"), MessageStatus::Open, None, None)
            .await,
        Err(AppError::Forbidden(_))
    ));
    // A customer's chat token reads no inbox.
    let customer = Principal::Customer(ChatId::parse("c1").unwrap());
    assert!(app.inbox_message(&customer, &left.id).await.is_err());
    let stored = stores.inbox.get_message(&left.id).await.unwrap().unwrap();
    assert_eq!(stored.revision, 1, "nothing refused changed it");
    // Bob (Support) replies: answered, his.
    let bob = Principal::Agent(aid("bob"), None);
    let replied = app
        .reply_to_message(&bob, &left.id, "It is attached")
        .await
        .unwrap();
    assert_eq!(replied.status, MessageStatus::Answered);
    let page = app
        .inbox(&bob, &gid("support"), MessageStatus::Answered, None, None)
        .await
        .unwrap();
    let listed: Vec<_> = page.messages.iter().map(|m| m.id.clone()).collect();
    assert!(listed.contains(&left.id) || listed.is_empty(), "{listed:?}");
}
