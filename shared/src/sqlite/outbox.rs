//! The outbox in SQLite (`mails`): a pending mail has `next_attempt_at` set (the partial index
//! `mails_due` holds only those), a claimed one also its `lease_token`. Claims and outcomes are
//! transactions on the one writer connection, so they cannot interleave.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};

use super::records::{from_doc, to_doc, MailRecord};
use super::{db_err, doc_where, docs_where, SqliteStore};
use crate::domain::mail::error_summary;
use crate::domain::MailDelivery;
use crate::domain::{DeliveryState, MailAbout, MailId, OutgoingMail, QueuedMail, Timestamp};
use crate::ports::{ClaimedMail, Enqueued, MailLease, MailOutbox, StoreError};

#[async_trait]
impl MailOutbox for SqliteStore {
    async fn enqueue(&self, mail: &OutgoingMail) -> Result<Enqueued, StoreError> {
        let queued = QueuedMail {
            mail: mail.clone(),
            delivery: MailDelivery::new(mail.created_at),
        };
        let doc = to_doc(&MailRecord::from(&queued))?;
        let (id, about, due) = (
            mail.id.to_string(),
            mail.about.key(),
            mail.created_at.millis(),
        );
        self.with(move |c| {
            let stored = super::execute(
                c,
                "INSERT INTO mails (id, about, next_attempt_at, doc) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO NOTHING",
                params![id, about, due, doc],
            )
            .map_err(db_err)?;
            Ok(if stored == 1 {
                Enqueued::Stored
            } else {
                Enqueued::AlreadyQueued
            })
        })
        .await
    }

    async fn claim_due(
        &self,
        now: Timestamp,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<ClaimedMail>, StoreError> {
        let until = now.plus_millis(lease_ms.max(1));
        self.with(move |c| {
            let tx = c.transaction().map_err(db_err)?;
            let due: Vec<QueuedMail> = docs_where::<MailRecord, _, _>(
                &tx,
                "SELECT doc FROM mails WHERE next_attempt_at <= ?1
                 ORDER BY next_attempt_at, id LIMIT ?2",
                params![now.millis(), limit as i64],
            )?;
            let mut claimed = Vec::with_capacity(due.len());
            for mut queued in due {
                queued.delivery.attempts = queued.delivery.attempts.saturating_add(1);
                queued.delivery.next_attempt_at = until;
                let lease = MailLease {
                    id: queued.mail.id.clone(),
                    token: ulid::Ulid::new().to_string(),
                    until,
                };
                super::execute(
                    &tx,
                    "UPDATE mails SET next_attempt_at = ?2, lease_token = ?3, doc = ?4
                     WHERE id = ?1",
                    params![
                        lease.id.as_str(),
                        until.millis(),
                        lease.token,
                        to_doc(&MailRecord::from(&queued))?
                    ],
                )
                .map_err(db_err)?;
                claimed.push(ClaimedMail { queued, lease });
            }
            tx.commit().map_err(db_err)?;
            Ok(claimed)
        })
        .await
    }

    async fn record_sent(
        &self,
        lease: &MailLease,
        at: Timestamp,
        provider_id: &str,
    ) -> Result<(), StoreError> {
        let provider_id = provider_id.to_owned();
        self.record_outcome(lease, move |d| {
            d.state = DeliveryState::Sent { at, provider_id };
        })
        .await
    }

    async fn record_retry(
        &self,
        lease: &MailLease,
        next_attempt_at: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        let error = error_summary(error);
        self.record_outcome(lease, move |d| {
            d.next_attempt_at = next_attempt_at;
            d.last_error = Some(error);
        })
        .await
    }

    async fn record_failed(&self, lease: &MailLease, reason: &str) -> Result<(), StoreError> {
        let reason = error_summary(reason);
        self.record_outcome(lease, move |d| {
            d.last_error = Some(reason.clone());
            d.state = DeliveryState::Failed { reason };
        })
        .await
    }

    async fn get(&self, id: &MailId) -> Result<Option<QueuedMail>, StoreError> {
        let id = id.to_string();
        self.read(move |c| {
            doc_where::<MailRecord, _, _>(c, "SELECT doc FROM mails WHERE id = ?1", params![id])
        })
        .await
    }

    async fn list_about(&self, about: &MailAbout) -> Result<Vec<QueuedMail>, StoreError> {
        let about = about.key();
        self.read(move |c| {
            docs_where::<MailRecord, _, _>(
                c,
                "SELECT doc FROM mails WHERE about = ?1
                 ORDER BY json_extract(doc, '$.created_at'), id",
                params![about],
            )
        })
        .await
    }
}

impl SqliteStore {
    /// Applies `change` to a claimed mail's delivery, only while `lease` is still its lease; a
    /// mail that is no longer pending leaves the due index.
    async fn record_outcome<F>(&self, lease: &MailLease, change: F) -> Result<(), StoreError>
    where
        F: FnOnce(&mut MailDelivery) + Send + 'static,
    {
        let (id, token) = (lease.id.to_string(), lease.token.clone());
        self.with(move |c| {
            let tx = c.transaction().map_err(db_err)?;
            let Some(mut queued) = leased_mail(&tx, &id, &token)? else {
                return Err(StoreError::Stale);
            };
            change(&mut queued.delivery);
            let due = queued
                .delivery
                .is_pending()
                .then_some(queued.delivery.next_attempt_at.millis());
            super::execute(
                &tx,
                "UPDATE mails SET next_attempt_at = ?2, lease_token = NULL, doc = ?3
                 WHERE id = ?1",
                params![id, due, to_doc(&MailRecord::from(&queued))?],
            )
            .map_err(db_err)?;
            tx.commit().map_err(db_err)
        })
        .await
    }
}

/// The pending mail `id` while `token` holds its lease.
fn leased_mail(c: &Connection, id: &str, token: &str) -> Result<Option<QueuedMail>, StoreError> {
    let doc: Option<String> = super::query_row(
        c,
        "SELECT doc FROM mails
         WHERE id = ?1 AND lease_token = ?2 AND next_attempt_at IS NOT NULL",
        params![id, token],
        |r| r.get(0),
    )
    .optional()
    .map_err(db_err)?;
    doc.map(|d| from_doc::<MailRecord, QueuedMail>(&d))
        .transpose()
}
