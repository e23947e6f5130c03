//! A DynamoDB-compatible endpoint for the tests, started once per test process:
//! 1. `CHATDESK_TEST_DYNAMODB_ENDPOINT` when set (any endpoint: DynamoDB Local, LocalStack, AWS);
//! 2. else LocalStack through testcontainers when a Docker engine is reachable;
//! 3. else moto (PyPI `moto[server]`) as a child process on a loopback port it picks itself, answering one
//!    request at a time (what CI, which has no Docker, uses). It is killed when the test process
//!    exits.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::sync::OnceCell;

use chatdesk::dynamodb::DynamoStore;

static ENDPOINT: OnceCell<String> = OnceCell::const_new();

/// Kept alive for the whole process.
static MOTO: std::sync::Mutex<Option<Child>> = std::sync::Mutex::new(None);
#[allow(clippy::type_complexity)]
static LOCALSTACK: std::sync::Mutex<
    Option<
        testcontainers_modules::testcontainers::ContainerAsync<
            testcontainers_modules::localstack::LocalStack,
        >,
    >,
> = std::sync::Mutex::new(None);

fn docker_reachable() -> bool {
    if std::env::var("DOCKER_HOST").is_ok() {
        return true;
    }
    std::os::unix::net::UnixStream::connect("/var/run/docker.sock").is_ok()
}

/// PR_SET_PDEATHSIG fires when the *thread* that spawned the child ends, so moto is spawned from
/// a thread that lives as long as the process.
fn start_moto() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(spawn_moto());
        loop {
            std::thread::park();
        }
    });
    rx.recv().expect("moto_server start")
}

fn spawn_moto() -> String {
    // moto, but answering one request at a time: see tests/support/moto_serial.py for why.
    // Port 0: moto binds a port the OS picks and prints it. Picking a "free" port here and
    // passing it in raced with the test servers of the same binary binding port 0.
    let launcher = concat!(env!("CARGO_MANIFEST_DIR"), "/support/moto_serial.py");
    let mut command = Command::new("python3");
    command
        .args([launcher, "-H", "127.0.0.1", "-p", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // Die with the test process, whatever way it ends.
    unsafe {
        use std::os::unix::process::CommandExt;
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    // Never waited on: the child lives as long as this process and dies with it (PDEATHSIG).
    #[allow(clippy::zombie_processes)]
    let mut child = command.spawn().unwrap_or_else(|e| {
        panic!("cannot start moto_server ({e}): run the README's test command (./scripts/test.sh), which installs it")
    });
    let stdout = child.stdout.take().expect("moto_server's piped stdout");
    if let Ok(mut slot) = MOTO.lock() {
        *slot = Some(child);
    }
    let port = listening_port(stdout);
    eprintln!("DynamoDB endpoint: moto (serial) on 127.0.0.1:{port}");
    format!("http://127.0.0.1:{port}")
}

/// The port moto reports once it listens; the rest of its output is drained so that a later
/// print never blocks it on a full pipe.
fn listening_port(stdout: std::process::ChildStdout) -> u16 {
    use std::io::BufRead;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = std::io::BufReader::new(stdout).lines();
        let first = lines.next().and_then(|l| l.ok());
        let _ = tx.send(first);
        for _ in lines {}
    });
    let first = rx
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("moto_server did not report its port within 30 s"));
    first
        .as_deref()
        .map(str::trim)
        .and_then(|line| line.parse().ok())
        .unwrap_or_else(|| panic!("moto_server exited before listening (first line: {first:?})"))
}

async fn start_localstack() -> Option<String> {
    use testcontainers_modules::testcontainers::runners::AsyncRunner;
    let container = testcontainers_modules::localstack::LocalStack::default()
        .start()
        .await
        .ok()?;
    let port = container.get_host_port_ipv4(4566).await.ok()?;
    if let Ok(mut slot) = LOCALSTACK.lock() {
        *slot = Some(container);
    }
    eprintln!("DynamoDB endpoint: LocalStack (testcontainers) on 127.0.0.1:{port}");
    Some(format!("http://127.0.0.1:{port}"))
}

/// The endpoint every DynamoDB test of this process uses.
pub async fn endpoint() -> String {
    ENDPOINT
        .get_or_init(|| async {
            if let Ok(e) = std::env::var("CHATDESK_TEST_DYNAMODB_ENDPOINT") {
                if !e.is_empty() {
                    eprintln!("DynamoDB endpoint: {e} (CHATDESK_TEST_DYNAMODB_ENDPOINT)");
                    return e;
                }
            }
            if docker_reachable() {
                if let Some(e) = start_localstack().await {
                    return e;
                }
                eprintln!(
                    "a Docker engine answered but LocalStack did not start; using moto_server"
                );
            }
            tokio::task::spawn_blocking(start_moto)
                .await
                .expect("moto_server start")
        })
        .await
        .clone()
}

static OWN_MOTO: OnceCell<String> = OnceCell::const_new();

/// A moto server: the DynamoDB endpoint when that is moto, else one of this process's own. For
/// the tests that read what moto recorded (the messages its SES "sent", `/moto-api/data.json`).
pub async fn moto_endpoint() -> String {
    let shared = endpoint().await;
    if MOTO.lock().is_ok_and(|m| m.is_some()) {
        return shared;
    }
    OWN_MOTO
        .get_or_init(|| async {
            tokio::task::spawn_blocking(start_moto)
                .await
                .expect("moto_server start")
        })
        .await
        .clone()
}

/// A store over a new table of its own (`chatdesk-test-{ulid}`), created from the schema the
/// product uses.
pub async fn fresh_store() -> DynamoStore {
    let endpoint = endpoint().await;
    let client = chatdesk::dynamodb::client_for(Some(&endpoint)).await;
    let store = DynamoStore::new(client, format!("chatdesk-test-{}", ulid::Ulid::new()));
    store.create_table().await.expect("create the test table");
    store
}

/// The store ports over a fresh table, as the server and the contract suite take them.
pub async fn fresh_stores() -> (chatdesk_server::Stores, DynamoStore) {
    let store = fresh_store().await;
    let shared = std::sync::Arc::new(store.clone());
    (
        chatdesk_server::Stores {
            directory: shared.clone(),
            chats: shared.clone(),
            preferences: shared.clone(),
            connections: shared.clone(),
            throttle: shared.clone(),
            knowledge: shared.clone(),
            inbox: shared.clone(),
            notes: shared.clone(),
            history: shared.clone(),
            canned: shared.clone(),
            outbox: shared.clone(),
            audit: shared,
        },
        store,
    )
}
