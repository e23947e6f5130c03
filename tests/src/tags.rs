//! Tags on chats through the use cases over each adapter (`tests/store_contract.rs` runs every
//! case on SQLite and on DynamoDB): tags are kept on the chat by its compare-and-set commit, read
//! back with it, narrow any list (across pages), never reach the customer, and two agents tagging
//! at once both get their change in.

use std::sync::Arc;

use chatdesk::app::{AppError, ListCursor};
use chatdesk::auth::Principal;
use chatdesk::domain::*;
use chatdesk_server::Stores;

use crate::contract::{agent, aid, app_over, gid, new_chat, seed_groups};

const T0: Timestamp = Timestamp(1_772_442_000_000);

async fn team(stores: &Stores) {
    seed_groups(stores, &["support", "billing"]).await;
    for (id, group) in [("bob", "support"), ("cy", "support"), ("eve", "billing")] {
        stores
            .directory
            .put_agent(&agent(id, &[group], Role::Agent, 3))
            .await
            .unwrap();
    }
}

fn who(id: &str) -> Principal {
    Principal::Agent(aid(id), None)
}

fn strings(tags: &[&str]) -> Vec<String> {
    tags.iter().map(|t| t.to_string()).collect()
}

fn support() -> ChatView {
    ChatView::Group {
        group_id: gid("support"),
        inactive: false,
    }
}

pub async fn tags_are_kept_on_the_chat_and_hidden_from_its_customer(stores: Stores) {
    team(&stores).await;
    let app = app_over(&stores);
    let chat = new_chat(&stores, "support", "Ann", T0).await;
    let row = app
        .set_chat_tags(&who("bob"), &chat.id, &strings(&[" VIP", "refund", "vip"]))
        .await
        .unwrap();
    assert_eq!(row.tags, strings(&["refund", "vip"]));
    let stored = stores.chats.get_chat(&chat.id).await.unwrap().unwrap();
    assert_eq!(stored.tags, strings(&["refund", "vip"]));
    assert_eq!(stored.last_seq, chat.last_seq + 1, "one commit");

    // The same set again changes nothing.
    app.set_chat_tags(&who("cy"), &chat.id, &strings(&["vip", "REFUND"]))
        .await
        .unwrap();
    let again = stores.chats.get_chat(&chat.id).await.unwrap().unwrap();
    assert_eq!(again.last_seq, stored.last_seq);

    let agent_events = app.events(&who("bob"), &chat.id, 0, 100).await.unwrap();
    assert!(agent_events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::Tagged { tags, .. } if tags == &strings(&["refund", "vip"]))));
    let customer = Principal::Customer(chat.id.clone());
    let customer_events = app.events(&customer, &chat.id, 0, 100).await.unwrap();
    assert!(!customer_events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Tagged { .. })));

    // Removing them all.
    let row = app.set_chat_tags(&who("bob"), &chat.id, &[]).await.unwrap();
    assert!(row.tags.is_empty());
}

pub async fn only_agents_who_may_see_the_chat_tag_it_and_bad_tags_are_named(stores: Stores) {
    team(&stores).await;
    let app = app_over(&stores);
    let chat = new_chat(&stores, "support", "Ann", T0).await;
    for caller in [who("eve"), Principal::Customer(chat.id.clone())] {
        // Refused by the rule (another group) or before it (a customer token): 403 either way.
        assert!(matches!(
            app.set_chat_tags(&caller, &chat.id, &strings(&["vip"]))
                .await,
            Err(AppError::Forbidden(_)) | Err(AppError::Domain(DomainError::Forbidden(_)))
        ));
    }
    let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
    for bad in [
        strings(&["a/b"]),
        strings(&[""]),
        strings(&[&"x".repeat(33)]),
        eleven,
    ] {
        assert!(matches!(
            app.set_chat_tags(&who("bob"), &chat.id, &bad).await,
            Err(AppError::Domain(DomainError::InvalidInput {
                field: "tags",
                ..
            }))
        ));
    }
    let stored = stores.chats.get_chat(&chat.id).await.unwrap().unwrap();
    assert!(stored.tags.is_empty(), "nothing was written");
    assert_eq!(stored.last_seq, chat.last_seq);
}

pub async fn two_agents_tagging_at_once_both_get_their_change_in(stores: Stores) {
    team(&stores).await;
    let app = Arc::new(app_over(&stores));
    let chat = new_chat(&stores, "support", "Ann", T0).await;
    let tasks: Vec<_> = [("bob", "urgent"), ("cy", "billing")]
        .into_iter()
        .map(|(id, tag)| {
            let (app, chat) = (app.clone(), chat.id.clone());
            tokio::spawn(
                async move { app.set_chat_tags(&who(id), &chat, &[tag.to_string()]).await },
            )
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let stored = stores.chats.get_chat(&chat.id).await.unwrap().unwrap();
    assert_eq!(
        stored.last_seq,
        chat.last_seq + 2,
        "both committed, one after the other"
    );
    assert!(
        stored.tags == strings(&["urgent"]) || stored.tags == strings(&["billing"]),
        "{:?}",
        stored.tags
    );
}

pub async fn a_tag_narrows_a_list_across_its_pages(stores: Stores) {
    team(&stores).await;
    let mut app = app_over(&stores);
    app.settings.list_limit = 2;
    let mut ids = Vec::new();
    for i in 0..7 {
        let chat = new_chat(
            &stores,
            "support",
            &format!("C{i}"),
            T0.plus_millis(i * 1000),
        )
        .await;
        ids.push(chat.id);
    }
    for i in [0, 3, 6] {
        app.set_chat_tags(&who("bob"), &ids[i], &strings(&["vip"]))
            .await
            .unwrap();
    }
    app.set_chat_tags(&who("bob"), &ids[1], &strings(&["vipish"]))
        .await
        .unwrap();
    let mut found = Vec::new();
    let mut cursor: Option<ListCursor> = None;
    for _ in 0..10 {
        let page = app
            .list_chats(&who("cy"), support(), None, cursor, Some("vip"))
            .await
            .unwrap();
        assert!(page.rows.len() <= 2);
        assert!(page.rows.iter().all(|r| r.tags == strings(&["vip"])));
        found.extend(page.rows.iter().map(|r| r.id.clone()));
        cursor = page
            .next_cursor
            .as_deref()
            .map(|c| ListCursor::parse(c).unwrap());
        if cursor.is_none() {
            break;
        }
    }
    found.sort();
    let mut expected = vec![ids[0].clone(), ids[3].clone(), ids[6].clone()];
    expected.sort();
    assert_eq!(found, expected, "each tagged chat once, no other");
    let all = app
        .list_chats(
            &who("cy"),
            ChatView::Queue,
            None,
            None,
            Some("nobody-has-this"),
        )
        .await
        .unwrap();
    assert!(all.rows.is_empty());
    let untagged = app
        .list_chats(&who("cy"), support(), None, None, None)
        .await
        .unwrap();
    assert_eq!(untagged.rows.len(), 2, "without a tag, pages as before");
}
