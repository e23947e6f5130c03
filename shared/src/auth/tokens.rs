//! Signed tokens (JWT, HS256). The local server is its own issuer; in the cloud the same shape is
//! used for customer chat tokens, signed with a secret from the deployment's parameters.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::domain::{Agent, AgentId, ChatId, Timestamp};

pub const ISSUER: &str = "chatdesk";
pub const AGENT_AUDIENCE: &str = "chatdesk-agent";
pub const CUSTOMER_AUDIENCE: &str = "chatdesk-customer";

/// Agents sign in for a working day.
pub const AGENT_TOKEN_TTL_MS: i64 = 12 * 60 * 60 * 1000;
/// A customer's token lives as long as a chat reasonably can, plus time to read the transcript.
pub const CUSTOMER_TOKEN_TTL_MS: i64 = 24 * 60 * 60 * 1000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// An agent, and the session epoch their credential carries: it must still be the agent's
    /// current one (a password change, demotion or removal moves it on, which revokes every
    /// credential issued before). `None` for credentials chatdesk did not issue (ID tokens of the
    /// identity provider, whose revocation is the provider's) and for operator commands.
    Agent(AgentId, Option<u64>),
    /// A customer, allowed into this one chat only.
    Customer(ChatId),
}

impl Principal {
    /// An agent acting without a chatdesk-issued credential (operator commands, tests).
    pub fn agent(id: AgentId) -> Principal {
        Principal::Agent(id, None)
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("no bearer token was given")]
    Missing,
    #[error("the token has expired; sign in again")]
    Expired,
    #[error("the token is not valid")]
    Invalid,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    sub: String,
    /// Seconds since the epoch, as JWT requires.
    exp: i64,
    iat: i64,
    /// Agents only: the session epoch of the agent when the token was issued. Tokens issued
    /// before epochs existed have none and match the epoch 0 of agents saved before them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sep: Option<u64>,
}

pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// The same secret, for MACs of small opaque values (suggestion question ids).
    mac_key: Vec<u8>,
}

/// Compares without an early exit, so timing does not reveal how much matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl TokenService {
    /// `secret` must be at least 32 bytes of randomness.
    pub fn new(secret: &[u8]) -> Result<Self, String> {
        if secret.len() < 32 {
            return Err("the token signing secret must be at least 32 bytes".into());
        }
        super::jwt_crypto::install();
        Ok(TokenService {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            mac_key: secret.to_vec(),
        })
    }

    /// HMAC-SHA256 of `data` under the token secret, hex.
    pub fn mac(&self, data: &str) -> String {
        use hmac::{Hmac, Mac};
        match Hmac::<sha2::Sha256>::new_from_slice(&self.mac_key) {
            Ok(mut m) => {
                m.update(b"chatdesk-mac:");
                m.update(data.as_bytes());
                hex::encode(m.finalize().into_bytes())
            }
            Err(_) => String::new(),
        }
    }

    fn issue(
        &self,
        aud: &str,
        sub: &str,
        sep: Option<u64>,
        now: Timestamp,
        ttl_ms: i64,
    ) -> Result<String, String> {
        let claims = Claims {
            iss: ISSUER.into(),
            aud: aud.into(),
            sub: sub.into(),
            exp: now.plus_millis(ttl_ms).millis() / 1000,
            iat: now.millis() / 1000,
            sep,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| e.to_string())
    }

    /// A token for `agent` at their current session epoch.
    pub fn issue_agent(&self, agent: &Agent, now: Timestamp) -> Result<String, String> {
        self.issue(
            AGENT_AUDIENCE,
            agent.id.as_str(),
            Some(agent.session_epoch),
            now,
            AGENT_TOKEN_TTL_MS,
        )
    }

    pub fn issue_customer(&self, chat: &ChatId, now: Timestamp) -> Result<String, String> {
        self.issue(
            CUSTOMER_AUDIENCE,
            chat.as_str(),
            None,
            now,
            CUSTOMER_TOKEN_TTL_MS,
        )
    }

    /// Checks signature, issuer, audience and expiry (no leeway beyond 30 s of clock skew).
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AGENT_AUDIENCE, CUSTOMER_AUDIENCE]);
        validation.leeway = 30;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let data =
            decode::<Claims>(token, &self.decoding, &validation).map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => AuthError::Expired,
                _ => AuthError::Invalid,
            })?;
        let claims = data.claims;
        match claims.aud.as_str() {
            AGENT_AUDIENCE => AgentId::parse(&claims.sub)
                .map(|id| Principal::Agent(id, Some(claims.sep.unwrap_or(0))))
                .map_err(|_| AuthError::Invalid),
            CUSTOMER_AUDIENCE => ChatId::parse(&claims.sub)
                .map(Principal::Customer)
                .map_err(|_| AuthError::Invalid),
            _ => Err(AuthError::Invalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc() -> TokenService {
        TokenService::new(&[7u8; 32]).unwrap()
    }

    fn ann(session_epoch: u64) -> Agent {
        Agent {
            id: AgentId::parse("ann").unwrap(),
            username: "ann".into(),
            display_name: "Ann".into(),
            role: crate::domain::Role::Agent,
            groups: vec![],
            available: true,
            max_concurrent_chats: 5,
            session_epoch,
            deactivated_at: None,
        }
    }

    fn now() -> Timestamp {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        Timestamp(ms)
    }

    #[test]
    fn round_trips_agent_and_customer_tokens() {
        let s = svc();
        let a = ann(41);
        let c = ChatId::parse("c1").unwrap();
        let t = s.issue_agent(&a, now()).unwrap();
        assert_eq!(s.verify(&t), Ok(Principal::Agent(a.id, Some(41))));
        let t = s.issue_customer(&c, now()).unwrap();
        assert_eq!(s.verify(&t), Ok(Principal::Customer(c)));
    }

    #[test]
    fn refuses_expired_tampered_and_foreign_tokens() {
        let s = svc();
        let a = ann(0);
        let old = Timestamp(now().0 - AGENT_TOKEN_TTL_MS - 120_000);
        assert_eq!(
            s.verify(&s.issue_agent(&a, old).unwrap()),
            Err(AuthError::Expired)
        );
        let mut t = s.issue_agent(&a, now()).unwrap();
        let last = t.pop().unwrap();
        t.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(s.verify(&t), Err(AuthError::Invalid));
        let other = TokenService::new(&[8u8; 32]).unwrap();
        assert_eq!(
            s.verify(&other.issue_agent(&a, now()).unwrap()),
            Err(AuthError::Invalid)
        );
        assert_eq!(s.verify("garbage"), Err(AuthError::Invalid));
    }
}
