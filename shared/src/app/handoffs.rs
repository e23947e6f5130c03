//! The hand-off sweep: finds the chats whose hand-off timer ran out and moves each on, to
//! another member (groups that distribute automatically) or back to the head of its queue.
//! The local server runs it every few hundred milliseconds, the cloud once a minute (an
//! EventBridge rule). It reads only the deadline index (chats awaiting their agent since before
//! the group's timer; agents with no console open), so a sweep with nothing due costs a few
//! empty queries.
//!
//! Firing is idempotent: each hand-off re-checks its timer on the chat as read, inside the
//! compare-and-set commit (`commit_rule`), so a sweep that runs twice, late, or after the agent
//! answered (the chat moved on: a new sequence number) changes nothing; a hand-off racing a
//! manual take, transfer or end leaves exactly one winner.

use std::collections::HashMap;

use super::mutate::Mutated;
use super::{App, AppError};
use crate::domain::distribution::{self, AgentLoad};
use crate::domain::handoff::{self, HandOffReason};
use crate::domain::{
    Agent, AgentId, Awaiting, Chat, ChatId, Distribution, DomainError, Group, GroupId, Timestamp,
};
use crate::errors::error_chain;
use crate::ports::{ChatFilter, ConnectionStore, PrincipalKey};

/// Chats (and offline agents) one sweep takes from each index query; the rest wait for the next
/// sweep, a moment later.
pub const SWEEP_BATCH: usize = 100;

/// A function the cloud runs on a schedule (an EventBridge rule) rather than for a request.
/// Declared here so that the deployment manifest, and through it the template checks, know the
/// function and its schedule.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct ScheduledFunction {
    /// The function (binary) the rule invokes.
    pub function: &'static str,
    /// The rule's `ScheduleExpression`.
    pub schedule_expression: &'static str,
}

/// The cloud's sweep: once a minute, so a timer fires within about a minute of its deadline
/// (the local server sweeps every few hundred milliseconds). A minute is EventBridge's finest
/// rate; a sweep with nothing due costs a few empty queries.
pub const HAND_OFF_SWEEP: ScheduledFunction = ScheduledFunction {
    function: "hand-off-timers",
    schedule_expression: "rate(1 minute)",
};
/// Active chats of one offline agent read per sweep (far above any concurrent-chat limit).
const AGENT_CHATS: usize = 200;

/// What one sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Chats read because the index said a timer may have run out.
    pub checked: u32,
    /// Chats handed to a colleague.
    pub to_agent: u32,
    /// Chats put back in their queue (nobody to take them, or the cap reached).
    pub to_queue: u32,
}

/// What set a hand-off off, re-checked on the chat inside the commit.
#[derive(Clone, Debug)]
enum Trigger {
    /// A response timer (`handoff::response_overdue`).
    Response,
    /// The agent's console has been gone since `since`.
    Disconnected { agent: AgentId, since: Timestamp },
}

enum Outcome {
    ToAgent,
    ToQueue,
    /// Not due any more (answered, moved on, ended), or lost to another change.
    Nothing,
}

impl App {
    /// Hands off every chat whose timer has run out now. `connections` tells whether an agent
    /// marked offline has a console again (a connect racing the disconnect that marked them).
    /// A chat that fails is logged and left for the next sweep; the others go on.
    pub async fn run_hand_off_timers(
        &self,
        connections: &dyn ConnectionStore,
    ) -> Result<SweepReport, AppError> {
        let now = self.clock.now();
        let groups: HashMap<GroupId, Group> = self
            .directory
            .list_groups()
            .await?
            .into_iter()
            .map(|g| (g.id.clone(), g))
            .collect();
        let mut report = SweepReport::default();
        for group in groups.values() {
            for kind in [Awaiting::FirstResponse, Awaiting::FollowUp] {
                let Some(timer) = group.hand_off.timer_ms(kind.reason()) else {
                    continue;
                };
                let due = self
                    .chats
                    .awaiting_chats(&group.id, kind, now.plus_millis(-timer), SWEEP_BATCH)
                    .await?;
                for chat in due {
                    report.checked += 1;
                    self.sweep_one(&chat, group, &Trigger::Response, &mut report)
                        .await;
                }
            }
        }
        self.sweep_disconnected(&groups, connections, now, &mut report)
            .await?;
        Ok(report)
    }

    /// The chats of agents whose last console went away longer ago than their group's
    /// disconnected timer.
    async fn sweep_disconnected(
        &self,
        groups: &HashMap<GroupId, Group>,
        connections: &dyn ConnectionStore,
        now: Timestamp,
        report: &mut SweepReport,
    ) -> Result<(), AppError> {
        let Some(shortest) = groups
            .values()
            .filter_map(|g| g.hand_off.timer_ms(HandOffReason::AgentDisconnected))
            .min()
        else {
            return Ok(());
        };
        let offline = self
            .directory
            .offline_agents(now.plus_millis(-shortest), SWEEP_BATCH)
            .await?;
        for (agent, since) in offline {
            let open = connections
                .principal_connections(&PrincipalKey::agent(&agent), now)
                .await?;
            if !open.is_empty() {
                // A console came back while the last one was being marked gone.
                self.directory.mark_online(&agent).await?;
                continue;
            }
            let chats = self
                .chats
                .list_chats(&ChatFilter::AgentActive(agent.clone()), AGENT_CHATS)
                .await?;
            for chat in chats {
                let Some(group) = groups.get(&chat.group_id) else {
                    continue;
                };
                if !handoff::disconnect_overdue(&chat, &agent, since, &group.hand_off, now) {
                    continue;
                }
                report.checked += 1;
                let trigger = Trigger::Disconnected {
                    agent: agent.clone(),
                    since,
                };
                self.sweep_one(&chat.id, group, &trigger, report).await;
            }
        }
        Ok(())
    }

    async fn sweep_one(
        &self,
        chat: &ChatId,
        group: &Group,
        trigger: &Trigger,
        report: &mut SweepReport,
    ) {
        match self.hand_off_chat(chat, group, trigger).await {
            Ok(Outcome::ToAgent) => report.to_agent += 1,
            Ok(Outcome::ToQueue) => report.to_queue += 1,
            Ok(Outcome::Nothing) => {}
            Err(e) => {
                tracing::error!(error = %error_chain(&e), chat = %chat, "hand-off failed; the next sweep tries again");
            }
        }
    }

    /// One chat: offered to the group's members who receive chats (never the agent it comes
    /// from) in the group's order, each a conditional commit that re-checks the timer; to the
    /// head of the queue when nobody takes it, or when it reaches the cap.
    async fn hand_off_chat(
        &self,
        chat_id: &ChatId,
        group: &Group,
        trigger: &Trigger,
    ) -> Result<Outcome, AppError> {
        let Some(chat) = self.chats.get_chat(chat_id).await? else {
            return Ok(Outcome::Nothing);
        };
        let Some(from) = chat.agent_id.clone() else {
            return Ok(Outcome::Nothing);
        };
        if group.distribution.hands_out() && !handoff::reaches_cap(&chat, &group.hand_off) {
            let loads = self.agent_loads(group).await?;
            let last_turn = match group.distribution {
                Distribution::RoundRobin => self.directory.round_robin_turn(&group.id).await?,
                _ => None,
            };
            for target in candidates(group, &chat, &loads, last_turn.as_ref(), &from) {
                match self
                    .commit_hand_off(chat_id, group, trigger, Some(target))
                    .await
                {
                    Ok(true) => {
                        if group.distribution == Distribution::RoundRobin {
                            // Best effort: a turn passed meanwhile by a new chat stands.
                            self.directory
                                .pass_round_robin_turn(&group.id, last_turn.as_ref(), &target.id)
                                .await?;
                        }
                        return Ok(Outcome::ToAgent);
                    }
                    Ok(false) => return Ok(Outcome::Nothing),
                    // Filled up since the loads were read: the next one.
                    Err(AppError::Domain(DomainError::AtCapacity { .. })) => continue,
                    Err(e) => return Err(e),
                }
            }
        }
        match self.commit_hand_off(chat_id, group, trigger, None).await? {
            true => Ok(Outcome::ToQueue),
            false => Ok(Outcome::Nothing),
        }
    }

    /// Commits a hand-off if its timer still holds on the chat as read at that moment: false
    /// when it does not (answered, moved on, ended) or the chat is gone.
    async fn commit_hand_off(
        &self,
        chat_id: &ChatId,
        group: &Group,
        trigger: &Trigger,
        to: Option<&Agent>,
    ) -> Result<bool, AppError> {
        let settings = group.hand_off;
        let result = self
            .commit_rule(chat_id, |chat, now| {
                let reason = due_reason(chat, &settings, trigger, now).ok_or_else(|| {
                    DomainError::InvalidState(format!("chat {} is not due", chat.id))
                })?;
                handoff::hand_off(chat, reason, &settings, to, now)
            })
            .await;
        match result {
            Ok((Mutated::Changed { chat, .. }, _)) => {
                if chat.escalated {
                    self.alert_managers(&chat, group).await;
                }
                Ok(true)
            }
            Ok((Mutated::Duplicate { .. }, _)) => Ok(false),
            Err(AppError::Domain(DomainError::InvalidState(_)))
            | Err(AppError::NotFound(_))
            | Err(AppError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn alert_managers(&self, chat: &Chat, group: &Group) {
        match self.directory.list_agents().await {
            Ok(agents) => {
                let managers: Vec<AgentId> = agents
                    .into_iter()
                    .filter(|a| a.role.is_manager_or_admin() && a.is_member_of(&group.id))
                    .map(|a| a.id)
                    .collect();
                self.notifier.hand_off_escalated(chat, &managers).await;
            }
            Err(e) => {
                tracing::error!(error = %error_chain(&e), chat = %chat.id, "managers could not be alerted of a chat at its hand-off limit");
            }
        }
    }
}

/// The reason a trigger still applies to the chat as it is now.
fn due_reason(
    chat: &Chat,
    settings: &crate::domain::HandOffSettings,
    trigger: &Trigger,
    now: Timestamp,
) -> Option<HandOffReason> {
    match trigger {
        Trigger::Response => handoff::response_overdue(chat, settings, now),
        Trigger::Disconnected { agent, since } => {
            handoff::disconnect_overdue(chat, agent, *since, settings, now)
                .then_some(HandOffReason::AgentDisconnected)
        }
    }
}

/// Who may take the chat over, best first, in the group's order: never the agent it comes from.
fn candidates<'a>(
    group: &Group,
    chat: &Chat,
    loads: &'a [AgentLoad],
    last_turn: Option<&AgentId>,
    from: &AgentId,
) -> Vec<&'a Agent> {
    match group.distribution {
        Distribution::RoundRobin => distribution::turn_order(group, loads, last_turn, Some(from)),
        _ => distribution::offer_order(group, &chat.id, loads, Some(from)),
    }
}
