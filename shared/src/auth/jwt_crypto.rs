//! The two signature algorithms chatdesk's tokens use, as `jsonwebtoken`'s crypto provider:
//! HS256 (the tokens this deployment signs) and RS256 verification (ID tokens of the OpenID
//! Connect issuer). The crate's built-in RustCrypto provider links every algorithm it knows
//! (elliptic curves, Ed25519, RSA signing), code no chatdesk token can ever reach, in every
//! function; this one links what is used. Any other algorithm is refused as unsupported.

use hmac::{Hmac, Mac};
use jsonwebtoken::crypto::{CryptoProvider, JwkUtils, JwtSigner, JwtVerifier};
use jsonwebtoken::errors::{Error, ErrorKind};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};
use signature::{Signer, Verifier};

type HmacSha256 = Hmac<Sha256>;

static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: new_signer,
    verifier_factory: new_verifier,
    jwk_utils: JwkUtils::new_unimplemented(),
};

/// Makes this the process's provider. Idempotent; every entry point that signs or verifies a
/// token calls it first. If another provider was installed before (a test signing RS256 tokens
/// with the crate's own), that one stays: it verifies HS256 and RS256 alike.
pub fn install() {
    let _ = PROVIDER.install_default();
}

fn unsupported() -> Error {
    ErrorKind::InvalidAlgorithm.into()
}

fn new_signer(algorithm: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>, Error> {
    match algorithm {
        Algorithm::HS256 => Ok(Box::new(Hs256(hmac_key(key.try_get_hmac_secret()?)?))),
        _ => Err(unsupported()),
    }
}

fn new_verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>, Error> {
    match algorithm {
        Algorithm::HS256 => Ok(Box::new(Hs256(hmac_key(key.try_get_hmac_secret()?)?))),
        Algorithm::RS256 => Ok(Box::new(Rs256(rsa_public_key(key)?))),
        _ => Err(unsupported()),
    }
}

fn hmac_key(secret: &[u8]) -> Result<HmacSha256, Error> {
    HmacSha256::new_from_slice(secret).map_err(|_| ErrorKind::InvalidKeyFormat.into())
}

fn rsa_public_key(key: &DecodingKey) -> Result<RsaPublicKey, Error> {
    use jsonwebtoken::DecodingKeyKind;
    match key.kind() {
        DecodingKeyKind::SecretOrDer(der) => RsaPublicKey::from_pkcs1_der(der)
            .map_err(|e| ErrorKind::InvalidRsaKey(e.to_string()).into()),
        DecodingKeyKind::RsaModulusExponent { n, e } => {
            RsaPublicKey::new(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e))
                .map_err(|e| ErrorKind::InvalidRsaKey(e.to_string()).into())
        }
    }
}

struct Hs256(HmacSha256);

impl Signer<Vec<u8>> for Hs256 {
    fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
        let mut mac = self.0.clone();
        mac.update(msg);
        Ok(mac.finalize().into_bytes().to_vec())
    }
}

impl JwtSigner for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

impl Verifier<Vec<u8>> for Hs256 {
    fn verify(&self, msg: &[u8], tag: &Vec<u8>) -> Result<(), signature::Error> {
        let mut mac = self.0.clone();
        mac.update(msg);
        // Constant-time comparison.
        mac.verify_slice(tag).map_err(signature::Error::from_source)
    }
}

impl JwtVerifier for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

struct Rs256(RsaPublicKey);

impl Verifier<Vec<u8>> for Rs256 {
    fn verify(&self, msg: &[u8], sig: &Vec<u8>) -> Result<(), signature::Error> {
        self.0
            .verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg), sig)
            .map_err(signature::Error::from_source)
    }
}

impl JwtVerifier for Rs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::RS256
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::crypto::{sign, verify};

    #[test]
    fn hs256_signs_and_verifies_and_rejects_a_wrong_key() {
        install();
        let key = EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef");
        let signature = sign(b"header.claims", &key, Algorithm::HS256).unwrap();
        let right = DecodingKey::from_secret(b"0123456789abcdef0123456789abcdef");
        let wrong = DecodingKey::from_secret(b"fedcba9876543210fedcba9876543210");
        assert!(verify(&signature, b"header.claims", &right, Algorithm::HS256).unwrap());
        assert!(!verify(&signature, b"header.claims", &wrong, Algorithm::HS256).unwrap());
        assert!(!verify(&signature, b"header.claimz", &right, Algorithm::HS256).unwrap());
    }

    #[test]
    fn algorithms_chatdesk_never_uses_are_refused() {
        install();
        let key = EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef");
        assert!(sign(b"m", &key, Algorithm::HS512).is_err());
        let public = DecodingKey::from_ed_components("AAAA").unwrap();
        assert!(verify("AAAA", b"m", &public, Algorithm::EdDSA).is_err());
    }
}
