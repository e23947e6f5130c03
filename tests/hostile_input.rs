//! Hostile input: whatever arrives, the answer is a clear 4xx (or an error frame) naming the
//! problem, and nothing is lost or half-written.

use chatdesk_tests::client::{Api, Ws};
use chatdesk_tests::server::{spawn_server, spawn_server_with};
use serde_json::json;

#[tokio::test]
async fn invalid_utf8_and_wrong_content_types_are_refused() {
    let server = spawn_server().await;
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{}/api/chats", server.base_url))
        .header("content-type", "application/json")
        .body(vec![b'{', 0xff, 0xfe, b'}'])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_json");
    assert!(body["message"].as_str().unwrap().contains("UTF-8"));

    let resp = http
        .post(format!("{}/api/chats", server.base_url))
        .header("content-type", "text/plain")
        .body("group_id=support")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 415);
}

#[tokio::test]
async fn very_long_and_malformed_ids_are_refused_clearly() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let admin = api.login("admin").await;
    let long = "a".repeat(10_000);
    let (status, body) = api.get(&format!("/api/chats/{long}"), &admin).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_input");
    assert!(body["message"].as_str().unwrap().contains("chat_id"));
    let (status, _) = api.get("/api/chats/%00%01", &admin).await;
    assert_eq!(status, 400);
    let (status, body) = api
        .action("delete", &admin, json!({"chat_ids":[long]}))
        .await;
    assert_eq!(status, 400, "{body}");
    let mut ws = Ws::connect(&server.ws_url(&admin)).await.unwrap();
    ws.send(json!({"action":"watch","chat_id": long})).await;
    let e = ws.expect("error", |f| f["type"] == "error").await;
    assert_eq!(e["error"], "invalid_input");
}

#[tokio::test]
async fn control_characters_and_oversized_frames_get_error_frames_and_store_nothing() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, customer) = api.start_chat("support", "Ann", "Hi").await;
    api.action("pull", &alice, json!({"chat_ids":[chat]})).await;
    let mut ws = Ws::connect(&server.ws_url(&customer)).await.unwrap();
    ws.send(json!({"action":"send","chat_id":chat,"client_msg_id":"c1","body":"bell\u{0007}"}))
        .await;
    let e = ws.expect("error", |f| f["type"] == "error").await;
    assert_eq!(e["error"], "invalid_input");
    assert!(e["message"].as_str().unwrap().contains("control"));
    ws.send_raw(format!(
        r#"{{"action":"send","chat_id":"{chat}","client_msg_id":"c2","body":"{}"}}"#,
        "x".repeat(40 * 1024)
    ))
    .await;
    let e = ws.expect("error", |f| f["type"] == "error").await;
    assert_eq!(e["error"], "too_large");
    ws.send(json!({"action":"send","chat_id":chat,"client_msg_id":"c3","body":"x".repeat(4001)}))
        .await;
    let e = ws.expect("error", |f| f["type"] == "error").await;
    assert_eq!(e["error"], "invalid_input");
    assert!(e["message"].as_str().unwrap().contains("4000"));
    let (_, events) = api.get(&format!("/api/chats/{chat}/events"), &alice).await;
    let messages = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "message")
        .count();
    assert_eq!(messages, 1, "only the opening question was stored");
    // The connection is still usable.
    ws.send(json!({"action":"send","chat_id":chat,"client_msg_id":"c4","body":"<script>alert(1)</script>"})).await;
    let stored = ws
        .expect(
            "the stored message",
            chatdesk_tests::client::is_ack_of("c4"),
        )
        .await;
    assert_eq!(
        stored["type"], "event",
        "acknowledged by its own event: {stored}"
    );
    let (_, events) = api
        .get(&format!("/api/chats/{chat}/events?after=0"), &alice)
        .await;
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["body"], "<script>alert(1)</script>",
        "stored verbatim, as text"
    );
}

#[tokio::test]
async fn console_pages_carry_a_strict_content_security_policy() {
    let server = spawn_server().await;
    let resp = reqwest::get(format!("{}/console/", server.base_url))
        .await
        .unwrap();
    let csp = resp
        .headers()
        .get("content-security-policy")
        .expect("CSP header")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("object-src 'none'"));
    assert_eq!(
        resp.headers().get("x-content-type-options").unwrap(),
        "nosniff"
    );
}

/// Another site framing the console could overlay it and trick an agent into clicks
/// (clickjacking): the console refuses every frame; the chat page stays embeddable, since the
/// website widget (`embed.js`) opens it in a frame on the company's site.
#[tokio::test]
async fn only_the_chat_page_may_be_framed() {
    let server = spawn_server().await;
    for (path, embeddable) in [
        ("/console/", false),
        ("/console/index.html", false),
        ("/embed.js", false),
        ("/chat/", true),
        ("/chat/?group=support&embed=1", true),
    ] {
        let resp = reqwest::get(format!("{}{path}", server.base_url))
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        let csp = resp.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        if embeddable {
            assert!(csp.contains("frame-ancestors *"), "{path}: {csp}");
            assert!(resp.headers().get("x-frame-options").is_none(), "{path}");
        } else {
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(!csp.contains("frame-ancestors *"), "{path}: {csp}");
            assert_eq!(resp.headers()["x-frame-options"], "DENY", "{path}");
        }
    }
}

#[tokio::test]
async fn cors_is_limited_to_configured_origins() {
    let server = spawn_server_with(
        chatdesk_server::Stores::all_in(chatdesk::sqlite::SqliteStore::open_in_memory().unwrap()),
        |c| c.allowed_origins = vec!["https://help.example.com".into()],
    )
    .await;
    let http = reqwest::Client::new();
    for (origin, allowed) in [
        ("https://help.example.com", true),
        ("https://evil.example", false),
    ] {
        let resp = http
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/api/chats", server.base_url),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .unwrap();
        let acao = resp
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_owned());
        if allowed {
            assert_eq!(acao.as_deref(), Some(origin));
        } else {
            assert_eq!(acao, None, "{origin} must not be allowed");
        }
    }
    // Without configuration, no origin but the server's own is allowed.
    let plain = spawn_server().await;
    let resp = http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/chats", plain.base_url),
        )
        .header("origin", "https://help.example.com")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(resp.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn identity_validation_verifies_signed_user_ids() {
    let secret = "a-secret-of-at-least-thirty-two-bytes!!";
    let server = spawn_server_with(
        chatdesk_server::Stores::all_in(chatdesk::sqlite::SqliteStore::open_in_memory().unwrap()),
        |c| c.identity_secret = Some(secret.into()),
    )
    .await;
    let api = Api::new(&server.base_url);
    let signer = chatdesk::auth::identity::IdentityVerifier::new(secret.as_bytes()).unwrap();
    let good = signer.sign("user-42");
    let (status, body) = api
        .call("POST", "/api/chats", None, Some(json!({"group_id":"support","name":"Ann","question":"Hi","identity":{"user_id":"user-42","hash":good}})))
        .await;
    assert_eq!(status, 201, "{body}");
    let chat = body["chat"]["id"].as_str().unwrap().to_owned();
    let admin = api.login("admin").await;
    let (_, row) = api.get(&format!("/api/chats/{chat}"), &admin).await;
    assert_eq!(row["verified_user_id"], "user-42");
    // Someone else's user id with a hash that is not theirs.
    let (status, body) = api
        .call("POST", "/api/chats", None, Some(json!({"group_id":"support","name":"Eve","question":"Hi","identity":{"user_id":"user-43","hash":good}})))
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        api.list(&admin, "view=queue").await.len(),
        1,
        "nothing was created"
    );
    // Without a secret configured, identities are refused rather than trusted.
    let plain = spawn_server().await;
    let (status, body) = Api::new(&plain.base_url)
        .call("POST", "/api/chats", None, Some(json!({"group_id":"support","name":"Ann","question":"Hi","identity":{"user_id":"u","hash":"00"}})))
        .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn a_connection_sending_faster_than_its_limit_is_slowed_down() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let (chat, customer) = api.start_chat("support", "Ann", "Hi").await;
    api.action("pull", &alice, json!({"chat_ids":[chat]})).await;
    let mut ws = Ws::connect(&server.ws_url(&customer)).await.unwrap();
    let limit = chatdesk::ports::RateLimit::default().limit as usize;
    // Frames of any kind count against the connection (messages have their own, tighter pace per
    // chat: tests/floods.rs). Windows are fixed (counted per 10 s slot of the clock): a burst
    // that straddles a slot boundary may pass up to the limit in each of the two slots. Twice the
    // limit and a few more, sent well within one window's length, always overrun one slot.
    let sent = 2 * limit + 5;
    for _ in 0..sent {
        ws.send(json!({"action":"typing","chat_id":chat,"typing":true}))
            .await;
    }
    let e = ws
        .expect("rate limit", |f| {
            f["type"] == "error" && f["error"] == "rate_limited"
        })
        .await;
    assert!(e["message"].as_str().unwrap().contains("slow down"), "{e}");
    let mut limited = 1;
    while let Some(f) = ws.next(std::time::Duration::from_millis(800)).await {
        if f["type"] == "error" && f["error"] == "rate_limited" {
            limited += 1;
        }
    }
    assert!(
        limited >= sent - 2 * limit,
        "every frame over the limit was refused ({limited} of {sent})"
    );
    assert!(
        limited <= sent - limit,
        "frames within the limit passed ({limited} refused)"
    );
}
