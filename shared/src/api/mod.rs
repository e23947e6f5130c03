//! HTTP glue shared by the Lambda functions and the local server: plain `http` requests and
//! responses in, the use cases of `app` behind. One route table, one error mapping.

pub mod dto;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod route;
pub mod routes;
pub mod wire;

use bytes::Bytes;

pub use error::ErrorBody;
pub use route::Route;

/// Every REST route (`crate::handlers::ALL`).
pub use crate::handlers::ALL as ROUTES;

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

/// Serves one HTTP request with every route; `function` restricts them to those of one Lambda
/// function (the local server passes `None`).
pub async fn dispatch(app: &App, req: Request, function: Option<&str>) -> Response {
    match function {
        None => dispatch_to(app, req, ROUTES).await,
        Some(f) => {
            let routes: Vec<&'static Route> =
                ROUTES.iter().copied().filter(|r| r.function == f).collect();
            dispatch_to(app, req, &routes).await
        }
    }
}

/// Serves one HTTP request with `routes` only: what a Lambda function does with its own.
pub async fn dispatch_to(app: &App, req: Request, routes: &[&'static Route]) -> Response {
    let (route, params) = match routes::match_route(routes, req.method(), req.uri().path()) {
        Ok(found) => found,
        Err(e) => return error::response_for_routing(e),
    };
    let ctx = match extract::RequestCtx::new(app, req, params).await {
        Ok(ctx) => ctx,
        Err(e) => return error::response_for(&e),
    };
    match (route.handle)(app, &ctx).await {
        Ok(resp) => resp,
        Err(e) => error::response_for(&e),
    }
}
