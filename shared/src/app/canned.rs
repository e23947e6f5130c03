//! Canned replies: the ones an agent sees, managing them by scope, and using one in a chat (the
//! body with its placeholders filled from the chat, and the use counted). The agent still sends
//! the text through the chat's message path: using a reply sends nothing.

use super::{App, AppError};
use crate::auth::Principal;
use crate::domain::canned::PlaceholderValues;
use crate::domain::{
    Agent, CannedReply, CannedReplyId, ChatId, DomainError, GroupId, ReplyDraft, ReplyScope,
    Shortcut, Timestamp,
};
use crate::ports::StoreError;

/// Lost races on a review retried before giving up, with a short random pause.
const SAVE_ATTEMPTS: u32 = 10;
const MAX_BACKOFF_MS: u64 = 50;

/// Where a new or edited reply belongs, as the caller names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopeChoice {
    /// The caller's own.
    Personal,
    Group(GroupId),
    Global,
}

impl ScopeChoice {
    fn for_agent(self, agent: &Agent) -> ReplyScope {
        match self {
            ScopeChoice::Personal => ReplyScope::Personal(agent.id.clone()),
            ScopeChoice::Group(g) => ReplyScope::Group(g),
            ScopeChoice::Global => ReplyScope::Global,
        }
    }
}

/// A reply's content and scope, as written in the console.
#[derive(Clone, Debug)]
pub struct ReplyInput {
    pub scope: ScopeChoice,
    pub shortcut: String,
    pub title: String,
    pub body: String,
}

/// A reply as the caller sees it: with whether it is due for review, and whether they may
/// change it.
#[derive(Clone, Debug)]
pub struct ReplyView {
    pub reply: CannedReply,
    pub stale: bool,
    pub can_manage: bool,
}

/// A reply used in a chat: the text to insert, and the count after this use.
#[derive(Clone, Debug)]
pub struct UsedReply {
    pub reply_id: CannedReplyId,
    pub chat_id: ChatId,
    pub text: String,
    pub usage_count: u64,
}

impl App {
    fn reply_view(&self, reply: CannedReply, agent: &Agent, now: Timestamp) -> ReplyView {
        ReplyView {
            stale: reply.is_stale(now),
            can_manage: reply.scope.manageable_by(agent),
            reply,
        }
    }

    /// The replies the caller sees: their own, their groups' and the global ones; with
    /// `group`, only those that apply in that group's chats (theirs, that group's, global).
    /// `prefix` narrows to shortcuts starting with it. In shortcut order, personal first.
    pub async fn canned_replies(
        &self,
        principal: &Principal,
        group: Option<&GroupId>,
        prefix: &str,
    ) -> Result<Vec<ReplyView>, AppError> {
        let agent = self.agent(principal).await?;
        let prefix = Shortcut::parse_prefix(prefix)?;
        let mut scopes = vec![ReplyScope::Personal(agent.id.clone())];
        match group {
            Some(g) => {
                if !agent.is_member_of(g) {
                    return Err(AppError::Forbidden(format!(
                        "you are not a member of group {g}"
                    )));
                }
                scopes.push(ReplyScope::Group(g.clone()));
            }
            None => scopes.extend(agent.groups.iter().cloned().map(ReplyScope::Group)),
        }
        scopes.push(ReplyScope::Global);
        let now = self.clock.now();
        let mut views = Vec::new();
        for scope in &scopes {
            for reply in self.canned.list_replies(scope, &prefix).await? {
                views.push(self.reply_view(reply, &agent, now));
            }
        }
        Ok(views)
    }

    pub async fn canned_reply(
        &self,
        principal: &Principal,
        id: &CannedReplyId,
    ) -> Result<ReplyView, AppError> {
        let agent = self.agent(principal).await?;
        let reply = self.load_reply(id).await?;
        reply.require_reader(&agent)?;
        Ok(self.reply_view(reply, &agent, self.clock.now()))
    }

    pub async fn create_canned_reply(
        &self,
        principal: &Principal,
        input: ReplyInput,
    ) -> Result<ReplyView, AppError> {
        let agent = self.agent(principal).await?;
        let draft = ReplyDraft::parse(&input.shortcut, &input.title, &input.body)?;
        let scope = input.scope.for_agent(&agent);
        if let ReplyScope::Group(g) = &scope {
            self.find_group(g).await?;
        }
        let now = self.clock.now();
        let reply = CannedReply::create(CannedReplyId::generate(), scope, draft, &agent, now)?;
        self.canned
            .create_reply(&reply)
            .await
            .map_err(shortcut_taken)?;
        Ok(self.reply_view(reply, &agent, now))
    }

    /// An edit over the revision the editor read: someone else's edit in between is a 409, so
    /// nobody overwrites what they did not see.
    pub async fn update_canned_reply(
        &self,
        principal: &Principal,
        id: &CannedReplyId,
        input: ReplyInput,
        read_revision: u64,
    ) -> Result<ReplyView, AppError> {
        let agent = self.agent(principal).await?;
        let draft = ReplyDraft::parse(&input.shortcut, &input.title, &input.body)?;
        let mut reply = self.load_reply(id).await?;
        reply.require_reader(&agent)?;
        let scope = input.scope.for_agent(&agent);
        if let ReplyScope::Group(g) = &scope {
            self.find_group(g).await?;
        }
        let now = self.clock.now();
        reply.edit(scope, draft, &agent, now)?;
        if read_revision.checked_add(1) != Some(reply.revision) {
            // Checked after the rules, so someone who may not edit it learns nothing more.
            return Err(changed_since_read(id));
        }
        match self.canned.save_reply(&reply, read_revision).await {
            Ok(()) => Ok(self.reply_view(reply, &agent, now)),
            Err(StoreError::Stale) => Err(changed_since_read(id)),
            Err(e) => Err(shortcut_taken(e)),
        }
    }

    pub async fn delete_canned_reply(
        &self,
        principal: &Principal,
        id: &CannedReplyId,
    ) -> Result<(), AppError> {
        let agent = self.agent(principal).await?;
        for _ in 0..SAVE_ATTEMPTS {
            let reply = self.load_reply(id).await?;
            reply.require_reader(&agent)?;
            reply.require_deleter(&agent)?;
            match self.canned.delete_reply(&reply).await {
                Ok(()) => return Ok(()),
                // Edited meanwhile: the rules are checked again on what it is now.
                Err(StoreError::Stale) => pause().await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(busy(id))
    }

    /// The reply still holds: its review date moves out again (retried over concurrent
    /// changes, since marking reviewed twice is the same as once).
    pub async fn mark_canned_reply_reviewed(
        &self,
        principal: &Principal,
        id: &CannedReplyId,
    ) -> Result<ReplyView, AppError> {
        let agent = self.agent(principal).await?;
        for _ in 0..SAVE_ATTEMPTS {
            let mut reply = self.load_reply(id).await?;
            reply.require_reader(&agent)?;
            let read = reply.revision;
            let now = self.clock.now();
            reply.mark_reviewed(&agent, now)?;
            match self.canned.save_reply(&reply, read).await {
                Ok(()) => return Ok(self.reply_view(reply, &agent, now)),
                Err(StoreError::Stale) => pause().await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(busy(id))
    }

    /// Uses a reply in a chat the caller may read: the body with `{customer_name}`,
    /// `{agent_name}` and `{group}` filled from that chat, and the use counted.
    pub async fn use_canned_reply(
        &self,
        principal: &Principal,
        id: &CannedReplyId,
        chat_id: &ChatId,
    ) -> Result<UsedReply, AppError> {
        let agent = self.agent(principal).await?;
        let reply = self.load_reply(id).await?;
        reply.require_reader(&agent)?;
        let chat = self.readable_chat(principal, chat_id).await?;
        let group = self.group_name(&chat.group_id).await?;
        let text = reply.fill(&PlaceholderValues {
            customer_name: chat.customer.name.clone(),
            agent_name: agent.display_name.clone(),
            group,
        });
        let usage_count = self.canned.count_use(id).await?;
        Ok(UsedReply {
            reply_id: id.clone(),
            chat_id: chat.id,
            text,
            usage_count,
        })
    }

    async fn load_reply(&self, id: &CannedReplyId) -> Result<CannedReply, AppError> {
        self.canned
            .get_reply(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("canned reply {id} was not found")))
    }
}

fn shortcut_taken(e: StoreError) -> AppError {
    match e {
        StoreError::AlreadyExists(what) => {
            AppError::Conflict(format!("{what} is already taken; choose another shortcut"))
        }
        other => other.into(),
    }
}

fn changed_since_read(id: &CannedReplyId) -> AppError {
    AppError::Conflict(format!(
        "canned reply {id} was changed by someone else since you read it; read it again"
    ))
}

fn busy(id: &CannedReplyId) -> AppError {
    AppError::Conflict(format!(
        "canned reply {id} is being changed by others; try again"
    ))
}

async fn pause() {
    let ms = rand::random::<u64>() % (MAX_BACKOFF_MS + 1);
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
}

impl ScopeChoice {
    /// The scope a request names: `personal`, `global`, or `group` with `group_id`.
    pub fn parse(kind: &str, group_id: Option<&str>) -> Result<Self, DomainError> {
        match (kind, group_id) {
            ("personal", None) => Ok(ScopeChoice::Personal),
            ("global", None) => Ok(ScopeChoice::Global),
            ("group", Some(g)) => Ok(ScopeChoice::Group(GroupId::parse(g)?)),
            ("group", None) => Err(DomainError::invalid(
                "group_id",
                "is required for a group's reply",
            )),
            ("personal" | "global", Some(_)) => Err(DomainError::invalid(
                "group_id",
                "is only for a group's reply",
            )),
            _ => Err(DomainError::invalid(
                "scope",
                "must be personal, group or global",
            )),
        }
    }
}
