//! What one chat message, and one whole chat, cost in the cloud, for a chat with one customer and
//! one agent: Lambda invocations, DynamoDB calls and capacity, PostToConnection calls. The
//! WebSocket handlers run in-process as the `ws-*` functions would, the REST routes through the
//! same use cases over HTTP, all over the DynamoDB store, with a poster that counts what API
//! Gateway would deliver (`chatdesk_tests::lambda_costs`). Printed (run with --nocapture) and
//! asserted; the figures are the ones in docs/performance.md and docs/deploy.md ("What it costs").

use std::sync::Arc;

use chatdesk::ports::{Clock, ManualClock, SystemClock};
use chatdesk_tests::client::Api;
use chatdesk_tests::dynamo_endpoint::fresh_stores;
use chatdesk_tests::lambda_costs::{
    counting_fan_out, event, rest, whole_chat, ws_connect, WholeChat, WsConn,
};
use chatdesk_tests::server::{spawn_server_with, without_hand_off_sweep};
use chatdesk_tests::table_stream::TableStream;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_message_between_one_customer_and_one_agent() {
    let (stores, store) = fresh_stores().await;
    let server = spawn_server_with(stores, without_hand_off_sweep).await;
    let (mut app, fanout, poster) = counting_fan_out(&server);
    // Frames other than messages are counted in fixed rate-limit windows of wall-clock time; one
    // that happened to open a new window would cost one more call. The clock stands still here,
    // so every frame falls in the window the first one opened, as frames of a conversation do.
    app.clock = Arc::new(ManualClock::new(SystemClock.now()));
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, customer) = api.start_chat("support", "Ann", "Hi").await;
    api.action("pull", &alice, json!({"chat_ids":[chat]})).await;

    // The customer's page and the agent's console, connected; the agent has the chat open.
    let ok = |r: aws_lambda_events::apigw::ApiGatewayProxyResponse| assert_eq!(r.status_code, 200);
    let cust = WsConn::authorized(&app, "cust=", &customer).await;
    let agent = WsConn::authorized(&app, "agent=", &alice).await;
    ok(
        chatdesk::lambda::websocket(&app, &fanout, event("$connect", &cust, None))
            .await
            .unwrap(),
    );
    ok(
        chatdesk::lambda::websocket(&app, &fanout, event("$connect", &agent, None))
            .await
            .unwrap(),
    );
    ok(chatdesk::lambda::websocket(
        &app,
        &fanout,
        event(
            "watch",
            &agent,
            Some(json!({"action":"watch","chat_id":chat})),
        ),
    )
    .await
    .unwrap());
    // A colleague's console shows Support's live list, which holds the chat.
    let carol = api.login("carol").await;
    let colleague = WsConn::authorized(&app, "colleague=", &carol).await;
    ok(
        chatdesk::lambda::websocket(&app, &fanout, event("$connect", &colleague, None))
            .await
            .unwrap(),
    );
    let list = json!({"action":"watch_list","list":{"view":"group","group_id":"support","inactive":false}});
    ok(
        chatdesk::lambda::websocket(&app, &fanout, event("watch_list", &colleague, Some(list)))
            .await
            .unwrap(),
    );
    // A warm container has the group names cached: send one message first.
    let mut stream = TableStream::open(&store).await;
    ok(chatdesk::lambda::websocket(
        &app,
        &fanout,
        event(
            "send",
            &cust,
            Some(json!({"action":"send","chat_id":chat,"client_msg_id":"w","body":"warm"})),
        ),
    )
    .await
    .unwrap());
    // A warm list-rows container too: it has delivered the rows of that message (and cached
    // the group names).
    stream.deliver(&fanout).await;

    println!("| step | Lambda invocations | DynamoDB calls | read units | write units | PostToConnection | DynamoDB calls by operation |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    let print =
        |what: &str, invocations: u32, m: &chatdesk::dynamodb::MetricsSnapshot, posts: usize| {
            let ops: Vec<String> = m
                .operations
                .iter()
                .map(|(k, v)| format!("{k} x{}", v.calls))
                .collect();
            println!(
                "| {what} | {invocations} | {} | {:.1} | {:.1} | {posts} | {} |",
                m.calls(),
                m.read_units(),
                m.write_units(),
                ops.join(", ")
            );
        };
    let mut figures = Vec::new();
    for (who, conn, cmid) in [("customer", &cust, "c1"), ("agent", &agent, "a1")] {
        store.reset_metrics();
        poster.0.lock().unwrap().clear();
        let frame =
            json!({"action":"send","chat_id":chat,"client_msg_id":cmid,"body":"Hello there"});
        ok(
            chatdesk::lambda::websocket(&app, &fanout, event("send", conn, Some(frame)))
                .await
                .unwrap(),
        );
        let m = store.metrics();
        let posts = poster.0.lock().unwrap().clone();
        print(
            &format!("message from the {who} (ws-send)"),
            1,
            &m,
            posts.len(),
        );
        figures.push((who, m.calls(), posts));
    }
    // Customer: read the chat with its subscribers (1 Query: they share its partition) and
    // commit (1, which proves nobody subscribed since the read); a message is not counted
    // against its connection (it is paced in its own commit), its sender comes from the
    // authorizer's context, and its list rows are left to the table's stream. Agent: also their
    // profile (1). Posts: the event to both sides, which is also the sender's acknowledgement;
    // nothing to the colleague's console yet.
    assert_eq!(figures[0].1, 2);
    assert_eq!(figures[1].1, 3);
    for (who, _, posts) in &figures {
        let kinds: Vec<&str> = posts.iter().map(|(_, k)| k.as_str()).collect();
        assert_eq!(posts.len(), 2, "{who}: {kinds:?}");
        assert_eq!(kinds.iter().filter(|k| **k == "event").count(), 2);
    }

    // The stream's batch with both messages: one invocation of list-rows, one read of the
    // group's subscribers, one frame to the console showing the list, with the chat's latest row.
    // What one delivery of the stream cost: (delivered, metrics, "connection frame" posted).
    let mut deliver = async |what: &str| {
        store.reset_metrics();
        poster.0.lock().unwrap().clear();
        let delivered = stream.deliver(&fanout).await;
        let m = store.metrics();
        let posts: Vec<String> = poster
            .0
            .lock()
            .unwrap()
            .iter()
            .map(|(c, k)| format!("{c} {k}"))
            .collect();
        print(what, delivered.invocations, &m, posts.len());
        (delivered, m, posts)
    };
    let (delivered, m, posts) = deliver("their list rows (list-rows, one stream batch)").await;
    assert_eq!(delivered.invocations, 1);
    assert_eq!(m.calls(), 1, "one Query of the group's subscribers");
    assert_eq!(posts, ["colleague= chat_rows"]);

    // Ten messages in a burst fall in one batch: still one read and one frame per console.
    for i in 0..10 {
        let frame =
            json!({"action":"send","chat_id":chat,"client_msg_id":format!("b{i}"),"body":"More"});
        ok(
            chatdesk::lambda::websocket(&app, &fanout, event("send", &cust, Some(frame)))
                .await
                .unwrap(),
        );
    }
    let (delivered, m, posts) = deliver("list rows of 10 messages in one batch").await;
    assert_eq!(delivered.passed, 10);
    assert_eq!(delivered.invocations, 1);
    assert_eq!(m.calls(), 1);
    assert_eq!(posts, ["colleague= chat_rows"]);
}

/// The chat that docs/deploy.md prices "per 1,000 chats": the customer reads suggestions and
/// starts the chat, connects and resumes; the agent (console already open, the group's one agent
/// online) pulls it, watches it, opens it (chat + events), reads its suggestions and reloads two
/// lists; 10 messages each way, each after a typing notice; 24 pings from the customer's page;
/// the agent ends it with a resolution; the customer's page disconnects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_whole_chat_as_the_cost_model_assumes() {
    let (stores, store) = fresh_stores().await;
    let server = spawn_server_with(stores, |c| {
        c.suggestions = true;
        without_hand_off_sweep(c);
    })
    .await;
    let (mut app, fanout, poster) = counting_fan_out(&server);
    // The chat's ten minutes run here in about a second. Spread over ten minutes a client's frames
    // come seconds apart, so nearly every one opens a new rate-limit window (two UpdateItems
    // instead of one): 1 ms windows make every frame do so, as they would.
    app.settings.rate_limit = chatdesk::ports::RateLimit {
        limit: 30,
        window_ms: 1,
    };
    let alice = Api::new(&server.base_url).login("alice").await;
    let agent = ws_connect(&app, &fanout, "agent=", &alice).await;
    // A warm instance: the suggestion index is built and the group names are cached.
    rest(&app, "GET", "/api/suggestions?q=warm%20up", None, None).await;
    store.reset_metrics();
    poster.0.lock().unwrap().clear();

    let mut stream = TableStream::open(&store).await;
    let WholeChat {
        invocations,
        metrics: m,
        posted,
        chat,
    } = whole_chat(&app, &fanout, &store, &poster, &alice, &agent, &mut stream).await;
    let refused: Vec<_> = posted
        .iter()
        .filter(|(_, kind)| kind.starts_with("error"))
        .collect();
    assert!(refused.is_empty(), "frames were refused: {refused:?}");
    let events = rest(
        &app,
        "GET",
        &format!("/api/chats/{chat}/events?after=0"),
        Some(&alice),
        None,
    )
    .await;
    let messages = events
        .as_array()
        .map_or(0, |e| e.iter().filter(|e| e["type"] == "message").count());
    assert_eq!(messages, 21, "the question and the 20 messages were stored");
    let ops: Vec<String> = m
        .operations
        .iter()
        .map(|(k, v)| {
            format!(
                "{k} x{} ({:.1} R / {:.1} W)",
                v.calls, v.read_units, v.write_units
            )
        })
        .collect();
    println!(
        "one whole chat: {invocations} Lambda invocations, {} DynamoDB calls, {:.1} read units, {:.1} write units, {} PostToConnection",
        m.calls(),
        m.read_units(),
        m.write_units(),
        posted.len()
    );
    println!("  by operation: {}", ops.join(", "));
    println!(
        "  DynamoDB per 1,000 chats: ${:.3} (writes ${:.3} + reads ${:.3})",
        1000.0 * (m.write_units() * 0.625 + m.read_units() * 0.125) / 1e6,
        1000.0 * m.write_units() * 0.625 / 1e6,
        1000.0 * m.read_units() * 0.125 / 1e6
    );
    assert!(
        !m.operations.contains_key("Scan"),
        "a Scan on a request path"
    );
    // Measured when docs/deploy.md's figures were written: 284 calls, 135 read and 312 write
    // units (by AWS's rules, index entries included: 20 of the writes are the deadline index's
    // entries of the hand-off timers, one put and one delete per turn of the conversation),
    // 93 posts. About 5% of headroom, so one more call per message or frame fails here.
    assert!(m.calls() <= 298, "DynamoDB calls {}", m.calls());
    assert!(m.read_units() <= 142.0, "read units {}", m.read_units());
    assert!(m.write_units() <= 328.0, "write units {}", m.write_units());
    assert!(
        posted.len() <= 98,
        "PostToConnection calls {}",
        posted.len()
    );
}
