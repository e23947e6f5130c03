//! Canned replies as the console reads and writes them.

use serde::{Deserialize, Serialize};

use super::ids::{AgentId, CannedReplyId, ChatId, GroupId, Timestamp};
use crate::domain::{DomainError, ReplyScope};
use crate::{app, domain};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplyScopeKind {
    /// One agent's own.
    Personal,
    /// A group's: its members see it.
    Group,
    /// Everyone's.
    Global,
}

/// A new canned reply.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CannedReplyInput {
    /// `personal` (the caller's own; any agent), `group` (managers of the group and
    /// administrators) or `global` (managers and administrators).
    pub scope: ReplyScopeKind,
    /// The group of a `group` reply; absent otherwise.
    #[serde(default)]
    pub group_id: Option<String>,
    /// Typed after `/` in the reply box: letters, digits, `-`, `_` (kept in lowercase), unique
    /// within the scope.
    pub shortcut: String,
    pub title: String,
    /// The text, with `{customer_name}`, `{agent_name}` and `{group}` filled when used; any
    /// other `{name}` is refused.
    pub body: String,
}

/// An edit of a canned reply, over the revision the editor read.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CannedReplyUpdate {
    pub scope: ReplyScopeKind,
    #[serde(default)]
    pub group_id: Option<String>,
    pub shortcut: String,
    pub title: String,
    pub body: String,
    /// The `revision` read: someone else's edit since makes this a 409.
    pub revision: u64,
}

fn scope_choice(
    kind: ReplyScopeKind,
    group: Option<&str>,
) -> Result<app::ScopeChoice, DomainError> {
    let kind = match kind {
        ReplyScopeKind::Personal => "personal",
        ReplyScopeKind::Group => "group",
        ReplyScopeKind::Global => "global",
    };
    app::ScopeChoice::parse(kind, group)
}

impl TryFrom<CannedReplyInput> for app::ReplyInput {
    type Error = DomainError;
    fn try_from(r: CannedReplyInput) -> Result<Self, DomainError> {
        Ok(app::ReplyInput {
            scope: scope_choice(r.scope, r.group_id.as_deref())?,
            shortcut: r.shortcut,
            title: r.title,
            body: r.body,
        })
    }
}

impl CannedReplyUpdate {
    /// The edit and the revision it was made over.
    pub fn into_input(self) -> Result<(app::ReplyInput, u64), DomainError> {
        Ok((
            app::ReplyInput {
                scope: scope_choice(self.scope, self.group_id.as_deref())?,
                shortcut: self.shortcut,
                title: self.title,
                body: self.body,
            },
            self.revision,
        ))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CannedReply {
    pub id: CannedReplyId,
    pub scope: ReplyScopeKind,
    /// The group of a `group` reply.
    pub group_id: Option<GroupId>,
    /// The agent of a `personal` reply.
    pub owner_id: Option<AgentId>,
    pub shortcut: String,
    pub title: String,
    pub body: String,
    /// How many times it was used in a chat.
    pub usage_count: u64,
    pub created_by: AgentId,
    pub created_at: Timestamp,
    pub updated_by: AgentId,
    pub updated_at: Timestamp,
    /// From then on it is stale (due for review): 90 days after its last edit or review.
    pub review_at: Timestamp,
    /// Due for review now.
    pub stale: bool,
    /// The caller may edit, delete and mark it reviewed.
    pub can_manage: bool,
    /// Send it back with an edit.
    pub revision: u64,
}

impl From<&app::ReplyView> for CannedReply {
    fn from(v: &app::ReplyView) -> Self {
        let r: &domain::CannedReply = &v.reply;
        let (scope, group_id, owner_id) = match &r.scope {
            ReplyScope::Personal(a) => (ReplyScopeKind::Personal, None, Some(a.into())),
            ReplyScope::Group(g) => (ReplyScopeKind::Group, Some(g.into()), None),
            ReplyScope::Global => (ReplyScopeKind::Global, None, None),
        };
        CannedReply {
            id: (&r.id).into(),
            scope,
            group_id,
            owner_id,
            shortcut: r.shortcut.as_str().to_owned(),
            title: r.title.clone(),
            body: r.body.clone(),
            usage_count: r.usage_count,
            created_by: (&r.created_by).into(),
            created_at: r.created_at.into(),
            updated_by: (&r.updated_by).into(),
            updated_at: r.updated_at.into(),
            review_at: r.review_at.into(),
            stale: v.stale,
            can_manage: v.can_manage,
            revision: r.revision,
        }
    }
}

/// Using a reply in a chat.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UseCannedReply {
    /// The chat whose customer, agent and group fill the placeholders.
    pub chat_id: ChatId,
}

/// The text to insert into the reply box (nothing is sent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UsedCannedReply {
    pub reply_id: CannedReplyId,
    pub chat_id: ChatId,
    /// The body with its placeholders filled.
    pub text: String,
    /// Uses so far, this one included.
    pub usage_count: u64,
}

impl From<&app::UsedReply> for UsedCannedReply {
    fn from(u: &app::UsedReply) -> Self {
        UsedCannedReply {
            reply_id: (&u.reply_id).into(),
            chat_id: (&u.chat_id).into(),
            text: u.text.clone(),
            usage_count: u.usage_count,
        }
    }
}
