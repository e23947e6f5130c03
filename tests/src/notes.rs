//! The note store contract and the notes' use cases over each adapter
//! (`tests/store_contract.rs` runs every case on SQLite and on DynamoDB): each number of a
//! chat's notes is taken once, notes read back in order and only for their chat, colleagues
//! writing at once all get their note in, a purge takes the notes with the chat, and only
//! agents who may see the chat read or write them.

use std::sync::Arc;

use chatdesk::app::AppError;
use chatdesk::auth::Principal;
use chatdesk::domain::*;
use chatdesk::ports::StoreError;
use chatdesk_server::Stores;

use crate::contract::{agent, aid, app_over, deleted_chat, new_chat, seed_groups};

const T0: Timestamp = Timestamp(1_772_442_000_000);

fn note(chat: &Chat, number: u32, text: &str) -> ChatNote {
    ChatNote {
        chat_id: chat.id.clone(),
        number,
        author_id: aid("bob"),
        author_name: "Bob".into(),
        text: text.into(),
        created_at: T0.plus_millis(i64::from(number)),
    }
}

pub async fn notes_are_numbered_once_and_read_back_in_order(stores: Stores) {
    let chat = new_chat(&stores, "support", "Ann", T0).await;
    let other = new_chat(&stores, "support", "Cy", T0).await;
    assert_eq!(stores.notes.last_note_number(&chat.id).await.unwrap(), None);
    assert!(stores
        .notes
        .chat_notes(&chat.id, 10)
        .await
        .unwrap()
        .is_empty());
    let (first, second) = (note(&chat, 1, "first"), note(&chat, 2, "second\nline"));
    stores.notes.add_note(&first).await.unwrap();
    stores.notes.add_note(&second).await.unwrap();
    stores
        .notes
        .add_note(&note(&other, 1, "elsewhere"))
        .await
        .unwrap();
    assert!(matches!(
        stores.notes.add_note(&note(&chat, 2, "taken")).await,
        Err(StoreError::AlreadyExists(_))
    ));
    assert_eq!(
        stores.notes.last_note_number(&chat.id).await.unwrap(),
        Some(2)
    );
    assert_eq!(
        stores.notes.chat_notes(&chat.id, 10).await.unwrap(),
        vec![first.clone(), second],
        "in order, the refused one wrote nothing, the other chat's not among them"
    );
    assert_eq!(
        stores.notes.chat_notes(&chat.id, 1).await.unwrap(),
        vec![first]
    );
    let missing = ChatId::parse("no-such-chat").unwrap();
    let mut orphan = note(&chat, 1, "nowhere");
    orphan.chat_id = missing.clone();
    assert!(matches!(
        stores.notes.add_note(&orphan).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(stores
        .notes
        .chat_notes(&missing, 10)
        .await
        .unwrap()
        .is_empty());
}

pub async fn a_purge_removes_the_chats_notes(stores: Stores) {
    let admin = agent("ann", &["g"], Role::Administrator, 5);
    stores.directory.put_agent(&admin).await.unwrap();
    let chat = deleted_chat(&stores, &admin).await;
    stores
        .notes
        .add_note(&note(&chat, 1, "before the purge"))
        .await
        .unwrap();
    stores
        .chats
        .purge_chat(&chat.id, chat.last_seq)
        .await
        .unwrap();
    assert!(stores
        .notes
        .chat_notes(&chat.id, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        stores.notes.add_note(&note(&chat, 2, "after")).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn colleagues_writing_at_once_all_get_their_note_in(stores: Stores) {
    seed_groups(&stores, &["support"]).await;
    let writers = ["al", "bo", "cy", "di", "ed", "fa", "gu", "hu"];
    for w in writers {
        stores
            .directory
            .put_agent(&agent(w, &["support"], Role::Agent, 3))
            .await
            .unwrap();
    }
    let chat = new_chat(&stores, "support", "Ann", T0).await;
    let app = Arc::new(app_over(&stores));
    let tasks: Vec<_> = writers
        .into_iter()
        .map(|w| {
            let (app, id) = (app.clone(), chat.id.clone());
            let who = Principal::Agent(aid(w), None);
            tokio::spawn(async move { app.add_chat_note(&who, &id, &format!("from {w}")).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let notes = stores.notes.chat_notes(&chat.id, 100).await.unwrap();
    let numbers: Vec<u32> = notes.iter().map(|n| n.number).collect();
    assert_eq!(numbers, (1..=writers.len() as u32).collect::<Vec<_>>());
    let mut texts: Vec<&str> = notes.iter().map(|n| n.text.as_str()).collect();
    texts.sort();
    let mut expected: Vec<String> = writers.iter().map(|w| format!("from {w}")).collect();
    expected.sort();
    assert_eq!(texts, expected);
}

pub async fn only_agents_who_may_see_the_chat_read_and_write_notes(stores: Stores) {
    seed_groups(&stores, &["support", "billing"]).await;
    for (id, group) in [("bob", "support"), ("eve", "billing")] {
        stores
            .directory
            .put_agent(&agent(id, &[group], Role::Agent, 3))
            .await
            .unwrap();
    }
    let chat = new_chat(&stores, "support", "Ann", T0).await;
    let app = app_over(&stores);
    let bob = Principal::Agent(aid("bob"), None);
    let note = app
        .add_chat_note(&bob, &chat.id, "  VIP, be kind ")
        .await
        .unwrap();
    assert_eq!((note.number, note.text.as_str()), (1, "VIP, be kind"));
    assert_eq!(app.chat_notes(&bob, &chat.id).await.unwrap(), vec![note]);

    let customer = Principal::Customer(chat.id.clone());
    let eve = Principal::Agent(aid("eve"), None);
    for who in [&customer, &eve] {
        assert!(matches!(
            app.chat_notes(who, &chat.id).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            app.add_chat_note(who, &chat.id, "sneaky").await,
            Err(AppError::Forbidden(_))
        ));
    }
    assert!(matches!(
        app.add_chat_note(&bob, &chat.id, "   ").await,
        Err(AppError::Domain(DomainError::InvalidInput {
            field: "text",
            ..
        }))
    ));
    assert_eq!(
        app.chat_notes(&bob, &chat.id).await.unwrap().len(),
        1,
        "nothing more written"
    );
    let gone = ChatId::parse("gone").unwrap();
    assert!(matches!(
        app.chat_notes(&bob, &gone).await,
        Err(AppError::NotFound(_))
    ));
}
