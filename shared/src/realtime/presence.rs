//! An agent's consoles coming and going: the last one closing marks the agent offline (their
//! chats then follow the groups' disconnected timers, and past the grace period they are away);
//! one opening marks them back, and hands them waiting chats of their automatic groups. Typing
//! in a chat restarts its response timers. None of it ever fails the frame or the connection
//! that caused it: a missed mark is corrected by the next connect, or by the sweep, which checks
//! an offline agent's connections before moving their chats.

use super::fanout::Fanout;
use crate::app::App;
use crate::domain::{handoff, AgentId, Chat};
use crate::errors::error_chain;
use crate::ports::PrincipalKey;

/// Typing restarts a response timer at most this often per chat: a burst of keystrokes writes
/// once, and a timer of a minute or more loses at most this much.
pub const ACTIVITY_EVERY_MS: i64 = 10_000;

pub async fn console_opened(app: &App, agent: &AgentId) {
    let was_offline = match app.directory.assignment_load(agent).await {
        Ok(load) => load.offline_since.is_some(),
        Err(e) => {
            tracing::error!(agent = %agent, error = %error_chain(&e), "could not read an agent's presence");
            return;
        }
    };
    if !was_offline {
        return;
    }
    if let Err(e) = app.directory.mark_online(agent).await {
        tracing::error!(agent = %agent, error = %error_chain(&e), "could not mark an agent online");
        return;
    }
    // Away since the grace period ran out, available again: their share of waiting chats.
    app.distribute_to(agent).await;
}

pub async fn console_closed(app: &App, fanout: &Fanout, agent: &AgentId) {
    let now = app.clock.now();
    let result = async {
        let open = fanout
            .connections
            .principal_connections(&PrincipalKey::agent(agent), now)
            .await?;
        if open.is_empty() {
            app.directory.mark_offline(agent, now).await?;
        }
        Ok::<_, crate::ports::StoreError>(())
    }
    .await;
    if let Err(e) = result {
        tracing::error!(agent = %agent, error = %error_chain(&e), "could not mark an agent offline");
    }
}

/// The assigned agent is typing in `chat` (read just now): their response timer starts over.
pub async fn agent_typed(app: &App, chat: &Chat) {
    let now = app.clock.now();
    let Some((_, since)) = handoff::awaiting(chat) else {
        return;
    };
    if now.since(since) < ACTIVITY_EVERY_MS {
        return;
    }
    if let Err(e) = app.chats.note_agent_activity(chat, now).await {
        tracing::warn!(chat = %chat.id, error = %error_chain(&e), "could not record typing as activity");
    }
}
