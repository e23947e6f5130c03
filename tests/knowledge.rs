//! The knowledge base through the API: who may edit, what customers may read, imports, and
//! resolutions recorded when chats end.

use chatdesk_tests::client::Api;
use chatdesk_tests::server::spawn_server;
use serde_json::json;

#[tokio::test]
async fn managers_edit_articles_agents_read_drafts_customers_only_published_ones() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let manager = api.login("manager").await;
    let alice = api.login("alice").await;
    let article = json!({"title":"Reset your password","body":"Use **Forgot password**.","tags":["Account","account"],"groups":["support"],"published":true});

    let (status, body) = api.post("/api/kb/articles", &alice, article.clone()).await;
    assert_eq!(status, 403, "agents do not edit: {body}");
    let (status, created) = api.post("/api/kb/articles", &manager, article).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["tags"], json!(["account"]), "tags normalised");
    let id = created["id"].as_str().unwrap().to_owned();

    let (status, draft) = api
        .post(
            "/api/kb/articles",
            &manager,
            json!({"title":"Secret plan","body":"Not yet."}),
        )
        .await;
    assert_eq!(status, 201);
    let draft_id = draft["id"].as_str().unwrap().to_owned();

    // Anyone reads a published article; a draft only agents.
    let (status, public) = api
        .call("GET", &format!("/api/kb/articles/{id}"), None, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(public["title"], "Reset your password");
    let (status, _) = api
        .call("GET", &format!("/api/kb/articles/{draft_id}"), None, None)
        .await;
    assert_eq!(status, 404, "drafts are invisible to customers");
    let (status, _) = api
        .get(&format!("/api/kb/articles/{draft_id}"), &alice)
        .await;
    assert_eq!(status, 200);
    let (status, list) = api.get("/api/kb/articles", &alice).await;
    assert_eq!(status, 200);
    let listed: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(
        listed.contains(&id.as_str()) && listed.contains(&draft_id.as_str()),
        "drafts listed for agents"
    );

    let (status, updated) = api
        .call(
            "PUT",
            &format!("/api/kb/articles/{id}"),
            Some(&manager),
            Some(json!({"title":"Reset a password","body":"New body","published":true})),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["title"], "Reset a password");
    let (status, _) = api
        .call(
            "PUT",
            "/api/kb/articles/nope",
            Some(&manager),
            Some(json!({"title":"x","body":"y"})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, body) = api
        .post(
            "/api/kb/articles",
            &manager,
            json!({"title":"x","body":"y","groups":["nope"]}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = api
        .call(
            "DELETE",
            &format!("/api/kb/articles/{id}"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = api
        .call(
            "DELETE",
            &format!("/api/kb/articles/{id}"),
            Some(&manager),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = api
        .call("GET", &format!("/api/kb/articles/{id}"), None, None)
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn ending_with_a_resolution_records_it_for_the_group() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, _) = api.start_chat("support", "Ann", "My mailbox is full").await;
    api.action("pull", &alice, json!({"chat_ids":[chat]})).await;
    let (_, out) = api
        .action(
            "end",
            &alice,
            json!({"chat_ids":[chat],"resolution":"Emptied trash and spam folders"}),
        )
        .await;
    assert_eq!(out["succeeded"], 1);
    let resolutions = server.stores.knowledge.list_resolutions().await.unwrap();
    assert_eq!(resolutions.len(), 1);
    assert_eq!(resolutions[0].resolution, "Emptied trash and spam folders");
    assert_eq!(
        resolutions[0].title(),
        "Emptied trash and spam folders",
        "titled by the agent's note, not the customer's question"
    );
    assert_eq!(resolutions[0].group_id.as_str(), "support");
    assert_eq!(resolutions[0].agent_name, "Alice");
    // Ending without a note records nothing.
    let (chat2, _) = api.start_chat("support", "Bo", "Hello").await;
    api.action("pull", &alice, json!({"chat_ids":[chat2]}))
        .await;
    api.action("end", &alice, json!({"chat_ids":[chat2]})).await;
    assert_eq!(
        server
            .stores
            .knowledge
            .list_resolutions()
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn only_managers_see_deflection_counts() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let (status, _) = api.get("/api/kb/stats", &api.login("alice").await).await;
    assert_eq!(status, 403);
    let (status, report) = api.get("/api/kb/stats", &api.login("manager").await).await;
    assert_eq!(status, 200);
    assert!(report["by_group"].is_object());
}

#[tokio::test]
async fn feedback_needs_a_question_id_the_service_issued() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    for qid in ["made-up", "01J.support.0000000000000000000000000000000"] {
        let (status, body) = api
            .call(
                "POST",
                "/api/suggestions/feedback",
                None,
                Some(json!({"question_id": qid, "item_id": "a1", "action": "solved"})),
            )
            .await;
        assert_eq!(status, 400, "{qid}: {body}");
    }
}

#[tokio::test]
async fn importing_a_folder_reports_bad_files_and_imports_good_ones() {
    let server = spawn_server().await;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "Reset Password Now.md",
        "---\ntitle: Reset your password\ntags: account\ngroups: support\n---\nUse the link.\n",
    );
    write(
        "billing.md",
        "---\ntitle: Refunds\ngroups: billing\npublished: false\n---\nWithin 30 days.\n",
    );
    write("no-front-matter.md", "Just text\n");
    write(
        "unknown-group.md",
        "---\ntitle: X\ngroups: marketing\n---\nBody\n",
    );
    write("image.png", "\u{89}PNG");
    let batch = chatdesk::domain::kb_import::read_path(dir.path()).unwrap();
    let kb = server.app.knowledge.clone();
    let mut seen = Vec::new();
    let summary = kb
        .import(&server.app, batch, |source| seen.push(source.to_owned()))
        .await
        .unwrap();
    assert_eq!(summary.created, 2);
    assert_eq!(summary.updated, 0);
    let mut reasons: Vec<String> = summary
        .skipped
        .iter()
        .map(|s| {
            format!(
                "{}: {}",
                std::path::Path::new(&s.source)
                    .file_name()
                    .unwrap()
                    .to_string_lossy(),
                s.reason
            )
        })
        .collect();
    reasons.sort();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(
        reasons[0].starts_with("image.png: not a Markdown"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].starts_with("no-front-matter.md: no front matter"),
        "{reasons:?}"
    );
    assert!(
        reasons[2].contains("there is no group marketing"),
        "{reasons:?}"
    );
    assert_eq!(seen.len(), 3, "progress reported per article tried");
    let article = server
        .stores
        .knowledge
        .get_article(&chatdesk::domain::ArticleId::parse("reset-password-now").unwrap())
        .await
        .unwrap()
        .expect("id from the file name");
    assert_eq!(article.title, "Reset your password");
    // Importing again updates instead of duplicating.
    let batch = chatdesk::domain::kb_import::read_path(dir.path()).unwrap();
    let again = kb.import(&server.app, batch, |_| {}).await.unwrap();
    assert_eq!((again.created, again.updated), (0, 2));
}

#[tokio::test]
async fn the_demo_organisation_comes_with_articles() {
    let server = spawn_server().await;
    let articles = server.stores.knowledge.list_articles().await.unwrap();
    assert!(articles.len() >= 12, "{} demo articles", articles.len());
    assert!(
        articles.iter().any(|a| !a.published),
        "the demo has a draft too"
    );
}

async fn server_with_suggestions() -> chatdesk_tests::server::TestServer {
    chatdesk_tests::server::spawn_server_with(
        chatdesk_server::Stores::all_in(chatdesk::sqlite::SqliteStore::open_in_memory().unwrap()),
        |c| c.suggestions = true,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_question_gets_the_right_article_in_other_words() {
    let server = server_with_suggestions().await;
    let api = Api::new(&server.base_url);
    let (status, body) = api
        .call(
            "GET",
            "/api/suggestions?q=i%20forgot%20how%20to%20log%20in&group_id=support",
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["mode"], "hybrid",
        "the model is installed by the test command"
    );
    assert_eq!(body["suggestions"][0]["id"], "reset-password", "{body}");
    // Group filter: billing articles are not offered for support, and drafts never.
    let ids: Vec<&str> = body["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"refund-policy"));
    assert!(!ids.contains(&"draft-migration"));
    let (_, body) = api
        .call(
            "GET",
            "/api/suggestions?q=can%20i%20get%20my%20money%20back&group_id=billing",
            None,
            None,
        )
        .await;
    assert_eq!(body["suggestions"][0]["id"], "refund-policy", "{body}");
    // Snippets are plain text with highlight ranges on character boundaries.
    for s in body["suggestions"].as_array().unwrap() {
        let snippet = s["snippet"].as_str().unwrap();
        for h in s["highlights"].as_array().unwrap() {
            let (a, b) = (
                h["start"].as_u64().unwrap() as usize,
                h["end"].as_u64().unwrap() as usize,
            );
            assert!(snippet.is_char_boundary(a) && snippet.is_char_boundary(b) && a < b);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolutions_feed_later_suggestions_of_the_same_group() {
    let server = server_with_suggestions().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (first, _) = api
        .start_chat(
            "support",
            "Ann",
            "The printer in our office shows error E42",
        )
        .await;
    api.action("pull", &alice, json!({"chat_ids":[first]}))
        .await;
    api.action("end", &alice, json!({"chat_ids":[first],"resolution":"E42 means the toner cartridge is not seated: reseat it until it clicks"})).await;

    let (second, _) = api
        .start_chat("support", "Bo", "office printer says E42, what now?")
        .await;
    api.action("pull", &alice, json!({"chat_ids":[second]}))
        .await;
    let (status, body) = api
        .get(&format!("/api/chats/{second}/suggestions"), &alice)
        .await;
    assert_eq!(status, 200, "{body}");
    let top = &body["suggestions"][0];
    assert_eq!(top["kind"], "resolution", "{body}");
    assert_eq!(top["id"], format!("resolution:{first}"));
    // Another group's agents do not get it.
    let (third, _) = api
        .start_chat("sales", "Cy", "office printer says E42, what now?")
        .await;
    let bob = api.login("bob").await;
    api.action("pull", &bob, json!({"chat_ids":[third]})).await;
    let (status, body) = api
        .get(&format!("/api/chats/{third}/suggestions"), &bob)
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["kind"] != "resolution"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deflection_counts_what_was_shown_clicked_and_solved() {
    let server = server_with_suggestions().await;
    let api = Api::new(&server.base_url);
    let (_, body) = api
        .call(
            "GET",
            "/api/suggestions?q=my%20mailbox%20is%20full&group_id=support",
            None,
            None,
        )
        .await;
    let qid = body["question_id"].as_str().unwrap().to_owned();
    let shown = body["suggestions"].as_array().unwrap().len() as u64;
    assert!(shown > 0);
    let item = body["suggestions"][0]["id"].as_str().unwrap().to_owned();
    for action in ["clicked", "solved", "solved"] {
        let (status, _) = api
            .call(
                "POST",
                "/api/suggestions/feedback",
                None,
                Some(json!({"question_id": qid, "item_id": item, "action": action})),
            )
            .await;
        assert_eq!(status, 200);
    }
    let (_, report) = api.get("/api/kb/stats", &api.login("manager").await).await;
    assert_eq!(report["by_group"]["support"]["shown"], shown);
    assert_eq!(report["by_group"]["support"]["clicked"], 1);
    assert_eq!(
        report["by_group"]["support"]["solved"], 1,
        "a repeat is counted once"
    );
    assert_eq!(report["by_item"][item.as_str()]["solved"], 1);
}
