use async_trait::async_trait;
use rusqlite::params;

use super::{db_err, SqliteStore};
use crate::domain::Timestamp;
use crate::ports::{Allowance, StoreError, ThrottleKey, ThrottleLimit, ThrottleStore};

#[async_trait]
impl ThrottleStore for SqliteStore {
    /// One upsert that only counts while the window is under the limit; no row changed means
    /// refused. Ended windows are dropped on the way, so the table holds only live counts.
    async fn admit(
        &self,
        key: &ThrottleKey,
        now: Timestamp,
        limit: ThrottleLimit,
    ) -> Result<Allowance, StoreError> {
        let key = key.as_str().to_owned();
        let start = limit.window_start(now).millis();
        let end = limit.window_end(now);
        self.with(move |c| {
            super::execute(
                c,
                "DELETE FROM throttle WHERE expires_at <= ?1",
                params![now.millis()],
            )
            .map_err(db_err)?;
            let counted = super::execute(
                c,
                "INSERT INTO throttle (key, window_start, attempts, expires_at)
                 VALUES (?1, ?2, 1, ?3)
                 ON CONFLICT (key, window_start) DO UPDATE SET attempts = attempts + 1
                 WHERE attempts < ?4",
                params![key, start, end.millis(), limit.max],
            )
            .map_err(db_err)?;
            Ok(if counted == 1 {
                Allowance::Admitted
            } else {
                Allowance::Refused { until: end }
            })
        })
        .await
    }

    async fn release(
        &self,
        key: &ThrottleKey,
        admitted_at: Timestamp,
        limit: ThrottleLimit,
    ) -> Result<(), StoreError> {
        let key = key.as_str().to_owned();
        let start = limit.window_start(admitted_at).millis();
        self.with(move |c| {
            super::execute(
                c,
                "UPDATE throttle SET attempts = attempts - 1
                 WHERE key = ?1 AND window_start = ?2 AND attempts > 0",
                params![key, start],
            )
            .map_err(db_err)?;
            Ok(())
        })
        .await
    }
}
