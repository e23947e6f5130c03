//! The outbox in DynamoDB (`docs/dynamodb.md`): each mail is an item of its own partition
//! (`MAIL#{id}` / `MAIL`); while it is pending it is in the sparse deadline index under `MAILDUE`,
//! sorted by its next attempt, so finding due mail is one Query and never a Scan. A claim is a
//! conditional UpdateItem (still pending, still due) that moves the next attempt to the lease's
//! end; every outcome is conditional on the claim's lease token. What a mail is about points to
//! it from that subject's own partition (`MAILS#{about}` / `MAIL#{id}`).

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::ReturnValue;

use super::keys::{mail_about_pk, mail_due_sort_key, mail_pk, MAIL, MAIL_DUE_INDEX_PK};
use super::records::{from_item, to_item, MailRecord, VERSION};
use super::schema::{BY_DEADLINE, GSI3_PK, GSI3_SK, PK, SK};
use super::{get_s, key, n, s, DynamoStore, Item};
use crate::domain::mail::error_summary;
use crate::domain::{MailAbout, MailDelivery, MailId, OutgoingMail, QueuedMail, Timestamp};
use crate::ports::{ClaimedMail, Enqueued, MailLease, MailOutbox, StoreError};
use crate::records::{MAIL_FAILED, MAIL_PENDING, MAIL_SENT};

/// The attribute that names the worker holding a claimed mail's lease.
const LEASE_TOKEN: &str = "lease_token";

#[async_trait]
impl MailOutbox for DynamoStore {
    /// The pointer from what the mail is about first (idempotent), then the mail, written only
    /// if absent: a crash between the two leaves a pointer to nothing, which listing skips.
    async fn enqueue(&self, mail: &OutgoingMail) -> Result<Enqueued, StoreError> {
        let queued = QueuedMail {
            mail: mail.clone(),
            delivery: MailDelivery::new(mail.created_at),
        };
        let mut pointer = key(mail_about_pk(&mail.about), mail_sk(&mail.id));
        pointer.insert(VERSION.into(), n(crate::records::FORMAT_VERSION));
        self.put(pointer).await?;

        let mut item = to_item(&MailRecord::from(&queued))?;
        item.extend(key(mail_pk(&mail.id), MAIL));
        item.insert(GSI3_PK.into(), s(MAIL_DUE_INDEX_PK));
        item.insert(
            GSI3_SK.into(),
            s(mail_due_sort_key(mail.created_at, &mail.id)),
        );
        if self.put_new(item).await? {
            Ok(Enqueued::Stored)
        } else {
            Ok(Enqueued::AlreadyQueued)
        }
    }

    async fn claim_due(
        &self,
        now: Timestamp,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<ClaimedMail>, StoreError> {
        let until = now.plus_millis(lease_ms.max(1));
        let query = self
            .client
            .query()
            .table_name(self.table())
            .index_name(BY_DEADLINE)
            .key_condition_expression("#pk = :pk AND #sk <= :now")
            .expression_attribute_names("#pk", GSI3_PK)
            .expression_attribute_names("#sk", GSI3_SK)
            .expression_attribute_values(":pk", s(MAIL_DUE_INDEX_PK))
            .expression_attribute_values(":now", s(format!("{:013}#~", now.millis().max(0))));
        let due = self.run_query(query, false, Some(limit)).await?;
        let mut claimed = Vec::with_capacity(due.len());
        for entry in due {
            let id = MailId::parse(get_s(&entry, PK)?.trim_start_matches("MAIL#"))
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if let Some(c) = self.claim(&id, now, until).await? {
                claimed.push(c);
            }
        }
        Ok(claimed)
    }

    async fn record_sent(
        &self,
        lease: &MailLease,
        at: Timestamp,
        provider_id: &str,
    ) -> Result<(), StoreError> {
        let update = self
            .leased_update(lease)
            .update_expression(
                "SET #state = :sent, sent_at = :at, provider_id = :pid \
                 REMOVE #lease, #pk3, #sk3",
            )
            .expression_attribute_values(":sent", s(MAIL_SENT))
            .expression_attribute_values(":at", n(at.millis()))
            .expression_attribute_values(":pid", s(provider_id))
            .expression_attribute_names("#pk3", GSI3_PK)
            .expression_attribute_names("#sk3", GSI3_SK);
        self.run_leased(update).await
    }

    async fn record_retry(
        &self,
        lease: &MailLease,
        next_attempt_at: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        let update = self
            .leased_update(lease)
            .update_expression(
                "SET next_attempt_at = :next, last_error = :err, #sk3 = :sk3 REMOVE #lease",
            )
            .expression_attribute_values(":next", n(next_attempt_at.millis()))
            .expression_attribute_values(":err", s(error_summary(error)))
            .expression_attribute_values(":sk3", s(mail_due_sort_key(next_attempt_at, &lease.id)))
            .expression_attribute_names("#sk3", GSI3_SK);
        self.run_leased(update).await
    }

    async fn record_failed(&self, lease: &MailLease, reason: &str) -> Result<(), StoreError> {
        let reason = error_summary(reason);
        let update = self
            .leased_update(lease)
            .update_expression(
                "SET #state = :failed, #failure = :why, last_error = :why \
                 REMOVE #lease, #pk3, #sk3",
            )
            .expression_attribute_names("#failure", "failure")
            .expression_attribute_values(":failed", s(MAIL_FAILED))
            .expression_attribute_values(":why", s(reason))
            .expression_attribute_names("#pk3", GSI3_PK)
            .expression_attribute_names("#sk3", GSI3_SK);
        self.run_leased(update).await
    }

    async fn get(&self, id: &MailId) -> Result<Option<QueuedMail>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(self.table())
            .set_key(Some(key(mail_pk(id), MAIL)))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::backend)?;
        let item = out.item;
        let units = item.as_ref().map_or(0.5, |i| {
            super::metrics::read_units(super::metrics::item_size(i), true)
        });
        self.metrics.record("GetItem", units, 0.0);
        item.map(from_item::<MailRecord, QueuedMail>).transpose()
    }

    async fn list_about(&self, about: &MailAbout) -> Result<Vec<QueuedMail>, StoreError> {
        let pointers = self.query_prefix(&mail_about_pk(about), "MAIL#").await?;
        let keys = pointers
            .iter()
            .map(|p| {
                let sk = get_s(p, SK)?;
                Ok(key(
                    format!("MAIL#{}", sk.trim_start_matches("MAIL#")),
                    MAIL,
                ))
            })
            .collect::<Result<Vec<Item>, StoreError>>()?;
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut mails = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            for item in self.batch_get(chunk.to_vec()).await? {
                mails.push(from_item::<MailRecord, QueuedMail>(item)?);
            }
        }
        mails.sort_by(|a, b| (a.mail.created_at, &a.mail.id).cmp(&(b.mail.created_at, &b.mail.id)));
        Ok(mails)
    }
}

fn mail_sk(id: &MailId) -> String {
    format!("MAIL#{id}")
}

impl DynamoStore {
    /// Claims `id` if it is still pending and due: the attempt is counted and the next attempt
    /// moves to the lease's end (and the index entry with it). `None` when another worker got
    /// it first or it is no longer pending.
    async fn claim(
        &self,
        id: &MailId,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<Option<ClaimedMail>, StoreError> {
        let token = ulid::Ulid::new().to_string();
        let out = self
            .client
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(mail_pk(id), MAIL)))
            .update_expression(
                "SET next_attempt_at = :until, #lease = :token, #sk3 = :sk3 ADD attempts :one",
            )
            .condition_expression("#state = :pending AND next_attempt_at <= :now")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#lease", LEASE_TOKEN)
            .expression_attribute_names("#sk3", GSI3_SK)
            .expression_attribute_values(":until", n(until.millis()))
            .expression_attribute_values(":token", s(&token))
            .expression_attribute_values(":sk3", s(mail_due_sort_key(until, id)))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":pending", s(MAIL_PENDING))
            .expression_attribute_values(":now", n(now.millis()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match out {
            Ok(out) => {
                self.record_update(out.attributes());
                let item = out.attributes.unwrap_or_default();
                let queued = from_item::<MailRecord, QueuedMail>(item)?;
                Ok(Some(ClaimedMail {
                    queued,
                    lease: MailLease {
                        id: id.clone(),
                        token,
                        until,
                    },
                }))
            }
            Err(e) => match e.into_service_error() {
                UpdateItemError::ConditionalCheckFailedException(_) => {
                    self.record_update(None);
                    Ok(None)
                }
                other => Err(StoreError::backend(other)),
            },
        }
    }

    /// An UpdateItem of a claimed mail that holds only while `lease` is its lease and it is
    /// still pending.
    fn leased_update(
        &self,
        lease: &MailLease,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(mail_pk(&lease.id), MAIL)))
            .condition_expression("#lease = :token AND #state = :pending")
            .expression_attribute_names("#lease", LEASE_TOKEN)
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":token", s(&lease.token))
            .expression_attribute_values(":pending", s(MAIL_PENDING))
    }

    async fn run_leased(
        &self,
        update: aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder,
    ) -> Result<(), StoreError> {
        match update.send().await {
            Ok(_) => {
                self.record_update(None);
                Ok(())
            }
            Err(e) => match e.into_service_error() {
                UpdateItemError::ConditionalCheckFailedException(_) => {
                    self.record_update(None);
                    Err(StoreError::Stale)
                }
                other => Err(StoreError::backend(other)),
            },
        }
    }
}
