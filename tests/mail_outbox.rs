//! E-mail that is never lost, end to end on the local server with a real SMTP server (the sink
//! in `chatdesk_tests::smtp_sink`, on a port the test controls): with the mail server down a
//! transcript stays pending and visible; once it is up the mail is delivered exactly once, also
//! across a restart of the server on the same data directory. Without e-mail configured, asking
//! for a transcript is a clear 409 and the status says so. The server's clock is one the test
//! moves past each retry.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chatdesk::domain::{EmailAddress, MailAbout, MailId, MailPurpose, OutgoingMail, Timestamp};
use chatdesk::ports::{Clock, ManualClock, SystemClock};
use chatdesk_server::{Config, Server, ServerClock, SmtpConfig};
use chatdesk_tests::client::Api;
use chatdesk_tests::server::spawn_server;
use chatdesk_tests::smtp_sink::{free_port, Received, SmtpSink};
use serde_json::{json, Value};

const CUSTOMER: &str = "<script>alert(1)</script> Ann";
const FROM: &str = "help@chatdesk.example";

/// A server of this test: stopped by `stop`, so another can start on the same data directory.
struct Running {
    api: Api,
    app: chatdesk::app::App,
    stop: tokio::sync::oneshot::Sender<()>,
    done: tokio::task::JoinHandle<()>,
}

impl Running {
    async fn start(data_dir: &Path, smtp_port: u16, clock: Arc<ManualClock>) -> Running {
        let mut config = Config::for_tests(data_dir.to_path_buf());
        config.clock = ServerClock(clock);
        config.hand_off_sweep = None;
        config.smtp = Some(SmtpConfig {
            url: format!("smtp://127.0.0.1:{smtp_port}"),
            from: EmailAddress::parse(FROM).unwrap(),
        });
        let server = Server::build(config).await.expect("server starts");
        let api = Api::new(&server.base_url());
        let app = server.app.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let done = tokio::spawn(async move {
            server
                .run_until(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Running {
            api,
            app,
            stop,
            done,
        }
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.done.await.unwrap();
    }
}

/// A chat of a customer who gave an address, ended by the customer: (chat id, customer token).
async fn ended_chat(api: &Api) -> (String, String) {
    let (status, body) = api
        .call(
            "POST",
            "/api/chats",
            None,
            Some(json!({"group_id": "support", "name": CUSTOMER, "question": "Is <b>this</b> & that escaped?",
                "email": "ann@example.com"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (chat, token) = (
        body["chat"]["id"].as_str().unwrap().to_owned(),
        body["token"].as_str().unwrap().to_owned(),
    );
    let (status, body) = api
        .post(&format!("/api/chats/{chat}/end"), &token, json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    (chat, token)
}

async fn mails(api: &Api, chat: &str, token: &str) -> Vec<Value> {
    let (status, body) = api.get(&format!("/api/chats/{chat}/mail"), token).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().cloned().unwrap()
}

/// Waits (real time, up to 10 s) until the mail `id` about `chat` satisfies `done`.
async fn wait_for_mail(
    api: &Api,
    chat: &str,
    token: &str,
    id: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..100 {
        if let Some(m) = mails(api, chat, token)
            .await
            .into_iter()
            .find(|m| m["id"] == id)
        {
            if done(&m) {
                return m;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "mail {id} never got there: {:?}",
        mails(api, chat, token).await
    );
}

/// Waits until the sink holds `n` messages, then a little longer to catch any extra one.
async fn sink_settles_at(sink: &SmtpSink, n: usize) -> Vec<Received> {
    for _ in 0..100 {
        if sink.messages().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    sink.messages()
}

/// The message's content with quoted-printable soft breaks and escapes undone.
fn decoded(data: &str) -> String {
    let unfolded = data.replace("=\n", "");
    let bytes = unfolded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&unfolded[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn header<'a>(data: &'a str, name: &str) -> Option<&'a str> {
    data.lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_transcript_waits_for_a_mail_server_that_is_down_and_is_delivered_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    let port = free_port();
    let server = Running::start(dir.path(), port, clock.clone()).await;
    let api = &server.api;
    let agent = api.login("alice").await;
    let (status, body) = api.get("/api/mail/status", &agent).await;
    assert_eq!(
        (status, body),
        (200, json!({"configured": true, "from": FROM}))
    );

    let (chat, customer) = ended_chat(api).await;
    let (status, queued) = api
        .post(
            &format!("/api/chats/{chat}/transcript"),
            &customer,
            json!({}),
        )
        .await;
    assert_eq!(status, 202, "{queued}");
    assert_eq!(queued["to"], "ann@example.com");
    let id = queued["id"].as_str().unwrap().to_owned();

    // Nothing listens on the port: the attempt fails and the mail waits, visible to both sides.
    let waiting = wait_for_mail(api, &chat, &agent, &id, |m| {
        m["attempts"] == 1 && m["status"] == "pending" && m.get("last_error").is_some()
    })
    .await;
    assert!(
        waiting["last_error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "{waiting}"
    );
    let due = waiting["next_attempt_at"].as_i64().unwrap();
    assert_eq!(
        due,
        clock.now().millis() + 30_000,
        "the first retry is 30 s later"
    );
    let seen_by_customer = mails(api, &chat, &customer).await;
    assert_eq!(seen_by_customer.len(), 1);
    assert_eq!(seen_by_customer[0]["status"], "pending");
    assert!(
        seen_by_customer[0].get("last_error").is_none(),
        "operator errors stay with agents"
    );

    // The mail server comes back; at the retry's time the mail goes out, once.
    let sink = SmtpSink::start(port).await;
    clock.set(Timestamp(due));
    let sent = wait_for_mail(api, &chat, &customer, &id, |m| m["status"] == "sent").await;
    assert_eq!(sent["attempts"], 2);
    clock.set(Timestamp(due + 10 * 3_600_000));
    let received = sink_settles_at(&sink, 1).await;
    assert_eq!(received.len(), 1, "delivered exactly once: {received:?}");
    let message = &received[0];
    assert_eq!(message.rcpt_to, vec!["ann@example.com".to_owned()]);
    assert_eq!(message.mail_from, FROM);
    assert_eq!(
        header(&message.data, "Message-ID"),
        Some(format!("<{id}@chatdesk.example>").as_str())
    );
    let content = decoded(&message.data);
    assert!(content.contains("multipart/alternative"), "{content}");
    assert!(
        content.contains("text/plain") && content.contains("text/html"),
        "{content}"
    );
    assert!(
        content.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt; Ann"),
        "{content}"
    );
    assert!(
        content.contains("Is &lt;b&gt;this&lt;&#x2F;b&gt; &amp; that escaped?"),
        "{content}"
    );
    assert!(
        !content.contains("<script>alert(1)</script> Ann</"),
        "raw markup in the HTML: {content}"
    );
    assert!(
        content.contains(&format!("{CUSTOMER}: Is <b>this</b> & that escaped?")),
        "the text part keeps the words: {content}"
    );

    // A mail with a Reply-To (as an agent's answer to an offline message carries).
    let reply = OutgoingMail {
        id: MailId::generate(),
        to: EmailAddress::parse("bob@example.com").unwrap(),
        reply_to: Some(EmailAddress::parse("support@chatdesk.example").unwrap()),
        subject: "Re: your message".into(),
        text: "We looked into it.".into(),
        html: "<p>We looked into it.</p>".into(),
        about: MailAbout::message("m-1").unwrap(),
        purpose: MailPurpose::OfflineReply,
        created_at: clock.now(),
    };
    server.app.enqueue_mail(reply).await.unwrap();
    let received = sink_settles_at(&sink, 2).await;
    assert_eq!(received.len(), 2, "{received:?}");
    assert_eq!(received[1].rcpt_to, vec!["bob@example.com".to_owned()]);
    assert_eq!(
        header(&received[1].data, "Reply-To"),
        Some("support@chatdesk.example")
    );
    server.stop().await;
    sink.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mail_pending_across_a_restart_is_delivered_once_by_the_next_server() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    let port = free_port();
    let first = Running::start(dir.path(), port, clock.clone()).await;
    let agent = first.api.login("alice").await;
    let (chat, _customer) = ended_chat(&first.api).await;
    let (status, queued) = first
        .api
        .post(
            &format!("/api/chats/{chat}/transcript"),
            &agent,
            json!({"to": "carla@example.com"}),
        )
        .await;
    assert_eq!(status, 202, "{queued}");
    let id = queued["id"].as_str().unwrap().to_owned();
    let waiting = wait_for_mail(&first.api, &chat, &agent, &id, |m| {
        m["attempts"] == 1 && m.get("last_error").is_some()
    })
    .await;
    first.stop().await;

    let sink = SmtpSink::start(port).await;
    clock.set(Timestamp(waiting["next_attempt_at"].as_i64().unwrap()));
    let second = Running::start(dir.path(), port, clock.clone()).await;
    let agent = second.api.login("alice").await;
    wait_for_mail(&second.api, &chat, &agent, &id, |m| m["status"] == "sent").await;
    let received = sink_settles_at(&sink, 1).await;
    assert_eq!(received.len(), 1, "delivered exactly once: {received:?}");
    assert_eq!(received[0].rcpt_to, vec!["carla@example.com".to_owned()]);
    second.stop().await;
    sink.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_customer_asks_at_most_three_times_and_only_after_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    let server = Running::start(dir.path(), free_port(), clock).await;
    let api = &server.api;
    let (status, body) = api
        .call(
            "POST",
            "/api/chats",
            None,
            Some(json!({"group_id": "support", "name": "Ann", "question": "Hello"})),
        )
        .await;
    assert_eq!(status, 201);
    let (chat, token) = (
        body["chat"]["id"].as_str().unwrap().to_owned(),
        body["token"].as_str().unwrap().to_owned(),
    );
    let path = format!("/api/chats/{chat}/transcript");
    let (status, body) = api
        .post(&path, &token, json!({"to": "ann@example.com"}))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("invalid_state")),
        "{body}"
    );
    api.post(&format!("/api/chats/{chat}/end"), &token, json!({}))
        .await;
    let (status, body) = api.post(&path, &token, json!({})).await;
    assert_eq!(status, 400, "no address given at the start nor now: {body}");
    assert!(
        body["message"].as_str().unwrap().contains("email"),
        "{body}"
    );
    let (status, body) = api
        .post(&path, &token, json!({"to": "a@b.co, eve@evil.example"}))
        .await;
    assert_eq!(status, 400, "{body}");
    for _ in 0..3 {
        let (status, body) = api
            .post(&path, &token, json!({"to": "ann@example.com"}))
            .await;
        assert_eq!(status, 202, "{body}");
    }
    let (status, body) = api
        .post(&path, &token, json!({"to": "ann@example.com"}))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("invalid_state")),
        "{body}"
    );
    assert_eq!(mails(api, &chat, &token).await.len(), 3);
    // Another chat's customer sees nothing of this chat's mail.
    let (_, other) = api.start_chat("support", "Eve", "hi").await;
    let (status, _) = api.get(&format!("/api/chats/{chat}/mail"), &other).await;
    assert_eq!(status, 403);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_e_mail_configured_the_console_is_told_and_nothing_is_queued() {
    let server = spawn_server().await;
    let api = Api::new(&server.base_url);
    let agent = api.login("alice").await;
    let (status, body) = api.get("/api/mail/status", &agent).await;
    assert_eq!(
        (status, body),
        (200, json!({"configured": false, "from": null}))
    );
    let (chat, customer) = ended_chat(&api).await;
    let (status, body) = api
        .post(
            &format!("/api/chats/{chat}/transcript"),
            &customer,
            json!({}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "mail_not_configured");
    assert!(mails(&api, &chat, &agent).await.is_empty());
}
