//! What a Lambda function builds once per cold start: the DynamoDB store, the API Gateway
//! management client for fan-out, the token service and the settings, all from the environment
//! the template gives each function.

use std::sync::Arc;

use thiserror::Error;

use crate::app::{compose, App, Parts, Stores, CHAT_STARTS_PER_ADDRESS};
use crate::auth::TokenService;
use crate::aws::ApiGatewayPoster;
use crate::domain::IdleThresholds;
use crate::dynamodb::DynamoStore;
use crate::ports::{SystemClock, ThrottleLimit};
use crate::realtime::Fanout;

#[derive(Debug, Error)]
pub enum CloudConfigError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{name}: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("store: {0}")]
    Store(#[from] crate::ports::StoreError),
}

fn required(name: &'static str) -> Result<String, CloudConfigError> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or(CloudConfigError::Missing(name))
}

fn seconds(name: &'static str, default_ms: i64) -> Result<i64, CloudConfigError> {
    match std::env::var(name).ok().filter(|v| !v.is_empty()) {
        None => Ok(default_ms),
        Some(v) => v
            .parse::<i64>()
            .map(|s| s * 1000)
            .map_err(|_| CloudConfigError::Invalid {
                name,
                reason: format!("expected seconds, got {v:?}"),
            }),
    }
}

pub struct Cloud {
    pub app: App,
    pub fanout: Arc<Fanout>,
    /// The SDK configuration every client of the function is built on.
    pub aws: aws_config::SdkConfig,
}

impl Cloud {
    /// Reads `CHATDESK_TABLE`, `CHATDESK_TOKEN_SECRET` (at least 32 bytes),
    /// `CHATDESK_WS_ENDPOINT` (the WebSocket API's management endpoint,
    /// `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`) and the idle thresholds
    /// `CHATDESK_IDLE_WARNING_SECS` / `CHATDESK_IDLE_HIGH_SECS`.
    pub async fn from_env() -> Result<Cloud, CloudConfigError> {
        Self::build(None).await
    }

    /// As `from_env`, for the function that serves suggestions with the engine.
    pub async fn from_env_with_suggestions(
        engine: Arc<dyn crate::ports::Suggester>,
    ) -> Result<Cloud, CloudConfigError> {
        Self::build(Some(engine)).await
    }

    async fn build(
        suggester: Option<Arc<dyn crate::ports::Suggester>>,
    ) -> Result<Cloud, CloudConfigError> {
        let endpoint = required("CHATDESK_WS_ENDPOINT")?;
        let dynamodb_endpoint = crate::dynamodb::endpoint_from_env();
        let endpoints: Vec<&str> = [Some(endpoint.as_str()), dynamodb_endpoint.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        let aws = crate::aws::sdk_config(&endpoints).await;
        let store = DynamoStore::from_env_with(&aws);
        let secret = required("CHATDESK_TOKEN_SECRET")?;
        let tokens =
            TokenService::new(secret.as_bytes()).map_err(|reason| CloudConfigError::Invalid {
                name: "CHATDESK_TOKEN_SECRET",
                reason,
            })?;
        let poster = Arc::new(ApiGatewayPoster::with_config(&aws, &endpoint));
        let defaults = IdleThresholds::default();
        let idle = IdleThresholds::new(
            seconds("CHATDESK_IDLE_WARNING_SECS", defaults.warning_ms)?,
            seconds("CHATDESK_IDLE_HIGH_SECS", defaults.high_ms)?,
        )
        .map_err(|reason| CloudConfigError::Invalid {
            name: "CHATDESK_IDLE_WARNING_SECS",
            reason,
        })?;
        let identity = match std::env::var("CHATDESK_IDENTITY_SECRET")
            .ok()
            .filter(|v| !v.is_empty())
        {
            None => None,
            Some(secret) => Some(Arc::new(
                crate::auth::identity::IdentityVerifier::new(secret.as_bytes()).map_err(
                    |reason| CloudConfigError::Invalid {
                        name: "CHATDESK_IDENTITY_SECRET",
                        reason,
                    },
                )?,
            )),
        };
        let parts = Parts {
            clock: Arc::new(SystemClock),
            tokens,
            identity,
            oidc: crate::auth::oidc::OidcConfig::from_env()
                .map(|c| Arc::new(crate::auth::oidc::OidcVerifier::new(c))),
            suggester,
            idle,
            // Nothing runs after an invocation returns, so rows cannot be held for later here:
            // the list rows of messages come from the table's stream, in batches (list-rows).
            list_push: crate::realtime::ListPush::FromStream,
            mail_from: mail_from()?,
            // Only the `mail-outbox` function sends (`with_ses_sender`); the others queue.
            mail_sender: None,
            attachments: None,
        };
        let (mut app, fanout) = compose::app_with_fanout(&Stores::all_in(store), poster, parts);
        // Nothing in front of the HTTP API limits anonymous chat starts: the store's count does.
        app.settings.chat_starts_per_address = chat_start_limit()?;
        Ok(Cloud { app, fanout, aws })
    }
}

/// `CHATDESK_MAIL_FROM`: the verified SES identity mails are sent from (the template's
/// `MailFromAddress`); empty or unset, this deployment sends no e-mail.
fn mail_from() -> Result<Option<crate::domain::EmailAddress>, CloudConfigError> {
    let name = "CHATDESK_MAIL_FROM";
    match std::env::var(name).ok().filter(|v| !v.trim().is_empty()) {
        None => Ok(None),
        Some(v) => crate::domain::EmailAddress::parse(&v)
            .map(Some)
            .map_err(|e| CloudConfigError::Invalid {
                name,
                reason: e.to_string(),
            }),
    }
}

#[cfg(feature = "ses")]
impl Cloud {
    /// Sends the outbox through SES v2 from `CHATDESK_MAIL_FROM`, in the configuration set
    /// `CHATDESK_SES_CONFIGURATION_SET` when one is named (`CHATDESK_SES_ENDPOINT`: an
    /// emulator). Without a sender address it stays without a sender: nothing is queued then.
    pub fn with_ses_sender(mut self) -> Self {
        if let Some(from) = self.app.mail.from.clone() {
            let endpoint = std::env::var("CHATDESK_SES_ENDPOINT")
                .ok()
                .filter(|e| !e.is_empty());
            let client = crate::aws::ses::SesSender::client(&self.aws, endpoint.as_deref());
            let configuration_set = std::env::var("CHATDESK_SES_CONFIGURATION_SET").ok();
            self.app.mail.sender = Some(Arc::new(crate::aws::ses::SesSender::new(
                client,
                from,
                configuration_set,
            )));
        }
        self
    }
}

#[cfg(feature = "s3")]
impl Cloud {
    /// Keeps attachments in the bucket `CHATDESK_ATTACHMENTS_BUCKET` (`CHATDESK_S3_ENDPOINT`: an
    /// emulator, addressed path-style).
    pub fn with_s3_attachments(mut self) -> Result<Self, CloudConfigError> {
        let name = "CHATDESK_ATTACHMENTS_BUCKET";
        let bucket = required(name)?;
        let endpoint = std::env::var("CHATDESK_S3_ENDPOINT")
            .ok()
            .filter(|e| !e.is_empty());
        let files = crate::files::s3::S3Files::new(&self.aws, &bucket, endpoint.as_deref())
            .map_err(|reason| CloudConfigError::Invalid { name, reason })?;
        self.app.attachments = Some(Arc::new(files));
        Ok(self)
    }
}

#[cfg(feature = "cognito")]
impl Cloud {
    /// Keeps the agents' users in the Cognito user pool `CHATDESK_USER_POOL_ID`
    /// (`CHATDESK_COGNITO_ENDPOINT`: an emulator) in step with the agents.
    pub fn with_user_pool(mut self) -> Result<Self, CloudConfigError> {
        let pool_id = required("CHATDESK_USER_POOL_ID")?;
        let endpoint = std::env::var("CHATDESK_COGNITO_ENDPOINT")
            .ok()
            .filter(|e| !e.is_empty());
        self.app.user_pool = Some(Arc::new(crate::aws::cognito::CognitoPool::new(
            &self.aws,
            &pool_id,
            endpoint.as_deref(),
        )));
        Ok(self)
    }
}

/// `CHATDESK_CHAT_STARTS_PER_ADDRESS`: chats one client address may start in 10 minutes (default
/// 300; 0 turns the limit off).
fn chat_start_limit() -> Result<Option<ThrottleLimit>, CloudConfigError> {
    let name = "CHATDESK_CHAT_STARTS_PER_ADDRESS";
    match std::env::var(name).ok().filter(|v| !v.is_empty()) {
        None => Ok(Some(CHAT_STARTS_PER_ADDRESS)),
        Some(v) => match v.parse::<u32>() {
            Ok(0) => Ok(None),
            Ok(max) => Ok(Some(ThrottleLimit {
                max,
                ..CHAT_STARTS_PER_ADDRESS
            })),
            Err(_) => Err(CloudConfigError::Invalid {
                name,
                reason: format!("expected a whole number of chats, got {v:?}"),
            }),
        },
    }
}
