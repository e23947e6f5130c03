//! The organisation's settings: `DIR` / `ORG`, written only over the revision it was read at.

use super::keys::*;
use super::metrics::item_write;
use super::records::{from_item, to_item, OrganisationRecord};
use super::{key, n, DynamoStore};
use crate::domain::OrganisationSettings;
use crate::ports::StoreError;

impl DynamoStore {
    pub(super) async fn read_organisation(
        &self,
    ) -> Result<Option<OrganisationSettings>, StoreError> {
        self.get(DIR.into(), ORG, true)
            .await?
            .map(from_item::<OrganisationRecord, _>)
            .transpose()
    }

    pub(super) async fn write_organisation(
        &self,
        settings: &OrganisationSettings,
        read_revision: u64,
    ) -> Result<(), StoreError> {
        let mut item = to_item(&OrganisationRecord::from(settings))?;
        item.extend(key(DIR, ORG));
        let units = item_write(None, Some(&item), false);
        let put = self
            .client
            .put_item()
            .table_name(self.table())
            .set_item(Some(item));
        let put = if read_revision == 0 {
            put.condition_expression("attribute_not_exists(pk)")
        } else {
            put.condition_expression("revision = :read")
                .expression_attribute_values(":read", n(read_revision))
        };
        let out = put.send().await;
        self.metrics.record("PutItem", 0.0, units);
        match out {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::Stale)
            }
            Err(e) => Err(StoreError::backend(e)),
        }
    }
}
