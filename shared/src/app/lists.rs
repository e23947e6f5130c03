use super::paging::{self, ListCursor};
use super::{App, AppError};
use crate::auth::Principal;
use crate::domain::{sort, Agent, ChatRow, ChatView, Group, ListWatch, SortSpec};
use crate::ports::ChatFilter;

/// One page of a view. Pages are cut in the lists' index order (the queue's longest-waiting
/// customers come first), then sorted for display.
#[derive(Clone, Debug)]
pub struct ChatList {
    pub view: ChatView,
    pub sort: SortSpec,
    pub rows: Vec<ChatRow>,
    /// True when the view holds more chats than this page: read on with `next_cursor`.
    pub truncated: bool,
    /// Pass as `cursor` to read the next page (same view); `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Pages of the view one answer narrowed to a tag reads at most: the view is read in its order
/// and narrowed as it is read, so however few chats have the tag one request's work stays
/// bounded; `next_cursor` goes on from where the reading stopped (a page may hold fewer rows).
const TAGGED_READS_PER_ANSWER: usize = 10;

impl App {
    /// One page of a view (the first, or the one `cursor` points to), as rows sorted by `sort`
    /// (else the agent's saved sort); with `tag` (normalised), only the chats that have it.
    pub async fn list_chats(
        &self,
        principal: &Principal,
        view: ChatView,
        sort: Option<SortSpec>,
        cursor: Option<ListCursor>,
        tag: Option<&str>,
    ) -> Result<ChatList, AppError> {
        let agent = self.agent(principal).await?;
        let groups = self.directory.list_groups().await?;
        let tiers = view_tiers(&agent, &groups, &view)?;
        let limit = self.settings.list_limit.max(1);
        let page = match tag {
            None => paging::read_page(self.chats.as_ref(), &tiers, cursor, limit).await?,
            Some(tag) => {
                let mut chats = Vec::new();
                let mut next = cursor;
                for _ in 0..TAGGED_READS_PER_ANSWER {
                    // Never more than the room left, so the page ends where the reading did.
                    let room = limit - chats.len();
                    let read = paging::read_page(self.chats.as_ref(), &tiers, next, room).await?;
                    chats.extend(
                        read.chats
                            .into_iter()
                            .filter(|c| c.tags.iter().any(|t| t == tag)),
                    );
                    next = read.next;
                    if next.is_none() || chats.len() >= limit {
                        break;
                    }
                }
                paging::Page { chats, next }
            }
        };
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
        let idle = self.idle_thresholds().await;
        let mut rows: Vec<ChatRow> = page
            .chats
            .iter()
            .map(|c| {
                let name = groups
                    .iter()
                    .find(|g| g.id == c.group_id)
                    .map(|g| g.name.as_str())
                    .unwrap_or(c.group_id.as_str());
                ChatRow::from_chat(c, name, now, &idle)
            })
            .collect();
        sort::sort_rows(&mut rows, sort);
        Ok(ChatList {
            view,
            sort,
            rows,
            truncated: page.next.is_some(),
            next_cursor: page.next.map(|c| c.encode()),
        })
    }
}

impl App {
    /// The list a console may show live: the same checks as reading it.
    pub async fn list_watch(
        &self,
        principal: &Principal,
        view: ChatView,
    ) -> Result<ListWatch, AppError> {
        let agent = self.agent(principal).await?;
        let groups = self.directory.list_groups().await?;
        view_tiers(&agent, &groups, &view)?;
        Ok(ListWatch {
            agent_id: agent.id,
            view,
        })
    }
}

/// The lists a view is read from, after checking the agent may see it. Each inner list is a
/// tier, read after the one before; its lists are merged.
fn view_tiers(
    agent: &Agent,
    groups: &[Group],
    view: &ChatView,
) -> Result<Vec<Vec<ChatFilter>>, AppError> {
    Ok(match view {
        ChatView::MyActive => vec![vec![ChatFilter::AgentActive(agent.id.clone())]],
        ChatView::MyCompleted => vec![vec![ChatFilter::AgentEnded(agent.id.clone())]],
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
            vec![vec![if *inactive {
                ChatFilter::GroupEnded(group_id.clone())
            } else {
                ChatFilter::GroupLive(group_id.clone())
            }]]
        }
        ChatView::Queue => vec![agent
            .groups
            .iter()
            .map(|g| ChatFilter::GroupQueue(g.clone()))
            .collect()],
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
            vec![
                groups
                    .iter()
                    .map(|g| ChatFilter::GroupLive(g.id.clone()))
                    .collect(),
                groups
                    .iter()
                    .map(|g| ChatFilter::GroupEnded(g.id.clone()))
                    .collect(),
            ]
        }
        ChatView::Deleted => {
            if !agent.role.is_manager_or_admin() {
                return Err(AppError::Forbidden(
                    "only managers and administrators see deleted chats".into(),
                ));
            }
            vec![agent
                .groups
                .iter()
                .map(|g| ChatFilter::GroupDeleted(g.clone()))
                .collect()]
        }
    })
}
