//! The WebSocket API's Lambda REQUEST authorizer on `$connect`: the token of the query string is
//! verified once, when the socket opens, and the principal it names goes back to API Gateway as
//! the authorizer's `context` (`principal_context`). API Gateway hands that context to the
//! `$connect` integration and to every later event of the connection, so no frame authenticates
//! again or reads the connection's owner from the table. The local gateway runs the same
//! decision on each upgrade (`server/src/gateway.rs`).

use std::collections::HashMap;

use aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerPolicy, ApiGatewayCustomAuthorizerResponse,
};
use aws_lambda_events::iam::{IamPolicyEffect, IamPolicyStatement};
use serde_json::Value;
use thiserror::Error;

use super::principal_context;
use crate::app::{App, AppError};
use crate::auth::Principal;
use crate::ports::StoreError;

/// The authorizer of the WebSocket API and the Lambda function that runs it.
#[derive(Clone, Copy, Debug)]
pub struct WsAuthorizer {
    /// The route it guards (API Gateway runs WebSocket authorizers on `$connect` only).
    pub route_key: &'static str,
    pub function: &'static str,
    /// Where API Gateway finds the credential; a request without it is refused with 401 before
    /// the function runs.
    pub identity_source: &'static str,
}

pub static WS_AUTHORIZER: WsAuthorizer = WsAuthorizer {
    route_key: "$connect",
    function: "ws-authorize",
    identity_source: "route.request.querystring.token",
};

/// Whether a token may open a socket.
#[derive(Debug)]
pub enum Decision {
    Allow(Principal),
    /// Refused, and why (with the status and code the same mistake gets over REST: the local
    /// gateway answers with them).
    Deny(AppError),
}

/// The authorizer could not decide (the table could not be read). API Gateway answers 500 to a
/// failed authorizer, and the failure is counted and alarmed on like any other function's.
#[derive(Debug, Error)]
pub enum AuthorizerError {
    #[error("the authorizer could not read the agent")]
    Store(#[source] StoreError),
}

impl From<AuthorizerError> for AppError {
    fn from(e: AuthorizerError) -> Self {
        match e {
            AuthorizerError::Store(inner) => AppError::Internal(inner),
        }
    }
}

/// Verifies `token`: a valid token whose agent still exists and whose session was not revoked is
/// allowed; anything else is denied. A customer's chat is checked by `$connect` itself, which
/// reads it anyway.
pub async fn decide(app: &App, token: &str) -> Result<Decision, AuthorizerError> {
    let principal = match app.authenticate(token).await {
        Ok(p) => p,
        Err(e) => return Ok(Decision::Deny(AppError::from(e))),
    };
    if let Principal::Agent(..) = principal {
        match app.agent(&principal).await {
            Ok(_) => {}
            Err(AppError::Internal(e)) => return Err(AuthorizerError::Store(e)),
            Err(e) => return Ok(Decision::Deny(e)),
        }
    }
    Ok(Decision::Allow(principal))
}

/// API Gateway's answer for a decision: an IAM policy on `method_arn` (the `$connect` route of
/// the stage), and for an allowed principal the context every event of the connection carries.
///
/// A refused token gets a `Deny` policy (API Gateway answers the handshake with 403), not the
/// "Unauthorized" error (which API Gateway turns into 401). Both are what API Gateway documents
/// for REQUEST authorizers, but the error is a failed invocation: it would count in Lambda's
/// `Errors` metric, which the template's alarm watches, so every expired token or stranger's
/// guess would page the operator. Browsers cannot see the status of a refused handshake either
/// way; a missing token still gets 401 from API Gateway itself (identity source absent).
pub fn policy(decision: &Decision, method_arn: &str) -> ApiGatewayCustomAuthorizerResponse {
    let mut statement = IamPolicyStatement::default();
    statement.action = vec!["execute-api:Invoke".into()];
    statement.resource = vec![method_arn.to_owned()];
    let mut response = ApiGatewayCustomAuthorizerResponse::default();
    match decision {
        Decision::Allow(principal) => {
            statement.effect = IamPolicyEffect::Allow;
            response.principal_id = Some(principal_context::principal_id(principal));
            response.context = Value::Object(principal_context::to_context(principal));
        }
        Decision::Deny(_) => {
            statement.effect = IamPolicyEffect::Deny;
            response.principal_id = Some("anonymous".into());
            response.context = Value::Object(serde_json::Map::new());
        }
    }
    let mut document = ApiGatewayCustomAuthorizerPolicy::default();
    document.version = Some("2012-10-17".into());
    document.statement = vec![statement];
    response.policy_document = document;
    response
}

/// The authorizer: `token` from the query string, `method_arn` from API Gateway's request.
pub async fn authorize(
    app: &App,
    token: &str,
    method_arn: &str,
) -> Result<ApiGatewayCustomAuthorizerResponse, AuthorizerError> {
    let decision = decide(app, token).await?;
    if let Decision::Deny(reason) = &decision {
        tracing::info!(reason = %reason, "websocket connect denied");
    }
    Ok(policy(&decision, method_arn))
}

/// What API Gateway passes in `requestContext.authorizer` of every event of a connection it
/// allowed with `response`: the context's keys and the `principalId`.
pub fn passed_context(response: &ApiGatewayCustomAuthorizerResponse) -> HashMap<String, Value> {
    let mut fields: HashMap<String, Value> = match &response.context {
        Value::Object(map) => map.clone().into_iter().collect(),
        _ => HashMap::new(),
    };
    if let Some(id) = &response.principal_id {
        fields.insert("principalId".into(), Value::String(id.clone()));
    }
    fields
}

/// Whether an authorizer's answer allows the connection (the local gateway and the tests read
/// it as API Gateway does).
pub fn allows(response: &ApiGatewayCustomAuthorizerResponse) -> bool {
    let statements = &response.policy_document.statement;
    !statements.is_empty()
        && statements
            .iter()
            .all(|s| s.effect == IamPolicyEffect::Allow)
}
