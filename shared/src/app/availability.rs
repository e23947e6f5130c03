//! Whether anyone can answer in a group now, as the customer sees it before typing: within the
//! group's business hours, and some member receiving chats (switched to available, with a console
//! open or gone for less than the grace period: the rule distribution hands chats out by). Only
//! customer-facing facts leave here: the state, the offer, the notice, the next opening; never
//! who is on duty or how many.

use std::collections::HashMap;

use super::{App, AppError};
use crate::domain::offline::{self, Availability, Offer};
use crate::domain::{handoff, Agent, AgentId, Chat, Group, GroupId, MailPlaceholders, TextKind};

/// A group with its availability now and its offline notice, rendered.
#[derive(Clone, Debug)]
pub struct GroupAvailability {
    pub group: Group,
    pub availability: Availability,
    pub notice: String,
}

impl App {
    /// Every group with its availability now. Public: the chat page, the custom links and the
    /// website widget show it before the customer types.
    pub async fn groups_with_availability(&self) -> Result<Vec<GroupAvailability>, AppError> {
        let groups = self.directory.list_groups().await?;
        let mut staffing = Staffing::new(self.directory.list_agents().await?);
        let now = self.clock.now();
        let mut out = Vec::with_capacity(groups.len());
        for group in groups {
            let staffed = staffing.anyone_receiving(self, &group.id).await?;
            let availability = offline::availability(&group, staffed, now);
            let notice = offline_notice(&group, &availability);
            out.push(GroupAvailability {
                group,
                availability,
                notice,
            });
        }
        Ok(out)
    }

    /// The group's availability now. Reads who receives chats only when it matters: within
    /// hours, a group that lets the customer choose would offer a chat or the choice, and
    /// either lets a chat start, so `need_staffing` false skips the reads and reports it open.
    pub(crate) async fn availability_of(
        &self,
        group: &Group,
        need_staffing: bool,
    ) -> Result<Availability, AppError> {
        let staffed = if need_staffing {
            Staffing::new(self.directory.list_agents().await?)
                .anyone_receiving(self, &group.id)
                .await?
        } else {
            true
        };
        Ok(offline::availability(group, staffed, self.clock.now()))
    }

    /// Refuses to start a chat in a group that offers only a message now.
    pub(crate) async fn require_chat_offered(&self, group: &Group) -> Result<(), AppError> {
        let message_only =
            group.offline.when_closed_or_unstaffed == offline::WhenClosed::MessageOnly;
        if !message_only && group.business_hours.is_none() {
            return Ok(());
        }
        let availability = self.availability_of(group, message_only).await?;
        if availability.offer == Offer::Message {
            return Err(AppError::GroupClosed(format!(
                "{} cannot chat right now; please leave a message instead",
                group.name
            )));
        }
        Ok(())
    }

    /// Whether the customer of `chat` is offered to leave a message instead of waiting
    /// (`offline::offers_message`). Reads nothing for a chat that is not waiting. `group`: the
    /// chat's group when the caller has it.
    pub(crate) async fn offers_message(
        &self,
        chat: &Chat,
        group: Option<&Group>,
    ) -> Result<bool, AppError> {
        if chat.state != crate::domain::ChatState::Queued || chat.is_deleted() {
            return Ok(false);
        }
        let group = match group {
            Some(g) => g.clone(),
            None => match self
                .directory
                .list_groups()
                .await?
                .into_iter()
                .find(|g| g.id == chat.group_id)
            {
                Some(g) => g,
                None => return Ok(false),
            },
        };
        let now = self.clock.now();
        if offline::queue_wait_limit_passed(chat, &group, now) {
            return Ok(true);
        }
        let availability = self.availability_of(&group, true).await?;
        Ok(offline::offers_message(chat, &group, availability, now))
    }
}

/// Who receives chats now, read lazily: an agent's console (their `LOAD` item) is read only
/// when no member read before receives chats, and at most once. A group with someone at work
/// costs one read, whatever the size of the team.
struct Staffing {
    agents: Vec<Agent>,
    receiving: HashMap<AgentId, bool>,
}

impl Staffing {
    fn new(agents: Vec<Agent>) -> Staffing {
        Staffing {
            agents: agents
                .into_iter()
                .filter(|a| a.available && !a.groups.is_empty())
                .collect(),
            receiving: HashMap::new(),
        }
    }

    async fn anyone_receiving(&mut self, app: &App, group: &GroupId) -> Result<bool, AppError> {
        let members: Vec<AgentId> = self
            .agents
            .iter()
            .filter(|a| a.is_member_of(group))
            .map(|a| a.id.clone())
            .collect();
        if members.iter().any(|m| self.receiving.get(m) == Some(&true)) {
            return Ok(true);
        }
        let now = app.clock.now();
        for member in members {
            if self.receiving.contains_key(&member) {
                continue;
            }
            let load = app.directory.assignment_load(&member).await?;
            let receives =
                handoff::receives_chats(true, load.offline_since, app.settings.away_grace_ms, now);
            self.receiving.insert(member, receives);
            if receives {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// The group's offline notice as plain text, with the group's name and, outside hours, when it
/// opens next (in the group's zone).
pub fn offline_notice(group: &Group, availability: &Availability) -> String {
    let next_open = match (&group.business_hours, availability.next_open_at) {
        (Some(hours), Some(at)) => Some(hours.format_local(at)),
        _ => None,
    };
    group.texts.render_text(
        TextKind::OfflineNotice,
        &MailPlaceholders {
            group: group.name.clone(),
            next_open,
            ..MailPlaceholders::default()
        },
    )
}
