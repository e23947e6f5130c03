//! The probe's floods against the local server over HTTP: password guessing (625 guesses in
//! 10 s before) and unauthenticated chat starts (1,000 in 14 s). The server runs on a
//! `ManualClock` that starts at a window boundary and only moves when a test moves it; a second
//! client connects from 127.0.0.2, so the server sees two peer addresses.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use chatdesk::domain::{GroupId, Timestamp};
use chatdesk::ports::{ChatFilter, Clock, ManualClock, SystemClock};
use chatdesk::sqlite::SqliteStore;
use chatdesk_server::{ServerClock, Stores};
use chatdesk_tests::client::DEMO_PASSWORD;
use chatdesk_tests::server::{spawn_server_with, TestServer};
use serde_json::{json, Value};

const FIFTEEN_MINUTES_MS: i64 = 15 * 60 * 1000;

/// The start of the current 15-minute window (the clock is read once, then stands still).
fn frozen_clock() -> Arc<ManualClock> {
    let now = SystemClock.now().millis();
    Arc::new(ManualClock::new(Timestamp(now - now % FIFTEEN_MINUTES_MS)))
}

async fn server(clock: Arc<ManualClock>) -> TestServer {
    let stores = Stores::all_in(SqliteStore::open_in_memory().unwrap());
    spawn_server_with(stores, |c| c.clock = ServerClock(clock)).await
}

/// A client whose requests come from `from` (any 127.x.y.z reaches the loopback listener).
struct Client {
    http: reqwest::Client,
    base: String,
}

struct Answer {
    status: u16,
    retry_after: Option<String>,
    body: Value,
}

impl Client {
    fn from(server: &TestServer, from: [u8; 4]) -> Client {
        Client {
            http: reqwest::Client::builder()
                .local_address(IpAddr::V4(Ipv4Addr::from(from)))
                .build()
                .unwrap(),
            base: server.base_url.clone(),
        }
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = resp.json().await.unwrap();
        Answer {
            status,
            retry_after,
            body,
        }
    }

    async fn sign_in(&self, username: &str, password: &str) -> Answer {
        self.post(
            "/api/auth/login",
            json!({"username": username, "password": password}),
        )
        .await
    }

    async fn start_chat(&self, name: &str) -> Answer {
        self.post(
            "/api/chats",
            json!({"group_id": "support", "name": name, "question": "Is anyone there?"}),
        )
        .await
    }
}

#[track_caller]
fn assert_rate_limited(a: &Answer, naming: &str) {
    assert_eq!(a.status, 429, "{}", a.body);
    assert_eq!(a.body["error"], "rate_limited", "{}", a.body);
    let message = a.body["message"].as_str().unwrap();
    assert!(
        message.contains(naming) && message.contains("try again in"),
        "{message}"
    );
    let secs: u64 = a.retry_after.as_deref().unwrap().parse().unwrap();
    assert!(secs >= 1, "Retry-After {secs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_one_agents_password_is_refused_after_ten_failures_until_the_window_ends() {
    let clock = frozen_clock();
    let server = server(clock.clone()).await;
    let attacker = Client::from(&server, [127, 0, 0, 1]);
    let elsewhere = Client::from(&server, [127, 0, 0, 2]);
    for i in 0..10 {
        let a = attacker.sign_in("alice", &format!("guess-{i}")).await;
        assert_eq!(a.status, 401, "{}", a.body);
    }
    let refused = attacker.sign_in("alice", "guess-10").await;
    assert_rate_limited(&refused, "username");
    assert_eq!(refused.retry_after.as_deref(), Some("900"));
    assert_rate_limited(&attacker.sign_in("alice", DEMO_PASSWORD).await, "username");
    assert_rate_limited(&elsewhere.sign_in("alice", DEMO_PASSWORD).await, "username");
    assert_eq!(elsewhere.sign_in("bob", DEMO_PASSWORD).await.status, 200);

    clock.advance_ms(FIFTEEN_MINUTES_MS);
    assert_eq!(attacker.sign_in("alice", DEMO_PASSWORD).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_across_usernames_from_one_peer_address_is_refused_after_thirty_failures() {
    let server = server(frozen_clock()).await;
    let attacker = Client::from(&server, [127, 0, 0, 1]);
    let elsewhere = Client::from(&server, [127, 0, 0, 2]);
    for i in 0..30 {
        let a = attacker.sign_in(&format!("user{i}"), "guess").await;
        assert_eq!(a.status, 401, "{}", a.body);
    }
    assert_rate_limited(&attacker.sign_in("user30", "guess").await, "address");
    assert_rate_limited(&attacker.sign_in("alice", DEMO_PASSWORD).await, "address");
    assert_eq!(elsewhere.sign_in("alice", DEMO_PASSWORD).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_chat_starts_from_one_address_is_cut_off_and_writes_nothing() {
    let clock = frozen_clock();
    let server = server(clock.clone()).await;
    let flooder = Client::from(&server, [127, 0, 0, 1]);
    let mut started = Vec::new();
    let mut refused = 0;
    for i in 0..200 {
        let name = format!("Flood {i}");
        let a = flooder.start_chat(&name).await;
        match a.status {
            201 => started.push(name),
            _ => {
                assert_rate_limited(&a, "address");
                refused += 1;
            }
        }
    }
    // The default limit: a burst of 30, then one every 2 s (the clock stands still here).
    assert_eq!(started.len(), 30);
    assert_eq!(refused, 170);
    assert_eq!(
        started,
        (0..30).map(|i| format!("Flood {i}")).collect::<Vec<_>>()
    );
    let queued = server
        .stores
        .chats
        .list_chats(
            &ChatFilter::GroupQueue(GroupId::parse("support").unwrap()),
            1_000,
        )
        .await
        .unwrap();
    let mut queued: Vec<String> = queued.into_iter().map(|c| c.customer.name).collect();
    queued.sort();
    started.sort();
    assert_eq!(queued, started, "refused starts created no chat");

    let neighbour = Client::from(&server, [127, 0, 0, 2]);
    assert_eq!(neighbour.start_chat("Neighbour").await.status, 201);
    clock.advance_ms(2_000);
    assert_eq!(flooder.start_chat("After a pause").await.status, 201);
    assert_rate_limited(&flooder.start_chat("Too soon").await, "address");
}
