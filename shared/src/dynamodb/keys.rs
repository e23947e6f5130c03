//! Key formats of the single table (documented in `docs/dynamodb.md`).

use crate::domain::{AgentId, Chat, ChatId, GroupId, MessageStatus, OfflineMessageId, Timestamp};
use crate::ports::indexing::{list_position, ListBucket, ListPosition};

/// A canned reply (`META` under it).
pub fn canned_reply_pk(id: &crate::domain::CannedReplyId) -> String {
    format!("CANNED#{id}")
}
/// The `by_group` partition of a scope's canned replies (`ReplyScope::key`).
pub fn canned_scope_index_pk(scope: &str) -> String {
    format!("REPLIES#{scope}")
}
/// A canned reply's sort key in its scope's partition: the shortcut (so a prefix of it is a
/// `begins_with`), then the id.
pub fn canned_scope_sort_key(shortcut: &str, id: &crate::domain::CannedReplyId) -> String {
    format!("{shortcut}#{id}")
}
/// The item that holds a shortcut for one reply of a scope (`SHORTCUT` under it).
pub fn shortcut_pk(scope: &str, shortcut: &str) -> String {
    format!("SHORTCUT#{scope}#{shortcut}")
}
pub const SHORTCUT: &str = "SHORTCUT";

pub fn chat_pk(id: &ChatId) -> String {
    format!("CHAT#{id}")
}
pub const META: &str = "META";
pub fn event_sk(seq: u64) -> String {
    format!("EV#{seq:012}")
}
pub fn cmid_sk(cmid: &str) -> String {
    format!("CMID#{cmid}")
}
/// An internal note of a chat, in its partition: sorts before `META` (`I` < `M`), so the
/// reads of the chat's head (`sk >= META`) never include notes.
pub fn note_sk(number: u32) -> String {
    format!("{NOTE_PREFIX}{number:06}")
}
pub const NOTE_PREFIX: &str = "INOTE#";
pub const DIR: &str = "DIR";
pub fn group_sk(id: &GroupId) -> String {
    format!("GROUP#{id}")
}
pub fn agent_sk(id: &AgentId) -> String {
    format!("AGENT#{id}")
}
pub fn username_pk(username: &str) -> String {
    format!("USERNAME#{username}")
}
pub const USERNAME: &str = "USERNAME";
pub fn agent_pk(id: &AgentId) -> String {
    format!("AGENT#{id}")
}
pub const LOAD: &str = "LOAD";
/// Under `DIR`: who had the last turn in a round-robin group.
pub fn turn_sk(group: &GroupId) -> String {
    format!("TURN#{group}")
}
pub const PREFS: &str = "PREFS";
/// The organisation's settings, under `DIR`.
pub const ORG: &str = "ORG";
/// The audit log's one partition (sort key: the entry's id, time first). Administrative actions
/// are rare, far below a partition's write limit.
pub const AUDIT: &str = "AUDIT";
pub fn group_index_pk(id: &GroupId) -> String {
    format!("GROUP#{id}")
}
pub fn agent_index_pk(id: &AgentId) -> String {
    format!("AGENT#{id}")
}
pub fn connection_pk(id: &str) -> String {
    format!("CONN#{id}")
}
/// Where chat subscriptions were kept before they moved into the chat's partition (still read
/// for chats stored before: their META has no `subs_rev`).
pub fn legacy_chat_subscribers_pk(chat: &ChatId) -> String {
    format!("CSUB#{chat}")
}
/// A connection's subscription to a chat, in the chat's partition (after `META` in sort order,
/// so one Query reads the chat and its subscribers).
pub fn subscription_sk(connection: &str) -> String {
    format!("{SUBSCRIPTION_PREFIX}{connection}")
}
pub const SUBSCRIPTION_PREFIX: &str = "SUB#";
/// The revision of a chat's subscription set, on its META item.
pub const SUBS_REV: &str = "subs_rev";
pub fn group_subscribers_pk(group: &GroupId) -> String {
    format!("GSUB#{group}")
}
/// The connection slots of a principal (`agent:{id}` or `chat:{id}`).
pub fn principal_pk(principal: &str) -> String {
    format!("PCONN#{principal}")
}
pub fn slot_sk(slot: u32) -> String {
    format!("SLOT#{slot:03}")
}
pub const KB: &str = "KB";
pub fn article_sk(id: &str) -> String {
    format!("ARTICLE#{id}")
}
pub fn resolution_sk(chat: &str) -> String {
    format!("RESOLUTION#{chat}")
}
pub const KB_VERSION: &str = "VERSION";
pub fn deflection_pk(question: &str) -> String {
    format!("DEFL#{question}")
}
pub const STATS: &str = "STATS";
pub fn throttle_pk(key: &str) -> String {
    format!("THROTTLE#{key}")
}
/// The window's start, 13 digits of epoch milliseconds.
pub fn throttle_sk(window_start: crate::domain::Timestamp) -> String {
    format!("WINDOW#{:013}", window_start.millis().max(0))
}

pub const QUEUED: &str = "L1";
pub const ACTIVE: &str = "L2";
pub const ENDED: &str = "E";
pub const DELETED: &str = "X";
/// Prefix of the live buckets (queued and active) in the group index.
pub const LIVE: &str = "L";

fn bucket(b: ListBucket) -> &'static str {
    match b {
        ListBucket::Queued => QUEUED,
        ListBucket::Active => ACTIVE,
        ListBucket::Ended => ENDED,
        ListBucket::Deleted => DELETED,
    }
}

/// The sort key in both list indexes: bucket, then the instant it orders by (13 digits of epoch
/// milliseconds, so text order is time order), then the id so keys are unique.
pub fn list_sort_key(chat: &Chat) -> String {
    let (b, at) = list_position(chat);
    list_key(b, at, &chat.id)
}

/// The list sort key of a position (a chat's, or where a page ends).
pub fn list_key(b: ListBucket, at: Timestamp, id: &ChatId) -> String {
    format!("{}#{:013}#{}", bucket(b), at.millis().max(0), id)
}

/// The position a list sort key names (`list_key` read back); `None` if it is not one.
pub fn parse_list_key(key: &str) -> Option<ListPosition> {
    let mut parts = key.splitn(3, '#');
    let bucket = match parts.next()? {
        QUEUED => ListBucket::Queued,
        ACTIVE => ListBucket::Active,
        ENDED => ListBucket::Ended,
        DELETED => ListBucket::Deleted,
        _ => return None,
    };
    let at = parts
        .next()
        .filter(|d| d.len() == 13)?
        .parse::<i64>()
        .ok()?;
    let chat_id = ChatId::parse(parts.next()?).ok()?;
    Some(ListPosition {
        bucket,
        at: Timestamp(at),
        chat_id,
    })
}

/// The deadline index's partition of a group's chats awaiting their agent.
pub fn await_index_pk(group: &GroupId) -> String {
    format!("AWAIT#{group}")
}

/// A chat's deadline-index keys while it awaits its agent (`handoff::awaiting`): what for, then
/// since when (13 digits, so text order is time order), then the id.
pub fn await_index_keys(chat: &Chat) -> Option<(String, String)> {
    let (kind, since) = crate::domain::handoff::awaiting(chat)?;
    Some((
        await_index_pk(&chat.group_id),
        await_sort_key(kind, since, &chat.id),
    ))
}

pub fn await_sort_key(kind: crate::domain::Awaiting, since: Timestamp, id: &ChatId) -> String {
    format!("{}#{:013}#{}", kind.key(), since.millis().max(0), id)
}

/// The deadline index's partition of agents with no console open.
pub const OFFLINE_INDEX_PK: &str = "OFFLINE";

pub fn offline_sort_key(since: Timestamp, agent: &AgentId) -> String {
    format!("{:013}#{}", since.millis().max(0), agent)
}

/// A mail of the outbox, in a partition of its own.
pub fn mail_pk(id: &crate::domain::MailId) -> String {
    format!("MAIL#{id}")
}
pub const MAIL: &str = "MAIL";

/// The partition that points to the mails about a chat or a message (`MAIL#{id}` each).
pub fn mail_about_pk(about: &crate::domain::MailAbout) -> String {
    format!("MAILS#{}", about.key())
}

/// The deadline index's partition of pending mails.
pub const MAIL_DUE_INDEX_PK: &str = "MAILDUE";

/// A pending mail's deadline-index sort key: its next attempt (13 digits), then its id.
pub fn mail_due_sort_key(next_attempt_at: Timestamp, id: &crate::domain::MailId) -> String {
    format!("{:013}#{}", next_attempt_at.millis().max(0), id)
}

/// An agent's lists hold their active and ended chats, not queued (no agent) or deleted ones.
pub fn in_agent_index(chat: &Chat) -> bool {
    let (b, _) = list_position(chat);
    chat.agent_id.is_some() && matches!(b, ListBucket::Active | ListBucket::Ended)
}

/// A customer's history (`history::customer_key`): one pointer item per chat of theirs.
pub fn customer_pk(customer: &str) -> String {
    format!("CUST#{customer}")
}
/// Newest first when read backwards: when the chat started, then its id.
pub fn customer_chat_sk(started_at: Timestamp, chat: &ChatId) -> String {
    format!("{:013}#{chat}", started_at.millis().max(0))
}

/// An offline message's partition (its one item is `META`).
pub fn message_pk(id: &OfflineMessageId) -> String {
    format!("MSG#{id}")
}
/// A group's inbox of one status, in the `by_group` index.
pub fn inbox_index_pk(group: &GroupId, status: MessageStatus) -> String {
    format!("INBOX#{group}#{}", status.as_str())
}
/// Newest first when read backwards: the time it was received, then the id.
pub fn inbox_sort_key(received_at: Timestamp, id: &OfflineMessageId) -> String {
    format!("{:013}#{id}", received_at.0.max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_key_reads_back_as_its_position() {
        let id = ChatId::generate();
        for bucket in [
            ListBucket::Queued,
            ListBucket::Active,
            ListBucket::Ended,
            ListBucket::Deleted,
        ] {
            let at = Timestamp(1_765_000_000_123);
            let key = list_key(bucket, at, &id);
            assert_eq!(
                parse_list_key(&key),
                Some(ListPosition {
                    bucket,
                    at,
                    chat_id: id.clone()
                })
            );
        }
        for garbled in [
            "",
            "L1",
            "L1#123#x",
            "Q#1765000000123#abc",
            "L1#17650000001x3#abc",
        ] {
            assert_eq!(parse_list_key(garbled), None, "{garbled}");
        }
    }
}
