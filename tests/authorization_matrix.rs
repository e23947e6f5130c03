//! The authorization matrix: every route and WebSocket action, for every kind of caller, allowed
//! or refused with the right status. The expected table below is the specification; the test
//! renders what it observed into `docs/authorization-matrix.md` and checks the committed file is
//! current (set CHATDESK_WRITE_MATRIX=1 to rewrite it).

use std::time::Duration;

use chatdesk::domain::{AgentId, Timestamp};
use chatdesk_server::chat_start_limit::ChatStartLimit;
use chatdesk_tests::client::{Api, Ws};
use chatdesk_tests::server::TestServer;
use serde_json::{json, Value};

const CALLERS: [&str; 9] = [
    "customer of this chat",
    "another customer",
    "agent in the group",
    "agent outside it",
    "manager of the group",
    "administrator",
    "no token",
    "expired token",
    "tampered token",
];

/// What state the chat under test must be in before the call.
#[derive(Clone, Copy)]
enum Setup {
    /// Queued in Support.
    Queued,
    /// Active, assigned to alice (Support).
    Active,
    /// Ended (alice had it).
    Ended,
    /// Ended and deleted.
    Deleted,
}

struct Case {
    name: &'static str,
    setup: Setup,
    call: Call,
    expected: [&'static str; 9],
}

/// A username nobody has: each cell creates its own agent.
fn fresh_username() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("matrix-{}-{n}", std::process::id())
}

enum Call {
    Http(&'static str, &'static str, Option<fn(&str) -> Value>),
    Ws(fn(&str) -> Value),
    WsConnect,
}

const OK: &str = "ok";
/// Members of Support (the group of the message under test) and administrators; customers and
/// agents of other groups refused.
const MEMBERS: [&str; 9] = [E403, E403, OK, E403, OK, OK, E401, E401, E401];
/// Administrators only.
const ADMINISTRATORS: [&str; 9] = [E403, E403, E403, E403, E403, OK, E401, E401, E401];
const E401: &str = "401 unauthorized";
const E403: &str = "403 forbidden";
const PC_FORBIDDEN: &str = "per chat: forbidden";
const PC_STATE: &str = "per chat: invalid_state";
const WS_FORBIDDEN: &str = "error frame: forbidden";
const WS_NO: &str = "refused at connect";

/// A follow-up time inside the accepted range (up to two years ahead).
fn tomorrow_ms() -> i64 {
    use chatdesk::ports::Clock;
    chatdesk::ports::SystemClock.now().millis() + 86_400_000
}

fn cases() -> Vec<Case> {
    use Setup::*;
    let agent_only = [E403, E403, OK, OK, OK, OK, E401, E401, E401];
    let public = [OK, OK, OK, OK, OK, OK, OK, OK, OK];
    vec![
        Case {
            name: "GET /api/health",
            setup: Queued,
            call: Call::Http("GET", "/api/health", None),
            expected: public,
        },
        Case {
            name: "GET /api/openapi.json",
            setup: Queued,
            call: Call::Http("GET", "/api/openapi.json", None),
            expected: public,
        },
        Case {
            name: "POST /api/auth/login (alice's password)",
            setup: Queued,
            call: Call::Http(
                "POST",
                "/api/auth/login",
                Some(|_| json!({"username":"alice","password":"chatdesk-demo"})),
            ),
            // Public: the credentials in the body decide, whatever token comes along.
            expected: public,
        },
        Case {
            name: "GET /api/auth/config",
            setup: Queued,
            call: Call::Http("GET", "/api/auth/config", None),
            expected: public,
        },
        Case {
            name: "POST /api/chats (start a chat)",
            setup: Queued,
            call: Call::Http(
                "POST",
                "/api/chats",
                Some(|_| json!({"group_id":"support","name":"Zed","question":"Hello"})),
            ),
            expected: public,
        },
        Case {
            name: "GET /api/me",
            setup: Queued,
            call: Call::Http("GET", "/api/me", None),
            expected: agent_only,
        },
        Case {
            name: "PATCH /api/me",
            setup: Queued,
            call: Call::Http("PATCH", "/api/me", Some(|_| json!({"available": true}))),
            expected: agent_only,
        },
        Case {
            name: "GET /api/groups",
            setup: Queued,
            call: Call::Http("GET", "/api/groups", None),
            expected: public,
        },
        Case {
            name: "GET /api/agents",
            setup: Queued,
            call: Call::Http("GET", "/api/agents", None),
            expected: agent_only,
        },
        Case {
            name: "GET /api/groups/{group_id}/settings (Support)",
            setup: Queued,
            call: Call::Http("GET", "/api/groups/support/settings", None),
            expected: [E403, E403, OK, E403, OK, OK, E401, E401, E401],
        },
        Case {
            // The settings Support has already: every cell leaves the group as it was.
            name: "PUT /api/groups/{group_id}/settings (Support)",
            setup: Queued,
            call: Call::Http(
                "PUT",
                "/api/groups/support/settings",
                Some(|_| {
                    json!({"distribution": "pull", "hand_off": {
                        "no_first_response_secs": 120, "no_follow_up_secs": 300,
                        "agent_disconnected_secs": 120, "max_hand_offs": 3}})
                }),
            ),
            expected: [E403, E403, E403, E403, OK, OK, E401, E401, E401],
        },
        Case {
            // A group's texts (the offline notice, the e-mails) are administrators' only.
            name: "PUT /api/groups/{group_id}/settings changing texts (Support)",
            setup: Queued,
            call: Call::Http(
                "PUT",
                "/api/groups/support/settings",
                Some(|_| {
                    json!({"distribution": "pull", "hand_off": {
                        "no_first_response_secs": 120, "no_follow_up_secs": 300,
                        "agent_disconnected_secs": 120, "max_hand_offs": 3},
                        "texts": {"offline_notice": "{group} is closed for now."}})
                }),
            ),
            expected: [E403, E403, E403, E403, E403, OK, E401, E401, E401],
        },
        Case {
            name: "GET /api/preferences",
            setup: Queued,
            call: Call::Http("GET", "/api/preferences", None),
            expected: agent_only,
        },
        Case {
            name: "PUT /api/preferences",
            setup: Queued,
            call: Call::Http(
                "PUT",
                "/api/preferences",
                Some(|_| json!({"columns": [], "sort": {"column":"idle","direction":"asc"}})),
            ),
            expected: agent_only,
        },
        Case {
            name: "GET /api/chats?view=my_active",
            setup: Active,
            call: Call::Http("GET", "/api/chats?view=my_active", None),
            expected: agent_only,
        },
        Case {
            name: "GET /api/chats?view=group (Support)",
            setup: Queued,
            call: Call::Http("GET", "/api/chats?view=group&group_id=support", None),
            expected: [E403, E403, OK, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "GET /api/chats?view=queue",
            setup: Queued,
            call: Call::Http("GET", "/api/chats?view=queue", None),
            expected: agent_only,
        },
        Case {
            name: "GET /api/chats?view=global",
            setup: Queued,
            call: Call::Http("GET", "/api/chats?view=global", None),
            expected: [E403, E403, E403, E403, E403, OK, E401, E401, E401],
        },
        Case {
            name: "GET /api/chats?view=deleted",
            setup: Deleted,
            call: Call::Http("GET", "/api/chats?view=deleted", None),
            expected: [E403, E403, E403, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "GET /api/chats/{id}",
            setup: Active,
            call: Call::Http("GET", "/api/chats/{id}", None),
            expected: [OK, E403, OK, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "GET /api/chats/{id}/events",
            setup: Active,
            call: Call::Http("GET", "/api/chats/{id}/events", None),
            expected: [OK, E403, OK, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "POST /api/chats/{id}/messages",
            setup: Active,
            call: Call::Http(
                "POST",
                "/api/chats/{id}/messages",
                Some(|_| json!({"client_msg_id":"m1","body":"hello"})),
            ),
            // Only the chat's customer and its assigned agent write in it.
            expected: [OK, E403, OK, E403, E403, E403, E401, E401, E401],
        },
        Case {
            name: "POST /api/chats/{id}/end (customer)",
            setup: Active,
            call: Call::Http("POST", "/api/chats/{id}/end", None),
            expected: [OK, E403, E403, E403, E403, E403, E401, E401, E401],
        },
        Case {
            name: "POST /api/chats/{id}/rating (ended)",
            setup: Ended,
            call: Call::Http(
                "POST",
                "/api/chats/{id}/rating",
                Some(|_| json!({"score": 5, "comment": "Thanks"})),
            ),
            // Only the chat's own customer rates it.
            expected: [OK, E403, E403, E403, E403, E403, E401, E401, E401],
        },
        Case {
            name: "POST /api/messages (leave a message)",
            setup: Queued,
            call: Call::Http(
                "POST",
                "/api/messages",
                Some(
                    |_| json!({"group_id":"support","name":"Zed","email":"zed@example.com","question":"Call me"}),
                ),
            ),
            expected: public,
        },
        Case {
            name: "POST /api/chats/{id}/message (queued chat to a message)",
            setup: Queued,
            call: Call::Http(
                "POST",
                "/api/chats/{id}/message",
                Some(|_| json!({"email":"subject@example.com"})),
            ),
            // Only the chat's own customer turns it into a message.
            expected: [OK, E403, E403, E403, E403, E403, E401, E401, E401],
        },
        Case {
            name: "GET /api/canned-replies",
            setup: Queued,
            call: Call::Http("GET", "/api/canned-replies", None),
            expected: agent_only,
        },
        Case {
            name: "GET /api/canned-replies?group_id=support",
            setup: Queued,
            call: Call::Http("GET", "/api/canned-replies?group_id=support", None),
            expected: MEMBERS,
        },
        Case {
            name: "POST /api/canned-replies (personal)",
            setup: Queued,
            call: Call::Http(
                "POST",
                "/api/canned-replies",
                Some(
                    |chat| json!({"scope":"personal","shortcut":chat.to_lowercase(),"title":"T","body":"B"}),
                ),
            ),
            expected: agent_only,
        },
        Case {
            name: "POST /api/canned-replies (Support's)",
            setup: Queued,
            call: Call::Http(
                "POST",
                "/api/canned-replies",
                Some(
                    |chat| json!({"scope":"group","group_id":"support","shortcut":chat.to_lowercase(),"title":"T","body":"B"}),
                ),
            ),
            // The group's managers and administrators.
            expected: [E403, E403, E403, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "POST /api/canned-replies (global)",
            setup: Queued,
            call: Call::Http(
                "POST",
                "/api/canned-replies",
                Some(
                    |chat| json!({"scope":"global","shortcut":chat.to_lowercase(),"title":"T","body":"B"}),
                ),
            ),
            expected: [E403, E403, E403, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "GET /api/canned-replies/{id} (Support's)",
            setup: Queued,
            call: Call::Http("GET", "/api/canned-replies/{support_reply}", None),
            expected: MEMBERS,
        },
        Case {
            name: "PUT /api/canned-replies/{id} (Support's)",
            setup: Queued,
            call: Call::Http(
                "PUT",
                "/api/canned-replies/{support_reply}",
                Some(
                    |chat| json!({"scope":"group","group_id":"support","shortcut":chat.to_lowercase(),"title":"T","body":"Changed","revision":1}),
                ),
            ),
            expected: [E403, E403, E403, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "DELETE /api/canned-replies/{id} (Support's)",
            setup: Queued,
            call: Call::Http("DELETE", "/api/canned-replies/{support_reply}", None),
            expected: [E403, E403, E403, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "POST /api/canned-replies/{id}/reviewed (Support's)",
            setup: Queued,
            call: Call::Http("POST", "/api/canned-replies/{support_reply}/reviewed", None),
            expected: [E403, E403, E403, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "POST /api/canned-replies/{id}/use (Support's, in the Support chat)",
            setup: Queued,
            call: Call::Http(
                "POST",
                "/api/canned-replies/{support_reply}/use",
                Some(|chat| json!({"chat_id": chat})),
            ),
            expected: MEMBERS,
        },
        Case {
            name: "POST /api/chats/{id}/attachments (start an upload)",
            setup: Active,
            call: Call::Http(
                "POST",
                "/api/chats/{id}/attachments",
                Some(|_| json!({"file_name":"a.png","content_type":"image/png","size":10})),
            ),
            // Whoever may write in the chat now: its customer and its assigned agent.
            expected: [OK, E403, OK, E403, E403, E403, E401, E401, E401],
        },
        Case {
            name:
                "POST /api/chats/{id}/attachments/{attachment_id}/confirm (the customer's upload)",
            setup: Active,
            call: Call::Http(
                "POST",
                "/api/chats/{id}/attachments/{pending_attachment}/confirm",
                None,
            ),
            // Only whoever started the upload confirms it: it is posted in their name.
            expected: [OK, E403, E403, E403, E403, E403, E401, E401, E401],
        },
        Case {
            name: "GET /api/chats/{id}/attachments/{attachment_id}",
            setup: Active,
            call: Call::Http("GET", "/api/chats/{id}/attachments/{attachment}", None),
            // Whoever may read the chat now.
            expected: [OK, E403, OK, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "GET /api/messages (Support's inbox)",
            setup: Queued,
            call: Call::Http("GET", "/api/messages?group_id=support", None),
            expected: MEMBERS,
        },
        Case {
            name: "GET /api/messages/{id}",
            setup: Queued,
            call: Call::Http("GET", "/api/messages/{message}", None),
            expected: MEMBERS,
        },
        Case {
            name: "POST /api/messages/{id}/assign",
            setup: Queued,
            call: Call::Http("POST", "/api/messages/{message}/assign", None),
            expected: MEMBERS,
        },
        Case {
            name: "POST /api/messages/{id}/reply",
            setup: Queued,
            call: Call::Http(
                "POST",
                "/api/messages/{message}/reply",
                Some(|_| json!({"body":"Here is the answer"})),
            ),
            expected: MEMBERS,
        },
        Case {
            name: "POST /api/messages/{id}/notes",
            setup: Queued,
            call: Call::Http(
                "POST",
                "/api/messages/{message}/notes",
                Some(|_| json!({"body":"Internal"})),
            ),
            expected: MEMBERS,
        },
        Case {
            name: "POST /api/messages/{id}/close",
            setup: Queued,
            call: Call::Http("POST", "/api/messages/{message}/close", None),
            expected: MEMBERS,
        },
        Case {
            name: "POST /api/messages/{id}/reopen (closed)",
            setup: Queued,
            call: Call::Http("POST", "/api/messages/{closed_message}/reopen", None),
            expected: MEMBERS,
        },
        Case {
            name: "GET /api/admin/agents",
            setup: Queued,
            call: Call::Http("GET", "/api/admin/agents", None),
            expected: ADMINISTRATORS,
        },
        Case {
            name: "POST /api/admin/agents",
            setup: Queued,
            call: Call::Http(
                "POST",
                "/api/admin/agents",
                Some(|_| {
                    json!({"username": fresh_username(), "display_name": "New", "role": "agent",
                        "groups": ["support"], "password": "a-long-enough-password"})
                }),
            ),
            expected: ADMINISTRATORS,
        },
        Case {
            name: "PUT /api/admin/agents/{id}",
            setup: Queued,
            call: Call::Http(
                "PUT",
                "/api/admin/agents/{agent}",
                Some(|_| {
                    json!({"display_name": "Renamed", "role": "agent", "groups": ["support"],
                        "max_concurrent_chats": 3})
                }),
            ),
            expected: ADMINISTRATORS,
        },
        Case {
            name: "POST /api/admin/agents/{id}/deactivate",
            setup: Queued,
            call: Call::Http("POST", "/api/admin/agents/{agent}/deactivate", None),
            expected: ADMINISTRATORS,
        },
        Case {
            name: "POST /api/admin/agents/{id}/reactivate",
            setup: Queued,
            call: Call::Http("POST", "/api/admin/agents/{agent}/reactivate", None),
            expected: ADMINISTRATORS,
        },
        Case {
            name: "POST /api/admin/agents/{id}/password",
            setup: Queued,
            call: Call::Http("POST", "/api/admin/agents/{agent}/password", None),
            expected: ADMINISTRATORS,
        },
        Case {
            name: "DELETE /api/admin/agents/{id}",
            setup: Queued,
            call: Call::Http("DELETE", "/api/admin/agents/{agent}", None),
            expected: ADMINISTRATORS,
        },
        Case {
            name: "GET /api/admin/audit",
            setup: Queued,
            call: Call::Http("GET", "/api/admin/audit", None),
            expected: ADMINISTRATORS,
        },
        Case {
            name: "GET /api/admin/groups",
            setup: Queued,
            call: Call::Http("GET", "/api/admin/groups", None),
            expected: ADMINISTRATORS,
        },
        Case {
            name: "POST /api/admin/groups",
            setup: Queued,
            call: Call::Http(
                "POST",
                "/api/admin/groups",
                Some(|_| json!({"id": fresh_username(), "name": "New group"})),
            ),
            expected: ADMINISTRATORS,
        },
        Case {
            name: "PUT /api/admin/groups/{id}",
            setup: Queued,
            call: Call::Http(
                "PUT",
                "/api/admin/groups/{group}",
                Some(|_| json!({"name": "Renamed"})),
            ),
            expected: ADMINISTRATORS,
        },
        Case {
            name: "PUT /api/admin/groups/{id}/members",
            setup: Queued,
            call: Call::Http(
                "PUT",
                "/api/admin/groups/{group}/members",
                Some(|_| json!({"members": []})),
            ),
            expected: ADMINISTRATORS,
        },
        Case {
            name: "DELETE /api/admin/groups/{id}",
            setup: Queued,
            call: Call::Http("DELETE", "/api/admin/groups/{group}", None),
            expected: ADMINISTRATORS,
        },
        Case {
            name: "GET /api/admin/organisation",
            setup: Queued,
            call: Call::Http("GET", "/api/admin/organisation", None),
            expected: ADMINISTRATORS,
        },
        Case {
            name: "PUT /api/admin/organisation",
            setup: Queued,
            call: Call::Http(
                "PUT",
                "/api/admin/organisation",
                Some(
                    |_| json!({"idle_warning_secs": 120, "idle_high_secs": 300, "revision": "{revision}"}),
                ),
            ),
            expected: ADMINISTRATORS,
        },
        Case {
            name: "GET /api/chats/{id}/notes",
            setup: Active,
            call: Call::Http("GET", "/api/chats/{id}/notes", None),
            expected: MEMBERS,
        },
        Case {
            name: "POST /api/chats/{id}/notes (ended)",
            setup: Ended,
            call: Call::Http(
                "POST",
                "/api/chats/{id}/notes",
                Some(|_| json!({"text":"Internal"})),
            ),
            expected: MEMBERS,
        },
        Case {
            name: "GET /api/chats/{id}/history",
            setup: Ended,
            call: Call::Http("GET", "/api/chats/{id}/history", None),
            expected: MEMBERS,
        },
        Case {
            name: "PUT /api/chats/{id}/tags",
            setup: Active,
            call: Call::Http(
                "PUT",
                "/api/chats/{id}/tags",
                Some(|_| json!({"tags":["vip"]})),
            ),
            expected: MEMBERS,
        },
        Case {
            name: "GET /api/mail/status",
            setup: Queued,
            call: Call::Http("GET", "/api/mail/status", None),
            expected: agent_only,
        },
        Case {
            name: "GET /api/chats/{id}/mail",
            setup: Ended,
            call: Call::Http("GET", "/api/chats/{id}/mail", None),
            // Whoever may read the chat (its customer sees only their own transcript requests).
            expected: [OK, E403, OK, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "POST /api/chats/{id}/transcript (ended)",
            setup: Ended,
            call: Call::Http(
                "POST",
                "/api/chats/{id}/transcript",
                Some(|_| json!({"to": "ann@example.com"})),
            ),
            // Its customer after the end, and the agents who may read it.
            expected: [OK, E403, OK, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "POST /api/actions/pull",
            setup: Queued,
            call: Call::Http(
                "POST",
                "/api/actions/pull",
                Some(|id| json!({"chat_ids":[id]})),
            ),
            expected: [E403, E403, OK, PC_FORBIDDEN, OK, OK, E401, E401, E401],
        },
        Case {
            name: "POST /api/actions/take (from alice)",
            setup: Active,
            call: Call::Http(
                "POST",
                "/api/actions/take",
                Some(|id| json!({"chat_ids":[id]})),
            ),
            expected: [E403, E403, PC_STATE, PC_FORBIDDEN, OK, OK, E401, E401, E401],
        },
        Case {
            name: "POST /api/actions/transfer (to Billing)",
            setup: Active,
            call: Call::Http(
                "POST",
                "/api/actions/transfer",
                Some(|id| json!({"chat_ids":[id],"to":{"kind":"group","group_id":"billing"}})),
            ),
            expected: [E403, E403, OK, PC_FORBIDDEN, OK, OK, E401, E401, E401],
        },
        Case {
            name: "POST /api/actions/end",
            setup: Active,
            call: Call::Http(
                "POST",
                "/api/actions/end",
                Some(|id| json!({"chat_ids":[id]})),
            ),
            expected: [E403, E403, OK, PC_FORBIDDEN, OK, OK, E401, E401, E401],
        },
        Case {
            name: "POST /api/actions/follow-up",
            setup: Active,
            call: Call::Http(
                "POST",
                "/api/actions/follow-up",
                Some(
                    |id| json!({"chat_ids":[id],"follow_up":{"due_at":tomorrow_ms(),"note":"call"}}),
                ),
            ),
            expected: [E403, E403, OK, PC_FORBIDDEN, OK, OK, E401, E401, E401],
        },
        Case {
            name: "POST /api/actions/delete",
            setup: Ended,
            call: Call::Http(
                "POST",
                "/api/actions/delete",
                Some(|id| json!({"chat_ids":[id]})),
            ),
            expected: [E403, E403, OK, PC_FORBIDDEN, OK, OK, E401, E401, E401],
        },
        Case {
            name: "POST /api/actions/restore",
            setup: Deleted,
            call: Call::Http(
                "POST",
                "/api/actions/restore",
                Some(|id| json!({"chat_ids":[id]})),
            ),
            expected: [
                E403,
                E403,
                PC_FORBIDDEN,
                PC_FORBIDDEN,
                OK,
                OK,
                E401,
                E401,
                E401,
            ],
        },
        Case {
            name: "POST /api/actions/purge",
            setup: Deleted,
            call: Call::Http(
                "POST",
                "/api/actions/purge",
                Some(|id| json!({"chat_ids":[id]})),
            ),
            expected: [
                E403,
                E403,
                PC_FORBIDDEN,
                PC_FORBIDDEN,
                PC_FORBIDDEN,
                OK,
                E401,
                E401,
                E401,
            ],
        },
        Case {
            name: "GET /api/kb/articles",
            setup: Queued,
            call: Call::Http("GET", "/api/kb/articles", None),
            expected: agent_only,
        },
        Case {
            name: "POST /api/kb/articles",
            setup: Queued,
            call: Call::Http(
                "POST",
                "/api/kb/articles",
                Some(|_| json!({"title":"T","body":"B"})),
            ),
            expected: [E403, E403, E403, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "GET /api/kb/articles/{id} (published)",
            setup: Queued,
            call: Call::Http("GET", "/api/kb/articles/reset-password", None),
            expected: public,
        },
        Case {
            name: "GET /api/kb/articles/{id} (draft)",
            setup: Queued,
            call: Call::Http("GET", "/api/kb/articles/draft-migration", None),
            // Invalid tokens make the caller anonymous on this public route.
            expected: [
                "404 not_found",
                "404 not_found",
                OK,
                OK,
                OK,
                OK,
                "404 not_found",
                "404 not_found",
                "404 not_found",
            ],
        },
        Case {
            name: "PUT /api/kb/articles/{id}",
            setup: Queued,
            call: Call::Http(
                "PUT",
                "/api/kb/articles/two-factor",
                Some(
                    |_| json!({"title":"Turn on two-factor authentication","body":"Under Account, Security.","published":true}),
                ),
            ),
            expected: [E403, E403, E403, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "DELETE /api/kb/articles/{id}",
            setup: Queued,
            call: Call::Http("DELETE", "/api/kb/articles/{article}", None),
            expected: [E403, E403, E403, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "GET /api/kb/stats",
            setup: Queued,
            call: Call::Http("GET", "/api/kb/stats", None),
            expected: [E403, E403, E403, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "GET /api/suggestions",
            setup: Queued,
            call: Call::Http(
                "GET",
                "/api/suggestions?q=forgot%20my%20password&group_id=support",
                None,
            ),
            expected: public,
        },
        Case {
            name: "POST /api/suggestions/feedback",
            setup: Queued,
            call: Call::Http(
                "POST",
                "/api/suggestions/feedback",
                Some(
                    |_| json!({"question_id":"{question}","item_id":"reset-password","action":"clicked"}),
                ),
            ),
            expected: public,
        },
        Case {
            name: "GET /api/chats/{id}/suggestions",
            setup: Active,
            call: Call::Http("GET", "/api/chats/{id}/suggestions", None),
            expected: [E403, E403, OK, E403, OK, OK, E401, E401, E401],
        },
        Case {
            name: "WebSocket $connect",
            setup: Active,
            call: Call::WsConnect,
            expected: [OK, OK, OK, OK, OK, OK, WS_NO, WS_NO, WS_NO],
        },
        Case {
            name: "WebSocket send",
            setup: Active,
            call: Call::Ws(
                |id| json!({"action":"send","chat_id":id,"client_msg_id":"w1","body":"hi"}),
            ),
            expected: [
                OK,
                WS_FORBIDDEN,
                OK,
                WS_FORBIDDEN,
                WS_FORBIDDEN,
                WS_FORBIDDEN,
                WS_NO,
                WS_NO,
                WS_NO,
            ],
        },
        Case {
            name: "WebSocket typing",
            setup: Active,
            call: Call::Ws(|id| json!({"action":"typing","chat_id":id,"typing":true})),
            expected: [
                OK,
                WS_FORBIDDEN,
                OK,
                WS_FORBIDDEN,
                WS_FORBIDDEN,
                WS_FORBIDDEN,
                WS_NO,
                WS_NO,
                WS_NO,
            ],
        },
        Case {
            name: "WebSocket resume",
            setup: Active,
            call: Call::Ws(|id| json!({"action":"resume","chat_id":id,"after_seq":0})),
            expected: [
                OK,
                WS_FORBIDDEN,
                OK,
                WS_FORBIDDEN,
                OK,
                OK,
                WS_NO,
                WS_NO,
                WS_NO,
            ],
        },
        Case {
            name: "WebSocket watch",
            setup: Active,
            call: Call::Ws(|id| json!({"action":"watch","chat_id":id})),
            expected: [
                OK,
                WS_FORBIDDEN,
                OK,
                WS_FORBIDDEN,
                OK,
                OK,
                WS_NO,
                WS_NO,
                WS_NO,
            ],
        },
        Case {
            name: "WebSocket watch_list (the chat's group's live list)",
            setup: Active,
            call: Call::Ws(
                |_| json!({"action":"watch_list","list":{"view":"group","group_id":"support","inactive":false}}),
            ),
            expected: [
                WS_FORBIDDEN,
                WS_FORBIDDEN,
                OK,
                WS_FORBIDDEN,
                OK,
                OK,
                WS_NO,
                WS_NO,
                WS_NO,
            ],
        },
    ]
}

struct World {
    api: Api,
    alice: String,
    bob: String,
    manager: String,
    admin: String,
    expired: String,
    tampered: String,
}

async fn chat_in(world: &World, setup: Setup) -> (String, String) {
    let (chat, token) = world.api.start_chat("support", "Subject", "Help me").await;
    let ids = json!({"chat_ids":[chat]});
    if !matches!(setup, Setup::Queued) {
        let (_, out) = world.api.action("pull", &world.alice, ids.clone()).await;
        assert_eq!(out["succeeded"], 1, "setup pull: {out}");
    }
    if matches!(setup, Setup::Ended | Setup::Deleted) {
        let (_, out) = world.api.action("end", &world.alice, ids.clone()).await;
        assert_eq!(out["succeeded"], 1, "setup end: {out}");
    }
    if matches!(setup, Setup::Deleted) {
        let (_, out) = world.api.action("delete", &world.alice, ids).await;
        assert_eq!(out["succeeded"], 1, "setup delete: {out}");
    }
    (chat, token)
}

/// A PNG the chat's customer uploads (and confirms when `confirmed`); its attachment id.
async fn upload_as_customer(world: &World, chat: &str, customer: &str, confirmed: bool) -> String {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec();
    let (status, started) = world
        .api
        .post(
            &format!("/api/chats/{chat}/attachments"),
            customer,
            json!({"file_name":"a.png","content_type":"image/png","size":png.len()}),
        )
        .await;
    assert_eq!(status, 201, "setup upload: {started}");
    let url = format!(
        "{}{}",
        world.api.base,
        started["upload"]["url"].as_str().unwrap_or("")
    );
    let put = reqwest::Client::new()
        .put(url)
        .body(png)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 204, "setup upload");
    let id = started["attachment_id"]
        .as_str()
        .unwrap_or("missing")
        .to_owned();
    if confirmed {
        let (status, body) = world
            .api
            .post(
                &format!("/api/chats/{chat}/attachments/{id}/confirm"),
                customer,
                json!({}),
            )
            .await;
        assert_eq!(status, 201, "setup confirm: {body}");
    }
    id
}

fn outcome(status: u16, body: &Value) -> String {
    if (200..300).contains(&status) {
        if let Some(results) = body.get("results").and_then(|r| r.as_array()) {
            if let Some(fail) = results.iter().find(|r| r["ok"] != true) {
                return format!(
                    "per chat: {}",
                    fail["failure"]["error"].as_str().unwrap_or("?")
                );
            }
        }
        OK.into()
    } else {
        format!("{status} {}", body["error"].as_str().unwrap_or("?"))
    }
}

async fn run_cell(server: &TestServer, world: &World, case: &Case, caller: usize) -> String {
    let (chat, own_customer) = chat_in(world, case.setup).await;
    let (_, other_customer) = world.api.start_chat("support", "Other", "Mine").await;
    let token: Option<String> = match caller {
        0 => Some(own_customer.clone()),
        1 => Some(other_customer),
        2 => Some(world.alice.clone()),
        3 => Some(world.bob.clone()),
        4 => Some(world.manager.clone()),
        5 => Some(world.admin.clone()),
        6 => None,
        7 => Some(world.expired.clone()),
        _ => Some(world.tampered.clone()),
    };
    match &case.call {
        Call::Http(method, path, body) => {
            let path = if path.contains("{article}") {
                // A fresh article to delete in each cell.
                let (_, created) = world
                    .api
                    .post(
                        "/api/kb/articles",
                        &world.admin,
                        json!({"title":"To delete","body":"x"}),
                    )
                    .await;
                path.replace("{article}", created["id"].as_str().unwrap_or("missing"))
            } else if path.contains("{agent}") {
                // A fresh agent of Support in each cell, created by the administrator.
                let username = fresh_username();
                let (status, created) = world
                    .api
                    .post(
                        "/api/admin/agents",
                        &world.admin,
                        json!({"username": username, "display_name": "Temp", "role": "agent",
                            "groups": ["support"], "password": "a-long-enough-password"}),
                    )
                    .await;
                assert_eq!(status, 201, "setup agent: {created}");
                path.replace("{agent}", &username)
            } else if path.contains("{group}") {
                // A fresh empty group in each cell, created by the administrator.
                let id = fresh_username();
                let (status, created) = world
                    .api
                    .post(
                        "/api/admin/groups",
                        &world.admin,
                        json!({"id": id, "name": "Temp group"}),
                    )
                    .await;
                assert_eq!(status, 201, "setup group: {created}");
                path.replace("{group}", &id)
            } else if path.contains("{support_reply}") {
                // A fresh reply of Support's in each cell, its shortcut the chat's id.
                let (status, created) = world
                    .api
                    .post(
                        "/api/canned-replies",
                        &world.admin,
                        json!({"scope":"group","group_id":"support","shortcut":chat.to_lowercase(),"title":"T","body":"Hi {customer_name}"}),
                    )
                    .await;
                assert_eq!(status, 201, "setup canned reply: {created}");
                path.replace(
                    "{support_reply}",
                    created["id"].as_str().unwrap_or("missing"),
                )
            } else if path.contains("message}") {
                // A fresh message in Support's inbox in each cell (closed by alice for reopen).
                let (_, left) = world
                    .api
                    .call(
                        "POST",
                        "/api/messages",
                        None,
                        Some(json!({"group_id":"support","name":"Una","email":"una@example.com","question":"Call me back"})),
                    )
                    .await;
                let id = left["id"].as_str().unwrap_or("missing").to_owned();
                if path.contains("{closed_message}") {
                    let (status, _) = world
                        .api
                        .post(
                            &format!("/api/messages/{id}/close"),
                            &world.alice,
                            json!({}),
                        )
                        .await;
                    assert_eq!(status, 200, "setup close");
                }
                path.replace("{message}", &id)
                    .replace("{closed_message}", &id)
            } else if path.contains("attachment}") {
                // An upload by the chat's customer, pending or confirmed, in each cell.
                let id =
                    upload_as_customer(world, &chat, &own_customer, path.contains("{attachment}"))
                        .await;
                path.replace("{id}", &chat)
                    .replace("{pending_attachment}", &id)
                    .replace("{attachment}", &id)
            } else {
                path.replace("{id}", &chat)
            };
            let mut body = body.map(|b| b(&chat));
            if let Some(b) = body.as_mut() {
                if b["question_id"] == "{question}" {
                    // A question id the service issued, for the feedback route.
                    let (_, s) = world
                        .api
                        .call("GET", "/api/suggestions?q=password", None, None)
                        .await;
                    b["question_id"] = s["question_id"].clone();
                }
                if b["revision"] == "{revision}" {
                    // The organisation's settings as they are now: a save over them is allowed.
                    let (_, o) = world
                        .api
                        .call("GET", "/api/admin/organisation", Some(&world.admin), None)
                        .await;
                    b["revision"] = o["revision"].clone();
                }
            }
            let (status, resp) = world.api.call(method, &path, token.as_deref(), body).await;
            outcome(status, &resp)
        }
        Call::WsConnect => {
            match Ws::connect(&server.ws_url(token.as_deref().unwrap_or(""))).await {
                Ok(ws) => {
                    ws.close().await;
                    OK.into()
                }
                Err(_) => WS_NO.into(),
            }
        }
        Call::Ws(frame) => {
            let mut ws = match Ws::connect(&server.ws_url(token.as_deref().unwrap_or(""))).await {
                Ok(ws) => ws,
                Err(_) => return WS_NO.into(),
            };
            ws.send(frame(&chat)).await;
            // Refusals come as an error frame; an allowed action either answers (ack, resumed)
            // or stays silent (typing, watch).
            let deadline = tokio::time::Instant::now() + Duration::from_millis(700);
            let result = loop {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                match ws.next(left).await {
                    Some(f) if f["type"] == "error" => {
                        break format!("error frame: {}", f["error"].as_str().unwrap_or("?"))
                    }
                    Some(f)
                        if f["type"] == "ack"
                            || f["type"] == "resumed"
                            || f["type"] == "list_watched" =>
                    {
                        break OK.into()
                    }
                    Some(_) => continue,
                    None => break OK.into(),
                }
            };
            ws.close().await;
            result
        }
    }
}

/// Who receives what (see `chatdesk_tests::pushes`): per scenario, per receiver.
const PUSHES: &[(&str, [&str; 5])] = &[
    (
        "the customer writes in alice's Support chat",
        ["event", "event", "chat_rows", "nothing", "—"],
    ),
    (
        "alice transfers it to Billing",
        [
            "event",
            "chat_removed, unwatched (moved)",
            "chat_changed",
            "nothing",
            "—",
        ],
    ),
    (
        "then the customer writes",
        ["event", "nothing", "nothing", "nothing", "—"],
    ),
    (
        "dana (manager, Support and Billing) is demoted to Support; a Billing chat starts",
        [
            "nothing",
            "nothing",
            "chat_changed",
            "nothing",
            "session_ended (revoked)",
        ],
    ),
    (
        "eli (Support) is removed; a Support chat starts",
        [
            "nothing",
            "chat_changed",
            "chat_changed",
            "nothing",
            "session_ended (revoked)",
        ],
    ),
    (
        "an administrator purges a deleted Support chat alice has open",
        [
            "session_ended (purged)",
            "chat_removed, unwatched (purged)",
            "chat_removed",
            "nothing",
            "—",
        ],
    ),
];

fn render_pushes(rows: &[(String, Vec<String>)]) -> String {
    let mut out = String::from(
        "\n## Pushes\n\nWhat each open WebSocket received after one thing happened, from \
         `chatdesk_tests::pushes`: the kinds of frame that carried anything of the chat (or ended \
         the session). Every push is authorized when it is sent: a transfer, a demotion or a \
         removal takes effect on open sockets at once, not at their next connect.\n\n",
    );
    out.push_str("| what happened |");
    for r in chatdesk_tests::pushes::RECEIVERS {
        out.push_str(&format!(" {r} |"));
    }
    out.push_str("\n|---|");
    for _ in chatdesk_tests::pushes::RECEIVERS {
        out.push_str("---|");
    }
    out.push('\n');
    for (name, cells) in rows {
        out.push_str(&format!("| {name} |"));
        for c in cells {
            out.push_str(&format!(" {c} |"));
        }
        out.push('\n');
    }
    out
}

fn render(rows: &[(String, Vec<String>)]) -> String {
    let mut out = String::from(
        "# Authorization matrix\n\nGenerated by `tests/authorization_matrix.rs` from what the local server actually \
         answered (the test fails if it differs from the specification in the test or from this \
         file). `ok` = allowed; `per chat: x` = the bulk action answered 200 and refused that chat \
         with code `x`; `error frame: x` = the WebSocket action was refused with an error frame. \
         The chat under test is in Support; the agent in the group is alice (Support), the agent \
         outside it bob (Sales), the manager is in Support and Billing, the administrator in every \
         group.\n\n",
    );
    out.push_str("| route or action |");
    for c in CALLERS {
        out.push_str(&format!(" {c} |"));
    }
    out.push_str("\n|---|");
    for _ in CALLERS {
        out.push_str("---|");
    }
    out.push('\n');
    for (name, cells) in rows {
        out.push_str(&format!("| `{name}` |"));
        for c in cells {
            out.push_str(&format!(" {c} |"));
        }
        out.push('\n');
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_route_and_action_for_every_caller() {
    let server = chatdesk_tests::server::spawn_server_with(
        chatdesk_server::Stores::all_in(chatdesk::sqlite::SqliteStore::open_in_memory().unwrap()),
        |c| {
            c.suggestions = true;
            // Every cell starts two chats, all from this one test address: hundreds of
            // customers, who in real life come from as many addresses.
            c.chat_starts = ChatStartLimit {
                burst: 10_000,
                ..ChatStartLimit::default()
            };
            // E-mail on, to a mail server that is down: transcripts are queued and wait.
            c.smtp = Some(chatdesk_server::SmtpConfig {
                url: format!(
                    "smtp://127.0.0.1:{}",
                    chatdesk_tests::smtp_sink::free_port()
                ),
                from: chatdesk::domain::EmailAddress::parse("help@chatdesk.example").unwrap(),
            });
        },
    )
    .await;
    // Alice takes a chat in almost every cell: lift her concurrent-chat limit for this test.
    let mut profile = server
        .stores
        .directory
        .get_agent(&AgentId::parse("alice").unwrap())
        .await
        .unwrap()
        .unwrap();
    profile.max_concurrent_chats = 10_000;
    server.stores.directory.put_agent(&profile).await.unwrap();
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let world = World {
        bob: api.login("bob").await,
        manager: api.login("manager").await,
        admin: api.login("admin").await,
        expired: server
            .app
            .tokens
            .issue_agent(&profile, Timestamp(1_000_000_000_000))
            .unwrap(),
        tampered: {
            let mut t = alice.clone();
            let last = t.pop().unwrap();
            t.push(if last == 'A' { 'B' } else { 'A' });
            t
        },
        alice,
        api,
    };
    let mut rows = Vec::new();
    let mut mismatches = Vec::new();
    for case in cases() {
        let mut cells = Vec::new();
        for (i, expected) in case.expected.iter().enumerate() {
            let got = run_cell(&server, &world, &case, i).await;
            if got != *expected {
                mismatches.push(format!(
                    "{} as {}: expected {expected}, got {got}",
                    case.name, CALLERS[i]
                ));
            }
            cells.push(got);
        }
        rows.push((case.name.to_string(), cells));
    }
    let pushes = chatdesk_tests::pushes::push_rows(&server).await;
    assert_eq!(pushes.len(), PUSHES.len(), "one row per push scenario");
    for ((name, cells), (expected_name, expected)) in pushes.iter().zip(PUSHES) {
        assert_eq!(name, expected_name);
        for (i, (got, want)) in cells.iter().zip(expected.iter()).enumerate() {
            if got != want {
                mismatches.push(format!(
                    "push \"{name}\" to {}: expected {want}, got {got}",
                    chatdesk_tests::pushes::RECEIVERS[i]
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "authorization mismatches:\n{}",
        mismatches.join("\n")
    );
    let rendered = render(&rows) + &render_pushes(&pushes);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/authorization-matrix.md"
    );
    if std::env::var("CHATDESK_WRITE_MATRIX").is_ok() {
        std::fs::write(path, &rendered).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(
        committed, rendered,
        "docs/authorization-matrix.md is stale: run with CHATDESK_WRITE_MATRIX=1"
    );
}

/// Every declared route has a row in the matrix (a route added without one fails here).
#[test]
fn every_declared_route_is_in_the_matrix() {
    // "POST /api/chats/{id}/messages" and "/api/chats/{chat_id}/messages" name the same route.
    fn shape(method: &str, path: &str) -> String {
        let path = path.split('?').next().unwrap_or(path);
        let segments: Vec<&str> = path
            .split('/')
            .map(|s| if s.starts_with('{') { "{}" } else { s })
            .collect();
        format!("{method} {}", segments.join("/"))
    }
    let rows: Vec<String> = cases()
        .iter()
        .filter_map(|c| {
            let mut words = c.name.split_whitespace();
            Some(shape(words.next()?, words.next()?))
        })
        .collect();
    for route in chatdesk::api::ROUTES {
        let want = shape(route.method, route.path);
        assert!(
            rows.contains(&want),
            "{route:?} has no row in the authorization matrix"
        );
    }
}
