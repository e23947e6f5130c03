//! Canned replies: answers agents save once and insert into a chat by typing their `/shortcut`.
//! A reply is personal (one agent's), a group's (its members'), or global (everyone's); its
//! placeholders are filled from the chat it is used in. A reply is due for review a while after
//! its last edit (SmarterTrack marks such replies stale), so answers that went out of date get
//! looked at.
//!
//! Who may do what is decided here, at the moment of each request: everyone reads their own
//! personal replies, their groups' and the global ones; an agent manages only personal replies;
//! a manager also those of the groups they belong to and the global ones; an administrator all.

use super::agent::{Agent, Role};
use super::error::DomainError;
use super::ids::{AgentId, CannedReplyId, GroupId};
use super::limits;
use super::time::{Timestamp, DAY_MS};

/// How long after its last edit (or review) a reply is due for review.
pub const REVIEW_AFTER_MS: i64 = 90 * DAY_MS;
/// The longest shortcut: short enough to type, long enough to say what it is.
pub const MAX_SHORTCUT_CHARS: usize = 40;
pub const MAX_TITLE_CHARS: usize = 120;
/// A reply becomes a message: the same limit.
pub const MAX_BODY_CHARS: usize = limits::MAX_MESSAGE_CHARS;

/// The placeholders a body may hold, filled when the reply is used.
pub const PLACEHOLDERS: [&str; 3] = ["customer_name", "agent_name", "group"];

/// Whose a reply is, and so who sees and manages it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReplyScope {
    /// One agent's own.
    Personal(AgentId),
    /// Every member of the group's.
    Group(GroupId),
    /// Everyone's.
    Global,
}

impl ReplyScope {
    /// The scope as one string (`agent:{id}`, `group:{id}`, `global`): how stores key it.
    pub fn key(&self) -> String {
        match self {
            ReplyScope::Personal(a) => format!("agent:{a}"),
            ReplyScope::Group(g) => format!("group:{g}"),
            ReplyScope::Global => "global".into(),
        }
    }

    /// Reads a scope key written by `key`.
    pub fn parse_key(raw: &str) -> Result<Self, DomainError> {
        match raw.split_once(':') {
            Some(("agent", id)) => Ok(ReplyScope::Personal(AgentId::parse(id)?)),
            Some(("group", id)) => Ok(ReplyScope::Group(GroupId::parse(id)?)),
            None if raw == "global" => Ok(ReplyScope::Global),
            _ => Err(DomainError::invalid(
                "scope",
                "must be personal, a group or global",
            )),
        }
    }

    /// The agent sees the replies of this scope in their lists.
    pub fn visible_to(&self, agent: &Agent) -> bool {
        match self {
            ReplyScope::Personal(owner) => *owner == agent.id,
            ReplyScope::Group(group) => agent.is_member_of(group),
            ReplyScope::Global => true,
        }
    }

    /// The agent may create, edit and delete replies of this scope.
    pub fn manageable_by(&self, agent: &Agent) -> bool {
        match (self, agent.role) {
            (_, Role::Administrator) => true,
            (ReplyScope::Personal(owner), _) => *owner == agent.id,
            (ReplyScope::Group(group), Role::Manager) => agent.is_member_of(group),
            (ReplyScope::Global, Role::Manager) => true,
            (_, Role::Agent) => false,
        }
    }

    pub fn require_manager(&self, agent: &Agent) -> Result<(), DomainError> {
        if self.manageable_by(agent) {
            return Ok(());
        }
        Err(DomainError::Forbidden(match self {
            ReplyScope::Personal(_) => "a personal reply is managed only by its owner".into(),
            ReplyScope::Group(g) => {
                format!("only managers of group {g} and administrators manage its replies")
            }
            ReplyScope::Global => "only managers and administrators manage global replies".into(),
        }))
    }
}

/// A shortcut: 1 to 40 lowercase letters, digits, `-` or `_` (typed after `/`), starting with a
/// letter or digit. Case does not matter: it is kept in lowercase, so `Refund` and `refund` are
/// the same shortcut.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Shortcut(String);

impl Shortcut {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let text = raw.trim().trim_start_matches('/').to_lowercase();
        let valid = !text.is_empty()
            && text.chars().count() <= MAX_SHORTCUT_CHARS
            && text.starts_with(|c: char| c.is_ascii_alphanumeric())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if valid {
            Ok(Shortcut(text))
        } else {
            Err(DomainError::invalid(
                "shortcut",
                format!(
                    "must be 1 to {MAX_SHORTCUT_CHARS} letters, digits, '-' or '_', starting with a letter or digit"
                ),
            ))
        }
    }

    /// A prefix to search by: what an agent has typed after `/` so far (possibly nothing).
    /// Anything a shortcut cannot start with matches nothing, and is refused as such.
    pub fn parse_prefix(raw: &str) -> Result<String, DomainError> {
        let text = raw.trim().trim_start_matches('/');
        if text.is_empty() {
            return Ok(String::new());
        }
        Shortcut::parse(text)
            .map(|s| s.0)
            .map_err(|_| DomainError::invalid("q", "must be the start of a shortcut"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What an agent writes into a reply: checked before anything is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyDraft {
    pub shortcut: Shortcut,
    pub title: String,
    pub body: String,
}

impl ReplyDraft {
    /// Checks each field; a body naming an unknown placeholder is refused (with its name), so a
    /// typo such as `{customer}` is found when the reply is saved, not when a customer reads it.
    pub fn parse(shortcut: &str, title: &str, body: &str) -> Result<Self, DomainError> {
        let shortcut = Shortcut::parse(shortcut)?;
        let title = limits::single_line("title", title, MAX_TITLE_CHARS)?;
        let body = limits::multi_line("body", body, MAX_BODY_CHARS)?;
        if let Some(unknown) = placeholders_in(&body).find(|p| !PLACEHOLDERS.contains(p)) {
            return Err(DomainError::invalid(
                "body",
                format!(
                    "unknown placeholder {{{unknown}}}; the placeholders are {{customer_name}}, {{agent_name}} and {{group}}"
                ),
            ));
        }
        Ok(ReplyDraft {
            shortcut,
            title,
            body,
        })
    }
}

/// What placeholders are filled with when a reply is used in a chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlaceholderValues {
    pub customer_name: String,
    pub agent_name: String,
    pub group: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CannedReply {
    pub id: CannedReplyId,
    pub scope: ReplyScope,
    pub shortcut: Shortcut,
    pub title: String,
    pub body: String,
    /// How often it was used in a chat (counted by the store, one atomic increment per use).
    pub usage_count: u64,
    pub created_by: AgentId,
    pub created_at: Timestamp,
    pub updated_by: AgentId,
    pub updated_at: Timestamp,
    /// From then on the reply is stale: due for review.
    pub review_at: Timestamp,
    /// Moves with every change: an edit is accepted only over the revision it read.
    pub revision: u64,
}

impl CannedReply {
    /// A new reply of `scope` by `agent`, if they may manage that scope.
    pub fn create(
        id: CannedReplyId,
        scope: ReplyScope,
        draft: ReplyDraft,
        agent: &Agent,
        now: Timestamp,
    ) -> Result<Self, DomainError> {
        scope.require_manager(agent)?;
        Ok(CannedReply {
            id,
            scope,
            shortcut: draft.shortcut,
            title: draft.title,
            body: draft.body,
            usage_count: 0,
            created_by: agent.id.clone(),
            created_at: now,
            updated_by: agent.id.clone(),
            updated_at: now,
            review_at: now.plus_millis(REVIEW_AFTER_MS),
            revision: 1,
        })
    }

    /// Whoever sees the scope reads the reply, and whoever manages it (an administrator
    /// looking at another agent's personal reply).
    pub fn readable_by(&self, agent: &Agent) -> bool {
        self.scope.visible_to(agent) || self.scope.manageable_by(agent)
    }

    /// Refused the same way whether or not the reply exists elsewhere: nothing about it is told.
    pub fn require_reader(&self, agent: &Agent) -> Result<(), DomainError> {
        if self.readable_by(agent) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(format!(
                "canned reply {} is not one of yours, your groups' or a global one",
                self.id
            )))
        }
    }

    pub fn is_stale(&self, now: Timestamp) -> bool {
        now >= self.review_at
    }

    /// An edit: new content and possibly a new scope (the agent must manage both). The review
    /// date moves out again: the reply was just looked at.
    pub fn edit(
        &mut self,
        scope: ReplyScope,
        draft: ReplyDraft,
        agent: &Agent,
        now: Timestamp,
    ) -> Result<(), DomainError> {
        self.scope.require_manager(agent)?;
        scope.require_manager(agent)?;
        self.scope = scope;
        self.shortcut = draft.shortcut;
        self.title = draft.title;
        self.body = draft.body;
        self.touch(agent, now);
        Ok(())
    }

    /// The reply was reviewed and still holds: it is due again `REVIEW_AFTER_MS` from now.
    pub fn mark_reviewed(&mut self, agent: &Agent, now: Timestamp) -> Result<(), DomainError> {
        self.scope.require_manager(agent)?;
        self.touch(agent, now);
        Ok(())
    }

    pub fn require_deleter(&self, agent: &Agent) -> Result<(), DomainError> {
        self.scope.require_manager(agent)
    }

    fn touch(&mut self, agent: &Agent, now: Timestamp) {
        // Never before the last change, even if a clock steps back.
        let at = Timestamp(now.0.max(self.updated_at.0));
        self.updated_by = agent.id.clone();
        self.updated_at = at;
        self.review_at = at.plus_millis(REVIEW_AFTER_MS);
        self.revision += 1;
    }

    /// The body with its placeholders filled. The values are inserted as they are (the text is
    /// a message the agent still edits and sends, rendered as every message is).
    pub fn fill(&self, values: &PlaceholderValues) -> String {
        let mut out = String::with_capacity(self.body.len());
        let mut rest = self.body.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let name = after.find('}').map(|close| &after[..close]);
            let value = match name {
                Some("customer_name") => Some(values.customer_name.as_str()),
                Some("agent_name") => Some(values.agent_name.as_str()),
                Some("group") => Some(values.group.as_str()),
                _ => None,
            };
            match (name, value) {
                (Some(name), Some(value)) => {
                    out.push_str(value);
                    rest = &after[name.len() + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// The names written as `{name}` in `body`, where a name is lowercase letters and `_` (other
/// braces, such as `{ }` or `{1}`, are text).
fn placeholders_in(body: &str) -> impl Iterator<Item = &str> {
    body.split('{').skip(1).filter_map(|part| {
        let name = &part[..part.find('}')?];
        let is_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        is_name.then_some(name)
    })
}

#[cfg(test)]
mod tests;
