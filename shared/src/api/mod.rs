//! HTTP glue shared by the Lambda functions and the local server: plain `http` requests and
//! responses in, the use cases of `app` behind. One route table, one error mapping.

pub mod dto;
pub mod error;
mod extract;
mod handlers;
pub mod openapi;
pub mod routes;

use bytes::Bytes;

pub use error::ErrorBody;
pub use routes::{Route, ROUTES};

use crate::app::App;

pub type Request = http::Request<Bytes>;
pub type Response = http::Response<Bytes>;

/// Largest REST request body accepted (the biggest legitimate one, a message or a preferences
/// document, is well under this).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The address of the client that sent a request, as its server saw it: the local server puts
/// the TCP peer's address in the request's extensions, the Lambda glue API Gateway's
/// `requestContext.http.sourceIp`. Absent (tests, other callers), per-address limits do not apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

/// Serves one HTTP request. `function` restricts the routes to those of one Lambda function
/// (a function only answers for its own routes); the local server passes `None`.
pub async fn dispatch(app: &App, req: Request, function: Option<&str>) -> Response {
    let (route, params) = match routes::match_route(req.method(), req.uri().path(), function) {
        Ok(found) => found,
        Err(e) => return error::response_for_routing(e),
    };
    let ctx = match extract::RequestCtx::new(app, req, params).await {
        Ok(ctx) => ctx,
        Err(e) => return error::response_for(&e),
    };
    match handlers::handle(app, route.operation, &ctx).await {
        Ok(resp) => resp,
        Err(e) => error::response_for(&e),
    }
}
