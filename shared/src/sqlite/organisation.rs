//! The organisation's settings: one row, written only over the revision it was read at.

use rusqlite::{params, OptionalExtension};

use super::records::{to_doc, OrganisationRecord};
use super::{db_err, doc_where, SqliteStore};
use crate::domain::OrganisationSettings;
use crate::ports::StoreError;

impl SqliteStore {
    pub(super) async fn read_organisation(
        &self,
    ) -> Result<Option<OrganisationSettings>, StoreError> {
        self.read_by_key(|c| {
            doc_where::<OrganisationRecord, _, _>(
                c,
                "SELECT doc FROM organisation WHERE id = 1",
                params![],
            )
        })
        .await
    }

    pub(super) async fn write_organisation(
        &self,
        settings: &OrganisationSettings,
        read_revision: u64,
    ) -> Result<(), StoreError> {
        let doc = to_doc(&OrganisationRecord::from(settings))?;
        self.with(move |c| {
            let tx = c.transaction().map_err(db_err)?;
            let stored: Option<String> = tx
                .query_row("SELECT doc FROM organisation WHERE id = 1", [], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(db_err)?;
            let stored_revision = match stored {
                Some(doc) => {
                    serde_json::from_str::<OrganisationRecord>(&doc)
                        .map_err(|e| StoreError::Corrupt(format!("organisation settings: {e}")))?
                        .revision
                }
                None => 0,
            };
            if stored_revision != read_revision {
                return Err(StoreError::Stale);
            }
            super::execute(
                &tx,
                "INSERT INTO organisation (id, doc) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
                params![doc],
            )
            .map_err(db_err)?;
            tx.commit().map_err(db_err)
        })
        .await
    }
}
