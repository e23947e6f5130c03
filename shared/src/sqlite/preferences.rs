use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::{db_err, json_err, SqliteStore};
use crate::domain::{AgentId, ListPreferences};
use crate::ports::{PreferenceStore, StoreError};

#[async_trait]
impl PreferenceStore for SqliteStore {
    async fn get_preferences(
        &self,
        agent: &AgentId,
    ) -> Result<Option<ListPreferences>, StoreError> {
        let agent = agent.clone();
        self.read(move |c| {
            let doc: Option<String> = super::query_row(
                c,
                "SELECT doc FROM preferences WHERE agent_id = ?1",
                params![agent.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)?;
            doc.map(|d| serde_json::from_str(&d).map_err(json_err))
                .transpose()
        })
        .await
    }

    async fn put_preferences(
        &self,
        agent: &AgentId,
        prefs: &ListPreferences,
    ) -> Result<(), StoreError> {
        let agent = agent.clone();
        let doc = serde_json::to_string(prefs).map_err(json_err)?;
        self.with(move |c| {
            super::execute(
                c,
                "INSERT INTO preferences (agent_id, doc) VALUES (?1, ?2)
                 ON CONFLICT (agent_id) DO UPDATE SET doc = excluded.doc",
                params![agent.as_str(), doc],
            )
            .map_err(db_err)?;
            Ok(())
        })
        .await
    }
}
