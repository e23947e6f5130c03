//! Where the bytes of attached files live: the local server's data directory, or a private S3
//! bucket. The client never sends a file through a route of the API: it gets a short-lived
//! upload target (a signed local URL, or a presigned S3 POST whose policy fixes the key, the
//! type and the size), uploads there, and asks the API to confirm. Until then the file is
//! *pending*, with what was declared about it stored beside it; confirmation reads it back and
//! *keeps* it, or discards it.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{AgentId, AttachmentId, ChatId, DeclaredFile, FileKind, Timestamp};

/// How long an upload target and a download link are valid.
pub const UPLOAD_TTL_MS: i64 = 5 * 60 * 1000;
pub const DOWNLOAD_TTL_MS: i64 = 5 * 60 * 1000;

/// A file a client was allowed to upload into a chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingUpload {
    pub chat_id: ChatId,
    pub id: AttachmentId,
    pub declared: DeclaredFile,
    pub uploader: Uploader,
}

/// Who started an upload: only they confirm it (the file is posted in their name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Uploader {
    Customer,
    Agent(AgentId),
}

impl Uploader {
    /// As stored beside the file: `customer`, or `agent:{id}`.
    pub fn to_stored(&self) -> String {
        match self {
            Uploader::Customer => "customer".into(),
            Uploader::Agent(id) => format!("agent:{id}"),
        }
    }

    pub fn from_stored(raw: &str) -> Option<Uploader> {
        match raw.split_once(':') {
            None if raw == "customer" => Some(Uploader::Customer),
            Some(("agent", id)) => AgentId::parse(id).ok().map(Uploader::Agent),
            _ => None,
        }
    }
}

/// A kept (confirmed) file, as a download needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptFile {
    pub chat_id: ChatId,
    pub id: AttachmentId,
    pub file_name: String,
    pub kind: FileKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadMethod {
    /// The bytes are the request's body (the local server).
    Put,
    /// A `multipart/form-data` form: `fields` first, then the file as `file` (S3).
    Post,
}

/// Where and how the client uploads the bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadTarget {
    pub url: String,
    pub method: UploadMethod,
    /// Form fields to send before the file (POST).
    pub fields: Vec<(String, String)>,
    /// Headers to send (PUT).
    pub headers: Vec<(String, String)>,
    pub expires_at: Timestamp,
}

/// What was uploaded for a pending file, read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadedObject {
    /// What the upload target allowed (stored beside the bytes).
    pub declared: DeclaredFile,
    pub uploader: Uploader,
    pub size: u64,
    /// The first bytes (`domain::attachment::SNIFF_BYTES` at most).
    pub head: Vec<u8>,
    /// Identifies these bytes: keeping fails if the object was replaced since it was read.
    pub version: String,
}

/// A short-lived URL that serves a kept file as an attachment (or, for images only, inline).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownloadLink {
    pub url: String,
    pub expires_at: Timestamp,
}

#[async_trait]
pub trait AttachmentStorage: Send + Sync {
    /// Where the client uploads `upload`'s bytes until `now + UPLOAD_TTL_MS`.
    async fn upload_target(
        &self,
        upload: &PendingUpload,
        now: Timestamp,
    ) -> Result<UploadTarget, StoreError>;

    /// The pending upload of `id` in `chat_id`, or `None` when nothing was uploaded.
    async fn read_pending(
        &self,
        chat_id: &ChatId,
        id: &AttachmentId,
    ) -> Result<Option<UploadedObject>, StoreError>;

    /// Keeps the pending upload if it is still the `version` read; `false` when it was replaced
    /// or is gone (nothing kept).
    async fn keep(
        &self,
        chat_id: &ChatId,
        id: &AttachmentId,
        version: &str,
    ) -> Result<bool, StoreError>;

    /// Deletes the file, pending or kept (a refused upload, a chat that ended meanwhile).
    async fn discard(&self, chat_id: &ChatId, id: &AttachmentId) -> Result<(), StoreError>;

    /// A link serving a kept file; `inline` only for images (the caller checks).
    async fn download_link(
        &self,
        file: &KeptFile,
        inline: bool,
        now: Timestamp,
    ) -> Result<DownloadLink, StoreError>;
}
