//! The outbox contract (`ports::MailOutbox`), run on every adapter by `tests/store_contract.rs`:
//! idempotent enqueue, claims with leases (two workers never get the same mail; a lease that
//! ran out makes the mail due again), outcomes recorded only under the lease, retry scheduling
//! and listing by subject.

use std::collections::HashSet;
use std::sync::Arc;

use chatdesk::domain::{
    ChatId, DeliveryState, EmailAddress, MailAbout, MailId, MailPurpose, OutgoingMail, Timestamp,
};
use chatdesk::ports::{Enqueued, MailOutbox, StoreError};
use chatdesk_server::Stores;

const LEASE: i64 = 60_000;

pub fn mail(about: &MailAbout, at: i64) -> OutgoingMail {
    OutgoingMail {
        id: MailId::generate(),
        to: EmailAddress::parse("ann@example.com").unwrap(),
        reply_to: Some(EmailAddress::parse("help@example.com").unwrap()),
        subject: "Your chat".into(),
        text: "Hello Ann".into(),
        html: "<p>Hello &lt;Ann&gt;</p>".into(),
        about: about.clone(),
        purpose: MailPurpose::Transcript,
        created_at: Timestamp(at),
    }
}

fn chat(id: &str) -> MailAbout {
    MailAbout::Chat(ChatId::parse(id).unwrap())
}

pub async fn mail_is_enqueued_once_and_read_back(stores: Stores) {
    let outbox = stores.outbox;
    let m = mail(&chat("c1"), 1_000);
    assert_eq!(outbox.enqueue(&m).await.unwrap(), Enqueued::Stored);
    let again = OutgoingMail {
        subject: "Changed".into(),
        ..m.clone()
    };
    assert_eq!(
        outbox.enqueue(&again).await.unwrap(),
        Enqueued::AlreadyQueued
    );
    let stored = outbox.get(&m.id).await.unwrap().unwrap();
    assert_eq!(stored.mail, m, "the first enqueue wins, unchanged");
    assert_eq!(stored.delivery.state, DeliveryState::Pending);
    assert_eq!(stored.delivery.attempts, 0);
    assert_eq!(stored.delivery.next_attempt_at, Timestamp(1_000));
    assert_eq!(stored.delivery.last_error, None);
    assert!(outbox.get(&MailId::generate()).await.unwrap().is_none());
}

pub async fn only_due_mail_is_claimed_oldest_first(stores: Stores) {
    let outbox = stores.outbox;
    let about = chat("c2");
    let (late, early, future) = (
        mail(&about, 2_000),
        mail(&about, 1_000),
        mail(&about, 9_000),
    );
    for m in [&late, &early, &future] {
        outbox.enqueue(m).await.unwrap();
    }
    let claimed = outbox.claim_due(Timestamp(5_000), LEASE, 10).await.unwrap();
    let ids: Vec<&MailId> = claimed.iter().map(|c| &c.queued.mail.id).collect();
    assert_eq!(ids, vec![&early.id, &late.id]);
    for c in &claimed {
        assert_eq!(c.queued.delivery.attempts, 1, "the attempt is counted");
        assert_eq!(c.lease.until, Timestamp(5_000 + LEASE));
    }
    assert!(
        outbox
            .claim_due(Timestamp(5_000), LEASE, 10)
            .await
            .unwrap()
            .is_empty(),
        "claimed mail is not due again while its lease holds"
    );
    let limited = outbox.claim_due(Timestamp(9_000), LEASE, 1).await.unwrap();
    assert_eq!(limited.len(), 1);
    assert_eq!(limited[0].queued.mail.id, future.id);
}

pub async fn sent_mail_is_never_claimed_again(stores: Stores) {
    let outbox = stores.outbox;
    let m = mail(&chat("c3"), 1_000);
    outbox.enqueue(&m).await.unwrap();
    let claim = outbox.claim_due(Timestamp(1_000), LEASE, 10).await.unwrap();
    outbox
        .record_sent(&claim[0].lease, Timestamp(1_500), "250 queued as 42")
        .await
        .unwrap();
    let stored = outbox.get(&m.id).await.unwrap().unwrap();
    assert_eq!(
        stored.delivery.state,
        DeliveryState::Sent {
            at: Timestamp(1_500),
            provider_id: "250 queued as 42".into()
        }
    );
    let much_later = Timestamp(1_000 + 100 * LEASE);
    assert!(outbox
        .claim_due(much_later, LEASE, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(
        matches!(
            outbox
                .record_sent(&claim[0].lease, much_later, "again")
                .await,
            Err(StoreError::Stale)
        ),
        "a second outcome under a spent lease is refused"
    );
}

pub async fn a_retry_is_due_again_at_its_time_with_the_error_kept(stores: Stores) {
    let outbox = stores.outbox;
    let m = mail(&chat("c4"), 1_000);
    outbox.enqueue(&m).await.unwrap();
    let claim = outbox.claim_due(Timestamp(1_000), LEASE, 10).await.unwrap();
    outbox
        .record_retry(&claim[0].lease, Timestamp(31_000), "connection refused")
        .await
        .unwrap();
    let stored = outbox.get(&m.id).await.unwrap().unwrap();
    assert_eq!(stored.delivery.state, DeliveryState::Pending);
    assert_eq!(stored.delivery.next_attempt_at, Timestamp(31_000));
    assert_eq!(
        stored.delivery.last_error.as_deref(),
        Some("connection refused")
    );
    assert!(outbox
        .claim_due(Timestamp(30_999), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
    let second = outbox
        .claim_due(Timestamp(31_000), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].queued.delivery.attempts, 2);
    outbox
        .record_failed(&second[0].lease, "550 no such user")
        .await
        .unwrap();
    let failed = outbox.get(&m.id).await.unwrap().unwrap();
    assert_eq!(
        failed.delivery.state,
        DeliveryState::Failed {
            reason: "550 no such user".into()
        }
    );
    assert!(outbox
        .claim_due(Timestamp(10_000_000), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
}

pub async fn an_expired_lease_can_be_claimed_again_and_the_old_holder_records_nothing(
    stores: Stores,
) {
    let outbox = stores.outbox;
    let m = mail(&chat("c5"), 1_000);
    outbox.enqueue(&m).await.unwrap();
    let first = outbox.claim_due(Timestamp(1_000), LEASE, 10).await.unwrap();
    // The first worker died: its lease runs out and another worker claims the mail.
    let second = outbox
        .claim_due(Timestamp(1_000 + LEASE), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(second.len(), 1);
    assert_ne!(second[0].lease.token, first[0].lease.token);
    assert!(matches!(
        outbox
            .record_sent(&first[0].lease, Timestamp(70_000), "late")
            .await,
        Err(StoreError::Stale)
    ));
    assert!(matches!(
        outbox
            .record_retry(&first[0].lease, Timestamp(99_000), "late")
            .await,
        Err(StoreError::Stale)
    ));
    outbox
        .record_sent(&second[0].lease, Timestamp(70_000), "ok")
        .await
        .unwrap();
    let stored = outbox.get(&m.id).await.unwrap().unwrap();
    assert_eq!(stored.delivery.attempts, 2);
    assert!(
        matches!(stored.delivery.state, DeliveryState::Sent { ref provider_id, .. } if provider_id == "ok")
    );
}

pub async fn two_workers_racing_claim_each_mail_exactly_once(stores: Stores) {
    let outbox: Arc<dyn MailOutbox> = stores.outbox;
    let about = chat("c6");
    let mut ids = HashSet::new();
    for i in 0..12 {
        let m = mail(&about, 1_000 + i);
        ids.insert(m.id.clone());
        outbox.enqueue(&m).await.unwrap();
    }
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let outbox = outbox.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                for _ in 0..6 {
                    for c in outbox.claim_due(Timestamp(5_000), LEASE, 4).await.unwrap() {
                        mine.push(c.queued.mail.id);
                    }
                }
                mine
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for w in workers {
        claimed.extend(w.await.unwrap());
    }
    let distinct: HashSet<_> = claimed.iter().cloned().collect();
    assert_eq!(
        distinct.len(),
        claimed.len(),
        "a mail was claimed twice: {claimed:?}"
    );
    assert_eq!(distinct, ids, "every due mail was claimed");
}

pub async fn mail_is_listed_by_what_it_is_about(stores: Stores) {
    let outbox = stores.outbox;
    let (a, b) = (chat("c7"), MailAbout::message("m-1").unwrap());
    let first = mail(&a, 1_000);
    let second = mail(&a, 2_000);
    let other = mail(&b, 1_500);
    for m in [&second, &other, &first] {
        outbox.enqueue(m).await.unwrap();
    }
    let listed: Vec<MailId> = outbox
        .list_about(&a)
        .await
        .unwrap()
        .into_iter()
        .map(|q| q.mail.id)
        .collect();
    assert_eq!(listed, vec![first.id.clone(), second.id.clone()]);
    let of_message = outbox.list_about(&b).await.unwrap();
    assert_eq!(of_message.len(), 1);
    assert_eq!(of_message[0].mail, other);
    assert!(outbox.list_about(&chat("none")).await.unwrap().is_empty());
}
