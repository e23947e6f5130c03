use std::net::IpAddr;

use super::{App, AppError};
use crate::auth::password;
use crate::auth::Principal;
use crate::domain::{
    Agent, AgentId, DomainError, Group, GroupId, ListPreferences, NotificationPreferences, Role,
};

/// The signed-in agent, with what the console needs to draw its navigation pane.
#[derive(Clone, Debug)]
pub struct Me {
    pub agent: Agent,
    pub groups: Vec<Group>,
    /// Member of every group: may open Global Live Chats.
    pub can_view_global: bool,
    pub active_chats: u32,
    /// The idle thresholds of this deployment, so the console can recolour idle times as they
    /// tick without asking the server.
    pub idle_thresholds: crate::domain::IdleThresholds,
    pub presence: crate::domain::Presence,
}

/// An agent as colleagues see them (for transfers).
#[derive(Clone, Debug)]
pub struct AgentSummary {
    pub id: AgentId,
    pub display_name: String,
    pub role: Role,
    pub groups: Vec<GroupId>,
    pub available: bool,
    pub presence: crate::domain::Presence,
}

#[derive(Clone, Debug)]
pub struct SignedIn {
    pub token: String,
    pub me: Me,
}

impl App {
    /// Password sign-in. The same error for an unknown user and a wrong password, after the
    /// same amount of work. Limited per username and per client address (`sign_in_limits`); the
    /// password check runs off the async threads, a bounded number at once.
    pub async fn sign_in(
        &self,
        username: &str,
        password_text: &str,
        client: Option<IpAddr>,
    ) -> Result<SignedIn, AppError> {
        // Usernames are agent ids; anything else cannot exist and is not worth an attempt.
        let username = AgentId::parse(username.trim()).map_err(|_| {
            DomainError::invalid(
                "username",
                "is not a username (1-64 letters, digits, '-' or '_')",
            )
        })?;
        let attempt = self.count_sign_in_attempt(&username, client).await?;
        let verifier = password::Verifier::shared();
        let agent = match self.directory.find_login(username.as_str()).await? {
            Some((agent, hash)) if verifier.verify(password_text, &hash).await => agent,
            Some(_) => return Err(AppError::Unauthorized("wrong username or password".into())),
            None => {
                verifier.verify_decoy(password_text).await;
                return Err(AppError::Unauthorized("wrong username or password".into()));
            }
        };
        self.take_back(attempt).await?;
        if !agent.is_active() {
            // Told only after the right password: a guesser learns nothing.
            return Err(AppError::Unauthorized(
                "this agent was deactivated; ask an administrator".into(),
            ));
        }
        let token = self
            .tokens
            .issue_agent(&agent, self.clock.now())
            .map_err(|e| AppError::Internal(crate::ports::StoreError::Corrupt(e)))?;
        let me = self.me_for(agent).await?;
        Ok(SignedIn { token, me })
    }

    async fn me_for(&self, agent: Agent) -> Result<Me, AppError> {
        let all = self.directory.list_groups().await?;
        let can_view_global = agent.is_member_of_all(all.iter().map(|g| &g.id));
        let groups = all
            .into_iter()
            .filter(|g| agent.is_member_of(&g.id))
            .collect();
        let load = self.directory.assignment_load(&agent.id).await?;
        Ok(Me {
            presence: crate::domain::Presence::of(
                agent.available,
                load.offline_since,
                self.settings.away_grace_ms,
                self.clock.now(),
            ),
            agent,
            groups,
            can_view_global,
            active_chats: load.active_chats,
            idle_thresholds: self.idle_thresholds().await,
        })
    }

    pub async fn me(&self, principal: &Principal) -> Result<Me, AppError> {
        let agent = self.agent(principal).await?;
        self.me_for(agent).await
    }

    pub async fn set_available(
        &self,
        principal: &Principal,
        available: bool,
    ) -> Result<Me, AppError> {
        let mut agent = self.agent(principal).await?;
        let became_available = available && !agent.available;
        agent.available = available;
        self.directory.put_agent(&agent).await?;
        if became_available {
            self.distribute_to(&agent.id).await;
        }
        self.me_for(agent).await
    }

    /// Every group (id and name). Public: the customer's chat page offers them to choose from.
    pub async fn groups(&self) -> Result<Vec<Group>, AppError> {
        Ok(self.directory.list_groups().await?)
    }

    pub async fn agents(&self, principal: &Principal) -> Result<Vec<AgentSummary>, AppError> {
        self.agent(principal).await?;
        let now = self.clock.now();
        let mut summaries = Vec::new();
        // Deactivated agents are nobody's colleagues until reactivated.
        for a in self
            .directory
            .list_agents()
            .await?
            .into_iter()
            .filter(Agent::is_active)
        {
            let load = self.directory.assignment_load(&a.id).await?;
            let presence = crate::domain::Presence::of(
                a.available,
                load.offline_since,
                self.settings.away_grace_ms,
                now,
            );
            summaries.push(AgentSummary {
                // Offline counts as away for transfers too.
                available: presence == crate::domain::Presence::Available,
                presence,
                id: a.id,
                display_name: a.display_name,
                role: a.role,
                groups: a.groups,
            });
        }
        Ok(summaries)
    }

    pub async fn preferences(&self, principal: &Principal) -> Result<ListPreferences, AppError> {
        let agent = self.agent(principal).await?;
        // A layout saved before a column existed gets it, hidden, at the end.
        Ok(self
            .preferences
            .get_preferences(&agent.id)
            .await?
            .map(|p| p.validated().unwrap_or_default())
            .unwrap_or_default())
    }

    /// Saves the agent's preferences; `notifications: None` keeps the saved notification
    /// settings (a client that only changes the list layout does not reset them).
    pub async fn save_preferences(
        &self,
        principal: &Principal,
        prefs: ListPreferences,
        notifications: Option<NotificationPreferences>,
    ) -> Result<ListPreferences, AppError> {
        let agent = self.agent(principal).await?;
        let mut prefs = prefs.validated()?;
        prefs.notifications = match notifications {
            Some(n) => n,
            None => self
                .preferences
                .get_preferences(&agent.id)
                .await?
                .map(|saved| saved.notifications)
                .unwrap_or_default(),
        };
        self.preferences.put_preferences(&agent.id, &prefs).await?;
        Ok(prefs)
    }
}
