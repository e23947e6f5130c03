//! Identity validation for websites that know their users (as Chatwoot's does): the website
//! computes `HMAC-SHA256(secret, user_id)` on its server and passes the user id and the hex hash
//! to the chat page; a chat started with them carries a verified user id, and nobody without the
//! secret can claim to be that user.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

pub struct IdentityVerifier {
    secret: Vec<u8>,
}

impl IdentityVerifier {
    pub fn new(secret: &[u8]) -> Result<Self, String> {
        if secret.len() < 32 {
            return Err("the identity validation secret must be at least 32 bytes".into());
        }
        Ok(IdentityVerifier {
            secret: secret.to_vec(),
        })
    }

    /// The hex hash a website sends for `user_id`.
    pub fn sign(&self, user_id: &str) -> String {
        let mut mac = match HmacSha256::new_from_slice(&self.secret) {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        mac.update(user_id.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Compares in constant time.
    pub fn verify(&self, user_id: &str, hash_hex: &str) -> bool {
        let Ok(expected) = hex::decode(hash_hex.trim()) else {
            return false;
        };
        let Ok(mut mac) = HmacSha256::new_from_slice(&self.secret) else {
            return false;
        };
        mac.update(user_id.as_bytes());
        mac.verify_slice(&expected).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_right_hash_for_the_right_user_verifies() {
        let v = IdentityVerifier::new(&[1u8; 32]).unwrap();
        let h = v.sign("user-42");
        assert_eq!(h.len(), 64);
        assert!(v.verify("user-42", &h));
        assert!(!v.verify("user-43", &h));
        assert!(!v.verify("user-42", "zz"));
        let other = IdentityVerifier::new(&[2u8; 32]).unwrap();
        assert!(!other.verify("user-42", &h));
        assert!(IdentityVerifier::new(b"short").is_err());
    }
}
