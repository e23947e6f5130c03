//! An offline message end to end on the local server against a real SMTP server (the sink in
//! `chatdesk_tests::smtp_sink`): the message lands live in the consoles of the group; the agent's
//! reply reaches the customer's mailbox exactly once, from the deployment's address, with the
//! group's address as Reply-To, in the group's own words, with everything typed escaped in the
//! HTML part.

use std::time::Duration;

use chatdesk::domain::EmailAddress;
use chatdesk_server::SmtpConfig;
use chatdesk_tests::client::{Api, Ws};
use chatdesk_tests::smtp_sink::{free_port, SmtpSink};
use serde_json::json;

const FROM: &str = "help@chatdesk.example";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reply_reaches_the_customer_once_with_the_groups_reply_to_and_escaped_content() {
    let port = free_port();
    let sink = SmtpSink::start(port).await;
    let server = chatdesk_tests::server::spawn_server_with(
        chatdesk_server::Stores::all_in(chatdesk::sqlite::SqliteStore::open_in_memory().unwrap()),
        |c| {
            c.smtp = Some(SmtpConfig {
                url: format!("smtp://127.0.0.1:{port}"),
                from: EmailAddress::parse(FROM).unwrap(),
            })
        },
    )
    .await;
    let api = Api::new(&server.base_url);
    let admin = api.login("admin").await;
    let alice = api.login("alice").await;

    // Support's address, and its reply worded by the administrator.
    let (_, current) = api.get("/api/groups/support/settings", &admin).await;
    let (status, saved) = api
        .call(
            "PUT",
            "/api/groups/support/settings",
            Some(&admin),
            Some(json!({
                "distribution": current["distribution"],
                "hand_off": current["hand_off"],
                "offline": {"when_closed_or_unstaffed": "choose_wait_or_message", "reply_to": "support@chatdesk.example"},
                "texts": {"reply_subject": "About your message, {customer_name}",
                          "reply_body": "Dear {customer_name},\n{reply}\n-- {agent_name} of {group}"},
            })),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let (status, refused) = api
        .call(
            "PUT",
            "/api/groups/support/settings",
            Some(&admin),
            Some(
                json!({"distribution": current["distribution"], "hand_off": current["hand_off"],
                        "offline": {"reply_to": "not an address"}}),
            ),
        )
        .await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains("offline.reply_to"));

    let mut console = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    let (status, receipt) = api
        .call(
            "POST",
            "/api/messages",
            None,
            Some(
                json!({"group_id": "support", "name": "Ann <script>x</script>",
                        "email": "ann@example.com", "question": "Is <b>this</b> & that safe?"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{receipt}");
    let id = receipt["id"].as_str().unwrap().to_owned();
    let arrived = console
        .expect("the message, live", |f| {
            f["type"] == "inbox_changed" && f["message"]["id"] == id.as_str()
        })
        .await;
    assert_eq!(arrived["change"], "received");

    let (status, replied) = api
        .post(
            &format!("/api/messages/{id}/reply"),
            &alice,
            json!({"body": "Yes <i>it</i> is."}),
        )
        .await;
    assert_eq!(status, 200, "{replied}");
    let mut received = Vec::new();
    for _ in 0..100 {
        received = sink.messages();
        if !received.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Long enough for a second delivery, were there one.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let received = {
        let all = sink.messages();
        assert!(all.len() >= received.len());
        all
    };
    assert_eq!(received.len(), 1, "exactly one e-mail: {received:?}");
    let mail = &received[0];
    assert_eq!(mail.rcpt_to, vec!["ann@example.com".to_owned()]);
    assert_eq!(mail.mail_from, FROM);
    let unfolded = mail.data.replace("=\r\n", "").replace("=\n", "");
    let header = |name: &str| {
        unfolded
            .lines()
            .take_while(|l| !l.is_empty())
            .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_owned))
    };
    assert_eq!(
        header("Reply-To").as_deref(),
        Some("support@chatdesk.example")
    );
    assert!(
        header("Subject").is_some_and(|s| s.contains("About your message")),
        "{unfolded}"
    );
    assert!(
        unfolded.contains("Dear Ann &lt;script&gt;x&lt;&#x2F;script&gt;,"),
        "{unfolded}"
    );
    assert!(
        unfolded.contains("Yes &lt;i&gt;it&lt;&#x2F;i&gt; is."),
        "{unfolded}"
    );
    assert!(!unfolded.contains("<i>it</i> is.<br>"), "{unfolded}");
    assert!(unfolded.contains("-- Alice of Support"), "{unfolded}");

    // The message shows the e-mail as sent.
    let mut state = String::new();
    for _ in 0..50 {
        let (_, m) = api.get(&format!("/api/messages/{id}"), &alice).await;
        state = m["mail"][0]["status"].as_str().unwrap_or("").to_owned();
        if state == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(state, "sent");
    sink.stop();
}
