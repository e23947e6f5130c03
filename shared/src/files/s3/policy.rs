//! The policy of a presigned S3 POST upload and its SigV4 signature
//! (<https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html>).
//! S3 refuses a form that breaks any condition: another key, another `Content-Type`, a size
//! other than the declared one, other metadata, or a form sent after `expiration`.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};

use crate::domain::Timestamp;

/// The credentials the form is signed with (the function's role's, session token included).
pub struct SigningCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

/// One upload's form: the exact object, type, size and metadata it may create.
pub struct PostPolicy {
    pub bucket: String,
    pub key: String,
    pub content_type: String,
    /// Exactly this many bytes (the range's both ends).
    pub size: u64,
    /// `x-amz-meta-{name}` fields, fixed by the policy.
    pub metadata: Vec<(String, String)>,
    pub region: String,
    pub now: Timestamp,
    pub expires_at: Timestamp,
}

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

impl PostPolicy {
    fn date_time(&self) -> (String, String) {
        let at = chrono::DateTime::from_timestamp_millis(self.now.millis()).unwrap_or_default();
        (
            at.format("%Y%m%d").to_string(),
            at.format("%Y%m%dT%H%M%SZ").to_string(),
        )
    }

    fn credential(&self, access_key_id: &str) -> String {
        let (date, _) = self.date_time();
        format!("{access_key_id}/{date}/{}/s3/aws4_request", self.region)
    }

    /// The form fields besides the policy and its signature, in order.
    fn plain_fields(&self, creds: &SigningCredentials) -> Vec<(String, String)> {
        let (_, date_time) = self.date_time();
        let mut fields = vec![
            ("key".to_owned(), self.key.clone()),
            ("Content-Type".to_owned(), self.content_type.clone()),
        ];
        for (name, value) in &self.metadata {
            fields.push((format!("x-amz-meta-{name}"), value.clone()));
        }
        fields.push(("x-amz-algorithm".into(), ALGORITHM.into()));
        fields.push((
            "x-amz-credential".into(),
            self.credential(&creds.access_key_id),
        ));
        fields.push(("x-amz-date".into(), date_time));
        if let Some(token) = &creds.session_token {
            fields.push(("x-amz-security-token".into(), token.clone()));
        }
        fields
    }

    /// The policy document: every field of the form is an exact-match condition, the bucket
    /// too, and the size is `content-length-range` [size, size].
    pub fn document(&self, creds: &SigningCredentials) -> Value {
        let expiration = chrono::DateTime::from_timestamp_millis(self.expires_at.millis())
            .unwrap_or_default()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        let mut conditions = vec![json!({ "bucket": self.bucket })];
        for (name, value) in self.plain_fields(creds) {
            conditions.push(json!({ name: value }));
        }
        conditions.push(json!(["content-length-range", self.size, self.size]));
        json!({ "expiration": expiration, "conditions": conditions })
    }

    /// Every field of the form, the policy (base64) and its signature last; the file follows.
    pub fn signed_fields(&self, creds: &SigningCredentials) -> Vec<(String, String)> {
        use base64::Engine;
        let policy = base64::engine::general_purpose::STANDARD
            .encode(self.document(creds).to_string().as_bytes());
        let signature = self.signature(&creds.secret_access_key, &policy);
        let mut fields = self.plain_fields(creds);
        fields.push(("policy".into(), policy));
        fields.push(("x-amz-signature".into(), signature));
        fields
    }

    /// SigV4: the string to sign is the base64 policy itself.
    fn signature(&self, secret_access_key: &str, policy_base64: &str) -> String {
        let (date, _) = self.date_time();
        let mut key = hmac(
            format!("AWS4{secret_access_key}").as_bytes(),
            date.as_bytes(),
        );
        for part in [self.region.as_str(), "s3", "aws4_request"] {
            key = hmac(&key, part.as_bytes());
        }
        hex::encode(hmac(&key, policy_base64.as_bytes()))
    }
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    match Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        // HMAC takes keys of any length.
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> PostPolicy {
        PostPolicy {
            bucket: "chatdesk-files".into(),
            key: "pending/c1/a1".into(),
            content_type: "image/png".into(),
            size: 2048,
            metadata: vec![("uploader".into(), "customer".into())],
            region: "eu-west-1".into(),
            // 2026-12-07T01:02:03Z
            now: Timestamp(1_796_605_323_000),
            expires_at: Timestamp(1_796_605_623_000),
        }
    }

    fn creds() -> SigningCredentials {
        SigningCredentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: Some("session".into()),
        }
    }

    #[test]
    fn the_policy_fixes_the_key_the_type_the_size_and_the_expiry() {
        let doc = policy().document(&creds());
        assert_eq!(
            doc,
            json!({
                "expiration": "2026-12-07T01:07:03.000Z",
                "conditions": [
                    {"bucket": "chatdesk-files"},
                    {"key": "pending/c1/a1"},
                    {"Content-Type": "image/png"},
                    {"x-amz-meta-uploader": "customer"},
                    {"x-amz-algorithm": "AWS4-HMAC-SHA256"},
                    {"x-amz-credential": "AKIDEXAMPLE/20261207/eu-west-1/s3/aws4_request"},
                    {"x-amz-date": "20261207T010203Z"},
                    {"x-amz-security-token": "session"},
                    ["content-length-range", 2048, 2048]
                ]
            })
        );
    }

    #[test]
    fn the_form_carries_the_policy_and_its_signature_last() {
        use base64::Engine;
        let fields = policy().signed_fields(&creds());
        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names[names.len() - 2..], ["policy", "x-amz-signature"]);
        let policy_b64 = &fields[fields.len() - 2].1;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(policy_b64)
            .unwrap();
        let doc: Value = serde_json::from_slice(&decoded).unwrap();
        assert_eq!(doc, policy().document(&creds()));
        let signature = &fields[fields.len() - 1].1;
        assert_eq!(signature.len(), 64);
        // Another secret signs differently: the signature depends on the key.
        assert_ne!(*signature, policy().signature("another-secret", policy_b64));
        assert_eq!(
            *signature,
            policy().signature("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", policy_b64)
        );
    }

    #[test]
    fn the_signature_is_sigv4() {
        // Known answer, computed apart (Python's hmac): the SigV4 signing key of "secret" for
        // 20261207/eu-west-1/s3/aws4_request, over the string to sign "cG9saWN5".
        assert_eq!(
            policy().signature("secret", "cG9saWN5"),
            "7ae5217a343b8c7201b0782acfcafc8a76da70b989d8bcf187c14e989e8437cc"
        );
    }
}
