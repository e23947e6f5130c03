//! Agents: signing in, their profile and availability, the directory, list preferences.

#![allow(clippy::too_many_arguments)]

use crate::api::dto::{AuthConfig, SignInRequest, UpdateMeRequest};
use crate::api::error::ErrorBody;
use crate::api::route::{Caller, Client, GroupPath, Json, Reply};
use crate::api::wire::{
    AgentSummary, Availability, Group, GroupSettings, ListPreferences, Me, SignedIn,
    UpdateGroupSettings,
};
use crate::app::GroupSettingsChange;
use crate::route;

route! {
    SIGN_IN = post "/api/auth/login" in "auth-login",
    openapi(tag = "agent", request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in", body = SignedIn),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "Wrong username or password", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins for this username or from this \
            address: refused without checking the password; the message says when to try again",
            body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds until the next attempt may go through"))))),
    /// Password sign-in (limited per username and per address).
    pub async fn sign_in(app: &App, body: Json<SignInRequest>, client: Client) -> Reply<SignedIn> {
        let Json(req) = body;
        Ok(Reply::ok(
            (&app.sign_in(&req.username, &req.password, client.0).await?).into(),
        ))
    }
}

route! {
    AUTH_CONFIG = get "/api/auth/config" in "auth-login",
    openapi(tag = "agent",
    responses((status = 200, description = "How agents sign in: password, and the OpenID Connect \
        issuer's sign-in page (authorization code flow with PKCE) when configured", body = AuthConfig))),
    /// How agents sign in here.
    pub async fn auth_config(app: &App) -> Reply<AuthConfig> {
        Ok(Reply::ok(AuthConfig {
            password_sign_in: true,
            oidc: app.oidc.as_ref().and_then(|o| o.browser_sign_in().cloned()),
        }))
    }
}

route! {
    GET_ME = get "/api/me" in "agent-profile",
    openapi(tag = "agent", security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in agent", body = Me),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody))),
    /// The signed-in agent.
    pub async fn get_me(app: &App, caller: Caller) -> Reply<Me> {
        Ok(Reply::ok((&app.me(&caller.0).await?).into()))
    }
}

route! {
    UPDATE_ME = patch "/api/me" in "agent-profile",
    openapi(tag = "agent", security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses(
        (status = 200, description = "Updated", body = Me),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody))),
    /// The agent becomes available or unavailable.
    pub async fn update_me(app: &App, body: Json<UpdateMeRequest>, caller: Caller) -> Reply<Me> {
        Ok(Reply::ok((&app.set_available(&caller.0, body.0.available).await?).into()))
    }
}

route! {
    LIST_GROUPS = get "/api/groups" in "directory",
    openapi(tag = "customer",
    responses(
        (status = 200, description = "All groups with their availability now (public: the chat page offers them)", body = [Group]))),
    /// Every group, with whether anyone can answer now (public: the chat page offers them and
    /// shows the state before the customer types).
    pub async fn list_groups(app: &App) -> Reply<Vec<Group>> {
        let groups = app.groups_with_availability().await?;
        Ok(Reply::ok(
            groups
                .iter()
                .map(|g| Group {
                    availability: Some(Availability::of(&g.group, &g.availability, g.notice.clone())),
                    ..Group::from(&g.group)
                })
                .collect(),
        ))
    }
}

route! {
    LIST_AGENTS = get "/api/agents" in "directory",
    openapi(tag = "agent", security(("bearer" = [])),
    responses(
        (status = 200, description = "All agents (for transfers)", body = [AgentSummary]),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody))),
    /// Every agent, as colleagues see them (for transfers).
    pub async fn list_agents(app: &App, caller: Caller) -> Reply<Vec<AgentSummary>> {
        Ok(Reply::ok(app.agents(&caller.0).await?.iter().map(AgentSummary::from).collect()))
    }
}

route! {
    GET_PREFERENCES = get "/api/preferences" in "agent-preferences",
    openapi(tag = "agent", security(("bearer" = [])),
    responses(
        (status = 200, description = "My list layout (defaults until saved)", body = ListPreferences),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody))),
    /// The agent's list layout.
    pub async fn get_preferences(app: &App, caller: Caller) -> Reply<ListPreferences> {
        Ok(Reply::ok((&app.preferences(&caller.0).await?).into()))
    }
}

route! {
    PUT_PREFERENCES = put "/api/preferences" in "agent-preferences",
    openapi(tag = "agent", security(("bearer" = [])),
    request_body = ListPreferences,
    responses(
        (status = 200, description = "Saved (completed with any missing columns)", body = ListPreferences),
        (status = 400, description = "Malformed or invalid layout", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody))),
    /// Saves the agent's list layout.
    pub async fn put_preferences(app: &App, body: Json<ListPreferences>, caller: Caller) -> Reply<ListPreferences> {
        let (layout, notifications) = body.0.into_domain();
        Ok(Reply::ok((&app.save_preferences(&caller.0, layout, notifications).await?).into()))
    }
}

route! {
    GET_GROUP_SETTINGS = get "/api/groups/{group_id}/settings" in "group-settings",
    openapi(tag = "agent", security(("bearer" = [])),
    params(("group_id" = String, Path, description = "The group")),
    responses(
        (status = 200, description = "The group's distribution and hand-off timers", body = GroupSettings),
        (status = 400, description = "Malformed group id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not a member of the group (nor an administrator)", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody))),
    /// A group's routing settings, for its members and administrators.
    pub async fn get_group_settings(app: &App, group: GroupPath, caller: Caller) -> Reply<GroupSettings> {
        Ok(Reply::ok((&app.group_settings(&caller.0, &group.0).await?).into()))
    }
}

route! {
    PUT_GROUP_SETTINGS = put "/api/groups/{group_id}/settings" in "group-settings",
    openapi(tag = "agent", security(("bearer" = [])),
    params(("group_id" = String, Path, description = "The group")),
    request_body = UpdateGroupSettings,
    responses(
        (status = 200, description = "Saved; applies at once to every chat of the group", body = GroupSettings),
        (status = 400, description = "Malformed request, or a timer, cap, business hours or text out of range (named)", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not a manager of the group nor an administrator, or texts changed by a manager", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody))),
    /// Changes a group's distribution, hand-off timers, business hours and offline behaviour
    /// (its managers and administrators) and its texts (administrators).
    pub async fn put_group_settings(app: &App, body: Json<UpdateGroupSettings>, group: GroupPath, caller: Caller) -> Reply<GroupSettings> {
        let Json(req) = body;
        let change = GroupSettingsChange {
            distribution: req.distribution.into(),
            hand_off: req.hand_off.into(),
            business_hours: match req.business_hours {
                Some(Some(hours)) => Some(Some(hours.try_into()?)),
                Some(None) => Some(None),
                None => None,
            },
            offline: req.offline.map(Into::into),
            texts: req.texts.map(Into::into),
        };
        let saved = app.update_group_settings(&caller.0, &group.0, change).await?;
        Ok(Reply::ok((&saved).into()))
    }
}
