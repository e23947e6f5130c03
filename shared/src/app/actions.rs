//! The toolbar actions. Each takes a list of chats and answers with a result per chat, so
//! selecting twenty chats and pressing Delete deletes the nineteen that may be deleted and says
//! exactly why the twentieth was not.

use super::mutate::Mutated;
use super::{App, AppError};
use crate::auth::Principal;
use crate::domain::rules::{self, EndedBy};
use crate::domain::{
    limits, time, Agent, AgentId, AuditAction, AuditActor, AuditEntry, AuditTarget, Chat, ChatId,
    ChatRow, DomainError, FieldChange, GroupId, Timestamp,
};
use crate::ports::ChatFilter;

#[derive(Clone, Debug)]
pub enum TransferTarget {
    Group { group_id: GroupId },
    Agent { agent_id: AgentId },
}

#[derive(Clone, Debug)]
pub enum BulkAction {
    /// Take queued chats of my groups (cherry-pick from the queue).
    Pull,
    /// Take chats from the queue, or (managers) from another agent.
    Take,
    Transfer(TransferTarget),
    End {
        resolution: Option<String>,
    },
    Delete,
    Restore,
    Purge,
    SetFollowUp {
        due_at: Timestamp,
        note: String,
    },
    ClearFollowUp,
}

#[derive(Clone, Debug)]
pub struct ActionFailure {
    pub error: crate::errors::ErrorCode,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct ActionResult {
    pub chat_id: ChatId,
    pub ok: bool,
    /// The chat after the action (absent when it failed, or was purged).
    pub chat: Option<ChatRow>,
    pub failure: Option<ActionFailure>,
}

#[derive(Clone, Debug)]
pub struct ActionOutcome {
    pub results: Vec<ActionResult>,
    pub succeeded: usize,
    pub failed: usize,
}

impl ActionOutcome {
    fn from_results(results: Vec<ActionResult>) -> Self {
        let succeeded = results.iter().filter(|r| r.ok).count();
        ActionOutcome {
            failed: results.len() - succeeded,
            succeeded,
            results,
        }
    }
}

/// Removes repeats (keeping first-seen order) and enforces the bulk limit.
fn distinct_chat_ids(ids: Vec<ChatId>) -> Result<Vec<ChatId>, AppError> {
    if ids.is_empty() {
        return Err(DomainError::invalid("chat_ids", "name at least one chat").into());
    }
    if ids.len() > limits::MAX_BULK_CHATS {
        return Err(DomainError::invalid(
            "chat_ids",
            format!("at most {} chats per action", limits::MAX_BULK_CHATS),
        )
        .into());
    }
    let mut out: Vec<ChatId> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

impl App {
    /// Runs `action` on each chat and reports per chat.
    pub async fn bulk(
        &self,
        principal: &Principal,
        action: BulkAction,
        chat_ids: Vec<ChatId>,
    ) -> Result<ActionOutcome, AppError> {
        let actor = self.agent(principal).await?;
        let ids = distinct_chat_ids(chat_ids)?;
        let target = self.resolve_transfer_target(&action).await?;
        if let BulkAction::SetFollowUp { due_at, note } = &action {
            // Refused for the whole request, before any chat changes; the rule checks again at
            // the instant of each commit.
            time::follow_up_due(*due_at, self.clock.now())?;
            limits::multi_line("note", note, limits::MAX_NOTE_CHARS)?;
        }
        let mut results = Vec::with_capacity(ids.len());
        for id in ids {
            let result = self.act_on_one(&actor, &action, target.as_ref(), &id).await;
            results.push(match result {
                Ok(chat) => ActionResult {
                    chat_id: id,
                    ok: true,
                    chat,
                    failure: None,
                },
                Err(e) => {
                    if let AppError::Internal(inner) = &e {
                        tracing::error!(error = ?inner, chat = %id, "bulk action failed");
                    }
                    ActionResult {
                        chat_id: id,
                        ok: false,
                        chat: None,
                        failure: Some(ActionFailure {
                            error: e.code(),
                            message: e.public_message(),
                        }),
                    }
                }
            });
        }
        Ok(ActionOutcome::from_results(results))
    }

    async fn resolve_transfer_target(
        &self,
        action: &BulkAction,
    ) -> Result<Option<ResolvedTarget>, AppError> {
        match action {
            BulkAction::Transfer(TransferTarget::Group { group_id }) => {
                let group = self
                    .directory
                    .list_groups()
                    .await?
                    .into_iter()
                    .find(|g| &g.id == group_id)
                    .ok_or_else(|| AppError::NotFound(format!("group {group_id} was not found")))?;
                Ok(Some(ResolvedTarget::Group(Box::new(group))))
            }
            BulkAction::Transfer(TransferTarget::Agent { agent_id }) => {
                let mut agent =
                    self.directory.get_agent(agent_id).await?.ok_or_else(|| {
                        AppError::NotFound(format!("agent {agent_id} was not found"))
                    })?;
                // No console open past the grace period: away, like an agent who switched to
                // away (a chat transferred to them would wait for nobody).
                let load = self.directory.assignment_load(&agent.id).await?;
                agent.available = crate::domain::handoff::receives_chats(
                    agent.available,
                    load.offline_since,
                    self.settings.away_grace_ms,
                    self.clock.now(),
                );
                Ok(Some(ResolvedTarget::Agent(Box::new(agent))))
            }
            _ => Ok(None),
        }
    }

    async fn act_on_one(
        &self,
        actor: &Agent,
        action: &BulkAction,
        target: Option<&ResolvedTarget>,
        id: &ChatId,
    ) -> Result<Option<ChatRow>, AppError> {
        let mutated = match action {
            BulkAction::Pull => {
                self.mutate_chat(id, |chat, now| rules::pull(chat, actor, now))
                    .await?
            }
            BulkAction::Take => {
                self.mutate_chat(id, |chat, now| rules::take(chat, actor, now))
                    .await?
            }
            BulkAction::Transfer(_) => match target {
                Some(ResolvedTarget::Group(group)) => {
                    self.mutate_chat(id, |chat, now| {
                        rules::transfer_to_group(chat, actor, group, now)
                    })
                    .await?
                }
                Some(ResolvedTarget::Agent(agent)) => {
                    self.mutate_chat(id, |chat, now| {
                        rules::transfer_to_agent(chat, actor, agent, now)
                    })
                    .await?
                }
                None => return Err(DomainError::invalid("to", "name a group or an agent").into()),
            },
            BulkAction::End { resolution } => {
                let ended = self
                    .mutate_chat(id, |chat, now| {
                        rules::end(chat, EndedBy::Agent(actor), resolution.as_deref(), now)
                    })
                    .await?;
                if let Mutated::Changed { chat, .. } = &ended {
                    // The chat has ended either way; a resolution that fails to be recorded as a
                    // suggestion source is logged, not reported as a failed end.
                    if let Err(e) = self.knowledge.record_resolution(self, chat).await {
                        tracing::error!(error = %crate::errors::error_chain(&e), chat = %chat.id, "recording a resolution failed");
                    }
                }
                ended
            }
            BulkAction::Delete => {
                let deleted = self
                    .mutate_chat(id, |chat, now| rules::delete(chat, actor, now))
                    .await?;
                if let Mutated::Changed { chat, .. } = &deleted {
                    self.audit_chat(
                        actor,
                        AuditAction::ChatDeleted,
                        chat,
                        "deleted",
                        "false",
                        "true",
                    )
                    .await;
                }
                deleted
            }
            BulkAction::Restore => {
                let restored = self
                    .mutate_chat(id, |chat, _| rules::restore(chat, actor))
                    .await?;
                if let Mutated::Changed { chat, .. } = &restored {
                    self.audit_chat(
                        actor,
                        AuditAction::ChatRestored,
                        chat,
                        "deleted",
                        "true",
                        "false",
                    )
                    .await;
                }
                restored
            }
            BulkAction::Purge => {
                // The purge logs itself: it has the chat in hand.
                self.purge(actor, id).await?;
                return Ok(None);
            }
            BulkAction::SetFollowUp { due_at, note } => {
                self.mutate_chat(id, |chat, now| {
                    rules::set_follow_up(chat, actor, Some((*due_at, note.as_str())), now)
                })
                .await?
            }
            BulkAction::ClearFollowUp => {
                self.mutate_chat(id, |chat, now| rules::set_follow_up(chat, actor, None, now))
                    .await?
            }
        };
        let chat = match &mutated {
            Mutated::Changed { chat, .. } | Mutated::Duplicate { chat, .. } => chat,
        };
        Ok(Some(self.row(chat).await?))
    }

    /// Logs a delete or restore of `chat` by `actor` (the chat is changed already).
    async fn audit_chat(
        &self,
        actor: &Agent,
        action: AuditAction,
        chat: &Chat,
        field: &str,
        before: &str,
        after: &str,
    ) {
        let entry = AuditEntry::new(
            self.clock.now(),
            AuditActor::Agent {
                id: actor.id.clone(),
                name: actor.display_name.clone(),
            },
            action,
            AuditTarget::Chat(chat.id.clone()),
            vec![FieldChange {
                field: field.into(),
                before: Some(before.into()),
                after: Some(after.into()),
            }],
        );
        self.log_chat_audit(&entry).await;
    }

    /// A chat's change stands whether or not its log entry could be written: a failure is
    /// logged loudly, and the action is still reported as done (it was).
    pub(crate) async fn log_chat_audit(&self, entry: &AuditEntry) {
        if let Err(e) = self.audit.append_audit(entry).await {
            tracing::error!(error = %crate::errors::error_chain(&e), action = entry.action.as_str(), "writing the audit log failed");
        }
    }

    /// Pull from the queue: the longest-waiting chat of any of my groups becomes mine. Many
    /// agents may pull at once; each chat goes to exactly one of them (the commit is conditional
    /// on the chat still being at the sequence number it was read at), and nobody goes over their
    /// limit (the counter is checked in the same atomic commit).
    pub async fn pull_next(&self, principal: &Principal) -> Result<ChatRow, AppError> {
        let actor = self.agent(principal).await?;
        // Oldest first across groups; a few per group is plenty, since losing a race to a
        // colleague moves us to the next candidate.
        const CANDIDATES_PER_GROUP: usize = 10;
        let mut candidates = Vec::new();
        for group in &actor.groups {
            let queued = self
                .chats
                .list_positions(&ChatFilter::GroupQueue(group.clone()), CANDIDATES_PER_GROUP)
                .await?;
            candidates.extend(queued);
        }
        // Queue places order by when each chat joined the queue, then by id.
        candidates.sort();
        for candidate in candidates {
            let result = self
                .mutate_chat(&candidate.chat_id, |chat, now| {
                    rules::pull(chat, &actor, now)
                })
                .await;
            match result {
                Ok(m) => return self.row(m.chat()).await,
                // Someone else got it (or it was transferred away): try the next one.
                Err(AppError::Domain(DomainError::InvalidState(_)))
                | Err(AppError::Domain(DomainError::Forbidden(_)))
                | Err(AppError::NotFound(_))
                | Err(AppError::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(AppError::QueueEmpty)
    }
}

enum ResolvedTarget {
    Group(Box<crate::domain::Group>),
    Agent(Box<Agent>),
}
