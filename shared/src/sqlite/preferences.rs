use async_trait::async_trait;
use rusqlite::params;

use super::records::{to_doc, PreferencesRecord};
use super::{db_err, doc_where, SqliteStore};
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
            doc_where::<PreferencesRecord, _, _>(
                c,
                "SELECT doc FROM preferences WHERE agent_id = ?1",
                params![agent.as_str()],
            )
        })
        .await
    }

    async fn put_preferences(
        &self,
        agent: &AgentId,
        prefs: &ListPreferences,
    ) -> Result<(), StoreError> {
        let agent = agent.clone();
        let doc = to_doc(&PreferencesRecord::from(prefs))?;
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
