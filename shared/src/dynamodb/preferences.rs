use async_trait::async_trait;

use super::keys::*;
use super::records::{from_item, to_item, PreferencesRecord};
use super::{key, DynamoStore};
use crate::domain::{AgentId, ListPreferences};
use crate::ports::{PreferenceStore, StoreError};

#[async_trait]
impl PreferenceStore for DynamoStore {
    async fn get_preferences(
        &self,
        agent: &AgentId,
    ) -> Result<Option<ListPreferences>, StoreError> {
        self.get(agent_pk(agent), PREFS, false)
            .await?
            .map(from_item::<PreferencesRecord, _>)
            .transpose()
    }

    async fn put_preferences(
        &self,
        agent: &AgentId,
        prefs: &ListPreferences,
    ) -> Result<(), StoreError> {
        let mut item = to_item(&PreferencesRecord::from(prefs))?;
        item.extend(key(agent_pk(agent), PREFS));
        self.put(item).await
    }
}
