//! The audit log's store contract and the administration use cases over each adapter
//! (`tests/store_contract.rs` runs every case on SQLite and on DynamoDB): entries are added once,
//! never overwritten, and read newest first in pages; every administrative action of an
//! administrator is logged with who, what and the fields it changed; a deactivated agent's
//! credentials stop working at once.

use chatdesk::app::{AgentProfile, AppError, BulkAction};
use chatdesk::auth::Principal;
use chatdesk::domain::*;
use chatdesk::ports::StoreError;
use chatdesk_server::Stores;

use crate::contract::{agent, aid, app_over, gid, seed_groups};

fn entry(at: i64, target: &str) -> AuditEntry {
    AuditEntry::new(
        Timestamp(at),
        AuditActor::Agent {
            id: aid("ada"),
            name: "Ada".into(),
        },
        AuditAction::AgentUpdated,
        AuditTarget::Agent(aid(target)),
        vec![FieldChange {
            field: "role".into(),
            before: Some("agent".into()),
            after: Some("manager".into()),
        }],
    )
}

pub async fn audit_entries_are_added_once_and_read_newest_first(stores: Stores) {
    let log = &stores.audit;
    let entries: Vec<AuditEntry> = (0..7)
        .map(|i| entry(1_772_000_000_000 + i * 1_000, &format!("agent{i}")))
        .collect();
    // Added out of order: the log orders them.
    for e in entries.iter().rev() {
        log.append_audit(e).await.unwrap();
    }
    let again = log.append_audit(&entries[3]).await;
    assert!(
        matches!(again, Err(StoreError::AlreadyExists(_))),
        "{again:?}"
    );
    let mut changed = entries[3].clone();
    changed.changes.clear();
    assert!(
        log.append_audit(&changed).await.is_err(),
        "never overwritten"
    );

    let first = log.audit_page(None, 3).await.unwrap();
    let ids = |page: &[AuditEntry]| page.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&first),
        ids(&[entries[6].clone(), entries[5].clone(), entries[4].clone()])
    );
    assert_eq!(first[0], entries[6], "read back as written");
    let second = log.audit_page(Some(&first[2].id), 3).await.unwrap();
    assert_eq!(
        ids(&second),
        ids(&[entries[3].clone(), entries[2].clone(), entries[1].clone()])
    );
    assert_eq!(
        second[0].changes.len(),
        1,
        "the original, not the second attempt"
    );
    let last = log.audit_page(Some(&second[2].id), 3).await.unwrap();
    assert_eq!(ids(&last), ids(&[entries[0].clone()]));
}

fn profile(username: &str, role: Role, groups: &[&str]) -> AgentProfile {
    AgentProfile {
        username: username.into(),
        display_name: username.to_uppercase(),
        role,
        groups: groups.iter().map(|g| GroupId::parse(g).unwrap()).collect(),
        max_concurrent_chats: 4,
    }
}

pub async fn administrators_actions_are_logged_and_deactivation_ends_access_at_once(
    stores: Stores,
) {
    seed_groups(&stores, &["support", "sales"]).await;
    let app = app_over(&stores);
    let ada = agent("ada", &["support"], Role::Administrator, 5);
    let max = agent("max", &["support"], Role::Manager, 5);
    stores.directory.put_agent(&ada).await.unwrap();
    stores.directory.put_agent(&max).await.unwrap();
    let admin = Principal::Agent(aid("ada"), None);
    let manager = Principal::Agent(aid("max"), None);

    // Managers manage nothing here.
    let refused = app
        .admin_create_agent(&manager, profile("ivy", Role::Agent, &["support"]), None)
        .await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "{refused:?}"
    );
    assert!(matches!(
        app.audit_log(&manager, None, None).await,
        Err(AppError::Forbidden(_))
    ));

    let created = app
        .admin_create_agent(&admin, profile("ivy", Role::Agent, &["support"]), None)
        .await
        .unwrap();
    let password = created.generated_password.expect("a generated password");
    assert!(password.len() >= 20, "{password}");
    let duplicate = app
        .admin_create_agent(&admin, profile("ivy", Role::Agent, &["sales"]), None)
        .await;
    assert!(
        matches!(duplicate, Err(AppError::Conflict(_))),
        "{duplicate:?}"
    );

    let ivy = app
        .admin_update_agent(
            &admin,
            &aid("ivy"),
            profile("ivy", Role::Agent, &["support", "sales"]),
        )
        .await
        .unwrap();
    assert_eq!(ivy.groups.len(), 2);
    // Ivy's sign-in works until she is deactivated, then every credential of hers is refused.
    let signed_in = app.sign_in("ivy", &password, None).await.unwrap();
    let ivy_principal = app.authenticate(&signed_in.token).await.unwrap();
    app.me(&ivy_principal).await.unwrap();
    let deactivated = app
        .admin_deactivate_agent(&admin, &aid("ivy"))
        .await
        .unwrap();
    assert!(!deactivated.is_active());
    assert!(matches!(
        app.me(&ivy_principal).await,
        Err(AppError::Unauthorized(_))
    ));
    assert!(
        matches!(
            app.me(&Principal::Agent(aid("ivy"), None)).await,
            Err(AppError::Unauthorized(_))
        ),
        "a provider's token (no session) is refused too"
    );
    assert!(matches!(
        app.sign_in("ivy", &password, None).await,
        Err(AppError::Unauthorized(_))
    ));
    let colleagues = app.agents(&admin).await.unwrap();
    assert!(
        colleagues.iter().all(|a| a.id.as_str() != "ivy"),
        "no transfers to her"
    );
    // Nobody locks themselves out.
    assert!(matches!(
        app.admin_deactivate_agent(&admin, &aid("ada")).await,
        Err(AppError::Conflict(_))
    ));

    app.admin_reactivate_agent(&admin, &aid("ivy"))
        .await
        .unwrap();
    app.sign_in("ivy", &password, None).await.unwrap();
    let new_password = app.admin_reset_password(&admin, &aid("ivy")).await.unwrap();
    assert_ne!(new_password, password);
    assert!(app.sign_in("ivy", &password, None).await.is_err());
    app.sign_in("ivy", &new_password, None).await.unwrap();
    app.admin_delete_agent(&admin, &aid("ivy")).await.unwrap();
    assert!(stores
        .directory
        .get_agent(&aid("ivy"))
        .await
        .unwrap()
        .is_none());

    let log = app.audit_log(&admin, None, Some(50)).await.unwrap();
    let story: Vec<(AuditAction, &str)> = log
        .entries
        .iter()
        .filter(|e| e.target == AuditTarget::Agent(aid("ivy")))
        .map(|e| {
            let by = match &e.actor {
                AuditActor::Agent { id, .. } => id.as_str(),
                AuditActor::Operator => "operator",
            };
            (e.action, by)
        })
        .collect();
    assert_eq!(
        story,
        vec![
            (AuditAction::AgentDeleted, "ada"),
            (AuditAction::PasswordReset, "ada"),
            (AuditAction::AgentReactivated, "ada"),
            (AuditAction::AgentDeactivated, "ada"),
            (AuditAction::AgentUpdated, "ada"),
            (AuditAction::AgentCreated, "ada"),
        ]
    );
    let updated = log
        .entries
        .iter()
        .find(|e| e.action == AuditAction::AgentUpdated)
        .unwrap();
    assert_eq!(
        updated.changes,
        vec![FieldChange {
            field: "groups".into(),
            before: Some("support".into()),
            after: Some("sales,support".into()),
        }]
    );
    let deactivation = log
        .entries
        .iter()
        .find(|e| e.action == AuditAction::AgentDeactivated)
        .unwrap();
    assert!(
        deactivation.changes.iter().any(|c| c.field == "active"
            && c.before.as_deref() == Some("true")
            && c.after.as_deref() == Some("false")),
        "{:?}",
        deactivation.changes
    );
    assert!(
        log.entries
            .iter()
            .all(|e| e.changes.iter().all(|c| c.field != "password")),
        "the log never holds a password"
    );
}

pub async fn an_agent_with_chats_on_record_is_deactivated_not_deleted(stores: Stores) {
    seed_groups(&stores, &["support"]).await;
    let app = app_over(&stores);
    stores
        .directory
        .put_agent(&agent("ada", &["support"], Role::Administrator, 5))
        .await
        .unwrap();
    let admin = Principal::Agent(aid("ada"), None);
    app.admin_create_agent(
        &admin,
        profile("ivy", Role::Agent, &["support"]),
        Some("a-long-enough-password".into()),
    )
    .await
    .unwrap();
    let ivy = Principal::Agent(aid("ivy"), None);
    let started = app
        .start_chat(chatdesk::app::StartChat {
            group_id: GroupId::parse("support").unwrap(),
            name: "Ann".into(),
            email: None,
            question: "Hello".into(),
            client_msg_id: None,
            identity: None,
        })
        .await
        .unwrap();
    let pulled = app
        .bulk(&ivy, BulkAction::Pull, vec![started.chat.id.clone()])
        .await
        .unwrap();
    assert_eq!(pulled.succeeded, 1, "{:?}", pulled.results);
    // While she has an active chat: neither.
    assert!(matches!(
        app.admin_deactivate_agent(&admin, &aid("ivy")).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        app.admin_delete_agent(&admin, &aid("ivy")).await,
        Err(AppError::Conflict(_))
    ));
    let ended = app
        .bulk(
            &ivy,
            BulkAction::End { resolution: None },
            vec![started.chat.id.clone()],
        )
        .await
        .unwrap();
    assert_eq!(ended.succeeded, 1, "{:?}", ended.results);
    // Ended, the chat keeps her name: she can be deactivated, never deleted.
    assert!(matches!(
        app.admin_delete_agent(&admin, &aid("ivy")).await,
        Err(AppError::Conflict(_))
    ));
    app.admin_deactivate_agent(&admin, &aid("ivy"))
        .await
        .unwrap();
    let chat = stores
        .chats
        .get_chat(&started.chat.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(chat.agent_name.as_deref(), Some("IVY"));

    // Deletes, restores and purges of chats are logged too (never the customer's words).
    for action in [
        BulkAction::Delete,
        BulkAction::Restore,
        BulkAction::Delete,
        BulkAction::Purge,
    ] {
        let out = app
            .bulk(&admin, action, vec![started.chat.id.clone()])
            .await
            .unwrap();
        assert_eq!(out.succeeded, 1, "{:?}", out.results);
    }
    let log = app.audit_log(&admin, None, Some(10)).await.unwrap();
    let about_chat: Vec<AuditAction> = log
        .entries
        .iter()
        .filter(|e| e.target == AuditTarget::Chat(started.chat.id.clone()))
        .map(|e| e.action)
        .collect();
    assert_eq!(
        about_chat,
        vec![
            AuditAction::ChatPurged,
            AuditAction::ChatDeleted,
            AuditAction::ChatRestored,
            AuditAction::ChatDeleted,
        ]
    );
    let purge = &log.entries[0];
    assert_eq!(
        purge.actor,
        AuditActor::Agent {
            id: aid("ada"),
            name: "ADA".into()
        }
    );
    let logged = format!("{:?}", log.entries);
    assert!(
        !logged.contains("Hello") && !logged.contains("Ann"),
        "nothing the customer wrote or was called: {logged}"
    );
}

/// A group's record goes with its round-robin turn; removing a missing group says so.
pub async fn a_deleted_group_is_gone_with_its_turn(stores: Stores) {
    seed_groups(&stores, &["keep", "gone"]).await;
    let dir = &stores.directory;
    dir.pass_round_robin_turn(&gid("gone"), None, &aid("ada"))
        .await
        .unwrap();
    assert!(dir.delete_group(&gid("gone")).await.unwrap());
    let groups: Vec<String> = dir
        .list_groups()
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.id.to_string())
        .collect();
    assert_eq!(groups, ["keep"]);
    assert_eq!(dir.round_robin_turn(&gid("gone")).await.unwrap(), None);
    assert!(
        !dir.delete_group(&gid("gone")).await.unwrap(),
        "gone already"
    );
}

/// The organisation's settings are written only over the revision read.
pub async fn organisation_settings_are_written_over_the_revision_read(stores: Stores) {
    let dir = &stores.directory;
    assert_eq!(dir.get_organisation().await.unwrap(), None);
    let first = OrganisationSettings {
        idle: IdleThresholds::new(60_000, 180_000).unwrap(),
        revision: 1,
    };
    dir.put_organisation(&first, 0).await.unwrap();
    assert_eq!(dir.get_organisation().await.unwrap(), Some(first));
    let racing = OrganisationSettings {
        idle: IdleThresholds::new(30_000, 90_000).unwrap(),
        revision: 1,
    };
    assert!(matches!(
        dir.put_organisation(&racing, 0).await,
        Err(StoreError::Stale)
    ));
    let second = OrganisationSettings {
        revision: 2,
        ..racing
    };
    assert!(matches!(
        dir.put_organisation(&second, 5).await,
        Err(StoreError::Stale)
    ));
    dir.put_organisation(&second, 1).await.unwrap();
    assert_eq!(dir.get_organisation().await.unwrap(), Some(second));
}

/// Removing a group moves every chat it holds to the target with its state, agent and events,
/// and logs it; only administrators may.
pub async fn removing_a_group_moves_its_chats_and_logs_it(stores: Stores) {
    seed_groups(&stores, &["old", "new"]).await;
    let app = app_over(&stores);
    stores
        .directory
        .put_agent(&agent("root", &["old", "new"], Role::Administrator, 5))
        .await
        .unwrap();
    stores
        .directory
        .put_agent(&agent("ann", &["old"], Role::Agent, 5))
        .await
        .unwrap();
    let root = Principal::Agent(aid("root"), None);
    let ann = Principal::Agent(aid("ann"), None);
    let mut chats = Vec::new();
    for who in ["Kim", "Lee", "Max"] {
        let started = app
            .start_chat(chatdesk::app::StartChat {
                group_id: gid("old"),
                name: who.into(),
                email: None,
                question: "Hello there".into(),
                client_msg_id: None,
                identity: None,
            })
            .await
            .unwrap();
        chats.push(started.chat.id.clone());
    }
    let taken = app
        .bulk(&ann, BulkAction::Pull, vec![chats[1].clone()])
        .await
        .unwrap();
    assert_eq!(taken.succeeded, 1, "{:?}", taken.results);
    assert!(matches!(
        app.admin_remove_group(&ann, &gid("old"), Some(&gid("new")))
            .await,
        Err(AppError::Forbidden(_))
    ));
    let removal = app
        .admin_remove_group(&root, &gid("old"), Some(&gid("new")))
        .await
        .unwrap();
    assert_eq!(removal.moved, 3);
    assert!(removal.removed);
    for id in &chats {
        let chat = stores.chats.get_chat(id).await.unwrap().unwrap();
        assert_eq!(chat.group_id, gid("new"));
        let events = stores.chats.events_after(id, 0, 100).await.unwrap();
        assert!(matches!(
            events.first().map(|e| &e.kind),
            Some(EventKind::Started { .. })
        ));
        assert!(events.iter().any(|e| matches!(&e.kind,
            EventKind::Moved { from_group_id, group_id, .. } if from_group_id == &gid("old") && group_id == &gid("new"))));
    }
    let taken = stores.chats.get_chat(&chats[1]).await.unwrap().unwrap();
    assert_eq!(taken.state, ChatState::Active);
    assert_eq!(taken.agent_id, Some(aid("ann")));
    let ann_now = stores
        .directory
        .get_agent(&aid("ann"))
        .await
        .unwrap()
        .unwrap();
    assert!(ann_now.groups.is_empty(), "{ann_now:?}");
    let log = app.audit_log(&root, None, Some(10)).await.unwrap();
    assert!(log.entries.iter().any(
        |e| e.action == AuditAction::GroupRemoved && e.target == AuditTarget::Group(gid("old"))
    ));
}
