//! Agents' sign-in in the cloud: ID tokens of an OpenID Connect issuer (the template's Cognito
//! user pool), verified against the issuer's published keys (JWKS, cached), its issuer and
//! audience, and expiry. The agent is the one whose id equals the token's username claim; their
//! role and groups still come from the store.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};

use super::tokens::AuthError;
use crate::domain::AgentId;

/// Keys are refetched after this, or sooner when a token names a key we do not have (rotation),
/// but never more often than `MIN_REFRESH`.
const KEYS_TTL: Duration = Duration::from_secs(3600);
const MIN_REFRESH: Duration = Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct OidcConfig {
    /// e.g. `https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf`
    pub issuer: String,
    /// The app client id (the `aud` of ID tokens).
    pub audience: String,
    /// Default: `{issuer}/.well-known/jwks.json`.
    pub jwks_url: String,
    /// The claim holding the agent id. Default `cognito:username`.
    pub username_claim: String,
    /// Where the console sends agents to sign in (authorization code flow with PKCE); without
    /// it the console offers password sign-in only.
    pub browser: Option<BrowserSignIn>,
}

/// What the console needs to run the authorization code flow with PKCE as a public client.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct BrowserSignIn {
    /// Shown on the sign-in button ("Sign in with ...").
    pub provider_name: String,
    /// The app client id (the ID tokens' `aud`).
    pub client_id: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    /// The issuer's logout page (Cognito's `/logout`), if it has one.
    pub end_session_endpoint: Option<String>,
    pub scope: String,
}

impl OidcConfig {
    /// From `CHATDESK_OIDC_ISSUER`, `CHATDESK_OIDC_AUDIENCE` and optionally
    /// `CHATDESK_OIDC_JWKS_URL`, `CHATDESK_OIDC_USERNAME_CLAIM`; `None` when no issuer is set.
    /// The console's sign-in button needs `CHATDESK_OIDC_AUTHORIZE_URL` and
    /// `CHATDESK_OIDC_TOKEN_URL` too (and takes `CHATDESK_OIDC_LOGOUT_URL`,
    /// `CHATDESK_OIDC_PROVIDER_NAME`, `CHATDESK_OIDC_SCOPE`).
    pub fn from_env() -> Option<OidcConfig> {
        let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
        let issuer = var("CHATDESK_OIDC_ISSUER")?
            .trim_end_matches('/')
            .to_owned();
        let audience = var("CHATDESK_OIDC_AUDIENCE").unwrap_or_default();
        let browser = match (
            var("CHATDESK_OIDC_AUTHORIZE_URL"),
            var("CHATDESK_OIDC_TOKEN_URL"),
        ) {
            (Some(authorization_endpoint), Some(token_endpoint)) if !audience.is_empty() => {
                Some(BrowserSignIn {
                    provider_name: var("CHATDESK_OIDC_PROVIDER_NAME")
                        .unwrap_or_else(|| "single sign-on".into()),
                    client_id: audience.clone(),
                    authorization_endpoint,
                    token_endpoint,
                    end_session_endpoint: var("CHATDESK_OIDC_LOGOUT_URL"),
                    scope: var("CHATDESK_OIDC_SCOPE")
                        .unwrap_or_else(|| "openid email profile".into()),
                })
            }
            _ => None,
        };
        Some(OidcConfig {
            audience,
            browser,
            jwks_url: var("CHATDESK_OIDC_JWKS_URL")
                .unwrap_or_else(|| format!("{issuer}/.well-known/jwks.json")),
            username_claim: var("CHATDESK_OIDC_USERNAME_CLAIM")
                .unwrap_or_else(|| "cognito:username".into()),
            issuer,
        })
    }
}

struct KeyCache {
    fetched: Option<Instant>,
    keys: HashMap<String, DecodingKey>,
}

pub struct OidcVerifier {
    config: OidcConfig,
    http: KeyFetcher,
    cache: RwLock<KeyCache>,
}

impl OidcVerifier {
    /// How the console starts a sign-in at the issuer, when configured.
    pub fn browser_sign_in(&self) -> Option<&BrowserSignIn> {
        self.config.browser.as_ref()
    }

    /// The issuer whose tokens are accepted.
    pub fn issuer(&self) -> &str {
        &self.config.issuer
    }

    pub fn new(config: OidcConfig) -> Self {
        super::jwt_crypto::install();
        OidcVerifier {
            config,
            http: KeyFetcher::new(),
            cache: RwLock::new(KeyCache {
                fetched: None,
                keys: HashMap::new(),
            }),
        }
    }

    fn cached_key(&self, kid: &str) -> (Option<DecodingKey>, bool) {
        match self.cache.read() {
            Ok(c) => {
                let fresh = c.fetched.is_some_and(|t| t.elapsed() < KEYS_TTL);
                let may_refresh = c.fetched.is_none_or(|t| t.elapsed() >= MIN_REFRESH);
                (c.keys.get(kid).cloned().filter(|_| fresh), may_refresh)
            }
            Err(_) => (None, true),
        }
    }

    async fn refresh(&self) -> Result<(), AuthError> {
        let set = self.http.get(&self.config.jwks_url).await.map_err(|e| {
            tracing::error!(error = %e, url = %self.config.jwks_url, "fetching the issuer's keys failed");
            AuthError::Invalid
        })?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            if let (Some(kid), Ok(key)) = (&jwk.common.key_id, DecodingKey::from_jwk(jwk)) {
                keys.insert(kid.clone(), key);
            }
        }
        if let Ok(mut c) = self.cache.write() {
            c.keys = keys;
            c.fetched = Some(Instant::now());
        }
        Ok(())
    }

    /// Checks an ID token and returns the agent it names.
    pub async fn verify(&self, token: &str) -> Result<AgentId, AuthError> {
        let header = decode_header(token).map_err(|_| AuthError::Invalid)?;
        if header.alg != Algorithm::RS256 {
            return Err(AuthError::Invalid);
        }
        let kid = header.kid.ok_or(AuthError::Invalid)?;
        let key = match self.cached_key(&kid) {
            (Some(key), _) => key,
            (None, true) => {
                self.refresh().await?;
                self.cached_key(&kid).0.ok_or(AuthError::Invalid)?
            }
            (None, false) => return Err(AuthError::Invalid),
        };
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        validation.leeway = 30;
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        let data =
            decode::<serde_json::Value>(token, &key, &validation).map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => AuthError::Expired,
                _ => AuthError::Invalid,
            })?;
        // Cognito also signs access tokens with the same keys; only ID tokens name the user.
        if let Some(use_) = data.claims.get("token_use").and_then(|v| v.as_str()) {
            if use_ != "id" {
                return Err(AuthError::Invalid);
            }
        }
        let username = data
            .claims
            .get(&self.config.username_claim)
            .and_then(|v| v.as_str())
            .ok_or(AuthError::Invalid)?;
        AgentId::parse(username).map_err(|_| AuthError::Invalid)
    }
}

/// Fetches the issuer's key set with the AWS SDK's own HTTPS connector (hyper over rustls, the
/// system's trusted roots): a function already links it for DynamoDB, so verifying ID tokens adds
/// no second HTTP stack.
struct KeyFetcher {
    /// Built on the first fetch: building it loads the system's trusted roots, which a cold
    /// start that never sees an ID token should not pay for.
    connector: std::sync::OnceLock<aws_smithy_http_client::Connector>,
}

/// A key set is a few kilobytes; anything much larger is not one.
const MAX_KEY_SET_BYTES: usize = 256 * 1024;
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

impl KeyFetcher {
    fn new() -> KeyFetcher {
        KeyFetcher {
            connector: std::sync::OnceLock::new(),
        }
    }

    fn connector(&self) -> &aws_smithy_http_client::Connector {
        use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
        use aws_smithy_runtime_api::client::http::HttpConnectorSettings;
        self.connector.get_or_init(|| {
            let settings = HttpConnectorSettings::builder()
                .connect_timeout(FETCH_TIMEOUT)
                .read_timeout(FETCH_TIMEOUT)
                .build();
            aws_smithy_http_client::Connector::builder()
                .connector_settings(settings)
                .sleep_impl(aws_smithy_async::rt::sleep::TokioSleep::new())
                .tls_provider(Provider::Rustls(CryptoMode::Ring))
                .build()
        })
    }

    async fn get(&self, url: &str) -> Result<JwkSet, String> {
        use aws_smithy_runtime_api::client::http::HttpConnector;
        use http_body_util::{BodyExt, Limited};
        let request = aws_smithy_runtime_api::http::Request::get(url)
            .map_err(|e| format!("bad key set URL: {e}"))?;
        let fetch = async {
            let response = self
                .connector()
                .call(request)
                .await
                .map_err(|e| format!("request failed: {}", crate::errors::error_chain(&e)))?;
            let status = response.status();
            if !status.is_success() {
                return Err(format!("the issuer answered {}", status.as_u16()));
            }
            Limited::new(response.into_body(), MAX_KEY_SET_BYTES)
                .collect()
                .await
                .map(|body| body.to_bytes())
                .map_err(|e| format!("reading the key set failed: {e}"))
        };
        let body = tokio::time::timeout(FETCH_TIMEOUT, fetch)
            .await
            .map_err(|_| "timed out".to_string())??;
        serde_json::from_slice(&body).map_err(|e| format!("the key set is malformed: {e}"))
    }
}
