use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};

use super::records::{from_doc, to_doc, CannedReplyRecord};
use super::{db_err, execute, SqliteStore};
use crate::domain::{CannedReply, CannedReplyId, ReplyScope};
use crate::ports::{CannedReplyStore, StoreError};

/// Sorts after every character a shortcut may hold: `[prefix, prefix + "~")` is every shortcut
/// starting with `prefix`.
const AFTER_SHORTCUTS: char = '~';

/// A reply read from its row: the document, with the count from its column.
fn reply_of(doc: &str, uses: i64) -> Result<CannedReply, StoreError> {
    let mut reply: CannedReply = from_doc::<CannedReplyRecord, _>(doc)?;
    reply.usage_count = u64::try_from(uses).unwrap_or(0);
    Ok(reply)
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

fn taken(reply: &CannedReply) -> StoreError {
    StoreError::AlreadyExists(format!(
        "shortcut /{} in this scope",
        reply.shortcut.as_str()
    ))
}

fn exists(c: &Connection, id: &CannedReplyId) -> Result<bool, StoreError> {
    c.query_row(
        "SELECT EXISTS (SELECT 1 FROM canned_replies WHERE id = ?1)",
        params![id.as_str()],
        |r| r.get(0),
    )
    .map_err(db_err)
}

#[async_trait]
impl CannedReplyStore for SqliteStore {
    async fn create_reply(&self, reply: &CannedReply) -> Result<(), StoreError> {
        let doc = to_doc(&CannedReplyRecord::from(reply))?;
        let r = reply.clone();
        self.with(move |c| {
            // A taken id or a taken shortcut in the scope: nothing is inserted either way.
            let inserted = execute(
                c,
                "INSERT INTO canned_replies (id, scope, shortcut, revision, uses, doc)
                 VALUES (?1, ?2, ?3, ?4, 0, ?5) ON CONFLICT DO NOTHING",
                params![
                    r.id.as_str(),
                    r.scope.key(),
                    r.shortcut.as_str(),
                    r.revision as i64,
                    doc
                ],
            )
            .map_err(db_err)?;
            if inserted == 0 {
                return Err(taken(&r));
            }
            Ok(())
        })
        .await
    }

    async fn get_reply(&self, id: &CannedReplyId) -> Result<Option<CannedReply>, StoreError> {
        let id = id.clone();
        self.read(move |c| {
            let row: Option<(String, i64)> = c
                .query_row(
                    "SELECT doc, uses FROM canned_replies WHERE id = ?1",
                    params![id.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(db_err)?;
            row.map(|(doc, uses)| reply_of(&doc, uses)).transpose()
        })
        .await
    }

    async fn save_reply(&self, reply: &CannedReply, read_revision: u64) -> Result<(), StoreError> {
        let doc = to_doc(&CannedReplyRecord::from(reply))?;
        let r = reply.clone();
        self.with(move |c| {
            let updated = execute(
                c,
                "UPDATE canned_replies SET scope = ?2, shortcut = ?3, revision = ?4, doc = ?5
                 WHERE id = ?1 AND revision = ?6",
                params![
                    r.id.as_str(),
                    r.scope.key(),
                    r.shortcut.as_str(),
                    r.revision as i64,
                    doc,
                    read_revision as i64
                ],
            );
            match updated {
                Ok(1) => Ok(()),
                Ok(_) if exists(c, &r.id)? => Err(StoreError::Stale),
                Ok(_) => Err(StoreError::NotFound(format!("canned reply {}", r.id))),
                Err(e) if is_unique_violation(&e) => Err(taken(&r)),
                Err(e) => Err(db_err(e)),
            }
        })
        .await
    }

    async fn delete_reply(&self, reply: &CannedReply) -> Result<(), StoreError> {
        let (id, revision) = (reply.id.clone(), reply.revision);
        self.with(move |c| {
            let deleted = execute(
                c,
                "DELETE FROM canned_replies WHERE id = ?1 AND revision = ?2",
                params![id.as_str(), revision as i64],
            )
            .map_err(db_err)?;
            match deleted {
                1 => Ok(()),
                _ if exists(c, &id)? => Err(StoreError::Stale),
                _ => Err(StoreError::NotFound(format!("canned reply {id}"))),
            }
        })
        .await
    }

    async fn list_replies(
        &self,
        scope: &ReplyScope,
        shortcut_prefix: &str,
    ) -> Result<Vec<CannedReply>, StoreError> {
        let scope = scope.key();
        let from = shortcut_prefix.to_owned();
        let to = format!("{shortcut_prefix}{AFTER_SHORTCUTS}");
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT doc, uses FROM canned_replies
                     WHERE scope = ?1 AND shortcut >= ?2 AND shortcut < ?3 ORDER BY shortcut",
                )
                .map_err(db_err)?;
            let rows = stmt
                .query_map(params![scope, from, to], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
                })
                .map_err(db_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(db_err)?;
            rows.iter()
                .map(|(doc, uses)| reply_of(doc, *uses))
                .collect()
        })
        .await
    }

    async fn count_use(&self, id: &CannedReplyId) -> Result<u64, StoreError> {
        let id = id.clone();
        self.with(move |c| {
            let uses: Option<i64> = c
                .query_row(
                    "UPDATE canned_replies SET uses = uses + 1 WHERE id = ?1 RETURNING uses",
                    params![id.as_str()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_err)?;
            uses.map(|u| u64::try_from(u).unwrap_or(0))
                .ok_or_else(|| StoreError::NotFound(format!("canned reply {id}")))
        })
        .await
    }
}
