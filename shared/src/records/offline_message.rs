//! An offline message with its thread (SQLite `offline_messages.doc`, DynamoDB `MSG#{id}` /
//! `META`).

use serde::{Deserialize, Serialize};

use super::{readable, FORMAT_VERSION};
use crate::domain::inbox::{EntryKind, MessageAgent};
use crate::domain::{
    AgentId, ChatId, GroupId, MessageEntry, MessageStatus, OfflineMessage, OfflineMessageId,
    Timestamp,
};
use crate::ports::StoreError;

#[derive(Serialize, Deserialize)]
pub(crate) struct OfflineMessageRecord {
    #[serde(default)]
    v: u32,
    id: String,
    group_id: String,
    name: String,
    email: String,
    question: String,
    received_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from_chat: Option<String>,
    status: StatusRecord,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    assignee: Option<AgentRecord>,
    #[serde(default)]
    thread: Vec<EntryRecord>,
    revision: u64,
    updated_at: i64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StatusRecord {
    Open,
    Answered,
    Closed,
}

#[derive(Serialize, Deserialize)]
struct AgentRecord {
    id: String,
    name: String,
}

#[derive(Serialize, Deserialize)]
struct EntryRecord {
    at: i64,
    by: AgentRecord,
    #[serde(flatten)]
    kind: EntryKindRecord,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum EntryKindRecord {
    Reply {
        body: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mail_id: Option<String>,
    },
    Note {
        body: String,
    },
    Assigned {
        to: AgentRecord,
    },
    Closed,
    Reopened,
}

impl From<&MessageAgent> for AgentRecord {
    fn from(a: &MessageAgent) -> Self {
        AgentRecord {
            id: a.id.as_str().to_owned(),
            name: a.name.clone(),
        }
    }
}

impl TryFrom<AgentRecord> for MessageAgent {
    type Error = StoreError;
    fn try_from(r: AgentRecord) -> Result<Self, StoreError> {
        Ok(MessageAgent {
            id: AgentId::parse(&r.id).map_err(corrupt)?,
            name: r.name,
        })
    }
}

impl From<&OfflineMessage> for OfflineMessageRecord {
    fn from(m: &OfflineMessage) -> Self {
        OfflineMessageRecord {
            v: FORMAT_VERSION,
            id: m.id.as_str().to_owned(),
            group_id: m.group_id.as_str().to_owned(),
            name: m.name.clone(),
            email: m.email.clone(),
            question: m.question.clone(),
            received_at: m.received_at.0,
            from_chat: m.from_chat.as_ref().map(|c| c.as_str().to_owned()),
            status: match m.status {
                MessageStatus::Open => StatusRecord::Open,
                MessageStatus::Answered => StatusRecord::Answered,
                MessageStatus::Closed => StatusRecord::Closed,
            },
            assignee: m.assignee.as_ref().map(AgentRecord::from),
            thread: m
                .thread
                .iter()
                .map(|e| EntryRecord {
                    at: e.at.0,
                    by: AgentRecord::from(&e.by),
                    kind: match &e.kind {
                        EntryKind::Reply { body, mail_id } => EntryKindRecord::Reply {
                            body: body.clone(),
                            mail_id: mail_id.clone(),
                        },
                        EntryKind::Note { body } => EntryKindRecord::Note { body: body.clone() },
                        EntryKind::Assigned { to } => EntryKindRecord::Assigned { to: to.into() },
                        EntryKind::Closed => EntryKindRecord::Closed,
                        EntryKind::Reopened => EntryKindRecord::Reopened,
                    },
                })
                .collect(),
            revision: m.revision,
            updated_at: m.updated_at.0,
        }
    }
}

impl TryFrom<OfflineMessageRecord> for OfflineMessage {
    type Error = StoreError;
    fn try_from(r: OfflineMessageRecord) -> Result<Self, StoreError> {
        readable(r.v, "offline message")?;
        let thread = r
            .thread
            .into_iter()
            .map(|e| {
                Ok(MessageEntry {
                    at: Timestamp(e.at),
                    by: e.by.try_into()?,
                    kind: match e.kind {
                        EntryKindRecord::Reply { body, mail_id } => {
                            EntryKind::Reply { body, mail_id }
                        }
                        EntryKindRecord::Note { body } => EntryKind::Note { body },
                        EntryKindRecord::Assigned { to } => {
                            EntryKind::Assigned { to: to.try_into()? }
                        }
                        EntryKindRecord::Closed => EntryKind::Closed,
                        EntryKindRecord::Reopened => EntryKind::Reopened,
                    },
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(OfflineMessage {
            id: OfflineMessageId::parse(&r.id).map_err(corrupt)?,
            group_id: GroupId::parse(&r.group_id).map_err(corrupt)?,
            name: r.name,
            email: r.email,
            question: r.question,
            received_at: Timestamp(r.received_at),
            from_chat: r
                .from_chat
                .as_deref()
                .map(ChatId::parse)
                .transpose()
                .map_err(corrupt)?,
            status: match r.status {
                StatusRecord::Open => MessageStatus::Open,
                StatusRecord::Answered => MessageStatus::Answered,
                StatusRecord::Closed => MessageStatus::Closed,
            },
            assignee: r.assignee.map(TryInto::try_into).transpose()?,
            thread,
            revision: r.revision,
            updated_at: Timestamp(r.updated_at),
        })
    }
}

fn corrupt(e: crate::domain::DomainError) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored document of a message with one of each thread entry: what both stores hold
    /// (SQLite as this JSON, DynamoDB as these attributes). A change that would misread it
    /// fails here.
    const STORED: &str = r#"{"v":1,"id":"m1","group_id":"support","name":"Ann","email":"ann@example.com","question":"Printer shows E42","received_at":1000,"from_chat":"c1","status":"answered","assignee":{"id":"bob","name":"Bob"},"thread":[{"at":2000,"by":{"id":"bob","name":"Bob"},"type":"assigned","to":{"id":"bob","name":"Bob"}},{"at":3000,"by":{"id":"bob","name":"Bob"},"type":"note","body":"Called her"},{"at":4000,"by":{"id":"bob","name":"Bob"},"type":"reply","body":"Reseat the toner","mail_id":"mail1"},{"at":5000,"by":{"id":"bob","name":"Bob"},"type":"closed"},{"at":6000,"by":{"id":"bob","name":"Bob"},"type":"reopened"}],"revision":6,"updated_at":6000}"#;

    #[test]
    fn the_stored_document_reads_and_writes_back_unchanged() {
        let record: OfflineMessageRecord = serde_json::from_str(STORED).unwrap();
        let message = OfflineMessage::try_from(record).unwrap();
        assert_eq!(message.status, MessageStatus::Answered);
        assert_eq!(message.thread.len(), 5);
        assert!(matches!(
            &message.thread[2].kind,
            EntryKind::Reply { mail_id: Some(m), .. } if m == "mail1"
        ));
        let written = serde_json::to_string(&OfflineMessageRecord::from(&message)).unwrap();
        assert_eq!(written, STORED);
    }

    #[test]
    fn a_document_of_a_newer_format_is_refused() {
        let newer = STORED.replacen(r#""v":1"#, r#""v":99"#, 1);
        let record: OfflineMessageRecord = serde_json::from_str(&newer).unwrap();
        assert!(OfflineMessage::try_from(record).is_err());
    }
}
