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
    pub async fn openapi_json(app: &App) -> Reply<utoipa::openapi::OpenApi> {
        let _ = app;
        Ok(Reply::ok(crate::api::openapi::document()))
    }
}
