//! The cloud's user pool against moto's Cognito: creating an agent through the administration
//! use case creates their pool user (`AdminCreateUser`, which sends the invitation: the user
//! waits in FORCE_CHANGE_PASSWORD with the e-mail address given), links a pool user made
//! earlier, and deactivating, reactivating and deleting the agent disable, enable and delete it.
//! Without an e-mail address nothing is created, in the pool or in the store.

use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::types::{AttributeType, UserStatusType};
use aws_sdk_cognitoidentityprovider::Client;
use chatdesk::app::{AgentProfile, App, AppError};
use chatdesk::auth::Principal;
use chatdesk::aws::cognito::CognitoPool;
use chatdesk::domain::{DomainError, Role};
use chatdesk_tests::contract::{agent, aid, app_over, gid, seed_groups};
use chatdesk_tests::dynamo_endpoint::{fresh_stores, moto_endpoint};

async fn cognito(endpoint: &str) -> Client {
    let shared = chatdesk::aws::sdk_config(&[endpoint]).await;
    let config = aws_sdk_cognitoidentityprovider::config::Builder::from(&shared)
        .endpoint_url(endpoint)
        .build();
    Client::from_conf(config)
}

/// An administrator `ada` over fresh stores, and the app keeping a fresh pool of moto's.
async fn world() -> (App, Client, String, Principal) {
    let moto = moto_endpoint().await;
    let (stores, _) = fresh_stores().await;
    seed_groups(&stores, &["support"]).await;
    stores
        .directory
        .put_agent(&agent("ada", &["support"], Role::Administrator, 5))
        .await
        .unwrap();
    let client = cognito(&moto).await;
    let pool = client
        .create_user_pool()
        .pool_name(format!("agents-{}", ulid::Ulid::new()))
        .send()
        .await
        .expect("moto creates the pool");
    let pool_id = pool
        .user_pool()
        .and_then(|p| p.id())
        .expect("a pool id")
        .to_owned();
    let shared = chatdesk::aws::sdk_config(&[moto.as_str()]).await;
    let mut app = app_over(&stores);
    app.user_pool = Some(Arc::new(CognitoPool::new(&shared, &pool_id, Some(&moto))));
    (app, client, pool_id, Principal::Agent(aid("ada"), None))
}

fn profile(username: &str) -> AgentProfile {
    AgentProfile {
        username: username.into(),
        display_name: "Ivy Example".into(),
        role: Role::Agent,
        groups: vec![gid("support")],
        max_concurrent_chats: 3,
    }
}

/// (enabled, status, e-mail) of the pool user, or None when there is none.
async fn pool_user(
    client: &Client,
    pool_id: &str,
    username: &str,
) -> Option<(bool, Option<UserStatusType>, Option<String>)> {
    let user = client
        .admin_get_user()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
        .ok()?;
    let email = user
        .user_attributes()
        .iter()
        .find(|a| a.name() == "email")
        .and_then(|a| a.value().map(str::to_owned));
    Some((user.enabled(), user.user_status().cloned(), email))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_is_invited_through_the_pool_and_their_pool_user_follows_them() {
    let (app, client, pool_id, ada) = world().await;

    let created = app
        .admin_create_agent_with_email(&ada, profile("ivy"), None, Some("ivy@example.com"))
        .await
        .unwrap();
    assert_eq!(created.agent.id, aid("ivy"));
    assert!(
        created.generated_password.is_none(),
        "no chatdesk password besides the pool's invitation"
    );
    assert!(
        app.directory.find_login("ivy").await.unwrap().is_none(),
        "no password sign-in for the pool user"
    );
    assert_eq!(
        pool_user(&client, &pool_id, "ivy").await,
        Some((
            true,
            Some(UserStatusType::ForceChangePassword),
            Some("ivy@example.com".into())
        )),
        "created with the invitation (a temporary password to change)"
    );

    app.admin_deactivate_agent(&ada, &aid("ivy")).await.unwrap();
    let (enabled, ..) = pool_user(&client, &pool_id, "ivy").await.unwrap();
    assert!(!enabled, "deactivated: the pool user is disabled");

    app.admin_reactivate_agent(&ada, &aid("ivy")).await.unwrap();
    let (enabled, ..) = pool_user(&client, &pool_id, "ivy").await.unwrap();
    assert!(enabled, "reactivated: the pool user is enabled");

    app.admin_delete_agent(&ada, &aid("ivy")).await.unwrap();
    assert_eq!(pool_user(&client, &pool_id, "ivy").await, None, "deleted");
    assert!(app
        .directory
        .get_agent(&aid("ivy"))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_user_made_earlier_is_linked_enabled_and_given_the_address() {
    let (app, client, pool_id, ada) = world().await;
    // Made by hand (or by an attempt whose agent was never saved) with an old address, and
    // disabled since.
    client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("joe")
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("old@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    client
        .admin_disable_user()
        .user_pool_id(&pool_id)
        .username("joe")
        .send()
        .await
        .unwrap();

    let created = app
        .admin_create_agent_with_email(&ada, profile("joe"), None, Some("joe@example.com"))
        .await
        .unwrap();
    assert_eq!(created.agent.id, aid("joe"));
    let (enabled, _, email) = pool_user(&client, &pool_id, "joe").await.unwrap();
    assert!(enabled, "linked and enabled");
    assert_eq!(
        email.as_deref(),
        Some("joe@example.com"),
        "the address the administrator gave"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_address_nothing_is_created_in_the_pool_or_the_store() {
    let (app, client, pool_id, ada) = world().await;
    for email in [None, Some("not an address")] {
        let refused = app
            .admin_create_agent_with_email(&ada, profile("kim"), None, email)
            .await;
        assert!(
            matches!(&refused, Err(AppError::Domain(DomainError::InvalidInput { field, .. })) if *field == "email"),
            "{email:?}: {refused:?}"
        );
        assert_eq!(
            refused.map(|_| ()).err().map(|e| e.code().http_status()),
            Some(400)
        );
    }
    // An unknown group is refused before the pool is asked, too.
    let mut unknown_group = profile("kim");
    unknown_group.groups = vec![gid("nowhere")];
    let refused = app
        .admin_create_agent_with_email(&ada, unknown_group, None, Some("kim@example.com"))
        .await;
    assert!(matches!(refused, Err(AppError::NotFound(_))), "{refused:?}");

    assert_eq!(pool_user(&client, &pool_id, "kim").await, None);
    assert!(app
        .directory
        .get_agent(&aid("kim"))
        .await
        .unwrap()
        .is_none());
}
