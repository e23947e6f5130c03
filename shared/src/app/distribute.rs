//! Automatic distribution: groups set to `automatic` (least busy first) or `round_robin`
//! (members in turn) hand each waiting chat to an available member with room for it, instead of
//! leaving it for someone to pull. It runs after the change
//! that makes it possible (a chat starts in, or is transferred into, such a group's queue;
//! an agent ends or hands back a chat, or becomes available), in the same invocation, so a chat
//! never waits for a timer. Every hand-out is an ordinary conditional commit: a colleague who
//! pulls the chat at the same moment wins or loses cleanly, and nobody goes over their limit.
//!
//! Distribution never fails the change that triggered it: if it cannot run (a store error), the
//! chat stays in its queue, where anyone may still pull it, and the error is logged.

use super::mutate::Mutated;
use super::{App, AppError};
use crate::domain::distribution::{self, AgentLoad};
use crate::domain::handoff;
use crate::domain::{
    rules, Agent, AgentId, Chat, ChatId, ChatState, Distribution, DomainError, EventKind, Group,
};
use crate::errors::error_chain;
use crate::ports::ChatFilter;

/// Extra waiting chats read beyond an agent's room, for the ones colleagues take first.
const RACE_SLACK: usize = 10;
/// Reads of a round-robin turn before a chat is left in the queue (each lost race to another
/// chat's hand-out, or a member found full, costs one).
const TURN_ATTEMPTS: usize = 32;

impl App {
    /// After `chat` was committed with `event` (releasing `released`'s active chat, if any):
    /// hands the chat out if it was just put back into an automatic group's queue, then gives
    /// the released agent their next chats. Returns the chat if it was handed out. Anything else
    /// (a message or a follow-up on a waiting chat) costs nothing here: a waiting chat was
    /// already offered when it arrived, and is handed out when someone makes room.
    pub(crate) async fn distribute_after(
        &self,
        chat: &Chat,
        event: &EventKind,
        released: Option<&AgentId>,
    ) -> Option<Chat> {
        let waits = matches!(event, EventKind::Requeued { .. })
            && chat.state == ChatState::Queued
            && !chat.is_deleted();
        if !waits && released.is_none() {
            return None;
        }
        match self.distribute(chat, waits, released).await {
            Ok(assigned) => assigned,
            Err(e) => {
                tracing::error!(error = %error_chain(&e), chat = %chat.id, "automatic distribution failed; the chat stays in its queue");
                None
            }
        }
    }

    /// A chat just started in `group` (read by the caller already): handed out at once if the
    /// group distributes automatically.
    pub(crate) async fn distribute_new(&self, chat: &Chat, group: &Group) -> Option<Chat> {
        if !group.distribution.hands_out() {
            return None;
        }
        match self.offer(group, &chat.id, None).await {
            Ok(assigned) => assigned,
            Err(e) => {
                tracing::error!(error = %error_chain(&e), chat = %chat.id, "automatic distribution failed; the chat stays in its queue");
                None
            }
        }
    }

    /// An agent became available: they get waiting chats of their automatic groups, up to their
    /// limit. Logged, never failed, like every distribution.
    pub(crate) async fn distribute_to(&self, agent: &AgentId) {
        let result = async {
            let automatic = self.automatic_groups().await?;
            self.fill_capacity(agent, &automatic, None).await
        }
        .await;
        if let Err(e) = result {
            tracing::error!(error = %error_chain(&e), agent = %agent, "automatic distribution failed; chats stay in their queues");
        }
    }

    async fn distribute(
        &self,
        chat: &Chat,
        waits: bool,
        released: Option<&AgentId>,
    ) -> Result<Option<Chat>, AppError> {
        let automatic = self.automatic_groups().await?;
        if automatic.is_empty() {
            return Ok(None);
        }
        let mut assigned = None;
        if waits {
            if let Some(group) = automatic.iter().find(|g| g.id == chat.group_id) {
                // Not back to the agent who just handed it to the queue.
                assigned = self.offer(group, &chat.id, released).await?;
            }
        }
        if let Some(agent) = released {
            self.fill_capacity(agent, &automatic, Some(&chat.id))
                .await?;
        }
        Ok(assigned)
    }

    async fn automatic_groups(&self) -> Result<Vec<Group>, AppError> {
        Ok(self
            .directory
            .list_groups()
            .await?
            .into_iter()
            .filter(|g| g.distribution.hands_out())
            .collect())
    }

    /// Offers a waiting chat to the group's agents in `offer_order` (or in turns, for a
    /// round-robin group); the first commit wins.
    async fn offer(
        &self,
        group: &Group,
        chat: &ChatId,
        except: Option<&AgentId>,
    ) -> Result<Option<Chat>, AppError> {
        let loads = self.agent_loads(group).await?;
        if group.distribution == Distribution::RoundRobin {
            return self.offer_in_turn(group, chat, &loads, except).await;
        }
        for agent in distribution::offer_order(group, chat, &loads, except) {
            match self.hand_out(chat, agent).await? {
                HandOut::Assigned(chat) => return Ok(Some(*chat)),
                HandOut::AgentFull => continue,
                HandOut::ChatGone => return Ok(None),
            }
        }
        Ok(None)
    }

    /// Round robin: the turn passes to the next member with room after the one who had it
    /// (a conditional write, so two chats arriving at once never take the same turn: the one
    /// that loses reads the turn again), then the chat is handed to them. A member who filled up
    /// in between is passed over, and the turn goes on to the next.
    async fn offer_in_turn(
        &self,
        group: &Group,
        chat: &ChatId,
        loads: &[AgentLoad],
        except: Option<&AgentId>,
    ) -> Result<Option<Chat>, AppError> {
        let mut passed_over: Vec<AgentId> = Vec::new();
        for _ in 0..TURN_ATTEMPTS {
            let last = self.directory.round_robin_turn(&group.id).await?;
            let order = distribution::turn_order(group, loads, last.as_ref(), except);
            let Some(next) = order.into_iter().find(|a| !passed_over.contains(&a.id)) else {
                return Ok(None);
            };
            if !self
                .directory
                .pass_round_robin_turn(&group.id, last.as_ref(), &next.id)
                .await?
            {
                // Another chat took this turn: read whose it is now.
                continue;
            }
            match self.hand_out(chat, next).await? {
                HandOut::Assigned(chat) => return Ok(Some(*chat)),
                HandOut::AgentFull => passed_over.push(next.id.clone()),
                HandOut::ChatGone => return Ok(None),
            }
        }
        Ok(None)
    }

    /// The group's members who receive chats now (available, and with a console open or gone
    /// for less than the grace period) and their active-chat counts.
    pub(crate) async fn agent_loads(&self, group: &Group) -> Result<Vec<AgentLoad>, AppError> {
        let mut loads = Vec::new();
        let now = self.clock.now();
        for agent in self.directory.list_agents().await? {
            if !agent.available || !agent.is_member_of(&group.id) {
                continue;
            }
            let load = self.directory.assignment_load(&agent.id).await?;
            if !handoff::receives_chats(true, load.offline_since, self.settings.away_grace_ms, now)
            {
                continue;
            }
            loads.push(AgentLoad {
                agent,
                active_chats: load.active_chats,
                last_assigned_at: load.last_assigned_at,
            });
        }
        Ok(loads)
    }

    /// Gives `agent` the longest-waiting chats of their automatic groups while they have room.
    /// `skip` is the chat they just handed back.
    async fn fill_capacity(
        &self,
        agent: &AgentId,
        automatic: &[Group],
        skip: Option<&ChatId>,
    ) -> Result<(), AppError> {
        let Some(agent) = self.directory.get_agent(agent).await? else {
            return Ok(());
        };
        let groups: Vec<&Group> = automatic
            .iter()
            .filter(|g| agent.is_member_of(&g.id))
            .collect();
        if !agent.available || groups.is_empty() {
            return Ok(());
        }
        let load = self.directory.assignment_load(&agent.id).await?;
        let now = self.clock.now();
        if !handoff::receives_chats(true, load.offline_since, self.settings.away_grace_ms, now) {
            return Ok(());
        }
        let room = agent.max_concurrent_chats.saturating_sub(load.active_chats) as usize;
        if room == 0 {
            return Ok(());
        }
        let mut waiting = Vec::new();
        for group in groups {
            // More than the room: colleagues freed at the same moment take some of the oldest
            // (a lost race moves on to the next), and the skipped chat may be among them.
            let queued = self
                .chats
                .list_positions(&ChatFilter::GroupQueue(group.id.clone()), room + RACE_SLACK)
                .await?;
            waiting.extend(queued.into_iter().filter(|c| Some(&c.chat_id) != skip));
        }
        // Queue places order by when each chat joined the queue, then by id.
        waiting.sort();
        let mut given = 0;
        for place in waiting {
            if given == room {
                break;
            }
            match self.hand_out(&place.chat_id, &agent).await? {
                HandOut::Assigned(_) => given += 1,
                HandOut::AgentFull => break,
                HandOut::ChatGone => continue,
            }
        }
        Ok(())
    }

    /// One conditional hand-out of a waiting chat to an agent.
    async fn hand_out(&self, chat: &ChatId, agent: &Agent) -> Result<HandOut, AppError> {
        let result = self
            .commit_rule(chat, |c, now| rules::assign_automatically(c, agent, now))
            .await;
        match result {
            Ok((Mutated::Changed { chat, .. }, _)) => Ok(HandOut::Assigned(Box::new(chat))),
            Ok((Mutated::Duplicate { .. }, _)) => Ok(HandOut::ChatGone),
            // The agent filled up meanwhile (the counter is checked in the same commit).
            Err(AppError::Domain(DomainError::AtCapacity { .. })) => Ok(HandOut::AgentFull),
            // Pulled, transferred, ended or purged meanwhile, or busy with others' changes: it
            // is not waiting for this hand-out any more.
            Err(AppError::Domain(DomainError::InvalidState(_)))
            | Err(AppError::NotFound(_))
            | Err(AppError::Conflict(_)) => Ok(HandOut::ChatGone),
            Err(e) => Err(e),
        }
    }
}

enum HandOut {
    Assigned(Box<Chat>),
    AgentFull,
    ChatGone,
}
