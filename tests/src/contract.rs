//! The store contract: what every adapter of the store ports must do. Each case is a plain
//! async function over `Stores`; `tests/store_contract.rs` runs every case on every adapter.

use std::sync::Arc;

use chatdesk::app::{App, AppError, BulkAction, Settings};
use chatdesk::auth::{Principal, TokenService};
use chatdesk::domain::kb;
use chatdesk::domain::numbering;
use chatdesk::domain::rules::{self, LoadChange};
use chatdesk::domain::*;
use chatdesk::ports::*;
use chatdesk_server::Stores;

pub fn gid(s: &str) -> GroupId {
    GroupId::parse(s).unwrap()
}

pub fn aid(s: &str) -> AgentId {
    AgentId::parse(s).unwrap()
}

pub fn agent(id: &str, groups: &[&str], role: Role, max: u32) -> Agent {
    Agent {
        id: aid(id),
        username: id.to_owned(),
        display_name: id.to_uppercase(),
        role,
        groups: groups.iter().map(|g| gid(g)).collect(),
        available: true,
        max_concurrent_chats: max,
        session_epoch: 11,
        deactivated_at: None,
    }
}

pub async fn seed_groups(stores: &Stores, groups: &[&str]) {
    for g in groups {
        stores
            .directory
            .put_group(&Group {
                id: gid(g),
                name: format!("Group {g}"),
                distribution: chatdesk::domain::Distribution::Pull,
                hand_off: Default::default(),
                business_hours: None,
                offline: Default::default(),
                texts: Default::default(),
            })
            .await
            .unwrap();
    }
}

pub fn app_over(stores: &Stores) -> App {
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
        tokens: Arc::new(TokenService::new(&[9u8; 32]).unwrap()),
        identity: None,
        oidc: None,
        knowledge: chatdesk::app::Knowledge {
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

fn now() -> Timestamp {
    SystemClock.now()
}

/// A queued chat created straight through the store.
pub async fn new_chat(stores: &Stores, group: &str, name: &str, at: Timestamp) -> Chat {
    let g = Group {
        id: gid(group),
        name: group.into(),
        distribution: chatdesk::domain::Distribution::Pull,
        hand_off: Default::default(),
        business_hours: None,
        offline: Default::default(),
        texts: Default::default(),
    };
    let new = rules::start_chat(
        ChatId::generate(),
        &g,
        name,
        None,
        "How do I reset my password?",
        ClientMessageId::generate(),
        at,
    )
    .unwrap();
    let events = numbering::opening_events(&new.chat.id, new.events, at);
    stores.chats.create_chat(&new.chat, &events).await.unwrap();
    new.chat
}

pub fn commit_of(before: &Chat, m: rules::Mutation, at: Timestamp) -> ChatCommit {
    let (chat, event) = numbering::next_event(before, m.chat, m.event, at);
    ChatCommit {
        before: before.clone(),
        chat,
        event,
        load: m.load,
    }
}

pub async fn groups_and_agents_round_trip(stores: Stores) {
    seed_groups(&stores, &["b", "a"]).await;
    let groups = stores.directory.list_groups().await.unwrap();
    assert_eq!(groups.len(), 2);
    assert!(groups.iter().all(|g| g.distribution == Distribution::Pull));
    let automatic = Group {
        id: gid("b"),
        name: "Group B, automatic".into(),
        distribution: Distribution::Automatic,
        hand_off: Default::default(),
        business_hours: None,
        offline: Default::default(),
        texts: Default::default(),
    };
    stores.directory.put_group(&automatic).await.unwrap();
    let groups = stores.directory.list_groups().await.unwrap();
    assert_eq!(groups.len(), 2, "a group is updated in place");
    assert_eq!(
        groups.iter().find(|g| g.id == automatic.id),
        Some(&automatic),
        "name and distribution are stored"
    );
    let a = agent("ann", &["a", "b"], Role::Manager, 3);
    stores.directory.put_agent(&a).await.unwrap();
    assert_eq!(
        stores.directory.get_agent(&a.id).await.unwrap(),
        Some(a.clone())
    );
    assert_eq!(
        stores.directory.get_agent(&aid("nobody")).await.unwrap(),
        None
    );
    let mut changed = a.clone();
    changed.available = false;
    changed.display_name = "Ann B.".into();
    stores.directory.put_agent(&changed).await.unwrap();
    assert_eq!(
        stores.directory.get_agent(&a.id).await.unwrap(),
        Some(changed)
    );
    assert_eq!(stores.directory.list_agents().await.unwrap().len(), 1);
}

/// The session epoch moves only through `set_session_epoch`: a profile written from an earlier
/// read (an availability toggle racing a revocation) never brings a revoked epoch back.
pub async fn session_epochs_move_only_when_revoked(stores: Stores) {
    seed_groups(&stores, &["a"]).await;
    let dir = &stores.directory;
    let a = agent("ann", &["a"], Role::Agent, 3);
    dir.put_agent(&a).await.unwrap();
    assert_eq!(
        dir.get_agent(&a.id).await.unwrap().unwrap().session_epoch,
        11
    );
    dir.set_session_epoch(&a.id, 99).await.unwrap();
    let mut stale = a.clone();
    stale.available = false;
    stale.session_epoch = 11;
    // Written from the read before the revocation: refused, or kept at the revoked epoch.
    let _ = dir.put_agent(&stale).await;
    let now_stored = dir.get_agent(&a.id).await.unwrap().unwrap();
    assert_eq!(now_stored.session_epoch, 99, "the revocation stands");
    let mut fresh = now_stored.clone();
    fresh.display_name = "Annie".into();
    dir.put_agent(&fresh).await.unwrap();
    let read = dir.get_agent(&a.id).await.unwrap().unwrap();
    assert_eq!(
        (read.display_name.as_str(), read.session_epoch),
        ("Annie", 99)
    );
    assert!(matches!(
        dir.set_session_epoch(&aid("nobody"), 5).await,
        Err(StoreError::NotFound(_))
    ));
}

/// Removing an agent removes their profile and sign-in; the username is free again.
pub async fn agents_are_removed_with_their_sign_in(stores: Stores) {
    seed_groups(&stores, &["a"]).await;
    let dir = &stores.directory;
    let a = agent("ann", &["a"], Role::Agent, 3);
    dir.put_agent(&a).await.unwrap();
    dir.set_password_hash(&a.id, "$argon2id$x").await.unwrap();
    assert!(dir.delete_agent(&a.id).await.unwrap());
    assert_eq!(dir.get_agent(&a.id).await.unwrap(), None);
    assert_eq!(dir.find_login("ann").await.unwrap(), None);
    assert!(dir.list_agents().await.unwrap().is_empty());
    assert!(!dir.delete_agent(&a.id).await.unwrap(), "removing twice");
    let mut again = agent("ann", &["a"], Role::Agent, 3);
    again.session_epoch = 12;
    dir.put_agent(&again).await.unwrap();
    assert_eq!(
        dir.get_agent(&a.id).await.unwrap().unwrap().session_epoch,
        12
    );
    assert_eq!(
        dir.find_login("ann").await.unwrap(),
        None,
        "the old password is gone"
    );
}

pub async fn usernames_are_unique_and_logins_carry_the_hash(stores: Stores) {
    let a = agent("ann", &[], Role::Agent, 3);
    stores.directory.put_agent(&a).await.unwrap();
    let mut b = agent("bea", &[], Role::Agent, 3);
    b.username = "ann".into();
    assert!(matches!(
        stores.directory.put_agent(&b).await,
        Err(StoreError::AlreadyExists(_))
    ));
    assert_eq!(
        stores.directory.find_login("ann").await.unwrap(),
        None,
        "no password yet"
    );
    stores
        .directory
        .set_password_hash(&a.id, "$argon2id$x")
        .await
        .unwrap();
    let (found, hash) = stores.directory.find_login("ann").await.unwrap().unwrap();
    assert_eq!(found.id, a.id);
    assert_eq!(hash, "$argon2id$x");
    assert!(stores.directory.find_login("bea").await.unwrap().is_none());
    // Renaming frees the old username.
    let mut renamed = a.clone();
    renamed.username = "anna".into();
    stores.directory.put_agent(&renamed).await.unwrap();
    stores.directory.put_agent(&b).await.unwrap();
    assert_eq!(
        stores
            .directory
            .find_login("anna")
            .await
            .unwrap()
            .unwrap()
            .0
            .id,
        a.id
    );
}

pub async fn chats_are_created_once_and_read_back(stores: Stores) {
    let chat = new_chat(&stores, "g", "Ann", now()).await;
    let read = stores.chats.get_chat(&chat.id).await.unwrap().unwrap();
    assert_eq!(read, chat);
    let events = stores.chats.events_after(&chat.id, 0, 100).await.unwrap();
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2]);
    assert!(matches!(
        stores.chats.create_chat(&chat, &events).await,
        Err(StoreError::AlreadyExists(_))
    ));
    assert!(stores
        .chats
        .get_chat(&ChatId::generate())
        .await
        .unwrap()
        .is_none());
}

pub async fn a_commit_applies_the_change_and_appends_the_event(stores: Stores) {
    let a = agent("ann", &["g"], Role::Agent, 2);
    stores.directory.put_agent(&a).await.unwrap();
    let chat = new_chat(&stores, "g", "Ann", now()).await;
    let c = commit_of(&chat, rules::take(&chat, &a, now()).unwrap(), now());
    assert_eq!(
        stores.chats.commit(&c).await.unwrap(),
        CommitOutcome::Committed
    );
    let read = stores.chats.get_chat(&chat.id).await.unwrap().unwrap();
    assert_eq!(read.state, ChatState::Active);
    assert_eq!(read.agent_id, Some(a.id.clone()));
    assert_eq!(read.last_seq, 3);
    assert_eq!(stores.directory.active_chat_count(&a.id).await.unwrap(), 1);
    let events = stores.chats.events_after(&chat.id, 2, 100).await.unwrap();
    assert_eq!(events.len(), 1);
    assert!(matches!(events[0].kind, EventKind::Assigned { .. }));
}

pub async fn a_stale_commit_is_refused_and_writes_nothing(stores: Stores) {
    let a = agent("ann", &["g"], Role::Agent, 2);
    let b = agent("bob", &["g"], Role::Agent, 2);
    stores.directory.put_agent(&a).await.unwrap();
    stores.directory.put_agent(&b).await.unwrap();
    let chat = new_chat(&stores, "g", "Ann", now()).await;
    let first = commit_of(&chat, rules::take(&chat, &a, now()).unwrap(), now());
    let second = commit_of(&chat, rules::take(&chat, &b, now()).unwrap(), now());
    stores.chats.commit(&first).await.unwrap();
    assert!(matches!(
        stores.chats.commit(&second).await,
        Err(StoreError::Stale)
    ));
    let read = stores.chats.get_chat(&chat.id).await.unwrap().unwrap();
    assert_eq!(read.agent_id, Some(a.id.clone()));
    assert_eq!(
        stores.directory.active_chat_count(&b.id).await.unwrap(),
        0,
        "no half write"
    );
    assert_eq!(
        stores
            .chats
            .events_after(&chat.id, 0, 100)
            .await
            .unwrap()
            .len(),
        3
    );
}

pub async fn a_commit_for_a_missing_chat_is_not_found(stores: Stores) {
    let chat = new_chat(&stores, "g", "Ann", now()).await;
    let mut ghost = chat.clone();
    ghost.id = ChatId::generate();
    let a = agent("ann", &["g"], Role::Agent, 2);
    let c = commit_of(&ghost, rules::take(&ghost, &a, now()).unwrap(), now());
    assert!(matches!(
        stores.chats.commit(&c).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn an_agent_at_capacity_is_refused_and_nothing_is_written(stores: Stores) {
    let a = agent("ann", &["g"], Role::Agent, 1);
    stores.directory.put_agent(&a).await.unwrap();
    let one = new_chat(&stores, "g", "One", now()).await;
    let two = new_chat(&stores, "g", "Two", now()).await;
    stores
        .chats
        .commit(&commit_of(
            &one,
            rules::take(&one, &a, now()).unwrap(),
            now(),
        ))
        .await
        .unwrap();
    let refused = stores
        .chats
        .commit(&commit_of(
            &two,
            rules::take(&two, &a, now()).unwrap(),
            now(),
        ))
        .await;
    assert!(
        matches!(refused, Err(StoreError::AtCapacity { limit: 1, .. })),
        "{refused:?}"
    );
    let two_now = stores.chats.get_chat(&two.id).await.unwrap().unwrap();
    assert_eq!(two_now, two, "the chat is untouched");
    assert_eq!(
        stores.chats.events_after(&two.id, 2, 10).await.unwrap(),
        vec![]
    );
    assert_eq!(stores.directory.active_chat_count(&a.id).await.unwrap(), 1);

    // Ending the first chat releases the slot.
    let one_now = stores.chats.get_chat(&one.id).await.unwrap().unwrap();
    stores
        .chats
        .commit(&commit_of(
            &one_now,
            rules::end(&one_now, rules::EndedBy::Agent(&a), None, now()).unwrap(),
            now(),
        ))
        .await
        .unwrap();
    assert_eq!(stores.directory.active_chat_count(&a.id).await.unwrap(), 0);
    stores
        .chats
        .commit(&commit_of(
            &two,
            rules::take(&two, &a, now()).unwrap(),
            now(),
        ))
        .await
        .unwrap();
    assert_eq!(stores.directory.active_chat_count(&a.id).await.unwrap(), 1);
}

pub async fn a_repeated_client_message_id_returns_the_first_message(stores: Stores) {
    let chat = new_chat(&stores, "g", "Ann", now()).await;
    let cmid = ClientMessageId::parse("retry-1").unwrap();
    let m =
        rules::send_message(&chat, rules::Sender::Customer, cmid.clone(), "first", now()).unwrap();
    let c = commit_of(&chat, m, now());
    assert_eq!(
        stores.chats.commit(&c).await.unwrap(),
        CommitOutcome::Committed
    );
    let after = stores.chats.get_chat(&chat.id).await.unwrap().unwrap();
    let again = rules::send_message(
        &after,
        rules::Sender::Customer,
        cmid.clone(),
        "second",
        now(),
    )
    .unwrap();
    let outcome = stores
        .chats
        .commit(&commit_of(&after, again, now()))
        .await
        .unwrap();
    match outcome {
        CommitOutcome::DuplicateMessage(e) => {
            assert_eq!(e.seq, 3);
            assert!(matches!(&e.kind, EventKind::Message { body, .. } if body == "first"));
        }
        other => panic!("expected a duplicate, got {other:?}"),
    }
    assert_eq!(
        stores
            .chats
            .get_chat(&chat.id)
            .await
            .unwrap()
            .unwrap()
            .last_seq,
        3
    );
    let found = stores
        .chats
        .find_message(&chat.id, &cmid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.seq, 3);
    assert!(stores
        .chats
        .find_message(&chat.id, &ClientMessageId::parse("other").unwrap())
        .await
        .unwrap()
        .is_none());
}

pub async fn events_are_read_in_order_after_a_sequence_number(stores: Stores) {
    let start = now();
    let mut chat = new_chat(&stores, "g", "Ann", start).await;
    for i in 0..25 {
        // A second apart: the pace of one person writing, which the rules allow.
        let at = start.plus_millis(i * 1_000);
        let m = rules::send_message(
            &chat,
            rules::Sender::Customer,
            ClientMessageId::parse(&format!("m{i}")).unwrap(),
            &format!("message {i}"),
            at,
        )
        .unwrap();
        let c = commit_of(&chat, m, at);
        stores.chats.commit(&c).await.unwrap();
        chat = c.chat;
    }
    let all = stores.chats.events_after(&chat.id, 0, 1000).await.unwrap();
    assert_eq!(
        all.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=27).collect::<Vec<_>>()
    );
    let page = stores.chats.events_after(&chat.id, 10, 5).await.unwrap();
    assert_eq!(
        page.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![11, 12, 13, 14, 15]
    );
    assert!(stores
        .chats
        .events_after(&chat.id, 27, 5)
        .await
        .unwrap()
        .is_empty());
}

pub async fn lists_follow_chats_through_their_lives(stores: Stores) {
    let a = agent("ann", &["g"], Role::Manager, 5);
    stores.directory.put_agent(&a).await.unwrap();
    let t0 = Timestamp(1_700_000_000_000);
    let older = new_chat(&stores, "g", "Older", t0).await;
    let newer = new_chat(&stores, "g", "Newer", t0.plus_millis(1000)).await;
    let other = new_chat(&stores, "h", "Elsewhere", t0).await;
    let ids = |v: Vec<Chat>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let list = |f: ChatFilter| {
        let chats = stores.chats.clone();
        async move { chats.list_chats(&f, 100).await.unwrap() }
    };
    assert_eq!(
        ids(list(ChatFilter::GroupQueue(gid("g"))).await),
        vec![older.id.clone(), newer.id.clone()]
    );
    assert_eq!(list(ChatFilter::GroupLive(gid("g"))).await.len(), 2);
    assert_eq!(
        ids(list(ChatFilter::GroupQueue(gid("h"))).await),
        vec![other.id.clone()]
    );
    assert_eq!(stores.chats.queue_position(&older).await.unwrap(), 0);
    assert_eq!(stores.chats.queue_position(&newer).await.unwrap(), 1);

    // Take the older one: it leaves the queue and becomes ann's.
    let c = commit_of(
        &older,
        rules::take(&older, &a, t0.plus_millis(5000)).unwrap(),
        t0,
    );
    stores.chats.commit(&c).await.unwrap();
    let older = c.chat;
    assert_eq!(
        ids(list(ChatFilter::GroupQueue(gid("g"))).await),
        vec![newer.id.clone()]
    );
    assert_eq!(list(ChatFilter::GroupLive(gid("g"))).await.len(), 2);
    assert_eq!(
        ids(list(ChatFilter::AgentActive(a.id.clone())).await),
        vec![older.id.clone()]
    );
    assert_eq!(stores.chats.queue_position(&newer).await.unwrap(), 0);

    // End it: it moves to the ended lists.
    let c = commit_of(
        &older,
        rules::end(
            &older,
            rules::EndedBy::Agent(&a),
            None,
            t0.plus_millis(9000),
        )
        .unwrap(),
        t0,
    );
    stores.chats.commit(&c).await.unwrap();
    let older = c.chat;
    assert!(list(ChatFilter::AgentActive(a.id.clone())).await.is_empty());
    assert_eq!(
        ids(list(ChatFilter::AgentEnded(a.id.clone())).await),
        vec![older.id.clone()]
    );
    assert_eq!(
        ids(list(ChatFilter::GroupEnded(gid("g"))).await),
        vec![older.id.clone()]
    );
    assert_eq!(list(ChatFilter::GroupLive(gid("g"))).await.len(), 1);

    // Delete it: it leaves every list but the deleted one; restore brings it back.
    let c = commit_of(
        &older,
        rules::delete(&older, &a, t0.plus_millis(10_000)).unwrap(),
        t0,
    );
    stores.chats.commit(&c).await.unwrap();
    let older = c.chat;
    assert!(list(ChatFilter::AgentEnded(a.id.clone())).await.is_empty());
    assert!(list(ChatFilter::GroupEnded(gid("g"))).await.is_empty());
    assert_eq!(
        ids(list(ChatFilter::GroupDeleted(gid("g"))).await),
        vec![older.id.clone()]
    );
    let c = commit_of(&older, rules::restore(&older, &a).unwrap(), t0);
    stores.chats.commit(&c).await.unwrap();
    assert!(list(ChatFilter::GroupDeleted(gid("g"))).await.is_empty());
    assert_eq!(
        ids(list(ChatFilter::GroupEnded(gid("g"))).await),
        vec![older.id.clone()]
    );
    assert_eq!(
        ids(list(ChatFilter::AgentEnded(a.id.clone())).await),
        vec![older.id.clone()]
    );

    // Ended lists are most recent first.
    let mut newer_now = newer.clone();
    let c = commit_of(
        &newer_now,
        rules::take(&newer_now, &a, t0.plus_millis(20_000)).unwrap(),
        t0,
    );
    stores.chats.commit(&c).await.unwrap();
    newer_now = c.chat;
    let c = commit_of(
        &newer_now,
        rules::end(
            &newer_now,
            rules::EndedBy::Customer,
            None,
            t0.plus_millis(30_000),
        )
        .unwrap(),
        t0,
    );
    stores.chats.commit(&c).await.unwrap();
    assert_eq!(
        ids(list(ChatFilter::GroupEnded(gid("g"))).await),
        vec![newer.id.clone(), older.id.clone()]
    );
    // The limit is honoured.
    assert_eq!(
        stores
            .chats
            .list_chats(&ChatFilter::GroupEnded(gid("g")), 1)
            .await
            .unwrap()
            .len(),
        1
    );
}

/// Applies a rule to a chat through the store and returns the chat as committed.
async fn apply(stores: &Stores, chat: &Chat, m: rules::Mutation, at: Timestamp) -> Chat {
    let c = commit_of(chat, m, at);
    stores.chats.commit(&c).await.unwrap();
    c.chat
}

/// A chat ended and deleted by `by` straight through the store.
pub async fn deleted_chat(stores: &Stores, by: &Agent) -> Chat {
    let chat = new_chat(stores, "g", "Ann", now()).await;
    let m = rules::end(&chat, rules::EndedBy::Agent(by), None, now()).unwrap();
    let c = commit_of(&chat, m, now());
    stores.chats.commit(&c).await.unwrap();
    let ended = c.chat;
    let c = commit_of(&ended, rules::delete(&ended, by, now()).unwrap(), now());
    stores.chats.commit(&c).await.unwrap();
    c.chat
}

/// Reads a whole list `page` chats at a time, each page after the last chat of the one before.
async fn read_in_pages(stores: &Stores, filter: &ChatFilter, page: usize) -> Vec<ChatId> {
    let mut ids = Vec::new();
    let mut after: Option<ListPosition> = None;
    loop {
        let chats = stores
            .chats
            .list_chats_after(filter, after.as_ref(), page)
            .await
            .unwrap();
        assert!(
            chats.len() <= page,
            "{filter:?}: a page holds at most its limit"
        );
        ids.extend(chats.iter().map(|c| c.id.clone()));
        match chats.last() {
            Some(last) if chats.len() == page => after = Some(ListPosition::of(last)),
            _ => return ids,
        }
    }
}

/// Every list, read two chats at a time, gives each of its chats exactly once and in its order:
/// across equal instants (ordered by id), and across the live list's two buckets.
pub async fn list_pages_return_every_chat_once_in_order(stores: Stores) {
    let a = agent("ann", &["g"], Role::Manager, 100);
    stores.directory.put_agent(&a).await.unwrap();
    let t0 = Timestamp(1_700_000_000_000);
    let mut chats = Vec::new();
    for i in 0..14 {
        // Pairs share an instant: the id decides their order.
        chats.push(new_chat(&stores, "g", &format!("C{i}"), t0.plus_millis(i / 2 * 1000)).await);
    }
    let _elsewhere = new_chat(&stores, "h", "Elsewhere", t0).await;
    // 0-3 stay queued; 4-7 active; 8-11 ended; 12-13 deleted.
    let mut now = t0.plus_millis(60_000);
    for (i, chat) in chats.iter_mut().enumerate().skip(4) {
        now = now.plus_millis(if i % 2 == 0 { 0 } else { 1000 });
        *chat = apply(&stores, chat, rules::take(chat, &a, now).unwrap(), now).await;
        if i >= 8 {
            let ended = rules::end(chat, rules::EndedBy::Agent(&a), None, now).unwrap();
            *chat = apply(&stores, chat, ended, now).await;
        }
        if i >= 12 {
            *chat = apply(&stores, chat, rules::delete(chat, &a, now).unwrap(), now).await;
        }
    }
    let filters = [
        ChatFilter::GroupQueue(gid("g")),
        ChatFilter::GroupLive(gid("g")),
        ChatFilter::GroupEnded(gid("g")),
        ChatFilter::GroupDeleted(gid("g")),
        ChatFilter::AgentActive(a.id.clone()),
        ChatFilter::AgentEnded(a.id.clone()),
    ];
    let expected_counts = [4, 8, 4, 2, 4, 4];
    for (filter, count) in filters.iter().zip(expected_counts) {
        let whole = stores.chats.list_chats(filter, 100).await.unwrap();
        assert_eq!(whole.len(), count, "{filter:?}");
        // The list's own order: ascending positions, or descending for the newest-first lists.
        let positions: Vec<ListPosition> = whole.iter().map(ListPosition::of).collect();
        let mut sorted = positions.clone();
        sorted.sort();
        if filter.newest_first() {
            sorted.reverse();
        }
        assert_eq!(positions, sorted, "{filter:?} is read in position order");
        // The places alone (pull, hand-out and queue places read only these) are the same.
        assert_eq!(
            stores.chats.list_positions(filter, 100).await.unwrap(),
            positions,
            "{filter:?} positions"
        );
        assert_eq!(
            stores.chats.list_positions(filter, 3).await.unwrap(),
            positions[..3.min(count)],
            "{filter:?} first 3 positions"
        );
        let whole_ids: Vec<ChatId> = whole.into_iter().map(|c| c.id).collect();
        for page in [1, 2, 3, count, count + 1] {
            assert_eq!(
                read_in_pages(&stores, filter, page).await,
                whole_ids,
                "{filter:?} read {page} at a time"
            );
        }
    }
    // The live list holds the queued chats first, then the active ones.
    let live = stores
        .chats
        .list_chats(&ChatFilter::GroupLive(gid("g")), 100)
        .await
        .unwrap();
    let states: Vec<ChatState> = live.iter().map(|c| c.state).collect();
    assert_eq!(
        states,
        [[ChatState::Queued; 4], [ChatState::Active; 4]].concat()
    );
}

/// A page goes on from a position even after the chat there moved to another list or is gone,
/// and a position from another bucket lists nothing.
pub async fn a_page_goes_on_after_a_chat_that_moved_or_went(stores: Stores) {
    let a = agent("ann", &["g"], Role::Manager, 100);
    stores.directory.put_agent(&a).await.unwrap();
    let t0 = Timestamp(1_700_000_000_000);
    let mut queued = Vec::new();
    for i in 0..6 {
        queued.push(new_chat(&stores, "g", &format!("Q{i}"), t0.plus_millis(i * 1000)).await);
    }
    let queue = ChatFilter::GroupQueue(gid("g"));
    let first = stores.chats.list_chats(&queue, 2).await.unwrap();
    let after = ListPosition::of(&first[1]);
    // The last chat of the page is pulled, another one purged.
    let now = t0.plus_millis(60_000);
    apply(
        &stores,
        &first[1],
        rules::take(&first[1], &a, now).unwrap(),
        now,
    )
    .await;
    // Ended, deleted and purged, as an administrator would (purge takes deleted chats only).
    let gone = &queued[3];
    let ended = apply(
        &stores,
        gone,
        rules::end(gone, rules::EndedBy::Agent(&a), None, now).unwrap(),
        now,
    )
    .await;
    let deleted = apply(
        &stores,
        &ended,
        rules::delete(&ended, &a, now).unwrap(),
        now,
    )
    .await;
    stores
        .chats
        .purge_chat(&deleted.id, deleted.last_seq)
        .await
        .unwrap();
    let rest: Vec<ChatId> = stores
        .chats
        .list_chats_after(&queue, Some(&after), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(
        rest,
        vec![
            queued[2].id.clone(),
            queued[4].id.clone(),
            queued[5].id.clone()
        ]
    );
    let elsewhere = ListPosition {
        bucket: ListBucket::Ended,
        at: t0,
        chat_id: queued[0].id.clone(),
    };
    assert!(stores
        .chats
        .list_chats_after(&queue, Some(&elsewhere), 10)
        .await
        .unwrap()
        .is_empty());
    let live_from_active = ListPosition {
        bucket: ListBucket::Active,
        at: Timestamp(0),
        chat_id: queued[0].id.clone(),
    };
    let live = ChatFilter::GroupLive(gid("g"));
    let actives: Vec<ChatId> = stores
        .chats
        .list_chats_after(&live, Some(&live_from_active), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(
        actives,
        vec![first[1].id.clone()],
        "after the queued bucket: the active chat"
    );
}

/// The largest sequence numbers a client can name read nothing (and never overflow a key).
pub async fn reading_after_the_largest_sequence_numbers_reads_nothing(stores: Stores) {
    let chat = new_chat(&stores, "g", "Ann", now()).await;
    for after in [limits::MAX_SEQ, u64::MAX - 1, u64::MAX] {
        assert!(
            stores
                .chats
                .events_after(&chat.id, after, 10)
                .await
                .unwrap()
                .is_empty(),
            "after {after}"
        );
    }
}

async fn transcript_len(stores: &Stores, chat: &ChatId) -> usize {
    stores.chats.events_after(chat, 0, 500).await.unwrap().len()
}

pub async fn purging_removes_the_chat_and_its_transcript(stores: Stores) {
    let a = agent("ann", &["g"], Role::Administrator, 5);
    stores.directory.put_agent(&a).await.unwrap();
    let chat = deleted_chat(&stores, &a).await;
    stores
        .chats
        .purge_chat(&chat.id, chat.last_seq)
        .await
        .unwrap();
    assert!(stores.chats.get_chat(&chat.id).await.unwrap().is_none());
    assert_eq!(transcript_len(&stores, &chat.id).await, 0);
    assert!(stores
        .chats
        .list_chats(&ChatFilter::GroupDeleted(gid("g")), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        stores.chats.purge_chat(&chat.id, chat.last_seq).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        stores.chats.finish_purge(&chat.id).await.unwrap(),
        None,
        "nothing left to finish"
    );
    // A restore computed from the chat as read before the purge cannot bring it back.
    let restore = commit_of(&chat, rules::restore(&chat, &a).unwrap(), now());
    assert!(matches!(
        stores.chats.commit(&restore).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(stores.chats.get_chat(&chat.id).await.unwrap().is_none());
}

/// Purge is compare-and-set: it commits only at the sequence number and deleted state the
/// caller checked, and a purge that loses writes nothing.
pub async fn a_purge_that_lost_a_race_is_refused_and_writes_nothing(stores: Stores) {
    let a = agent("ann", &["g"], Role::Administrator, 5);
    stores.directory.put_agent(&a).await.unwrap();
    let chat = deleted_chat(&stores, &a).await;
    let events = transcript_len(&stores, &chat.id).await;
    assert!(matches!(
        stores.chats.purge_chat(&chat.id, chat.last_seq - 1).await,
        Err(StoreError::Stale)
    ));
    // Restored in between: the purge at the number it read is refused.
    let c = commit_of(&chat, rules::restore(&chat, &a).unwrap(), now());
    stores.chats.commit(&c).await.unwrap();
    let restored = c.chat;
    assert!(matches!(
        stores.chats.purge_chat(&chat.id, chat.last_seq).await,
        Err(StoreError::Stale)
    ));
    // A chat that is not deleted is never purged, even at its current number.
    assert!(matches!(
        stores.chats.purge_chat(&chat.id, restored.last_seq).await,
        Err(StoreError::Stale)
    ));
    assert_eq!(
        stores.chats.get_chat(&chat.id).await.unwrap(),
        Some(restored.clone())
    );
    assert_eq!(transcript_len(&stores, &chat.id).await, events + 1);
    assert_eq!(
        stores
            .chats
            .list_chats(&ChatFilter::GroupEnded(gid("g")), 10)
            .await
            .unwrap(),
        vec![restored]
    );
    assert!(matches!(
        stores.chats.purge_chat(&ChatId::generate(), 1).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn preferences_round_trip(stores: Stores) {
    let a = aid("ann");
    assert_eq!(stores.preferences.get_preferences(&a).await.unwrap(), None);
    let mut p = ListPreferences::default();
    p.columns[2].visible = false;
    p.columns[3].width = 321;
    p.sort = SortSpec {
        column: Column::Idle,
        direction: SortDirection::Asc,
    };
    stores.preferences.put_preferences(&a, &p).await.unwrap();
    assert_eq!(
        stores.preferences.get_preferences(&a).await.unwrap(),
        Some(p.clone())
    );
    p.columns[2].visible = true;
    stores.preferences.put_preferences(&a, &p).await.unwrap();
    assert_eq!(
        stores.preferences.get_preferences(&a).await.unwrap(),
        Some(p)
    );
}

pub async fn connections_and_subscriptions(stores: Stores) {
    let conns = &stores.connections;
    let agent_conn = Connection {
        id: ConnectionId::parse("agentConn1=").unwrap(),
        owner: ConnectionOwner::Agent {
            agent_id: aid("ann"),
            groups: vec![gid("g"), gid("h")],
            session: Some(7),
        },
        connected_at: now(),
        expires_at: now().plus_millis(3_600_000),
    };
    let chat = ChatId::generate();
    let customer_conn = Connection {
        id: ConnectionId::parse("custConn1=").unwrap(),
        owner: ConnectionOwner::Customer {
            chat_id: chat.clone(),
        },
        connected_at: now(),
        expires_at: now().plus_millis(3_600_000),
    };
    conns.put_connection(&agent_conn, 10).await.unwrap();
    conns.put_connection(&customer_conn, 10).await.unwrap();
    assert_eq!(
        conns.get_connection(&agent_conn.id).await.unwrap(),
        Some(agent_conn.clone())
    );
    let no_list = |list: Option<ListWatch>| {
        vec![GroupSubscriber {
            connection: agent_conn.id.clone(),
            list,
        }]
    };
    assert_eq!(
        conns.group_subscribers(&gid("g")).await.unwrap(),
        no_list(None)
    );
    assert_eq!(
        conns.group_subscribers(&gid("h")).await.unwrap(),
        no_list(None)
    );
    assert!(conns.group_subscribers(&gid("x")).await.unwrap().is_empty());

    // The list on screen is noted on every group subscription of the connection, replaced by
    // the next one, and cleared.
    let group_list = ListWatch {
        agent_id: aid("ann"),
        view: ChatView::Group {
            group_id: gid("h"),
            inactive: true,
        },
    };
    conns
        .watch_list(&agent_conn.id, Some(&group_list))
        .await
        .unwrap();
    assert_eq!(
        conns.group_subscribers(&gid("g")).await.unwrap(),
        no_list(Some(group_list.clone()))
    );
    let mine = ListWatch {
        agent_id: aid("ann"),
        view: ChatView::MyActive,
    };
    conns.watch_list(&agent_conn.id, Some(&mine)).await.unwrap();
    assert_eq!(
        conns.group_subscribers(&gid("h")).await.unwrap(),
        no_list(Some(mine))
    );
    conns.watch_list(&agent_conn.id, None).await.unwrap();
    assert_eq!(
        conns.group_subscribers(&gid("g")).await.unwrap(),
        no_list(None)
    );
    // A customer connection has no list; an unknown one changes nothing.
    conns
        .watch_list(&customer_conn.id, Some(&group_list))
        .await
        .unwrap();
    conns
        .watch_list(&ConnectionId::parse("gone1=").unwrap(), Some(&group_list))
        .await
        .unwrap();
    assert!(conns.group_subscribers(&gid("x")).await.unwrap().is_empty());
    assert_eq!(
        conns.chat_subscribers(&chat).await.unwrap(),
        vec![Subscriber {
            connection: customer_conn.id.clone(),
            audience: Audience::Customer
        }]
    );
    conns.watch_chat(&chat, &agent_conn.id).await.unwrap();
    conns.watch_chat(&chat, &agent_conn.id).await.unwrap();
    let mut subs = conns.chat_subscribers(&chat).await.unwrap();
    subs.sort_by(|a, b| a.connection.cmp(&b.connection));
    assert_eq!(subs.len(), 2, "watching twice subscribes once");
    conns.unwatch_chat(&chat, &agent_conn.id).await.unwrap();
    assert_eq!(conns.chat_subscribers(&chat).await.unwrap().len(), 1);
    conns.watch_chat(&chat, &agent_conn.id).await.unwrap();

    // Removing a connection removes every subscription it had.
    conns.remove_connection(&agent_conn.id).await.unwrap();
    assert!(conns
        .get_connection(&agent_conn.id)
        .await
        .unwrap()
        .is_none());
    assert!(conns.group_subscribers(&gid("g")).await.unwrap().is_empty());
    // A list noted after the connection went brings none of its subscriptions back.
    conns
        .watch_list(&agent_conn.id, Some(&group_list))
        .await
        .unwrap();
    assert!(conns.group_subscribers(&gid("g")).await.unwrap().is_empty());
    assert_eq!(conns.chat_subscribers(&chat).await.unwrap().len(), 1);
    conns.remove_connection(&customer_conn.id).await.unwrap();
    assert!(conns.chat_subscribers(&chat).await.unwrap().is_empty());
    conns.remove_connection(&customer_conn.id).await.unwrap();
}

/// The consoles a message's row goes to: the connections subscribed to the chat's group whose
/// list holds the chat, and the assigned agent's whatever their list; none without a list, none
/// of another group.
pub async fn list_watchers_are_the_consoles_whose_list_follows_the_chat(stores: Stores) {
    let conns = &stores.connections;
    let agent_connection = |id: &str, agent: &str, groups: &[&str]| Connection {
        id: ConnectionId::parse(id).unwrap(),
        owner: ConnectionOwner::Agent {
            agent_id: aid(agent),
            groups: groups.iter().map(|g| gid(g)).collect(),
            session: Some(7),
        },
        connected_at: now(),
        expires_at: now().plus_millis(3_600_000),
    };
    let group_live = agent_connection("groupLive1=", "bob", &["g"]);
    let group_ended = agent_connection("groupEnded1=", "cat", &["g"]);
    let own_active = agent_connection("ownActive1=", "ann", &["g"]);
    let other_agents = agent_connection("otherActive1=", "dan", &["g"]);
    let no_list = agent_connection("noList1=", "eve", &["g"]);
    let other_group = agent_connection("otherGroup1=", "fay", &["h"]);
    for c in [
        &group_live,
        &group_ended,
        &own_active,
        &other_agents,
        &no_list,
        &other_group,
    ] {
        conns.put_connection(c, 10).await.unwrap();
    }
    let watch = |agent: &str, view: ChatView| ListWatch {
        agent_id: aid(agent),
        view,
    };
    let group = |g: &str, inactive: bool| ChatView::Group {
        group_id: gid(g),
        inactive,
    };
    for (c, list) in [
        (&group_live, watch("bob", group("g", false))),
        (&group_ended, watch("cat", group("g", true))),
        (&own_active, watch("ann", ChatView::MyActive)),
        (&other_agents, watch("dan", ChatView::MyActive)),
        (&other_group, watch("fay", group("h", false))),
    ] {
        conns.watch_list(&c.id, Some(&list)).await.unwrap();
    }
    let mut chat = new_chat(&stores, "g", "Carol", now()).await;
    chat.state = ChatState::Active;
    chat.agent_id = Some(aid("ann"));
    let mut watchers = conns.list_watchers(&chat).await.unwrap();
    watchers.sort();
    assert_eq!(
        watchers,
        vec![group_live.id.clone(), own_active.id.clone()],
        "the group's live list and the assigned agent's own list"
    );
    chat.agent_id = None;
    chat.state = ChatState::Queued;
    assert_eq!(
        conns.list_watchers(&chat).await.unwrap(),
        vec![group_live.id.clone()]
    );
    conns.remove_connection(&group_live.id).await.unwrap();
    assert!(conns.list_watchers(&chat).await.unwrap().is_empty());
    for c in [
        &group_ended,
        &own_active,
        &other_agents,
        &no_list,
        &other_group,
    ] {
        conns.remove_connection(&c.id).await.unwrap();
    }
}

/// A principal (an agent, or a customer's chat) may hold `max` connections: one more is refused
/// and writes nothing; closing one makes room; an expired one does not count. Concurrent
/// connects never pass the limit.
pub async fn connections_are_limited_per_principal(stores: Stores) {
    let conns = stores.connections.clone();
    let t = now();
    let chat = ChatId::generate();
    let customer = |n: usize, at: Timestamp| Connection {
        id: ConnectionId::parse(&format!("cust{n}=")).unwrap(),
        owner: ConnectionOwner::Customer {
            chat_id: chat.clone(),
        },
        connected_at: at,
        expires_at: at.plus_millis(3_600_000),
    };
    for n in 0..3 {
        conns.put_connection(&customer(n, t), 3).await.unwrap();
    }
    let refused = conns.put_connection(&customer(3, t), 3).await;
    assert!(
        matches!(refused, Err(StoreError::LimitReached { limit: 3, .. })),
        "{refused:?}"
    );
    assert!(conns
        .get_connection(&customer(3, t).id)
        .await
        .unwrap()
        .is_none());
    assert_eq!(conns.chat_subscribers(&chat).await.unwrap().len(), 3);
    let principal = PrincipalKey::customer(&chat);
    assert_eq!(
        conns.principal_connections(&principal, t).await.unwrap(),
        vec![customer(0, t).id, customer(1, t).id, customer(2, t).id]
    );
    // Another principal has its own allowance.
    let other = Connection {
        id: ConnectionId::parse("otherCust=").unwrap(),
        owner: ConnectionOwner::Customer {
            chat_id: ChatId::generate(),
        },
        connected_at: t,
        expires_at: t.plus_millis(3_600_000),
    };
    conns.put_connection(&other, 3).await.unwrap();
    // Closing one makes room for one.
    conns.remove_connection(&customer(1, t).id).await.unwrap();
    conns.put_connection(&customer(3, t), 3).await.unwrap();
    assert!(conns.put_connection(&customer(4, t), 3).await.is_err());
    // Connections past their expiry (a `$disconnect` that never came) neither count nor list.
    let later = t.plus_millis(3_600_001);
    assert!(conns
        .principal_connections(&principal, later)
        .await
        .unwrap()
        .is_empty());
    conns.put_connection(&customer(5, later), 3).await.unwrap();

    // Twelve concurrent connects of one agent with room for four: exactly four get in.
    let agent = aid("racer");
    let tasks: Vec<_> = (0..12)
        .map(|n| {
            let conns = conns.clone();
            let c = Connection {
                id: ConnectionId::parse(&format!("race{n}=")).unwrap(),
                owner: ConnectionOwner::Agent {
                    agent_id: agent.clone(),
                    groups: vec![gid("g")],
                    session: None,
                },
                connected_at: t,
                expires_at: t.plus_millis(3_600_000),
            };
            tokio::spawn(async move { conns.put_connection(&c, 4).await })
        })
        .collect();
    let mut admitted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => admitted += 1,
            Err(StoreError::LimitReached { .. }) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(admitted, 4);
    assert_eq!(
        conns
            .principal_connections(&PrincipalKey::agent(&agent), t)
            .await
            .unwrap()
            .len(),
        4
    );
    assert_eq!(conns.group_subscribers(&gid("g")).await.unwrap().len(), 4);
}

pub async fn frames_are_admitted_up_to_the_rate_limit(stores: Stores) {
    let conns = &stores.connections;
    let id = ConnectionId::parse("rate=").unwrap();
    let limit = RateLimit {
        limit: 3,
        window_ms: 1000,
    };
    let t = Timestamp(1_700_000_000_000);
    assert_eq!(
        conns.admit_frame(&id, t, limit).await.unwrap(),
        Admission::Unknown
    );
    let c = Connection {
        id: id.clone(),
        owner: ConnectionOwner::Customer {
            chat_id: ChatId::generate(),
        },
        connected_at: t,
        expires_at: t.plus_millis(3_600_000),
    };
    conns.put_connection(&c, 10).await.unwrap();
    for _ in 0..3 {
        assert_eq!(
            conns.admit_frame(&id, t, limit).await.unwrap(),
            Admission::Admitted(c.clone())
        );
    }
    assert_eq!(
        conns
            .admit_frame(&id, t.plus_millis(10), limit)
            .await
            .unwrap(),
        Admission::Limited
    );
    assert_eq!(
        conns
            .admit_frame(&id, t.plus_millis(20), limit)
            .await
            .unwrap(),
        Admission::Limited
    );
    // The next window starts afresh.
    assert_eq!(
        conns
            .admit_frame(&id, t.plus_millis(1000), limit)
            .await
            .unwrap(),
        Admission::Admitted(c.clone())
    );
    // Other connections have their own budget.
    let other = Connection {
        id: ConnectionId::parse("rate2=").unwrap(),
        ..c.clone()
    };
    conns.put_connection(&other, 10).await.unwrap();
    assert!(matches!(
        conns
            .admit_frame(&other.id, t.plus_millis(1000), limit)
            .await
            .unwrap(),
        Admission::Admitted(_)
    ));
}

/// 2100-01-01T00:00Z: the start of a window of any whole number of minutes up to a day, so a
/// test's attempts never straddle two; in the future, so no store's TTL removes the counters.
pub const WINDOW_START: Timestamp = Timestamp(4_102_444_800_000);

pub async fn attempts_are_admitted_up_to_the_limit_in_each_window(stores: Stores) {
    let throttle = &stores.throttle;
    let limit = ThrottleLimit {
        max: 3,
        window_ms: 60_000,
    };
    let t = WINDOW_START;
    assert_eq!(limit.window_start(t), t);
    let ann = ThrottleKey::sign_in_username(&aid("ann"));
    let bob = ThrottleKey::sign_in_username(&aid("bob"));
    for i in 0..3 {
        assert_eq!(
            throttle.admit(&ann, t.plus_millis(i), limit).await.unwrap(),
            Allowance::Admitted
        );
    }
    let refused = Allowance::Refused {
        until: t.plus_millis(60_000),
    };
    assert_eq!(
        throttle
            .admit(&ann, t.plus_millis(10), limit)
            .await
            .unwrap(),
        refused
    );
    assert_eq!(
        throttle
            .admit(&ann, t.plus_millis(59_999), limit)
            .await
            .unwrap(),
        refused,
        "a refused attempt is not counted, but the window stays full"
    );
    // Other keys have their own count.
    assert_eq!(
        throttle
            .admit(&bob, t.plus_millis(10), limit)
            .await
            .unwrap(),
        Allowance::Admitted
    );
    // Taking one back frees exactly one.
    throttle.release(&ann, t, limit).await.unwrap();
    assert_eq!(
        throttle
            .admit(&ann, t.plus_millis(20), limit)
            .await
            .unwrap(),
        Allowance::Admitted
    );
    assert_eq!(
        throttle
            .admit(&ann, t.plus_millis(30), limit)
            .await
            .unwrap(),
        refused
    );
    // The next window starts from nothing.
    let next = t.plus_millis(60_000);
    for _ in 0..3 {
        assert_eq!(
            throttle.admit(&ann, next, limit).await.unwrap(),
            Allowance::Admitted
        );
    }
    assert_eq!(
        throttle.admit(&ann, next, limit).await.unwrap(),
        Allowance::Refused {
            until: next.plus_millis(60_000)
        }
    );
}

pub async fn releases_never_go_below_zero(stores: Stores) {
    let throttle = &stores.throttle;
    let limit = ThrottleLimit {
        max: 2,
        window_ms: 60_000,
    };
    let key = ThrottleKey::sign_in_address("203.0.113.7".parse().unwrap());
    // Releases with nothing counted (or more releases than attempts) buy no extra attempts.
    throttle.release(&key, WINDOW_START, limit).await.unwrap();
    throttle.admit(&key, WINDOW_START, limit).await.unwrap();
    throttle.release(&key, WINDOW_START, limit).await.unwrap();
    throttle.release(&key, WINDOW_START, limit).await.unwrap();
    let mut admitted = 0;
    for _ in 0..4 {
        if throttle.admit(&key, WINDOW_START, limit).await.unwrap() == Allowance::Admitted {
            admitted += 1;
        }
    }
    assert_eq!(admitted, 2);
}

pub async fn concurrent_attempts_never_pass_the_limit(stores: Stores) {
    let limit = ThrottleLimit {
        max: 5,
        window_ms: 60_000,
    };
    let key = ThrottleKey::sign_in_username(&aid("target"));
    let attempts = (0..24).map(|_| {
        let throttle = stores.throttle.clone();
        let key = key.clone();
        tokio::spawn(async move { throttle.admit(&key, WINDOW_START, limit).await.unwrap() })
    });
    let mut admitted = 0;
    for a in attempts.collect::<Vec<_>>() {
        if a.await.unwrap() == Allowance::Admitted {
            admitted += 1;
        }
    }
    assert_eq!(
        admitted, 5,
        "exactly the limit is admitted, however they race"
    );
}

fn article(id: &str, title: &str, published: bool) -> kb::Article {
    kb::Article {
        id: ArticleId::parse(id).unwrap(),
        title: title.into(),
        body: format!("Body of {title}"),
        tags: vec!["t".into()],
        groups: vec![gid("g")],
        published,
        updated_at: Timestamp(1),
        embedding: Some(vec![0.25, -1.5, 3.0]),
    }
}

pub async fn articles_round_trip_and_move_the_knowledge_version(stores: Stores) {
    let kb = &stores.knowledge;
    let v0 = kb.knowledge_version().await.unwrap();
    assert!(kb
        .get_article(&ArticleId::parse("a1").unwrap())
        .await
        .unwrap()
        .is_none());
    let a = article("a1", "Reset password", true);
    kb.put_article(&a).await.unwrap();
    let v1 = kb.knowledge_version().await.unwrap();
    assert!(v1 > v0);
    assert_eq!(
        kb.get_article(&a.id).await.unwrap(),
        Some(a.clone()),
        "embedding kept exactly"
    );
    let mut changed = a.clone();
    changed.title = "Reset your password".into();
    changed.embedding = None;
    kb.put_article(&changed).await.unwrap();
    assert!(kb.knowledge_version().await.unwrap() > v1);
    assert_eq!(kb.get_article(&a.id).await.unwrap(), Some(changed.clone()));
    kb.put_article(&article("a2", "Draft", false))
        .await
        .unwrap();
    let all = kb.list_articles().await.unwrap();
    assert_eq!(all.len(), 2, "drafts are listed too");
    // Embeddings computed later do not move the version.
    let v2 = kb.knowledge_version().await.unwrap();
    kb.store_embedding("a1", &[1.0, 2.0]).await.unwrap();
    assert_eq!(kb.knowledge_version().await.unwrap(), v2);
    assert_eq!(
        kb.get_article(&a.id).await.unwrap().unwrap().embedding,
        Some(vec![1.0, 2.0])
    );
    kb.store_embedding("nope", &[1.0]).await.unwrap();
    assert!(kb.delete_article(&a.id).await.unwrap());
    assert!(!kb.delete_article(&a.id).await.unwrap());
    assert!(kb.knowledge_version().await.unwrap() > v2);
    assert_eq!(kb.list_articles().await.unwrap().len(), 1);
}

pub async fn resolutions_round_trip(stores: Stores) {
    let kb = &stores.knowledge;
    let v0 = kb.knowledge_version().await.unwrap();
    let r = kb::Resolution {
        chat_id: ChatId::generate(),
        group_id: gid("g"),
        resolution: "The mailbox was full; emptied the trash".into(),
        agent_name: "Ann".into(),
        resolved_at: Timestamp(5),
        embedding: None,
    };
    kb.put_resolution(&r).await.unwrap();
    assert!(kb.knowledge_version().await.unwrap() > v0);
    assert_eq!(kb.list_resolutions().await.unwrap(), vec![r.clone()]);
    kb.store_embedding(&format!("resolution:{}", r.chat_id), &[0.5])
        .await
        .unwrap();
    assert_eq!(
        kb.list_resolutions().await.unwrap()[0].embedding,
        Some(vec![0.5])
    );
    // Deleting it (its chat is purged) moves the version so every index drops it.
    let v1 = kb.knowledge_version().await.unwrap();
    assert!(kb.delete_resolution(&r.chat_id).await.unwrap());
    assert!(kb.knowledge_version().await.unwrap() > v1);
    assert!(kb.list_resolutions().await.unwrap().is_empty());
    assert!(!kb.delete_resolution(&r.chat_id).await.unwrap());
}

pub async fn deflection_is_counted_once_per_question_item_and_action(stores: Stores) {
    let kb = &stores.knowledge;
    let event = |q: &str, item: &str, group: Option<&str>, action| kb::DeflectionEvent {
        question_id: q.into(),
        item_id: item.into(),
        group_id: group.map(gid),
        action,
        at: Timestamp(1),
    };
    use kb::DeflectionAction::*;
    use DeflectionRecorded::*;
    let record = |e: kb::DeflectionEvent| async move { kb.record_deflection(&e).await.unwrap() };
    assert_eq!(record(event("q1", "a1", Some("g"), Shown)).await, Counted);
    assert_eq!(
        record(event("q1", "a1", Some("g"), Shown)).await,
        Repeat,
        "a repeat"
    );
    assert_eq!(record(event("q1", "a2", Some("g"), Shown)).await, Counted);
    assert_eq!(record(event("q1", "a1", Some("g"), Clicked)).await, Counted);
    assert_eq!(record(event("q1", "a1", Some("g"), Solved)).await, Counted);
    assert_eq!(record(event("q1", "a1", Some("g"), Solved)).await, Repeat);
    assert_eq!(record(event("q2", "a1", None, Shown)).await, Counted);
    let report = kb.deflection_report().await.unwrap();
    let a1 = &report.by_item["a1"];
    assert_eq!((a1.shown, a1.clicked, a1.solved), (2, 1, 1));
    let a2 = &report.by_item["a2"];
    assert_eq!((a2.shown, a2.clicked, a2.solved), (1, 0, 0));
    let g = &report.by_group["g"];
    assert_eq!((g.shown, g.clicked, g.solved), (2, 1, 1));
    assert_eq!(report.by_group["-"].shown, 1);
}

/// Clicks and "solved" count only for an item shown for that very question: an item never
/// shown, one shown for another question, or a question never asked count nothing.
pub async fn deflection_feedback_counts_only_what_was_shown(stores: Stores) {
    let kb = &stores.knowledge;
    let event = |q: &str, item: &str, action| kb::DeflectionEvent {
        question_id: q.into(),
        item_id: item.into(),
        group_id: Some(gid("g")),
        action,
        at: Timestamp(1),
    };
    use kb::DeflectionAction::*;
    use DeflectionRecorded::*;
    let record = |e: kb::DeflectionEvent| async move { kb.record_deflection(&e).await.unwrap() };
    assert_eq!(record(event("q1", "a1", Shown)).await, Counted);
    assert_eq!(record(event("q2", "a2", Shown)).await, Counted);
    assert_eq!(record(event("q1", "never-shown", Clicked)).await, NotShown);
    assert_eq!(record(event("q1", "a2", Solved)).await, NotShown);
    assert_eq!(record(event("q-fresh", "a1", Solved)).await, NotShown);
    let report = kb.deflection_report().await.unwrap();
    assert!(!report.by_item.contains_key("never-shown"));
    let counts = |item: &str| {
        let c = &report.by_item[item];
        (c.shown, c.clicked, c.solved)
    };
    assert_eq!(counts("a1"), (1, 0, 0));
    assert_eq!(counts("a2"), (1, 0, 0));
    let g = &report.by_group["g"];
    assert_eq!((g.shown, g.clicked, g.solved), (2, 0, 0));
    // What was shown still counts.
    assert_eq!(record(event("q1", "a1", Clicked)).await, Counted);
}

/// 24 concurrent pulls by 6 agents (limit 2 each, 12 slots) against 10 queued chats: every chat
/// goes to exactly one agent, nobody exceeds their limit, and the other pulls are told why.
pub async fn concurrent_pulls_assign_each_chat_once_within_limits(stores: Stores) {
    seed_groups(&stores, &["g"]).await;
    let app = app_over(&stores);
    let agents: Vec<Agent> = (0..6)
        .map(|i| agent(&format!("agent{i}"), &["g"], Role::Agent, 2))
        .collect();
    for a in &agents {
        stores.directory.put_agent(a).await.unwrap();
    }
    let mut chats = Vec::new();
    for i in 0..10 {
        chats.push(
            new_chat(&stores, "g", &format!("Customer {i}"), now())
                .await
                .id,
        );
    }
    let mut tasks = Vec::new();
    for round in 0..4 {
        for a in &agents {
            let app = app.clone();
            let principal = Principal::agent(a.id.clone());
            let _ = round;
            tasks.push(tokio::spawn(async move { app.pull_next(&principal).await }));
        }
    }
    let mut won = Vec::new();
    let mut refusals = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(row) => won.push((row.id.clone(), row.agent_id.clone().unwrap())),
            Err(AppError::QueueEmpty) | Err(AppError::Domain(DomainError::AtCapacity { .. })) => {
                refusals += 1
            }
            Err(other) => panic!("unexpected pull failure: {other:?}"),
        }
    }
    assert_eq!(won.len(), 10, "every chat pulled once: {won:?}");
    assert_eq!(refusals, 14);
    let mut pulled: Vec<ChatId> = won.iter().map(|(c, _)| c.clone()).collect();
    pulled.sort();
    let mut expected = chats.clone();
    expected.sort();
    assert_eq!(pulled, expected, "no chat twice, none missed");
    for a in &agents {
        let mine = won.iter().filter(|(_, who)| who == &a.id).count();
        assert!(mine <= 2, "{} got {mine} chats", a.id);
        let stored = stores.directory.active_chat_count(&a.id).await.unwrap() as usize;
        assert_eq!(stored, mine, "the counter matches the assignments");
        let active = stores
            .chats
            .list_chats(&ChatFilter::AgentActive(a.id.clone()), 10)
            .await
            .unwrap();
        assert_eq!(active.len(), mine);
    }
    for id in &chats {
        let chat = stores.chats.get_chat(id).await.unwrap().unwrap();
        assert_eq!(chat.state, ChatState::Active);
        let assigned = stores
            .chats
            .events_after(id, 0, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| matches!(e.kind, EventKind::Assigned { .. }))
            .count();
        assert_eq!(assigned, 1, "chat {id} was assigned exactly once");
    }
}

/// Ten concurrent sends of the same client message id store one message; twenty concurrent
/// distinct sends get gapless sequence numbers.
pub async fn concurrent_sends_are_stored_once_with_gapless_sequence_numbers(stores: Stores) {
    seed_groups(&stores, &["g"]).await;
    let clock = Arc::new(ManualClock::new(now()));
    let mut app = app_over(&stores);
    app.clock = clock.clone();
    let chat = new_chat(&stores, "g", "Ann", clock.now()).await;
    let customer = Principal::Customer(chat.id.clone());
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (app, p, id) = (app.clone(), customer.clone(), chat.id.clone());
        tasks.push(tokio::spawn(async move {
            app.send_message(
                &p,
                &id,
                ClientMessageId::parse("same").unwrap(),
                "only once",
            )
            .await
        }));
    }
    let mut seqs = Vec::new();
    let mut fresh = 0;
    for t in tasks {
        let (event, duplicate) = t.await.unwrap().unwrap();
        seqs.push(event.seq);
        if !duplicate {
            fresh += 1;
        }
    }
    assert_eq!(fresh, 1, "stored once");
    assert!(
        seqs.iter().all(|s| *s == seqs[0]),
        "every caller got the same message: {seqs:?}"
    );

    // A second later the customer's whole burst is available again: twenty at once.
    clock.advance_ms(chatdesk::domain::pace::MESSAGE_INTERVAL_MS);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (app, p, id) = (app.clone(), customer.clone(), chat.id.clone());
        tasks.push(tokio::spawn(async move {
            app.send_message(
                &p,
                &id,
                ClientMessageId::parse(&format!("c{i}")).unwrap(),
                "hi",
            )
            .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let events = stores.chats.events_after(&chat.id, 0, 1000).await.unwrap();
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=23).collect::<Vec<_>>(), "no gaps, no duplicates");
    let chat = stores.chats.get_chat(&chat.id).await.unwrap().unwrap();
    assert_eq!(chat.message_count, 22);
    assert_eq!(chat.last_seq, 23);
}

/// Transfers and takes racing for one agent's last slot: exactly one wins.
pub async fn concurrent_assignments_to_one_agent_respect_the_limit(stores: Stores) {
    seed_groups(&stores, &["g"]).await;
    let app = app_over(&stores);
    let target = agent("target", &["g"], Role::Agent, 1);
    let boss = agent("boss", &["g"], Role::Manager, 10);
    stores.directory.put_agent(&target).await.unwrap();
    stores.directory.put_agent(&boss).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(new_chat(&stores, "g", &format!("C{i}"), now()).await.id);
    }
    let mut tasks = Vec::new();
    for id in ids {
        let app = app.clone();
        let p = Principal::agent(boss.id.clone());
        let to = chatdesk::app::TransferTarget::Agent {
            agent_id: target.id.clone(),
        };
        tasks.push(tokio::spawn(async move {
            app.bulk(&p, BulkAction::Transfer(to), vec![id]).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let outcome = t.await.unwrap().unwrap();
        ok += outcome.succeeded;
        for r in outcome.results.iter().filter(|r| !r.ok) {
            assert_eq!(r.failure.as_ref().unwrap().error, "at_capacity");
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(
        stores
            .directory
            .active_chat_count(&target.id)
            .await
            .unwrap(),
        1
    );
}

/// A commit that releases one agent and acquires another moves the count atomically.
pub async fn a_transfer_moves_the_load_between_agents(stores: Stores) {
    let a = agent("ann", &["g"], Role::Agent, 3);
    let b = agent("bob", &["g"], Role::Agent, 3);
    stores.directory.put_agent(&a).await.unwrap();
    stores.directory.put_agent(&b).await.unwrap();
    let chat = new_chat(&stores, "g", "Ann", now()).await;
    let c = commit_of(&chat, rules::take(&chat, &a, now()).unwrap(), now());
    stores.chats.commit(&c).await.unwrap();
    let chat = c.chat;
    let m = rules::transfer_to_agent(&chat, &a, &b, now()).unwrap();
    assert_eq!(
        m.load,
        LoadChange {
            acquire: Some((b.id.clone(), 3)),
            release: Some(a.id.clone())
        }
    );
    stores
        .chats
        .commit(&commit_of(&chat, m, now()))
        .await
        .unwrap();
    assert_eq!(stores.directory.active_chat_count(&a.id).await.unwrap(), 0);
    assert_eq!(stores.directory.active_chat_count(&b.id).await.unwrap(), 1);
}

/// A round-robin group's turn moves only from the turn that was read: two hand-outs that read
/// the same turn cannot both pass it on.
pub async fn a_round_robin_turn_passes_only_from_the_turn_read(stores: Stores) {
    let d = &stores.directory;
    let (ann, ben, cat) = (aid("ann"), aid("ben"), aid("cat"));
    assert_eq!(d.round_robin_turn(&gid("turns")).await.unwrap(), None);
    assert!(d
        .pass_round_robin_turn(&gid("turns"), None, &ann)
        .await
        .unwrap());
    assert!(
        !d.pass_round_robin_turn(&gid("turns"), None, &ben)
            .await
            .unwrap(),
        "the first turn was taken already"
    );
    assert_eq!(
        d.round_robin_turn(&gid("turns")).await.unwrap(),
        Some(ann.clone())
    );
    assert!(d
        .pass_round_robin_turn(&gid("turns"), Some(&ann), &ben)
        .await
        .unwrap());
    assert!(
        !d.pass_round_robin_turn(&gid("turns"), Some(&ann), &cat)
            .await
            .unwrap(),
        "read before Ben's turn: refused, nothing written"
    );
    assert_eq!(d.round_robin_turn(&gid("turns")).await.unwrap(), Some(ben));
    // Each group has its own turn.
    assert_eq!(d.round_robin_turn(&gid("other")).await.unwrap(), None);
}
