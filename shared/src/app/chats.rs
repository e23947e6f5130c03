use super::mutate::Mutated;
use super::{App, AppError};
use crate::auth::Principal;
use crate::domain::rules::{self, EndedBy, Sender};
use crate::domain::{
    limits, Chat, ChatEvent, ChatId, ChatRow, ChatState, ClientMessageId, DomainError, Group,
    GroupId, Timestamp,
};
use crate::ports::ChatNotice;

pub use crate::domain::limits::MAX_EVENTS_PER_READ;

#[derive(Clone, Debug)]
pub struct StartChat {
    pub group_id: GroupId,
    /// The name the customer wants to be called.
    pub name: String,
    pub email: Option<String>,
    pub question: String,
    /// Makes a retried start idempotent for the question message; generated when absent.
    pub client_msg_id: Option<ClientMessageId>,
    /// For websites that know their users: their user id and `HMAC-SHA256(secret, user_id)` in
    /// hex, computed on the website's server.
    pub identity: Option<CustomerIdentity>,
}

#[derive(Clone, Debug)]
pub struct CustomerIdentity {
    pub user_id: String,
    pub hash: String,
}

/// What a customer sees of their chat.
#[derive(Clone, Debug)]
pub struct CustomerChat {
    pub id: ChatId,
    pub state: ChatState,
    pub group_id: GroupId,
    pub group_name: String,
    pub name: String,
    pub agent_name: Option<String>,
    /// How many customers wait ahead in the queue (only while queued).
    pub queue_position: Option<u32>,
    pub started_at: Timestamp,
    pub last_seq: u64,
    /// The customer's own satisfaction score, once they rated the ended chat.
    pub rating: Option<u8>,
    /// While waiting in the queue: the customer may leave a message instead (waited past the
    /// group's limit, or nobody can answer now).
    pub offer_message: bool,
}

/// A chat as the caller may see it: agents get the full list row, the chat's customer their view.
#[derive(Clone, Debug)]
pub enum ChatForCaller {
    Agent(ChatRow),
    Customer(CustomerChat),
}

#[derive(Clone, Debug)]
pub struct StartedChat {
    pub chat: CustomerChat,
    /// Opens this chat (and only this chat) for the customer.
    pub token: String,
}

impl App {
    pub(crate) async fn group_name(&self, id: &GroupId) -> Result<String, AppError> {
        Ok(self
            .directory
            .list_groups()
            .await?
            .into_iter()
            .find(|g| &g.id == id)
            .map(|g| g.name)
            .unwrap_or_else(|| id.to_string()))
    }

    /// `group` when the caller already has it (saves reading the groups again).
    async fn customer_view(
        &self,
        chat: &Chat,
        group: Option<&Group>,
    ) -> Result<CustomerChat, AppError> {
        let queue_position = if chat.state == ChatState::Queued && !chat.is_deleted() {
            Some(self.chats.queue_position(chat).await?)
        } else {
            None
        };
        Ok(CustomerChat {
            id: chat.id.clone(),
            state: chat.state,
            group_id: chat.group_id.clone(),
            group_name: match group {
                Some(g) => g.name.clone(),
                None => self.group_name(&chat.group_id).await?,
            },
            name: chat.customer.name.clone(),
            agent_name: chat.agent_name.clone(),
            queue_position,
            started_at: chat.started_at,
            last_seq: chat.last_seq,
            rating: chat.rating.as_ref().map(|r| r.score),
            offer_message: self.offers_message(chat, group).await?,
        })
    }

    /// A customer starts a chat: it is queued in the chosen group and they get a token for it.
    pub async fn start_chat(&self, req: StartChat) -> Result<StartedChat, AppError> {
        let groups = self.directory.list_groups().await?;
        let group = groups
            .iter()
            .find(|g| g.id == req.group_id)
            .ok_or_else(|| AppError::NotFound(format!("group {} was not found", req.group_id)))?;
        self.require_chat_offered(group).await?;
        let verified_user_id = match &req.identity {
            None => None,
            Some(identity) => Some(self.verify_identity(identity)?),
        };
        let now = self.clock.now();
        let mut new = rules::start_chat(
            ChatId::generate(),
            group,
            &req.name,
            req.email.as_deref(),
            &req.question,
            req.client_msg_id.unwrap_or_else(ClientMessageId::generate),
            now,
        )?;
        new.chat.customer.verified_user_id = verified_user_id;
        let events = crate::domain::numbering::opening_events(&new.chat.id, new.events, now);
        self.chats.create_chat(&new.chat, &events).await?;
        if let Some(first) = events.first() {
            self.notifier
                .chat_changed(&ChatNotice {
                    chat: new.chat.clone(),
                    event: first.clone(),
                    previous_group: None,
                    readers_changed: false,
                    queued_before: None,
                })
                .await;
        }
        let token = self
            .tokens
            .issue_customer(&new.chat.id, now)
            .map_err(|e| AppError::Internal(crate::ports::StoreError::Corrupt(e)))?;
        let chat = self
            .distribute_new(&new.chat, group)
            .await
            .unwrap_or(new.chat);
        Ok(StartedChat {
            chat: self.customer_view(&chat, Some(group)).await?,
            token,
        })
    }

    fn verify_identity(&self, identity: &CustomerIdentity) -> Result<String, AppError> {
        let verifier = self.identity.as_ref().ok_or_else(|| {
            AppError::Domain(DomainError::invalid(
                "identity",
                "identity validation is not configured on this deployment",
            ))
        })?;
        let user_id =
            crate::domain::limits::single_line("identity.user_id", &identity.user_id, 128)?;
        if verifier.verify(&user_id, &identity.hash) {
            Ok(user_id)
        } else {
            Err(AppError::Forbidden(
                "the identity hash does not match the user id".into(),
            ))
        }
    }

    /// The chat a principal may read: agents of its group (or its agent), or its own customer.
    pub(crate) async fn readable_chat(
        &self,
        principal: &Principal,
        id: &ChatId,
    ) -> Result<Chat, AppError> {
        match principal {
            Principal::Customer(own) => {
                if own != id {
                    return Err(AppError::Forbidden(
                        "a customer token only opens its own chat".into(),
                    ));
                }
                let chat = self.load_chat(id).await?;
                if chat.is_deleted() {
                    return Err(AppError::NotFound(format!("chat {id} was not found")));
                }
                Ok(chat)
            }
            Principal::Agent(..) => {
                let agent = self.agent(principal).await?;
                let chat = self.load_chat(id).await?;
                if !rules::can_view(&chat, &agent) {
                    return Err(AppError::Forbidden(format!(
                        "chat {id} belongs to a group you are not a member of"
                    )));
                }
                Ok(chat)
            }
        }
    }

    /// One chat: the list row for an agent who may see it, the customer view for its customer.
    pub async fn chat_for(
        &self,
        principal: &Principal,
        id: &ChatId,
    ) -> Result<ChatForCaller, AppError> {
        let chat = self.readable_chat(principal, id).await?;
        Ok(match principal {
            Principal::Agent(..) => ChatForCaller::Agent(self.row(&chat).await?),
            Principal::Customer(_) => {
                ChatForCaller::Customer(self.customer_view(&chat, None).await?)
            }
        })
    }

    pub(crate) async fn row(&self, chat: &Chat) -> Result<ChatRow, AppError> {
        let name = self.group_name(&chat.group_id).await?;
        let idle = self.idle_thresholds_as_known();
        Ok(ChatRow::from_chat(chat, &name, self.clock.now(), &idle))
    }

    /// The chat's events after `after_seq`, in order. Customers get only what is meant for them.
    /// A sequence number or a count out of range is refused (`after_seq`, `limit`), before the
    /// chat is read.
    pub async fn events(
        &self,
        principal: &Principal,
        id: &ChatId,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<ChatEvent>, AppError> {
        let after_seq = limits::sequence_number("after_seq", after_seq)?;
        let limit = limits::events_per_read(Some(limit))?;
        self.readable_chat(principal, id).await?;
        let events = self.chats.events_after(id, after_seq, limit).await?;
        Ok(match principal {
            Principal::Customer(_) => events.iter().filter_map(ChatEvent::for_customer).collect(),
            Principal::Agent(..) => events,
        })
    }

    /// Sends a message; a retry with the same client id returns the first one, stored once.
    /// Returns the stored message and whether it was a duplicate.
    pub async fn send_message(
        &self,
        principal: &Principal,
        id: &ChatId,
        client_msg_id: ClientMessageId,
        body: &str,
    ) -> Result<(ChatEvent, bool), AppError> {
        let sender_agent = match principal {
            Principal::Customer(own) if own == id => None,
            Principal::Customer(_) => {
                return Err(AppError::Forbidden(
                    "a customer token only opens its own chat".into(),
                ))
            }
            Principal::Agent(..) => Some(self.agent(principal).await?),
        };
        let result = self
            .mutate_chat(id, |chat, now| {
                let sender = match &sender_agent {
                    Some(agent) => Sender::Agent(agent),
                    None => Sender::Customer,
                };
                rules::send_message(chat, sender, client_msg_id.clone(), body, now)
            })
            .await;
        let outcome = match result {
            Ok(outcome) => outcome,
            // A retry of a send that was stored just before the chat ended (or was otherwise
            // refused since) still answers with the stored message: sends are idempotent.
            Err(AppError::Domain(e)) => match self.chats.find_message(id, &client_msg_id).await? {
                Some(existing) => return Ok((existing, true)),
                None => return Err(AppError::Domain(e)),
            },
            Err(e) => return Err(e),
        };
        Ok(match outcome {
            Mutated::Changed { event, .. } => (event, false),
            Mutated::Duplicate { event, .. } => (event, true),
        })
    }

    /// The customer ends their own chat.
    pub async fn customer_end_chat(
        &self,
        principal: &Principal,
        id: &ChatId,
    ) -> Result<CustomerChat, AppError> {
        require_own_customer(principal, id, "agents end chats through the end action")?;
        let out = self
            .mutate_chat(id, |chat, now| {
                rules::end(chat, EndedBy::Customer, None, now)
            })
            .await?;
        self.customer_view(out.chat(), None).await
    }

    /// The customer rates their ended chat, once (the compare-and-set commit makes two ratings
    /// sent at once store one). Only with the chat's own customer token.
    pub async fn rate_chat(
        &self,
        principal: &Principal,
        id: &ChatId,
        score: u8,
        comment: Option<&str>,
    ) -> Result<CustomerChat, AppError> {
        require_own_customer(principal, id, "only the chat's customer rates it")?;
        let out = self
            .mutate_chat(id, |chat, now| rules::rate(chat, score, comment, now))
            .await?;
        self.customer_view(out.chat(), None).await
    }
}

/// Actions only a chat's own customer takes: refuses another chat's token, and agents with
/// `for_agents` (what they do instead).
fn require_own_customer(
    principal: &Principal,
    id: &ChatId,
    for_agents: &str,
) -> Result<(), AppError> {
    match principal {
        Principal::Customer(own) if own == id => Ok(()),
        Principal::Customer(_) => Err(AppError::Forbidden(
            "a customer token only opens its own chat".into(),
        )),
        Principal::Agent(..) => Err(AppError::Forbidden(for_agents.into())),
    }
}
