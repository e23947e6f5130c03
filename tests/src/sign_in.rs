//! Password guessing against the sign-in use case, on every store adapter (the counts must hold
//! across Lambda instances, so they live in the store). The clock is a `ManualClock` starting at a
//! window boundary: no attempt straddles two windows by accident.

use std::net::IpAddr;
use std::sync::Arc;

use chatdesk::app::{App, AppError, SignedIn};
use chatdesk::auth::password::hash_password;
use chatdesk::domain::Role;
use chatdesk::ports::ManualClock;
use chatdesk_server::Stores;

use crate::contract::{agent, app_over, seed_groups, WINDOW_START};
use crate::counting::CountingStores;

const PASSWORD: &str = "the right password";
const FIFTEEN_MINUTES_MS: i64 = 15 * 60 * 1000;

struct World {
    app: App,
    clock: Arc<ManualClock>,
    counting: CountingStores,
}

impl World {
    /// Agents alice and bob with `PASSWORD`; the default limits (10 per username, 30 per
    /// address, per 15 minutes).
    async fn new(stores: Stores) -> World {
        let counting = CountingStores::wrap(stores);
        let stores = counting.stores();
        seed_groups(&stores, &["support"]).await;
        let hash = hash_password(PASSWORD).unwrap();
        for name in ["alice", "bob"] {
            let a = agent(name, &["support"], Role::Agent, 3);
            stores.directory.put_agent(&a).await.unwrap();
            stores
                .directory
                .set_password_hash(&a.id, &hash)
                .await
                .unwrap();
        }
        let clock = Arc::new(ManualClock::new(WINDOW_START));
        let mut app = app_over(&stores);
        app.clock = clock.clone();
        World {
            app,
            clock,
            counting,
        }
    }

    async fn sign_in(
        &self,
        username: &str,
        password: &str,
        from: &str,
    ) -> Result<SignedIn, AppError> {
        self.app.sign_in(username, password, Some(ip(from))).await
    }

    fn password_checks_so_far(&self) -> u64 {
        // Every password check follows a find_login; none happens without one.
        self.counting
            .snapshot()
            .get("find_login")
            .copied()
            .unwrap_or(0)
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[track_caller]
fn assert_wrong(result: Result<SignedIn, AppError>) {
    match result {
        Err(AppError::Unauthorized(_)) => {}
        other => panic!(
            "expected 401 unauthorized, got {:?}",
            other.map(|s| s.me.agent.id)
        ),
    }
}

/// The refusal's message and how long until the next attempt may go through.
#[track_caller]
fn assert_limited(result: Result<SignedIn, AppError>) -> (String, u64) {
    match result {
        Err(AppError::RateLimited {
            message,
            retry_after_secs,
        }) => (message, retry_after_secs),
        other => panic!(
            "expected 429 rate_limited, got {:?}",
            other.map(|s| s.me.agent.id)
        ),
    }
}

/// The probe's attack: a burst of guesses at one username. After 10 failures even the right
/// password is refused for that username, from anywhere, until the window ends; refused attempts
/// check no password (no Argon2 for an attacker to burn); other agents are unaffected.
pub async fn wrong_passwords_lock_the_username_until_the_window_passes(stores: Stores) {
    let w = World::new(stores).await;
    for _ in 0..10 {
        assert_wrong(w.sign_in("alice", "guess", "203.0.113.66").await);
    }
    let checked = w.password_checks_so_far();
    let (message, retry_after) = assert_limited(w.sign_in("alice", "guess", "203.0.113.66").await);
    assert!(message.contains("username"), "{message}");
    assert!(message.contains("try again in 15 minutes"), "{message}");
    assert_eq!(retry_after, 900);
    assert_limited(w.sign_in("alice", PASSWORD, "203.0.113.66").await);
    assert_limited(w.sign_in("alice", PASSWORD, "198.51.100.5").await);
    assert_limited(w.app.sign_in("alice", PASSWORD, None).await);
    assert_eq!(
        w.password_checks_so_far(),
        checked,
        "a refused sign-in reads no login and checks no password"
    );

    let bob = w.sign_in("bob", PASSWORD, "198.51.100.9").await.unwrap();
    assert_eq!(bob.me.agent.id.as_str(), "bob");

    w.clock.advance_ms(FIFTEEN_MINUTES_MS - 1);
    let (_, retry_after) = assert_limited(w.sign_in("alice", PASSWORD, "198.51.100.5").await);
    assert_eq!(retry_after, 1);
    w.clock.advance_ms(1);
    let alice = w.sign_in("alice", PASSWORD, "198.51.100.5").await.unwrap();
    assert_eq!(alice.me.agent.id.as_str(), "alice");
}

/// One machine guessing across many usernames (existing or not) is stopped by the per-address
/// limit, right password or not, while the same agents still sign in from elsewhere. An IPv6
/// attacker hopping between addresses of one /64 is one address.
pub async fn one_address_spraying_usernames_is_stopped(stores: Stores) {
    let w = World::new(stores).await;
    for i in 0..30 {
        assert_wrong(
            w.sign_in(&format!("user{i}"), "guess", "203.0.113.66")
                .await,
        );
    }
    let checked = w.password_checks_so_far();
    let (message, retry_after) = assert_limited(w.sign_in("user30", "guess", "203.0.113.66").await);
    assert!(message.contains("address"), "{message}");
    assert_eq!(retry_after, 900);
    assert_limited(w.sign_in("alice", PASSWORD, "203.0.113.66").await);
    assert_eq!(w.password_checks_so_far(), checked);
    w.sign_in("alice", PASSWORD, "198.51.100.5").await.unwrap();

    for i in 0..30 {
        let from = format!("2001:db8:7:7::{:x}", i + 1);
        assert_wrong(w.sign_in(&format!("v6user{i}"), "guess", &from).await);
    }
    assert_limited(w.sign_in("v6user30", "guess", "2001:db8:7:7:ffff::1").await);
    w.sign_in("alice", PASSWORD, "2001:db8:7:8::1")
        .await
        .unwrap();
}

/// A whole office behind one address signing in all day is never locked out by successes, and
/// a success wipes out no failures: signing in to one's own account cannot reset an attacker's
/// count.
pub async fn successes_neither_count_nor_clear_failures(stores: Stores) {
    let w = World::new(stores).await;
    for _ in 0..35 {
        w.sign_in("alice", PASSWORD, "192.0.2.10").await.unwrap();
    }
    for _ in 0..9 {
        assert_wrong(w.sign_in("bob", "guess", "192.0.2.10").await);
    }
    w.sign_in("bob", PASSWORD, "192.0.2.10").await.unwrap();
    assert_wrong(w.sign_in("bob", "guess", "192.0.2.10").await);
    assert_limited(w.sign_in("bob", PASSWORD, "192.0.2.10").await);
}

/// Usernames are agent ids: anything else is refused as input (400), before any counting or
/// password check.
pub async fn a_username_that_cannot_exist_is_invalid_input(stores: Stores) {
    let w = World::new(stores).await;
    let long = "a".repeat(5_000);
    for bad in ["", "alice@example.com", "<script>", long.as_str()] {
        match w.sign_in(bad, "guess", "203.0.113.66").await {
            Err(e) => assert_eq!(e.code(), "invalid_input", "{bad:.20}: {e}"),
            Ok(_) => panic!("{bad:.20} signed in"),
        }
    }
    assert_eq!(w.password_checks_so_far(), 0);
}
