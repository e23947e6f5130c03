//! Realtime benchmark: N concurrent chats (one customer WebSocket each, and one WebSocket per
//! agent for the agent's chats and console) exchanging messages through the local server,
//! against a plain WebSocket relay on the same machine, so the ratio shows what the product adds
//! (storage, sequencing, fan-out).
//!
//!     cargo run --profile perf -p chatdesk-tests --bin bench-realtime -- --chats 100
//!
//! The clients run in a second process (this binary again, with `--clients`), for both runs:
//! 10,000 chats are more sockets than one process may open here, counting both ends. The
//! parent sends it the plan (who connects where, sending what first) as a line of JSON on its
//! standard input, and reads back the latencies.
//!
//! Prints messages/s, p50/p99 send-to-receive latency and store calls per message.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{Message as AxMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use clap::Parser;
use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use chatdesk::domain::{Agent, AgentId, Group, GroupId, Role};
use chatdesk_server::chat_start_limit::ChatStartLimit;
use chatdesk_server::{Config, Server, Stores};
use chatdesk_tests::client::Api;
use chatdesk_tests::counting::CountingStores;

/// The server's allocator, as its binary sets it; the relay and the client process use it too.
#[global_allocator]
static ALLOCATOR: chatdesk_server::Allocator = chatdesk_server::Allocator;

#[derive(Parser)]
struct Args {
    /// Concurrent chats.
    #[arg(long, default_value_t = 100)]
    chats: usize,
    /// Messages per chat (alternating customer and agent).
    #[arg(long, default_value_t = 10)]
    messages: usize,
    /// Pause between a chat's messages, in milliseconds (0: as fast as possible, which measures
    /// capacity; a few seconds, as people type, measures latency at a realistic load).
    #[arg(long, default_value_t = 0)]
    think_ms: u64,
    /// Agents per group, each showing the group's live list: the rows of every message reach
    /// their consoles, gathered to at most one frame a second per console.
    #[arg(long, default_value_t = 10)]
    agents_per_group: usize,
    /// Rounds of the relay and chatdesk run one after the other: the table shows each round and
    /// the medians, so that a machine that slows down for a while moves both sides of a ratio.
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Run as the client process (started by the benchmark itself).
    #[arg(long, hide = true)]
    clients: bool,
}

/// Raises this process's soft limit of open files to its hard limit.
fn raise_open_files_limit() {
    // SAFETY: getrlimit/setrlimit only read and write the struct passed.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

// ---------- the client process ----------

/// What the client process does: open the agents' sockets (sending each its first frames), then
/// one socket per chat for its customer, then drive the chats.
#[derive(Serialize, Deserialize)]
struct Plan {
    messages: usize,
    think_ms: u64,
    agents: Vec<AgentPlan>,
    chats: Vec<ChatPlan>,
    /// The frame a side sends, with `{chat}`, `{cmid}` and `{body}` in it.
    send_template: String,
}

#[derive(Serialize, Deserialize)]
struct AgentPlan {
    url: String,
    first_frames: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct ChatPlan {
    chat_id: String,
    customer_url: String,
    /// Index into `Plan::agents`: the agent's socket carries this chat.
    agent: usize,
}

#[derive(Serialize, Deserialize)]
struct Outcome {
    latencies_us: Vec<u64>,
    wall_us: u64,
    /// CPU time the client process used during the run (user and system).
    cpu_us: u64,
}

/// CPU time this process has used so far (user and system, every thread), in microseconds.
fn process_cpu_us() -> u64 {
    // SAFETY: getrusage only writes the struct passed.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return 0;
        }
        let us = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
        us(usage.ru_utime) + us(usage.ru_stime)
    }
}

/// Clients read with a small buffer, like browsers' frames are small (the same for both runs).
async fn connect(url: &str) -> Socket {
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(8 * 1024);
    // TCP_NODELAY, as browsers do: an agent's socket carries several chats, and Nagle's
    // algorithm held a second frame until the first was acknowledged (40 ms).
    // Thousands of handshakes in a row can overflow the listener's backlog now and then (the
    // kernel resets the connection): a few tries with a growing pause, so that one of them does
    // not end the whole run without a table.
    let mut pause = Duration::from_millis(50);
    for attempt in 1.. {
        match tokio_tungstenite::connect_async_with_config(url, Some(config), true).await {
            Ok((socket, _)) => return socket,
            Err(e) if attempt < CONNECT_TRIES => {
                eprintln!("connecting failed ({e}); trying again in {pause:?}");
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            Err(e) => panic!("connecting failed {CONNECT_TRIES} times: {e}"),
        }
    }
    unreachable!("the loop returns or panics")
}

/// Tries of one client handshake before the client process gives up.
const CONNECT_TRIES: u32 = 6;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;
type Sink = Arc<tokio::sync::Mutex<SplitSink<Socket, Message>>>;

/// The marker a message's body carries: which chat (its index in the plan) and which message.
fn marker(chat: usize, i: usize) -> String {
    format!("tok|{chat}|{i}|")
}

/// Every marker in a frame.
fn markers(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    text.split("tok|").skip(1).filter_map(|rest| {
        let mut parts = rest.splitn(3, '|');
        let chat = parts.next()?.parse().ok()?;
        let i = parts.next()?.parse().ok()?;
        parts.next()?;
        Some((chat, i))
    })
}

/// Reads a socket until it closes, telling each chat's side which of its messages arrived.
fn read_socket(
    mut stream: futures::stream::SplitStream<Socket>,
    to: HashMap<usize, mpsc::UnboundedSender<usize>>,
) {
    tokio::spawn(async move {
        while let Some(Ok(msg)) = stream.next().await {
            if let Message::Text(t) = msg {
                for (chat, i) in markers(&t) {
                    if let Some(tx) = to.get(&chat) {
                        let _ = tx.send(i);
                    }
                }
            }
        }
    });
}

/// Waits until message `i` arrives on a side; false on timeout.
async fn wait_for(rx: &mut mpsc::UnboundedReceiver<usize>, i: usize) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while let Ok(Some(got)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        if got == i {
            return true;
        }
    }
    false
}

async fn run_clients() {
    raise_open_files_limit();
    // Standard input and output are read and written blocking: a line now and then.
    let (line_tx, mut lines) = mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if line_tx.send(line).is_err() {
                break;
            }
        }
    });
    let plan: Plan = serde_json::from_str(&lines.recv().await.expect("plan")).expect("plan");
    // Each chat's side hears of the markers its socket receives.
    let mut customer_rx = Vec::new();
    let mut agent_rx = Vec::new();
    let mut agent_routes: Vec<HashMap<usize, mpsc::UnboundedSender<usize>>> =
        plan.agents.iter().map(|_| HashMap::new()).collect();
    let mut customer_tx = Vec::new();
    for (n, chat) in plan.chats.iter().enumerate() {
        let (tx, rx) = mpsc::unbounded_channel();
        agent_routes[chat.agent].insert(n, tx);
        agent_rx.push(rx);
        let (tx, rx) = mpsc::unbounded_channel();
        customer_tx.push(tx);
        customer_rx.push(rx);
    }
    // A few handshakes at a time, in order.
    let agent_sockets: Vec<Socket> = futures::stream::iter(plan.agents.iter())
        .map(|a| async move {
            let mut s = connect(&a.url).await;
            for f in &a.first_frames {
                s.send(Message::Text(f.clone().into()))
                    .await
                    .expect("first frame");
            }
            s
        })
        .buffered(32)
        .collect()
        .await;
    let mut agent_sinks: Vec<Sink> = Vec::new();
    for (socket, routes) in agent_sockets.into_iter().zip(agent_routes) {
        let (sink, stream) = socket.split();
        read_socket(stream, routes);
        agent_sinks.push(Arc::new(tokio::sync::Mutex::new(sink)));
    }
    let customer_sockets: Vec<Socket> = futures::stream::iter(plan.chats.iter())
        .map(|c| connect(&c.customer_url))
        .buffered(32)
        .collect()
        .await;
    let mut customer_sinks: Vec<Sink> = Vec::new();
    for (n, (socket, tx)) in customer_sockets.into_iter().zip(customer_tx).enumerate() {
        let (sink, stream) = socket.split();
        read_socket(stream, HashMap::from([(n, tx)]));
        customer_sinks.push(Arc::new(tokio::sync::Mutex::new(sink)));
    }
    println!("ready");
    assert_eq!(lines.recv().await.as_deref(), Some("go"), "expected go");

    let started = Instant::now();
    let cpu_before = process_cpu_us();
    let count = plan.chats.len().max(1) as u64;
    let (messages, think_ms) = (plan.messages, plan.think_ms);
    let template = Arc::new(plan.send_template);
    let tasks: Vec<_> = plan
        .chats
        .into_iter()
        .zip(customer_sinks)
        .zip(customer_rx.into_iter().zip(agent_rx))
        .enumerate()
        .map(|(n, ((chat, customer), (mut customer_rx, mut agent_rx)))| {
            let agent = agent_sinks[chat.agent].clone();
            let template = template.clone();
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(messages);
                // Spread the chats' first messages over one think time so they do not all fire
                // in the same millisecond.
                if think_ms > 0 {
                    tokio::time::sleep(Duration::from_millis(think_ms * n as u64 / count)).await;
                }
                for i in 0..messages {
                    if think_ms > 0 && i > 0 {
                        tokio::time::sleep(Duration::from_millis(think_ms)).await;
                    }
                    let frame = template
                        .replace("{chat}", &chat.chat_id)
                        .replace("{cmid}", &format!("c{i}"))
                        .replace("{body}", &marker(n, i));
                    let t0 = Instant::now();
                    let (from, to) = if i % 2 == 0 {
                        (&customer, &mut agent_rx)
                    } else {
                        (&agent, &mut customer_rx)
                    };
                    if from
                        .lock()
                        .await
                        .send(Message::Text(frame.into()))
                        .await
                        .is_err()
                    {
                        break;
                    }
                    if !wait_for(to, i).await {
                        eprintln!("message lost in chat {}", chat.chat_id);
                        break;
                    }
                    lat.push(t0.elapsed().as_micros() as u64);
                }
                lat
            })
        })
        .collect();
    let mut latencies_us = Vec::new();
    for t in tasks {
        if let Ok(l) = t.await {
            latencies_us.extend(l);
        }
    }
    let outcome = Outcome {
        latencies_us,
        wall_us: started.elapsed().as_micros() as u64,
        cpu_us: process_cpu_us().saturating_sub(cpu_before),
    };
    println!("{}", serde_json::to_string(&outcome).expect("outcome"));
    // The sockets stay open until the parent has read its counters and says so (or goes).
    let _ = lines.recv().await;
    drop(agent_sinks);
}

/// Runs the plan in a client process: returns once its sockets are open, with what starts the
/// run and reads its outcome.
struct Clients {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

impl Clients {
    async fn start(plan: &Plan) -> Clients {
        let exe = std::env::current_exe().expect("own path");
        let mut child = tokio::process::Command::new(exe)
            .arg("--clients")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("client process");
        let mut stdin = child.stdin.take().expect("stdin");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut line = serde_json::to_string(plan).expect("plan");
        line.push('\n');
        stdin.write_all(line.as_bytes()).await.expect("plan");
        stdin.flush().await.expect("plan");
        let ready = lines.next_line().await.expect("client process");
        assert_eq!(ready.as_deref(), Some("ready"), "the client process failed");
        Clients {
            child,
            stdin,
            lines,
        }
    }

    /// The latencies, the run's duration, and the CPU time used by the server's process and by
    /// the clients' during it.
    async fn run(&mut self) -> (Vec<u64>, Duration, Cpu) {
        let server_before = process_cpu_us();
        self.stdin.write_all(b"go\n").await.expect("go");
        self.stdin.flush().await.expect("go");
        let line = self
            .lines
            .next_line()
            .await
            .expect("client process")
            .expect("outcome");
        let outcome: Outcome = serde_json::from_str(&line).expect("outcome");
        let cpu = Cpu {
            server_us: process_cpu_us().saturating_sub(server_before),
            clients_us: outcome.cpu_us,
        };
        (
            outcome.latencies_us,
            Duration::from_micros(outcome.wall_us),
            cpu,
        )
    }

    /// Closes every client socket and waits for the process to end.
    async fn finish(mut self) {
        let _ = self.stdin.write_all(b"done\n").await;
        let _ = self.stdin.flush().await;
        drop(self.stdin);
        let _ = self.child.wait().await;
    }
}

/// Profiling only chatdesk's message phase: with `PERF_CTL_FIFO` naming the control FIFO of
/// `perf record --control fifo:PATH -D -1 -- bench-realtime ...`, recording starts when the
/// messages do and stops when they end (set-up, the relay and the stop are left out).
fn perf_control(what: &str) {
    if let Ok(path) = std::env::var("PERF_CTL_FIFO") {
        if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(path) {
            use std::io::Write;
            let _ = writeln!(f, "{what}");
        }
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx] as f64 / 1000.0
}

/// CPU time used during a run, in microseconds.
#[derive(Clone, Copy, Default)]
struct Cpu {
    server_us: u64,
    clients_us: u64,
}

struct Figures {
    per_sec: f64,
    p50: f64,
    p99: f64,
    count: usize,
    /// CPU time per message, in microseconds: the server's process, the clients'.
    server_cpu_us: f64,
    clients_cpu_us: f64,
}

/// The median of `values` (the mean of the middle two for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

impl Figures {
    /// Each column's median over several runs.
    fn median(runs: &[Figures]) -> Figures {
        let column = |f: fn(&Figures) -> f64| median(runs.iter().map(f).collect());
        Figures {
            per_sec: column(|r| r.per_sec),
            p50: column(|r| r.p50),
            p99: column(|r| r.p99),
            count: column(|r| r.count as f64) as usize,
            server_cpu_us: column(|r| r.server_cpu_us),
            clients_cpu_us: column(|r| r.clients_cpu_us),
        }
    }
}

fn figures(mut lat: Vec<u64>, wall: Duration, cpu: Cpu) -> Figures {
    lat.sort_unstable();
    let per_message = |us: u64| us as f64 / lat.len().max(1) as f64;
    Figures {
        per_sec: lat.len() as f64 / wall.as_secs_f64(),
        p50: percentile(&lat, 0.50),
        p99: percentile(&lat, 0.99),
        count: lat.len(),
        server_cpu_us: per_message(cpu.server_us),
        clients_cpu_us: per_message(cpu.clients_us),
    }
}

// ---------- the baseline: a plain relay ----------

/// Each room's members: an id and the queue of their socket.
type Members = Vec<(u64, mpsc::UnboundedSender<String>)>;

#[derive(Clone, Default)]
struct Rooms(Arc<Mutex<HashMap<String, Members>>>);

/// `?rooms=a,b,c`: the rooms a socket is in (an agent's socket is in each of its chats').
async fn relay_ws(
    State(rooms): State<Rooms>,
    Query(q): Query<HashMap<String, String>>,
    ws: WebSocketUpgrade,
) -> Response {
    let joined: Vec<String> = q
        .get("rooms")
        .map(|r| r.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    ws.read_buffer_size(8 * 1024)
        .on_upgrade(move |socket| relay(rooms, joined, socket))
}

/// The room a frame is for: its `chat_id`.
#[derive(Deserialize)]
struct Routed<'a> {
    #[serde(borrow)]
    chat_id: std::borrow::Cow<'a, str>,
}

async fn relay(rooms: Rooms, joined: Vec<String>, socket: WebSocket) {
    let id = rand_id();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    if let Ok(mut r) = rooms.0.lock() {
        for room in &joined {
            r.entry(room.clone()).or_default().push((id, tx.clone()));
        }
    }
    let (mut sink, mut stream) = socket.split();
    let writer = tokio::spawn(async move {
        while let Some(text) = rx.recv().await {
            if sink.send(AxMessage::Text(text.into())).await.is_err() {
                break;
            }
        }
    });
    while let Some(Ok(AxMessage::Text(t))) = stream.next().await {
        let Ok(routed) = serde_json::from_str::<Routed>(&t) else {
            continue;
        };
        let peers: Vec<mpsc::UnboundedSender<String>> = rooms
            .0
            .lock()
            .map(|r| {
                r.get(routed.chat_id.as_ref())
                    .map(|v| {
                        v.iter()
                            .filter(|(i, _)| *i != id)
                            .map(|(_, s)| s.clone())
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        for p in peers {
            let _ = p.send(t.to_string());
        }
    }
    writer.abort();
}

fn rand_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

const SEND_TEMPLATE: &str =
    r#"{"action":"send","chat_id":"{chat}","client_msg_id":"{cmid}","body":"{body}"}"#;

async fn baseline(chats: usize, messages: usize, think_ms: u64) -> Figures {
    let app = axum::Router::new()
        .route("/ws", get(relay_ws))
        .with_state(Rooms::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        use axum::serve::ListenerExt;
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, app).await
    });
    // The same sockets as chatdesk's run: one per customer, one per agent for its chats.
    let agents = chats.div_ceil(CHATS_PER_AGENT);
    let plan = Plan {
        messages,
        think_ms,
        agents: (0..agents)
            .map(|a| {
                let rooms: Vec<String> = (a * CHATS_PER_AGENT
                    ..((a + 1) * CHATS_PER_AGENT).min(chats))
                    .map(|i| format!("r{i}"))
                    .collect();
                AgentPlan {
                    url: format!("ws://{addr}/ws?rooms={}", rooms.join(",")),
                    first_frames: Vec::new(),
                }
            })
            .collect(),
        chats: (0..chats)
            .map(|i| ChatPlan {
                chat_id: format!("r{i}"),
                customer_url: format!("ws://{addr}/ws?rooms=r{i}"),
                agent: i / CHATS_PER_AGENT,
            })
            .collect(),
        send_template: SEND_TEMPLATE.into(),
    };
    let mut clients = Clients::start(&plan).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (lat, wall, cpu) = clients.run().await;
    clients.finish().await;
    figures(lat, wall, cpu)
}

// ---------- chatdesk ----------

const CHATS_PER_AGENT: usize = 5;

async fn chatdesk(
    chats: usize,
    messages: usize,
    think_ms: u64,
    agents_per_group: usize,
) -> (Figures, std::collections::BTreeMap<&'static str, u64>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = chatdesk::sqlite::SqliteStore::open_dir(dir.path()).expect("store");
    let counting = CountingStores::wrap(Stores::all_in(store));
    let mut config = Config::for_tests(dir.path().to_path_buf());
    config.seed_demo = false;
    // Every customer of the benchmark connects from this one address; in real life each has
    // their own.
    config.chat_starts = ChatStartLimit {
        burst: u32::MAX,
        ..ChatStartLimit::default()
    };
    let server = Server::build_with(config, counting.stores())
        .await
        .expect("server");
    let base = server.base_url();
    let addr = server.addr();
    let app = server.app.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run_until(async move {
        let _ = stopped.await;
    }));

    let agents = chats.div_ceil(CHATS_PER_AGENT);
    let groups = agents.div_ceil(agents_per_group);
    let stores = counting.stores();
    for g in 0..groups {
        stores
            .directory
            .put_group(&Group {
                id: GroupId::parse(&format!("bench-{g}")).expect("id"),
                name: format!("Bench {g}"),
                distribution: chatdesk::domain::Distribution::Pull,
                hand_off: Default::default(),
                business_hours: None,
                offline: Default::default(),
                texts: Default::default(),
            })
            .await
            .expect("group");
    }
    let mut agent_tokens = Vec::new();
    for a in 0..agents {
        let agent = Agent {
            id: AgentId::parse(&format!("agent-{a}")).expect("id"),
            username: format!("agent-{a}"),
            display_name: format!("Agent {a}"),
            role: Role::Agent,
            groups: vec![GroupId::parse(&format!("bench-{}", a / agents_per_group)).expect("id")],
            available: true,
            max_concurrent_chats: CHATS_PER_AGENT as u32,
            session_epoch: chatdesk::app::new_session_epoch(),
            deactivated_at: None,
        };
        stores.directory.put_agent(&agent).await.expect("agent");
        agent_tokens.push(
            app.tokens
                .issue_agent(&agent, app.clock.now())
                .expect("token"),
        );
    }
    let api = Api::new(&base);
    // Each agent has one socket, as a console does: it shows the group's live list, which holds
    // every chat of the group (the rows of its messages reach it gathered, at most one frame a
    // second), and watches each of the agent's chats.
    let mut plan = Plan {
        messages,
        think_ms,
        agents: agent_tokens
            .iter()
            .enumerate()
            .map(|(a, t)| AgentPlan {
                url: format!("ws://{addr}/ws?token={t}"),
                first_frames: vec![json!({"action":"watch_list","list":{"view":"group","group_id":format!("bench-{}", a / agents_per_group),"inactive":false}}).to_string()],
            })
            .collect(),
        chats: Vec::new(),
        send_template: SEND_TEMPLATE.into(),
    };
    for i in 0..chats {
        let agent = i / CHATS_PER_AGENT;
        let group = agent / agents_per_group;
        let (chat, customer_token) = api
            .start_chat(
                &format!("bench-{group}"),
                &format!("Customer {i}"),
                "Benchmark question",
            )
            .await;
        let (status, out) = api
            .action("pull", &agent_tokens[agent], json!({"chat_ids":[chat]}))
            .await;
        assert!(status == 200 && out["succeeded"] == 1, "pull failed: {out}");
        plan.agents[agent]
            .first_frames
            .push(json!({"action":"watch","chat_id":chat}).to_string());
        plan.chats.push(ChatPlan {
            chat_id: chat,
            customer_url: format!("ws://{addr}/ws?token={customer_token}"),
            agent,
        });
    }
    let mut clients = Clients::start(&plan).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    counting.reset();
    perf_control("enable");
    let (lat, wall, cpu) = clients.run().await;
    perf_control("disable");
    let calls = counting.snapshot();
    // The clients close their sockets; then a clean stop: every socket runs its `$disconnect`
    // cleanup before the runtime goes.
    clients.finish().await;
    let _ = stop.send(());
    let _ = serving.await;
    (figures(lat, wall, cpu), calls)
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if args.clients {
        run_clients().await;
        return;
    }
    chatdesk_server::telemetry::init();
    raise_open_files_limit();
    println!(
        "realtime benchmark: {} chats x {} messages, {} ms between a chat's messages, a WebSocket per customer and per agent ({CHATS_PER_AGENT} chats each), clients in a second process, {} cores",
        args.chats,
        args.messages,
        args.think_ms,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let rounds = args.rounds.max(1);
    let mut bases = Vec::new();
    let mut products = Vec::new();
    let mut ratios = Vec::new();
    let mut per_msg_calls = Vec::new();
    let mut last_calls = std::collections::BTreeMap::new();
    for _ in 0..rounds {
        let base = baseline(args.chats, args.messages, args.think_ms).await;
        let (product, calls) = chatdesk(
            args.chats,
            args.messages,
            args.think_ms,
            args.agents_per_group,
        )
        .await;
        ratios.push(product.per_sec / base.per_sec);
        per_msg_calls.push(calls.values().sum::<u64>() as f64 / product.count.max(1) as f64);
        last_calls = calls;
        bases.push(base);
        products.push(product);
    }
    let agents = args.chats.div_ceil(CHATS_PER_AGENT);
    let groups = agents.div_ceil(args.agents_per_group);
    println!(
        "{agents} agents in {groups} groups of up to {}, each showing the group's live list (message rows gathered to at most one frame a second per console)",
        args.agents_per_group
    );
    println!();
    println!("| run | messages | messages/s | p50 ms | p99 ms | store calls/msg | server CPU us/msg | clients CPU us/msg |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    if rounds > 1 {
        for (i, (base, product)) in bases.iter().zip(&products).enumerate() {
            println!(
                "| round {} relay / chatdesk | {} / {} | {:.0} / {:.0} | {:.2} / {:.2} | {:.2} / {:.2} | {:.1} | {:.1} / {:.1} | {:.1} / {:.1} |",
                i + 1,
                base.count,
                product.count,
                base.per_sec,
                product.per_sec,
                base.p50,
                product.p50,
                base.p99,
                product.p99,
                per_msg_calls[i],
                base.server_cpu_us,
                product.server_cpu_us,
                base.clients_cpu_us,
                product.clients_cpu_us
            );
        }
    }
    let base = Figures::median(&bases);
    let product = Figures::median(&products);
    let per_msg = median(per_msg_calls);
    let what = if rounds > 1 { ", median of rounds" } else { "" };
    println!(
        "| plain WebSocket relay (baseline){what} | {} | {:.0} | {:.2} | {:.2} | 0 | {:.1} | {:.1} |",
        base.count, base.per_sec, base.p50, base.p99, base.server_cpu_us, base.clients_cpu_us
    );
    println!(
        "| chatdesk local server (SQLite){what} | {} | {:.0} | {:.2} | {:.2} | {:.1} | {:.1} | {:.1} |",
        product.count,
        product.per_sec,
        product.p50,
        product.p99,
        per_msg,
        product.server_cpu_us,
        product.clients_cpu_us
    );
    // The messages/s ratio is the median of each round's own ratio (both runs of a round ran
    // minutes apart at most); the others are ratios of the medians.
    println!(
        "| ratio chatdesk / baseline | | {:.2}x | {:.1}x | {:.1}x | | {:.1}x | {:.1}x |",
        median(ratios),
        product.p50 / base.p50,
        product.p99 / base.p99,
        product.server_cpu_us / base.server_cpu_us,
        product.clients_cpu_us / base.clients_cpu_us
    );
    println!();
    println!(
        "store calls during the message phase, per message{}:",
        if rounds > 1 { " (last round)" } else { "" }
    );
    let count = products.last().map(|p| p.count).unwrap_or(0);
    for (op, n) in last_calls {
        println!("  {op:<20} {:.2}", n as f64 / count.max(1) as f64);
    }
}
