//! The local WebSocket gateway: behaves toward the handlers as API Gateway does. Each socket
//! gets a connection id; the `$connect` authorizer runs first on the query string's `token` and a
//! denial refuses the upgrade; then `$connect` runs (with the query string) and can refuse it
//! too; each text frame is routed on its `action` field (handed to `handle_frame` with the
//! principal of the socket's authorizer context, decoded once, where API Gateway would invoke
//! the route's function with an event carrying it); `$disconnect` runs when the socket
//! closes, or, as API Gateway does, when the client has sent nothing for the idle timeout. Every
//! event of a connection carries the context its authorizer returned. Pushes arrive through the
//! `@connections` management API (`management.rs`, on its own loopback listener) or,
//! in-process, through `LocalPoster`.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use axum::extract::ws::{close_code, CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use futures::stream::FuturesUnordered;
use futures::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_util::task::TaskTracker;

use chatdesk::app::{App, AppError};
use chatdesk::errors::ErrorCode;
use chatdesk::ports::{ConnectionId, ConnectionPoster, PostError};
use chatdesk::realtime::authorizer::{self, Decision};
use chatdesk::realtime::frames::{ServerFrame, MAX_FRAME_BYTES};
use chatdesk::realtime::{handle_frame, handle_ws_event, principal_context, Fanout};
use serde_json::Value;

/// What the authorizer is asked to allow: the `$connect` route of the local stage (API
/// Gateway's method ARN has the same shape).
const METHOD_ARN: &str = "arn:aws:execute-api:local:000000000000:chatdesk/local/$connect";

pub(crate) enum Outbound {
    Frame(Bytes),
    Close,
    /// The server is stopping: close with 1001 ("going away"), so clients reconnect.
    GoingAway,
}

struct Entry {
    tx: mpsc::UnboundedSender<Outbound>,
    connected_at: std::time::SystemTime,
    source_ip: String,
}

/// The sockets open on this server, by connection id, and the tasks serving them (each runs
/// its `$disconnect` cleanup before it ends).
#[derive(Clone, Default)]
pub struct Registry {
    inner: Arc<Mutex<HashMap<ConnectionId, Entry>>>,
    sessions: TaskTracker,
}

impl Registry {
    fn insert(&self, id: ConnectionId, entry: Entry) {
        if let Ok(mut m) = self.inner.lock() {
            m.insert(id, entry);
        }
    }

    fn remove(&self, id: &ConnectionId) {
        if let Ok(mut m) = self.inner.lock() {
            m.remove(id);
        }
    }

    pub(crate) fn send(&self, id: &ConnectionId, msg: Outbound) -> bool {
        match self.inner.lock() {
            Ok(m) => m.get(id).is_some_and(|e| e.tx.send(msg).is_ok()),
            Err(_) => false,
        }
    }

    /// When the socket connected and from which address, as `GET @connections/{id}` tells.
    pub(crate) fn describe(&self, id: &ConnectionId) -> Option<(std::time::SystemTime, String)> {
        let m = self.inner.lock().ok()?;
        m.get(id).map(|e| (e.connected_at, e.source_ip.clone()))
    }

    pub fn len(&self) -> usize {
        self.inner.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Closes every open socket with "going away" and waits, up to `grace`, until each has run
    /// its `$disconnect` cleanup, so that a stopping server leaves no connection or
    /// subscription behind and cancels no cleanup half-way. Returns how many sessions were
    /// still running when the grace ran out.
    pub async fn close_all(&self, grace: Duration) -> usize {
        let queues: Vec<_> = match self.inner.lock() {
            Ok(m) => m.values().map(|e| e.tx.clone()).collect(),
            Err(_) => Vec::new(),
        };
        for queue in queues {
            let _ = queue.send(Outbound::GoingAway);
        }
        self.sessions.close();
        let _ = tokio::time::timeout(grace, self.sessions.wait()).await;
        // Sockets that connect while the server stops are closed by the next call.
        self.sessions.reopen();
        self.sessions.len()
    }
}

/// Posts straight into the socket's queue: what `@connections` does, without the HTTP hop.
pub struct LocalPoster(pub Registry);

#[async_trait]
impl ConnectionPoster for LocalPoster {
    async fn post(&self, connection: &ConnectionId, frame: Bytes) -> Result<(), PostError> {
        if self.0.send(connection, Outbound::Frame(frame)) {
            Ok(())
        } else {
            Err(PostError::Gone)
        }
    }

    async fn close(&self, connection: &ConnectionId) -> Result<(), PostError> {
        if self.0.send(connection, Outbound::Close) {
            Ok(())
        } else {
            Err(PostError::Gone)
        }
    }
}

#[derive(Clone)]
struct GatewayState {
    app: App,
    fanout: Arc<Fanout>,
    registry: Registry,
    idle_timeout: Duration,
}

/// `/ws`; `idle_timeout`: how long a socket may stay silent (no frame, ping or pong) before the
/// server closes it.
pub fn routes(app: App, fanout: Arc<Fanout>, registry: Registry, idle_timeout: Duration) -> Router {
    let state = GatewayState {
        app,
        fanout,
        registry,
        idle_timeout,
    };
    Router::new().route("/ws", get(upgrade)).with_state(state)
}

/// What every event of one socket shares: who it is, as its authorizer said, and where it came
/// from.
struct Origin {
    authorizer: HashMap<String, Value>,
    headers: HeaderMap,
    source_ip: String,
}

fn ws_event(
    connection: &ConnectionId,
    route: &str,
    event_type: &str,
    query: HashMap<String, String>,
    origin: &Origin,
    body: Option<String>,
) -> ApiGatewayWebsocketProxyRequest {
    let mut event = ApiGatewayWebsocketProxyRequest::default();
    event.query_string_parameters = query.into();
    // As API Gateway: the handshake's headers come with `$connect` only (copying them into
    // every message's event was a share of each frame's work).
    if route == "$connect" {
        event.headers = origin.headers.clone();
    }
    event.body = body;
    let ctx = &mut event.request_context;
    ctx.authorizer.fields = origin.authorizer.clone();
    ctx.connection_id = Some(connection.to_string());
    ctx.route_key = Some(route.to_owned());
    ctx.event_type = Some(event_type.to_owned());
    ctx.stage = Some("local".to_owned());
    ctx.identity.source_ip = Some(origin.source_ip.clone());
    ctx.request_time_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    event
}

async fn upgrade(
    State(state): State<GatewayState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    // As API Gateway: the authorizer first; a denied token never reaches `$connect`.
    let token = query.get("token").map(String::as_str).unwrap_or("");
    let authorizer = match authorizer::decide(&state.app, token).await {
        Ok(decision @ Decision::Allow(_)) => {
            authorizer::passed_context(&authorizer::policy(&decision, METHOD_ARN))
        }
        Ok(Decision::Deny(reason)) => {
            return refusal(chatdesk::realtime::handlers::refuse(&reason))
        }
        // Logged with its chain by `refuse`; the client learns nothing of it.
        Err(e) => return refusal(chatdesk::realtime::handlers::refuse(&AppError::from(e))),
    };
    let connection = ConnectionId::generate();
    let origin = Origin {
        authorizer,
        headers,
        source_ip: peer.ip().to_string(),
    };
    // Register the socket's queue before `$connect` runs, so a push racing the handshake waits
    // in the queue instead of finding the connection gone.
    let (tx, rx) = mpsc::unbounded_channel();
    state.registry.insert(
        connection.clone(),
        Entry {
            tx,
            connected_at: std::time::SystemTime::now(),
            source_ip: origin.source_ip.clone(),
        },
    );
    let event = ws_event(&connection, "$connect", "CONNECT", query, &origin, None);
    let resp = handle_ws_event(&state.app, &state.fanout, event).await;
    if !(200..300).contains(&resp.status_code) {
        state.registry.remove(&connection);
        return refusal(resp);
    }
    // A small read buffer: tungstenite zeroes the whole buffer as it fills it, and chat frames
    // are small (the default 128 KiB cost a tenth of the CPU in the realtime benchmark).
    let sessions = state.registry.sessions.clone();
    ws.max_message_size(MAX_FRAME_BYTES * 4)
        .read_buffer_size(8 * 1024)
        .on_upgrade(move |socket| {
            sessions.track_future(run_socket(state, connection, socket, rx, origin))
        })
}

/// A refused handshake: the status and JSON body of `$connect`'s (or the authorizer's) answer.
fn refusal(resp: ApiGatewayProxyResponse) -> Response {
    let status = StatusCode::from_u16(resp.status_code as u16).unwrap_or(StatusCode::FORBIDDEN);
    let body = match resp.body {
        Some(aws_lambda_events::encodings::Body::Text(t)) => t,
        _ => String::new(),
    };
    (status, [("content-type", "application/json")], body).into_response()
}

async fn run_socket(
    state: GatewayState,
    connection: ConnectionId,
    socket: WebSocket,
    mut rx: mpsc::UnboundedReceiver<Outbound>,
    origin: Origin,
) {
    let (mut sink, mut stream) = socket.split();
    // Told when the writer has stopped (it sent a close, or the socket broke): the server is done
    // with this socket, so its reading stops too, whether or not the client answers the close
    // (a revoked socket must not go on sending frames).
    let (writer_done, mut writer_stopped) = tokio::sync::oneshot::channel::<()>();
    // Frames that queued up while the socket was busy go out with one flush (one system call)
    // instead of one each.
    let mut writer = Some(tokio::spawn(async move {
        let _done = writer_done;
        while let Some(first) = rx.recv().await {
            let mut next = Some(first);
            let mut closing = false;
            while let Some(out) = next.take() {
                let message = match out {
                    // Frames are JSON: checked as UTF-8 in place, never copied.
                    Outbound::Frame(bytes) => match Utf8Bytes::try_from(bytes.clone()) {
                        Ok(text) => Message::Text(text),
                        Err(_) => Message::Binary(bytes),
                    },
                    Outbound::Close => {
                        closing = true;
                        Message::Close(None)
                    }
                    Outbound::GoingAway => {
                        closing = true;
                        Message::Close(Some(CloseFrame {
                            code: close_code::AWAY,
                            reason: "the server is stopping".into(),
                        }))
                    }
                };
                if sink.feed(message).await.is_err() {
                    return;
                }
                if closing {
                    break;
                }
                next = rx.try_recv().ok();
            }
            if sink.flush().await.is_err() || closing {
                return;
            }
        }
    }));
    // Decoded once: the context is the socket's for its whole life, as API Gateway passes the
    // same one with every event.
    let principal = principal_context::from_context(&origin.authorizer);
    // One timer for the socket's life, moved on only when it fires: a timer set afresh for
    // every frame cost a timer-wheel insertion and removal per frame.
    let mut last_heard = tokio::time::Instant::now();
    let idle = tokio::time::sleep_until(last_heard + state.idle_timeout);
    tokio::pin!(idle);
    let handle = |lane: Lane, text: Utf8Bytes| {
        let (state, connection, principal) = (&state, &connection, principal.as_ref());
        async move {
            handle_frame(
                &state.app,
                &state.fanout,
                connection,
                principal,
                text.as_str(),
            )
            .await;
            lane
        }
    };
    let mut frames = FrameLanes::default();
    let mut in_flight = FuturesUnordered::new();
    loop {
        let next = tokio::select! {
            _ = &mut writer_stopped => {
                // The server is done with the socket: frames not begun are dropped.
                frames.drop_waiting();
                break;
            }
            Some(lane) = in_flight.next(), if !in_flight.is_empty() => {
                if let Some((lane, text)) = frames.done(lane) {
                    in_flight.push(handle(lane, text));
                }
                continue;
            }
            () = &mut idle => {
                let deadline = last_heard + state.idle_timeout;
                if deadline > tokio::time::Instant::now() {
                    idle.as_mut().reset(deadline);
                    continue;
                }
                tracing::debug!(%connection, "closing a socket silent for the idle timeout");
                close_idle(&state.registry, &connection, writer.take()).await;
                frames.drop_waiting();
                break;
            }
            // At most `MAX_FRAMES_HELD` frames handled or waiting their turn: a client sending
            // faster than its frames are handled waits in its socket's receive buffer.
            next = stream.next(), if frames.held() < MAX_FRAMES_HELD => next,
        };
        last_heard = tokio::time::Instant::now();
        let msg = match next {
            Some(Ok(msg)) => msg,
            _ => break,
        };
        let text = match msg {
            Message::Text(t) => t,
            Message::Binary(_) => {
                let frame = ServerFrame::Error {
                    error: ErrorCode::InvalidJson,
                    message: "send text frames holding JSON".into(),
                    action: None,
                };
                state
                    .registry
                    .send(&connection, Outbound::Frame(frame.to_bytes()));
                continue;
            }
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => continue,
        };
        if text.len() > MAX_FRAME_BYTES {
            let frame = ServerFrame::Error {
                error: ErrorCode::TooLarge,
                message: format!("frames are limited to {MAX_FRAME_BYTES} bytes"),
                action: None,
            };
            state
                .registry
                .send(&connection, Outbound::Frame(frame.to_bytes()));
            continue;
        }
        if let Some((lane, text)) = frames.arrived(text) {
            in_flight.push(handle(lane, text));
        }
    }
    // The frames begun are finished (one cut short would have committed without its fan-out);
    // after a client's own close, those waiting too, as they were sent before it.
    while let Some(lane) = in_flight.next().await {
        if let Some((lane, text)) = frames.done(lane) {
            in_flight.push(handle(lane, text));
        }
    }
    state.registry.remove(&connection);
    if let Some(writer) = writer.take() {
        writer.abort();
    }
    let event = ws_event(
        &connection,
        "$disconnect",
        "DISCONNECT",
        HashMap::new(),
        &origin,
        None,
    );
    handle_ws_event(&state.app, &state.fanout, event).await;
}

/// Frames of one socket that may be handled or wait their turn at a time.
const MAX_FRAMES_HELD: usize = 16;

/// Which frames of a socket must be handled one after the other: those about the same chat (a
/// second message must not overtake the first), and those about no chat among themselves.
type Lane = Option<String>;

fn lane_of(text: &str) -> Lane {
    #[derive(serde::Deserialize)]
    struct ChatOnly<'a> {
        #[serde(borrow)]
        chat_id: Option<std::borrow::Cow<'a, str>>,
    }
    serde_json::from_str::<ChatOnly>(text)
        .ok()
        .and_then(|f| f.chat_id)
        .map(std::borrow::Cow::into_owned)
}

/// The frames of one socket by lane: a socket's frames about different chats are handled side
/// by side (an agent's message in one chat does not wait for the commit of another's, as API
/// Gateway runs each frame's route on its own), in order within a lane.
#[derive(Default)]
struct FrameLanes {
    /// The lanes with a frame being handled, and the frames waiting behind it: a few at most
    /// (`MAX_FRAMES_HELD`), found by a look along the list rather than by hashing.
    busy: Vec<(Lane, VecDeque<Utf8Bytes>)>,
    waiting: usize,
}

impl FrameLanes {
    /// Frames being handled or waiting.
    fn held(&self) -> usize {
        self.busy.len() + self.waiting
    }

    /// A frame arrived: to be handled now (its lane was free), or after those before it.
    fn arrived(&mut self, text: Utf8Bytes) -> Option<(Lane, Utf8Bytes)> {
        let lane = lane_of(text.as_str());
        match self.busy.iter_mut().find(|(busy, _)| busy == &lane) {
            Some((_, queue)) => {
                queue.push_back(text);
                self.waiting += 1;
                None
            }
            None => {
                self.busy.push((lane.clone(), VecDeque::new()));
                Some((lane, text))
            }
        }
    }

    /// Forgets the frames waiting behind those being handled.
    fn drop_waiting(&mut self) {
        self.busy.iter_mut().for_each(|(_, queue)| queue.clear());
        self.waiting = 0;
    }

    /// A frame of `lane` was handled: the lane's next one, if any.
    fn done(&mut self, lane: Lane) -> Option<(Lane, Utf8Bytes)> {
        let i = self.busy.iter().position(|(busy, _)| busy == &lane)?;
        match self.busy[i].1.pop_front() {
            Some(text) => {
                self.waiting -= 1;
                Some((lane, text))
            }
            None => {
                self.busy.swap_remove(i);
                None
            }
        }
    }
}

/// How long the frames still queued and the close frame of an idle socket may take to go out: a
/// client that stopped reading must not hold the task.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

async fn close_idle(
    registry: &Registry,
    connection: &ConnectionId,
    writer: Option<tokio::task::JoinHandle<()>>,
) {
    registry.send(connection, Outbound::Close);
    if let Some(mut writer) = writer {
        if tokio::time::timeout(CLOSE_GRACE, &mut writer)
            .await
            .is_err()
        {
            writer.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(chat: &str, body: &str) -> Utf8Bytes {
        format!(
            r#"{{"action":"send","chat_id":"{chat}","client_msg_id":"{body}","body":"{body}"}}"#
        )
        .into()
    }

    #[test]
    fn frames_about_different_chats_go_side_by_side_and_in_order_within_a_chat() {
        let mut lanes = FrameLanes::default();
        let (a, b) = (Some("a".to_owned()), Some("b".to_owned()));
        let begun = |x: Option<(Lane, Utf8Bytes)>| x.map(|(lane, text)| (lane, text.to_string()));

        assert_eq!(
            begun(lanes.arrived(frame("a", "a1"))),
            Some((a.clone(), frame("a", "a1").to_string()))
        );
        assert_eq!(
            begun(lanes.arrived(frame("b", "b1"))),
            Some((b.clone(), frame("b", "b1").to_string()))
        );
        // A second frame about chat a waits for the first; one about no chat has a lane of its own.
        assert_eq!(lanes.arrived(frame("a", "a2")), None);
        assert_eq!(lanes.arrived(frame("a", "a3")), None);
        assert!(lanes.arrived(r#"{"action":"ping"}"#.into()).is_some());
        assert_eq!(lanes.held(), 5);

        assert_eq!(
            begun(lanes.done(a.clone())),
            Some((a.clone(), frame("a", "a2").to_string()))
        );
        assert_eq!(lanes.done(b.clone()), None, "chat b's lane is free again");
        assert!(lanes.arrived(frame("b", "b2")).is_some());
        assert_eq!(
            begun(lanes.done(a.clone())),
            Some((a.clone(), frame("a", "a3").to_string()))
        );
        assert_eq!(lanes.done(a.clone()), None);
        assert_eq!(lanes.done(None), None);
        assert_eq!(lanes.done(b), None);
        assert_eq!(lanes.held(), 0);
    }

    #[test]
    fn frames_not_begun_are_dropped_when_the_server_is_done_with_the_socket() {
        let mut lanes = FrameLanes::default();
        let a = Some("a".to_owned());
        assert!(lanes.arrived(frame("a", "a1")).is_some());
        assert_eq!(lanes.arrived(frame("a", "a2")), None);
        lanes.drop_waiting();
        assert_eq!(lanes.held(), 1, "the frame begun is still finished");
        assert_eq!(lanes.done(a), None);
        assert_eq!(lanes.held(), 0);
    }
}
