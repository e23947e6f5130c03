//! Administration of groups (create, rename, members, remove by moving what they hold) and of
//! the organisation's settings. Administrators only.

#![allow(clippy::too_many_arguments)]

use crate::api::error::ErrorBody;
use crate::api::route::{Caller, GroupPath, Json, Query, Reply};
use crate::api::wire::{
    AdminGroup, GroupMembers, GroupRemoval, GroupRemovalQuery, GroupRename, NewGroup, Organisation,
    OrganisationUpdate,
};
use crate::domain::{DomainError, GroupId};
use crate::route;

route! {
    ADMIN_LIST_GROUPS = get "/api/admin/groups" in "admin",
    openapi(tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every group with its members, by name", body = [AdminGroup]),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody))),
    /// Every group as administrators see them.
    pub async fn admin_list_groups(app: &App, caller: Caller) -> Reply<Vec<AdminGroup>> {
        Ok(Reply::ok(app.admin_groups(&caller.0).await?.iter().map(AdminGroup::from).collect()))
    }
}

route! {
    ADMIN_CREATE_GROUP = post "/api/admin/groups" in "admin",
    openapi(tag = "admin", security(("bearer" = [])), request_body = NewGroup,
    responses(
        (status = 201, description = "Created", body = AdminGroup),
        (status = 400, description = "Malformed request or an invalid field (named)", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 409, description = "The id is taken", body = ErrorBody))),
    /// Creates a group.
    pub async fn admin_create_group(app: &App, body: Json<NewGroup>, caller: Caller) -> Reply<AdminGroup> {
        let group = app.admin_create_group(&caller.0, &body.0.id, &body.0.name).await?;
        Ok(Reply::created((&group).into()))
    }
}

route! {
    ADMIN_RENAME_GROUP = put "/api/admin/groups/{group_id}" in "admin",
    openapi(tag = "admin", security(("bearer" = [])), request_body = GroupRename,
    params(("group_id" = String, Path, description = "The group")),
    responses(
        (status = 200, description = "Renamed (its id stays)", body = AdminGroup),
        (status = 400, description = "Malformed request, group id or name", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody))),
    /// Renames a group.
    pub async fn admin_rename_group(app: &App, group: GroupPath, body: Json<GroupRename>, caller: Caller) -> Reply<AdminGroup> {
        Ok(Reply::ok((&app.admin_rename_group(&caller.0, &group.0, &body.0.name).await?).into()))
    }
}

route! {
    ADMIN_SET_GROUP_MEMBERS = put "/api/admin/groups/{group_id}/members" in "admin",
    openapi(tag = "admin", security(("bearer" = [])), request_body = GroupMembers,
    params(("group_id" = String, Path, description = "The group")),
    responses(
        (status = 200, description = "These are its members now; those left out lost it (their sign-ins ended)", body = AdminGroup),
        (status = 400, description = "Malformed request or group id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such group or agent (nothing changed)", body = ErrorBody))),
    /// Sets a group's members.
    pub async fn admin_set_group_members(app: &App, group: GroupPath, body: Json<GroupMembers>, caller: Caller) -> Reply<AdminGroup> {
        let members = body.0.members.into_iter().map(Into::into).collect();
        Ok(Reply::ok((&app.admin_set_group_members(&caller.0, &group.0, members).await?).into()))
    }
}

route! {
    ADMIN_REMOVE_GROUP = delete "/api/admin/groups/{group_id}" in "admin",
    openapi(tag = "admin", security(("bearer" = [])), params(("group_id" = String, Path, description = "The group"), GroupRemovalQuery),
    responses(
        (status = 200, description = "Removed, or partly moved (`removed` false: call again)", body = GroupRemoval),
        (status = 400, description = "Malformed group id, or `move_to` is the group itself", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such group (or no such `move_to` group)", body = ErrorBody),
        (status = 409, description = "It has chats, messages or canned replies and no `move_to` was given", body = ErrorBody))),
    /// Removes a group, moving its chats and messages to `move_to` first.
    pub async fn admin_remove_group(app: &App, group: GroupPath, query: Query<GroupRemovalQuery>, caller: Caller) -> Reply<GroupRemoval> {
        let move_to = match query.0.move_to.as_deref() {
            Some(raw) => Some(GroupId::parse(raw).map_err(|_| {
                DomainError::invalid("move_to", "is not a group id")
            })?),
            None => None,
        };
        Ok(Reply::ok(app.admin_remove_group(&caller.0, &group.0, move_to.as_ref()).await?.into()))
    }
}

route! {
    ADMIN_ORGANISATION = get "/api/admin/organisation" in "admin",
    openapi(tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "The organisation's settings, and the sign-in methods in use", body = Organisation),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody))),
    /// The organisation's settings.
    pub async fn admin_organisation(app: &App, caller: Caller) -> Reply<Organisation> {
        Ok(Reply::ok((&app.admin_organisation(&caller.0).await?).into()))
    }
}

route! {
    ADMIN_UPDATE_ORGANISATION = put "/api/admin/organisation" in "admin",
    openapi(tag = "admin", security(("bearer" = [])), request_body = OrganisationUpdate,
    responses(
        (status = 200, description = "Saved; every console colours by it within 30 s", body = Organisation),
        (status = 400, description = "Malformed request or a value out of range (named)", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 409, description = "Another administrator saved since `revision`", body = ErrorBody))),
    /// Changes the organisation's settings.
    pub async fn admin_update_organisation(app: &App, body: Json<OrganisationUpdate>, caller: Caller) -> Reply<Organisation> {
        let view = app.admin_update_organisation(&caller.0, body.0.idle(), body.0.revision).await?;
        Ok(Reply::ok((&view).into()))
    }
}
