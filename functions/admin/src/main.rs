//! Administration: agents and the audit log. Routes: `GET`/`POST /api/admin/agents`,
//! `PUT`/`DELETE /api/admin/agents/{agent_id}`, `POST` on its `deactivate`, `reactivate` and
//! `password`, and `GET /api/admin/audit`.

use chatdesk::api::Route;
use chatdesk::handlers::admin;
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
