//! Administration: agents (create, change, deactivate, reactivate, delete, reset a password) and
//! the audit log. Administrators only.

#![allow(clippy::too_many_arguments)]

use crate::api::dto::AuditQuery;
use crate::api::error::ErrorBody;
use crate::api::route::{AgentPath, Caller, Json, Query, Reply};
use crate::api::wire::{AdminAgent, AgentUpdate, AuditPage, CreatedAgent, NewAgent, NewPassword};
use crate::route;

route! {
    ADMIN_LIST_AGENTS = get "/api/admin/agents" in "admin",
    openapi(tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every agent, deactivated ones too, by username", body = [AdminAgent]),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody))),
    /// Every agent as administrators see them.
    pub async fn admin_list_agents(app: &App, caller: Caller) -> Reply<Vec<AdminAgent>> {
        Ok(Reply::ok(app.admin_agents(&caller.0).await?.iter().map(AdminAgent::from).collect()))
    }
}

route! {
    ADMIN_CREATE_AGENT = post "/api/admin/agents" in "admin",
    openapi(tag = "admin", security(("bearer" = [])), request_body = NewAgent,
    responses(
        (status = 201, description = "Created; with the generated password (shown once) when none was given, except where agents sign in with the user pool: there the pool has sent the invitation to `email`, and no password is generated", body = CreatedAgent),
        (status = 400, description = "Malformed request or an invalid field (named); in the cloud, `email` missing or not an address", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "A group that does not exist", body = ErrorBody),
        (status = 409, description = "The username is taken", body = ErrorBody),
        (status = 500, description = "The user pool refused the change (the cloud; logged): nothing of it was kept, retry", body = ErrorBody))),
    /// Creates an agent, who can then sign in and receive chats.
    pub async fn admin_create_agent(app: &App, body: Json<NewAgent>, caller: Caller) -> Reply<CreatedAgent> {
        let email = body.0.email.clone();
        let (profile, password) = body.0.into_profile();
        let created = app.admin_create_agent_with_email(&caller.0, profile, password, email.as_deref()).await?;
        Ok(Reply::created((&created).into()))
    }
}

route! {
    ADMIN_UPDATE_AGENT = put "/api/admin/agents/{agent_id}" in "admin",
    openapi(tag = "admin", security(("bearer" = [])), request_body = AgentUpdate,
    params(("agent_id" = String, Path, description = "The agent")),
    responses(
        (status = 200, description = "Changed; less access ends the agent's sign-ins at once", body = AdminAgent),
        (status = 400, description = "Malformed request or an invalid field (named)", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such agent or group", body = ErrorBody),
        (status = 409, description = "An administrator taking their own role", body = ErrorBody))),
    /// Changes an agent's name, role, groups or chat limit.
    pub async fn admin_update_agent(app: &App, agent: AgentPath, body: Json<AgentUpdate>, caller: Caller) -> Reply<AdminAgent> {
        let profile = body.0.into_profile(agent.0.to_string());
        Ok(Reply::ok((&app.admin_update_agent(&caller.0, &agent.0, profile).await?).into()))
    }
}

route! {
    ADMIN_DEACTIVATE_AGENT = post "/api/admin/agents/{agent_id}/deactivate" in "admin",
    openapi(tag = "admin", security(("bearer" = [])),
    params(("agent_id" = String, Path, description = "The agent")),
    responses(
        (status = 200, description = "Deactivated: their sign-ins and open consoles ended", body = AdminAgent),
        (status = 400, description = "Malformed agent id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such agent", body = ErrorBody),
        (status = 409, description = "They have active chats, or it is yourself", body = ErrorBody),
        (status = 500, description = "The user pool refused the change (the cloud; logged): nothing of it was kept, retry", body = ErrorBody))),
    /// Deactivates an agent (their name stays on their chats).
    pub async fn admin_deactivate_agent(app: &App, agent: AgentPath, caller: Caller) -> Reply<AdminAgent> {
        Ok(Reply::ok((&app.admin_deactivate_agent(&caller.0, &agent.0).await?).into()))
    }
}

route! {
    ADMIN_REACTIVATE_AGENT = post "/api/admin/agents/{agent_id}/reactivate" in "admin",
    openapi(tag = "admin", security(("bearer" = [])),
    params(("agent_id" = String, Path, description = "The agent")),
    responses(
        (status = 200, description = "Active again: they may sign in", body = AdminAgent),
        (status = 400, description = "Malformed agent id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such agent", body = ErrorBody),
        (status = 500, description = "The user pool refused the change (the cloud; logged): nothing of it was kept, retry", body = ErrorBody))),
    /// Reactivates a deactivated agent.
    pub async fn admin_reactivate_agent(app: &App, agent: AgentPath, caller: Caller) -> Reply<AdminAgent> {
        Ok(Reply::ok((&app.admin_reactivate_agent(&caller.0, &agent.0).await?).into()))
    }
}

route! {
    ADMIN_RESET_PASSWORD = post "/api/admin/agents/{agent_id}/password" in "admin",
    openapi(tag = "admin", security(("bearer" = [])),
    params(("agent_id" = String, Path, description = "The agent")),
    responses(
        (status = 200, description = "A new generated password, shown once; the agent's sign-ins ended", body = NewPassword),
        (status = 400, description = "Malformed agent id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such agent", body = ErrorBody))),
    /// Resets an agent's password to a generated one.
    pub async fn admin_reset_password(app: &App, agent: AgentPath, caller: Caller) -> Reply<NewPassword> {
        let password = app.admin_reset_password(&caller.0, &agent.0).await?;
        Ok(Reply::ok(NewPassword { password }))
    }
}

route! {
    ADMIN_DELETE_AGENT = delete "/api/admin/agents/{agent_id}" in "admin",
    openapi(tag = "admin", security(("bearer" = [])),
    params(("agent_id" = String, Path, description = "The agent")),
    responses(
        (status = 200, description = "Deleted"),
        (status = 400, description = "Malformed agent id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such agent", body = ErrorBody),
        (status = 409, description = "They have chats on record (deactivate instead), or it is yourself", body = ErrorBody),
        (status = 500, description = "The user pool refused the change (the cloud; logged): nothing of it was kept, retry", body = ErrorBody))),
    /// Deletes an agent who never had a chat.
    pub async fn admin_delete_agent(app: &App, agent: AgentPath, caller: Caller) -> Reply<serde_json::Value> {
        app.admin_delete_agent(&caller.0, &agent.0).await?;
        Ok(Reply::ok(serde_json::json!({ "deleted": agent.0.as_str() })))
    }
}

route! {
    AUDIT_LOG = get "/api/admin/audit" in "admin",
    openapi(tag = "admin", security(("bearer" = [])), params(AuditQuery),
    responses(
        (status = 200, description = "The audit log, newest first", body = AuditPage),
        (status = 400, description = "Bad limit or cursor", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody))),
    /// Who changed what: administrative actions and chat deletes, restores and purges.
    pub async fn audit_log(app: &App, query: Query<AuditQuery>, caller: Caller) -> Reply<AuditPage> {
        let Query(q) = query;
        let page = app.audit_log(&caller.0, q.before.as_deref(), q.limit).await?;
        Ok(Reply::ok((&page).into()))
    }
}
