//! Administration: agents, groups, the organisation's settings and the audit log. Routes:
//! `GET`/`POST /api/admin/agents`, `PUT`/`DELETE /api/admin/agents/{agent_id}`, `POST` on its
//! `deactivate`, `reactivate` and `password`; `GET`/`POST /api/admin/groups`,
//! `PUT`/`DELETE /api/admin/groups/{group_id}`, `PUT` on its `members`;
//! `GET`/`PUT /api/admin/organisation`; and `GET /api/admin/audit`.

use chatdesk::api::Route;
use chatdesk::handlers::{admin, admin_groups};
use lambda_http::{service_fn, Error, Request};

/// This function's routes: it links their handlers and no other route's.
static ROUTES: &[&Route] = &[
    &admin::ADMIN_LIST_AGENTS,
    &admin::ADMIN_CREATE_AGENT,
    &admin::ADMIN_UPDATE_AGENT,
    &admin::ADMIN_DEACTIVATE_AGENT,
    &admin::ADMIN_REACTIVATE_AGENT,
    &admin::ADMIN_RESET_PASSWORD,
    &admin::ADMIN_DELETE_AGENT,
    &admin::AUDIT_LOG,
    &admin_groups::ADMIN_LIST_GROUPS,
    &admin_groups::ADMIN_CREATE_GROUP,
    &admin_groups::ADMIN_RENAME_GROUP,
    &admin_groups::ADMIN_SET_GROUP_MEMBERS,
    &admin_groups::ADMIN_REMOVE_GROUP,
    &admin_groups::ADMIN_ORGANISATION,
    &admin_groups::ADMIN_UPDATE_ORGANISATION,
];

#[tokio::main]
async fn main() -> Result<(), Error> {
    chatdesk::lambda::init_logging();
    let cloud = chatdesk::cloud::Cloud::from_env().await?.with_user_pool()?;
    let app = &cloud.app;
    lambda_http::run(service_fn(|req: Request| async move {
        Ok::<_, Error>(chatdesk::lambda::serve_http(app, ROUTES, req).await)
    }))
    .await
}
