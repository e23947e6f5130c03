//! Stopping the local server: a clean stop closes every WebSocket as "going away" after running
//! its `$disconnect` cleanup; a crash (SIGKILL) loses no message the server acknowledged.
//!
//! The crash test needs the server in a process of its own, so this file is a plain program
//! (`harness = false`): run with `--child-server DIR` it is that server; otherwise it runs the
//! tests and exits non-zero when one fails.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chatdesk::domain::ChatId;
use chatdesk::ports::{Clock, PrincipalKey, SystemClock};
use chatdesk_server::{Config, Server};
use chatdesk_tests::client::{Api, Ws};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

/// One test: runs on the shared runtime and panics when it fails.
type Test = fn(&tokio::runtime::Runtime);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child-server") {
        let dir = args.get(i + 1).expect("--child-server DIR");
        child_server(dir.into());
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("runtime");
    let tests: [(&str, Test); 2] = [
        (
            "a_clean_stop_closes_sockets_as_going_away_after_their_cleanup",
            |rt| rt.block_on(a_clean_stop_closes_sockets_as_going_away_after_their_cleanup()),
        ),
        (
            "every_acknowledged_message_survives_a_sigkill_mid_storm",
            |rt| rt.block_on(every_acknowledged_message_survives_a_sigkill_mid_storm()),
        ),
    ];
    let filter = name_filter(&args[1..]);
    let (mut ran, mut failed) = (0, 0);
    for (name, test) in tests {
        if filter.is_some_and(|f| !name.contains(f)) {
            continue;
        }
        ran += 1;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| test(&runtime)));
        match outcome {
            Ok(()) => println!("test {name} ... ok"),
            Err(_) => {
                println!("test {name} ... FAILED");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        println!("test result: FAILED. {failed} of {ran} failed");
        std::process::exit(1);
    }
    println!("test result: ok. {ran} passed");
}

/// The test-name filter among the arguments the test runner passes (`cargo test -- NAME`),
/// skipping its options and their values (`--test-threads 4`).
fn name_filter(args: &[String]) -> Option<&str> {
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--test-threads" | "--skip" | "--format" | "--color" | "-Z" => {
                args.next();
            }
            a if a.starts_with('-') => {}
            a => return Some(a),
        }
    }
    None
}

/// Alice has Ann's chat open; both sockets are open when the server is told to stop.
async fn a_clean_stop_closes_sockets_as_going_away_after_their_cleanup() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::build(Config::for_tests(dir.path().to_path_buf()))
        .await
        .expect("server starts");
    let base = server.base_url();
    let addr = server.addr();
    let ws_url = |token: &str| format!("ws://{addr}/ws?token={token}");
    let stores = server.stores.clone();
    let registry = server.registry.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run_until(async move {
        let _ = stopped.await;
    }));
    let api = Api::new(&base);
    let alice = api.login("alice").await;
    let (chat, customer) = api
        .start_chat("support", "Ann", "Where is my parcel?")
        .await;
    let (status, _) = api.action("pull", &alice, json!({"chat_ids":[chat]})).await;
    assert_eq!(status, 200);
    let mut alice_ws = Ws::connect(&ws_url(&alice)).await.expect("alice connects");
    let mut customer_ws = Ws::connect(&ws_url(&customer)).await.expect("ann connects");
    alice_ws
        .send(json!({"action":"resume","chat_id":chat,"after_seq":0}))
        .await;
    alice_ws.expect("resumed", |f| f["type"] == "resumed").await;
    let chat_id = ChatId::parse(&chat).expect("chat id");
    let customer_key = PrincipalKey::customer(&chat_id);
    let now = SystemClock.now();
    assert_eq!(
        stores
            .connections
            .principal_connections(&customer_key, now)
            .await
            .expect("read connections")
            .len(),
        1,
        "Ann's socket is recorded while it is open"
    );

    let _ = stop.send(());

    assert_eq!(
        customer_ws.close_code(Duration::from_secs(10)).await,
        Some(1001),
        "Ann's page is told the server is going away (and reconnects)"
    );
    assert_eq!(
        alice_ws.close_code(Duration::from_secs(10)).await,
        Some(1001)
    );
    tokio::time::timeout(Duration::from_secs(15), serving)
        .await
        .expect("the server stops within the grace")
        .expect("the server task ends")
        .expect("the server stops cleanly");
    assert!(registry.is_empty(), "no socket is left open");
    assert!(
        stores
            .connections
            .principal_connections(&customer_key, now)
            .await
            .expect("read connections")
            .is_empty(),
        "each socket ran its $disconnect cleanup before the server stopped"
    );
}

/// The server as its own process over `dir`: prints its URL, then serves until killed.
fn child_server(dir: std::path::PathBuf) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let mut config = Config::for_tests(dir);
        // The storm comes from one address.
        config.chat_starts.burst = u32::MAX;
        let server = Server::build(config).await.expect("server starts");
        println!("LISTENING {}", server.base_url());
        let _ = server.run_until(std::future::pending()).await;
    });
}

struct ChildServer {
    child: Child,
    base_url: String,
}

impl ChildServer {
    fn start(dir: &std::path::Path) -> ChildServer {
        let mut child = Command::new(std::env::current_exe().expect("this test program"))
            .arg("--child-server")
            .arg(dir)
            .env("CHATDESK_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the server process");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let base_url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("LISTENING ") {
                        break url.trim().to_owned();
                    }
                }
                _ => panic!("the server process ended before it listened"),
            }
        };
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        ChildServer { child, base_url }
    }

    fn ws_url(&self, token: &str) -> String {
        format!(
            "{}/ws?token={token}",
            self.base_url.replacen("http", "ws", 1)
        )
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Forty customers each send a burst of 30 messages at once (the most one socket may send in
/// 10 s), 1,200 in all; the server process is killed with SIGKILL once 300 have been
/// acknowledged, while it is still writing the rest.
const CUSTOMERS: usize = 40;
const MESSAGES_PER_CUSTOMER: usize = 30;
const KILL_AFTER_ACKS: usize = 300;

/// Every message the server acknowledged before SIGKILL is there after a restart.
async fn every_acknowledged_message_survives_a_sigkill_mid_storm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = ChildServer::start(dir.path());
    let api = Api::new(&server.base_url);
    let mut chats = Vec::new();
    for i in 0..CUSTOMERS {
        let (chat, token) = api
            .start_chat(
                "support",
                &format!("Customer {i}"),
                "Is my order on its way?",
            )
            .await;
        chats.push((chat, token));
    }
    let (acks_tx, mut acks_rx) = tokio::sync::mpsc::unbounded_channel::<(String, String)>();
    let mut storms = Vec::new();
    for (i, (chat, token)) in chats.iter().enumerate() {
        let (socket, _) = tokio_tungstenite::connect_async(server.ws_url(token))
            .await
            .expect("customer connects");
        let (mut sink, mut stream) = socket.split();
        let chat = chat.clone();
        let acks = acks_tx.clone();
        storms.push(tokio::spawn(async move {
            let sender = async {
                for n in 0..MESSAGES_PER_CUSTOMER {
                    let frame = json!({"action":"send","chat_id":chat,
                        "client_msg_id":format!("c{i}-m{n}"),"body":format!("message {n}")});
                    if sink
                        .send(Message::Text(frame.to_string().into()))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            };
            let reader = async {
                // Until the socket breaks: acks the server sent before it died still count.
                while let Some(Ok(msg)) = stream.next().await {
                    if let Message::Text(text) = msg {
                        let frame: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                        // The stored message's own event is its acknowledgement.
                        if frame["type"] == "event" && frame["event"]["type"] == "message" {
                            let id = frame["event"]["client_msg_id"]
                                .as_str()
                                .unwrap_or("")
                                .to_owned();
                            let _ = acks.send((chat.clone(), id));
                        }
                    }
                }
            };
            tokio::join!(sender, reader);
        }));
    }
    drop(acks_tx);

    // Kill the server once the storm is well under way.
    let mut acked: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut count = 0;
    while count < KILL_AFTER_ACKS {
        match tokio::time::timeout(Duration::from_secs(20), acks_rx.recv()).await {
            Ok(Some((chat, id))) => {
                acked.entry(chat).or_default().insert(id);
                count += 1;
            }
            _ => panic!("the storm stalled after {count} acknowledged messages"),
        }
    }
    let mut server = server;
    server.child.kill().expect("SIGKILL the server");
    let _ = server.child.wait();
    while let Some((chat, id)) = acks_rx.recv().await {
        acked.entry(chat).or_default().insert(id);
        count += 1;
    }
    for storm in storms {
        let _ = storm.await;
    }
    let sent_in_all = CUSTOMERS * MESSAGES_PER_CUSTOMER;
    assert!(
        count < sent_in_all,
        "the server died mid-storm ({count} of {sent_in_all} acknowledged)"
    );

    drop(server);
    let restarted = ChildServer::start(dir.path());
    let api = Api::new(&restarted.base_url);
    for (chat, token) in &chats {
        let (status, events) = api
            .get(
                &format!("/api/chats/{chat}/events?after=0&limit=500"),
                token,
            )
            .await;
        assert_eq!(status, 200, "{events}");
        let stored: BTreeSet<String> = events
            .as_array()
            .expect("events")
            .iter()
            .filter_map(|e| e["client_msg_id"].as_str().map(str::to_owned))
            .collect();
        let lost: Vec<&String> = acked
            .get(chat)
            .map(|ids| ids.difference(&stored).collect())
            .unwrap_or_default();
        assert!(
            lost.is_empty(),
            "acknowledged but missing after the restart: {lost:?}"
        );
    }
    println!("  {count} acknowledged messages, all found after SIGKILL and restart");
}
