//! Attachments as they travel: what an upload declares, where to upload, and a download link.

use serde::{Deserialize, Serialize};

use super::ids::{AttachmentId, Timestamp};
use crate::ports;

/// What the client says about a file before uploading it (checked again, by content, when the
/// upload is confirmed).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartUpload {
    /// The file's name (only its last component is kept, made safe; at most 120 characters).
    pub file_name: String,
    /// One of `image/png`, `image/jpeg`, `image/gif`, `image/webp`, `application/pdf`, the
    /// Word, Excel and PowerPoint (OOXML) types, `text/plain`.
    pub content_type: String,
    /// In bytes, 1 to 10485760 (10 MB).
    pub size: u64,
}

/// A started upload: send the file to `upload`, then confirm it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StartedUpload {
    pub attachment_id: AttachmentId,
    pub upload: UploadTarget,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum UploadMethod {
    /// The file is the body, with `headers`.
    Put,
    /// A `multipart/form-data` form: `fields` in order, then the file as the field `file`.
    Post,
}

/// Where the file goes, and how.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UploadTarget {
    /// Absolute (the cloud's bucket) or relative to this API's origin (the local server).
    pub url: String,
    pub method: UploadMethod,
    /// Form fields (POST), in order.
    pub fields: Vec<(String, String)>,
    /// Headers to send (PUT).
    pub headers: Vec<(String, String)>,
    /// The target refuses uploads after this.
    pub expires_at: Timestamp,
}

/// A short-lived link to a file.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AttachmentLink {
    /// Serves the file as an attachment (`inline` only for images asked with `inline=true`),
    /// with `X-Content-Type-Options: nosniff`.
    pub url: String,
    pub expires_at: Timestamp,
}

/// The query of a download.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AttachmentQuery {
    /// For an image preview (`<img src>`): served `inline`; refused for other files.
    pub inline: Option<bool>,
}

impl From<&crate::app::StartedUpload> for StartedUpload {
    fn from(s: &crate::app::StartedUpload) -> Self {
        let t = &s.target;
        StartedUpload {
            attachment_id: (&s.attachment_id).into(),
            upload: UploadTarget {
                url: t.url.clone(),
                method: match t.method {
                    ports::UploadMethod::Put => UploadMethod::Put,
                    ports::UploadMethod::Post => UploadMethod::Post,
                },
                fields: t.fields.clone(),
                headers: t.headers.clone(),
                expires_at: t.expires_at.into(),
            },
        }
    }
}

impl From<&ports::DownloadLink> for AttachmentLink {
    fn from(l: &ports::DownloadLink) -> Self {
        AttachmentLink {
            url: l.url.clone(),
            expires_at: l.expires_at.into(),
        }
    }
}
