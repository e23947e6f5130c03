use async_trait::async_trait;
use aws_sdk_dynamodb::operation::update_item::UpdateItemOutput;

use super::keys::{throttle_pk, throttle_sk};
use super::records::{FORMAT_VERSION, VERSION};
use super::schema::TTL_ATTRIBUTE;
use super::{n, ttl_seconds, DynamoStore};
use crate::domain::Timestamp;
use crate::ports::{Allowance, StoreError, ThrottleKey, ThrottleLimit, ThrottleStore};

#[async_trait]
impl ThrottleStore for DynamoStore {
    /// One conditional UpdateItem on the key's counter item for this window: it adds one only
    /// while the count is under the limit, so instances racing on one username are each counted.
    /// The item expires (TTL) after its window.
    async fn admit(
        &self,
        key: &ThrottleKey,
        now: Timestamp,
        limit: ThrottleLimit,
    ) -> Result<Allowance, StoreError> {
        let end = limit.window_end(now);
        let sent = self
            .client
            .update_item()
            .table_name(self.table())
            .set_key(Some(counter_key(key, now, limit)))
            .update_expression(format!("ADD attempts :one SET #ttl = :ttl, {VERSION} = :v"))
            .condition_expression("attribute_not_exists(attempts) OR attempts < :max")
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(limit.max))
            .expression_attribute_values(":ttl", ttl_seconds(end.plus_millis(999)))
            .expression_attribute_values(":v", n(FORMAT_VERSION))
            .send()
            .await;
        match sent {
            Ok(out) => {
                self.record_counter_update(Some(&out));
                Ok(Allowance::Admitted)
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                self.record_counter_update(None);
                Ok(Allowance::Refused { until: end })
            }
            Err(e) => Err(StoreError::backend(e)),
        }
    }

    async fn release(
        &self,
        key: &ThrottleKey,
        admitted_at: Timestamp,
        limit: ThrottleLimit,
    ) -> Result<(), StoreError> {
        let sent = self
            .client
            .update_item()
            .table_name(self.table())
            .set_key(Some(counter_key(key, admitted_at, limit)))
            .update_expression("ADD attempts :minus_one")
            .condition_expression("attempts > :zero")
            .expression_attribute_values(":minus_one", n(-1))
            .expression_attribute_values(":zero", n(0))
            .send()
            .await;
        match sent {
            Ok(out) => {
                self.record_counter_update(Some(&out));
                Ok(())
            }
            // Nothing to take back: the window is gone (or was never counted).
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                self.record_counter_update(None);
                Ok(())
            }
            Err(e) => Err(StoreError::backend(e)),
        }
    }
}

fn counter_key(key: &ThrottleKey, at: Timestamp, limit: ThrottleLimit) -> super::Item {
    super::key(
        throttle_pk(key.as_str()),
        throttle_sk(limit.window_start(at)),
    )
}

impl DynamoStore {
    /// A refused conditional write still costs its write unit.
    fn record_counter_update(&self, out: Option<&UpdateItemOutput>) {
        self.record_update(out.and_then(|o| o.attributes()));
    }
}
