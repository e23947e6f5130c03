//! An event (SQLite `events.doc`, DynamoDB `CHAT#{chat}` / `EV#{seq}`): the event's fields and,
//! beside them, its kind's (tagged by `type`).

use serde::{Deserialize, Serialize};

use super::chat::{PartyRecord, StateRecord};
use super::{id, readable, FORMAT_VERSION};
use crate::domain::{
    AttachedFile, Author, ChatEvent, EventKind, FileKind, HandOffReason, Party, Timestamp,
};
use crate::ports::StoreError;

#[derive(Serialize, Deserialize)]
pub(crate) struct EventRecord {
    #[serde(default)]
    v: u32,
    chat_id: String,
    seq: u64,
    at: i64,
    #[serde(flatten)]
    kind: KindRecord,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum KindRecord {
    Started {
        group_id: String,
    },
    Message {
        client_msg_id: String,
        author: AuthorRecord,
        body: String,
    },
    Attachment {
        client_msg_id: String,
        author: AuthorRecord,
        file: FileRecord,
    },
    Assigned {
        agent_id: String,
        agent_name: String,
        by: PartyRecord,
    },
    Requeued {
        group_id: String,
        by: PartyRecord,
    },
    Ended {
        by: PartyRecord,
        resolution: Option<String>,
    },
    Moved {
        from_group_id: String,
        group_id: String,
        by: PartyRecord,
    },
    Deleted {
        by: PartyRecord,
    },
    Restored {
        by: PartyRecord,
        state: StateRecord,
    },
    FollowUpSet {
        due_at: i64,
        note: String,
        by: PartyRecord,
    },
    FollowUpCleared {
        by: PartyRecord,
    },
    Tagged {
        tags: Vec<String>,
        by: PartyRecord,
    },
    HandedOff {
        reason: String,
        from_agent_id: String,
        from_agent_name: String,
        to: Option<HandOffTargetRecord>,
        escalated: bool,
    },
    Rated {
        score: u8,
        comment: Option<String>,
    },
}

/// An attached file; `kind` is its media type (what it is by content, checked at upload).
#[derive(Serialize, Deserialize)]
struct FileRecord {
    id: String,
    name: String,
    kind: String,
    size: u64,
}

#[derive(Serialize, Deserialize)]
struct HandOffTargetRecord {
    id: String,
    name: String,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum AuthorRecord {
    Customer { name: String },
    Agent { id: String, name: String },
}

impl From<&Author> for AuthorRecord {
    fn from(author: &Author) -> Self {
        match author {
            Author::Customer { name } => AuthorRecord::Customer { name: name.clone() },
            Author::Agent { id, name } => AuthorRecord::Agent {
                id: id.to_string(),
                name: name.clone(),
            },
        }
    }
}

impl TryFrom<AuthorRecord> for Author {
    type Error = StoreError;
    fn try_from(author: AuthorRecord) -> Result<Self, StoreError> {
        Ok(match author {
            AuthorRecord::Customer { name } => Author::Customer { name },
            AuthorRecord::Agent { id: agent, name } => Author::Agent {
                id: id(agent)?,
                name,
            },
        })
    }
}

impl From<&EventKind> for KindRecord {
    fn from(k: &EventKind) -> Self {
        let by = PartyRecord::from;
        match k {
            EventKind::Started { group_id } => KindRecord::Started {
                group_id: group_id.to_string(),
            },
            EventKind::Message {
                client_msg_id,
                author,
                body,
            } => KindRecord::Message {
                client_msg_id: client_msg_id.to_string(),
                author: author.into(),
                body: body.clone(),
            },
            EventKind::Attachment {
                client_msg_id,
                author,
                file,
            } => KindRecord::Attachment {
                client_msg_id: client_msg_id.to_string(),
                author: author.into(),
                file: FileRecord {
                    id: file.id.to_string(),
                    name: file.file_name.clone(),
                    kind: file.kind.mime().to_owned(),
                    size: file.size,
                },
            },
            EventKind::Assigned {
                agent_id,
                agent_name,
                by: party,
            } => KindRecord::Assigned {
                agent_id: agent_id.to_string(),
                agent_name: agent_name.clone(),
                by: by(party),
            },
            EventKind::Requeued {
                group_id,
                by: party,
            } => KindRecord::Requeued {
                group_id: group_id.to_string(),
                by: by(party),
            },
            EventKind::Ended {
                by: party,
                resolution,
            } => KindRecord::Ended {
                by: by(party),
                resolution: resolution.clone(),
            },
            EventKind::Moved {
                from_group_id,
                group_id,
                by: party,
            } => KindRecord::Moved {
                from_group_id: from_group_id.to_string(),
                group_id: group_id.to_string(),
                by: by(party),
            },
            EventKind::Deleted { by: party } => KindRecord::Deleted { by: by(party) },
            EventKind::Restored { by: party, state } => KindRecord::Restored {
                by: by(party),
                state: (*state).into(),
            },
            EventKind::FollowUpSet {
                due_at,
                note,
                by: party,
            } => KindRecord::FollowUpSet {
                due_at: due_at.millis(),
                note: note.clone(),
                by: by(party),
            },
            EventKind::FollowUpCleared { by: party } => {
                KindRecord::FollowUpCleared { by: by(party) }
            }
            EventKind::Tagged { tags, by: party } => KindRecord::Tagged {
                tags: tags.clone(),
                by: by(party),
            },
            EventKind::HandedOff {
                reason,
                from_agent_id,
                from_agent_name,
                to,
                escalated,
            } => KindRecord::HandedOff {
                reason: reason.as_str().into(),
                from_agent_id: from_agent_id.to_string(),
                from_agent_name: from_agent_name.clone(),
                to: to.as_ref().map(|(id, name)| HandOffTargetRecord {
                    id: id.to_string(),
                    name: name.clone(),
                }),
                escalated: *escalated,
            },
            EventKind::Rated { score, comment } => KindRecord::Rated {
                score: *score,
                comment: comment.clone(),
            },
        }
    }
}

impl TryFrom<KindRecord> for EventKind {
    type Error = StoreError;
    fn try_from(k: KindRecord) -> Result<Self, StoreError> {
        let by = Party::try_from;
        Ok(match k {
            KindRecord::Started { group_id } => EventKind::Started {
                group_id: id(group_id)?,
            },
            KindRecord::Message {
                client_msg_id,
                author,
                body,
            } => EventKind::Message {
                client_msg_id: id(client_msg_id)?,
                author: author.try_into()?,
                body,
            },
            KindRecord::Attachment {
                client_msg_id,
                author,
                file,
            } => EventKind::Attachment {
                client_msg_id: id(client_msg_id)?,
                author: author.try_into()?,
                file: AttachedFile {
                    id: id(file.id)?,
                    kind: FileKind::from_mime(&file.kind).ok_or_else(|| {
                        StoreError::Corrupt(format!("attachment kind {:?}", file.kind))
                    })?,
                    file_name: file.name,
                    size: file.size,
                },
            },
            KindRecord::Assigned {
                agent_id,
                agent_name,
                by: party,
            } => EventKind::Assigned {
                agent_id: id(agent_id)?,
                agent_name,
                by: by(party)?,
            },
            KindRecord::Requeued {
                group_id,
                by: party,
            } => EventKind::Requeued {
                group_id: id(group_id)?,
                by: by(party)?,
            },
            KindRecord::Ended {
                by: party,
                resolution,
            } => EventKind::Ended {
                by: by(party)?,
                resolution,
            },
            KindRecord::Moved {
                from_group_id,
                group_id,
                by: party,
            } => EventKind::Moved {
                from_group_id: id(from_group_id)?,
                group_id: id(group_id)?,
                by: by(party)?,
            },
            KindRecord::Deleted { by: party } => EventKind::Deleted { by: by(party)? },
            KindRecord::Restored { by: party, state } => EventKind::Restored {
                by: by(party)?,
                state: state.into(),
            },
            KindRecord::FollowUpSet {
                due_at,
                note,
                by: party,
            } => EventKind::FollowUpSet {
                due_at: Timestamp(due_at),
                note,
                by: by(party)?,
            },
            KindRecord::FollowUpCleared { by: party } => {
                EventKind::FollowUpCleared { by: by(party)? }
            }
            KindRecord::Tagged { tags, by: party } => EventKind::Tagged {
                tags,
                by: by(party)?,
            },
            KindRecord::HandedOff {
                reason,
                from_agent_id,
                from_agent_name,
                to,
                escalated,
            } => EventKind::HandedOff {
                reason: HandOffReason::parse(&reason)
                    .ok_or_else(|| StoreError::Corrupt(format!("hand-off reason {reason:?}")))?,
                from_agent_id: id(from_agent_id)?,
                from_agent_name,
                to: to
                    .map(|t| -> Result<_, StoreError> { Ok((id(t.id)?, t.name)) })
                    .transpose()?,
                escalated,
            },
            KindRecord::Rated { score, comment } => EventKind::Rated { score, comment },
        })
    }
}

impl From<&ChatEvent> for EventRecord {
    fn from(e: &ChatEvent) -> Self {
        EventRecord {
            v: FORMAT_VERSION,
            chat_id: e.chat_id.to_string(),
            seq: e.seq,
            at: e.at.millis(),
            kind: (&e.kind).into(),
        }
    }
}

impl TryFrom<EventRecord> for ChatEvent {
    type Error = StoreError;
    fn try_from(r: EventRecord) -> Result<Self, StoreError> {
        readable(r.v, "an event")?;
        Ok(ChatEvent {
            chat_id: id(r.chat_id)?,
            seq: r.seq,
            at: Timestamp(r.at),
            kind: r.kind.try_into()?,
        })
    }
}
