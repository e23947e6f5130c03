//! Suggestions leak nothing and deflection counts are honest, over HTTP on the local server,
//! on the embedded store and on DynamoDB (moto).
//!
//! The attacks reproduced (issue 10): anyone, without signing in, asked
//! `GET /api/suggestions?q=...` and got past resolutions, titled with another customer's whole
//! question (name, e-mail, account number) and quoting the agent's internal note; purging the
//! chat did not remove them. And feedback counted clicks and "solved" for question ids and
//! items that were never shown together.

use chatdesk_tests::client::Api;
use chatdesk_tests::server::TestServer;
use serde_json::{json, Value};

/// What the first customer typed: personal data nobody else may ever read.
const QUESTION: &str =
    "I am Ann Smith, ann.smith@example.com, account 88231: the office printer shows error E42";
const NOTE: &str = "Error E42 means the toner cartridge is loose. Reseat it until it clicks; \
                    the customer is on the old firmware.";
const NOTE_TITLE: &str = "Error E42 means the toner cartridge is loose.";

async fn sqlite_server() -> TestServer {
    chatdesk_tests::server::spawn_server_with(
        chatdesk_server::Stores::all_in(chatdesk::sqlite::SqliteStore::open_in_memory().unwrap()),
        |c| c.suggestions = true,
    )
    .await
}

async fn dynamodb_server() -> TestServer {
    let (stores, _) = chatdesk_tests::dynamo_endpoint::fresh_stores().await;
    chatdesk_tests::server::spawn_server_with(stores, |c| c.suggestions = true).await
}

chatdesk_tests::on_both_stores!(
    worker_threads = 2;
    customers_and_anonymous_callers_never_get_resolutions_or_questions,
    a_customer_reads_that_their_chat_ended_but_not_the_agents_note,
    a_customer_socket_is_told_of_the_end_without_the_agents_note,
    agents_of_the_group_get_the_note_titled_by_its_first_sentence_never_the_question,
    purging_a_chat_removes_its_resolution_from_suggestions,
    deflection_cannot_be_inflated_with_fresh_question_ids_or_items_never_shown,
);

/// Ann's chat in Support, ended by Alice with a resolution note. Returns its id.
async fn resolved_chat(api: &Api, alice: &str) -> String {
    let (chat, _) = api.start_chat("support", "Ann", QUESTION).await;
    api.action("pull", alice, json!({"chat_ids":[chat]})).await;
    let (_, out) = api
        .action("end", alice, json!({"chat_ids":[chat],"resolution":NOTE}))
        .await;
    assert_eq!(out["succeeded"], 1, "{out}");
    chat
}

fn assert_no_private_text(body: &Value) {
    let text = body.to_string();
    for private in ["88231", "ann.smith", "Ann Smith", "old firmware", "toner"] {
        assert!(!text.contains(private), "{private:?} leaked: {text}");
    }
}

fn kinds(body: &Value) -> Vec<String> {
    body["suggestions"]
        .as_array()
        .map(|a| a.iter().map(|s| s["kind"].to_string()).collect())
        .unwrap_or_default()
}

async fn customers_and_anonymous_callers_never_get_resolutions_or_questions(server: TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let first = resolved_chat(&api, &alice).await;
    let (_, other_customer) = api.start_chat("support", "Bo", "Printer says E42").await;

    // The attack: the words of the first customer's problem, with and without a group, with no
    // token and with another customer's token.
    for query in [
        "q=office%20printer%20error%20E42%20toner&group_id=support",
        "q=office%20printer%20error%20E42%20toner",
        "q=Ann%20Smith%20account%2088231&group_id=support",
    ] {
        for token in [None, Some(other_customer.as_str())] {
            let (status, body) = api
                .call("GET", &format!("/api/suggestions?{query}"), token, None)
                .await;
            assert_eq!(status, 200, "{query}: {body}");
            assert!(
                kinds(&body).iter().all(|k| k == "\"article\""),
                "{query}: {body}"
            );
            assert_no_private_text(&body);
        }
    }

    let (status, _) = api
        .call(
            "GET",
            &format!("/api/chats/{first}/suggestions"),
            Some(&other_customer),
            None,
        )
        .await;
    assert_eq!(status, 403, "in-chat suggestions are for agents");
}

async fn a_customer_reads_that_their_chat_ended_but_not_the_agents_note(server: TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, customer) = api.start_chat("support", "Ann", QUESTION).await;
    api.action("pull", &alice, json!({"chat_ids":[chat]})).await;
    api.action("end", &alice, json!({"chat_ids":[chat],"resolution":NOTE}))
        .await;
    let (status, events) = api
        .get(&format!("/api/chats/{chat}/events"), &customer)
        .await;
    assert_eq!(status, 200, "{events}");
    let events = events.as_array().cloned().unwrap_or_default();
    let ended = events
        .iter()
        .find(|e| e["type"] == "ended")
        .unwrap_or_else(|| panic!("the customer sees the end: {events:?}"));
    assert!(ended["resolution"].is_null(), "{ended}");
    assert!(!Value::Array(events.clone()).to_string().contains("toner"));
    // Agents still read it in the transcript.
    let (_, events) = api.get(&format!("/api/chats/{chat}/events"), &alice).await;
    assert!(events.to_string().contains("toner cartridge is loose"));
}

/// The same over the customer's WebSocket: the pushed end carries no note, while the agent's
/// open chat receives it.
async fn a_customer_socket_is_told_of_the_end_without_the_agents_note(server: TestServer) {
    use chatdesk_tests::client::{is_event, Ws};
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, customer) = api.start_chat("support", "Ann", QUESTION).await;
    api.action("pull", &alice, json!({"chat_ids":[chat]})).await;
    let mut customer_ws = Ws::connect(&server.ws_url(&customer)).await.unwrap();
    let mut agent_ws = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    agent_ws.watch_chat(&chat).await;
    api.action("end", &alice, json!({"chat_ids":[chat],"resolution":NOTE}))
        .await;
    let ended = customer_ws.expect("end", is_event(&chat, "ended")).await;
    assert!(ended["event"]["resolution"].is_null(), "{ended}");
    assert!(!ended.to_string().contains("toner"), "{ended}");
    let for_agent = agent_ws.expect("end", is_event(&chat, "ended")).await;
    assert_eq!(for_agent["event"]["resolution"], NOTE);
}

async fn agents_of_the_group_get_the_note_titled_by_its_first_sentence_never_the_question(
    server: TestServer,
) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let first = resolved_chat(&api, &alice).await;
    let (second, _) = api
        .start_chat("support", "Bo", "the office printer says E42, what now?")
        .await;
    api.action("pull", &alice, json!({"chat_ids":[second]}))
        .await;
    let (status, body) = api
        .get(&format!("/api/chats/{second}/suggestions"), &alice)
        .await;
    assert_eq!(status, 200, "{body}");
    let resolution = body["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == format!("resolution:{first}"))
        .unwrap_or_else(|| panic!("the agent gets the resolution: {body}"))
        .clone();
    assert_eq!(resolution["kind"], "resolution");
    assert_eq!(resolution["title"], NOTE_TITLE);
    assert!(resolution["snippet"]
        .as_str()
        .unwrap()
        .contains("Reseat it until it clicks"));
    for private in ["88231", "ann.smith", "Ann Smith"] {
        assert!(!body.to_string().contains(private), "{private}: {body}");
    }
    // The stored resolution holds the note, nothing of the question.
    let stored = server.stores.knowledge.list_resolutions().await.unwrap();
    let stored = format!("{stored:?}");
    assert!(
        stored.contains("toner") && !stored.contains("88231"),
        "{stored}"
    );

    // An agent outside the group gets nothing of the chat.
    let bob = api.login("bob").await;
    let (status, _) = api
        .get(&format!("/api/chats/{second}/suggestions"), &bob)
        .await;
    assert_eq!(status, 403);
}

async fn purging_a_chat_removes_its_resolution_from_suggestions(server: TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let admin = api.login("admin").await;
    let first = resolved_chat(&api, &alice).await;
    let (second, _) = api
        .start_chat("support", "Bo", "the office printer says E42, what now?")
        .await;
    api.action("pull", &alice, json!({"chat_ids":[second]}))
        .await;
    let suggested = || async {
        let (status, body) = api
            .get(&format!("/api/chats/{second}/suggestions"), &alice)
            .await;
        assert_eq!(status, 200, "{body}");
        body["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == format!("resolution:{first}"))
    };
    assert!(suggested().await, "suggested before the purge");
    api.action("delete", &alice, json!({"chat_ids":[first]}))
        .await;
    let (_, out) = api
        .action("purge", &admin, json!({"chat_ids":[first]}))
        .await;
    assert_eq!(out["succeeded"], 1, "{out}");
    assert!(!suggested().await, "gone from the index");
    assert!(server
        .stores
        .knowledge
        .list_resolutions()
        .await
        .unwrap()
        .is_empty());
}

async fn question_id(api: &Api, q: &str) -> (String, Vec<String>) {
    let (status, body) = api
        .call(
            "GET",
            &format!("/api/suggestions?q={q}&group_id=support"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let ids = body["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    (body["question_id"].as_str().unwrap().to_owned(), ids)
}

async fn feedback(api: &Api, question: &str, item: &str, action: &str) -> (u16, Value) {
    api.call(
        "POST",
        "/api/suggestions/feedback",
        None,
        Some(json!({"question_id": question, "item_id": item, "action": action})),
    )
    .await
}

async fn deflection_cannot_be_inflated_with_fresh_question_ids_or_items_never_shown(
    server: TestServer,
) {
    let api = Api::new(&server.base_url);
    let (shown_for, shown) = question_id(&api, "my%20mailbox%20is%20full").await;
    let shown_item = shown.first().expect("something is suggested").clone();
    assert!(!shown.contains(&"refund-policy".to_owned()));

    // The attack: twenty fresh question ids, each claiming the same item solved the problem,
    // and an item never shown for a real question.
    for i in 0..20 {
        let (fresh, _) = question_id(&api, &format!("zzqx{i}")).await;
        let (status, body) = feedback(&api, &fresh, &shown_item, "solved").await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"], "invalid_input");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("this suggestion was not shown for that question"),
            "{body}"
        );
    }
    let (status, body) = feedback(&api, &shown_for, "refund-policy", "clicked").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_input"))
    );

    let (_, report) = api.get("/api/kb/stats", &api.login("manager").await).await;
    let support = &report["by_group"]["support"];
    assert_eq!(
        (support["clicked"].as_u64(), support["solved"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(report["by_item"]["refund-policy"].is_null(), "{report}");

    // What was shown for the question still counts, once.
    for _ in 0..2 {
        let (status, body) = feedback(&api, &shown_for, &shown_item, "solved").await;
        assert_eq!(status, 200, "{body}");
    }
    let (_, report) = api.get("/api/kb/stats", &api.login("manager").await).await;
    assert_eq!(report["by_group"]["support"]["solved"], 1);
}
