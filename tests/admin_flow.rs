//! Administration over HTTP and WebSocket, on the embedded store and on DynamoDB (moto): an
//! administrator creates an agent who signs in and receives chats; deactivating them ends their
//! open console within a second and every token of theirs is refused; the audit log tells the
//! story; bad input is refused with the field named and changes nothing.

use std::time::{Duration, Instant};

use chatdesk_server::FanoutVia;
use chatdesk_tests::client::{Api, Ws};
use chatdesk_tests::dynamo_endpoint::fresh_stores;
use chatdesk_tests::server::{spawn_server, spawn_server_with, TestServer};
use serde_json::{json, Value};

async fn sqlite_server() -> TestServer {
    spawn_server().await
}

async fn dynamodb_server() -> TestServer {
    let (stores, _) = fresh_stores().await;
    spawn_server_with(stores, |c| c.fanout_via = FanoutVia::ManagementApi).await
}

fn error_code(body: &Value) -> &str {
    body["error"].as_str().unwrap_or("")
}

async fn an_agent_created_by_an_administrator_works_until_deactivated(server: TestServer) {
    let api = Api::new(&server.base_url);
    let admin = api.login("admin").await;

    let (status, created) = api
        .post(
            "/api/admin/agents",
            &admin,
            json!({"username": "ivy", "display_name": "Ivy", "role": "agent",
                "groups": ["support"], "max_concurrent_chats": 2}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["agent"]["active"], true);
    let password = created["password"].as_str().expect("a generated password");

    // She signs in with it and pulls a customer's chat.
    let (status, signed_in) = api
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": "ivy", "password": password})),
        )
        .await;
    assert_eq!(status, 200, "{signed_in}");
    let ivy = signed_in["token"].as_str().unwrap().to_owned();
    let (chat, _) = api.start_chat("support", "Ann", "Where is my order?").await;
    let (status, pulled) = api.action("pull", &ivy, json!({"chat_ids": [chat]})).await;
    assert_eq!(status, 200, "{pulled}");
    assert_eq!(pulled["succeeded"], 1, "{pulled}");

    // With an active chat she cannot be deactivated (nobody is left with the customer).
    let (status, body) = api
        .post("/api/admin/agents/ivy/deactivate", &admin, json!({}))
        .await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = api.action("end", &ivy, json!({"chat_ids": [chat]})).await;
    assert_eq!(status, 200);

    // Her console is open; deactivation closes it within a second and refuses her token.
    let mut console = Ws::connect(&server.ws_url(&ivy)).await.unwrap();
    console.send(json!({"action": "ping"})).await;
    console.expect("pong", |f| f["type"] == "pong").await;
    let (status, deactivated) = api
        .post("/api/admin/agents/ivy/deactivate", &admin, json!({}))
        .await;
    let asked = Instant::now();
    assert_eq!(status, 200, "{deactivated}");
    assert_eq!(deactivated["active"], false);
    console
        .expect("session ended", |f| {
            f["type"] == "session_ended" && f["reason"] == "revoked"
        })
        .await;
    // Nothing more comes: the server ends the socket (before the second is out).
    while console.next(Duration::from_secs(1)).await.is_some() {}
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "the socket was still open {:?} after the deactivation answered",
        asked.elapsed()
    );
    let (status, _) = api.get("/api/me", &ivy).await;
    assert_eq!(status, 401, "her token is refused");
    assert!(
        Ws::connect(&server.ws_url(&ivy)).await.is_err(),
        "and so is a new socket"
    );
    let (status, body) = api
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": "ivy", "password": password})),
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("deactivated"),
        "{body}"
    );

    // She had a chat: she is kept (her name stays on it), never deleted.
    let (status, body) = api
        .call("DELETE", "/api/admin/agents/ivy", Some(&admin), None)
        .await;
    assert_eq!(status, 409, "{body}");
    let (_, agents) = api.get("/api/admin/agents", &admin).await;
    let ivy_row = agents
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "ivy")
        .expect("listed");
    assert_eq!(ivy_row["active"], false);

    // Reactivated, a reset password works and the old one does not.
    let (status, _) = api
        .post("/api/admin/agents/ivy/reactivate", &admin, json!({}))
        .await;
    assert_eq!(status, 200);
    let (status, reset) = api
        .post("/api/admin/agents/ivy/password", &admin, json!({}))
        .await;
    assert_eq!(status, 200, "{reset}");
    let new_password = reset["password"].as_str().unwrap();
    for (pw, expected) in [(password, 401), (new_password, 200)] {
        let (status, _) = api
            .call(
                "POST",
                "/api/auth/login",
                None,
                Some(json!({"username": "ivy", "password": pw})),
            )
            .await;
        assert_eq!(status, expected);
    }

    let (status, log) = api.get("/api/admin/audit?limit=10", &admin).await;
    assert_eq!(status, 200, "{log}");
    let story: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"]["id"] == "ivy")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        story,
        [
            "password_reset",
            "agent_reactivated",
            "agent_deactivated",
            "agent_created"
        ]
    );
    let creation = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "agent_created")
        .unwrap();
    assert_eq!(creation["actor"]["kind"], "agent");
    assert_eq!(creation["actor"]["id"], "admin");
    assert!(
        !log.to_string().contains(password) && !log.to_string().contains(new_password),
        "no password in the log"
    );
}

async fn bad_administration_input_is_named_and_changes_nothing(server: TestServer) {
    let api = Api::new(&server.base_url);
    let admin = api.login("admin").await;
    let (_, before) = api.get("/api/admin/agents", &admin).await;
    for (body, field) in [
        (
            json!({"username": "no spaces", "display_name": "X", "role": "agent"}),
            "username",
        ),
        (
            json!({"username": "ok1", "display_name": "X", "role": "agent", "password": "short"}),
            "password",
        ),
        (
            json!({"username": "ok2", "display_name": "X", "role": "agent", "max_concurrent_chats": 0}),
            "max_concurrent_chats",
        ),
        (
            json!({"username": "ok3", "display_name": "X", "role": "emperor"}),
            "role",
        ),
    ] {
        let (status, answer) = api.post("/api/admin/agents", &admin, body.clone()).await;
        assert_eq!(status, 400, "{body} -> {answer}");
        assert!(
            answer["message"].as_str().unwrap_or("").contains(field),
            "{field}: {answer}"
        );
    }
    let (status, answer) = api
        .post(
            "/api/admin/agents",
            &admin,
            json!({"username": "ok4", "display_name": "X", "role": "agent", "groups": ["nowhere"]}),
        )
        .await;
    assert_eq!(status, 404, "{answer}");
    let (status, answer) = api
        .post(
            "/api/admin/agents",
            &admin,
            json!({"username": "alice", "display_name": "Alice 2", "role": "agent"}),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(error_code(&answer), "conflict", "{answer}");
    let (status, answer) = api
        .post("/api/admin/agents/admin/deactivate", &admin, json!({}))
        .await;
    assert_eq!(
        status, 409,
        "no administrator locks themselves out: {answer}"
    );
    let (status, answer) = api.get("/api/admin/audit?limit=0", &admin).await;
    assert_eq!(status, 400, "{answer}");
    let (_, after) = api.get("/api/admin/agents", &admin).await;
    assert_eq!(before, after, "nothing changed");
}

/// Returns gets chats in every state and a message; removing it without a target is refused,
/// removing it into Support moves them all with their transcripts, and its member loses it.
async fn a_group_with_chats_is_removed_by_moving_them(server: TestServer) {
    let api = Api::new(&server.base_url);
    let admin = api.login("admin").await;
    let (status, created) = api
        .post(
            "/api/admin/groups",
            &admin,
            json!({"id": "returns", "name": "Returns"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (status, renamed) = api
        .call(
            "PUT",
            "/api/admin/groups/returns",
            Some(&admin),
            Some(json!({"name": "Returns & refunds"})),
        )
        .await;
    assert_eq!(status, 200, "{renamed}");
    let (status, members) = api
        .call(
            "PUT",
            "/api/admin/groups/returns/members",
            Some(&admin),
            Some(json!({"members": ["alice"]})),
        )
        .await;
    assert_eq!(status, 200, "{members}");
    assert_eq!(members["members"], json!(["alice"]));
    let alice = api.login("alice").await;

    let (queued, _) = api
        .start_chat("returns", "Quinn", "Where do I send the parcel?")
        .await;
    let (active, _) = api.start_chat("returns", "Ada", "Refund for order 7").await;
    let (ended, _) = api.start_chat("returns", "Eve", "Wrong size").await;
    for chat in [&active, &ended] {
        let (status, pulled) = api
            .action("take", &alice, json!({"chat_ids": [chat]}))
            .await;
        assert_eq!(status, 200, "{pulled}");
        assert_eq!(pulled["succeeded"], 1, "{pulled}");
    }
    let (status, _) = api
        .action(
            "end",
            &alice,
            json!({"chat_ids": [&ended], "resolution": "Exchanged."}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, left) = api
        .call(
            "POST",
            "/api/messages",
            None,
            Some(json!({"group_id": "returns", "name": "Rex",
            "email": "rex@example.com", "question": "Please call me"})),
        )
        .await;
    assert_eq!(status, 201, "{left}");
    let (status, reply) = api
        .post(
            "/api/canned-replies",
            &admin,
            json!({"scope": "group", "group_id": "returns", "shortcut": "label",
                "title": "Return label", "body": "Print the label we sent, {customer_name}."}),
        )
        .await;
    assert_eq!(status, 201, "{reply}");

    let (status, refused) = api
        .call("DELETE", "/api/admin/groups/returns", Some(&admin), None)
        .await;
    assert_eq!(status, 409, "{refused}");
    let (status, refused) = api
        .call(
            "DELETE",
            "/api/admin/groups/returns?move_to=returns",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or("")
            .contains("move_to"),
        "{refused}"
    );
    let (status, refused) = api
        .call(
            "DELETE",
            "/api/admin/groups/returns?move_to=support",
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(status, 403, "{refused}");

    let (status, removal) = api
        .call(
            "DELETE",
            "/api/admin/groups/returns?move_to=support",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 200, "{removal}");
    assert_eq!(removal, json!({"moved": 5, "removed": true}));

    let (_, groups) = api.get("/api/admin/groups", &admin).await;
    assert!(!groups.to_string().contains("returns"), "{groups}");
    for (chat, state, question) in [
        (&queued, "queued", "Where do I send the parcel?"),
        (&active, "active", "Refund for order 7"),
        (&ended, "inactive", "Wrong size"),
    ] {
        let (status, read) = api.get(&format!("/api/chats/{chat}"), &admin).await;
        assert_eq!(status, 200, "{read}");
        assert_eq!(read["group_id"], "support", "{read}");
        assert_eq!(read["state"], state, "{read}");
        let (status, events) = api.get(&format!("/api/chats/{chat}/events"), &admin).await;
        assert_eq!(status, 200, "{events}");
        let text = events.to_string();
        assert!(
            text.contains(question),
            "the transcript keeps the question: {text}"
        );
        assert!(text.contains("\"moved\""), "the move is on record: {text}");
    }
    let (_, read) = api.get(&format!("/api/chats/{active}"), &admin).await;
    assert_eq!(
        read["agent_id"], "alice",
        "an active chat stays with its agent: {read}"
    );
    let (_, page) = api
        .get("/api/messages?group_id=support&status=open", &admin)
        .await;
    assert!(page.to_string().contains("Please call me"), "{page}");
    let (_, replies) = api
        .get("/api/canned-replies?group_id=support", &admin)
        .await;
    assert!(
        replies.to_string().contains("Return label"),
        "the group's canned reply moved: {replies}"
    );
    let (_, agents) = api.get("/api/admin/agents", &admin).await;
    let alice_now = agents
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == "alice"))
        .cloned()
        .unwrap_or_default();
    assert!(
        !alice_now["groups"].to_string().contains("returns"),
        "{alice_now}"
    );
    // Removed again: nothing is left to move.
    let (status, _) = api
        .call(
            "DELETE",
            "/api/admin/groups/returns?move_to=support",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 404);

    // A group holding only a canned reply is not empty either.
    let (status, _) = api
        .post(
            "/api/admin/groups",
            &admin,
            json!({"id": "promo", "name": "Promotions"}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = api
        .post(
            "/api/canned-replies",
            &admin,
            json!({"scope": "group", "group_id": "promo", "shortcut": "deal",
                "title": "Deal", "body": "Ten percent off."}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, refused) = api
        .call("DELETE", "/api/admin/groups/promo", Some(&admin), None)
        .await;
    assert_eq!(status, 409, "{refused}");
    let (status, removal) = api
        .call(
            "DELETE",
            "/api/admin/groups/promo?move_to=support",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 200, "{removal}");
    assert_eq!(removal, json!({"moved": 1, "removed": true}));

    let (_, log) = api.get("/api/admin/audit?limit=50", &admin).await;
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter(|x| x["target"]["id"] == "returns")
                .filter_map(|x| x["action"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        actions,
        ["group_removed", "group_updated", "group_created"],
        "{log}"
    );
}

/// The idle thresholds are saved over the revision read, checked, logged, and reach consoles.
async fn organisation_settings_are_saved_over_the_revision_read(server: TestServer) {
    let api = Api::new(&server.base_url);
    let admin = api.login("admin").await;
    let (status, org) = api.get("/api/admin/organisation", &admin).await;
    assert_eq!(status, 200, "{org}");
    assert_eq!(org["sign_in"]["passwords"], true);
    let revision = org["revision"].as_u64().unwrap();
    let put = |body: Value| {
        let api = &api;
        let admin = &admin;
        async move {
            api.call("PUT", "/api/admin/organisation", Some(admin), Some(body))
                .await
        }
    };
    let (status, bad) =
        put(json!({"idle_warning_secs": 300, "idle_high_secs": 60, "revision": revision})).await;
    assert_eq!(status, 400, "{bad}");
    assert!(
        bad["message"]
            .as_str()
            .unwrap_or("")
            .contains("idle_high_secs"),
        "{bad}"
    );
    let (status, saved) =
        put(json!({"idle_warning_secs": 45, "idle_high_secs": 90, "revision": revision})).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["revision"], revision + 1);
    let (status, stale) =
        put(json!({"idle_warning_secs": 50, "idle_high_secs": 95, "revision": revision})).await;
    assert_eq!(status, 409, "a save over an older revision: {stale}");
    let (status, absurd) =
        put(json!({"idle_warning_secs": 50, "idle_high_secs": 95, "revision": u64::MAX})).await;
    assert_eq!(status, 409, "a revision nobody read: {absurd}");
    let alice = api.login("alice").await;
    let (_, me) = api.get("/api/me", &alice).await;
    assert_eq!(
        me["idle_thresholds"],
        json!({"warning_ms": 45000, "high_ms": 90000}),
        "{me}"
    );
    let (status, _) =
        put(json!({"idle_warning_secs": 45, "idle_high_secs": 90, "revision": revision + 1})).await;
    assert_eq!(status, 200);
    let (_, log) = api.get("/api/admin/audit?limit=5", &admin).await;
    let settings: Vec<&Value> = log["entries"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter(|x| x["action"] == "settings_updated")
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(settings.len(), 1, "an unchanged save logs nothing: {log}");
    assert_eq!(settings[0]["changes"][0]["after"], "45", "{log}");
}

chatdesk_tests::on_both_stores!(
    worker_threads = 4;
    an_agent_created_by_an_administrator_works_until_deactivated,
    bad_administration_input_is_named_and_changes_nothing,
    a_group_with_chats_is_removed_by_moving_them,
    organisation_settings_are_saved_over_the_revision_read,
);
