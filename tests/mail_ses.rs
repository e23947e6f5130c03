//! The cloud's e-mail path against moto: a mail queued in the DynamoDB outbox is delivered by the
//! delivery run the `mail-outbox` function makes (`App::deliver_due_mail` with the SES v2
//! sender), and moto's SES records it with the deployment's sender and the mail's recipient.
//! An unverified sender is an operator's mistake: the mail waits (transient), it is not dropped.

use std::sync::Arc;

use chatdesk::aws::ses::SesSender;
use chatdesk::domain::{
    ChatId, DeliveryState, EmailAddress, MailAbout, MailId, MailPurpose, OutgoingMail,
};
use chatdesk::ports::{Clock, SystemClock};
use chatdesk_tests::contract::app_over;
use chatdesk_tests::dynamo_endpoint::{fresh_stores, moto_endpoint};
use serde_json::Value;

async fn ses_client(endpoint: &str) -> aws_sdk_sesv2::Client {
    let shared = chatdesk::aws::sdk_config(&[endpoint]).await;
    SesSender::client(&shared, Some(endpoint))
}

fn transcript(to: &str) -> OutgoingMail {
    OutgoingMail {
        id: MailId::generate(),
        to: EmailAddress::parse(to).unwrap(),
        reply_to: Some(EmailAddress::parse("support@chatdesk.example").unwrap()),
        subject: "Your chat with Support".into(),
        text: "[..] Ann: hello".into(),
        html: "<p>Ann: hello</p>".into(),
        about: MailAbout::Chat(ChatId::parse("c-ses").unwrap()),
        purpose: MailPurpose::Transcript,
        created_at: SystemClock.now(),
    }
}

/// What moto's SES recorded as sent: (source, to addresses).
async fn sent_by_moto(endpoint: &str) -> Vec<(String, Vec<String>)> {
    let data: Value = reqwest::get(format!("{endpoint}/moto-api/data.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    data["ses"]["Message"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|m| {
            let to = m["destinations"]["ToAddresses"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect();
            (m["source"].as_str().unwrap_or("").to_owned(), to)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_sends_through_ses_from_the_verified_identity() {
    let moto = moto_endpoint().await;
    let (stores, _) = fresh_stores().await;
    let from = "help@ses-test.chatdesk.example";
    ses_client(&moto)
        .await
        .create_email_identity()
        .email_identity(from)
        .send()
        .await
        .expect("moto verifies the identity");
    let mut app = app_over(&stores);
    app.mail.from = Some(EmailAddress::parse(from).unwrap());
    app.mail.sender = Some(Arc::new(SesSender::new(
        ses_client(&moto).await,
        EmailAddress::parse(from).unwrap(),
        None,
    )));
    let to = format!(
        "ann-{}@example.com",
        ulid::Ulid::new().to_string().to_lowercase()
    );
    let id = app.enqueue_mail(transcript(&to)).await.unwrap();

    let report = app.deliver_due_mail().await.unwrap();
    assert_eq!((report.claimed, report.sent), (1, 1), "{report:?}");
    let stored = app.mail.outbox.get(&id).await.unwrap().unwrap();
    assert!(
        matches!(&stored.delivery.state, DeliveryState::Sent { provider_id, .. } if !provider_id.is_empty()),
        "{stored:?}"
    );
    let sent: Vec<_> = sent_by_moto(&moto)
        .await
        .into_iter()
        .filter(|(_, dest)| dest.contains(&to))
        .collect();
    assert_eq!(sent, vec![(from.to_owned(), vec![to.clone()])]);
    assert_eq!(
        app.deliver_due_mail().await.unwrap().claimed,
        0,
        "nothing is sent twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unverified_sender_delays_the_mail_and_never_drops_it() {
    let moto = moto_endpoint().await;
    let (stores, _) = fresh_stores().await;
    let from = "nobody-verified@unverified.chatdesk.example";
    let mut app = app_over(&stores);
    app.mail.from = Some(EmailAddress::parse(from).unwrap());
    app.mail.sender = Some(Arc::new(SesSender::new(
        ses_client(&moto).await,
        EmailAddress::parse(from).unwrap(),
        None,
    )));
    let id = app
        .enqueue_mail(transcript("bob@example.com"))
        .await
        .unwrap();
    let report = app.deliver_due_mail().await.unwrap();
    assert_eq!((report.claimed, report.retried), (1, 1), "{report:?}");
    let stored = app.mail.outbox.get(&id).await.unwrap().unwrap();
    assert_eq!(stored.delivery.state, DeliveryState::Pending);
    assert!(
        stored
            .delivery
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("not verified")),
        "{stored:?}"
    );
}
