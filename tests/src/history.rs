//! The customer history through its use case over each adapter (`tests/store_contract.rs` runs
//! every case on SQLite and on DynamoDB): a customer's other chats are found by verified user id,
//! else by e-mail address (any case), newest first, only those the agent may see, never the chat
//! itself, and a purged chat leaves the history.

use chatdesk::app::AppError;
use chatdesk::auth::Principal;
use chatdesk::domain::*;
use chatdesk_server::Stores;

use crate::contract::{agent, aid, app_over, commit_of, gid, seed_groups};

const T0: Timestamp = Timestamp(1_772_442_000_000);

async fn team(stores: &Stores) {
    seed_groups(stores, &["support", "billing"]).await;
    for (id, groups) in [
        ("bob", &["support"][..]),
        ("cy", &["support", "billing"][..]),
        ("eve", &["billing"][..]),
    ] {
        stores
            .directory
            .put_agent(&agent(id, groups, Role::Administrator, 3))
            .await
            .unwrap();
    }
}

/// A chat started `minutes` after T0 by a customer with this address and verified user id.
async fn chat_of(
    stores: &Stores,
    group: &str,
    email: Option<&str>,
    user: Option<&str>,
    minutes: i64,
) -> Chat {
    let at = T0.plus_millis(minutes * 60_000);
    let g = Group::pull(gid(group), group);
    let mut new = rules::start_chat(
        ChatId::generate(),
        &g,
        "Ann",
        email,
        &format!("Question at minute {minutes}"),
        ClientMessageId::generate(),
        at,
    )
    .unwrap();
    new.chat.customer.verified_user_id = user.map(Into::into);
    let events = numbering::opening_events(&new.chat.id, new.events, at);
    stores.chats.create_chat(&new.chat, &events).await.unwrap();
    new.chat
}

fn who(id: &str) -> Principal {
    Principal::Agent(aid(id), None)
}

async fn history(stores: &Stores, caller: &str, chat: &Chat) -> Vec<ChatId> {
    app_over(stores)
        .customer_history(&who(caller), &chat.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect()
}

pub async fn a_customers_chats_are_found_by_user_id_else_by_address_newest_first(stores: Stores) {
    team(&stores).await;
    let first = chat_of(&stores, "support", Some("ann@example.com"), None, 1).await;
    let second = chat_of(&stores, "support", Some("  Ann@Example.COM"), None, 2).await;
    let now = chat_of(&stores, "support", Some("ANN@example.com"), None, 3).await;
    let verified_old = chat_of(&stores, "support", Some("ann@example.com"), Some("u-7"), 4).await;
    let verified_now = chat_of(&stores, "support", None, Some("u-7"), 5).await;
    let someone_else = chat_of(&stores, "support", Some("bo@example.com"), None, 6).await;
    let anonymous = chat_of(&stores, "support", None, None, 7).await;

    assert_eq!(
        history(&stores, "bob", &now).await,
        vec![second.id.clone(), first.id.clone()],
        "by address in any case, newest first, itself left out; the verified user's chats are theirs"
    );
    assert_eq!(
        history(&stores, "bob", &verified_now).await,
        vec![verified_old.id]
    );
    assert!(history(&stores, "bob", &someone_else).await.is_empty());
    assert!(history(&stores, "bob", &anonymous).await.is_empty());
}

pub async fn the_history_holds_only_chats_the_agent_may_see(stores: Stores) {
    team(&stores).await;
    let billing = chat_of(&stores, "billing", Some("ann@example.com"), None, 1).await;
    let support = chat_of(&stores, "support", Some("ann@example.com"), None, 2).await;
    let now = chat_of(&stores, "support", Some("ann@example.com"), None, 3).await;
    assert_eq!(
        history(&stores, "bob", &now).await,
        vec![support.id.clone()]
    );
    assert_eq!(
        history(&stores, "cy", &now).await,
        vec![support.id.clone(), billing.id.clone()]
    );
    let app = app_over(&stores);
    for caller in [who("eve"), Principal::Customer(now.id.clone())] {
        assert!(matches!(
            app.customer_history(&caller, &now.id).await,
            Err(AppError::Forbidden(_))
        ));
    }
}

pub async fn a_purged_chat_leaves_the_history(stores: Stores) {
    team(&stores).await;
    let admin = agent("cy", &["support", "billing"], Role::Administrator, 3);
    let old = chat_of(&stores, "support", Some("ann@example.com"), None, 1).await;
    let now = chat_of(&stores, "support", Some("ann@example.com"), None, 2).await;
    assert_eq!(history(&stores, "bob", &now).await, vec![old.id.clone()]);
    let c = commit_of(
        &old,
        rules::end(&old, rules::EndedBy::Agent(&admin), None, T0).unwrap(),
        T0,
    );
    stores.chats.commit(&c).await.unwrap();
    let d = commit_of(&c.chat, rules::delete(&c.chat, &admin, T0).unwrap(), T0);
    stores.chats.commit(&d).await.unwrap();
    stores
        .chats
        .purge_chat(&old.id, d.chat.last_seq)
        .await
        .unwrap();
    assert!(history(&stores, "bob", &now).await.is_empty());
}
