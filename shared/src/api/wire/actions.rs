//! The toolbar actions' target and their per-chat results.

use serde::{Deserialize, Serialize};

use super::ids::{AgentId, ChatId, GroupId};
use super::list::ChatRow;
use crate::app;

#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind", deny_unknown_fields)]
pub enum TransferTarget {
    Group { group_id: GroupId },
    Agent { agent_id: AgentId },
}

impl From<TransferTarget> for app::TransferTarget {
    fn from(t: TransferTarget) -> Self {
        match t {
            TransferTarget::Group { group_id } => app::TransferTarget::Group {
                group_id: group_id.into(),
            },
            TransferTarget::Agent { agent_id } => app::TransferTarget::Agent {
                agent_id: agent_id.into(),
            },
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActionFailure {
    pub error: crate::errors::ErrorCode,
    pub message: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActionResult {
    pub chat_id: ChatId,
    pub ok: bool,
    /// The chat after the action (absent when it failed, or was purged).
    pub chat: Option<ChatRow>,
    pub failure: Option<ActionFailure>,
}

impl From<&app::ActionResult> for ActionResult {
    fn from(r: &app::ActionResult) -> Self {
        ActionResult {
            chat_id: (&r.chat_id).into(),
            ok: r.ok,
            chat: r.chat.as_ref().map(Into::into),
            failure: r.failure.as_ref().map(|f| ActionFailure {
                error: f.error,
                message: f.message.clone(),
            }),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActionOutcome {
    pub results: Vec<ActionResult>,
    pub succeeded: usize,
    pub failed: usize,
}

impl From<&app::ActionOutcome> for ActionOutcome {
    fn from(o: &app::ActionOutcome) -> Self {
        ActionOutcome {
            results: o.results.iter().map(Into::into).collect(),
            succeeded: o.succeeded,
            failed: o.failed,
        }
    }
}
