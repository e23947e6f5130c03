//! Glue between the Lambda runtime and the handlers: converts API Gateway's HTTP API events to
//! plain `http` requests for `api::dispatch`, hands WebSocket events to
//! `realtime::handle_ws_event` and the `$connect` authorizer's requests to
//! `realtime::authorize`. The functions' `main`s only wire configuration to these.

use aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerRequestTypeRequest, ApiGatewayCustomAuthorizerResponse,
    ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest,
};
use bytes::Bytes;
use lambda_http::request::RequestContext;
use lambda_http::{Body, LambdaEvent, RequestExt};

use crate::app::App;
use crate::realtime::Fanout;

/// One HTTP API request, answered by `routes`: the function's own, named in its `main`, so the
/// binary links only their handlers.
pub async fn serve_http(
    app: &App,
    routes: &[&'static crate::api::Route],
    req: lambda_http::Request,
) -> http::Response<Body> {
    let (req, client) = into_request(req);
    let resp = crate::api::dispatch_to(app, with_client(req, client), routes).await;
    into_lambda_response(resp)
}

/// One HTTP API request for the routes of `function` (tests drive every function this way).
pub async fn http(app: &App, function: &str, req: lambda_http::Request) -> http::Response<Body> {
    let (req, client) = into_request(req);
    let resp = crate::api::dispatch(app, with_client(req, client), Some(function)).await;
    into_lambda_response(resp)
}

fn with_client(
    req: http::Request<Bytes>,
    client: Option<std::net::IpAddr>,
) -> http::Request<Bytes> {
    let (mut parts, body) = req.into_parts();
    if let Some(addr) = client {
        parts.extensions.insert(crate::api::ClientAddr(addr));
    }
    http::Request::from_parts(parts, body)
}

fn into_request(req: lambda_http::Request) -> (http::Request<Bytes>, Option<std::net::IpAddr>) {
    let client = source_ip(&req);
    let (parts, body) = req.into_parts();
    let bytes = match body {
        Body::Empty => Bytes::new(),
        Body::Text(t) => Bytes::from(t),
        Body::Binary(b) => Bytes::from(b),
        _ => Bytes::new(),
    };
    (http::Request::from_parts(parts, bytes), client)
}

fn into_lambda_response(resp: http::Response<Bytes>) -> http::Response<Body> {
    let (parts, body) = resp.into_parts();
    let body = match String::from_utf8(body.to_vec()) {
        Ok(text) => Body::Text(text),
        Err(e) => Body::Binary(e.into_bytes()),
    };
    http::Response::from_parts(parts, body)
}

/// The caller's address as API Gateway saw it (the TCP peer at its edge, not a header the
/// caller could write).
fn source_ip(req: &lambda_http::Request) -> Option<std::net::IpAddr> {
    match req.request_context_ref()? {
        RequestContext::ApiGatewayV2(ctx) => ctx.http.source_ip.as_deref()?.parse().ok(),
        _ => None,
    }
}

/// One WebSocket event (any route).
pub async fn websocket(
    app: &App,
    fanout: &Fanout,
    event: LambdaEvent<ApiGatewayWebsocketProxyRequest>,
) -> Result<ApiGatewayProxyResponse, lambda_http::Error> {
    Ok(crate::realtime::handle_ws_event(app, fanout, event.payload).await)
}

/// One request to the WebSocket API's `$connect` authorizer: the token of the query string,
/// allowed or denied on the method ARN API Gateway names. Only a failure to decide (the table
/// could not be read) is an error, which API Gateway answers with 500.
pub async fn websocket_authorizer(
    app: &App,
    event: LambdaEvent<ApiGatewayCustomAuthorizerRequestTypeRequest>,
) -> Result<ApiGatewayCustomAuthorizerResponse, lambda_http::Error> {
    let request = event.payload;
    let token = request.query_string_parameters.first("token").unwrap_or("");
    let method_arn = request.method_arn.as_deref().unwrap_or("");
    match crate::realtime::authorize(app, token, method_arn).await {
        Ok(response) => Ok(response),
        Err(e) => {
            tracing::error!(error = %crate::errors::error_chain(&e), "websocket authorizer failed");
            Err(Box::new(e))
        }
    }
}

/// One batch of the table's stream (the list-rows function): the chats that messages changed go
/// to the consoles showing them (`Fanout::push_list_rows`). Reading the subscribers failing is an
/// error, so Lambda retries the batch (a bounded number of times, `TABLE_STREAM_CONSUMER`).
pub async fn table_stream(
    fanout: &Fanout,
    event: LambdaEvent<aws_lambda_events::dynamodb::Event>,
) -> Result<(), lambda_http::Error> {
    let batch = crate::dynamodb::stream::chats_changed_by_messages(&event.payload.records);
    match fanout.push_list_rows(batch.chats).await {
        Ok(pushed) => {
            tracing::debug!(
                records = event.payload.records.len(),
                chats = pushed.chats,
                groups = pushed.groups,
                consoles = pushed.consoles,
                other = batch.other,
                unreadable = batch.unreadable,
                "list rows sent"
            );
            Ok(())
        }
        Err(e) => {
            tracing::error!(error = %crate::errors::error_chain(&e), "sending list rows failed");
            Err(Box::new(e))
        }
    }
}

/// The hand-off sweep, run by the template's EventBridge rule once a minute (the event's
/// contents do not matter: every run sweeps what is due now). A failed sweep fails the
/// invocation (logged); the next minute's sweeps what is still due.
pub async fn hand_off_timers(
    app: &App,
    fanout: &Fanout,
    _event: LambdaEvent<serde_json::Value>,
) -> Result<(), lambda_http::Error> {
    match app.run_hand_off_timers(fanout.connections.as_ref()).await {
        Ok(report) => {
            tracing::info!(
                checked = report.checked,
                to_agent = report.to_agent,
                to_queue = report.to_queue,
                "hand-off sweep"
            );
            Ok(())
        }
        Err(e) => {
            tracing::error!(error = %crate::errors::error_chain(&e), "hand-off sweep failed");
            Err(Box::new(e))
        }
    }
}

/// The scheduled outbox delivery (`mail-outbox`, EventBridge once a minute): sends the mail that
/// is due (`App::deliver_due_mail`). The event's content is not read.
pub async fn deliver_mail(
    app: &App,
    _event: LambdaEvent<serde_json::Value>,
) -> Result<(), lambda_http::Error> {
    match app.deliver_due_mail().await {
        Ok(report) => {
            tracing::info!(
                claimed = report.claimed,
                sent = report.sent,
                retried = report.retried,
                failed = report.failed,
                "outbox delivery"
            );
            Ok(())
        }
        Err(e) => {
            tracing::error!(error = %crate::errors::error_chain(&e), "outbox delivery failed");
            Err(Box::new(e))
        }
    }
}

/// Logs to CloudWatch, as JSON lines when the function's log format is JSON
/// (`AWS_LAMBDA_LOG_FORMAT`). The filter is `CHATDESK_LOG`, else `AWS_LAMBDA_LOG_LEVEL`, else
/// `RUST_LOG`: a level (`info`) or per-target levels (`warn,chatdesk=debug`); default `info`.
/// CloudWatch stamps each line, so the lines carry no time of their own.
pub fn init_logging() {
    use tracing_subscriber::filter::LevelFilter;
    use tracing_subscriber::layer::SubscriberExt;
    let setting = ["CHATDESK_LOG", "AWS_LAMBDA_LOG_LEVEL", "RUST_LOG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()));
    let filter = log_filter(setting.as_deref());
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let output = tracing_subscriber::fmt()
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .with_max_level(LevelFilter::TRACE);
    let result = if json {
        tracing::subscriber::set_global_default(output.json().finish().with(filter))
    } else {
        tracing::subscriber::set_global_default(output.finish().with(filter))
    };
    if result.is_err() {
        tracing::warn!("a log subscriber was already set");
    }
}

/// The filter a log setting names; `info` when there is none or it does not parse.
fn log_filter(setting: Option<&str>) -> tracing_subscriber::filter::Targets {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    setting
        .and_then(|s| s.trim().to_ascii_lowercase().parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO))
}

#[cfg(test)]
mod tests {
    use super::log_filter;
    use tracing::Level;

    #[test]
    fn log_settings_name_levels_per_target() {
        let default = log_filter(None);
        assert!(default.would_enable("chatdesk::app", &Level::INFO));
        assert!(!default.would_enable("chatdesk::app", &Level::DEBUG));

        // Lambda's own setting is upper case.
        assert!(log_filter(Some("DEBUG")).would_enable("hyper", &Level::DEBUG));

        let mixed = log_filter(Some("warn,chatdesk=debug"));
        assert!(mixed.would_enable("chatdesk::realtime", &Level::DEBUG));
        assert!(!mixed.would_enable("aws_smithy_runtime", &Level::INFO));
        assert!(mixed.would_enable("aws_smithy_runtime", &Level::WARN));

        let nonsense = log_filter(Some("loud=very"));
        assert!(nonsense.would_enable("chatdesk", &Level::INFO));
        assert!(!nonsense.would_enable("chatdesk", &Level::DEBUG));
    }
}
