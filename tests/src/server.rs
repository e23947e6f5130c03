use std::net::SocketAddr;

use chatdesk_server::{Config, Server, Stores};

/// A local server running in this test process on a free port, with its own data directory.
pub struct TestServer {
    pub addr: SocketAddr,
    pub base_url: String,
    /// The internal loopback listener of the `@connections` management API.
    pub gateway_addr: SocketAddr,
    pub gateway_url: String,
    pub app: chatdesk::app::App,
    pub registry: chatdesk_server::gateway::Registry,
    pub stores: Stores,
    pub fanout: std::sync::Arc<chatdesk::realtime::Fanout>,
    _data_dir: tempfile::TempDir,
}

impl TestServer {
    pub fn ws_url(&self, token: &str) -> String {
        format!("ws://{}/ws?token={}", self.addr, token)
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self._data_dir.path()
    }
}

async fn start(server: Server, data_dir: tempfile::TempDir) -> TestServer {
    let addr = server.addr();
    let base_url = server.base_url();
    let gateway_addr = server.gateway_addr();
    let gateway_url = server.gateway_url();
    let app = server.app.clone();
    let registry = server.registry.clone();
    let stores = server.stores.clone();
    let fanout = server.fanout.clone();
    // Until the test process ends: a test server must not take over the process's Ctrl-C and
    // SIGTERM (a test runner's SIGTERM must still end the process).
    tokio::spawn(server.run_until(std::future::pending()));
    TestServer {
        addr,
        base_url,
        gateway_addr,
        gateway_url,
        app,
        registry,
        stores,
        fanout,
        _data_dir: data_dir,
    }
}

/// The local server as a new user runs it: embedded store, demo organisation.
pub async fn spawn_server() -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::build(Config::for_tests(dir.path().to_path_buf()))
        .await
        .expect("server starts");
    start(server, dir).await
}

/// The local server as a new user runs it, with a chosen configuration.
pub async fn spawn_server_configured(configure: impl FnOnce(&mut Config)) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::for_tests(dir.path().to_path_buf());
    configure(&mut config);
    let server = Server::build(config).await.expect("server starts");
    start(server, dir).await
}

/// For tests that count every store call, or that write chats at instants of their own clock:
/// no hand-off sweep runs in the background (`tests/hand_off_flow.rs` and the store contract
/// test the timers).
pub fn without_hand_off_sweep(config: &mut Config) {
    config.hand_off_sweep = None;
}

/// The same server over other stores and with a chosen configuration.
pub async fn spawn_server_with(stores: Stores, configure: impl FnOnce(&mut Config)) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::for_tests(dir.path().to_path_buf());
    configure(&mut config);
    let server = Server::build_with(config, stores)
        .await
        .expect("server starts");
    start(server, dir).await
}

/// Whether `check` becomes true within 2.5 s (asked every 50 ms): for effects that follow an
/// answer the test already received, such as a fan-out finishing its clean-up.
pub async fn eventually<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..50 {
        if check().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}
