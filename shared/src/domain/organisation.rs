//! Settings of the whole deployment that administrators change in the console (the rest is per
//! group: routing, hand-off timers, business hours, offline behaviour and texts).

use super::error::DomainError;
use super::idle::IdleThresholds;

/// Idle thresholds beyond a day colour nothing anyone would still be waiting for.
const MAX_IDLE_MS: i64 = 24 * 60 * 60 * 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrganisationSettings {
    /// When a waiting customer's chat turns yellow, then red, in every console.
    pub idle: IdleThresholds,
    /// Grows with every save; a save names the revision it read, so two administrators saving
    /// at once cannot silently undo each other. 0: never saved (the deployment's defaults).
    pub revision: u64,
}

impl OrganisationSettings {
    /// The deployment's defaults (its environment), before any administrator saved settings.
    pub fn defaults(idle: IdleThresholds) -> OrganisationSettings {
        OrganisationSettings { idle, revision: 0 }
    }

    /// Checks what an administrator asks for; the error names the field.
    pub fn validated(self) -> Result<OrganisationSettings, DomainError> {
        let IdleThresholds {
            warning_ms,
            high_ms,
        } = self.idle;
        if !(1_000..=MAX_IDLE_MS).contains(&warning_ms) {
            return Err(DomainError::invalid(
                "idle_warning_secs",
                "must be between 1 second and 24 hours",
            ));
        }
        if !(1_000..=MAX_IDLE_MS).contains(&high_ms) || high_ms <= warning_ms {
            return Err(DomainError::invalid(
                "idle_high_secs",
                "must be above the warning threshold and at most 24 hours",
            ));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(warning_ms: i64, high_ms: i64) -> OrganisationSettings {
        OrganisationSettings {
            idle: IdleThresholds {
                warning_ms,
                high_ms,
            },
            revision: 1,
        }
    }

    #[test]
    fn thresholds_must_rise_and_stay_within_a_day() {
        assert!(with(60_000, 120_000).validated().is_ok());
        let field = |s: OrganisationSettings| match s.validated() {
            Err(DomainError::InvalidInput { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(field(with(0, 120_000)), "idle_warning_secs");
        assert_eq!(field(with(120_000, 120_000)), "idle_high_secs");
        assert_eq!(field(with(60_000, MAX_IDLE_MS + 1)), "idle_high_secs");
    }
}
