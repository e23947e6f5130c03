//! The REST API as a client sees it: permissions, errors with a JSON body naming the problem,
//! bulk actions with a result per chat.

use chatdesk_tests::client::Api;
use chatdesk_tests::server::spawn_server;
use serde_json::{json, Value};

fn error_code(body: &Value) -> &str {
    body["error"].as_str().unwrap_or("<no error code>")
}

#[tokio::test]
async fn global_live_chats_only_for_members_of_every_group() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    api.start_chat("sales", "Sam", "Pricing?").await;
    api.start_chat("billing", "Bea", "Refund?").await;
    for who in ["alice", "manager", "carol", "bob"] {
        let token = api.login(who).await;
        let (status, body) = api.get("/api/chats?view=global", &token).await;
        assert_eq!(status, 403, "{who} is missing a group: {body}");
        assert_eq!(error_code(&body), "forbidden");
        assert!(body["message"].as_str().unwrap().contains("every group"));
        let (_, me) = api.get("/api/me", &token).await;
        assert_eq!(me["can_view_global"], false);
    }
    let admin = api.login("admin").await;
    let (status, body) = api.get("/api/chats?view=global", &admin).await;
    assert_eq!(status, 200);
    assert_eq!(body["rows"].as_array().unwrap().len(), 2);
    let (_, me) = api.get("/api/me", &admin).await;
    assert_eq!(me["can_view_global"], true);
}

#[tokio::test]
async fn group_views_only_for_member_groups_and_members_see_all_their_groups() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    api.start_chat("support", "Sue", "Mail down").await;
    api.start_chat("billing", "Bea", "Invoice").await;
    api.start_chat("sales", "Sam", "Quote").await;
    let alice = api.login("alice").await;
    let (status, body) = api
        .get("/api/chats?view=group&group_id=sales", &alice)
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = api
        .get("/api/chats?view=group&group_id=support", &alice)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["rows"].as_array().unwrap().len(), 1);
    let (status, _) = api.get("/api/chats?view=group&group_id=nope", &alice).await;
    assert_eq!(status, 404);
    // Carol is in billing and support: her queue shows both, not sales.
    let carol = api.login("carol").await;
    let rows = api.list(&carol, "view=queue").await;
    let mut users: Vec<&str> = rows.iter().map(|r| r["user"].as_str().unwrap()).collect();
    users.sort();
    assert_eq!(users, vec!["Bea", "Sue"]);
}

#[tokio::test]
async fn customers_only_reach_their_own_chat() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let (mine, my_token) = api.start_chat("support", "Ann", "Hello").await;
    let (theirs, _) = api.start_chat("support", "Bob", "Private question").await;

    let (status, body) = api.get(&format!("/api/chats/{mine}"), &my_token).await;
    assert_eq!(status, 200);
    assert_eq!(body["name"], "Ann");
    assert_eq!(body["queue_position"], 0);

    for (method, path, payload) in [
        ("GET", format!("/api/chats/{theirs}"), None),
        ("GET", format!("/api/chats/{theirs}/events"), None),
        (
            "POST",
            format!("/api/chats/{theirs}/messages"),
            Some(json!({"client_msg_id":"x","body":"hi"})),
        ),
        ("POST", format!("/api/chats/{theirs}/end"), None),
    ] {
        let (status, body) = api.call(method, &path, Some(&my_token), payload).await;
        assert_eq!(status, 403, "{method} {path}: {body}");
        assert_eq!(error_code(&body), "forbidden");
    }
    // Agent-only routes refuse a customer token.
    for path in ["/api/chats?view=queue", "/api/me", "/api/agents"] {
        let (status, _) = api.get(path, &my_token).await;
        assert_eq!(status, 403, "{path}");
    }
    let (status, _) = api.action("pull", &my_token, json!({})).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn agents_outside_a_group_cannot_touch_its_chats() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let (chat, _) = api.start_chat("sales", "Sam", "Quote please").await;
    let alice = api.login("alice").await; // support only
    let (status, _) = api.get(&format!("/api/chats/{chat}"), &alice).await;
    assert_eq!(status, 403);
    for action in ["pull", "take", "delete"] {
        let (status, body) = api.action(action, &alice, json!({"chat_ids":[chat]})).await;
        assert_eq!(status, 200, "bulk actions answer per chat");
        assert_eq!(body["failed"], 1, "{action}: {body}");
        assert_eq!(
            body["results"][0]["failure"]["error"], "forbidden",
            "{action}"
        );
    }
    let (_, body) = api
        .action(
            "transfer",
            &alice,
            json!({"chat_ids":[chat],"to":{"kind":"group","group_id":"support"}}),
        )
        .await;
    assert_eq!(body["results"][0]["failure"]["error"], "forbidden");
    // Pulling "the next chat" never reaches into another group's queue.
    let (status, body) = api.action("pull", &alice, json!({})).await;
    assert_eq!(status, 409);
    assert_eq!(error_code(&body), "queue_empty");
}

/// The probe told a chat's state from the refusal an outsider got (`invalid_state` for a deleted
/// or ended chat, `forbidden` for a live one). An agent outside the group now gets the same
/// refusal whatever the chat's state.
#[tokio::test]
async fn a_chat_that_is_not_yours_is_refused_the_same_way_in_every_state() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let bob = api.login("bob").await;
    let mut chats = Vec::new();
    for stage in ["queued", "active", "ended", "deleted"] {
        let (chat, _) = api.start_chat("support", "Ann", "Hello").await;
        let ids = json!({"chat_ids":[chat]});
        if stage != "queued" {
            api.action("pull", &alice, ids.clone()).await;
        }
        if stage == "ended" || stage == "deleted" {
            api.action("end", &alice, ids.clone()).await;
        }
        if stage == "deleted" {
            api.action("delete", &alice, ids.clone()).await;
        }
        chats.push((stage, chat));
    }
    type Body = fn(&str) -> Value;
    let actions: [(&str, Body); 6] = [
        ("pull", |c| json!({"chat_ids":[c]})),
        ("take", |c| json!({"chat_ids":[c]})),
        (
            "transfer",
            |c| json!({"chat_ids":[c],"to":{"kind":"group","group_id":"sales"}}),
        ),
        ("end", |c| json!({"chat_ids":[c]})),
        ("delete", |c| json!({"chat_ids":[c]})),
        ("follow-up", |c| json!({"chat_ids":[c],"follow_up":null})),
    ];
    for (action, body) in actions {
        for (stage, chat) in &chats {
            let (status, out) = api.action(action, &bob, body(chat)).await;
            assert_eq!(status, 200, "{action} on a {stage} chat: {out}");
            assert_eq!(
                out["results"][0]["failure"]["error"], "forbidden",
                "{action} on a {stage} chat: {out}"
            );
        }
    }
    for (stage, chat) in &chats {
        let (status, out) = api
            .post(
                &format!("/api/chats/{chat}/messages"),
                &bob,
                json!({"client_msg_id":"x","body":"hi"}),
            )
            .await;
        assert_eq!(
            (status, out["error"].as_str()),
            (403, Some("forbidden")),
            "{stage}"
        );
        let (status, _) = api.get(&format!("/api/chats/{chat}"), &bob).await;
        assert_eq!(status, 403, "{stage}");
    }
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_and_changes_nothing() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    // JSON that parses but does not fit (a missing, mistyped or unknown field, a malformed id) is
    // refused input, as over the WebSocket; broken JSON is `invalid_json` (below).
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"group_id":"support","name":"A"}),
            "invalid_input",
            "question",
        ),
        (
            json!({"group_id":5,"name":"A","question":"q"}),
            "invalid_input",
            "group_id",
        ),
        (
            json!({"group_id":"support","name":"A","question":"q","admin":true}),
            "invalid_input",
            "admin",
        ),
        (
            json!({"group_id":"support","name":"","question":"q"}),
            "invalid_input",
            "name",
        ),
        (
            json!({"group_id":"support","name":"A\u{0007}","question":"q"}),
            "invalid_input",
            "name",
        ),
        (
            json!({"group_id":"support","name":"A","question":"q","email":"nope"}),
            "invalid_input",
            "email",
        ),
        (
            json!({"group_id":"support","name":"A".repeat(81),"question":"q"}),
            "invalid_input",
            "name",
        ),
        (
            json!({"group_id":"support","name":"A","question":"q".repeat(2001)}),
            "invalid_input",
            "question",
        ),
        (
            json!({"group_id":"bad id!","name":"A","question":"q"}),
            "invalid_input",
            "group_id",
        ),
    ];
    for (body, code, mentions) in cases {
        let (status, resp) = api
            .call("POST", "/api/chats", None, Some(body.clone()))
            .await;
        assert_eq!(status, 400, "{body}: {resp}");
        assert_eq!(error_code(&resp), code, "{body}");
        assert!(
            resp["message"].as_str().unwrap().contains(mentions),
            "{resp} should name {mentions}"
        );
    }
    let (status, resp) = api
        .call(
            "POST",
            "/api/chats",
            None,
            Some(json!({"group_id":"nope","name":"A","question":"q"})),
        )
        .await;
    assert_eq!((status, error_code(&resp)), (404, "not_found"));
    let admin = api.login("admin").await;
    assert!(
        api.list(&admin, "view=global").await.is_empty(),
        "nothing was created"
    );

    let (status, resp) = api.call("GET", "/api/nowhere", None, None).await;
    assert_eq!((status, error_code(&resp)), (404, "no_route"));
    let (status, resp) = api.call("DELETE", "/api/chats", None, None).await;
    assert_eq!((status, error_code(&resp)), (405, "method_not_allowed"));
    let (status, resp) = api.call("GET", "/api/me", None, None).await;
    assert_eq!((status, error_code(&resp)), (401, "unauthorized"));
    let (status, _) = api
        .call("GET", "/api/me", Some("forged.token.here"), None)
        .await;
    assert_eq!(status, 401);
    let (status, resp) = api
        .get("/api/chats/01J00000000000000000000000", &admin)
        .await;
    assert_eq!((status, error_code(&resp)), (404, "not_found"));
    let (status, resp) = api.get("/api/chats?view=sideways", &admin).await;
    assert_eq!((status, error_code(&resp)), (400, "invalid_input"));
    let (status, resp) = api
        .get("/api/chats?view=queue&sort=shoe_size", &admin)
        .await;
    assert_eq!((status, error_code(&resp)), (400, "invalid_input"));
    let (status, resp) = api.action("delete", &admin, json!({"chat_ids":[]})).await;
    assert_eq!((status, error_code(&resp)), (400, "invalid_input"));
    let ids: Vec<String> = (0..101).map(|i| format!("c{i}")).collect();
    let (status, _) = api
        .action("delete", &admin, json!({ "chat_ids": ids }))
        .await;
    assert_eq!(status, 400);
    let big = "x".repeat(70 * 1024);
    let (status, resp) = api
        .call(
            "POST",
            "/api/chats",
            None,
            Some(json!({"group_id":"support","name":"A","question":big})),
        )
        .await;
    assert_eq!((status, error_code(&resp)), (413, "too_large"));
}

#[tokio::test]
async fn delete_restore_and_purge_follow_roles() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let manager = api.login("manager").await;
    let admin = api.login("admin").await;
    let (chat, _) = api.start_chat("support", "Ann", "Hi").await;

    let (_, out) = api
        .action("delete", &alice, json!({"chat_ids":[chat]}))
        .await;
    assert_eq!(
        out["results"][0]["failure"]["error"], "invalid_state",
        "live chats are ended first"
    );
    api.action("pull", &alice, json!({"chat_ids":[chat]})).await;
    let (_, out) = api
        .action(
            "end",
            &alice,
            json!({"chat_ids":[chat],"resolution":"Said hi"}),
        )
        .await;
    assert_eq!(out["succeeded"], 1);
    let (_, out) = api
        .action("delete", &alice, json!({"chat_ids":[chat, chat]}))
        .await;
    assert_eq!(out["succeeded"], 1, "repeated ids count once: {out}");
    assert!(api.list(&alice, "view=my_completed").await.is_empty());
    let (status, _) = api.get("/api/chats?view=deleted", &alice).await;
    assert_eq!(status, 403, "agents do not see the deleted list");
    let (_, out) = api
        .action("restore", &alice, json!({"chat_ids":[chat]}))
        .await;
    assert_eq!(out["results"][0]["failure"]["error"], "forbidden");
    assert_eq!(api.list(&manager, "view=deleted").await.len(), 1);
    let (_, out) = api
        .action("purge", &manager, json!({"chat_ids":[chat]}))
        .await;
    assert_eq!(
        out["results"][0]["failure"]["error"], "forbidden",
        "only administrators purge"
    );
    let (_, out) = api
        .action("restore", &manager, json!({"chat_ids":[chat]}))
        .await;
    assert_eq!(out["succeeded"], 1);
    assert_eq!(
        api.list(&alice, "view=my_completed").await.len(),
        1,
        "back where it was"
    );
    api.action("delete", &alice, json!({"chat_ids":[chat]}))
        .await;
    let (_, out) = api
        .action("purge", &admin, json!({"chat_ids":[chat]}))
        .await;
    assert_eq!(out["succeeded"], 1, "{out}");
    let (status, _) = api.get(&format!("/api/chats/{chat}"), &admin).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn bulk_actions_report_per_chat() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (a, _) = api.start_chat("support", "A", "q").await;
    let (b, _) = api.start_chat("support", "B", "q").await;
    let (c, _) = api.start_chat("sales", "C", "q").await;
    let (status, out) = api
        .action(
            "pull",
            &alice,
            json!({"chat_ids":[a, b, c, "01J00000000000000000000000"]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(out["succeeded"], 2);
    assert_eq!(out["failed"], 2);
    assert_eq!(out["results"][2]["failure"]["error"], "forbidden");
    assert_eq!(out["results"][3]["failure"]["error"], "not_found");
    let tomorrow = {
        use chatdesk::ports::Clock;
        chatdesk::ports::SystemClock.now().millis() + 86_400_000
    };
    let (_, out) = api
        .action(
            "follow-up",
            &alice,
            json!({"chat_ids":[a, b],"follow_up":{"due_at": tomorrow, "note":"Call back"}}),
        )
        .await;
    assert_eq!(out["succeeded"], 2);
    let rows = api.list(&alice, "view=my_active&sort=user&dir=desc").await;
    let users: Vec<&str> = rows.iter().map(|r| r["user"].as_str().unwrap()).collect();
    assert_eq!(users, vec!["B", "A"]);
    assert_eq!(rows[0]["icons"]["follow_up"], "green");
    assert_eq!(rows[0]["follow_up"]["note"], "Call back");
    let (_, out) = api
        .action(
            "transfer",
            &alice,
            json!({"chat_ids":[a],"to":{"kind":"agent","agent_id":"bob"}}),
        )
        .await;
    assert_eq!(
        out["results"][0]["failure"]["error"], "invalid_state",
        "bob is not in support: {out}"
    );
    let (_, out) = api
        .action(
            "transfer",
            &alice,
            json!({"chat_ids":[a],"to":{"kind":"agent","agent_id":"carol"}}),
        )
        .await;
    assert_eq!(out["succeeded"], 1);
    assert_eq!(out["results"][0]["chat"]["agent_name"], "Carol");
}

#[tokio::test]
async fn preferences_are_kept_per_agent() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let bob = api.login("bob").await;
    let (_, mut prefs) = api.get("/api/preferences", &alice).await;
    // Every column, the optional rating and tags hidden.
    assert_eq!(prefs["columns"].as_array().unwrap().len(), 10);
    assert_eq!(prefs["columns"][8]["column"], "rating");
    assert_eq!(prefs["columns"][8]["visible"], false);
    assert_eq!(prefs["columns"][9]["column"], "tags");
    assert_eq!(prefs["columns"][9]["visible"], false);
    prefs["columns"][1]["visible"] = json!(false);
    prefs["columns"][2]["width"] = json!(222);
    prefs["sort"] = json!({"column":"idle","direction":"asc"});
    let (status, saved) = api
        .call("PUT", "/api/preferences", Some(&alice), Some(prefs.clone()))
        .await;
    assert_eq!(status, 200, "{saved}");
    let (_, again) = api.get("/api/preferences", &alice).await;
    assert_eq!(again, prefs);
    let (_, bobs) = api.get("/api/preferences", &bob).await;
    assert_eq!(
        bobs["columns"][1]["visible"], true,
        "bob keeps the defaults"
    );
    let rows = api.get("/api/chats?view=my_active", &alice).await.1;
    assert_eq!(
        rows["sort"]["column"], "idle",
        "the saved sort is the default sort"
    );
    prefs["columns"][2]["width"] = json!(5);
    let (status, _) = api
        .call("PUT", "/api/preferences", Some(&alice), Some(prefs))
        .await;
    assert_eq!(status, 400);
}

/// Notification settings are saved with the layout; a client that saves only the layout keeps
/// them, and a setting that is not a yes or no is refused with the field named.
#[tokio::test]
async fn notification_settings_are_kept_with_the_preferences() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (_, mut prefs) = api.get("/api/preferences", &alice).await;
    assert_eq!(
        prefs["notifications"],
        json!({"desktop": true, "sound": true, "new_chats": true, "assigned": true, "messages": true}),
        "everything on by default"
    );
    let quiet = json!({"desktop": false, "sound": false, "new_chats": true, "assigned": true, "messages": false});
    prefs["notifications"] = quiet.clone();
    let (status, saved) = api
        .call("PUT", "/api/preferences", Some(&alice), Some(prefs.clone()))
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["notifications"], quiet);

    // The layout alone, as the list saves it after a column is resized.
    let layout =
        json!({"columns": prefs["columns"], "sort": {"column": "user", "direction": "asc"}});
    let (status, saved) = api
        .call("PUT", "/api/preferences", Some(&alice), Some(layout))
        .await;
    assert_eq!(status, 200, "{saved}");
    let (_, again) = api.get("/api/preferences", &alice).await;
    assert_eq!(again["notifications"], quiet, "kept");
    assert_eq!(again["sort"]["column"], "user");

    prefs["notifications"]["sound"] = json!("loud");
    let (status, body) = api
        .call("PUT", "/api/preferences", Some(&alice), Some(prefs))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("sound"), "{body}");
    let (_, after) = api.get("/api/preferences", &alice).await;
    assert_eq!(
        after["notifications"], quiet,
        "nothing changed by a refused save"
    );
}

#[tokio::test]
async fn without_an_issuer_agents_sign_in_with_passwords_only() {
    let server = spawn_server().await;
    let (status, config) = Api::new(&server.base_url)
        .call("GET", "/api/auth/config", None, None)
        .await;
    assert_eq!(status, 200, "{config}");
    assert_eq!(config["password_sign_in"], true);
    assert!(config["oidc"].is_null(), "{config}");
}

#[tokio::test]
async fn the_openapi_document_is_served_and_committed() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let (status, doc) = api.call("GET", "/api/openapi.json", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    if std::env::var("CHATDESK_WRITE_OPENAPI").as_deref() == Ok("1") {
        // What `chatdesk openapi` prints.
        let text = format!("{}\n", chatdesk::api::openapi::document_json());
        std::fs::write(path, text).expect("docs/openapi.json is writable");
    }
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(path).expect("docs/openapi.json is committed"),
    )
    .expect("valid JSON");
    let generated: Value =
        serde_json::from_str(&chatdesk::api::openapi::document_json()).expect("valid JSON");
    // The server serves the committed text (compiled in); it must be what the routes declare.
    // Compared without printing both documents: they are tens of kilobytes each.
    assert!(
        doc == committed,
        "the served document is not docs/openapi.json (after rewriting it, run the test again: \
         the file is compiled in)"
    );
    assert!(
        generated == committed,
        "docs/openapi.json is stale: run this test with CHATDESK_WRITE_OPENAPI=1, or \
         `cargo run -p chatdesk-server -- openapi > docs/openapi.json`"
    );
}

/// Satisfaction: the customer rates their ended chat once, 1-5 with an optional comment, with
/// their own token only; it shows in the transcript, their view and the agents' list rows.
#[tokio::test]
async fn a_customer_rates_their_ended_chat_once() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, token) = api.start_chat("support", "Ann", "Hello").await;
    let (other, other_token) = api.start_chat("support", "Bob", "Hi").await;
    let rating = format!("/api/chats/{chat}/rating");
    let rate = |score: Value, comment: Value| json!({"score": score, "comment": comment});

    // Not while the chat runs.
    let (status, body) = api.post(&rating, &token, rate(json!(5), Value::Null)).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "invalid_state"),
        "{body}"
    );
    let (status, _) = api
        .post(&format!("/api/chats/{chat}/end"), &token, json!({}))
        .await;
    assert_eq!(status, 200);

    // Never by an agent, nor with another chat's token; bad scores are named.
    let (status, body) = api.post(&rating, &alice, rate(json!(5), Value::Null)).await;
    assert_eq!((status, error_code(&body)), (403, "forbidden"), "{body}");
    let (status, body) = api
        .post(&rating, &other_token, rate(json!(5), Value::Null))
        .await;
    assert_eq!((status, error_code(&body)), (403, "forbidden"), "{body}");
    for bad in [json!(0), json!(6), json!(-1), json!(1000)] {
        let (status, body) = api
            .post(&rating, &token, rate(bad.clone(), Value::Null))
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(
            body["message"].as_str().unwrap_or("").contains("score"),
            "{body}"
        );
    }

    let comment = "Quick and <b>kind</b>";
    let (status, body) = api
        .post(&rating, &token, rate(json!(4), json!(comment)))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["rating"], 4);
    // Once: a second rating is refused and changes nothing.
    let (status, body) = api.post(&rating, &token, rate(json!(1), Value::Null)).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "invalid_state"),
        "{body}"
    );
    let (_, view) = api.get(&format!("/api/chats/{chat}"), &token).await;
    assert_eq!(view["rating"], 4);
    let (_, events) = api.get(&format!("/api/chats/{chat}/events"), &alice).await;
    let rated: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "rated")
        .collect();
    assert_eq!(rated.len(), 1);
    assert_eq!(rated[0]["score"], 4);
    assert_eq!(rated[0]["comment"], comment);
    let (_, row) = api.get(&format!("/api/chats/{chat}"), &alice).await;
    assert_eq!(row["rating"], 4);
    let (_, unrated) = api.get(&format!("/api/chats/{other}"), &alice).await;
    assert_eq!(unrated["rating"], Value::Null);
}

/// Business hours, offline behaviour and texts over HTTP: every refused value is named, texts are
/// administrators' only, and a group that is closed says so publicly and, taking messages only,
/// refuses chats. (A group open on no day is closed whatever the clock says.)
#[tokio::test]
async fn business_hours_are_checked_and_a_closed_group_says_so_publicly() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let admin = api.login("admin").await;
    let manager = api.login("manager").await;
    let settings = |extra: Value| {
        let mut body = json!({"distribution": "pull", "hand_off": {
            "no_first_response_secs": 120, "no_follow_up_secs": 300,
            "agent_disconnected_secs": 120, "max_hand_offs": 3}});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let hours = |zone: &str, monday: Value, holidays: Value| json!({"business_hours": {"time_zone": zone, "weekly": {"monday": monday}, "holidays": holidays}});
    let put = |token: String, body: Value| {
        let api = &api;
        async move {
            api.call(
                "PUT",
                "/api/groups/support/settings",
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    for (bad, field) in [
        (
            hours("Mars/Olympus", json!([]), json!([])),
            "business_hours.time_zone",
        ),
        (
            hours(
                "Europe/Berlin",
                json!([{"start": "9:00", "end": "17:00"}]),
                json!([]),
            ),
            "business_hours.weekly",
        ),
        (
            hours(
                "Europe/Berlin",
                json!([{"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}]),
                json!([]),
            ),
            "business_hours.weekly",
        ),
        (
            hours(
                "Europe/Berlin",
                json!([{"start": "17:00", "end": "09:00"}]),
                json!([]),
            ),
            "business_hours.weekly",
        ),
        (
            hours("Europe/Berlin", json!([]), json!(["2026-02-30"])),
            "business_hours.holidays",
        ),
        (
            json!({"offline": {"when_closed_or_unstaffed": "message_only", "queue_wait_limit_secs": 0}}),
            "offline.queue_wait_limit_secs",
        ),
        (
            json!({"texts": {"offline_notice": "Back {soon}"}}),
            "texts.offline_notice",
        ),
    ] {
        let (status, body) = put(admin.clone(), settings(bad.clone())).await;
        assert_eq!(
            (status, error_code(&body)),
            (400, "invalid_input"),
            "{bad}: {body}"
        );
        let message = body["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{field}:")),
            "{bad}: {message}"
        );
    }
    let (_, unchanged) = api.get("/api/groups/support/settings", &admin).await;
    assert_eq!(
        unchanged["business_hours"],
        Value::Null,
        "nothing was saved"
    );

    // Texts are administrators' only.
    let texts = json!({"texts": {"offline_notice": "Closed: <b>{group}</b> {{sorry}}"}});
    let (status, body) = put(manager.clone(), settings(texts.clone())).await;
    assert_eq!((status, error_code(&body)), (403, "forbidden"), "{body}");
    assert!(body["message"].as_str().unwrap().contains("administrators"));
    let (status, body) = put(admin.clone(), settings(texts)).await;
    assert_eq!(status, 200, "{body}");

    // The manager closes Support on every day, messages only.
    let closed = settings(json!({
        "business_hours": {"time_zone": "Europe/Berlin", "weekly": {}, "holidays": ["2026-12-24"]},
        "offline": {"when_closed_or_unstaffed": "message_only", "queue_wait_limit_secs": 600}
    }));
    let (status, body) = put(manager.clone(), closed).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["business_hours"]["holidays"], json!(["2026-12-24"]));
    assert_eq!(
        body["texts"]["offline_notice"], "Closed: <b>{group}</b> {{sorry}}",
        "kept"
    );

    let (status, groups) = api.call("GET", "/api/groups", None, None).await;
    assert_eq!(status, 200);
    let support = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "support")
        .unwrap();
    let name = support["name"].as_str().unwrap();
    assert_eq!(
        support["availability"],
        json!({
            "state": "outside_hours", "offer": "message",
            "notice": format!("Closed: <b>{name}</b> {{sorry}}"),
            "next_open_at": null, "queue_wait_limit_secs": 600
        }),
        "customer-facing facts only, the notice as plain text"
    );
    let (status, body) = api
        .call(
            "POST",
            "/api/chats",
            None,
            Some(json!({"group_id": "support", "name": "Eve", "question": "Hello?"})),
        )
        .await;
    assert_eq!((status, error_code(&body)), (409, "group_closed"), "{body}");

    // Letting the customer choose: the chat starts, and its customer is offered a message.
    let (status, body) = put(
        manager,
        settings(json!({"offline": {"when_closed_or_unstaffed": "choose_wait_or_message"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (chat, token) = api.start_chat("support", "Eve", "Hello?").await;
    let (status, view) = api.get(&format!("/api/chats/{chat}"), &token).await;
    assert_eq!(status, 200);
    assert_eq!(view["offer_message"], true, "{view}");
    // Another group, without business hours and with members at work, is open.
    let sales = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "sales")
        .unwrap();
    assert_ne!(sales["availability"]["state"], "outside_hours", "{sales}");
    assert_ne!(sales["availability"]["offer"], "message", "{sales}");
}
