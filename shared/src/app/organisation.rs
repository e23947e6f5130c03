//! The organisation's settings page: the idle thresholds every console colours by (saved by
//! administrators, the deployment's environment until then) and the sign-in methods in use.

use std::sync::{Arc, Mutex};

use super::{App, AppError};
use crate::auth::Principal;
use crate::domain::Timestamp;
use crate::domain::{AuditAction, AuditTarget, FieldChange, IdleThresholds, OrganisationSettings};
use crate::ports::{Clock, DirectoryStore, StoreError, SystemClock};

/// How long a process keeps the settings it read: a save shows at once in the process that
/// made it, and within this time in every other (each Lambda instance).
const CACHE_FOR_MS: i64 = 30_000;

/// The settings as last read, and when, by the clock it is given (the App's: a test's clock
/// that stands still keeps them, as a warm container between requests seconds apart would).
#[derive(Clone)]
pub struct OrganisationCache {
    clock: Arc<dyn Clock>,
    last: Arc<Mutex<Option<(Timestamp, OrganisationSettings)>>>,
}

impl Default for OrganisationCache {
    fn default() -> Self {
        OrganisationCache::with_clock(Arc::new(SystemClock))
    }
}

impl OrganisationCache {
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        OrganisationCache {
            clock,
            last: Arc::default(),
        }
    }

    /// The settings in force: those read within `CACHE_FOR_MS`, else read now (the saved ones,
    /// else the deployment's `defaults`).
    pub(crate) async fn settings(
        &self,
        directory: &dyn DirectoryStore,
        defaults: IdleThresholds,
    ) -> Result<OrganisationSettings, StoreError> {
        if let Some(s) = self.fresh() {
            return Ok(s);
        }
        let settings = directory
            .get_organisation()
            .await?
            .unwrap_or_else(|| OrganisationSettings::defaults(defaults));
        self.keep(settings);
        Ok(settings)
    }

    /// The idle thresholds lists and consoles colour by. A failed read falls back to the last
    /// known ones, else the deployment's `defaults` (logged): colours are not worth failing a
    /// list or a push for.
    pub(crate) async fn idle_thresholds(
        &self,
        directory: &dyn DirectoryStore,
        defaults: IdleThresholds,
    ) -> IdleThresholds {
        match self.settings(directory, defaults).await {
            Ok(s) => s.idle,
            Err(e) => {
                tracing::warn!(error = %crate::errors::error_chain(&e), "reading the organisation settings failed; using the last known thresholds");
                self.last().map(|s| s.idle).unwrap_or(defaults)
            }
        }
    }

    fn fresh(&self) -> Option<OrganisationSettings> {
        let now = self.clock.now();
        let guard = self.last.lock().ok()?;
        guard
            .as_ref()
            .filter(|(at, _)| now.since(*at) < CACHE_FOR_MS)
            .map(|(_, s)| *s)
    }

    /// The settings last read, however long ago.
    fn last(&self) -> Option<OrganisationSettings> {
        self.last.lock().ok()?.as_ref().map(|(_, s)| *s)
    }

    fn keep(&self, settings: OrganisationSettings) {
        let now = self.clock.now();
        if let Ok(mut guard) = self.last.lock() {
            *guard = Some((now, settings));
        }
    }
}

/// How agents sign in to this deployment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInMethods {
    /// Usernames and passwords kept by chatdesk (always on: the first administrator's way in).
    pub passwords: bool,
    /// The OpenID Connect issuer whose ID tokens are accepted (the Cognito user pool in the
    /// cloud), when one is configured.
    pub identity_provider: Option<String>,
}

/// The settings page: what is saved, and what the deployment fixes.
#[derive(Clone, Debug)]
pub struct OrganisationView {
    pub settings: OrganisationSettings,
    pub sign_in: SignInMethods,
}

impl App {
    /// The settings in force: the saved ones, else the deployment's defaults.
    pub(crate) async fn organisation(&self) -> Result<OrganisationSettings, AppError> {
        Ok(self
            .organisation
            .settings(self.directory.as_ref(), self.settings.idle)
            .await?)
    }

    /// The idle thresholds lists and consoles colour by (`OrganisationCache::idle_thresholds`).
    pub(crate) async fn idle_thresholds(&self) -> IdleThresholds {
        self.organisation
            .idle_thresholds(self.directory.as_ref(), self.settings.idle)
            .await
    }

    /// The idle thresholds as this process last read them, without a read (the deployment's
    /// defaults until one happened): for the row an action answers with, where a read per
    /// action would cost more than the colour is worth (consoles recolour by `/api/me`'s
    /// thresholds as idle time ticks).
    pub(crate) fn idle_thresholds_as_known(&self) -> IdleThresholds {
        self.organisation
            .last()
            .map(|s| s.idle)
            .unwrap_or(self.settings.idle)
    }

    fn sign_in_methods(&self) -> SignInMethods {
        SignInMethods {
            passwords: true,
            identity_provider: self.oidc.as_ref().map(|o| o.issuer().to_owned()),
        }
    }

    /// The settings page, for administrators.
    pub async fn admin_organisation(
        &self,
        principal: &Principal,
    ) -> Result<OrganisationView, AppError> {
        self.administrator(principal).await?;
        Ok(OrganisationView {
            settings: self.organisation().await?,
            sign_in: self.sign_in_methods(),
        })
    }

    /// Saves the settings over the revision the page read (409 when another administrator saved
    /// since), and logs what changed.
    pub async fn admin_update_organisation(
        &self,
        principal: &Principal,
        idle: IdleThresholds,
        read_revision: u64,
    ) -> Result<OrganisationView, AppError> {
        let (_, actor) = self.administrator(principal).await?;
        let wanted = OrganisationSettings {
            idle,
            // Saturating: a revision nobody read (the largest number) is refused as stale below.
            revision: read_revision.saturating_add(1),
        }
        .validated()?;
        let before = match self.directory.get_organisation().await? {
            Some(s) => s,
            None => OrganisationSettings::defaults(self.settings.idle),
        };
        match self.directory.put_organisation(&wanted, read_revision).await {
            Ok(()) => {}
            Err(StoreError::Stale) => {
                return Err(AppError::Conflict(
                    "another administrator saved the settings since you opened them; reload and try again"
                        .into(),
                ))
            }
            Err(e) => return Err(e.into()),
        }
        self.organisation.keep(wanted);
        let changes = idle_changes(&before.idle, &wanted.idle);
        if !changes.is_empty() {
            self.audit(
                actor,
                AuditAction::SettingsUpdated,
                AuditTarget::Organisation,
                changes,
            )
            .await?;
        }
        Ok(OrganisationView {
            settings: wanted,
            sign_in: self.sign_in_methods(),
        })
    }
}

fn idle_changes(before: &IdleThresholds, after: &IdleThresholds) -> Vec<FieldChange> {
    let secs = |ms: i64| Some((ms / 1000).to_string());
    [
        ("idle_warning_secs", before.warning_ms, after.warning_ms),
        ("idle_high_secs", before.high_ms, after.high_ms),
    ]
    .into_iter()
    .filter(|(_, b, a)| b != a)
    .map(|(field, b, a)| FieldChange {
        field: field.to_owned(),
        before: secs(b),
        after: secs(a),
    })
    .collect()
}
