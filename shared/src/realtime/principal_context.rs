//! A connection's principal as the `$connect` authorizer hands it to API Gateway (the `context` of
//! its answer) and as API Gateway passes it back with every later event of that connection
//! (`requestContext.authorizer`). API Gateway allows only flat string, number and boolean values
//! there, so the principal travels as a few strings:
//!
//! | key | agent | customer |
//! |---|---|---|
//! | `kind` | `"agent"` | `"customer"` |
//! | `agentId` | the agent's id | - |
//! | `session` | the session epoch of their token, in decimal (absent for an identity provider's ID token) | - |
//! | `chatId` | - | the chat the token opens |
//!
//! The epoch is a string, not a number: it is a `u64`, and a JSON number may pass through code
//! that keeps only 53 bits. A number is still read (API Gateway documents numbers as allowed
//! values). API Gateway adds keys of its own (`principalId`, `integrationLatency`); they are
//! ignored.

use std::collections::HashMap;

use serde_json::{Map, Value};
use thiserror::Error;

use crate::auth::Principal;
use crate::domain::{AgentId, ChatId};

pub const KIND: &str = "kind";
pub const AGENT_ID: &str = "agentId";
pub const SESSION: &str = "session";
pub const CHAT_ID: &str = "chatId";

const AGENT: &str = "agent";
const CUSTOMER: &str = "customer";

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ContextError {
    /// No authorizer ran for this connection (or its context did not reach the event).
    #[error("the event carries no authorizer context")]
    Missing,
    #[error("the authorizer context has no valid `{0}`")]
    Malformed(&'static str),
}

/// The context the authorizer returns for `principal`.
pub fn to_context(principal: &Principal) -> Map<String, Value> {
    let mut context = Map::new();
    match principal {
        Principal::Agent(id, session) => {
            context.insert(KIND.into(), AGENT.into());
            context.insert(AGENT_ID.into(), id.as_str().into());
            if let Some(epoch) = session {
                context.insert(SESSION.into(), epoch.to_string().into());
            }
        }
        Principal::Customer(chat) => {
            context.insert(KIND.into(), CUSTOMER.into());
            context.insert(CHAT_ID.into(), chat.as_str().into());
        }
    }
    context
}

/// The `principalId` of the authorizer's answer: who, for API Gateway's logs.
pub fn principal_id(principal: &Principal) -> String {
    match principal {
        Principal::Agent(id, _) => format!("{AGENT}:{id}"),
        Principal::Customer(chat) => format!("{CUSTOMER}:{chat}"),
    }
}

/// The principal an event's `requestContext.authorizer` names. Every value is checked as a token
/// claim would be: a malformed context is refused, never half-read.
pub fn from_context(fields: &HashMap<String, Value>) -> Result<Principal, ContextError> {
    let kind = match fields.get(KIND) {
        None => return Err(ContextError::Missing),
        Some(kind) => kind.as_str().ok_or(ContextError::Malformed(KIND))?,
    };
    match kind {
        AGENT => {
            let id = string(fields, AGENT_ID)
                .and_then(|s| AgentId::parse(s).ok())
                .ok_or(ContextError::Malformed(AGENT_ID))?;
            let session = match fields.get(SESSION) {
                None => None,
                Some(value) => Some(epoch(value).ok_or(ContextError::Malformed(SESSION))?),
            };
            Ok(Principal::Agent(id, session))
        }
        CUSTOMER => {
            let chat = string(fields, CHAT_ID)
                .and_then(|s| ChatId::parse(s).ok())
                .ok_or(ContextError::Malformed(CHAT_ID))?;
            Ok(Principal::Customer(chat))
        }
        _ => Err(ContextError::Malformed(KIND)),
    }
}

fn string<'a>(fields: &'a HashMap<String, Value>, key: &str) -> Option<&'a str> {
    fields.get(key).and_then(Value::as_str)
}

/// A session epoch: decimal digits, or a non-negative integer number.
fn epoch(value: &Value) -> Option<u64> {
    match value {
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(value: Value) -> HashMap<String, Value> {
        serde_json::from_value(value).unwrap()
    }

    /// As API Gateway passes it on: the context's keys beside its own.
    fn passed_on(principal: &Principal) -> HashMap<String, Value> {
        let mut map: HashMap<String, Value> = to_context(principal).into_iter().collect();
        map.insert("principalId".into(), principal_id(principal).into());
        map.insert("integrationLatency".into(), json!(12));
        map
    }

    #[test]
    fn every_principal_makes_the_round_trip() {
        let principals = [
            Principal::Agent(AgentId::parse("alice").unwrap(), Some(3)),
            Principal::Agent(AgentId::parse("alice").unwrap(), Some(u64::MAX)),
            Principal::Agent(AgentId::parse("oidc-user_1").unwrap(), None),
            Principal::Customer(ChatId::parse("01J9ZQ3T6H5P0V8R9S7K2M4N1B").unwrap()),
        ];
        for principal in principals {
            let context = to_context(&principal);
            assert!(
                context.values().all(Value::is_string),
                "flat strings only: {context:?}"
            );
            assert_eq!(from_context(&passed_on(&principal)), Ok(principal));
        }
    }

    #[test]
    fn the_context_names_the_principal_in_plain_keys() {
        let agent = to_context(&Principal::Agent(AgentId::parse("bob").unwrap(), Some(7)));
        assert_eq!(
            Value::Object(agent),
            json!({"kind": "agent", "agentId": "bob", "session": "7"})
        );
        let customer = to_context(&Principal::Customer(ChatId::parse("c1").unwrap()));
        assert_eq!(
            Value::Object(customer),
            json!({"kind": "customer", "chatId": "c1"})
        );
    }

    #[test]
    fn a_session_given_as_a_number_is_read() {
        let got = from_context(&fields(
            json!({"kind": "agent", "agentId": "bob", "session": 9}),
        ));
        assert_eq!(
            got,
            Ok(Principal::Agent(AgentId::parse("bob").unwrap(), Some(9)))
        );
    }

    #[test]
    fn no_context_is_missing() {
        assert_eq!(from_context(&HashMap::new()), Err(ContextError::Missing));
        // API Gateway's own keys alone: no authorizer context.
        let gateway_only = fields(json!({"principalId": "x", "integrationLatency": 3}));
        assert_eq!(from_context(&gateway_only), Err(ContextError::Missing));
    }

    #[test]
    fn malformed_values_are_refused() {
        let cases = [
            (json!({"kind": 1}), KIND),
            (json!({"kind": "operator", "agentId": "bob"}), KIND),
            (json!({"kind": "Agent", "agentId": "bob"}), KIND),
            (json!({"kind": "agent"}), AGENT_ID),
            (json!({"kind": "agent", "agentId": ""}), AGENT_ID),
            (json!({"kind": "agent", "agentId": "a/b"}), AGENT_ID),
            (json!({"kind": "agent", "agentId": 5}), AGENT_ID),
            (
                json!({"kind": "agent", "agentId": "x".repeat(65)}),
                AGENT_ID,
            ),
            (
                json!({"kind": "agent", "agentId": "bob", "session": "-1"}),
                SESSION,
            ),
            (
                json!({"kind": "agent", "agentId": "bob", "session": "1.5"}),
                SESSION,
            ),
            (
                json!({"kind": "agent", "agentId": "bob", "session": ""}),
                SESSION,
            ),
            (
                json!({"kind": "agent", "agentId": "bob", "session": " 1"}),
                SESSION,
            ),
            (
                json!({"kind": "agent", "agentId": "bob", "session": "99999999999999999999999"}),
                SESSION,
            ),
            (
                json!({"kind": "agent", "agentId": "bob", "session": -1}),
                SESSION,
            ),
            (
                json!({"kind": "agent", "agentId": "bob", "session": 1.5}),
                SESSION,
            ),
            (
                json!({"kind": "agent", "agentId": "bob", "session": true}),
                SESSION,
            ),
            (
                json!({"kind": "agent", "agentId": "bob", "session": null}),
                SESSION,
            ),
            (json!({"kind": "customer"}), CHAT_ID),
            (json!({"kind": "customer", "agentId": "bob"}), CHAT_ID),
            (json!({"kind": "customer", "chatId": "a b"}), CHAT_ID),
            (json!({"kind": "customer", "chatId": ["c1"]}), CHAT_ID),
        ];
        for (context, key) in cases {
            assert_eq!(
                from_context(&fields(context.clone())),
                Err(ContextError::Malformed(key)),
                "{context}"
            );
        }
    }
}
