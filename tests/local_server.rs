//! The local server's own defences (docs/security.md): a private data directory, the
//! `@connections` API only on a loopback listener, and timeouts for connections that send
//! nothing or trickle.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use chatdesk::domain::GroupId;
use chatdesk::ports::ConnectionId;
use chatdesk_server::{read_gateway_endpoint, Config, Server, ServerError, Stores};
use chatdesk_tests::client::{Api, Ws};
use chatdesk_tests::server::{eventually, spawn_server, spawn_server_with, TestServer};
use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Every entry of `dir` with its mode.
fn modes_in(dir: &Path) -> Vec<(String, u32)> {
    let mut entries: Vec<(String, u32)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                mode(&e.path()),
            )
        })
        .collect();
    entries.sort();
    entries
}

/// The umask most systems run with, which makes new files world-readable (0644): the server
/// must not depend on a stricter one.
fn usual_umask() {
    // SAFETY: umask only swaps the process's file-creation mask.
    unsafe {
        libc::umask(0o022);
    }
}

async fn in_memory_server(configure: impl FnOnce(&mut Config)) -> TestServer {
    let store = chatdesk::sqlite::SqliteStore::open_in_memory().unwrap();
    spawn_server_with(Stores::all_in(store), configure).await
}

async fn a_conversation(base_url: &str) {
    let api = Api::new(base_url);
    let (chat, customer) = api.start_chat("support", "Ann", "My mailbox is full").await;
    let (status, _) = api
        .post(
            &format!("/api/chats/{chat}/messages"),
            &customer,
            json!({"client_msg_id": "m1", "body": "It says 100% used"}),
        )
        .await;
    assert!((200..300).contains(&status), "message stored: {status}");
}

#[tokio::test]
async fn a_new_data_directory_and_every_file_in_it_are_private_to_the_owner() {
    usual_umask();
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    let server = Server::build(Config::for_tests(data_dir.clone()))
        .await
        .unwrap();
    let base_url = server.base_url();
    tokio::spawn(server.run_until(std::future::pending()));
    a_conversation(&base_url).await;

    assert_eq!(mode(&data_dir), 0o700, "the data directory");
    let files = modes_in(&data_dir);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "chatdesk.sqlite3",
        "chatdesk.sqlite3-wal",
        "chatdesk.sqlite3-shm",
        "token-signing.key",
        "gateway-endpoint",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    for (name, mode) in &files {
        assert_eq!(
            *mode, 0o600,
            "{name} is readable by its owner only: {files:?}"
        );
    }
}

#[tokio::test]
async fn a_data_directory_left_readable_by_an_older_version_is_tightened_on_start() {
    usual_umask();
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    // What earlier versions left: a 0755 directory, a 0644 database, a key made readable.
    std::fs::create_dir(&data_dir).unwrap();
    std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    drop(chatdesk::sqlite::SqliteStore::open_dir(&data_dir).unwrap());
    let key = data_dir.join("token-signing.key");
    std::fs::write(&key, "ab".repeat(32)).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(mode(&data_dir.join("chatdesk.sqlite3")), 0o644);

    let server = Server::build(Config::for_tests(data_dir.clone()))
        .await
        .unwrap();
    let base_url = server.base_url();
    tokio::spawn(server.run_until(std::future::pending()));
    a_conversation(&base_url).await;

    assert_eq!(mode(&data_dir), 0o700);
    let files = modes_in(&data_dir);
    assert!(files.iter().any(|(n, _)| n == "chatdesk.sqlite3-wal"));
    for (name, mode) in &files {
        assert_eq!(*mode, 0o600, "{name}: {files:?}");
    }
}

#[tokio::test]
async fn operator_commands_create_the_database_private_too() {
    usual_umask();
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    drop(chatdesk_server::data_dir::open_store(&data_dir).unwrap());
    assert_eq!(mode(&data_dir), 0o700);
    assert_eq!(mode(&data_dir.join("chatdesk.sqlite3")), 0o600);
}

/// The id of the one socket open on `server` (Alice's, subscribed to Support).
async fn only_connection(server: &TestServer) -> ConnectionId {
    let ids = server
        .stores
        .connections
        .group_subscribers(&GroupId::parse("support").unwrap())
        .await
        .unwrap();
    assert_eq!(ids.len(), 1, "{ids:?}");
    ids[0].connection.clone()
}

#[tokio::test]
async fn connections_api_is_not_reachable_on_the_public_listener() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let mut ws = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    let id = only_connection(&server).await;
    let http = reqwest::Client::new();
    let public = format!("{}/@connections/{id}", server.base_url);

    // The attack: a fake agent message pushed into her socket, her address read, her socket closed.
    let resp = http
        .post(&public)
        .body(r#"{"type":"event","body":"Please send me your password"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    let resp = http.get(&public).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert!(!resp.text().await.unwrap().contains("127.0.0.1"));
    let resp = http.delete(&public).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "no_route");
    // Frames on one socket arrive in order: a frame pushed by those requests would come before
    // the answer to this ping.
    ws.send(json!({"action": "ping"})).await;
    loop {
        let frame = ws
            .next(Duration::from_secs(5))
            .await
            .expect("the socket is still open and answers");
        assert!(
            !frame.to_string().contains("your password"),
            "pushed into the socket: {frame}"
        );
        if frame["type"] == "pong" {
            break;
        }
    }

    // The server's own fan-out still reaches it, on the loopback listener.
    assert!(server.gateway_addr.ip().is_loopback());
    let internal = format!("{}/@connections/{id}", server.gateway_url);
    let resp = http
        .post(&internal)
        .body(r#"{"type":"hello"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    ws.expect("posted frame", |f| f["type"] == "hello").await;
}

#[tokio::test]
async fn a_gateway_address_beyond_loopback_is_refused_at_start() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(tmp.path().to_path_buf());
    config.gateway_addr = "0.0.0.0:0".parse().unwrap();
    let store = chatdesk::sqlite::SqliteStore::open_in_memory().unwrap();
    match Server::build_with(config, Stores::all_in(store)).await {
        Err(ServerError::Config(message)) => {
            assert!(message.contains("CHATDESK_GATEWAY_ADDR"), "{message}");
            assert!(message.contains("loopback"), "{message}");
        }
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(_) => panic!("a gateway on every interface was accepted"),
    }
}

#[tokio::test]
async fn the_gateway_endpoint_file_names_the_running_server_until_it_stops() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().to_path_buf();
    let server = Server::build(Config::for_tests(data_dir.clone()))
        .await
        .unwrap();
    let gateway_url = server.gateway_url();
    assert_eq!(
        read_gateway_endpoint(&data_dir).as_deref(),
        Some(gateway_url.as_str())
    );
    assert_eq!(mode(&data_dir.join("gateway-endpoint")), 0o600);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    // An operator command finds the running server's gateway through the file.
    let resp = reqwest::Client::new()
        .post(format!("{gateway_url}/@connections/nobody="))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 410, "the gateway answers");

    stop.send(()).unwrap();
    running.await.unwrap().unwrap();
    assert_eq!(
        read_gateway_endpoint(&data_dir),
        None,
        "removed on a clean stop"
    );
}

/// Reads until the server closes the connection; what it sent before closing.
async fn read_until_closed(stream: &mut (impl AsyncReadExt + Unpin)) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return received,
            Ok(n) => received.extend_from_slice(&buf[..n]),
        }
    }
}

/// Long enough for a 1 s timeout to fire under any load, short enough to end a hung test.
const SURELY_CUT_OFF: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_client_trickling_its_headers_is_cut_off() {
    let server = in_memory_server(|c| c.header_read_timeout = Duration::from_secs(1)).await;
    let stream = TcpStream::connect(server.addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    // Slowloris: one byte every 100 ms, a header that would take 60 s to finish.
    let trickle = tokio::spawn(async move {
        writer.write_all(b"GET /api/groups HTTP/1.1\r\n").await?;
        for _ in 0..600 {
            writer.write_all(b"X").await?;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        std::io::Result::Ok(())
    });
    let received = tokio::time::timeout(SURELY_CUT_OFF, read_until_closed(&mut reader))
        .await
        .expect("the server hung up on the slow client");
    assert!(received.is_empty(), "no answer to a request never finished");
    assert!(
        !trickle.is_finished() || trickle.await.unwrap().is_err(),
        "cut off before the client finished its headers"
    );
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed() {
    let server = in_memory_server(|c| c.header_read_timeout = Duration::from_secs(1)).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let received = tokio::time::timeout(SURELY_CUT_OFF, read_until_closed(&mut stream))
        .await
        .expect("the server closed the silent connection");
    assert!(received.is_empty());
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_its_answer() {
    let server = in_memory_server(|c| c.header_read_timeout = Duration::from_secs(1)).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n")
        .await
        .unwrap();
    let received = tokio::time::timeout(SURELY_CUT_OFF, read_until_closed(&mut stream))
        .await
        .expect("the server closed the idle keep-alive connection");
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 303"), "answered first: {text}");
    assert!(text.contains("location: /console/"), "{text}");
}

#[tokio::test]
async fn a_silent_websocket_is_closed_and_its_connection_removed() {
    let server = in_memory_server(|c| c.ws_idle_timeout = Duration::from_secs(1)).await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (mut socket, _) = tokio_tungstenite::connect_async(server.ws_url(&alice))
        .await
        .unwrap();
    let id = only_connection(&server).await;
    let closed = tokio::time::timeout(SURELY_CUT_OFF, async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the server closed the silent socket");
    // $disconnect ran, as for any close: the connection record is gone.
    let connections = server.stores.connections.clone();
    let removed = eventually(|| {
        let (connections, id) = (connections.clone(), id.clone());
        async move { connections.get_connection(&id).await.unwrap().is_none() }
    })
    .await;
    assert!(removed, "$disconnect removed the connection");
    assert!(server.registry.is_empty());
}

#[tokio::test]
async fn websockets_that_ping_stay_open_past_the_idle_timeout() {
    const IDLE: Duration = Duration::from_secs(3);
    let server = in_memory_server(|c| c.ws_idle_timeout = IDLE).await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let bob = api.login("bob").await;
    // The console's keep-alive: {"action":"ping"} frames.
    let mut console = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    // A client that sends only WebSocket ping control frames.
    let (mut pinger, _) = tokio_tungstenite::connect_async(server.ws_url(&bob))
        .await
        .unwrap();
    let started = tokio::time::Instant::now();
    while started.elapsed() < IDLE * 2 {
        console.send(json!({"action": "ping"})).await;
        console.expect("pong", |f| f["type"] == "pong").await;
        pinger.send(Message::Ping(vec![1].into())).await.unwrap();
        match pinger.next().await {
            Some(Ok(Message::Pong(_))) => {}
            other => panic!("the pinging socket was closed: {other:?}"),
        }
        // A third of the idle timeout: late by two seconds would still be in time. (Few frames:
        // pings count against the per-connection rate limit.)
        tokio::time::sleep(IDLE / 3).await;
    }
    console.send(json!({"action": "ping"})).await;
    console
        .expect("pong after twice the idle timeout", |f| f["type"] == "pong")
        .await;
    assert_eq!(server.registry.len(), 2, "both sockets still open");
}
