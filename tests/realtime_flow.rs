//! Real WebSocket clients against the local server: the whole life of a chat, live, with
//! nobody refreshing anything. `flow` also runs over the DynamoDB adapter in `cloud_flow.rs`.

use std::sync::Arc;
use std::time::Duration;

use chatdesk::domain::Timestamp;
use chatdesk::ports::{Clock, Connection, ConnectionId, ConnectionOwner, ManualClock, SystemClock};
use chatdesk_server::ServerClock;
use chatdesk_tests::client::{is_ack_of, is_chat_changed, is_event, Api, Ws};
use chatdesk_tests::server::{spawn_server, spawn_server_configured, without_hand_off_sweep};
use serde_json::json;

#[tokio::test]
async fn a_chat_from_start_to_restore_is_live_for_everyone_who_should_see_it() {
    let server = spawn_server().await;
    chatdesk_tests::flows::full_flow(&server).await;
}

#[tokio::test]
async fn reconnect_with_resume_loses_and_duplicates_nothing() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, customer) = api
        .start_chat("support", "Ann", "Where is my invoice?")
        .await;
    let (status, _) = api
        .action("pull", &alice, json!({"chat_ids": [chat]}))
        .await;
    assert_eq!(status, 200);

    let mut cws = Ws::connect(&server.ws_url(&customer)).await.unwrap();
    cws.send(json!({"action":"resume","chat_id":chat,"after_seq":0}))
        .await;
    let resumed = cws.expect("resumed", |f| f["type"] == "resumed").await;
    let last_seen = resumed["last_seq"].as_u64().unwrap();
    cws.close().await;

    // While the customer is away, the agent writes three messages.
    let mut aws = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    for i in 0..3 {
        aws.send(json!({"action":"send","chat_id":chat,"client_msg_id":format!("away-{i}"),"body":format!("message {i}")})).await;
        aws.expect("stored", is_ack_of(&format!("away-{i}"))).await;
    }

    let mut cws = Ws::connect(&server.ws_url(&customer)).await.unwrap();
    cws.send(json!({"action":"resume","chat_id":chat,"after_seq":last_seen}))
        .await;
    let mut bodies = Vec::new();
    let mut seqs = Vec::new();
    loop {
        let f = cws
            .next(Duration::from_secs(5))
            .await
            .expect("frames after resume");
        match f["type"].as_str() {
            Some("event") => {
                seqs.push(f["event"]["seq"].as_u64().unwrap());
                if f["event"]["type"] == "message" {
                    bodies.push(f["event"]["body"].as_str().unwrap().to_owned());
                }
            }
            Some("resumed") => break,
            other => panic!("unexpected frame {other:?}: {f}"),
        }
    }
    assert_eq!(bodies, vec!["message 0", "message 1", "message 2"]);
    let expected: Vec<u64> = (last_seen + 1..=last_seen + 3).collect();
    assert_eq!(seqs, expected, "in order, once, nothing older");

    // Resending the last message (a retry after a lost ack) stores nothing new.
    aws.send(json!({"action":"send","chat_id":chat,"client_msg_id":"away-2","body":"message 2"}))
        .await;
    let ack = aws
        .expect("duplicate ack", |f| {
            f["type"] == "ack" && f["duplicate"] == true
        })
        .await;
    assert_eq!(ack["seq"].as_u64(), Some(last_seen + 3));
    cws.expect_none("repeated event", Duration::from_millis(300), |f| {
        f["type"] == "event"
    })
    .await;
}

/// An agent's frames about different chats are handled side by side, and those about one chat
/// in the order sent: messages sent without waiting for their acks are stored in that order.
#[tokio::test]
async fn messages_sent_without_waiting_keep_their_order_in_each_chat() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (first, _) = api.start_chat("support", "Ann", "Hi").await;
    let (second, _) = api.start_chat("support", "Bob", "Hello").await;
    let (status, _) = api
        .action("pull", &alice, json!({"chat_ids": [first, second]}))
        .await;
    assert_eq!(status, 200);

    let mut aws = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    for i in 0..12 {
        let chat = if i % 3 == 0 { &second } else { &first };
        aws.send(json!({"action":"send","chat_id":chat,"client_msg_id":format!("m{i}"),"body":format!("message {i}")}))
            .await;
    }
    for i in 0..12 {
        aws.expect("stored", is_ack_of(&format!("m{i}"))).await;
    }
    for (chat, sent) in [
        (&first, [1, 2, 4, 5, 7, 8, 10, 11].as_slice()),
        (&second, &[0, 3, 6, 9]),
    ] {
        let (status, events) = api.get(&format!("/api/chats/{chat}/events"), &alice).await;
        assert_eq!(status, 200, "{events}");
        let bodies: Vec<&str> = events
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["type"] == "message" && e["author"]["kind"] != "customer")
            .filter_map(|e| e["body"].as_str())
            .collect();
        let expected: Vec<String> = sent.iter().map(|i| format!("message {i}")).collect();
        assert_eq!(bodies, expected, "{events}");
    }
}

#[tokio::test]
async fn a_client_that_vanished_is_removed_at_the_next_fan_out() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let mut aws = Ws::connect(&server.ws_url(&alice)).await.unwrap();

    // A connection whose socket died without a `$disconnect` (as when a phone loses its network).
    let ghost = ConnectionId::parse("ghost-connection=").unwrap();
    server
        .stores
        .connections
        .put_connection(
            &Connection {
                id: ghost.clone(),
                owner: ConnectionOwner::Agent {
                    agent_id: chatdesk::domain::AgentId::parse("alice").unwrap(),
                    groups: vec![chatdesk::domain::GroupId::parse("support").unwrap()],
                    session: None,
                },
                connected_at: Timestamp(0),
                expires_at: Timestamp(i64::MAX / 2),
            },
            10,
        )
        .await
        .unwrap();
    assert!(server
        .stores
        .connections
        .get_connection(&ghost)
        .await
        .unwrap()
        .is_some());

    let (chat, _) = api.start_chat("support", "Ann", "Hello?").await;
    // The live connection still gets the news...
    aws.expect("queued chat", is_chat_changed(&chat, "started"))
        .await;
    // ...and the ghost is gone from the store (the live frame can arrive a moment before the
    // fan-out has finished removing it).
    let connections = server.stores.connections.clone();
    let removed = chatdesk_tests::server::eventually(|| {
        let (connections, ghost) = (connections.clone(), ghost.clone());
        async move { connections.get_connection(&ghost).await.unwrap().is_none() }
    })
    .await;
    assert!(removed);
    let subscribers = server
        .stores
        .connections
        .group_subscribers(&chatdesk::domain::GroupId::parse("support").unwrap())
        .await
        .unwrap();
    assert!(!subscribers.iter().any(|s| s.connection == ghost));
    assert_eq!(subscribers.len(), 1, "only alice's live connection remains");
}

#[tokio::test]
async fn typing_is_pushed_to_the_other_side_and_not_stored() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, customer) = api.start_chat("support", "Ann", "Hi").await;
    api.action("pull", &alice, json!({"chat_ids": [chat]}))
        .await;
    let mut aws = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    aws.watch_chat(&chat).await;
    let mut cws = Ws::connect(&server.ws_url(&customer)).await.unwrap();
    cws.send(json!({"action":"typing","chat_id":chat,"typing":true}))
        .await;
    let t = aws.expect("typing", |f| f["type"] == "typing").await;
    assert_eq!(t["from"], "customer");
    assert_eq!(t["name"], "Ann");
    aws.send(json!({"action":"typing","chat_id":chat,"typing":true}))
        .await;
    let t = cws.expect("typing", |f| f["type"] == "typing").await;
    assert_eq!(t["from"], "agent");
    assert_eq!(t["name"], "Alice");
    let (_, events) = api.get(&format!("/api/chats/{chat}/events"), &alice).await;
    assert!(events
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["type"] != "typing"));
}

#[tokio::test]
async fn bad_tokens_are_refused_at_connect_and_bad_frames_get_errors() {
    let server = spawn_server().await;
    assert!(Ws::connect(&server.ws_url("not-a-token")).await.is_err());
    assert!(Ws::connect(&format!("ws://{}/ws", server.addr))
        .await
        .is_err());

    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let mut ws = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    ws.send_raw("not json".into()).await;
    let e = ws.expect("error", |f| f["type"] == "error").await;
    assert_eq!(e["error"], "invalid_json");
    ws.send(json!({"action":"dance"})).await;
    let e = ws.expect("error", |f| f["type"] == "error").await;
    assert_eq!(e["error"], "unknown_action");
    ws.send(json!({"action":"send","chat_id":"nope"})).await;
    let e = ws.expect("error", |f| f["type"] == "error").await;
    assert_eq!(e["error"], "invalid_input");
    ws.send(json!({"action":"ping"})).await;
    ws.expect("pong", |f| f["type"] == "pong").await;
}

/// The status and JSON body of a refused handshake.
async fn refused_handshake(url: &str) -> (u16, serde_json::Value) {
    match tokio_tungstenite::connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            let body = resp
                .body()
                .as_deref()
                .and_then(|b| serde_json::from_slice(b).ok())
                .unwrap_or(serde_json::Value::Null);
            (resp.status().as_u16(), body)
        }
        Err(other) => panic!("refused without an HTTP answer: {other}"),
        Ok(_) => panic!("the handshake was accepted"),
    }
}

/// The local gateway runs the `$connect` authorizer on the upgrade as API Gateway does: a token
/// it denies never opens a socket (with the answer a bad token always got here), and the
/// principal it returns is who every frame of the socket comes from.
#[tokio::test]
async fn the_local_gateway_authorizes_the_upgrade_and_frames_carry_its_principal() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let bob = api.login("bob").await;
    let (chat, customer) = chat_taken_by(&api, &alice).await;

    let (status, body) = refused_handshake(&server.ws_url("not-a-token")).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "unauthorized", "{body}");
    assert!(body["message"].is_string(), "{body}");

    // Bob's session is revoked in the store alone (no socket of his is open to close): the
    // authorizer refuses his token at the handshake.
    server
        .stores
        .directory
        .set_session_epoch(
            &chatdesk::domain::AgentId::parse("bob").unwrap(),
            chatdesk::app::new_session_epoch(),
        )
        .await
        .unwrap();
    let (status, body) = refused_handshake(&server.ws_url(&bob)).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "unauthorized", "{body}");

    // Each side's frames are its own: the customer's message is the customer's, the agent's
    // typing the agent's.
    let mut cws = Ws::connect(&server.ws_url(&customer)).await.unwrap();
    let mut aws = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    aws.send(json!({"action":"resume","chat_id":chat,"after_seq":0}))
        .await;
    aws.expect("resumed", |f| f["type"] == "resumed").await;
    cws.send(json!({"action":"send","chat_id":chat,"client_msg_id":"c1","body":"Hello"}))
        .await;
    cws.expect("stored", is_ack_of("c1")).await;
    let event = aws
        .expect("the customer's message", |f| {
            is_event(&chat, "message")(f) && f["event"]["client_msg_id"] == "c1"
        })
        .await;
    assert_eq!(event["event"]["author"]["kind"], "customer", "{event}");
    aws.send(json!({"action":"typing","chat_id":chat,"typing":true}))
        .await;
    let typing = cws
        .expect("the agent typing", |f| f["type"] == "typing")
        .await;
    assert_eq!(typing["from"], "agent", "{typing}");
}

#[tokio::test]
async fn the_local_connections_api_behaves_like_api_gateway() {
    let server = spawn_server().await;
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{}/@connections/unknown=", server.gateway_url))
        .body("hi")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 410);
    assert_eq!(
        resp.headers()["x-amzn-errortype"],
        "GoneException",
        "what the AWS SDK maps to GoneException"
    );

    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let mut ws = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    let conns = server
        .stores
        .connections
        .group_subscribers(&chatdesk::domain::GroupId::parse("support").unwrap())
        .await
        .unwrap();
    let id = conns[0].connection.to_string();
    let resp = http
        .post(format!("{}/@connections/{}", server.gateway_url, id))
        .body(r#"{"type":"hello"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    ws.expect("posted frame", |f| f["type"] == "hello").await;
    let resp = http
        .get(format!("{}/@connections/{}", server.gateway_url, id))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let info: serde_json::Value = resp.json().await.unwrap();
    assert!(info["ConnectedAt"].as_str().unwrap().contains('T'));
    let resp = http
        .delete(format!("{}/@connections/{}", server.gateway_url, id))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 204);
    assert!(
        ws.next(Duration::from_secs(2)).await.is_none(),
        "socket closed"
    );
    let _ = is_event("x", "y");
}

#[tokio::test]
async fn in_an_automatic_group_the_agent_gets_the_chat_live_without_pulling() {
    use chatdesk::domain::{AgentId, Distribution, Group, GroupId};
    let server = spawn_server().await;
    // Support hands its chats out; of its members only Alice is on duty.
    let directory = &server.stores.directory;
    directory
        .put_group(&Group {
            id: GroupId::parse("support").unwrap(),
            name: "Customer Support".into(),
            distribution: Distribution::Automatic,
            hand_off: Default::default(),
            business_hours: None,
            offline: Default::default(),
            texts: Default::default(),
        })
        .await
        .unwrap();
    for name in ["admin", "manager", "carol"] {
        let id = AgentId::parse(name).unwrap();
        let mut agent = directory.get_agent(&id).await.unwrap().unwrap();
        agent.available = false;
        directory.put_agent(&agent).await.unwrap();
    }
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let mut console = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    // Let the connection's group subscriptions be recorded before the chat starts.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let (chat, customer) = api.start_chat("support", "Ann", "My site is down").await;
    let changed = console
        .expect("handed to Alice", is_chat_changed(&chat, "assigned"))
        .await;
    assert_eq!(changed["chat"]["agent_id"], "alice");
    assert_eq!(changed["chat"]["state"], "active");
    let mine = api.list(&alice, "view=my_active").await;
    assert!(
        mine.iter().any(|c| c["id"] == chat.as_str()),
        "in My Active without a pull: {mine:?}"
    );

    // The customer is already talking to Alice; the transcript says how she got the chat.
    let (_, view) = api.get(&format!("/api/chats/{chat}"), &customer).await;
    assert_eq!(view["state"], "active");
    assert_eq!(view["agent_name"], "Alice");
    let mut cws = Ws::connect(&server.ws_url(&customer)).await.unwrap();
    cws.send(json!({"action":"resume","chat_id":chat,"after_seq":0}))
        .await;
    let assigned = cws
        .expect("the assignment", is_event(&chat, "assigned"))
        .await;
    assert_eq!(assigned["event"]["by"]["kind"], "automatic");
}

/// Queue positions go only to the customers whose place changed: one joining at the back moves
/// nobody, one leaving moves only those behind it.
#[tokio::test]
async fn only_customers_whose_place_changed_are_told_their_position() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let mut waiting = Vec::new();
    for name in ["Ann", "Ben", "Cid"] {
        let (chat, token) = api
            .start_chat("support", name, "How long is the wait?")
            .await;
        let mut ws = Ws::connect(&server.ws_url(&token)).await.unwrap();
        ws.send(json!({"action":"resume","chat_id":chat,"after_seq":0}))
            .await;
        ws.expect("resumed", |f| f["type"] == "resumed").await;
        waiting.push((chat, ws));
    }
    let position_of = |chat: &str| {
        let chat = chat.to_owned();
        move |f: &serde_json::Value| f["type"] == "queue_position" && f["chat_id"] == chat.as_str()
    };

    // Dee joins at the back: the three ahead of her keep their places and hear nothing. (The
    // fan-out has finished when the start answers, so a frame would already be on its way.)
    let (dee, _) = api.start_chat("support", "Dee", "Is anyone there?").await;
    for (chat, ws) in waiting.iter_mut() {
        ws.expect_none("a position", Duration::from_millis(300), position_of(chat))
            .await;
    }

    // Alice takes Ben (second): Ann, ahead of him, hears nothing; Cid moves from 2 to 1.
    let (status, out) = api
        .action("pull", &alice, json!({"chat_ids":[waiting[1].0]}))
        .await;
    assert_eq!(status, 200, "{out}");
    let cid = waiting[2].0.clone();
    let moved = waiting[2]
        .1
        .expect("Cid's new place", position_of(&cid))
        .await;
    assert_eq!(moved["position"], 1);
    let ann = waiting[0].0.clone();
    waiting[0]
        .1
        .expect_none(
            "a position for Ann",
            Duration::from_millis(300),
            position_of(&ann),
        )
        .await;
    let (_, dee_now) = api.get(&format!("/api/chats/{dee}"), &alice).await;
    assert_eq!(dee_now["state"], "queued", "{dee_now}");
}

/// Messages reach the consoles that show a list holding the chat, gathered into at most one frame
/// a second with the latest counts; a console showing no list, or a list without the chat, is
/// sent nothing for them. Structural changes (the chat ending) still reach every console of the
/// group at once, so the queue badge and My Active count stay live.
#[tokio::test]
async fn list_rows_go_only_where_a_list_holding_the_chat_is_on_screen() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let carol = api.login("carol").await;
    let (chat, customer) = chat_taken_by(&api, &alice).await;

    let mut no_list = Ws::connect(&server.ws_url(&carol)).await.unwrap();
    let mut other_list = Ws::connect(&server.ws_url(&carol)).await.unwrap();
    other_list.watch_list(json!({"view":"my_completed"})).await;
    let mut support_list = Ws::connect(&server.ws_url(&carol)).await.unwrap();
    support_list
        .watch_list(json!({"view":"group","group_id":"support","inactive":false}))
        .await;

    // Ten messages as fast as the customer can send them.
    for i in 0..10 {
        let (status, body) = api
            .post(
                &format!("/api/chats/{chat}/messages"),
                &customer,
                json!({"client_msg_id": format!("m{i}"), "body": format!("message {i}")}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    // The question and ten messages.
    let all = 11;
    let about_chat = |f: &serde_json::Value| f.to_string().contains(chat.as_str());
    let mut rows_frames = 0;
    let mut latest = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_millis(2500);
    while latest < all {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let Some(f) = support_list.next(left).await else {
            break;
        };
        if f["type"] == "chat_rows" {
            rows_frames += 1;
            for r in f["chats"].as_array().unwrap() {
                if r["id"] == chat.as_str() {
                    latest = latest.max(r["messages"].as_u64().unwrap());
                }
            }
        }
    }
    assert_eq!(latest, all, "the list ends with the latest count");
    assert!(
        (1..=3).contains(&rows_frames),
        "ten messages within about a second cost {rows_frames} list frames"
    );
    no_list
        .expect_none(
            "rows for a list not on screen",
            Duration::from_millis(1500),
            about_chat,
        )
        .await;
    other_list
        .expect_none(
            "rows of a chat not in the list",
            Duration::from_millis(10),
            about_chat,
        )
        .await;

    // The end changes My Active and the lists: every console of the group hears of it.
    let (status, _) = api.action("end", &alice, json!({"chat_ids": [chat]})).await;
    assert_eq!(status, 200);
    for ws in [&mut no_list, &mut other_list, &mut support_list] {
        ws.expect("the end", is_chat_changed(&chat, "ended")).await;
    }
}

/// Ann's chat in Support, pulled from the queue by the agent signed in with `agent`: its id and
/// Ann's token.
async fn chat_taken_by(api: &Api, agent: &str) -> (String, String) {
    let (chat, customer) = api.start_chat("support", "Ann", "Hi").await;
    let (status, body) = api.action("pull", agent, json!({"chat_ids": [chat]})).await;
    assert_eq!(status, 200, "{body}");
    (chat, customer)
}

/// The customer writes in `chat`; the row of the chat that `console` then receives.
async fn row_pushed_for_a_message(
    api: &Api,
    console: &mut Ws,
    chat: &str,
    customer: &str,
) -> serde_json::Value {
    let (status, body) = api
        .post(
            &format!("/api/chats/{chat}/messages"),
            customer,
            json!({"client_msg_id": "m1", "body": "Are you there?"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let rows = console
        .expect("the row of the message", |f| {
            f["type"] == "chat_rows" && f.to_string().contains(chat)
        })
        .await;
    rows["chats"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["id"] == chat))
        .cloned()
        .unwrap_or_else(|| panic!("no row of the chat: {rows}"))
}

/// A pushed row colours idle time by the thresholds the organisation's administrator saved, as
/// the lists a console reads do (not by the deployment's defaults of two and five minutes).
#[tokio::test]
async fn pushed_rows_colour_idle_time_by_the_organisations_thresholds() {
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    let c = clock.clone();
    let server = spawn_server_configured(move |config| {
        without_hand_off_sweep(config);
        config.clock = ServerClock(c);
    })
    .await;
    let api = Api::new(&server.base_url);
    let admin = api.login("admin").await;
    let (status, org) = api.get("/api/admin/organisation", &admin).await;
    assert_eq!(status, 200, "{org}");
    let (status, saved) = api
        .call(
            "PUT",
            "/api/admin/organisation",
            Some(admin.as_str()),
            Some(
                json!({"idle_warning_secs": 10, "idle_high_secs": 20, "revision": org["revision"]}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let alice = api.login("alice").await;
    let carol = api.login("carol").await;
    let (chat, customer) = chat_taken_by(&api, &alice).await;
    let mut support_list = Ws::connect(&server.ws_url(&carol)).await.unwrap();
    support_list
        .watch_list(json!({"view":"group","group_id":"support","inactive":false}))
        .await;

    // Half a minute without an answer: red by the organisation's 20 s, green by the defaults.
    clock.advance_ms(30_000);
    let row = row_pushed_for_a_message(&api, &mut support_list, &chat, &customer).await;
    assert!(row["idle_ms"].as_i64().unwrap_or(0) >= 30_000, "{row}");
    assert_eq!(row["icons"]["idle"], "red", "{row}");
}

/// The agent a chat is assigned to hears of its customer's messages whatever list their console
/// shows (the console tells them of a message in a chat they are not looking at); a colleague's
/// console showing the same list does not.
#[tokio::test]
async fn the_assigned_agent_gets_the_rows_of_their_chats_messages_on_any_list() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let carol = api.login("carol").await;
    let (chat, customer) = chat_taken_by(&api, &alice).await;

    let mut alice_queue = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    alice_queue.watch_list(json!({"view":"queue"})).await;
    let mut carol_queue = Ws::connect(&server.ws_url(&carol)).await.unwrap();
    carol_queue.watch_list(json!({"view":"queue"})).await;

    let row = row_pushed_for_a_message(&api, &mut alice_queue, &chat, &customer).await;
    assert_eq!(row["messages"], 2, "{row}");
    assert_eq!(row["agent_id"], "alice", "{row}");
    carol_queue
        .expect_none(
            "rows of a colleague's chat not in her list",
            Duration::from_millis(1500),
            |f| f.to_string().contains(chat.as_str()),
        )
        .await;
}

/// A queue change tells only the customers whose shown place changed: the exact number up to 10
/// ahead, further back only when they cross into another band ("more than 10", "more than 20",
/// ...). So a pull from the front of a queue of any length tells at most 15 customers.
#[tokio::test]
async fn a_pull_from_a_long_queue_tells_only_those_whose_shown_place_changed() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let mut waiting = Vec::new();
    for i in 0..24 {
        let (chat, token) = api
            .start_chat("support", &format!("Customer {i}"), "How long is the wait?")
            .await;
        let mut ws = Ws::connect(&server.ws_url(&token)).await.unwrap();
        ws.send(json!({"action":"resume","chat_id":chat,"after_seq":0}))
            .await;
        ws.expect("resumed", |f| f["type"] == "resumed").await;
        waiting.push((chat, ws));
    }
    let (status, out) = api
        .action("pull", &alice, json!({"chat_ids":[waiting[0].0]}))
        .await;
    assert_eq!(status, 200, "{out}");
    // Now ahead: customer i has i - 1 people ahead. Shown changes for 0..=10 (exact numbers) and
    // at 20 (from "more than 20" to "more than 10").
    let mut told = Vec::new();
    for (i, (chat, ws)) in waiting.iter_mut().enumerate().skip(1) {
        let ahead = i - 1;
        let chat = chat.clone();
        let is_position = move |f: &serde_json::Value| {
            f["type"] == "queue_position" && f["chat_id"] == chat.as_str()
        };
        if ahead <= 10 || ahead == 20 {
            let f = ws.expect("a new place", is_position).await;
            assert_eq!(f["position"], ahead as u64);
            told.push(ahead);
        } else {
            ws.expect_none(
                "a place that looks the same",
                Duration::from_millis(200),
                is_position,
            )
            .await;
        }
    }
    assert_eq!(told.len(), 12, "{told:?}");
}
