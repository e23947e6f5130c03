//! The administration of agents by administrators (the console's Agents page, the API), and the
//! audit log they read. Each change goes through the same use cases as the operator's command
//! line (`agents.rs`) and is written to the audit log with who did it and what changed.

use super::agents::{AgentProfile, SavedAgent};
use super::{App, AppError};
use crate::auth::Principal;
use crate::domain::audit::agent_changes;
use crate::domain::{
    Agent, AgentId, AuditAction, AuditActor, AuditEntry, AuditTarget, DomainError, EmailAddress,
    FieldChange, Role,
};
use crate::ports::{ChatFilter, PoolInvite, SessionChange};

/// Entries of the audit log per page, at most.
pub const MAX_AUDIT_PAGE: usize = 200;
/// Characters of a generated password (shown once to the administrator).
const GENERATED_PASSWORD_CHARS: usize = 20;
/// Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
const PASSWORD_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// An agent created by an administrator, with the password generated for them when none was
/// given (shown once: it is stored only as a hash).
pub struct CreatedAgent {
    pub agent: Agent,
    pub generated_password: Option<String>,
}

/// Never prints the password (logs and test failures show that there was one, not which).
impl std::fmt::Debug for CreatedAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedAgent")
            .field("agent", &self.agent)
            .field(
                "generated_password",
                &self.generated_password.as_ref().map(|_| "<hidden>"),
            )
            .finish()
    }
}

/// A page of the audit log, newest first; `next` continues it.
#[derive(Debug)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next: Option<String>,
}

/// A password nobody chose: 20 characters of a 54-letter alphabet (about 115 bits).
/// (`thread_rng` is a cryptographically secure generator, seeded from the operating system.)
pub fn generate_password() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..GENERATED_PASSWORD_CHARS)
        .map(|_| char::from(PASSWORD_ALPHABET[rng.gen_range(0..PASSWORD_ALPHABET.len())]))
        .collect()
}

impl App {
    /// The administrator behind `principal`, and how the log names them.
    pub(super) async fn administrator(
        &self,
        principal: &Principal,
    ) -> Result<(Agent, AuditActor), AppError> {
        let agent = self.agent(principal).await?;
        if agent.role != Role::Administrator {
            return Err(AppError::Forbidden(
                "only administrators manage agents, groups and the organisation, and read the audit log".into(),
            ));
        }
        let actor = AuditActor::Agent {
            id: agent.id.clone(),
            name: agent.display_name.clone(),
        };
        Ok((agent, actor))
    }

    /// Writes one entry of the audit log. The change it records is already made: a failure here
    /// is logged and reported, and the change stands (it is never half undone).
    pub(crate) async fn audit(
        &self,
        actor: AuditActor,
        action: AuditAction,
        target: AuditTarget,
        changes: Vec<FieldChange>,
    ) -> Result<(), AppError> {
        let entry = AuditEntry::new(self.clock.now(), actor, action, target, changes);
        self.audit.append_audit(&entry).await.map_err(|e| {
            tracing::error!(error = %crate::errors::error_chain(&e), action = action.as_str(), "writing the audit log failed");
            AppError::from(e)
        })
    }

    async fn existing_agent(&self, id: &AgentId) -> Result<Agent, AppError> {
        self.directory
            .get_agent(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("agent {id} was not found")))
    }

    /// Every agent, deactivated ones too, by username.
    pub async fn admin_agents(&self, principal: &Principal) -> Result<Vec<Agent>, AppError> {
        self.administrator(principal).await?;
        let mut agents = self.directory.list_agents().await?;
        agents.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(agents)
    }

    /// Creates an agent; without a password one is generated and answered once (except where
    /// agents sign in with the user pool: `admin_create_agent_with_email`).
    pub async fn admin_create_agent(
        &self,
        principal: &Principal,
        profile: AgentProfile,
        password: Option<String>,
    ) -> Result<CreatedAgent, AppError> {
        self.admin_create_agent_with_email(principal, profile, password, None)
            .await
    }

    /// `admin_create_agent`, with the agent's e-mail address. With a user pool the address is
    /// required: the pool user is created first (the pool sends the invitation there) or, made
    /// earlier, linked, and only then the agent, so a refused pool call leaves nothing behind and
    /// a retry finds its pool user. The address stays in the pool; chatdesk does not keep it.
    pub async fn admin_create_agent_with_email(
        &self,
        principal: &Principal,
        profile: AgentProfile,
        password: Option<String>,
        email: Option<&str>,
    ) -> Result<CreatedAgent, AppError> {
        let (_, actor) = self.administrator(principal).await?;
        let id = super::agents::username_as_id(&profile.username)?;
        let email = email.map(EmailAddress::parse).transpose()?;
        if self.directory.get_agent(&id).await?.is_some() {
            return Err(AppError::Conflict(format!(
                "an agent with the username {id} exists already"
            )));
        }
        if let Some(pool) = &self.user_pool {
            let email = email.ok_or_else(|| {
                DomainError::invalid("email", "is required: the sign-in invitation is sent there")
            })?;
            let (_, display_name, _) = self.checked_profile(&profile, password.as_deref()).await?;
            let invited = pool
                .invite(&PoolInvite {
                    username: id.clone(),
                    email,
                    display_name,
                })
                .await?;
            tracing::info!(agent = %id, ?invited, "pool user for the new agent");
        }
        // A pool user signs in through the pool, with the password its invitation brings: a
        // second, chatdesk-kept password nobody asked for would be one more way in to guard.
        // One the administrator typed is kept (their choice, e.g. a fallback while the pool is
        // being set up).
        let generated = (password.is_none() && self.user_pool.is_none()).then(generate_password);
        let password = password.or_else(|| generated.clone());
        let saved = self
            .save_agent_by(actor, profile, password.as_deref())
            .await?;
        Ok(CreatedAgent {
            agent: saved.agent,
            generated_password: generated,
        })
    }

    /// Changes an existing agent's name, role, groups or chat limit.
    pub async fn admin_update_agent(
        &self,
        principal: &Principal,
        id: &AgentId,
        profile: AgentProfile,
    ) -> Result<Agent, AppError> {
        let (admin, actor) = self.administrator(principal).await?;
        let before = self.existing_agent(id).await?;
        if profile.username != before.username {
            return Err(DomainError::invalid("username", "cannot be changed").into());
        }
        if &admin.id == id && profile.role != Role::Administrator {
            return Err(AppError::Conflict(
                "you cannot take the administrator role from yourself; ask another administrator"
                    .into(),
            ));
        }
        Ok(self.save_agent_by(actor, profile, None).await?.agent)
    }

    /// Deactivates an agent: their sign-ins and open consoles end at once, they cannot sign in
    /// and get no chats; their name stays on their chats. Refused while they have active chats
    /// (transfer or end those first, so no customer is left with nobody) and for oneself.
    pub async fn admin_deactivate_agent(
        &self,
        principal: &Principal,
        id: &AgentId,
    ) -> Result<Agent, AppError> {
        let (admin, actor) = self.administrator(principal).await?;
        if &admin.id == id {
            return Err(AppError::Conflict(
                "you cannot deactivate yourself; ask another administrator".into(),
            ));
        }
        let before = self.existing_agent(id).await?;
        if !before.is_active() {
            // Again: a pool user enabled while the agent stayed deactivated (a reactivation that
            // failed after the pool, an agent deactivated before the pool was used) is disabled.
            if let Some(pool) = &self.user_pool {
                pool.disable(id).await?;
            }
            return Ok(before);
        }
        let active = self.directory.active_chat_count(id).await?;
        if active > 0 {
            return Err(AppError::Conflict(format!(
                "agent {id} has {active} active chat(s); transfer or end them first"
            )));
        }
        // The pool first: if the agent's change fails after it, the agent is still active and
        // the administrator's retry deactivates both.
        if let Some(pool) = &self.user_pool {
            pool.disable(id).await?;
        }
        let mut after = before.clone();
        after.deactivated_at = Some(self.clock.now());
        after.available = false;
        self.directory.put_agent(&after).await?;
        // Every credential they hold stops working, and their sockets close.
        after.session_epoch = super::new_session_epoch();
        self.directory
            .set_session_epoch(id, after.session_epoch)
            .await?;
        self.notifier
            .agent_sessions_changed(id, SessionChange::Revoked)
            .await;
        self.audit_agent_change(actor, AuditAction::AgentDeactivated, &before, &after)
            .await?;
        Ok(after)
    }

    /// Lets a deactivated agent sign in again (available for chats once they are).
    pub async fn admin_reactivate_agent(
        &self,
        principal: &Principal,
        id: &AgentId,
    ) -> Result<Agent, AppError> {
        let (_, actor) = self.administrator(principal).await?;
        let before = self.existing_agent(id).await?;
        if before.is_active() {
            return Ok(before);
        }
        // The pool first, as for deactivating: a failure after it leaves a pool user that can
        // sign in to an agent who cannot, until the retry.
        if let Some(pool) = &self.user_pool {
            pool.enable(id).await?;
        }
        let mut after = before.clone();
        after.deactivated_at = None;
        after.available = true;
        self.directory.put_agent(&after).await?;
        self.audit_agent_change(actor, AuditAction::AgentReactivated, &before, &after)
            .await?;
        Ok(after)
    }

    /// Logs a change of an existing agent, with the fields it changed.
    async fn audit_agent_change(
        &self,
        actor: AuditActor,
        action: AuditAction,
        before: &Agent,
        after: &Agent,
    ) -> Result<(), AppError> {
        self.audit(
            actor,
            action,
            AuditTarget::Agent(after.id.clone()),
            agent_changes(Some(before), Some(after)),
        )
        .await
    }

    /// Deletes an agent who never had a chat (anyone with history is deactivated instead, so
    /// their chats keep a name that leads somewhere).
    pub async fn admin_delete_agent(
        &self,
        principal: &Principal,
        id: &AgentId,
    ) -> Result<(), AppError> {
        let (admin, actor) = self.administrator(principal).await?;
        if &admin.id == id {
            return Err(AppError::Conflict("you cannot delete yourself".into()));
        }
        let before = self.existing_agent(id).await?;
        for filter in [
            ChatFilter::AgentActive(id.clone()),
            ChatFilter::AgentEnded(id.clone()),
        ] {
            if !self.chats.list_positions(&filter, 1).await?.is_empty() {
                return Err(AppError::Conflict(format!(
                    "agent {id} has chats on record; deactivate them instead"
                )));
            }
        }
        // The pool user first: a failure after it leaves the agent, whose deletion is retried
        // (a pool user already gone is fine then).
        if let Some(pool) = &self.user_pool {
            pool.delete(id).await?;
        }
        self.remove_agent_logged(actor, &before).await
    }

    /// Sets a new generated password (answered once) and ends the agent's sign-ins.
    pub async fn admin_reset_password(
        &self,
        principal: &Principal,
        id: &AgentId,
    ) -> Result<String, AppError> {
        let (_, actor) = self.administrator(principal).await?;
        let before = self.existing_agent(id).await?;
        let password = generate_password();
        let profile = AgentProfile {
            username: before.username.clone(),
            display_name: before.display_name.clone(),
            role: before.role,
            groups: before.groups.clone(),
            max_concurrent_chats: before.max_concurrent_chats,
        };
        // Not through `save_agent_by`: the log says "password reset", never the password.
        self.save_agent(profile, Some(&password)).await?;
        self.audit(
            actor,
            AuditAction::PasswordReset,
            AuditTarget::Agent(id.clone()),
            Vec::new(),
        )
        .await?;
        Ok(password)
    }

    /// `save_agent`, logged as a creation or a change by `actor`.
    pub async fn save_agent_by(
        &self,
        actor: AuditActor,
        profile: AgentProfile,
        password: Option<&str>,
    ) -> Result<SavedAgent, AppError> {
        let id = AgentId::parse(&profile.username)?;
        let before = self.directory.get_agent(&id).await?;
        let saved = self.save_agent(profile, password).await?;
        let changes = agent_changes(before.as_ref(), Some(&saved.agent));
        let action = if saved.created {
            AuditAction::AgentCreated
        } else {
            AuditAction::AgentUpdated
        };
        if saved.created || !changes.is_empty() {
            self.audit(
                actor.clone(),
                action,
                AuditTarget::Agent(id.clone()),
                changes,
            )
            .await?;
        }
        if password.is_some() && !saved.created {
            self.audit(
                actor,
                AuditAction::PasswordReset,
                AuditTarget::Agent(id),
                Vec::new(),
            )
            .await?;
        }
        Ok(saved)
    }

    /// `remove_agent`, logged as a deletion by `actor` (the operator's command line).
    pub async fn remove_agent_by(&self, actor: AuditActor, id: &AgentId) -> Result<(), AppError> {
        let before = self.existing_agent(id).await?;
        self.remove_agent_logged(actor, &before).await
    }

    /// Removes `before` and logs it, with every field it had, as `actor`'s deletion.
    async fn remove_agent_logged(&self, actor: AuditActor, before: &Agent) -> Result<(), AppError> {
        self.remove_agent(&before.id).await?;
        self.audit(
            actor,
            AuditAction::AgentDeleted,
            AuditTarget::Agent(before.id.clone()),
            agent_changes(Some(before), None),
        )
        .await
    }

    /// The audit log, newest first, `limit` (1-200, default 50) entries before `before`.
    pub async fn audit_log(
        &self,
        principal: &Principal,
        before: Option<&str>,
        limit: Option<usize>,
    ) -> Result<AuditPage, AppError> {
        self.administrator(principal).await?;
        let limit = limit.unwrap_or(50);
        if !(1..=MAX_AUDIT_PAGE).contains(&limit) {
            return Err(DomainError::invalid(
                "limit",
                format!("must be between 1 and {MAX_AUDIT_PAGE}"),
            )
            .into());
        }
        if let Some(b) = before {
            if b.is_empty()
                || b.len() > 40
                || !b.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                return Err(DomainError::invalid("before", "is not an audit entry id").into());
            }
        }
        let mut entries = self.audit.audit_page(before, limit + 1).await?;
        let next = if entries.len() > limit {
            entries.truncate(limit);
            entries.last().map(|e| e.id.clone())
        } else {
            None
        };
        Ok(AuditPage { entries, next })
    }
}
