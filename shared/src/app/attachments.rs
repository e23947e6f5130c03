//! Files in a chat, in two steps: an upload is *started* (what is declared about the file is
//! checked, and the caller must be allowed to write in the chat now), the client uploads the
//! bytes straight to the storage, and the upload is *confirmed*: the stored object is read back,
//! its size and its kind by content (magic bytes) must be what was declared, and only then it is
//! kept and joins the chat as an `Attachment` event, under the chat's rules for messages. A
//! non-conforming object is deleted. The event is the attachment's record: its client id is the
//! attachment's id, so a confirmation is stored once, and a download finds the file through it.

use std::sync::Arc;

use super::{App, AppError};
use crate::auth::Principal;
use crate::domain::rules::{self, Sender};
use crate::domain::{
    Agent, AttachedFile, AttachmentId, ChatEvent, ChatId, ClientMessageId, DeclaredFile, EventKind,
};
use crate::ports::{
    AttachmentStorage, DownloadLink, KeptFile, PendingUpload, UploadTarget, Uploader,
};

use super::mutate::Mutated;

/// A started upload: the attachment's id and where to send its bytes.
pub struct StartedUpload {
    pub attachment_id: AttachmentId,
    pub target: UploadTarget,
}

impl App {
    fn attachment_storage(&self) -> Result<&Arc<dyn AttachmentStorage>, AppError> {
        self.attachments.as_ref().ok_or_else(|| {
            AppError::Conflict("this deployment has no attachment storage configured".into())
        })
    }

    /// The agent behind an agent principal, `None` for the chat's own customer; another chat's
    /// customer is refused.
    async fn writer(&self, principal: &Principal, id: &ChatId) -> Result<Option<Agent>, AppError> {
        match principal {
            Principal::Customer(own) if own == id => Ok(None),
            Principal::Customer(_) => Err(AppError::Forbidden(
                "a customer token only opens its own chat".into(),
            )),
            Principal::Agent(..) => Ok(Some(self.agent(principal).await?)),
        }
    }

    /// Starts an upload of `declared` into the chat: refused unless the caller could post in it
    /// now (its customer while it is live, its assigned agent while it is active).
    pub async fn start_upload(
        &self,
        principal: &Principal,
        id: &ChatId,
        declared: DeclaredFile,
    ) -> Result<StartedUpload, AppError> {
        let storage = self.attachment_storage()?;
        let agent = self.writer(principal, id).await?;
        let chat = self.load_chat(id).await?;
        let now = self.clock.now();
        let attachment_id = AttachmentId::generate();
        // The rule that will accept the confirmed file, run now without committing anything.
        let probe = AttachedFile {
            id: attachment_id.clone(),
            file_name: declared.file_name.clone(),
            kind: declared.kind,
            size: declared.size,
        };
        rules::attach_file(&chat, sender(&agent), probe, now)?;
        let upload = PendingUpload {
            chat_id: id.clone(),
            id: attachment_id.clone(),
            declared,
            uploader: uploader(&agent),
        };
        let target = storage.upload_target(&upload, now).await?;
        Ok(StartedUpload {
            attachment_id,
            target,
        })
    }

    /// Confirms an upload: the stored object is checked and kept, and the file joins the chat.
    /// Returns the event and whether it was already confirmed before.
    pub async fn confirm_upload(
        &self,
        principal: &Principal,
        id: &ChatId,
        attachment_id: &AttachmentId,
    ) -> Result<(ChatEvent, bool), AppError> {
        let storage = self.attachment_storage()?;
        let agent = self.writer(principal, id).await?;
        let client_msg_id = ClientMessageId::parse(attachment_id.as_str())?;
        if let Some(existing) = self.chats.find_message(id, &client_msg_id).await? {
            return match existing.kind {
                EventKind::Attachment { .. } => Ok((existing, true)),
                _ => Err(no_such_attachment(attachment_id)),
            };
        }
        let Some(uploaded) = storage.read_pending(id, attachment_id).await? else {
            return Err(AppError::NotFound(format!(
                "nothing was uploaded for attachment {attachment_id}; upload the file, then \
                 confirm"
            )));
        };
        if uploaded.uploader != uploader(&agent) {
            return Err(AppError::Forbidden(
                "only whoever started this upload confirms it (it is posted in their name)".into(),
            ));
        }
        if let Err(refused) = uploaded
            .declared
            .check_upload(uploaded.size, &uploaded.head)
        {
            storage.discard(id, attachment_id).await?;
            return Err(refused.into());
        }
        if !storage.keep(id, attachment_id, &uploaded.version).await? {
            return Err(AppError::Conflict(format!(
                "the upload of attachment {attachment_id} changed while it was checked; upload \
                 it again"
            )));
        }
        let file = AttachedFile {
            id: attachment_id.clone(),
            file_name: uploaded.declared.file_name,
            kind: uploaded.declared.kind,
            size: uploaded.size,
        };
        let result = self
            .mutate_chat(id, |chat, now| {
                rules::attach_file(chat, sender(&agent), file.clone(), now)
            })
            .await;
        match result {
            Ok(Mutated::Changed { event, .. }) => Ok((event, false)),
            Ok(Mutated::Duplicate { event, .. }) => Ok((event, true)),
            Err(refused) => {
                // A confirmation that raced another one stored the file once: that one answers.
                if let Some(existing) = self.chats.find_message(id, &client_msg_id).await? {
                    return Ok((existing, true));
                }
                // The chat ended (or the agent lost it) since the upload started: the file
                // is not kept.
                storage.discard(id, attachment_id).await?;
                Err(refused)
            }
        }
    }

    /// A short-lived link to a file of the chat, for whoever may read the chat now; `inline`
    /// (an `<img>` preview) only for images.
    pub async fn attachment_link(
        &self,
        principal: &Principal,
        id: &ChatId,
        attachment_id: &AttachmentId,
        inline: bool,
    ) -> Result<DownloadLink, AppError> {
        let storage = self.attachment_storage()?;
        self.readable_chat(principal, id).await?;
        let client_msg_id = ClientMessageId::parse(attachment_id.as_str())?;
        let event = self
            .chats
            .find_message(id, &client_msg_id)
            .await?
            .ok_or_else(|| no_such_attachment(attachment_id))?;
        let visible = match principal {
            Principal::Customer(_) => event.for_customer(),
            Principal::Agent(..) => Some(event),
        };
        let Some(ChatEvent {
            kind: EventKind::Attachment { file, .. },
            ..
        }) = visible
        else {
            return Err(no_such_attachment(attachment_id));
        };
        if inline && !file.kind.is_image() {
            return Err(crate::domain::DomainError::invalid(
                "inline",
                format!(
                    "only images are shown inline; {} is {}, download it instead",
                    file.file_name,
                    file.kind.mime()
                ),
            )
            .into());
        }
        let kept = KeptFile {
            chat_id: id.clone(),
            id: file.id,
            file_name: file.file_name,
            kind: file.kind,
        };
        Ok(storage
            .download_link(&kept, inline, self.clock.now())
            .await?)
    }
}

fn sender(agent: &Option<Agent>) -> Sender<'_> {
    match agent {
        Some(agent) => Sender::Agent(agent),
        None => Sender::Customer,
    }
}

fn uploader(agent: &Option<Agent>) -> Uploader {
    match agent {
        Some(agent) => Uploader::Agent(agent.id.clone()),
        None => Uploader::Customer,
    }
}

fn no_such_attachment(id: &AttachmentId) -> AppError {
    AppError::NotFound(format!("attachment {id} was not found in this chat"))
}
