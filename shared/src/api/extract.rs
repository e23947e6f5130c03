//! Reading what a request carries: path parameters, query, JSON body and bearer token, each with
//! a clear error naming what is wrong.

use bytes::Bytes;
use http::{header, HeaderMap};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::routes::PathParams;
use super::{Request, MAX_BODY_BYTES};
use crate::app::{App, AppError};
use crate::auth::Principal;
use crate::domain::ChatId;

pub struct RequestCtx {
    pub params: PathParams,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Who sent the request, where the caller of `dispatch` knew (`ClientAddr`).
    pub client_addr: Option<std::net::IpAddr>,
    principal: Result<Principal, AppError>,
}

impl RequestCtx {
    pub async fn new(app: &App, req: Request, params: PathParams) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        if body.len() > MAX_BODY_BYTES {
            return Err(ApiError::BodyTooLarge {
                limit: MAX_BODY_BYTES,
            });
        }
        let principal = match bearer(&parts.headers) {
            Ok(token) => app.authenticate(token).await.map_err(AppError::from),
            Err(e) => Err(AppError::from(e)),
        };
        let client_addr = parts.extensions.get::<super::ClientAddr>().map(|c| c.0);
        Ok(RequestCtx {
            params,
            client_addr,
            query: parts.uri.query().unwrap_or("").to_owned(),
            headers: parts.headers,
            body,
            principal,
        })
    }

    /// The verified caller, or 401.
    pub fn principal(&self) -> Result<&Principal, ApiError> {
        self.principal
            .as_ref()
            .map_err(|e| ApiError::App(AppError::Unauthorized(e.to_string())))
    }

    pub fn chat_id(&self) -> Result<ChatId, ApiError> {
        let raw = self
            .params
            .iter()
            .find(|(k, _)| *k == "chat_id")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        Ok(ChatId::parse(raw)?)
    }

    pub fn group_id(&self) -> Result<crate::domain::GroupId, ApiError> {
        let raw = self
            .params
            .iter()
            .find(|(k, _)| *k == "group_id")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        Ok(crate::domain::GroupId::parse(raw)?)
    }

    pub fn article_id(&self) -> Result<crate::domain::ArticleId, ApiError> {
        let raw = self
            .params
            .iter()
            .find(|(k, _)| *k == "article_id")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        Ok(crate::domain::ArticleId::parse(raw)?)
    }

    pub fn agent_id(&self) -> Result<crate::domain::AgentId, ApiError> {
        let raw = self
            .params
            .iter()
            .find(|(k, _)| *k == "agent_id")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        Ok(crate::domain::AgentId::parse(raw)?)
    }

    pub fn reply_id(&self) -> Result<crate::domain::CannedReplyId, ApiError> {
        let raw = self
            .params
            .iter()
            .find(|(k, _)| *k == "reply_id")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        Ok(crate::domain::CannedReplyId::parse(raw)?)
    }

    pub fn message_id(&self) -> Result<crate::domain::OfflineMessageId, ApiError> {
        let raw = self
            .params
            .iter()
            .find(|(k, _)| *k == "message_id")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        Ok(crate::domain::OfflineMessageId::parse(raw)?)
    }

    pub fn attachment_id(&self) -> Result<crate::domain::AttachmentId, ApiError> {
        let raw = self
            .params
            .iter()
            .find(|(k, _)| *k == "attachment_id")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        Ok(crate::domain::AttachmentId::parse(raw)?)
    }

    /// The caller if a valid token was sent; `None` for anonymous callers (public routes).
    pub fn optional_principal(&self) -> Option<&Principal> {
        self.principal.as_ref().ok()
    }

    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if let Some(ct) = self.headers.get(header::CONTENT_TYPE) {
            let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
            if !ct.starts_with("application/json") {
                return Err(ApiError::UnsupportedMediaType);
            }
        }
        if self.body.is_empty() {
            return Err(ApiError::InvalidJson("the body is empty".into()));
        }
        let text = std::str::from_utf8(&self.body)
            .map_err(|_| ApiError::InvalidJson("the body is not valid UTF-8".into()))?;
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let what = if path == "." || path.is_empty() {
                inner.to_string()
            } else {
                format!("{path}: {inner}")
            };
            // Broken JSON is `invalid_json`; JSON that parses but does not fit (a missing or
            // unknown field, a wrong type, an id refused by its parser) is refused input, as
            // over the WebSocket.
            match inner.classify() {
                serde_json::error::Category::Data => ApiError::InvalidBody(what),
                _ => ApiError::InvalidJson(what),
            }
        })
    }

    pub fn query<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_urlencoded::from_str(&self.query).map_err(|e| ApiError::InvalidQuery(e.to_string()))
    }
}

fn bearer(headers: &HeaderMap) -> Result<&str, crate::auth::AuthError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(crate::auth::AuthError::Missing)?
        .to_str()
        .map_err(|_| crate::auth::AuthError::Invalid)?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or(crate::auth::AuthError::Invalid)?;
    Ok(token.trim())
}
