//! Issue 10, hole 4 and part of 5: every number and time a client sends is range-checked at the
//! edge (an absurd follow-up time once blanked every console of its group), and lists say when
//! they are truncated and page beyond (a flood of chats once hid real customers past 200 rows).
//! Each scenario runs on both stores.

use std::sync::Arc;

use bytes::Bytes;
use chatdesk::app::App;
use chatdesk::domain::time::{DAY_MS, MAX_FOLLOW_UP_AHEAD_MS, MINUTE_MS};
use chatdesk::domain::{Chat, Timestamp};
use chatdesk::ports::{Clock, ManualClock, SystemClock};
use chatdesk_tests::client::{Api, Ws, DEMO_PASSWORD};
use chatdesk_tests::contract::new_chat;
use chatdesk_tests::server::TestServer;
use serde_json::{json, Value};

/// The REST API served in this process by a copy of the server's app, with a clock the test
/// moves and a small page size. Sign-in goes through the server's own app: tokens carry the
/// wall-clock time they are checked against.
struct InProcess {
    app: App,
    server_app: App,
    clock: Arc<ManualClock>,
}

impl InProcess {
    fn over(server: &TestServer, now: Timestamp, page_size: usize) -> Self {
        let clock = Arc::new(ManualClock::new(now));
        let mut app = server.app.clone();
        app.clock = clock.clone();
        app.settings.list_limit = page_size;
        InProcess {
            app,
            server_app: server.app.clone(),
            clock,
        }
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        dispatch(&self.app, method, path, token, body).await
    }

    async fn login(&self, who: &str) -> String {
        let (status, body) = dispatch(
            &self.server_app,
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": who, "password": DEMO_PASSWORD})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        body["token"].as_str().unwrap().to_owned()
    }

    async fn action(&self, token: &str, action: &str, body: Value) -> (u16, Value) {
        self.call(
            "POST",
            &format!("/api/actions/{action}"),
            Some(token),
            Some(body),
        )
        .await
    }
}

async fn dispatch(
    app: &App,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = http::Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let body = match body {
        Some(b) => {
            req = req.header("content-type", "application/json");
            Bytes::from(b.to_string())
        }
        None => Bytes::new(),
    };
    let resp = chatdesk::api::dispatch(app, req.body(body).unwrap(), None).await;
    let status = resp.status().as_u16();
    let value = serde_json::from_slice(resp.body()).unwrap_or(Value::Null);
    (status, value)
}

// The tests write chats at instants of their own clock: no hand-off sweep on the server's.
async fn sqlite_server() -> TestServer {
    chatdesk_tests::server::spawn_server_configured(chatdesk_tests::server::without_hand_off_sweep)
        .await
}

async fn dynamodb_server() -> TestServer {
    let (stores, _) = chatdesk_tests::dynamo_endpoint::fresh_stores().await;
    chatdesk_tests::server::spawn_server_with(
        stores,
        chatdesk_tests::server::without_hand_off_sweep,
    )
    .await
}

chatdesk_tests::on_both_stores!(
    worker_threads = 4;
    absurd_follow_up_times_are_refused_and_nothing_is_stored,
    follow_up_times_are_accepted_from_just_before_now_to_two_years_ahead,
    sequence_numbers_and_counts_out_of_range_are_refused,
    lists_say_they_are_truncated_and_page_beyond_exactly_once,
    a_cursor_is_only_read_by_its_own_list,
);

fn error_of(body: &Value) -> (&str, &str) {
    (
        body["error"].as_str().unwrap_or("<none>"),
        body["message"].as_str().unwrap_or("<none>"),
    )
}

/// The probe's attack: one agent sets a follow-up no browser can show. Refused, for the whole
/// request; the chat is unchanged and every list still shows every chat.
async fn absurd_follow_up_times_are_refused_and_nothing_is_stored(server: TestServer) {
    let api = Api::new(&server.base_url);
    let (target, _) = api.start_chat("support", "Ann", "Where is my order?").await;
    let (other, _) = api.start_chat("support", "Bob", "Password reset").await;
    let alice = api.login("alice").await;
    let (_, before) = api.get(&format!("/api/chats/{target}"), &alice).await;
    for due in [
        8_640_000_000_000_001i64,
        -8_640_000_000_000_001,
        i64::MIN,
        i64::MAX,
    ] {
        let (status, body) = api
            .action(
                "follow-up",
                &alice,
                json!({"chat_ids": [target, other], "follow_up": {"due_at": due, "note": "call back"}}),
            )
            .await;
        assert_eq!(status, 400, "due_at {due}: {body}");
        let (code, message) = error_of(&body);
        assert_eq!(code, "invalid_input");
        assert!(
            message.starts_with("due_at: must be between ")
                && message.contains("from 5 minutes ago to 730 days ahead")
                && message.contains(&due.to_string()),
            "{message}"
        );
    }
    // Nothing was stored: no follow-up, no event, the same sequence number.
    let (_, after) = api.get(&format!("/api/chats/{target}"), &alice).await;
    assert_eq!(after["follow_up"], Value::Null);
    assert_eq!(after["last_seq"], before["last_seq"]);
    let (_, events) = api
        .get(&format!("/api/chats/{target}/events"), &alice)
        .await;
    assert!(
        !events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "follow_up_set"),
        "{events}"
    );
    // Every console showing the group still lists both chats.
    for (who, query) in [
        ("alice", "view=group&group_id=support"),
        ("carol", "view=queue"),
        ("admin", "view=global"),
    ] {
        let token = api.login(who).await;
        let rows = api.list(&token, query).await;
        let ids: Vec<&str> = rows.iter().filter_map(|r| r["id"].as_str()).collect();
        assert!(
            ids.contains(&target.as_str()) && ids.contains(&other.as_str()),
            "{who} {query}: {ids:?}"
        );
        assert!(rows.iter().all(|r| r["follow_up"].is_null()));
    }
    // A sensible follow-up still goes through.
    let due = SystemClock.now().millis() + DAY_MS;
    let (status, body) = api
        .action(
            "follow-up",
            &alice,
            json!({"chat_ids": [target], "follow_up": {"due_at": due, "note": "call back"}}),
        )
        .await;
    assert_eq!((status, &body["succeeded"]), (200, &json!(1)), "{body}");
    let (_, chat) = api.get(&format!("/api/chats/{target}"), &alice).await;
    assert_eq!(chat["follow_up"]["due_at"], json!(due));
}

/// The range moves with the clock and its bounds are inclusive.
async fn follow_up_times_are_accepted_from_just_before_now_to_two_years_ahead(server: TestServer) {
    let now = Timestamp(1_767_225_600_000); // 2026-01-01T00:00:00Z
    let api = InProcess::over(&server, now, 200);
    let chat = new_chat(&server.stores, "support", "Ann", now).await;
    let alice = api.login("alice").await;
    let set = |due: i64| json!({"chat_ids": [chat.id.as_str()], "follow_up": {"due_at": due, "note": "call"}});
    let earliest = now.millis() - 5 * MINUTE_MS;
    let latest = now.millis() + MAX_FOLLOW_UP_AHEAD_MS;
    for (due, accepted) in [
        (earliest - 1, false),
        (earliest, true),
        (latest, true),
        (latest + 1, false),
    ] {
        let (status, body) = api.action(&alice, "follow-up", set(due)).await;
        if accepted {
            assert_eq!(
                (status, &body["succeeded"]),
                (200, &json!(1)),
                "{due}: {body}"
            );
        } else {
            assert_eq!(status, 400, "{due}: {body}");
            let (_, message) = error_of(&body);
            assert!(
                message.contains("2025-12-31T23:55:00Z and 2028-01-01T00:00:00Z"),
                "{message}"
            );
        }
    }
    // A day later, a day more is allowed.
    api.clock.advance_ms(DAY_MS);
    let (status, body) = api.action(&alice, "follow-up", set(latest + 1)).await;
    assert_eq!(status, 200, "{body}");
}

/// `after`, `limit` and a WebSocket resume's `after_seq` are refused beyond their ranges, naming
/// the field and the range; within them the read answers as before.
async fn sequence_numbers_and_counts_out_of_range_are_refused(server: TestServer) {
    let api = Api::new(&server.base_url);
    let (chat, customer) = api.start_chat("support", "Ann", "Hello").await;
    let events = |query: &str| format!("/api/chats/{chat}/events?{query}");
    for (query, message) in [
        (
            "after=1000000000000",
            "after: must be between 0 and 999999999999; got 1000000000000",
        ),
        (
            "after=18446744073709551615",
            "after: must be between 0 and 999999999999; got 18446744073709551615",
        ),
        ("limit=0", "limit: must be between 1 and 500; got 0"),
        ("limit=501", "limit: must be between 1 and 500; got 501"),
    ] {
        let (status, body) = api.get(&events(query), &customer).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(error_of(&body), ("invalid_input", message), "{query}");
    }
    let (status, body) = api
        .get(&events("after=18446744073709551616"), &customer)
        .await;
    assert_eq!(
        (status, error_of(&body).0),
        (400, "invalid_query"),
        "{body}"
    );
    let alice = api.login("alice").await;
    let (status, body) = api
        .get(&events("after=999999999999&limit=500"), &alice)
        .await;
    assert_eq!((status, body), (200, json!([])));
    let (status, body) = api.get(&events("after=0&limit=1"), &alice).await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().map(Vec::len), Some(1));

    let mut ws = Ws::connect(&server.ws_url(&customer)).await.unwrap();
    ws.send(json!({"action": "resume", "chat_id": chat, "after_seq": u64::MAX}))
        .await;
    let frame = ws
        .expect("error", |f| f["type"] == "error" && f["action"] == "resume")
        .await;
    assert_eq!(frame["error"], "invalid_input", "{frame}");
    assert_eq!(
        frame["message"],
        format!(
            "after_seq: must be between 0 and 999999999999; got {}",
            u64::MAX
        )
    );
    ws.close().await;
}

/// Reads a view page by page until it says it is complete.
async fn read_pages(api: &InProcess, token: &str, query: &str) -> Vec<Vec<Value>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => format!("/api/chats?{query}"),
            Some(c) => format!("/api/chats?{query}&cursor={c}"),
        };
        let (status, body) = api.call("GET", &path, Some(token), None).await;
        assert_eq!(status, 200, "{path}: {body}");
        pages.push(body["rows"].as_array().unwrap().clone());
        assert!(pages.len() <= 20, "{query} never ends");
        match (body["truncated"].as_bool(), body["next_cursor"].as_str()) {
            (Some(true), Some(next)) => cursor = Some(next.to_owned()),
            (Some(false), None) => return pages,
            other => panic!("{query}: truncated and next_cursor disagree: {other:?}"),
        }
    }
}

fn ids(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Every page holds at most the page size, every chat of the view comes exactly once, and the
/// expected chats (in the order the pages come) are exactly `expected`.
fn assert_paged(query: &str, pages: &[Vec<Value>], size: usize, expected: &[&Chat]) {
    for (i, page) in pages.iter().enumerate() {
        assert!(page.len() <= size, "{query}: page {i} holds {}", page.len());
        let last = i + 1 == pages.len();
        assert!(
            last || page.len() == size,
            "{query}: only the last page is short"
        );
    }
    let mut seen: Vec<String> = pages.iter().flat_map(|p| ids(p)).collect();
    let count = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), count, "{query}: a chat came twice");
    let mut want: Vec<String> = expected.iter().map(|c| c.id.to_string()).collect();
    want.sort();
    assert_eq!(seen, want, "{query}");
}

/// A flood of chats in one group, read three at a time in every view: each page says whether
/// more follow, the pages together hold every chat once, and the queue's first page holds the
/// customers who waited longest, whichever group they are in.
async fn lists_say_they_are_truncated_and_page_beyond_exactly_once(server: TestServer) {
    const PAGE: usize = 3;
    let t0 = Timestamp(1_767_225_600_000);
    let api = InProcess::over(&server, t0.plus_millis(3_600_000), PAGE);
    let s = &server.stores;
    // Support's customer came first; then a flood in sales, with billing's customer arriving
    // at the same millisecond as one of the flood (the id decides between them).
    let support_first = new_chat(s, "support", "Sue", t0).await;
    let mut flood = Vec::new();
    for i in 1..=8 {
        flood.push(new_chat(s, "sales", &format!("Spam {i}"), t0.plus_millis(i * 1000)).await);
    }
    let billing = new_chat(s, "billing", "Bea", t0.plus_millis(2000)).await;
    let support_later = new_chat(s, "support", "Sam", t0.plus_millis(60_000)).await;
    let admin = api.login("admin").await;
    let carol = api.login("carol").await;

    // The admin deals with part of the flood: four taken, ended and deleted, one only ended.
    let (_, moved) = api
        .action(&admin, "take", json!({"chat_ids": ids_of(&flood[3..8])}))
        .await;
    assert_eq!(moved["succeeded"], 5, "{moved}");
    api.clock.advance_ms(1000);
    let (_, ended) = api
        .action(&admin, "end", json!({"chat_ids": ids_of(&flood[3..8])}))
        .await;
    assert_eq!(ended["succeeded"], 5, "{ended}");
    let (_, deleted) = api
        .action(&admin, "delete", json!({"chat_ids": ids_of(&flood[4..8])}))
        .await;
    assert_eq!(deleted["succeeded"], 4, "{deleted}");

    let queued: Vec<&Chat> = [&support_first, &billing, &support_later]
        .into_iter()
        .chain(&flood[0..3])
        .collect();
    // The queue: the three longest-waiting customers first, across groups.
    let pages = read_pages(&api, &admin, "view=queue").await;
    assert_eq!(
        pages.len(),
        2,
        "six queued chats, three a page: exactly two pages"
    );
    assert_paged("queue", &pages, PAGE, &queued);
    let mut first_three = [&support_first, &flood[0], &flood[1], &billing];
    first_three.sort_by_key(|c| (c.started_at, c.id.clone()));
    let mut first_page = ids(&pages[0]);
    first_page.sort();
    let mut longest_waiting: Vec<String> =
        first_three[..3].iter().map(|c| c.id.to_string()).collect();
    longest_waiting.sort();
    assert_eq!(
        first_page, longest_waiting,
        "the longest-waiting customers come first"
    );
    assert!(ids(&pages[0]).contains(&support_first.id.to_string()));

    // Carol's queue holds only her groups (billing and support).
    let pages = read_pages(&api, &carol, "view=queue").await;
    assert_paged(
        "carol's queue",
        &pages,
        PAGE,
        &[&support_first, &billing, &support_later],
    );

    // One group's live chats: its queued ones, then the active one (none here but the flood).
    let pages = read_pages(&api, &admin, "view=group&group_id=sales").await;
    assert_paged(
        "sales",
        &pages,
        PAGE,
        &flood[0..3].iter().collect::<Vec<_>>(),
    );
    let ended_chat = &flood[3];
    let pages = read_pages(&api, &admin, "view=group&group_id=sales&inactive=true").await;
    assert_paged("sales ended", &pages, PAGE, &[ended_chat]);

    // Global Live Chats: the live chats of every group, then the ended ones.
    let everything: Vec<&Chat> = queued.iter().copied().chain([ended_chat]).collect();
    let pages = read_pages(&api, &admin, "view=global").await;
    assert_paged("global", &pages, PAGE, &everything);
    assert_eq!(
        ids(pages.last().unwrap()),
        vec![ended_chat.id.to_string()],
        "ended chats come after every live one"
    );

    // Deleted: four, three a page.
    let deleted: Vec<&Chat> = flood[4..8].iter().collect();
    let pages = read_pages(&api, &admin, "view=deleted").await;
    assert_paged("deleted", &pages, PAGE, &deleted);
    // My Completed holds the ended chat that is not deleted.
    let pages = read_pages(&api, &admin, "view=my_completed").await;
    assert_paged("my completed", &pages, PAGE, &[ended_chat]);

    // Each page is sorted as asked, like the whole list used to be.
    let (_, page) = api
        .call(
            "GET",
            "/api/chats?view=queue&sort=user&dir=desc",
            Some(&admin),
            None,
        )
        .await;
    let users: Vec<&str> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user"].as_str().unwrap())
        .collect();
    let mut sorted = users.clone();
    sorted.sort_by_key(|u| std::cmp::Reverse(u.to_lowercase()));
    assert_eq!(users, sorted);
}

fn ids_of(chats: &[Chat]) -> Vec<String> {
    chats.iter().map(|c| c.id.to_string()).collect()
}

/// A cursor is refused by a list it does not belong to, and anything that is not a cursor is
/// refused, naming the field; neither reads anything.
async fn a_cursor_is_only_read_by_its_own_list(server: TestServer) {
    let t0 = Timestamp(1_767_225_600_000);
    let api = InProcess::over(&server, t0.plus_millis(60_000), 1);
    new_chat(&server.stores, "support", "Sue", t0).await;
    new_chat(&server.stores, "support", "Sam", t0.plus_millis(1000)).await;
    let admin = api.login("admin").await;
    let (_, first) = api
        .call("GET", "/api/chats?view=queue", Some(&admin), None)
        .await;
    assert_eq!(first["truncated"], true, "{first}");
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let too_long = "0".repeat(129);
    for (query, reason) in [
        (
            format!("view=deleted&cursor={cursor}"),
            "does not belong to this list",
        ),
        (
            format!("view=my_completed&cursor={cursor}"),
            "does not belong to this list",
        ),
        (
            "view=queue&cursor=1".to_owned(),
            "does not belong to this list",
        ),
        (
            "view=queue&cursor=nonsense".to_owned(),
            "is not a list cursor",
        ),
        (
            "view=queue&cursor=0.q.-5.abc".to_owned(),
            "is not a list cursor",
        ),
        (
            format!("view=queue&cursor={too_long}"),
            "is longer than 128 characters",
        ),
    ] {
        let (status, body) = api
            .call("GET", &format!("/api/chats?{query}"), Some(&admin), None)
            .await;
        assert_eq!(status, 400, "{query}: {body}");
        let (code, message) = error_of(&body);
        assert_eq!(code, "invalid_input");
        assert!(
            message.starts_with(&format!("cursor: {reason}")),
            "{query}: {message}"
        );
    }
    let (status, second) = api
        .call(
            "GET",
            &format!("/api/chats?view=queue&cursor={cursor}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(second["rows"][0]["user"], "Sam");
    assert_eq!(second["truncated"], false);
}
