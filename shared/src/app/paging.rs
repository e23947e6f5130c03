//! Pages of a chat list. A view reads one or more tiers of index lists, one after the other
//! (Global Live Chats: the live chats of every group, then the ended ones); the lists of a tier
//! (one per group) are merged in their common index order, so a page holds the first chats of
//! the whole tier. In the queue that means the customers who waited longest, whichever group
//! they are in: a flood in one group never hides them.
//!
//! Since the lists of a tier share one order and positions are unique, everything up to the last
//! chat of a page has been shown from every list of its tier: the next page starts after that
//! one position. The cursor is that position and the tier it is in.

use super::AppError;
use crate::domain::time::MAX_INDEXED_MS;
use crate::domain::{Chat, ChatId, DomainError, Timestamp};
use crate::ports::{ChatFilter, ChatStore, ListBucket, ListPosition};

/// Longest cursor accepted; the ones the server writes are under 90 characters.
pub const MAX_CURSOR_CHARS: usize = 128;

/// Where the next page of a list starts: at the beginning of a tier, or after a position in it.
/// Opaque to clients: `{tier}` or `{tier}.{bucket}.{ms}.{chat id}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListCursor {
    tier: usize,
    after: Option<ListPosition>,
}

fn bucket_code(b: ListBucket) -> &'static str {
    match b {
        ListBucket::Queued => "q",
        ListBucket::Active => "a",
        ListBucket::Ended => "e",
        ListBucket::Deleted => "x",
    }
}

fn bad_cursor(reason: &str) -> DomainError {
    DomainError::invalid(
        "cursor",
        format!("{reason}; pass the next_cursor of the previous page, or none to start over"),
    )
}

impl ListCursor {
    /// Reads a cursor a client sent back. Only the shape is checked here; whether it belongs to
    /// the view is checked when the page is read.
    pub fn parse(raw: &str) -> Result<ListCursor, DomainError> {
        if raw.len() > MAX_CURSOR_CHARS {
            return Err(bad_cursor(&format!(
                "is longer than {MAX_CURSOR_CHARS} characters"
            )));
        }
        let parts: Vec<&str> = raw.split('.').collect();
        let tier = parts
            .first()
            .filter(|t| !t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|t| t.parse::<usize>().ok())
            .ok_or_else(|| bad_cursor("is not a list cursor"))?;
        let after = match parts[1..] {
            [] => None,
            [bucket, at, id] => {
                let bucket = match bucket {
                    "q" => ListBucket::Queued,
                    "a" => ListBucket::Active,
                    "e" => ListBucket::Ended,
                    "x" => ListBucket::Deleted,
                    _ => return Err(bad_cursor("is not a list cursor")),
                };
                let at = at
                    .parse::<i64>()
                    .ok()
                    .filter(|ms| (0..=MAX_INDEXED_MS).contains(ms) && !at.starts_with('+'))
                    .ok_or_else(|| bad_cursor("is not a list cursor"))?;
                let chat_id = ChatId::parse(id).map_err(|_| bad_cursor("is not a list cursor"))?;
                Some(ListPosition {
                    bucket,
                    at: Timestamp(at),
                    chat_id,
                })
            }
            _ => return Err(bad_cursor("is not a list cursor")),
        };
        Ok(ListCursor { tier, after })
    }

    pub fn encode(&self) -> String {
        match &self.after {
            None => self.tier.to_string(),
            Some(p) => format!(
                "{}.{}.{}.{}",
                self.tier,
                bucket_code(p.bucket),
                p.at.millis(),
                p.chat_id
            ),
        }
    }
}

pub(crate) struct Page {
    pub chats: Vec<Chat>,
    /// Where the next page starts; `None` when this page ends the list.
    pub next: Option<ListCursor>,
}

/// Reads up to `size` chats of the view whose tiers are `tiers`, from `from` (the start when
/// `None`). Each list of a tier is read for one chat more than the page has room for, so whether
/// more follow is known exactly.
pub(crate) async fn read_page(
    store: &dyn ChatStore,
    tiers: &[Vec<ChatFilter>],
    from: Option<ListCursor>,
    size: usize,
) -> Result<Page, AppError> {
    let size = size.max(1);
    let (mut tier, mut after) = match from {
        None => (0, None),
        Some(cursor) => {
            check_belongs(&cursor, tiers)?;
            (cursor.tier, cursor.after)
        }
    };
    let mut chats: Vec<Chat> = Vec::new();
    while let Some(filters) = tiers.get(tier) {
        let room = size - chats.len();
        let newest_first = filters.first().is_some_and(ChatFilter::newest_first);
        let mut found: Vec<(ListPosition, Chat)> = Vec::new();
        for filter in filters {
            let listed = store
                .list_chats_after(filter, after.as_ref(), room + 1)
                .await?;
            found.extend(listed.into_iter().map(|c| (ListPosition::of(&c), c)));
        }
        found.sort_by(|a, b| {
            if newest_first {
                b.0.cmp(&a.0)
            } else {
                a.0.cmp(&b.0)
            }
        });
        found.dedup_by(|a, b| a.1.id == b.1.id);
        if found.len() > room {
            found.truncate(room);
            let last = found.last().map(|(p, _)| p.clone()).or(after);
            chats.extend(found.into_iter().map(|(_, c)| c));
            return Ok(Page {
                chats,
                next: Some(ListCursor { tier, after: last }),
            });
        }
        chats.extend(found.into_iter().map(|(_, c)| c));
        tier += 1;
        after = None;
    }
    Ok(Page { chats, next: None })
}

/// A cursor of another view (or a forged one) is refused rather than read somewhere arbitrary.
fn check_belongs(cursor: &ListCursor, tiers: &[Vec<ChatFilter>]) -> Result<(), DomainError> {
    let Some(filters) = tiers.get(cursor.tier) else {
        return Err(bad_cursor("does not belong to this list"));
    };
    if let Some(p) = &cursor.after {
        if !filters.iter().any(|f| f.buckets().contains(&p.bucket)) {
            return Err(bad_cursor("does not belong to this list"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn position(bucket: ListBucket, at: i64, id: &str) -> ListPosition {
        ListPosition {
            bucket,
            at: Timestamp(at),
            chat_id: ChatId::parse(id).unwrap(),
        }
    }

    #[test]
    fn cursors_round_trip() {
        for cursor in [
            ListCursor {
                tier: 0,
                after: None,
            },
            ListCursor {
                tier: 1,
                after: Some(position(
                    ListBucket::Ended,
                    1_700_000_000_000,
                    "01J0ABCDEFGHJKMNPQRSTVWXYZ",
                )),
            },
            ListCursor {
                tier: 0,
                after: Some(position(ListBucket::Queued, 0, "a_b-c")),
            },
        ] {
            assert_eq!(ListCursor::parse(&cursor.encode()), Ok(cursor));
        }
    }

    #[test]
    fn malformed_cursors_are_refused_naming_the_field() {
        let long_id = format!("0.q.1.{}", "a".repeat(65));
        let too_long = "0".repeat(MAX_CURSOR_CHARS + 1);
        for raw in [
            "",
            "x",
            "-1",
            "999",
            "0.",
            "0.q.1",
            "0.z.1.abc",
            "0.q.-1.abc",
            "0.q.+1.abc",
            "0.q.10000000000000.abc",
            "0.q.1.a/b",
            "0.q.1.abc.d",
            long_id.as_str(),
            too_long.as_str(),
        ] {
            let err = ListCursor::parse(raw).unwrap_err();
            assert!(
                err.to_string().starts_with("cursor: "),
                "{raw:?} gave {err}"
            );
        }
    }

    #[test]
    fn a_cursor_of_another_view_is_refused() {
        let group = crate::domain::GroupId::parse("g").unwrap();
        let queue = vec![vec![ChatFilter::GroupQueue(group.clone())]];
        let ended = ListCursor {
            tier: 0,
            after: Some(position(ListBucket::Ended, 5, "c1")),
        };
        assert!(check_belongs(&ended, &queue).is_err());
        let second_tier = ListCursor {
            tier: 1,
            after: None,
        };
        assert!(check_belongs(&second_tier, &queue).is_err());
        let queued = ListCursor {
            tier: 0,
            after: Some(position(ListBucket::Queued, 5, "c1")),
        };
        assert!(check_belongs(&queued, &queue).is_ok());
    }

    proptest! {
        /// Whatever a client sends as a cursor, the parser answers (never panics), and what it
        /// accepts is a position the stores can key: a known bucket, 13 digits of time, an id.
        #[test]
        fn any_text_parses_or_is_refused(raw in "\\PC{0,140}") {
            if let Ok(cursor) = ListCursor::parse(&raw) {
                prop_assert!(cursor.tier < 100);
                if let Some(p) = &cursor.after {
                    prop_assert!((0..=MAX_INDEXED_MS).contains(&p.at.millis()));
                }
                prop_assert_eq!(ListCursor::parse(&cursor.encode()), Ok(cursor));
            }
        }

        #[test]
        fn written_cursors_read_back(
            tier in 0usize..100,
            bucket in 0u8..4,
            at in 0..=MAX_INDEXED_MS,
            id in "[A-Za-z0-9_-]{1,64}",
        ) {
            let bucket = [ListBucket::Queued, ListBucket::Active, ListBucket::Ended, ListBucket::Deleted][bucket as usize];
            let cursor = ListCursor { tier, after: Some(position(bucket, at, &id)) };
            let text = cursor.encode();
            prop_assert!(text.len() <= MAX_CURSOR_CHARS);
            prop_assert_eq!(ListCursor::parse(&text), Ok(cursor));
        }
    }
}
