//! Administering agents: create, change, remove, set a password. Today the operator commands
//! (`chatdesk agent ...`) call these; an administration API will call the same. Any change that
//! takes access away revokes the agent's sign-ins and closes their open connections at once.

use super::{App, AppError};
use crate::auth::password::hash_password;
use crate::domain::{limits, Agent, AgentId, DomainError, GroupId, Role};
use crate::ports::SessionChange;

/// The shortest password accepted for an agent.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The most chats an agent may be allowed at once.
pub const MAX_CONCURRENT_CHATS: u32 = 100;

/// What an administrator sets on an agent.
#[derive(Clone, Debug)]
pub struct AgentProfile {
    /// Sign-in name; also the agent's id.
    pub username: String,
    /// The name customers see.
    pub display_name: String,
    pub role: Role,
    pub groups: Vec<GroupId>,
    pub max_concurrent_chats: u32,
}

#[derive(Clone, Debug)]
pub struct SavedAgent {
    pub agent: Agent,
    pub created: bool,
    /// Earlier sign-ins and connections were revoked (access was reduced or the password changed).
    pub sessions_revoked: bool,
}

/// The agent id a username is (usernames are ids), refused with the field the caller named.
pub(crate) fn username_as_id(username: &str) -> Result<AgentId, DomainError> {
    AgentId::parse(username).map_err(|_| {
        DomainError::invalid(
            "username",
            "must be 1 to 64 characters of letters, digits, '-' or '_'",
        )
    })
}

/// A fresh session epoch: random (an agent removed and created again never gets an old one
/// back), non-zero, and within 53 bits so it survives JSON readers that use doubles.
pub fn new_session_epoch() -> u64 {
    (rand::random::<u64>() >> 11) | 1
}

impl App {
    /// A profile's id, trimmed display name and known groups (each once), or the field that is
    /// refused; nothing is written. Also run before anything outside the store is changed for a
    /// new agent (its pool user), so an invalid profile leaves nothing behind there.
    pub(crate) async fn checked_profile(
        &self,
        profile: &AgentProfile,
        password: Option<&str>,
    ) -> Result<(AgentId, String, Vec<GroupId>), AppError> {
        let id = username_as_id(&profile.username)?;
        let display_name = limits::single_line("display_name", &profile.display_name, 80)?;
        if !(1..=MAX_CONCURRENT_CHATS).contains(&profile.max_concurrent_chats) {
            return Err(DomainError::invalid(
                "max_concurrent_chats",
                format!("must be between 1 and {MAX_CONCURRENT_CHATS}"),
            )
            .into());
        }
        if let Some(p) = password {
            if p.chars().count() < MIN_PASSWORD_CHARS {
                return Err(DomainError::invalid(
                    "password",
                    format!("must be at least {MIN_PASSWORD_CHARS} characters"),
                )
                .into());
            }
        }
        let known = self.directory.list_groups().await?;
        let mut groups: Vec<GroupId> = Vec::new();
        for g in profile.groups.iter().cloned() {
            if !known.iter().any(|k| k.id == g) {
                return Err(AppError::NotFound(format!("group {g} was not found")));
            }
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
        Ok((id, display_name, groups))
    }

    /// Creates or changes an agent. With `password`, also sets it. Reducing the agent's role or
    /// groups, or setting a password for an existing agent, revokes their earlier sign-ins and
    /// closes their connections; granting more access closes their connections so the console
    /// reconnects with it.
    pub async fn save_agent(
        &self,
        profile: AgentProfile,
        password: Option<&str>,
    ) -> Result<SavedAgent, AppError> {
        let (id, display_name, groups) = self.checked_profile(&profile, password).await?;
        let existing = self.directory.get_agent(&id).await?;
        let agent = Agent {
            id: id.clone(),
            username: profile.username,
            display_name,
            role: profile.role,
            groups,
            available: existing.as_ref().is_none_or(|a| a.available),
            max_concurrent_chats: profile.max_concurrent_chats,
            session_epoch: existing
                .as_ref()
                .map(|a| a.session_epoch)
                .unwrap_or_else(new_session_epoch),
            // A profile change keeps a deactivation; only reactivating lifts it.
            deactivated_at: existing.as_ref().and_then(|a| a.deactivated_at),
        };
        let revoke = existing
            .as_ref()
            .is_some_and(|before| before.loses_access_in(&agent) || password.is_some());
        let granted = !revoke
            && existing
                .as_ref()
                .is_some_and(|before| before.role != agent.role || before.groups != agent.groups);
        self.directory.put_agent(&agent).await?;
        let mut saved = agent;
        if revoke {
            // Before the password: a failure in between leaves the old sign-ins revoked, never
            // the new password beside still-valid old sessions.
            saved.session_epoch = new_session_epoch();
            self.directory
                .set_session_epoch(&saved.id, saved.session_epoch)
                .await?;
        }
        if let Some(p) = password {
            let p = p.to_owned();
            let hash = tokio::task::spawn_blocking(move || hash_password(&p))
                .await
                .map_err(|e| AppError::Internal(crate::ports::StoreError::backend(e)))?
                .map_err(|e| AppError::Internal(crate::ports::StoreError::Corrupt(e)))?;
            self.directory.set_password_hash(&saved.id, &hash).await?;
        }
        if revoke {
            self.notifier
                .agent_sessions_changed(&saved.id, SessionChange::Revoked)
                .await;
        } else if granted {
            self.notifier
                .agent_sessions_changed(&saved.id, SessionChange::AccessGranted)
                .await;
        }
        Ok(SavedAgent {
            agent: saved,
            created: existing.is_none(),
            sessions_revoked: revoke,
        })
    }

    /// Removes an agent for good: their sign-ins stop working and their connections close at
    /// once. Their name stays on the chats they had. Refused while they have active chats
    /// (transfer or end those first), so no customer is left with nobody.
    pub async fn remove_agent(&self, id: &AgentId) -> Result<(), AppError> {
        if self.directory.get_agent(id).await?.is_none() {
            return Err(AppError::NotFound(format!("agent {id} was not found")));
        }
        let active = self.directory.active_chat_count(id).await?;
        if active > 0 {
            return Err(AppError::Conflict(format!(
                "agent {id} has {active} active chat(s); transfer or end them first"
            )));
        }
        self.directory.delete_agent(id).await?;
        self.notifier
            .agent_sessions_changed(id, SessionChange::Revoked)
            .await;
        Ok(())
    }
}
