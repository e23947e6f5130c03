//! Files attached to a chat: which kinds are accepted, decided by their content (magic bytes),
//! never by their name or by what the client says; how large they may be; and the name a
//! download is saved under. Pure rules: the bytes are read by the storage adapters.

use super::error::DomainError;
use super::ids::AttachmentId;
use super::limits;

/// The largest file a customer or an agent may attach.
pub const MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;
/// How many of a file's first bytes decide its kind (the zip-based office formats name their
/// main part within the first entries).
pub const SNIFF_BYTES: usize = 8 * 1024;
pub const MAX_FILE_NAME_CHARS: usize = 120;

/// A kind of file chatdesk accepts. Anything else (HTML, SVG, XML, scripts, executables,
/// archives) is refused: nothing uploaded can run in a page of chatdesk's origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Pdf,
    Docx,
    Xlsx,
    Pptx,
    Text,
}

impl FileKind {
    pub const ALL: [FileKind; 9] = [
        FileKind::Png,
        FileKind::Jpeg,
        FileKind::Gif,
        FileKind::Webp,
        FileKind::Pdf,
        FileKind::Docx,
        FileKind::Xlsx,
        FileKind::Pptx,
        FileKind::Text,
    ];

    /// The media type the file is stored and served with.
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Gif => "image/gif",
            FileKind::Webp => "image/webp",
            FileKind::Pdf => "application/pdf",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            FileKind::Text => "text/plain; charset=utf-8",
        }
    }

    /// A declared media type (`image/png`, `text/plain;charset=UTF-8`), if it is one accepted.
    pub fn from_mime(raw: &str) -> Option<FileKind> {
        let essence = raw
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        FileKind::ALL
            .into_iter()
            .find(|k| k.mime().split(';').next() == Some(essence.as_str()))
    }

    /// Images are previewed in the chat (and only they may be shown inline).
    pub fn is_image(self) -> bool {
        matches!(
            self,
            FileKind::Png | FileKind::Jpeg | FileKind::Gif | FileKind::Webp
        )
    }

    /// The kind of a file by its first bytes, `None` for anything not accepted.
    pub fn sniff(head: &[u8]) -> Option<FileKind> {
        if let Some(found) = infer::get(head) {
            return match found.mime_type() {
                "image/png" => Some(FileKind::Png),
                "image/jpeg" => Some(FileKind::Jpeg),
                "image/gif" => Some(FileKind::Gif),
                "image/webp" => Some(FileKind::Webp),
                "application/pdf" => Some(FileKind::Pdf),
                m if m == FileKind::Docx.mime() => Some(FileKind::Docx),
                m if m == FileKind::Xlsx.mime() => Some(FileKind::Xlsx),
                m if m == FileKind::Pptx.mime() => Some(FileKind::Pptx),
                // HTML, XML (SVG), scripts, archives, executables...: never.
                _ => None,
            };
        }
        is_plain_text(head).then_some(FileKind::Text)
    }
}

/// Plain text: valid UTF-8 (a character cut at the end of `head` is fine), no NUL or other
/// control characters than whitespace, and nothing a browser would sniff as markup.
fn is_plain_text(head: &[u8]) -> bool {
    if head.is_empty() {
        return false;
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) if e.error_len().is_none() => {
            // Only the last character is incomplete: the rest decides.
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return false,
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
    {
        return false;
    }
    !looks_like_markup(text)
}

/// What browsers sniff as HTML or XML (the WHATWG sniffing patterns, and more): a document
/// starting with a tag, a comment, a doctype or an XML declaration, or naming `<svg`/`<script`
/// anywhere in its head.
fn looks_like_markup(text: &str) -> bool {
    let lower = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    if lower.starts_with('<') {
        return true;
    }
    [
        "<svg",
        "<script",
        "<html",
        "<!doctype",
        "<?xml",
        "<iframe",
        "<body",
        "<head",
    ]
    .iter()
    .any(|tag| lower.contains(tag))
}

/// What the uploader says a file is, checked before anything is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredFile {
    pub file_name: String,
    pub kind: FileKind,
    pub size: u64,
}

impl DeclaredFile {
    pub fn parse(file_name: &str, content_type: &str, size: u64) -> Result<Self, DomainError> {
        let file_name = safe_file_name(file_name)?;
        let kind = FileKind::from_mime(content_type).ok_or_else(|| {
            DomainError::invalid(
                "content_type",
                format!(
                    "{content_type:?} is not accepted; attach an image (PNG, JPEG, GIF, WebP), a \
                     PDF, a Word, Excel or PowerPoint document, or plain text"
                ),
            )
        })?;
        if size == 0 {
            return Err(DomainError::invalid("size", "the file is empty"));
        }
        if size > MAX_ATTACHMENT_BYTES {
            return Err(too_large(size));
        }
        Ok(DeclaredFile {
            file_name,
            kind,
            size,
        })
    }

    /// Whether what was uploaded is what was declared: its size, and its kind by content.
    pub fn check_upload(&self, size: u64, head: &[u8]) -> Result<(), DomainError> {
        if size > MAX_ATTACHMENT_BYTES {
            return Err(too_large(size));
        }
        if size != self.size {
            return Err(DomainError::invalid(
                "size",
                format!(
                    "the upload has {size} bytes, but {} were declared",
                    self.size
                ),
            ));
        }
        match FileKind::sniff(head) {
            Some(kind) if kind == self.kind => Ok(()),
            Some(kind) => Err(DomainError::invalid(
                "content_type",
                format!(
                    "the file is {} by its content, but {} was declared",
                    kind.mime(),
                    self.kind.mime()
                ),
            )),
            None => Err(DomainError::invalid(
                "content_type",
                "the file's content is not of an accepted type (images, PDF, office documents, \
                 plain text; never HTML, SVG or XML)",
            )),
        }
    }
}

fn too_large(size: u64) -> DomainError {
    DomainError::invalid(
        "size",
        format!("{size} bytes is over the limit of {MAX_ATTACHMENT_BYTES} bytes (10 MB)"),
    )
}

/// A file name safe to show and to put in a `Content-Disposition` header: the last path
/// component, without control characters, quotes or separators, at most 120 characters.
pub fn safe_file_name(raw: &str) -> Result<String, DomainError> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '"' | ';' | '<' | '>' | '*' | '?' | '|' | ':') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let name = limits::single_line(
        "file_name",
        cleaned.trim_start_matches('.'),
        MAX_FILE_NAME_CHARS,
    )?;
    Ok(name)
}

/// A file in a chat, once its upload was confirmed: what its event carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachedFile {
    pub id: AttachmentId,
    pub file_name: String,
    pub kind: FileKind,
    pub size: u64,
}

#[cfg(test)]
mod tests;
