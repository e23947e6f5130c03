//! Attachments in the cloud: a private S3 bucket. Clients upload straight to the bucket with a
//! presigned POST whose policy (signed here, SigV4: the SDK presigns requests but not POST
//! forms) fixes the exact key, the `Content-Type`, the size (`content-length-range`) and who
//! started the upload, for five minutes. Confirmation reads the object back (HeadObject, then
//! the first bytes with a ranged GetObject), copies it from `pending/` to `chats/` only if it is
//! still the object read (`x-amz-copy-source-if-match`), and deletes the pending one; the
//! bucket's lifecycle rule expires whatever stays under `pending/`. Downloads are presigned
//! GETs that make S3 answer with `Content-Disposition: attachment` and the type by content.

mod policy;

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::Client;

use crate::domain::attachment::SNIFF_BYTES;
use crate::domain::{AttachmentId, ChatId, DeclaredFile, Timestamp};
use crate::ports::{
    AttachmentStorage, DownloadLink, KeptFile, PendingUpload, StoreError, UploadMethod,
    UploadTarget, UploadedObject, Uploader, DOWNLOAD_TTL_MS, UPLOAD_TTL_MS,
};

pub use policy::{PostPolicy, SigningCredentials};

/// The key prefix of uploads not confirmed yet (the lifecycle rule's).
pub const PENDING_PREFIX: &str = "pending/";
/// The key prefix of kept files.
pub const KEPT_PREFIX: &str = "chats/";

/// Object metadata written by the POST form (fixed by its policy).
const META_NAME: &str = "name";
const META_SIZE: &str = "size";
const META_UPLOADER: &str = "uploader";

pub struct S3Files {
    client: Client,
    bucket: String,
    region: String,
    /// Where POST forms go: the bucket's virtual-hosted endpoint, or `{endpoint}/{bucket}`.
    post_url: String,
    credentials: aws_credential_types::provider::SharedCredentialsProvider,
}

fn pending_key(chat: &ChatId, id: &AttachmentId) -> String {
    format!("{PENDING_PREFIX}{chat}/{id}")
}

fn kept_key(chat: &ChatId, id: &AttachmentId) -> String {
    format!("{KEPT_PREFIX}{chat}/{id}")
}

impl S3Files {
    /// The bucket `bucket` through the SDK configuration `aws`; `endpoint` overrides S3's (a
    /// test's moto), with path-style addressing.
    pub fn new(
        aws: &aws_config::SdkConfig,
        bucket: &str,
        endpoint: Option<&str>,
    ) -> Result<Self, String> {
        let region = aws
            .region()
            .map(|r| r.to_string())
            .ok_or("no AWS region is configured")?;
        let credentials = aws
            .credentials_provider()
            .ok_or("no AWS credentials provider is configured")?;
        let mut config = aws_sdk_s3::config::Builder::from(aws);
        let post_url = match endpoint {
            Some(url) => {
                config = config.endpoint_url(url).force_path_style(true);
                format!("{}/{bucket}", url.trim_end_matches('/'))
            }
            None => format!("https://{bucket}.s3.{region}.amazonaws.com/"),
        };
        Ok(S3Files {
            client: Client::from_conf(config.build()),
            bucket: bucket.to_owned(),
            region,
            post_url,
            credentials,
        })
    }

    async fn signing_credentials(&self) -> Result<SigningCredentials, StoreError> {
        use aws_credential_types::provider::ProvideCredentials;
        let c = self
            .credentials
            .provide_credentials()
            .await
            .map_err(StoreError::backend)?;
        Ok(SigningCredentials {
            access_key_id: c.access_key_id().to_owned(),
            secret_access_key: c.secret_access_key().to_owned(),
            session_token: c.session_token().map(str::to_owned),
        })
    }

    async fn delete(&self, key: String) -> Result<(), StoreError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| StoreError::backend(e.into_service_error()))?;
        Ok(())
    }
}

#[async_trait]
impl AttachmentStorage for S3Files {
    async fn upload_target(
        &self,
        upload: &PendingUpload,
        now: Timestamp,
    ) -> Result<UploadTarget, StoreError> {
        let expires_at = now.plus_millis(UPLOAD_TTL_MS);
        let policy = PostPolicy {
            bucket: self.bucket.clone(),
            key: pending_key(&upload.chat_id, &upload.id),
            content_type: upload.declared.kind.mime().to_owned(),
            size: upload.declared.size,
            metadata: vec![
                (META_NAME.into(), encode_meta(&upload.declared.file_name)),
                (META_SIZE.into(), upload.declared.size.to_string()),
                (META_UPLOADER.into(), upload.uploader.to_stored()),
            ],
            region: self.region.clone(),
            now,
            expires_at,
        };
        let fields = policy.signed_fields(&self.signing_credentials().await?);
        Ok(UploadTarget {
            url: self.post_url.clone(),
            method: UploadMethod::Post,
            fields,
            headers: Vec::new(),
            expires_at,
        })
    }

    async fn read_pending(
        &self,
        chat_id: &ChatId,
        id: &AttachmentId,
    ) -> Result<Option<UploadedObject>, StoreError> {
        let key = pending_key(chat_id, id);
        let head = match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(&key)
            .send()
            .await
        {
            Ok(h) => h,
            Err(e) => {
                let e = e.into_service_error();
                if e.is_not_found() {
                    return Ok(None);
                }
                return Err(StoreError::backend(e));
            }
        };
        let corrupt = |what: &str| StoreError::Corrupt(format!("pending attachment {id}: {what}"));
        let meta = head.metadata().cloned().unwrap_or_default();
        let name = meta
            .get(META_NAME)
            .map(|n| decode_meta(n))
            .ok_or_else(|| corrupt("no name"))?;
        let declared_size: u64 = meta
            .get(META_SIZE)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| corrupt("no size"))?;
        let uploader = meta
            .get(META_UPLOADER)
            .and_then(|u| Uploader::from_stored(u))
            .ok_or_else(|| corrupt("no uploader"))?;
        let declared = DeclaredFile::parse(&name, head.content_type().unwrap_or(""), declared_size)
            .map_err(|e| corrupt(&e.to_string()))?;
        let size = u64::try_from(head.content_length().unwrap_or(0)).unwrap_or(0);
        let version = head.e_tag().unwrap_or("").to_owned();
        let first = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(&key)
            .range(format!("bytes=0-{}", SNIFF_BYTES - 1))
            .if_match(&version)
            .send()
            .await
            .map_err(|e| StoreError::backend(e.into_service_error()))?;
        let bytes = first
            .body
            .collect()
            .await
            .map_err(StoreError::backend)?
            .into_bytes();
        Ok(Some(UploadedObject {
            declared,
            uploader,
            size,
            head: bytes.to_vec(),
            version,
        }))
    }

    async fn keep(
        &self,
        chat_id: &ChatId,
        id: &AttachmentId,
        version: &str,
    ) -> Result<bool, StoreError> {
        let copied = self
            .client
            .copy_object()
            .bucket(&self.bucket)
            .copy_source(format!("{}/{}", self.bucket, pending_key(chat_id, id)))
            .copy_source_if_match(version)
            .key(kept_key(chat_id, id))
            .send()
            .await;
        match copied {
            Ok(_) => {}
            Err(e) => {
                let status = e.raw_response().map(|r| r.status().as_u16());
                if matches!(status, Some(412) | Some(404)) {
                    // Replaced or gone since it was read: nothing is kept.
                    return Ok(false);
                }
                return Err(StoreError::backend(e.into_service_error()));
            }
        }
        self.delete(pending_key(chat_id, id)).await?;
        Ok(true)
    }

    async fn discard(&self, chat_id: &ChatId, id: &AttachmentId) -> Result<(), StoreError> {
        self.delete(pending_key(chat_id, id)).await?;
        self.delete(kept_key(chat_id, id)).await
    }

    async fn download_link(
        &self,
        file: &KeptFile,
        inline: bool,
        now: Timestamp,
    ) -> Result<DownloadLink, StoreError> {
        let expires_at = now.plus_millis(DOWNLOAD_TTL_MS);
        let ttl = Duration::from_millis(u64::try_from(DOWNLOAD_TTL_MS).unwrap_or(300_000));
        let mut presigning = PresigningConfig::builder().expires_in(ttl);
        // Signed at the app's clock, so a test's clock decides the link's lifetime too.
        if let Ok(ms) = u64::try_from(now.millis()) {
            presigning = presigning.start_time(SystemTime::UNIX_EPOCH + Duration::from_millis(ms));
        }
        let presigning = presigning.build().map_err(StoreError::backend)?;
        let headers = super::download_headers(file.kind, &file.file_name, inline);
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(kept_key(&file.chat_id, &file.id))
            .response_content_type(header("content-type"))
            .response_content_disposition(header("content-disposition"))
            .response_cache_control(header("cache-control"))
            .presigned(presigning)
            .await
            .map_err(|e| StoreError::backend(e.into_service_error()))?;
        Ok(DownloadLink {
            url: request.uri().to_owned(),
            expires_at,
        })
    }
}

/// Object metadata travels as HTTP headers: the name is kept percent-encoded (UTF-8).
fn encode_meta(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn decode_meta(value: &str) -> String {
    percent_encoding::percent_decode_str(value)
        .decode_utf8_lossy()
        .into_owned()
}
