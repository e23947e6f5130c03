//! The outbox: where every e-mail is stored before it is sent, and where its delivery is
//! recorded. A mail is sent only by the worker that holds its lease, and every outcome is
//! recorded only while the lease is still held, so two workers never send the same mail.

use async_trait::async_trait;

use super::error::StoreError;
use crate::domain::{MailAbout, MailId, OutgoingMail, QueuedMail, Timestamp};

/// Whether `enqueue` stored the mail or found it already there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enqueued {
    Stored,
    /// A mail with this id was stored before: nothing was written.
    AlreadyQueued,
}

/// The right to attempt one mail until `until`. A claim moves the mail's next attempt to the
/// lease's end, so a lease that runs out (a worker that crashed) makes the mail due again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailLease {
    pub id: MailId,
    /// Unique per claim: a worker whose lease ran out and was claimed again records nothing.
    pub token: String,
    pub until: Timestamp,
}

/// A mail claimed for an attempt: the mail as stored (with its attempts counted, this one
/// included) and the lease to record the outcome with.
#[derive(Clone, Debug)]
pub struct ClaimedMail {
    pub queued: QueuedMail,
    pub lease: MailLease,
}

#[async_trait]
pub trait MailOutbox: Send + Sync {
    /// Stores a pending mail, due at once (`mail.created_at`). Idempotent by id.
    async fn enqueue(&self, mail: &OutgoingMail) -> Result<Enqueued, StoreError>;

    /// Claims up to `limit` pending mails whose next attempt is due at `now`, oldest due first,
    /// each with a lease of `lease_ms`. Each claim is conditional on the mail being as read, so
    /// of two workers racing for a mail exactly one gets it.
    async fn claim_due(
        &self,
        now: Timestamp,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<ClaimedMail>, StoreError>;

    /// The mail was accepted by the mail service. `Stale` when the lease is no longer held.
    async fn record_sent(
        &self,
        lease: &MailLease,
        at: Timestamp,
        provider_id: &str,
    ) -> Result<(), StoreError>;

    /// The attempt failed for now: try again at `next_attempt_at`. `Stale` when the lease is no
    /// longer held.
    async fn record_retry(
        &self,
        lease: &MailLease,
        next_attempt_at: Timestamp,
        error: &str,
    ) -> Result<(), StoreError>;

    /// The mail was refused for good: no further attempt. `Stale` when the lease is no longer
    /// held.
    async fn record_failed(&self, lease: &MailLease, reason: &str) -> Result<(), StoreError>;

    async fn get(&self, id: &MailId) -> Result<Option<QueuedMail>, StoreError>;

    /// The mails about a chat or a message, oldest first.
    async fn list_about(&self, about: &MailAbout) -> Result<Vec<QueuedMail>, StoreError>;
}
