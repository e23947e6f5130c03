//! The cloud's user pool: the agents' Cognito users, kept in step with chatdesk's agents by the
//! administration use cases (`AdminCreateUser`, which sends the invitation;
//! `AdminUpdateUserAttributes` for a pool user made earlier and linked; `AdminEnableUser`,
//! `AdminDisableUser`, `AdminDeleteUser`; nothing else, see infra/permissions.json).

use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_cognitoidentityprovider::types::{AttributeType, DeliveryMediumType};
use aws_sdk_cognitoidentityprovider::Client;

use crate::domain::AgentId;
use crate::ports::{Invited, PoolInvite, StoreError, UserPool};

/// What the pool answered when it refused: the whole error chain, for the logs.
#[derive(Debug, thiserror::Error)]
#[error("user pool: {0}")]
struct PoolRefused(String);

fn refused(e: impl std::error::Error) -> StoreError {
    StoreError::backend(PoolRefused(DisplayErrorContext(e).to_string()))
}

pub struct CognitoPool {
    client: Client,
    pool_id: String,
}

impl CognitoPool {
    /// The pool `pool_id` through a client on the function's SDK configuration; `endpoint` for
    /// an emulator.
    pub fn new(shared: &aws_config::SdkConfig, pool_id: &str, endpoint: Option<&str>) -> Self {
        let mut config = aws_sdk_cognitoidentityprovider::config::Builder::from(shared);
        if let Some(e) = endpoint {
            config = config.endpoint_url(e);
        }
        CognitoPool {
            client: Client::from_conf(config.build()),
            pool_id: pool_id.to_owned(),
        }
    }
}

fn attribute(name: &str, value: &str) -> Result<AttributeType, StoreError> {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .map_err(refused)
}

/// The service's error code (`UserNotFoundException`, ...), whichever operation answered it.
fn code<E: ProvideErrorMetadata>(e: &E) -> Option<&str> {
    e.code()
}

/// A call's answer as done: also when the pool has no such user (`missing` says so in the log).
fn done_unless_refused<T, E>(sent: Result<T, E>, missing: impl FnOnce()) -> Result<(), StoreError>
where
    E: ProvideErrorMetadata + std::error::Error,
{
    match sent {
        Ok(_) => Ok(()),
        Err(e) if code(&e) == Some("UserNotFoundException") => {
            missing();
            Ok(())
        }
        Err(e) => Err(refused(e)),
    }
}

#[async_trait]
impl UserPool for CognitoPool {
    async fn invite(&self, user: &PoolInvite) -> Result<Invited, StoreError> {
        let created = self
            .client
            .admin_create_user()
            .user_pool_id(&self.pool_id)
            .username(user.username.as_str())
            .user_attributes(attribute("email", user.email.as_str())?)
            // The administrator typed the address the invitation goes to, and the pool's
            // account recovery uses verified addresses only.
            .user_attributes(attribute("email_verified", "true")?)
            .user_attributes(attribute("name", &user.display_name)?)
            .desired_delivery_mediums(DeliveryMediumType::Email)
            .send()
            .await;
        match created {
            Ok(_) => Ok(Invited::Created),
            Err(e) if code(&e) == Some("UsernameExistsException") => {
                // Made by hand before, or by an attempt whose agent was never saved: it takes
                // the address and name the administrator just gave (account recovery goes to
                // that address from now on), and is made able to sign in.
                self.client
                    .admin_update_user_attributes()
                    .user_pool_id(&self.pool_id)
                    .username(user.username.as_str())
                    .user_attributes(attribute("email", user.email.as_str())?)
                    .user_attributes(attribute("email_verified", "true")?)
                    .user_attributes(attribute("name", &user.display_name)?)
                    .send()
                    .await
                    .map_err(refused)?;
                self.enable(&user.username).await?;
                Ok(Invited::Linked)
            }
            Err(e) => Err(refused(e)),
        }
    }

    async fn disable(&self, username: &AgentId) -> Result<(), StoreError> {
        let sent = self
            .client
            .admin_disable_user()
            .user_pool_id(&self.pool_id)
            .username(username.as_str())
            .send()
            .await;
        done_unless_refused(sent, || {
            tracing::warn!(agent = %username, "no pool user to disable");
        })
    }

    async fn enable(&self, username: &AgentId) -> Result<(), StoreError> {
        let sent = self
            .client
            .admin_enable_user()
            .user_pool_id(&self.pool_id)
            .username(username.as_str())
            .send()
            .await;
        done_unless_refused(sent, || {
            tracing::warn!(agent = %username, "no pool user to enable: the agent cannot sign in until one is made");
        })
    }

    async fn delete(&self, username: &AgentId) -> Result<(), StoreError> {
        let sent = self
            .client
            .admin_delete_user()
            .user_pool_id(&self.pool_id)
            .username(username.as_str())
            .send()
            .await;
        done_unless_refused(sent, || {})
    }
}
