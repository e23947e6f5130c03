//! Clients for the tests: REST calls that return status and JSON, and a WebSocket client that
//! waits for frames matching a predicate.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const DEMO_PASSWORD: &str = chatdesk::demo::DEMO_PASSWORD;

#[derive(Clone)]
pub struct Api {
    pub base: String,
    http: reqwest::Client,
}

impl Api {
    pub fn new(base: &str) -> Self {
        Api {
            base: base.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.call("GET", path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.call("POST", path, Some(token), Some(body)).await
    }

    pub async fn login(&self, username: &str) -> String {
        let (status, body) = self
            .call(
                "POST",
                "/api/auth/login",
                None,
                Some(json!({"username": username, "password": DEMO_PASSWORD})),
            )
            .await;
        assert_eq!(status, 200, "login {username}: {body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Starts a chat as a customer; returns (chat id, customer token).
    pub async fn start_chat(&self, group: &str, name: &str, question: &str) -> (String, String) {
        let (status, body) = self
            .call(
                "POST",
                "/api/chats",
                None,
                Some(json!({"group_id": group, "name": name, "question": question})),
            )
            .await;
        assert_eq!(status, 201, "start chat: {body}");
        (
            body["chat"]["id"].as_str().expect("id").to_owned(),
            body["token"].as_str().expect("token").to_owned(),
        )
    }

    pub async fn action(&self, action: &str, token: &str, body: Value) -> (u16, Value) {
        self.post(&format!("/api/actions/{action}"), token, body)
            .await
    }

    pub async fn list(&self, token: &str, query: &str) -> Vec<Value> {
        let (status, body) = self.get(&format!("/api/chats?{query}"), token).await;
        assert_eq!(status, 200, "list {query}: {body}");
        body["rows"].as_array().cloned().unwrap_or_default()
    }
}

pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Frames received while waiting for another one, kept in order for later waits.
    backlog: Vec<Value>,
}

impl Ws {
    pub async fn connect(url: &str) -> Result<Ws, String> {
        let (stream, _) = tokio_tungstenite::connect_async(url)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Ws {
            stream,
            backlog: Vec::new(),
        })
    }

    pub async fn send(&mut self, frame: Value) {
        self.stream
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("frame sent");
    }

    /// Shows a list (as `GET /api/chats` names views) and waits until the server confirms it.
    pub async fn watch_list(&mut self, list: Value) {
        self.send(serde_json::json!({"action":"watch_list","list":list}))
            .await;
        self.expect("list watched", |f| f["type"] == "list_watched")
            .await;
    }

    /// Opens a chat as the console's chat view does and waits until the server has recorded it:
    /// frames of one connection are handled in order, so the `pong` to a `ping` sent after the
    /// `watch` arrives only once the watch took effect (or was refused with an `error` frame).
    pub async fn watch_chat(&mut self, chat: &str) {
        self.send(serde_json::json!({"action":"watch","chat_id":chat}))
            .await;
        self.send(serde_json::json!({"action":"ping"})).await;
        self.expect("pong after watch", |f| f["type"] == "pong")
            .await;
    }

    pub async fn send_raw(&mut self, text: String) {
        self.stream
            .send(Message::Text(text.into()))
            .await
            .expect("frame sent");
    }

    /// The next frame (from the backlog first), or None after `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<Value> {
        if !self.backlog.is_empty() {
            return Some(self.backlog.remove(0));
        }
        self.next_from_socket(wait).await
    }

    async fn next_from_socket(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(remaining, self.stream.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => {
                    return Some(serde_json::from_str(&t).expect("server sends JSON"))
                }
                Ok(Some(Ok(_))) => continue,
                _ => return None,
            }
        }
    }

    /// The code of the close frame the server sends within `wait` (frames before it are
    /// skipped); None if the socket stays open or ends without one.
    pub async fn close_code(&mut self, wait: Duration) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(remaining, self.stream.next()).await {
                Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
                Ok(Some(Ok(_))) => continue,
                _ => return None,
            }
        }
    }

    /// Waits up to five seconds for a frame matching `pred`; frames that don't match are kept.
    pub async fn expect(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i);
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_from_socket(remaining).await {
                Some(frame) if pred(&frame) => return frame,
                Some(frame) => self.backlog.push(frame),
                None => panic!(
                    "no {what} frame within 5 s; received instead: {:?}",
                    self.backlog
                ),
            }
        }
    }

    /// Asserts that nothing matching `pred` arrives within `wait`.
    pub async fn expect_none(&mut self, what: &str, wait: Duration, pred: impl Fn(&Value) -> bool) {
        assert!(
            !self.backlog.iter().any(&pred),
            "unexpected {what} frame: {:?}",
            self.backlog
        );
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_from_socket(remaining).await {
                Some(frame) => {
                    assert!(!pred(&frame), "unexpected {what} frame: {frame}");
                    self.backlog.push(frame);
                }
                None => return,
            }
        }
    }

    pub fn clear_backlog(&mut self) {
        self.backlog.clear();
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

/// Matches an `event` frame of a chat with a given event type.
pub fn is_event(chat: &str, kind: &str) -> impl Fn(&Value) -> bool {
    let (chat, kind) = (chat.to_owned(), kind.to_owned());
    move |f| {
        f["type"] == "event" && f["chat_id"] == chat.as_str() && f["event"]["type"] == kind.as_str()
    }
}

/// The acknowledgement of the sender's `send`: the stored message's own `event` (which carries
/// its `client_msg_id`), or an `ack` frame (a retry, or a sender not following the chat).
pub fn is_ack_of(client_msg_id: &str) -> impl Fn(&Value) -> bool {
    let id = client_msg_id.to_owned();
    move |f| {
        (f["type"] == "ack" && f["client_msg_id"] == id.as_str())
            || (f["type"] == "event"
                && f["event"]["type"] == "message"
                && f["event"]["client_msg_id"] == id.as_str())
    }
}

/// A gathered list frame (`chat_rows`) carrying the chat with at least `messages` messages.
pub fn is_chat_row(chat: &str, messages: u64) -> impl Fn(&Value) -> bool {
    let chat = chat.to_owned();
    move |f| {
        f["type"] == "chat_rows"
            && f["chats"].as_array().is_some_and(|rows| {
                rows.iter().any(|r| {
                    r["id"] == chat.as_str() && r["messages"].as_u64().unwrap_or(0) >= messages
                })
            })
    }
}

pub fn is_chat_changed(chat: &str, change: &str) -> impl Fn(&Value) -> bool {
    let (chat, change) = (chat.to_owned(), change.to_owned());
    move |f| {
        f["type"] == "chat_changed"
            && f["chat"]["id"] == chat.as_str()
            && f["change"] == change.as_str()
    }
}
