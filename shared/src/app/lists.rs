use serde::{Deserialize, Serialize};

use super::{App, AppError};
use crate::auth::Principal;
use crate::domain::{sort, Chat, ChatRow, ChatView, Group, SortSpec};
use crate::ports::ChatFilter;

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChatList {
    pub view: ChatView,
    pub sort: SortSpec,
    pub rows: Vec<ChatRow>,
}

impl App {
    /// The chats of one view, as rows sorted by `sort` (else the agent's saved sort).
    pub async fn list_chats(
        &self,
        principal: &Principal,
        view: ChatView,
        sort: Option<SortSpec>,
    ) -> Result<ChatList, AppError> {
        let agent = self.agent(principal).await?;
        let groups = self.directory.list_groups().await?;
        let limit = self.settings.list_limit;
        let filters: Vec<ChatFilter> = match &view {
            ChatView::MyActive => vec![ChatFilter::AgentActive(agent.id.clone())],
            ChatView::MyCompleted => vec![ChatFilter::AgentEnded(agent.id.clone())],
            ChatView::Group { group_id, inactive } => {
                if !groups.iter().any(|g| &g.id == group_id) {
                    return Err(AppError::NotFound(format!(
                        "group {group_id} was not found"
                    )));
                }
                if !agent.is_member_of(group_id) {
                    return Err(AppError::Forbidden(format!(
                        "you are not a member of group {group_id}"
                    )));
                }
                vec![if *inactive {
                    ChatFilter::GroupEnded(group_id.clone())
                } else {
                    ChatFilter::GroupLive(group_id.clone())
                }]
            }
            ChatView::Queue => agent
                .groups
                .iter()
                .map(|g| ChatFilter::GroupQueue(g.clone()))
                .collect(),
            ChatView::Global => {
                let missing: Vec<&Group> = groups
                    .iter()
                    .filter(|g| !agent.is_member_of(&g.id))
                    .collect();
                if !missing.is_empty() {
                    let names: Vec<&str> = missing.iter().map(|g| g.name.as_str()).collect();
                    return Err(AppError::Forbidden(format!(
                        "Global Live Chats is only for members of every group; you are not a member of {}",
                        names.join(", ")
                    )));
                }
                groups
                    .iter()
                    .flat_map(|g| {
                        [
                            ChatFilter::GroupLive(g.id.clone()),
                            ChatFilter::GroupEnded(g.id.clone()),
                        ]
                    })
                    .collect()
            }
            ChatView::Deleted => {
                if !agent.role.is_manager_or_admin() {
                    return Err(AppError::Forbidden(
                        "only managers and administrators see deleted chats".into(),
                    ));
                }
                agent
                    .groups
                    .iter()
                    .map(|g| ChatFilter::GroupDeleted(g.clone()))
                    .collect()
            }
        };
        let mut chats: Vec<Chat> = Vec::new();
        for filter in &filters {
            chats.extend(self.chats.list_chats(filter, limit).await?);
        }
        let sort = match sort {
            Some(s) => s,
            None => self
                .preferences
                .get_preferences(&agent.id)
                .await?
                .map(|p| p.sort)
                .unwrap_or_default(),
        };
        let now = self.clock.now();
        let mut rows: Vec<ChatRow> = chats
            .iter()
            .map(|c| {
                let name = groups
                    .iter()
                    .find(|g| g.id == c.group_id)
                    .map(|g| g.name.as_str())
                    .unwrap_or(c.group_id.as_str());
                ChatRow::from_chat(c, name, now, &self.settings.idle)
            })
            .collect();
        sort::sort_rows(&mut rows, sort);
        Ok(ChatList { view, sort, rows })
    }
}
