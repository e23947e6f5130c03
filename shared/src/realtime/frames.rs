//! What travels over the WebSocket, both ways.

use serde::{Deserialize, Serialize};

use crate::api::wire::{ChatEvent, ChatId, ChatRow, ChatView, ClientMessageId, GroupId};
use crate::errors::ErrorCode;

/// API Gateway refuses WebSocket frames over 32 KB; the local gateway enforces the same.
pub const MAX_FRAME_BYTES: usize = 32 * 1024;

/// A frame from a client. `action` selects the route.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    Send {
        chat_id: ChatId,
        client_msg_id: ClientMessageId,
        body: String,
    },
    Typing {
        chat_id: ChatId,
        typing: bool,
    },
    Resume {
        chat_id: ChatId,
        after_seq: u64,
    },
    Watch {
        chat_id: ChatId,
    },
    Unwatch {
        chat_id: ChatId,
    },
    /// The list the console shows from now on (`null`: none). Changes of the chats it holds
    /// arrive as `chat_changed` and `chat_rows`; a console that shows no list hears only of
    /// queue changes and of its own chats.
    WatchList {
        list: Option<ChatView>,
    },
    /// A struct variant (not a unit one) so that unknown fields are refused here too.
    Ping {},
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FrameError {
    #[error("the frame is over the limit of {MAX_FRAME_BYTES} bytes")]
    TooLarge,
    #[error("the frame is not a JSON object with an \"action\" field")]
    NotAnAction,
    #[error("unknown action {0:?}")]
    UnknownAction(String),
    #[error("invalid {action} frame: {reason}")]
    Invalid { action: String, reason: String },
}

impl FrameError {
    pub fn code(&self) -> ErrorCode {
        match self {
            FrameError::TooLarge => ErrorCode::TooLarge,
            FrameError::NotAnAction => ErrorCode::InvalidJson,
            FrameError::UnknownAction(_) => ErrorCode::UnknownAction,
            FrameError::Invalid { .. } => ErrorCode::InvalidInput,
        }
    }
}

pub const ACTIONS: &[&str] = &[
    "send",
    "typing",
    "resume",
    "watch",
    "unwatch",
    "watch_list",
    "ping",
];

/// The route a frame selects (`$request.body.action`), or `$default` when it names none we
/// know, as API Gateway's route selection does.
pub fn route_key(raw: &str) -> String {
    // Borrowed where it can be: the other fields are skipped, not built into a tree.
    #[derive(Deserialize)]
    struct ActionOnly<'a> {
        #[serde(borrow)]
        action: Option<std::borrow::Cow<'a, str>>,
    }
    match serde_json::from_str::<ActionOnly>(raw) {
        Ok(ActionOnly { action: Some(a) }) if ACTIONS.contains(&a.as_ref()) => a.into_owned(),
        _ => "$default".to_owned(),
    }
}

pub fn parse_client_frame(raw: &str) -> Result<ClientFrame, FrameError> {
    if raw.len() > MAX_FRAME_BYTES {
        return Err(FrameError::TooLarge);
    }
    // A message, the frame sent most, is read straight into its fields: reading the tagged
    // enum first buffers every field of the frame into a tree of its own (an allocation per
    // string) before it knows the variant.
    if let Ok(send) = serde_json::from_str::<SendFrame>(raw) {
        return Ok(ClientFrame::Send {
            chat_id: send.chat_id,
            client_msg_id: send.client_msg_id,
            body: send.body,
        });
    }
    // A valid frame is read straight into its variant; only a frame that fails is read again as
    // a JSON tree, to say why.
    if let Ok(frame) = serde_json::from_str::<ClientFrame>(raw) {
        return Ok(frame);
    }
    let value: serde_json::Value =
        serde_json::from_str(raw).map_err(|_| FrameError::NotAnAction)?;
    let action = match value.get("action") {
        Some(serde_json::Value::String(a)) => a.clone(),
        _ => return Err(FrameError::NotAnAction),
    };
    if !ACTIONS.contains(&action.as_str()) {
        return Err(FrameError::UnknownAction(truncate(&action, 64)));
    }
    serde_json::from_value(value).map_err(|e| FrameError::Invalid {
        action,
        reason: e.to_string(),
    })
}

/// `ClientFrame::Send` read on its own (`parse_client_frame`): the same fields, refusing the
/// same unknown ones.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendFrame {
    /// Only ever `send`: read to refuse every other action, never used after.
    #[serde(rename = "action")]
    _action: SendAction,
    chat_id: ChatId,
    client_msg_id: ClientMessageId,
    body: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum SendAction {
    Send,
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[derive(Debug, Serialize, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TypingFrom {
    Customer,
    Agent,
}

/// A frame to a client.
#[derive(Debug, Serialize, Deserialize, Clone, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    Event {
        chat_id: ChatId,
        event: ChatEvent,
    },
    Ack {
        chat_id: ChatId,
        client_msg_id: ClientMessageId,
        seq: u64,
        duplicate: bool,
    },
    Typing {
        chat_id: ChatId,
        from: TypingFrom,
        name: String,
        typing: bool,
    },
    Resumed {
        chat_id: ChatId,
        last_seq: u64,
    },
    ChatChanged {
        chat: ChatRow,
        /// The event type that changed it (`started`, `assigned`, `message`, ...).
        change: String,
        queue_counts: std::collections::BTreeMap<String, u32>,
    },
    /// Agents: a message in the inbox of one of your groups arrived or changed (`change`:
    /// `received`, `assigned`, `replied`, `noted`, `closed`, `reopened`).
    InboxChanged {
        message: crate::api::wire::InboxRow,
        change: String,
    },
    /// Agents watching a chat: an internal note was added to it. Never sent to a customer's
    /// connection.
    ChatNote {
        chat_id: ChatId,
        note: crate::api::wire::ChatNote,
    },
    /// The answer to `watch_list`: the list whose changes this connection receives from now on.
    ListWatched {
        list: Option<ChatView>,
    },
    /// The latest rows of chats in the list on screen whose messages or idle times changed,
    /// gathered so that a connection gets at most one such frame a second.
    ChatRows {
        chats: Vec<ChatRow>,
    },
    QueuePosition {
        chat_id: ChatId,
        position: u32,
    },
    /// This connection no longer receives the chat's events: it moved to a group or agent the
    /// connection's agent may not read (`moved`), or it was purged (`purged`).
    Unwatched {
        chat_id: ChatId,
        reason: String,
    },
    /// The chat left the lists of a group this connection receives: transferred to another
    /// group (`requeued`, `assigned`) or purged (`purged`). Only its id travels: the
    /// connection's agent may no longer read it.
    ChatRemoved {
        chat_id: ChatId,
        group_id: GroupId,
        change: String,
        queue_counts: std::collections::BTreeMap<String, u32>,
    },
    /// The server closes this connection right after this frame: `revoked` (sign in again) or
    /// `access_changed` (reconnect to receive what the agent may now see).
    SessionEnded {
        reason: String,
        message: String,
    },
    Error {
        error: ErrorCode,
        message: String,
        action: Option<String>,
    },
    /// To a group's managers and administrators: a chat reached the group's hand-off limit and
    /// waits in the queue for a person.
    HandOffAlert {
        chat_id: ChatId,
        group_id: GroupId,
        customer_name: String,
        hand_offs: u32,
    },
    Pong,
}

impl ServerFrame {
    pub fn to_bytes(&self) -> bytes::Bytes {
        bytes::Bytes::from(serde_json::to_vec(self).unwrap_or_default())
    }
}

/// The bytes of `ServerFrame::ChatRows` holding `rows`, written from rows shared with other
/// connections' frames (no copy of each row for each frame).
pub fn chat_rows_bytes(rows: &[std::sync::Arc<ChatRow>]) -> bytes::Bytes {
    #[derive(Serialize)]
    #[serde(tag = "type", rename = "chat_rows")]
    struct ChatRows<'a> {
        chats: Vec<&'a ChatRow>,
    }
    let frame = ChatRows {
        chats: rows.iter().map(|r| r.as_ref()).collect(),
    };
    bytes::Bytes::from(serde_json::to_vec(&frame).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_action() {
        assert_eq!(
            parse_client_frame(r#"{"action":"ping"}"#),
            Ok(ClientFrame::Ping {})
        );
        assert!(matches!(
            parse_client_frame(
                r#"{"action":"send","chat_id":"c1","client_msg_id":"m1","body":"hi"}"#
            ),
            Ok(ClientFrame::Send { .. })
        ));
        assert!(matches!(
            parse_client_frame(r#"{"action":"resume","chat_id":"c1","after_seq":3}"#),
            Ok(ClientFrame::Resume { after_seq: 3, .. })
        ));
    }

    #[test]
    fn refuses_bad_frames_with_a_reason() {
        assert_eq!(parse_client_frame("nope"), Err(FrameError::NotAnAction));
        assert_eq!(
            parse_client_frame(r#"{"x":1}"#),
            Err(FrameError::NotAnAction)
        );
        assert_eq!(
            parse_client_frame(r#"{"action":"explode"}"#),
            Err(FrameError::UnknownAction("explode".into()))
        );
        assert!(matches!(
            parse_client_frame(r#"{"action":"send","chat_id":"c1"}"#),
            Err(FrameError::Invalid { .. })
        ));
        assert!(matches!(
            parse_client_frame(r#"{"action":"ping","extra":true}"#),
            Err(FrameError::Invalid { .. })
        ));
        let big = format!(
            r#"{{"action":"ping","pad":"{}"}}"#,
            "x".repeat(MAX_FRAME_BYTES)
        );
        assert_eq!(parse_client_frame(&big), Err(FrameError::TooLarge));
    }

    #[test]
    fn route_selection_follows_the_action_field() {
        assert_eq!(route_key(r#"{"action":"send"}"#), "send");
        assert_eq!(route_key(r#"{"action":"nope"}"#), "$default");
        assert_eq!(route_key("not json"), "$default");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(serde_json::Value::from),
            ".{0,40}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("action".to_string()),
                        Just("chat_id".to_string()),
                        Just("client_msg_id".to_string()),
                        Just("body".to_string()),
                        Just("after_seq".to_string()),
                        Just("typing".to_string()),
                        ".{0,8}"
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Any text at all: the parser answers, never panics, and route selection agrees with it.
        #[test]
        fn arbitrary_text_never_panics(raw in ".{0,300}") {
            let parsed = parse_client_frame(&raw);
            if route_key(&raw) == "$default" {
                prop_assert!(parsed.is_err());
            }
        }

        /// Any JSON: either a frame of a known action or an error naming why.
        #[test]
        fn arbitrary_json_is_parsed_or_refused_with_a_reason(value in json_value(), action in prop::sample::select(vec!["send", "typing", "resume", "watch", "unwatch", "ping", "dance", ""])) {
            let mut value = value;
            if let serde_json::Value::Object(m) = &mut value {
                m.insert("action".into(), serde_json::Value::from(action));
            }
            let raw = value.to_string();
            match parse_client_frame(&raw) {
                Ok(frame) => {
                    prop_assert!(ACTIONS.contains(&action));
                    prop_assert_eq!(route_key(&raw), action);
                    if let ClientFrame::Send { body, .. } = frame {
                        prop_assert!(raw.len() >= body.len());
                    }
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }

        /// Well-formed send frames always parse back to what was sent.
        #[test]
        fn valid_send_frames_round_trip(chat in "[A-Za-z0-9_-]{1,64}", cmid in "[A-Za-z0-9_-]{1,64}", body in ".{1,500}") {
            let raw = serde_json::json!({"action":"send","chat_id":chat,"client_msg_id":cmid,"body":body}).to_string();
            match parse_client_frame(&raw) {
                Ok(ClientFrame::Send { chat_id, client_msg_id, body: b }) => {
                    prop_assert_eq!(chat_id.as_str(), chat.as_str());
                    prop_assert_eq!(client_msg_id.as_str(), cmid.as_str());
                    prop_assert_eq!(b, body);
                }
                other => prop_assert!(false, "{:?}", other),
            }
        }
    }
}
