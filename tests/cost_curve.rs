//! The cost curve: what a message, a queue change and a whole chat cost in the cloud as the team
//! online (A agents of the group with the console open) and the queue (Q customers waiting, each
//! with the chat page open) grow. The handlers run in-process over the DynamoDB store as the
//! functions would (`chatdesk_tests::lambda_costs`); capacity is the adapter's, by AWS's rules.
//! Prints the table of docs/performance.md ("The cost curve"; run with --nocapture) and asserts
//! its bounds, so a change that makes the cost grow with A or Q fails here:
//! - a message costs 2 DynamoDB calls and 2 posts (the event to both sides) whatever A; its list
//!   rows come from the table's stream: per batch of messages, one read of the group's
//!   subscribers and one post per console that shows a list holding a chat of the batch;
//! - a queue change posts at most `MOST_TOLD_PER_CHANGE` queue positions, one row to each console
//!   of the group and the event, and makes a bounded number of calls, whatever Q;
//! - a whole chat grows with A only by the pushes that keep the queue badge and My Active count
//!   live (3 per agent online: started, taken, ended).

use std::sync::Arc;

use chatdesk::app::{AgentProfile, App};
use chatdesk::domain::queue_place::MOST_TOLD_PER_CHANGE;
use chatdesk::domain::{numbering, rules, ChatId, ClientMessageId, GroupId, Role};
use chatdesk::dynamodb::{DynamoStore, MetricsSnapshot};
use chatdesk::ports::{Clock, ManualClock, SystemClock};
use chatdesk::realtime::Fanout;
use chatdesk_tests::client::Api;
use chatdesk_tests::dynamo_endpoint::fresh_stores;
use chatdesk_tests::dynamo_json::{all_items, item_from_json, item_to_json, put_items};
use chatdesk_tests::lambda_costs::{
    counting_fan_out, rest, whole_chat, ws, ws_connect, CountingPoster, WsConn,
};
use chatdesk_tests::server::{spawn_server_with, without_hand_off_sweep};
use chatdesk_tests::table_stream::TableStream;
use serde_json::json;

/// AWS's published us-east-1 prices (2026), as in docs/deploy.md: Lambda requests and arm64
/// compute (25 ms at 256 MB assumed per invocation), API Gateway WebSocket messages (each frame
/// in or out), DynamoDB on-demand request units.
fn dollars(row: &Row) -> f64 {
    let lambda = f64::from(row.invocations) * (0.20 + 0.025 * 0.25 * 13.3334) / 1e6;
    let websocket = (row.frames_in + row.posts) as f64 * 1.00 / 1e6;
    let dynamodb = (row.write * 0.625 + row.read * 0.125) / 1e6;
    lambda + websocket + dynamodb
}

struct Row {
    what: String,
    agents: usize,
    queued: usize,
    invocations: u32,
    frames_in: usize,
    calls: u64,
    read: f64,
    write: f64,
    posts: usize,
}

impl Row {
    fn new(
        what: &str,
        agents: usize,
        queued: usize,
        invocations: u32,
        frames_in: usize,
        m: &MetricsSnapshot,
        posts: usize,
    ) -> Row {
        Row {
            what: what.to_owned(),
            agents,
            queued,
            invocations,
            frames_in,
            calls: m.calls(),
            read: m.read_units(),
            write: m.write_units(),
            posts,
        }
    }
}

/// Colleagues of the group with the console open: agents of Support, each connected once.
async fn colleagues(app: &App, fanout: &Fanout, how_many: usize, prefix: &str) -> Vec<WsConn> {
    let mut connections = Vec::new();
    for i in 0..how_many {
        let saved = app
            .save_agent(
                AgentProfile {
                    username: format!("{prefix}{i}"),
                    display_name: format!("Colleague {i}"),
                    role: Role::Agent,
                    groups: vec![GroupId::parse("support").unwrap()],
                    max_concurrent_chats: 100,
                },
                None,
            )
            .await
            .unwrap();
        let token = app
            .tokens
            .issue_agent(&saved.agent, app.clock.now())
            .unwrap();
        let connection = format!("{prefix}{i}=");
        connections.push(ws_connect(app, fanout, &connection, &token).await);
    }
    connections
}

fn reset(store: &DynamoStore, poster: &CountingPoster) {
    store.reset_metrics();
    poster.0.lock().unwrap().clear();
}

fn posts(poster: &CountingPoster) -> Vec<(String, String)> {
    poster.0.lock().unwrap().clone()
}

/// Per message and per whole chat, with A agents of the group online.
async fn team_rows(agents: usize, rows: &mut Vec<Row>) {
    eprintln!("team rows, {agents} agents online");
    let (stores, store) = fresh_stores().await;
    let server = spawn_server_with(stores, |c| {
        c.suggestions = true;
        without_hand_off_sweep(c);
    })
    .await;
    let (mut app, fanout, poster) = counting_fan_out(&server);
    // Frames seconds apart: each opens a new rate-limit window (see tests/message_cost.rs).
    app.settings.rate_limit = chatdesk::ports::RateLimit {
        limit: 30,
        window_ms: 1,
    };
    let alice = Api::new(&server.base_url).login("alice").await;
    let agent = ws_connect(&app, &fanout, "agent=", &alice).await;
    let others = colleagues(&app, &fanout, agents - 1, "mate").await;
    rest(&app, "GET", "/api/suggestions?q=warm%20up", None, None).await;

    // A whole chat; the colleagues show something else than a list holding it.
    let mut stream = TableStream::open(&store).await;
    let whole = whole_chat(&app, &fanout, &store, &poster, &alice, &agent, &mut stream).await;
    let frames_in = 66;
    rows.push(Row::new(
        "whole chat",
        agents,
        0,
        whole.invocations,
        frames_in,
        &whole.metrics,
        whole.posted.len(),
    ));
    // The chat's own pushes do not change with A; each colleague adds the list changes only.
    let to_colleagues = whole
        .posted
        .iter()
        .filter(|(c, _)| others.iter().any(|o| &o.id == c))
        .count();
    assert_eq!(
        to_colleagues,
        3 * others.len(),
        "per colleague: started, taken, ended"
    );

    // One customer message in an active chat of alice's, with the clock standing still so the
    // frame falls in an open rate-limit window, as the frames of a conversation do.
    let mut app = app.clone();
    app.clock = Arc::new(ManualClock::new(SystemClock.now()));
    app.settings.rate_limit = chatdesk::ports::RateLimit::default();
    let started = rest(
        &app,
        "POST",
        "/api/chats",
        None,
        Some(json!({"group_id":"support","name":"Bo","question":"Hello"})),
    )
    .await;
    let chat = started["chat"]["id"].as_str().unwrap().to_owned();
    let customer = started["token"].as_str().unwrap().to_owned();
    rest(
        &app,
        "POST",
        "/api/actions/pull",
        Some(&alice),
        Some(json!({ "chat_ids": [chat] })),
    )
    .await;
    let cust2 = ws_connect(&app, &fanout, "cust2=", &customer).await;
    let watch = json!({"action":"watch","chat_id":chat});
    ws(&app, &fanout, "watch", &agent, Some(watch)).await;
    let send = |id: &str| {
        Some(
            json!({"action":"send","chat_id":chat,"client_msg_id":id,"body":"A message of a few words"}),
        )
    };
    ws(&app, &fanout, "send", &cust2, send("warm")).await;

    stream.deliver(&fanout).await;

    reset(&store, &poster);
    ws(&app, &fanout, "send", &cust2, send("m1")).await;
    let idle = posts(&poster);
    let idle_metrics = store.metrics();
    rows.push(Row::new(
        "message (ws-send)",
        agents,
        0,
        1,
        1,
        &idle_metrics,
        idle.len(),
    ));
    assert_eq!(
        idle.len(),
        2,
        "the event to both sides, whatever A: {idle:?}"
    );
    assert_eq!(idle_metrics.calls(), 2, "read the chat, commit");
    reset(&store, &poster);
    let delivered = stream.deliver(&fanout).await;
    let quiet = posts(&poster);
    rows.push(Row::new(
        "its list rows (list-rows), colleagues on other screens",
        agents,
        0,
        delivered.invocations,
        0,
        &store.metrics(),
        quiet.len(),
    ));
    assert!(quiet.is_empty(), "nobody shows a list: {quiet:?}");
    assert_eq!(store.metrics().calls(), 1, "the group's subscribers");

    // The colleagues now all show Support's live list, which holds the chat. A burst of 5
    // messages falls in one stream batch.
    for c in &others {
        let list = json!({"action":"watch_list","list":{"view":"group","group_id":"support","inactive":false}});
        ws(&app, &fanout, "watch_list", c, Some(list)).await;
    }
    stream.deliver(&fanout).await;
    reset(&store, &poster);
    for i in 0..5 {
        ws(&app, &fanout, "send", &cust2, send(&format!("m2-{i}"))).await;
    }
    let burst = posts(&poster);
    assert_eq!(burst.len(), 2 * 5, "events only, whatever A: {burst:?}");
    reset(&store, &poster);
    let delivered = stream.deliver(&fanout).await;
    let watching = posts(&poster);
    let watching_metrics = store.metrics();
    rows.push(Row::new(
        "list rows of 5 messages in one batch, colleagues showing a list holding the chat",
        agents,
        0,
        delivered.invocations,
        0,
        &watching_metrics,
        watching.len(),
    ));
    assert_eq!(delivered.invocations, 1);
    assert_eq!(
        watching.len(),
        others.len(),
        "one frame per console showing the list: {watching:?}"
    );
    assert!(watching.iter().all(|(_, kind)| kind == "chat_rows"));
    assert_eq!(watching_metrics.calls(), 1, "the group's subscribers");
}

/// Per queue change, with Q customers waiting (each with the chat page open) and 10 agents
/// online.
async fn queue_rows(rows: &mut Vec<Row>) {
    const AGENTS: usize = 10;
    let (stores, store) = fresh_stores().await;
    let server = spawn_server_with(stores, without_hand_off_sweep).await;
    let (app, fanout, poster) = counting_fan_out(&server);
    let agents = colleagues(&app, &fanout, AGENTS, "desk").await;
    let puller = server
        .app
        .directory
        .get_agent(&chatdesk::domain::AgentId::parse("desk0").unwrap())
        .await
        .unwrap()
        .unwrap();
    let puller = app.tokens.issue_agent(&puller, app.clock.now()).unwrap();
    let support = server
        .stores
        .directory
        .list_groups()
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.id.as_str() == "support")
        .unwrap();
    let mut queued = Vec::new();
    // The last waiting chat written through the product's code, with its customer's connection.
    let mut last_written: Option<(String, String)> = None;
    for target in [10usize, 100, 1000] {
        // Past 100 the waiting chats are copies of the last one written below: its items (the
        // chat, its events and client id, the customer's connection, slot and subscription) with
        // the chat's and the connection's ids replaced, written with BatchWriteItem. Written one
        // transaction each, 1,000 chats would take the emulator many minutes and gigabytes: moto
        // copies the whole table, stream included, for every transaction.
        if target > 100 {
            if let Some((chat, connection)) = &last_written {
                let copies = target - queued.len();
                for id in clone_waiting_chats(&store, chat, connection, copies).await {
                    queued.push(id);
                }
            }
        }
        // The waiting chats are written straight to the store (a start's own fan-out is not
        // what is measured here), each with the customer's page connected.
        while queued.len() < target {
            let at = app.clock.now().plus_millis(queued.len() as i64);
            let new = rules::start_chat(
                ChatId::generate(),
                &support,
                "Waiting",
                None,
                "Anyone?",
                ClientMessageId::generate(),
                at,
            )
            .unwrap();
            let events = numbering::opening_events(&new.chat.id, new.events, at);
            server
                .stores
                .chats
                .create_chat(&new.chat, &events)
                .await
                .unwrap();
            let token = app.tokens.issue_customer(&new.chat.id, at).unwrap();
            let connection = format!("q{}=", queued.len());
            ws_connect(&app, &fanout, &connection, &token).await;
            last_written = Some((new.chat.id.to_string(), connection));
            queued.push(new.chat.id.to_string());
        }
        eprintln!("queue of {target}");
        // One more customer joins at the back.
        reset(&store, &poster);
        let joined = rest(
            &app,
            "POST",
            "/api/chats",
            None,
            Some(json!({"group_id":"support","name":"Late","question":"Anyone?"})),
        )
        .await;
        let joined_posts = posts(&poster);
        rows.push(Row::new(
            "queue: a chat joins at the back",
            AGENTS,
            target,
            1,
            0,
            &store.metrics(),
            joined_posts.len(),
        ));
        assert!(
            joined_posts
                .iter()
                .all(|(_, kind)| kind != "queue_position"),
            "nobody ahead of a chat at the back moves: {joined_posts:?}"
        );
        queued.push(joined["chat"]["id"].as_str().unwrap().to_owned());
        // Its own place is counted from the keys ahead, up to the last place a page tells apart.
        let join_reads = rows.last().map_or(0.0, |r| r.read);
        assert!(
            join_reads <= 12.0,
            "{join_reads} read units to join a queue of {target}"
        );

        // The longest-waiting customer is pulled: everyone behind moves up one place.
        reset(&store, &poster);
        let front = queued.remove(0);
        rest(
            &app,
            "POST",
            "/api/actions/pull",
            Some(&puller),
            Some(json!({ "chat_ids": [front] })),
        )
        .await;
        let pulled = posts(&poster);
        let metrics = store.metrics();
        rows.push(Row::new(
            "queue: the front chat is pulled",
            AGENTS,
            target,
            1,
            0,
            &metrics,
            pulled.len(),
        ));
        let told = pulled
            .iter()
            .filter(|(_, kind)| kind == "queue_position")
            .count();
        assert!(
            told <= MOST_TOLD_PER_CHANGE,
            "{told} positions with {target} waiting"
        );
        let rows_to_agents = pulled
            .iter()
            .filter(|(c, kind)| agents.iter().any(|a| &a.id == c) && kind == "chat_changed")
            .count();
        assert_eq!(rows_to_agents, AGENTS, "the queue badge of every console");
        // Each customer told costs one subscriber lookup; the rest does not depend on Q.
        assert!(
            metrics.calls() <= 12 + MOST_TOLD_PER_CHANGE as u64,
            "{} calls with {target} waiting",
            metrics.calls()
        );
    }
}

/// `copies` more waiting chats like `chat` (each with its customer's page connected like
/// `connection`), written with BatchWriteItem; their ids, in the order written.
async fn clone_waiting_chats(
    store: &DynamoStore,
    chat: &str,
    connection: &str,
    copies: usize,
) -> Vec<String> {
    let originals: Vec<String> = all_items(store.client(), store.table())
        .await
        .iter()
        .map(|item| item_to_json(item).to_string())
        .filter(|text| text.contains(chat) || text.contains(connection))
        .collect();
    assert!(
        originals.len() >= 4,
        "the chat's and its connection's items: {originals:?}"
    );
    let mut ids = Vec::with_capacity(copies);
    let mut items = Vec::new();
    for i in 0..copies {
        let id = ChatId::generate().to_string();
        let copy_connection = format!("copy{i}=");
        for text in &originals {
            let text = text
                .replace(chat, &id)
                .replace(connection, &copy_connection);
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            items.push(item_from_json(&value).unwrap());
        }
        ids.push(id);
    }
    put_items(store.client(), store.table(), items).await;
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cost_grows_with_recipients_only() {
    let mut rows = Vec::new();
    // Each measurement's future (every handler it runs, in a debug build) lives on the heap: on
    // the test thread's stack together they would outgrow it.
    for agents in [1usize, 10, 100] {
        Box::pin(team_rows(agents, &mut rows)).await;
    }
    Box::pin(queue_rows(&mut rows)).await;

    println!("| what | A agents online | Q waiting | Lambda invocations | DynamoDB calls | read units | write units | PostToConnection | $ each | $ per 1,000 |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let each = dollars(r);
        println!(
            "| {} | {} | {} | {} | {} | {:.1} | {:.1} | {} | {:.7} | {:.3} |",
            r.what,
            r.agents,
            r.queued,
            r.invocations,
            r.calls,
            r.read,
            r.write,
            r.posts,
            each,
            each * 1000.0
        );
    }
    // The whole chat at A = 100 costs the A = 1 chat plus the list changes of 99 colleagues.
    let whole: Vec<&Row> = rows.iter().filter(|r| r.what == "whole chat").collect();
    let last = whole.len() - 1;
    let colleagues = whole[last].agents - whole[0].agents;
    assert_eq!(whole[last].posts, whole[0].posts + 3 * colleagues);
    assert_eq!(whole[last].calls, whole[0].calls);
}
