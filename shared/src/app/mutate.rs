//! The one way a chat changes: read it, apply a rule, commit the result only if nobody changed
//! the chat in between (compare-and-set on its sequence number), retry on a lost race.

use std::time::Duration;

use super::{App, AppError};
use crate::domain::numbering;
use crate::domain::rules::Mutation;
use crate::domain::{AgentId, Chat, ChatEvent, ChatId, DomainError, Timestamp};
use crate::ports::{ChatCommit, ChatNotice, CommitOutcome, QueuePlace, StoreError};

/// Enough for a burst of concurrent messages in one chat (tested with twenty at once); a rule
/// that stops applying (the chat was taken by someone else) ends the loop long before.
const MAX_ATTEMPTS: u32 = 25;
/// Longest pause between attempts: exponential backoff with full jitter, capped here.
const MAX_BACKOFF_MS: u64 = 100;

pub enum Mutated {
    Changed {
        chat: Chat,
        event: ChatEvent,
    },
    /// A message with this client id was already stored: that message, and the chat now.
    Duplicate {
        chat: Chat,
        event: ChatEvent,
    },
}

impl Mutated {
    pub fn chat(&self) -> &Chat {
        match self {
            Mutated::Changed { chat, .. } | Mutated::Duplicate { chat, .. } => chat,
        }
    }
}

impl App {
    pub(crate) async fn load_chat(&self, id: &ChatId) -> Result<Chat, AppError> {
        self.chats
            .get_chat(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("chat {id} was not found")))
    }

    /// Applies `rule` to the chat, then lets automatic distribution act on what changed: a chat
    /// handed back to an automatic group's queue is handed out, and an agent whose chat was
    /// released gets the next waiting one. A chat handed out that way is returned as it is now.
    pub(crate) async fn mutate_chat<F>(&self, id: &ChatId, rule: F) -> Result<Mutated, AppError>
    where
        F: Fn(&Chat, Timestamp) -> Result<Mutation, DomainError> + Send + Sync,
    {
        let (mutated, released) = self.commit_rule(id, rule).await?;
        match mutated {
            Mutated::Changed { chat, event } => {
                let chat = self
                    .distribute_after(&chat, &event.kind, released.as_ref())
                    .await
                    .unwrap_or(chat);
                Ok(Mutated::Changed { chat, event })
            }
            duplicate @ Mutated::Duplicate { .. } => Ok(duplicate),
        }
    }

    /// Applies `rule` to the chat and nothing else: read, apply, compare-and-set, retry on a
    /// lost race. Also answers whose active chat the commit released.
    pub(crate) async fn commit_rule<F>(
        &self,
        id: &ChatId,
        rule: F,
    ) -> Result<(Mutated, Option<AgentId>), AppError>
    where
        F: Fn(&Chat, Timestamp) -> Result<Mutation, DomainError> + Send + Sync,
    {
        for attempt in 0..MAX_ATTEMPTS {
            let before = self.load_chat(id).await?;
            let now = self.clock.now();
            let Mutation { chat, event, load } = rule(&before, now)?;
            let (after, event) = numbering::next_event(&before, chat, event, now);
            let commit = ChatCommit {
                before,
                chat: after,
                event,
                load,
            };
            match self.chats.commit(&commit).await {
                Ok(CommitOutcome::Committed) => {
                    let ChatCommit {
                        before,
                        chat,
                        event,
                        load,
                    } = commit;
                    let previous_group =
                        (before.group_id != chat.group_id).then(|| before.group_id.clone());
                    let readers_changed =
                        previous_group.is_some() || before.agent_id != chat.agent_id;
                    let notice = ChatNotice {
                        chat,
                        event,
                        previous_group,
                        readers_changed,
                        queued_before: QueuePlace::of(&before),
                    };
                    self.notifier.chat_changed(&notice).await;
                    let ChatNotice { chat, event, .. } = notice;
                    return Ok((Mutated::Changed { chat, event }, load.release));
                }
                Ok(CommitOutcome::DuplicateMessage(event)) => {
                    return Ok((
                        Mutated::Duplicate {
                            chat: commit.before,
                            event,
                        },
                        None,
                    ))
                }
                Err(StoreError::Stale) => {
                    // Lost a race: wait a random time up to an exponentially growing cap (full
                    // jitter spreads the retries of many racers) and re-read.
                    let cap = (1u64 << attempt.min(10)).min(MAX_BACKOFF_MS);
                    let pause = rand::random::<u64>() % (cap + 1);
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict(format!(
            "chat {id} is being changed by others right now; try again"
        )))
    }
}
