//! Health and the API document.

#![allow(clippy::too_many_arguments)]

use crate::api::dto::Health;
#[allow(unused_imports)]
use crate::api::error::ErrorBody;
use crate::api::route::Reply;
use crate::route;

route! {
    HEALTH = get "/api/health" in "health",
    openapi(tag = "meta",
    responses((status = 200, description = "The service is up", body = Health))),
    /// The service is up: answers from memory.
    pub async fn health(app: &App) -> Reply<Health> {
        let _ = app;
        Ok(Reply::ok(Health {
            status: "ok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }))
    }
}

route! {
    OPENAPI_JSON = get "/api/openapi.json" in "health",
    openapi(tag = "meta",
    responses((status = 200, description = "This document"))),
    /// This document.
    pub async fn openapi_json(app: &App) -> Reply<Box<serde_json::value::RawValue>> {
        let _ = app;
        let document = serde_json::value::RawValue::from_string(
            crate::api::openapi::COMMITTED_DOCUMENT.trim_end().to_owned(),
        )
        .map_err(|e| {
            crate::app::AppError::Internal(crate::ports::StoreError::Corrupt(format!(
                "the embedded docs/openapi.json: {e}"
            )))
        })?;
        Ok(Reply::ok(document))
    }
}
