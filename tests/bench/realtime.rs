//! Realtime benchmark: N concurrent chats (one customer and one agent WebSocket each) exchanging
//! messages through the local server, against a plain WebSocket relay on the same machine in
//! the same process, so the ratio shows what the product adds (storage, sequencing, fan-out).
//!
//!     cargo run --profile perf -p chatdesk-tests --bin bench-realtime -- --chats 100
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
use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use chatdesk::domain::{Agent, AgentId, Group, GroupId, Role};
use chatdesk_server::chat_start_limit::ChatStartLimit;
use chatdesk_server::{Config, Server, Stores};
use chatdesk_tests::client::Api;
use chatdesk_tests::counting::CountingStores;

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
}

/// Clients read with a small buffer, like browsers' frames are small (the same for both runs).
async fn connect(url: &str) -> Socket {
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(8 * 1024);
    let (socket, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), false)
        .await
        .expect("connect");
    socket
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Pair {
    chat_id: String,
    customer: Socket,
    agent: Socket,
}

/// Reads frames until one contains `token`; returns false on timeout.
async fn wait_for(sock: &mut Socket, token: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(
        deadline.saturating_duration_since(Instant::now()),
        sock.next(),
    )
    .await
    {
        if let Message::Text(t) = msg {
            if t.contains(token) {
                return true;
            }
        }
    }
    false
}

/// Drives every pair concurrently: each message is sent by one side and timed until the other
/// side receives it. Returns per-message latencies (µs) and the wall time.
/// The pairs come back so their sockets stay open until the caller has read its counters.
async fn drive(
    pairs: Vec<Pair>,
    messages: usize,
    think_ms: u64,
    wrap: fn(&str, &str, &str) -> String,
) -> (Vec<u64>, Duration, Vec<Pair>) {
    let started = Instant::now();
    let count = pairs.len().max(1) as u64;
    let tasks: Vec<_> = pairs
        .into_iter()
        .enumerate()
        .map(|(n, mut p)| {
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
                    let token = format!("tok-{}-{i}-x", p.chat_id);
                    let frame = wrap(&p.chat_id, &format!("c{i}"), &token);
                    let t0 = Instant::now();
                    let (from, to) = if i % 2 == 0 {
                        (&mut p.customer, &mut p.agent)
                    } else {
                        (&mut p.agent, &mut p.customer)
                    };
                    if from.send(Message::Text(frame.into())).await.is_err() {
                        break;
                    }
                    if !wait_for(to, &token).await {
                        eprintln!("message lost in chat {}", p.chat_id);
                        break;
                    }
                    lat.push(t0.elapsed().as_micros() as u64);
                }
                (lat, p)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut kept = Vec::new();
    for t in tasks {
        if let Ok((l, p)) = t.await {
            all.extend(l);
            kept.push(p);
        }
    }
    (all, started.elapsed(), kept)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx] as f64 / 1000.0
}

struct Figures {
    per_sec: f64,
    p50: f64,
    p99: f64,
    count: usize,
}

fn figures(mut lat: Vec<u64>, wall: Duration) -> Figures {
    lat.sort_unstable();
    Figures {
        per_sec: lat.len() as f64 / wall.as_secs_f64(),
        p50: percentile(&lat, 0.50),
        p99: percentile(&lat, 0.99),
        count: lat.len(),
    }
}

// ---------- the baseline: a plain relay ----------

/// Each room's members: an id and the queue of their socket.
type Members = Vec<(u64, mpsc::UnboundedSender<String>)>;

#[derive(Clone, Default)]
struct Rooms(Arc<Mutex<HashMap<String, Members>>>);

async fn relay_ws(
    State(rooms): State<Rooms>,
    Query(q): Query<HashMap<String, String>>,
    ws: WebSocketUpgrade,
) -> Response {
    let room = q.get("room").cloned().unwrap_or_default();
    ws.read_buffer_size(8 * 1024)
        .on_upgrade(move |socket| relay(rooms, room, socket))
}

async fn relay(rooms: Rooms, room: String, socket: WebSocket) {
    let id = rand_id();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    if let Ok(mut r) = rooms.0.lock() {
        r.entry(room.clone()).or_default().push((id, tx));
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
        let peers: Vec<mpsc::UnboundedSender<String>> = rooms
            .0
            .lock()
            .map(|r| {
                r.get(&room)
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

async fn baseline(chats: usize, messages: usize, think_ms: u64) -> Figures {
    let app = axum::Router::new()
        .route("/ws", get(relay_ws))
        .with_state(Rooms::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut pairs = Vec::new();
    for i in 0..chats {
        let url = format!("ws://{addr}/ws?room=r{i}");
        let customer = connect(&url).await;
        let agent = connect(&url).await;
        pairs.push(Pair {
            chat_id: format!("r{i}"),
            customer,
            agent,
        });
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (lat, wall, _pairs) = drive(pairs, messages, think_ms, |chat, cmid, token| {
        json!({"action":"send","chat_id":chat,"client_msg_id":cmid,"body":token}).to_string()
    })
    .await;
    figures(lat, wall)
}

// ---------- chatdesk ----------

const CHATS_PER_AGENT: usize = 5;

async fn chatdesk(
    chats: usize,
    messages: usize,
    think_ms: u64,
    agents_per_group: usize,
) -> (
    Figures,
    std::collections::BTreeMap<&'static str, u64>,
    usize,
    usize,
) {
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
        };
        stores.directory.put_agent(&agent).await.expect("agent");
        agent_tokens.push(
            app.tokens
                .issue_agent(&agent, app.clock.now())
                .expect("token"),
        );
    }
    let api = Api::new(&base);
    let mut agent_sockets = Vec::new();
    for t in &agent_tokens {
        let s = connect(&format!("ws://{addr}/ws?token={t}")).await;
        agent_sockets.push(Some(s));
    }
    let mut pairs = Vec::new();
    let mut by_agent: Vec<Vec<(String, Socket)>> = (0..agents).map(|_| Vec::new()).collect();
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
        let customer = connect(&format!("ws://{addr}/ws?token={customer_token}")).await;
        by_agent[agent].push((chat, customer));
    }
    // Each agent keeps a console open on the group's live list, which holds every chat of the
    // group: the rows of its messages reach it gathered, at most one frame a second. It is
    // drained in the background like a browser would. Each chat gets its own agent socket (the
    // agent's chat tab) so that pairs are timed independently.
    for (agent, sock) in agent_sockets.iter_mut().enumerate() {
        if let Some(mut s) = sock.take() {
            let list = json!({"action":"watch_list","list":{"view":"group","group_id":format!("bench-{}", agent / agents_per_group),"inactive":false}});
            s.send(Message::Text(list.to_string().into()))
                .await
                .expect("watch_list");
            tokio::spawn(async move { while let Some(Ok(_)) = s.next().await {} });
        }
    }
    for (agent, list) in by_agent.into_iter().enumerate() {
        for (chat, customer) in list {
            let mut agent_sock =
                connect(&format!("ws://{addr}/ws?token={}", agent_tokens[agent])).await;
            agent_sock
                .send(Message::Text(
                    json!({"action":"watch","chat_id":chat}).to_string().into(),
                ))
                .await
                .expect("watch");
            pairs.push(Pair {
                chat_id: chat,
                customer,
                agent: agent_sock,
            });
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    counting.reset();
    let (lat, wall, pairs) = drive(pairs, messages, think_ms, |chat, cmid, token| {
        json!({"action":"send","chat_id":chat,"client_msg_id":cmid,"body":token}).to_string()
    })
    .await;
    let calls = counting.snapshot();
    drop(pairs);
    // A clean stop: every socket runs its `$disconnect` cleanup before the runtime goes.
    let _ = stop.send(());
    let _ = serving.await;
    (figures(lat, wall), calls, agents, groups)
}

#[tokio::main]
async fn main() {
    chatdesk_server::telemetry::init();
    let args = Args::parse();
    println!(
        "realtime benchmark: {} chats x {} messages, {} ms between a chat's messages, 2 WebSocket clients per chat, one process, {} cores",
        args.chats,
        args.messages,
        args.think_ms,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let base = baseline(args.chats, args.messages, args.think_ms).await;
    let (product, calls, agents, groups) = chatdesk(
        args.chats,
        args.messages,
        args.think_ms,
        args.agents_per_group,
    )
    .await;
    let per_msg = calls.values().sum::<u64>() as f64 / product.count.max(1) as f64;
    println!(
        "{agents} agents in {groups} groups of up to {}, each showing the group's live list (message rows gathered to at most one frame a second per console)",
        args.agents_per_group
    );
    println!();
    println!("| run | messages | messages/s | p50 ms | p99 ms | store calls/msg |");
    println!("|---|---:|---:|---:|---:|---:|");
    println!(
        "| plain WebSocket relay (baseline) | {} | {:.0} | {:.2} | {:.2} | 0 |",
        base.count, base.per_sec, base.p50, base.p99
    );
    println!(
        "| chatdesk local server (SQLite) | {} | {:.0} | {:.2} | {:.2} | {:.1} |",
        product.count, product.per_sec, product.p50, product.p99, per_msg
    );
    println!(
        "| ratio chatdesk / baseline | | {:.2}x | {:.1}x | {:.1}x | |",
        product.per_sec / base.per_sec,
        product.p50 / base.p50,
        product.p99 / base.p99
    );
    println!();
    println!("store calls during the message phase, per message:");
    for (op, n) in calls {
        println!("  {op:<20} {:.2}", n as f64 / product.count.max(1) as f64);
    }
}
