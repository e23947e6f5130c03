//! The WebSocket routes as handlers of API Gateway WebSocket events. The Lambda functions and
//! the local gateway both call `handle_ws_event` (the local gateway hands each text frame to
//! `handle_frame`, which every frame event reaches, with the principal it decoded once);
//! replies travel through `@connections` like every other push, so the two environments behave
//! the same. Who sent an event comes from the
//! `$connect` authorizer's context (`requestContext.authorizer`), which API Gateway passes with
//! every event of the connection: no route authenticates a token itself.

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body;

use super::fanout::Fanout;
use super::frames::{parse_client_frame, ClientFrame, FrameError, ServerFrame, TypingFrom};
use super::{presence, principal_context};
use crate::app::{App, AppError};
use crate::auth::Principal;
use crate::domain::{ChatId, ChatState, ChatView};
use crate::errors::ErrorCode;
use crate::ports::{Admission, Audience, Connection, ConnectionId, ConnectionOwner};

/// API Gateway closes a WebSocket after two hours; keep records a little longer than that.
const CONNECTION_TTL_MS: i64 = 3 * 60 * 60 * 1000;

/// A route of the WebSocket API and the Lambda function that serves it.
#[derive(Clone, Copy, Debug)]
pub struct WsRoute {
    pub route_key: &'static str,
    pub function: &'static str,
}

pub static WS_ROUTES: &[WsRoute] = &[
    WsRoute {
        route_key: "$connect",
        function: "ws-connect",
    },
    WsRoute {
        route_key: "$disconnect",
        function: "ws-disconnect",
    },
    WsRoute {
        route_key: "send",
        function: "ws-send",
    },
    WsRoute {
        route_key: "typing",
        function: "ws-typing",
    },
    WsRoute {
        route_key: "resume",
        function: "ws-resume",
    },
    WsRoute {
        route_key: "watch",
        function: "ws-resume",
    },
    WsRoute {
        route_key: "unwatch",
        function: "ws-resume",
    },
    WsRoute {
        route_key: "watch_list",
        function: "ws-resume",
    },
    WsRoute {
        route_key: "ping",
        function: "ws-default",
    },
    WsRoute {
        route_key: "$default",
        function: "ws-default",
    },
];

fn response(status: i64, body: Option<String>) -> ApiGatewayProxyResponse {
    let mut r = ApiGatewayProxyResponse::default();
    r.status_code = status;
    r.body = body.map(Body::Text);
    r
}

fn error_json(code: ErrorCode, message: &str) -> String {
    serde_json::json!({ "error": code, "message": message }).to_string()
}

/// Handles one WebSocket event (any route).
pub async fn handle_ws_event(
    app: &App,
    fanout: &Fanout,
    event: ApiGatewayWebsocketProxyRequest,
) -> ApiGatewayProxyResponse {
    let ctx = &event.request_context;
    let connection = match ctx.connection_id.as_deref().map(ConnectionId::parse) {
        Some(Ok(c)) => c,
        _ => {
            return response(
                400,
                Some(error_json(ErrorCode::InvalidInput, "no connection id")),
            )
        }
    };
    let route = ctx.route_key.clone().unwrap_or_else(|| "$default".into());
    let principal = principal_context::from_context(&ctx.authorizer.fields);
    match route.as_str() {
        "$connect" => match principal {
            Ok(principal) => connect(app, fanout, connection, principal).await,
            // Only a WebSocket API without the authorizer on `$connect` gets here.
            Err(e) => {
                tracing::error!(error = %e, "$connect without the authorizer's principal");
                refuse(&AppError::Unauthorized(
                    "this connection was not authorized; connect with a valid token".into(),
                ))
            }
        },
        "$disconnect" => {
            if let Err(e) = fanout.connections.remove_connection(&connection).await {
                tracing::error!(error = %crate::errors::error_chain(&e), "disconnect cleanup failed");
            }
            if let Ok(Principal::Agent(agent, _)) = &principal {
                presence::console_closed(app, fanout, agent).await;
            }
            response(200, None)
        }
        _ => {
            let raw = event.body.as_deref().unwrap_or("");
            handle_frame(app, fanout, &connection, principal.as_ref(), raw).await;
            response(200, None)
        }
    }
}

/// Records the connection of a principal the authorizer allowed: its agent (still with this
/// session) or its chat must exist, and it must have a connection slot left.
async fn connect(
    app: &App,
    fanout: &Fanout,
    connection: ConnectionId,
    principal: Principal,
) -> ApiGatewayProxyResponse {
    let (owner, limit) = match &principal {
        Principal::Agent(_, session) => match app.agent(&principal).await {
            Ok(agent) => (
                ConnectionOwner::Agent {
                    agent_id: agent.id,
                    groups: agent.groups,
                    session: *session,
                },
                app.settings.connections_per_agent,
            ),
            Err(e) => return refuse(&e),
        },
        Principal::Customer(chat_id) => match app.chats.get_chat(chat_id).await {
            Ok(Some(chat)) if !chat.is_deleted() => (
                ConnectionOwner::Customer { chat_id: chat.id },
                app.settings.connections_per_customer,
            ),
            Ok(_) => return refuse(&AppError::NotFound("the chat does not exist".into())),
            Err(e) => return refuse(&AppError::from(e)),
        },
    };
    let now = app.clock.now();
    let record = Connection {
        id: connection,
        owner,
        connected_at: now,
        expires_at: now.plus_millis(CONNECTION_TTL_MS),
    };
    let agent = match &record.owner {
        ConnectionOwner::Agent { agent_id, .. } => Some(agent_id.clone()),
        ConnectionOwner::Customer { .. } => None,
    };
    match fanout.connections.put_connection(&record, limit).await {
        Ok(()) => {
            if let Some(agent) = agent {
                presence::console_opened(app, &agent).await;
            }
            response(200, None)
        }
        Err(e) => refuse(&AppError::from(e)),
    }
}

/// A refused `$connect`, with the status and code the same mistake gets over REST (the local
/// gateway answers a denied token with it too).
pub fn refuse(e: &AppError) -> ApiGatewayProxyResponse {
    if let AppError::Internal(inner) = e {
        tracing::error!(error = %crate::errors::error_chain(inner), "websocket connect failed");
    }
    let code = e.code();
    response(
        i64::from(code.http_status()),
        Some(error_json(code, &e.public_message())),
    )
}

async fn reply_error(
    fanout: &Fanout,
    to: &ConnectionId,
    action: Option<&str>,
    code: ErrorCode,
    message: String,
) {
    let frame = ServerFrame::Error {
        error: code,
        message,
        action: action.map(str::to_owned),
    };
    fanout.post_frame(to, &frame).await;
}

/// The answer to a frame whose connection has no principal: reconnecting (through the
/// authorizer) is the way out.
async fn not_registered(fanout: &Fanout, connection: &ConnectionId) {
    reply_error(
        fanout,
        connection,
        None,
        ErrorCode::Unauthorized,
        "this connection is not registered; reconnect".into(),
    )
    .await;
}

/// Handles one text frame of a connection whose principal its authorizer's context named (the
/// error when it named none). `handle_ws_event` calls it for every frame; the local gateway,
/// which keeps each socket's principal as it decoded it once, calls it directly instead of
/// dressing every frame as an API Gateway event to be taken apart again.
pub async fn handle_frame(
    app: &App,
    fanout: &Fanout,
    connection: &ConnectionId,
    principal: Result<&Principal, &principal_context::ContextError>,
    raw: &str,
) {
    let frame = match parse_client_frame(raw) {
        Ok(f) => f,
        Err(e) => {
            let action = match &e {
                FrameError::Invalid { action, .. } => Some(action.as_str()),
                _ => None,
            };
            reply_error(fanout, connection, action, e.code(), e.to_string()).await;
            return;
        }
    };
    let principal = match principal {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, %connection, "frame without the authorizer's principal");
            not_registered(fanout, connection).await;
            return;
        }
    };
    // A message is paced per chat and side inside its own commit (`domain::pace`, whatever the
    // path: any socket, REST), so counting it against the connection as well would only add a
    // write to every message. Every other frame is counted against its connection here, which
    // also finds a connection that is no longer registered.
    if !matches!(frame, ClientFrame::Send { .. }) && !admit(app, fanout, connection).await {
        return;
    }
    // Every action's future is boxed: kept inline, this function's future was as large as all
    // of them together (25 KB), and a future is copied whole wherever it moves. The local
    // gateway holds each frame's handling in an allocation of its own anyway (a socket's frames
    // about different chats go side by side), so a message's future (kilobytes) is boxed too:
    // built once in its box, it is no longer copied into that allocation and into its origin's
    // scope.
    let (action, result) = match frame {
        ClientFrame::Ping {} => {
            fanout.post_frame(connection, &ServerFrame::Pong).await;
            return;
        }
        ClientFrame::Send {
            chat_id,
            client_msg_id,
            body,
        } => {
            let (result, acknowledged) = super::fanout::from_connection(
                connection,
                Box::pin(app.send_message(principal, &chat_id.0, client_msg_id.0.clone(), &body)),
            )
            .await;
            match result {
                // The stored message reached this connection as an `event` carrying its
                // `client_msg_id`: that is the acknowledgement.
                Ok((_, false)) if acknowledged => return,
                // A retry of a stored message (no event is sent again), or a sender that does not
                // receive the chat's events: a separate `ack`.
                Ok((event, duplicate)) => {
                    let ack = ServerFrame::Ack {
                        chat_id,
                        client_msg_id,
                        seq: event.seq,
                        duplicate,
                    };
                    fanout.post_frame(connection, &ack).await;
                    return;
                }
                Err(e) => ("send", Err(e)),
            }
        }
        ClientFrame::Typing { chat_id, typing } => (
            "typing",
            Box::pin(typing_frame(
                app, fanout, principal, connection, chat_id.0, typing,
            ))
            .await,
        ),
        ClientFrame::Resume { chat_id, after_seq } => (
            "resume",
            Box::pin(resume(
                app, fanout, principal, connection, chat_id.0, after_seq,
            ))
            .await,
        ),
        ClientFrame::Watch { chat_id } => (
            "watch",
            Box::pin(watch(app, fanout, principal, connection, &chat_id.0)).await,
        ),
        ClientFrame::WatchList { list } => (
            "watch_list",
            Box::pin(watch_list(
                app,
                fanout,
                principal,
                connection,
                list.map(Into::into),
            ))
            .await,
        ),
        ClientFrame::Unwatch { chat_id } => (
            "unwatch",
            fanout
                .connections
                .unwatch_chat(&chat_id.0, connection)
                .await
                .map_err(AppError::from),
        ),
    };
    if let Err(e) = result {
        if let AppError::Internal(inner) = &e {
            tracing::error!(error = %crate::errors::error_chain(inner), action, "websocket action failed");
        }
        reply_error(
            fanout,
            connection,
            Some(action),
            e.code(),
            e.public_message(),
        )
        .await;
    }
}

/// Counts a frame against its connection's rate limit; `false` (and the frame answered) when
/// it is over the limit or the connection is not registered.
async fn admit(app: &App, fanout: &Fanout, connection: &ConnectionId) -> bool {
    let limit = app.settings.rate_limit;
    match fanout
        .connections
        .admit_frame(connection, app.clock.now(), limit)
        .await
    {
        Ok(Admission::Admitted(_)) => true,
        Ok(Admission::Limited) => {
            reply_error(
                fanout,
                connection,
                None,
                ErrorCode::RateLimited,
                format!(
                    "slow down: at most {} frames per {} seconds",
                    limit.limit,
                    limit.window_ms / 1000
                ),
            )
            .await;
            false
        }
        Ok(Admission::Unknown) => {
            not_registered(fanout, connection).await;
            false
        }
        Err(e) => {
            tracing::error!(error = %crate::errors::error_chain(&e), "reading connection failed");
            reply_error(
                fanout,
                connection,
                None,
                ErrorCode::Internal,
                AppError::Internal(e).public_message(),
            )
            .await;
            false
        }
    }
}

async fn watch(
    app: &App,
    fanout: &Fanout,
    principal: &Principal,
    connection: &ConnectionId,
    chat_id: &ChatId,
) -> Result<(), AppError> {
    match principal {
        // A customer's connection is subscribed to its own chat from the start.
        Principal::Customer(own) if own == chat_id => Ok(()),
        Principal::Customer(_) => Err(AppError::Forbidden(
            "a customer token only opens its own chat".into(),
        )),
        Principal::Agent(..) => {
            app.readable_chat(principal, chat_id).await?;
            fanout.connections.watch_chat(chat_id, connection).await?;
            Ok(())
        }
    }
}

/// The list a console shows, checked as reading it would be (a view the agent may not read is
/// refused, and the previous one stays).
async fn watch_list(
    app: &App,
    fanout: &Fanout,
    principal: &Principal,
    connection: &ConnectionId,
    view: Option<ChatView>,
) -> Result<(), AppError> {
    let watch = match view {
        Some(view) => Some(app.list_watch(principal, view).await?),
        None => None,
    };
    fanout.watch_list(connection, watch.as_ref()).await?;
    let answer = ServerFrame::ListWatched {
        list: watch.as_ref().map(|w| (&w.view).into()),
    };
    fanout.post_frame(connection, &answer).await;
    Ok(())
}

async fn resume(
    app: &App,
    fanout: &Fanout,
    principal: &Principal,
    connection: &ConnectionId,
    chat_id: ChatId,
    after_seq: u64,
) -> Result<(), AppError> {
    // Subscribe first, then read: an event committed in between arrives twice (clients drop
    // repeats by seq) rather than never.
    watch(app, fanout, principal, connection, &chat_id).await?;
    let mut last = after_seq;
    loop {
        let page = app
            .events(principal, &chat_id, last, crate::app::MAX_EVENTS_PER_READ)
            .await?;
        let full = page.len() == crate::app::MAX_EVENTS_PER_READ;
        for event in page {
            last = last.max(event.seq);
            let frame = ServerFrame::Event {
                chat_id: (&chat_id).into(),
                event: (&event).into(),
            };
            if !fanout.post_frame(connection, &frame).await {
                return Ok(());
            }
        }
        if !full {
            break;
        }
    }
    // Customers do not see agent-only events, so their last seq is the chat's, not the last
    // one sent.
    let chat_last = app
        .chats
        .get_chat(&chat_id)
        .await?
        .map(|c| c.last_seq)
        .unwrap_or(last);
    fanout
        .post_frame(
            connection,
            &ServerFrame::Resumed {
                chat_id: (&chat_id).into(),
                last_seq: chat_last.max(last),
            },
        )
        .await;
    Ok(())
}

async fn typing_frame(
    app: &App,
    fanout: &Fanout,
    principal: &Principal,
    connection: &ConnectionId,
    chat_id: ChatId,
    typing: bool,
) -> Result<(), AppError> {
    let chat = app.readable_chat(principal, &chat_id).await?;
    let (from, name) = match principal {
        Principal::Customer(_) => {
            if !chat.state.is_live() {
                return Err(AppError::Domain(crate::domain::DomainError::InvalidState(
                    "the chat has ended".into(),
                )));
            }
            (TypingFrom::Customer, chat.customer.name.clone())
        }
        Principal::Agent(..) => {
            let agent = app.agent(principal).await?;
            if chat.state != ChatState::Active || chat.agent_id.as_ref() != Some(&agent.id) {
                return Err(AppError::Forbidden(
                    "only the assigned agent types in an active chat".into(),
                ));
            }
            if typing {
                presence::agent_typed(app, &chat).await;
            }
            (TypingFrom::Agent, agent.display_name)
        }
    };
    let recipients = fanout
        .connections
        .chat_subscribers(&chat_id)
        .await?
        .into_iter()
        .filter(|s| &s.connection != connection)
        // An agent typing is news to the customer and to colleagues watching; a customer typing
        // is news to the agents.
        .filter(|s| match from {
            TypingFrom::Customer => s.audience == Audience::Agent,
            TypingFrom::Agent => true,
        })
        .map(|s| s.connection)
        .collect();
    let frame = ServerFrame::Typing {
        chat_id: (&chat_id).into(),
        from,
        name,
        typing,
    };
    fanout.post_many(recipients, frame.to_bytes()).await;
    Ok(())
}
