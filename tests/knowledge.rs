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
    assert_eq!(resolutions[0].question, "My mailbox is full");
    assert_eq!(resolutions[0].resolution, "Emptied trash and spam folders");
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
