//! Canned replies end to end over HTTP on the local server, on the embedded store and on
//! DynamoDB (moto): who may create, read, change and delete which scope; what `?group_id=` and
//! `?q=` narrow to; placeholders filled from the chat a reply is used in and every use counted
//! when many happen at once; a reply stale once its review date passes (on a clock the test
//! moves) until it is reviewed; edits over a stale revision, taken shortcuts and bad input
//! refused with the field named, creating nothing.

use std::sync::Arc;

use chatdesk::ports::{Clock, ManualClock, SystemClock};
use chatdesk_server::ServerClock;
use chatdesk_tests::client::Api;
use chatdesk_tests::server::TestServer;
use serde_json::{json, Value};

const DAY_MS: i64 = 86_400_000;

struct Setup {
    server: TestServer,
    clock: Arc<ManualClock>,
}

async fn sqlite_server() -> Setup {
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    let c = clock.clone();
    let server = chatdesk_tests::server::spawn_server_with(
        chatdesk_server::Stores::all_in(chatdesk::sqlite::SqliteStore::open_in_memory().unwrap()),
        move |config| config.clock = ServerClock(c),
    )
    .await;
    Setup { server, clock }
}

async fn dynamodb_server() -> Setup {
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    let c = clock.clone();
    let (stores, _) = chatdesk_tests::dynamo_endpoint::fresh_stores().await;
    let server = chatdesk_tests::server::spawn_server_with(stores, move |config| {
        config.clock = ServerClock(c)
    })
    .await;
    Setup { server, clock }
}

chatdesk_tests::on_both_stores!(
    worker_threads = 2;
    each_role_manages_its_scopes_and_sees_its_own_its_groups_and_global_replies,
    a_reply_used_in_a_chat_is_filled_from_it_and_every_use_is_counted,
    a_reply_is_stale_after_its_review_date_until_reviewed_and_edits_need_the_revision_read,
    taken_shortcuts_and_bad_input_are_refused_by_name_and_create_nothing,
);

async fn create(api: &Api, token: &str, body: Value) -> (u16, Value) {
    api.post("/api/canned-replies", token, body).await
}

fn reply(scope: &str, group: Option<&str>, shortcut: &str, body: &str) -> Value {
    let mut r = json!({"scope": scope, "shortcut": shortcut, "title": format!("About {shortcut}"), "body": body});
    if let Some(g) = group {
        r["group_id"] = json!(g);
    }
    r
}

fn shortcuts(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["shortcut"].as_str().unwrap().to_owned())
        .collect()
}

async fn created(api: &Api, token: &str, body: Value) -> Value {
    let (status, r) = create(api, token, body).await;
    assert_eq!(status, 201, "{r}");
    r
}

async fn each_role_manages_its_scopes_and_sees_its_own_its_groups_and_global_replies(setup: Setup) {
    let api = Api::new(&setup.server.base_url);
    let admin = api.login("admin").await; // every group
    let manager = api.login("manager").await; // Support, Billing
    let alice = api.login("alice").await; // Support
    let bob = api.login("bob").await; // Sales

    // An agent: personal only.
    let mine = created(&api, &alice, reply("personal", None, "alice-hi", "Hi")).await;
    assert_eq!(mine["scope"], "personal");
    assert_eq!(mine["owner_id"], "alice");
    assert_eq!(mine["can_manage"], true);
    for (scope, group) in [("group", Some("support")), ("global", None)] {
        let (status, body) = create(&api, &alice, reply(scope, group, "nope", "x")).await;
        assert_eq!(status, 403, "{scope}: {body}");
    }
    // A manager: the groups they belong to, and global.
    let support = created(
        &api,
        &manager,
        reply("group", Some("support"), "refund", "R"),
    )
    .await;
    assert_eq!(support["group_id"], "support");
    let (status, _) = create(&api, &manager, reply("group", Some("sales"), "nope", "x")).await;
    assert_eq!(status, 403, "not a group the manager belongs to");
    let global = created(&api, &manager, reply("global", None, "thanks", "T")).await;
    // An administrator: any group.
    let sales = created(&api, &admin, reply("group", Some("sales"), "pricing", "P")).await;
    created(&api, &bob, reply("personal", None, "bob-hi", "Hi")).await;

    // Each sees their own, their groups' and the global ones.
    let (status, list) = api.get("/api/canned-replies", &alice).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(shortcuts(&list), ["alice-hi", "refund", "thanks"]);
    let refund = &list[1];
    assert_eq!(
        refund["can_manage"], false,
        "alice may not change Support's reply"
    );
    let (_, list) = api.get("/api/canned-replies", &bob).await;
    assert_eq!(shortcuts(&list), ["bob-hi", "pricing", "thanks"]);
    let (_, list) = api.get("/api/canned-replies", &manager).await;
    assert_eq!(shortcuts(&list), ["refund", "thanks"]);
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["can_manage"] == true));

    // Narrowed to one group's chats, and by shortcut prefix.
    let (_, list) = api
        .get("/api/canned-replies?group_id=support&q=/re", &alice)
        .await;
    assert_eq!(shortcuts(&list), ["refund"]);
    let (_, list) = api
        .get("/api/canned-replies?group_id=support", &admin)
        .await;
    assert_eq!(shortcuts(&list), ["refund", "thanks"], "not Sales' reply");
    let (status, _) = api.get("/api/canned-replies?group_id=sales", &alice).await;
    assert_eq!(status, 403, "not her group");

    // Reading one: only who sees it (or manages it).
    let id = |r: &Value| r["id"].as_str().unwrap().to_owned();
    let (status, _) = api
        .get(&format!("/api/canned-replies/{}", id(&support)), &alice)
        .await;
    assert_eq!(status, 200);
    for (token, r) in [(&bob, &support), (&bob, &mine), (&alice, &sales)] {
        let (status, body) = api
            .get(&format!("/api/canned-replies/{}", id(r)), token)
            .await;
        assert_eq!(status, 403, "{body}");
    }

    // Changing: only who manages the scope, checked at the moment of the request.
    let edit = |r: &Value, shortcut: &str| {
        let mut e = reply(
            r["scope"].as_str().unwrap(),
            r["group_id"].as_str(),
            shortcut,
            "Changed",
        );
        e["revision"] = r["revision"].clone();
        e
    };
    let path = |r: &Value| format!("/api/canned-replies/{}", id(r));
    for (token, r) in [(&alice, &support), (&alice, &global), (&manager, &mine)] {
        let (status, body) = api
            .call("PUT", &path(r), Some(token), Some(edit(r, "changed")))
            .await;
        assert_eq!(status, 403, "{body}");
        let (status, _) = api.call("DELETE", &path(r), Some(token), None).await;
        assert_eq!(status, 403);
        let (status, _) = api
            .post(&format!("{}/reviewed", path(r)), token, json!({}))
            .await;
        assert_eq!(status, 403);
    }
    // Alice may not move her reply into a group either.
    let mut into_group = edit(&mine, "alice-hi");
    into_group["scope"] = json!("group");
    into_group["group_id"] = json!("support");
    let (status, _) = api
        .call("PUT", &path(&mine), Some(&alice), Some(into_group))
        .await;
    assert_eq!(status, 403);
    let mut absurd = edit(&mine, "alice-hello");
    absurd["revision"] = json!(u64::MAX);
    let (status, body) = api
        .call("PUT", &path(&mine), Some(&alice), Some(absurd))
        .await;
    assert_eq!(status, 409, "a revision nobody read: {body}");
    let (status, saved) = api
        .call(
            "PUT",
            &path(&mine),
            Some(&alice),
            Some(edit(&mine, "alice-hello")),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["shortcut"], "alice-hello");
    assert_eq!(saved["revision"], 2);
    // The administrator manages anyone's.
    let (status, _) = api.call("DELETE", &path(&mine), Some(&admin), None).await;
    assert_eq!(status, 200);
    let (status, _) = api.get(&path(&mine), &alice).await;
    assert_eq!(status, 404);
    let (status, _) = api
        .call("DELETE", &path(&support), Some(&manager), None)
        .await;
    assert_eq!(status, 200);

    // A customer token reads nothing.
    let (_, customer) = api.start_chat("support", "Cleo", "Hello").await;
    let (status, _) = api.get("/api/canned-replies", &customer).await;
    assert_eq!(status, 403);
}

async fn a_reply_used_in_a_chat_is_filled_from_it_and_every_use_is_counted(setup: Setup) {
    let api = Arc::new(Api::new(&setup.server.base_url));
    let manager = api.login("manager").await;
    let alice = api.login("alice").await;
    let bob = api.login("bob").await;
    let r = created(
        &api,
        &manager,
        reply(
            "group",
            Some("support"),
            "welcome",
            "Hi {customer_name}, {agent_name} of {group} here. {1} stays",
        ),
    )
    .await;
    let id = r["id"].as_str().unwrap().to_owned();
    let (chat, _) = api.start_chat("support", "Cleo <b>", "My printer").await;

    let (status, used) = api
        .post(
            &format!("/api/canned-replies/{id}/use"),
            &alice,
            json!({"chat_id": chat}),
        )
        .await;
    assert_eq!(status, 200, "{used}");
    assert_eq!(
        used["text"],
        "Hi Cleo <b>, Alice of Support here. {1} stays"
    );
    assert_eq!(used["usage_count"], 1);
    assert_eq!(used["chat_id"], chat.as_str());

    // Bob sees neither the reply nor the chat; a chat of another group is refused too.
    let (status, _) = api
        .post(
            &format!("/api/canned-replies/{id}/use"),
            &bob,
            json!({"chat_id": chat}),
        )
        .await;
    assert_eq!(status, 403);
    let global = created(
        &api,
        &manager,
        reply("global", None, "bye", "Bye {customer_name}"),
    )
    .await;
    let (status, _) = api
        .post(
            &format!("/api/canned-replies/{}/use", global["id"].as_str().unwrap()),
            &bob,
            json!({"chat_id": chat}),
        )
        .await;
    assert_eq!(status, 403, "a Support chat is not Bob's");
    let (status, _) = api
        .post(
            &format!("/api/canned-replies/{id}/use"),
            &alice,
            json!({"chat_id": "no-such-chat"}),
        )
        .await;
    assert_eq!(status, 404);

    // Uses at the same time are all counted.
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (api, alice, id, chat) = (api.clone(), alice.clone(), id.clone(), chat.clone());
        tasks.push(tokio::spawn(async move {
            api.post(
                &format!("/api/canned-replies/{id}/use"),
                &alice,
                json!({"chat_id": chat}),
            )
            .await
        }));
    }
    let mut counts = Vec::new();
    for t in tasks {
        let (status, used) = t.await.unwrap();
        assert_eq!(status, 200, "{used}");
        counts.push(used["usage_count"].as_u64().unwrap());
    }
    counts.sort_unstable();
    assert_eq!(counts, (2..=17).collect::<Vec<u64>>());
    let (_, read) = api.get(&format!("/api/canned-replies/{id}"), &alice).await;
    assert_eq!(read["usage_count"], 17);
    // An edit keeps the count.
    let mut e = reply("group", Some("support"), "welcome", "Hello {customer_name}");
    e["revision"] = read["revision"].clone();
    let (status, saved) = api
        .call(
            "PUT",
            &format!("/api/canned-replies/{id}"),
            Some(&manager),
            Some(e),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["usage_count"], 17);
}

async fn a_reply_is_stale_after_its_review_date_until_reviewed_and_edits_need_the_revision_read(
    setup: Setup,
) {
    let api = Api::new(&setup.server.base_url);
    let alice = api.login("alice").await;
    let created_at = setup.clock.now();
    let r = created(&api, &alice, reply("personal", None, "hi", "Hi")).await;
    let path = format!("/api/canned-replies/{}", r["id"].as_str().unwrap());
    assert_eq!(r["stale"], false);
    assert_eq!(r["review_at"], created_at.millis() + 90 * DAY_MS);

    setup.clock.advance_ms(90 * DAY_MS - 1);
    let (_, read) = api.get(&path, &alice).await;
    assert_eq!(read["stale"], false, "a millisecond before the review date");
    setup.clock.advance_ms(1);
    let (_, list) = api.get("/api/canned-replies", &alice).await;
    assert_eq!(list[0]["stale"], true, "{list}");

    let (status, reviewed) = api
        .post(&format!("{path}/reviewed"), &alice, json!({}))
        .await;
    assert_eq!(status, 200, "{reviewed}");
    assert_eq!(reviewed["stale"], false);
    assert_eq!(
        reviewed["review_at"],
        setup.clock.now().millis() + 90 * DAY_MS
    );
    assert_eq!(reviewed["revision"], 2);

    // An edit over the revision read before the review: someone changed it since.
    let mut stale_edit = reply("personal", None, "hi", "Hello");
    stale_edit["revision"] = json!(1);
    let (status, body) = api
        .call("PUT", &path, Some(&alice), Some(stale_edit.clone()))
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("since you read it"),
        "{body}"
    );
    let (_, read) = api.get(&path, &alice).await;
    assert_eq!(read["body"], "Hi", "nothing changed");
    stale_edit["revision"] = json!(2);
    setup.clock.advance_ms(DAY_MS);
    let (status, saved) = api.call("PUT", &path, Some(&alice), Some(stale_edit)).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["body"], "Hello");
    assert_eq!(saved["review_at"], setup.clock.now().millis() + 90 * DAY_MS);
}

async fn taken_shortcuts_and_bad_input_are_refused_by_name_and_create_nothing(setup: Setup) {
    let api = Api::new(&setup.server.base_url);
    let manager = api.login("manager").await;
    let alice = api.login("alice").await;
    created(
        &api,
        &manager,
        reply("group", Some("support"), "refund", "R"),
    )
    .await;
    let (status, body) = create(
        &api,
        &manager,
        reply("group", Some("support"), "REFUND", "again"),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "conflict");
    assert!(
        body["message"].as_str().unwrap().contains("/refund"),
        "{body}"
    );
    // The same shortcut in other scopes is fine.
    created(
        &api,
        &manager,
        reply("group", Some("billing"), "refund", "R"),
    )
    .await;
    created(&api, &alice, reply("personal", None, "refund", "R")).await;

    for (body, field) in [
        (reply("personal", None, "has space", "x"), "shortcut"),
        (reply("personal", None, "", "x"), "shortcut"),
        (reply("personal", None, &"a".repeat(41), "x"), "shortcut"),
        (
            json!({"scope": "personal", "shortcut": "ok", "title": "", "body": "x"}),
            "title",
        ),
        (reply("personal", None, "ok", "   "), "body"),
        (reply("personal", None, "ok", &"x".repeat(4001)), "body"),
        (
            reply("personal", None, "ok", "Dear {customer}"),
            "{customer}",
        ),
        (reply("group", None, "ok", "x"), "group_id"),
        (reply("personal", Some("support"), "ok", "x"), "group_id"),
        (reply("team", None, "ok", "x"), "scope"),
        (
            json!({"scope": "personal", "shortcut": "ok", "title": "T", "body": "x", "usage_count": 9}),
            "usage_count",
        ),
        (
            json!({"scope": "personal", "title": "T", "body": "x"}),
            "shortcut",
        ),
    ] {
        let (status, answer) = create(&api, &alice, body.clone()).await;
        assert_eq!(status, 400, "{body} -> {answer}");
        assert!(
            answer["message"].as_str().unwrap_or("").contains(field),
            "{body}: the answer names {field}: {answer}"
        );
    }
    let (status, body) = create(&api, &manager, reply("group", Some("nowhere"), "ok", "x")).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = api.get("/api/canned-replies?q=a%20b", &alice).await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = api.get("/api/canned-replies/bad%20id", &alice).await;
    assert_eq!(status, 400);
    let (_, list) = api.get("/api/canned-replies", &alice).await;
    assert_eq!(
        shortcuts(&list),
        ["refund", "refund"],
        "nothing else was created"
    );
    // An edit is checked the same way, and needs its revision.
    let id = list[0]["id"].as_str().unwrap();
    let (status, body) = api
        .call(
            "PUT",
            &format!("/api/canned-replies/{id}"),
            Some(&alice),
            Some(reply("personal", None, "ok", "x")),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("revision"),
        "{body}"
    );
}
