//! Attachments on the local server: files under `<data dir>/attachments`, uploaded to and
//! downloaded from the server itself through short-lived URLs signed with a key of this process
//! (`PUT /api/uploads/{token}`, `GET /api/files/{token}`). A token names one file and what may be
//! done with it, so those two routes need no bearer token (an `<img>` cannot send one).
//!
//! Layout: `pending/{chat}/{attachment}` and `kept/{chat}/{attachment}`, each file with a
//! `.json` beside it holding what was declared about it.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::domain::attachment::{MAX_ATTACHMENT_BYTES, SNIFF_BYTES};
use crate::domain::{AttachmentId, ChatId, DeclaredFile, FileKind, Timestamp};
use crate::ports::{
    AttachmentStorage, DownloadLink, KeptFile, PendingUpload, StoreError, UploadMethod,
    UploadTarget, UploadedObject, Uploader, DOWNLOAD_TTL_MS, UPLOAD_TTL_MS,
};

/// Where the local server serves uploads and downloads (the path prefixes of its two routes).
pub const UPLOAD_PATH: &str = "/api/uploads/";
pub const DOWNLOAD_PATH: &str = "/api/files/";

pub struct LocalFiles {
    root: PathBuf,
    key: [u8; 32],
}

/// Why an upload or a download through a signed URL was refused.
#[derive(Debug, Error)]
pub enum LocalFileError {
    #[error("this link is not valid (or was made for something else)")]
    BadToken,
    #[error("this link has expired; ask for a new one")]
    Expired,
    #[error("the upload has {actual} bytes, but {declared} were declared")]
    WrongSize { declared: u64, actual: u64 },
    #[error("the file is over the limit of {MAX_ATTACHMENT_BYTES} bytes (10 MB)")]
    TooLarge,
    #[error("this file was already confirmed; it cannot be replaced")]
    AlreadyKept,
    #[error("the file is gone")]
    Gone,
    #[error("the attachment store failed")]
    Io(#[from] std::io::Error),
}

/// A file to send: its bytes and the headers of `super::download_headers`.
pub struct ServedFile {
    pub bytes: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

/// What a signed URL allows: upload one declared file, or download one kept file.
#[derive(Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
enum Grant {
    Upload {
        chat: String,
        id: String,
        name: String,
        kind: String,
        size: u64,
        by: String,
        exp: i64,
    },
    Download {
        chat: String,
        id: String,
        inline: bool,
        exp: i64,
    },
}

/// What is stored beside a file.
#[derive(Serialize, Deserialize)]
struct Meta {
    name: String,
    kind: String,
    size: u64,
    by: String,
}

impl LocalFiles {
    /// Files under `root` (created when needed); URLs signed with a fresh random key, so they
    /// do not outlive the process (an upload or a download is started again).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalFiles {
            root: root.into(),
            key: rand::random(),
        }
    }

    fn sign(&self, grant: &Grant) -> String {
        let payload = hex::encode(serde_json::to_vec(grant).unwrap_or_default());
        format!("{payload}.{}", self.mac(&payload))
    }

    fn mac(&self, payload: &str) -> String {
        match Hmac::<sha2::Sha256>::new_from_slice(&self.key) {
            Ok(mut m) => {
                m.update(payload.as_bytes());
                hex::encode(m.finalize().into_bytes())
            }
            Err(_) => String::new(),
        }
    }

    fn verify(&self, token: &str, now: Timestamp) -> Result<Grant, LocalFileError> {
        let (payload, mac) = token.split_once('.').ok_or(LocalFileError::BadToken)?;
        let expected = self.mac(payload);
        if expected.is_empty()
            || !crate::auth::tokens::constant_time_eq(expected.as_bytes(), mac.as_bytes())
        {
            return Err(LocalFileError::BadToken);
        }
        let bytes = hex::decode(payload).map_err(|_| LocalFileError::BadToken)?;
        let grant: Grant = serde_json::from_slice(&bytes).map_err(|_| LocalFileError::BadToken)?;
        let exp = match &grant {
            Grant::Upload { exp, .. } | Grant::Download { exp, .. } => *exp,
        };
        if now.millis() > exp {
            return Err(LocalFileError::Expired);
        }
        Ok(grant)
    }

    fn path(&self, state: &str, chat: &str, id: &str) -> Result<PathBuf, LocalFileError> {
        // Both were ids when signed; checked again so no token can name a path outside.
        let chat = ChatId::parse(chat).map_err(|_| LocalFileError::BadToken)?;
        let id = AttachmentId::parse(id).map_err(|_| LocalFileError::BadToken)?;
        Ok(self.root.join(state).join(chat.as_str()).join(id.as_str()))
    }

    /// Stores the body of `PUT /api/uploads/{token}` as the pending file the token names.
    pub async fn accept_upload(
        &self,
        token: &str,
        body: &[u8],
        now: Timestamp,
    ) -> Result<(), LocalFileError> {
        let Grant::Upload {
            chat,
            id,
            name,
            kind,
            size,
            by,
            ..
        } = self.verify(token, now)?
        else {
            return Err(LocalFileError::BadToken);
        };
        let actual = body.len() as u64;
        if actual > MAX_ATTACHMENT_BYTES {
            return Err(LocalFileError::TooLarge);
        }
        if actual != size {
            return Err(LocalFileError::WrongSize {
                declared: size,
                actual,
            });
        }
        if exists(&self.path("kept", &chat, &id)?).await? {
            return Err(LocalFileError::AlreadyKept);
        }
        let file = self.path("pending", &chat, &id)?;
        let meta = serde_json::to_vec(&Meta {
            name,
            kind,
            size,
            by,
        })
        .unwrap_or_default();
        write_replacing(&meta_path(&file), &meta).await?;
        write_replacing(&file, body).await?;
        Ok(())
    }

    /// The kept file `GET /api/files/{token}` names, with the headers it is served with.
    pub async fn open_download(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<ServedFile, LocalFileError> {
        let Grant::Download {
            chat, id, inline, ..
        } = self.verify(token, now)?
        else {
            return Err(LocalFileError::BadToken);
        };
        let file = self.path("kept", &chat, &id)?;
        let meta = match read_meta(&file).await? {
            Some(meta) => meta,
            None => return Err(LocalFileError::Gone),
        };
        let kind = FileKind::from_mime(&meta.kind).ok_or(LocalFileError::Gone)?;
        let bytes = match tokio::fs::read(&file).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(LocalFileError::Gone),
            Err(e) => return Err(e.into()),
        };
        Ok(ServedFile {
            bytes,
            headers: super::download_headers(kind, &meta.name, inline),
        })
    }
}

fn meta_path(file: &Path) -> PathBuf {
    file.with_extension("json")
}

fn store_error(e: LocalFileError) -> StoreError {
    match e {
        LocalFileError::Io(io) => StoreError::backend(io),
        other => StoreError::Corrupt(other.to_string()),
    }
}

async fn exists(path: &Path) -> Result<bool, LocalFileError> {
    Ok(tokio::fs::try_exists(path).await?)
}

async fn read_meta(file: &Path) -> Result<Option<Meta>, LocalFileError> {
    match tokio::fs::read(meta_path(file)).await {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Writes through a temporary file and a rename, so a reader sees the old bytes or the new ones.
async fn write_replacing(path: &Path, bytes: &[u8]) -> Result<(), LocalFileError> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await?;
    }
    let temp = path.with_extension(format!("tmp-{}", ulid::Ulid::new()));
    tokio::fs::write(&temp, bytes).await?;
    tokio::fs::rename(&temp, path).await?;
    Ok(())
}

/// Identifies a file's current bytes: an upload replaces the file (a new inode), a rename
/// keeps it.
fn version_of(meta: &std::fs::Metadata) -> String {
    use std::os::unix::fs::MetadataExt;
    format!("{}-{}-{}", meta.ino(), meta.len(), meta.mtime_nsec())
}

async fn remove_if_present(path: &Path) -> Result<(), std::io::Error> {
    match tokio::fs::remove_file(path).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[async_trait]
impl AttachmentStorage for LocalFiles {
    async fn upload_target(
        &self,
        upload: &PendingUpload,
        now: Timestamp,
    ) -> Result<UploadTarget, StoreError> {
        let expires_at = now.plus_millis(UPLOAD_TTL_MS);
        let token = self.sign(&Grant::Upload {
            chat: upload.chat_id.to_string(),
            id: upload.id.to_string(),
            name: upload.declared.file_name.clone(),
            kind: upload.declared.kind.mime().to_owned(),
            size: upload.declared.size,
            by: upload.uploader.to_stored(),
            exp: expires_at.millis(),
        });
        Ok(UploadTarget {
            url: format!("{UPLOAD_PATH}{token}"),
            method: UploadMethod::Put,
            fields: Vec::new(),
            headers: vec![(
                "Content-Type".into(),
                upload.declared.kind.mime().to_owned(),
            )],
            expires_at,
        })
    }

    async fn read_pending(
        &self,
        chat_id: &ChatId,
        id: &AttachmentId,
    ) -> Result<Option<UploadedObject>, StoreError> {
        let file = self
            .root
            .join("pending")
            .join(chat_id.as_str())
            .join(id.as_str());
        let Some(meta) = read_meta(&file).await.map_err(store_error)? else {
            return Ok(None);
        };
        let mut opened = match tokio::fs::File::open(&file).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::backend(e)),
        };
        let stat = opened.metadata().await.map_err(StoreError::backend)?;
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        use tokio::io::AsyncReadExt;
        (&mut opened)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut head)
            .await
            .map_err(StoreError::backend)?;
        let declared = DeclaredFile::parse(&meta.name, &meta.kind, meta.size)
            .map_err(|e| StoreError::Corrupt(format!("pending attachment {id}: {e}")))?;
        let uploader = Uploader::from_stored(&meta.by)
            .ok_or_else(|| StoreError::Corrupt(format!("pending attachment {id}: uploader")))?;
        Ok(Some(UploadedObject {
            declared,
            uploader,
            size: stat.len(),
            head,
            version: version_of(&stat),
        }))
    }

    async fn keep(
        &self,
        chat_id: &ChatId,
        id: &AttachmentId,
        version: &str,
    ) -> Result<bool, StoreError> {
        let pending = self
            .root
            .join("pending")
            .join(chat_id.as_str())
            .join(id.as_str());
        let kept = self
            .root
            .join("kept")
            .join(chat_id.as_str())
            .join(id.as_str());
        if let Some(dir) = kept.parent() {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(StoreError::backend)?;
        }
        // The metadata first: it cannot change after the upload (it is what was declared).
        match tokio::fs::rename(meta_path(&pending), meta_path(&kept)).await {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            other => other.map_err(StoreError::backend)?,
        }
        match tokio::fs::rename(&pending, &kept).await {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            other => other.map_err(StoreError::backend)?,
        }
        let stat = tokio::fs::metadata(&kept)
            .await
            .map_err(StoreError::backend)?;
        if version_of(&stat) != version {
            // Replaced between the check and the rename: what was checked is gone.
            self.discard(chat_id, id).await?;
            return Ok(false);
        }
        Ok(true)
    }

    async fn discard(&self, chat_id: &ChatId, id: &AttachmentId) -> Result<(), StoreError> {
        for state in ["pending", "kept"] {
            let file = self
                .root
                .join(state)
                .join(chat_id.as_str())
                .join(id.as_str());
            remove_if_present(&file)
                .await
                .map_err(StoreError::backend)?;
            remove_if_present(&meta_path(&file))
                .await
                .map_err(StoreError::backend)?;
        }
        Ok(())
    }

    async fn download_link(
        &self,
        file: &KeptFile,
        inline: bool,
        now: Timestamp,
    ) -> Result<DownloadLink, StoreError> {
        let expires_at = now.plus_millis(DOWNLOAD_TTL_MS);
        let token = self.sign(&Grant::Download {
            chat: file.chat_id.to_string(),
            id: file.id.to_string(),
            inline: inline && file.kind.is_image(),
            exp: expires_at.millis(),
        });
        Ok(DownloadLink {
            url: format!("{DOWNLOAD_PATH}{token}"),
            expires_at,
        })
    }
}
