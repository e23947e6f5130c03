//! Everything that happens in a chat is an event with the chat's next sequence number: customer
//! and agent messages, and changes such as "taken by Ann" or "transferred to Billing". One
//! ordered log serves the transcript, the live feed and resume after a reconnect.

use super::attachment::AttachedFile;
use super::chat::{ChatState, Party};
use super::handoff::HandOffReason;
use super::ids::{AgentId, ChatId, ClientMessageId, GroupId};
use super::time::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Author {
    Customer { name: String },
    Agent { id: AgentId, name: String },
}

/// Who may see an event: follow-up notes and deletions are for agents only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    Everyone,
    AgentsOnly,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The chat was created and queued in a group.
    Started {
        group_id: GroupId,
    },
    Message {
        client_msg_id: ClientMessageId,
        author: Author,
        body: String,
    },
    /// A file the customer or the agent attached (its upload confirmed): a message whose content
    /// is the file. `client_msg_id` is the attachment's id, so a confirmation is stored once.
    Attachment {
        client_msg_id: ClientMessageId,
        author: Author,
        file: AttachedFile,
    },
    /// An agent joined: pulled from the queue, took it, or it was transferred to them.
    Assigned {
        agent_id: AgentId,
        agent_name: String,
        by: Party,
    },
    /// Sent back to a group's queue.
    Requeued {
        group_id: GroupId,
        by: Party,
    },
    Ended {
        by: Party,
        resolution: Option<String>,
    },
    /// Moved to another group because its own was removed: its state, agent and transcript stay
    /// as they were (agents only: the customer's conversation goes on unchanged).
    Moved {
        from_group_id: GroupId,
        group_id: GroupId,
        by: Party,
    },
    Deleted {
        by: Party,
    },
    Restored {
        by: Party,
        state: ChatState,
    },
    FollowUpSet {
        due_at: Timestamp,
        note: String,
        by: Party,
    },
    FollowUpCleared {
        by: Party,
    },
    /// Agents changed the chat's tags to `tags` (agents only).
    Tagged {
        tags: Vec<String>,
        by: Party,
    },
    /// A hand-off timer ran out: the chat went from its agent to `to`, or back to the queue
    /// (`to` is `None`); `escalated` when it reached the group's cap and now waits for a person.
    HandedOff {
        reason: HandOffReason,
        from_agent_id: AgentId,
        from_agent_name: String,
        to: Option<(AgentId, String)>,
        escalated: bool,
    },
    /// The customer rated the ended chat.
    Rated {
        score: u8,
        comment: Option<String>,
    },
}

impl EventKind {
    pub fn visibility(&self) -> Visibility {
        match self {
            EventKind::Deleted { .. }
            | EventKind::Restored { .. }
            | EventKind::FollowUpSet { .. }
            | EventKind::FollowUpCleared { .. }
            | EventKind::Tagged { .. }
            | EventKind::Moved { .. } => Visibility::AgentsOnly,
            _ => Visibility::Everyone,
        }
    }

    pub fn client_msg_id(&self) -> Option<&ClientMessageId> {
        match self {
            EventKind::Message { client_msg_id, .. }
            | EventKind::Attachment { client_msg_id, .. } => Some(client_msg_id),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatEvent {
    pub chat_id: ChatId,
    pub seq: u64,
    pub at: Timestamp,
    pub kind: EventKind,
}

/// How the chat's customer sees an event.
#[derive(Debug, PartialEq)]
pub enum CustomerView {
    /// Agents only (notes of the chat's handling, deletions, ...).
    Hidden,
    /// As agents see it (every message).
    Same,
    /// Without what is only for agents: an end without the agent's resolution note.
    Redacted(ChatEvent),
}

impl ChatEvent {
    /// How the chat's customer sees this event, copying it only when it must be redacted.
    pub fn customer_view(&self) -> CustomerView {
        if self.kind.visibility() != Visibility::Everyone {
            return CustomerView::Hidden;
        }
        match &self.kind {
            EventKind::Ended {
                resolution: Some(_),
                by,
            } => CustomerView::Redacted(ChatEvent {
                kind: EventKind::Ended {
                    by: by.clone(),
                    resolution: None,
                },
                ..self.clone()
            }),
            _ => CustomerView::Same,
        }
    }

    /// The event as the chat's customer may see it: `None` for agents-only events, and an end
    /// without the agent's resolution note (an internal note, kept for agents).
    pub fn for_customer(&self) -> Option<ChatEvent> {
        match self.customer_view() {
            CustomerView::Hidden => None,
            CustomerView::Same => Some(self.clone()),
            CustomerView::Redacted(event) => Some(event),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_see_an_end_without_the_resolution_note_and_no_agent_only_event() {
        let at = Timestamp(1);
        let chat_id = ChatId::parse("c1").unwrap();
        let event = |kind| ChatEvent {
            chat_id: chat_id.clone(),
            seq: 1,
            at,
            kind,
        };
        let ended = event(EventKind::Ended {
            by: Party::Customer,
            resolution: Some("Internal: customer was rude".into()),
        });
        assert_eq!(
            ended.for_customer().map(|e| e.kind),
            Some(EventKind::Ended {
                by: Party::Customer,
                resolution: None
            })
        );
        assert_eq!(
            event(EventKind::Deleted {
                by: Party::Customer
            })
            .for_customer(),
            None
        );
        // Only a redacted event is copied; the rest read the same to both sides.
        let ended_plainly = event(EventKind::Ended {
            by: Party::Customer,
            resolution: None,
        });
        assert_eq!(ended_plainly.customer_view(), CustomerView::Same);
        assert!(matches!(ended.customer_view(), CustomerView::Redacted(_)));
        let message = event(EventKind::Message {
            client_msg_id: ClientMessageId::parse("m1").unwrap(),
            author: Author::Customer { name: "Ann".into() },
            body: "Hello".into(),
        });
        assert_eq!(message.customer_view(), CustomerView::Same);
        assert_eq!(message.for_customer(), Some(message.clone()));
    }
}
