//! Agent passwords for the local server, hashed with Argon2id (the password-hashing competition
//! winner, OWASP's first choice).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// False for a wrong password and for a malformed stored hash alike.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Runs verifications on the blocking thread pool, a bounded number at once. Argon2 takes tens
/// of milliseconds of full CPU by design: on the async threads a burst of sign-ins would stall
/// every other request, and unbounded it would take every core. Beyond the bound, sign-ins wait
/// their turn (and the sign-in throttle keeps the queue short).
pub struct Verifier {
    permits: tokio::sync::Semaphore,
}

impl Verifier {
    pub fn new(concurrent: usize) -> Self {
        Verifier {
            permits: tokio::sync::Semaphore::new(concurrent.max(1)),
        }
    }

    /// The process's verifier: one verification per core.
    pub fn shared() -> &'static Verifier {
        static SHARED: std::sync::OnceLock<Verifier> = std::sync::OnceLock::new();
        SHARED.get_or_init(|| {
            Verifier::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
        })
    }

    /// `verify_password` off the async threads. False also if the verification could not run.
    pub async fn verify(&self, password: &str, stored_hash: &str) -> bool {
        let stored_hash = stored_hash.to_owned();
        self.run(password, move |p| verify_password(p, &stored_hash))
            .await
    }

    /// The same work as a verification, against `decoy_hash`: for usernames that do not exist.
    pub async fn verify_decoy(&self, password: &str) {
        self.run(password, |p| verify_password(p, decoy_hash()))
            .await;
    }

    async fn run(&self, password: &str, check: impl FnOnce(&str) -> bool + Send + 'static) -> bool {
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let password = password.to_owned();
        match tokio::task::spawn_blocking(move || check(&password)).await {
            Ok(verified) => verified,
            Err(e) => {
                tracing::error!(error = %e, "password verification did not finish");
                false
            }
        }
    }
}

/// A valid hash of a random password, verified against when a username does not exist so that
/// a failed sign-in takes the same time either way (no username probing by timing).
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let random: String = ulid::Ulid::new().to_string();
        hash_password(&random).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_right_password() {
        let h = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[tokio::test]
    async fn verifications_beyond_the_bound_wait_for_a_free_slot() {
        let verifier = std::sync::Arc::new(Verifier::new(1));
        let h = hash_password("correct horse").unwrap();
        let held = verifier.permits.acquire().await.unwrap();
        let waiting = tokio::spawn({
            let (verifier, h) = (verifier.clone(), h.clone());
            async move { verifier.verify("correct horse", &h).await }
        });
        // While the only slot is taken the verification cannot start, however long it waits.
        let waited = tokio::time::timeout(std::time::Duration::from_millis(200), async {
            while !waiting.is_finished() {
                tokio::task::yield_now().await;
            }
        })
        .await;
        assert!(waited.is_err(), "a verification ran without a free slot");
        drop(held);
        assert!(waiting.await.unwrap(), "it runs once the slot is free");
        assert!(!verifier.verify("wrong", &h).await);
    }
}
