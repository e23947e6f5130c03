use super::ids::GroupId;

/// The lists of the Live Chats navigation pane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChatView {
    /// Chats assigned to me and still active.
    MyActive,
    /// Chats I had that have ended.
    MyCompleted,
    /// One of my groups: its live chats (queued and active) or its ended ones.
    Group { group_id: GroupId, inactive: bool },
    /// Queued chats of all my groups, oldest first by default.
    Queue,
    /// Every chat of every group; only for members of all groups.
    Global,
    /// Deleted chats of my groups, restorable by managers and administrators.
    Deleted,
}
