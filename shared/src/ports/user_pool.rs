//! The directory agents sign in with in the cloud (the Cognito user pool): chatdesk keeps its
//! agents' pool users in step with its own agents. The pool user's name is the agent's id (the
//! `cognito:username` claim of the ID token), and the pool, not chatdesk, keeps the e-mail
//! address and sends the invitation.

use async_trait::async_trait;

use crate::domain::{AgentId, EmailAddress};
use crate::ports::StoreError;

/// The pool user of a new agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolInvite {
    pub username: AgentId,
    pub email: EmailAddress,
    pub display_name: String,
}

/// What `invite` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invited {
    /// A new pool user, who was sent the invitation with a temporary password.
    Created,
    /// The pool user existed already (made by hand, or by an earlier attempt whose agent was
    /// never saved): it is the agent's now, and enabled.
    Linked,
}

#[async_trait]
pub trait UserPool: Send + Sync {
    /// Creates the pool user (the pool sends the invitation), or links the existing one.
    async fn invite(&self, user: &PoolInvite) -> Result<Invited, StoreError>;

    /// The user can no longer sign in. A missing user is fine: nobody signs in as them.
    async fn disable(&self, username: &AgentId) -> Result<(), StoreError>;

    /// The user can sign in again. A missing user is fine: there is nothing to enable (an agent
    /// made before the pool was used signs in once an administrator creates their pool user).
    async fn enable(&self, username: &AgentId) -> Result<(), StoreError>;

    /// Removes the user. A missing user is fine: it is gone either way.
    async fn delete(&self, username: &AgentId) -> Result<(), StoreError>;
}
