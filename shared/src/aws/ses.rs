//! The cloud's mail sender: Amazon SES v2 `SendEmail` from the deployment's verified identity,
//! in its configuration set when there is one.

use async_trait::async_trait;
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use aws_sdk_sesv2::Client;

use crate::domain::{EmailAddress, OutgoingMail};
use crate::ports::{MailSender, SendError, SentReceipt};

pub struct SesSender {
    client: Client,
    from: EmailAddress,
    configuration_set: Option<String>,
}

impl SesSender {
    pub fn new(client: Client, from: EmailAddress, configuration_set: Option<String>) -> Self {
        SesSender {
            client,
            from,
            configuration_set: configuration_set.filter(|c| !c.is_empty()),
        }
    }

    /// A client on the function's SDK configuration; `endpoint` for an emulator.
    pub fn client(shared: &aws_config::SdkConfig, endpoint: Option<&str>) -> Client {
        let mut config = aws_sdk_sesv2::config::Builder::from(shared);
        if let Some(e) = endpoint {
            config = config.endpoint_url(e);
        }
        Client::from_conf(config.build())
    }
}

fn utf8(data: &str) -> Result<Content, SendError> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(|e| SendError::Permanent(e.to_string()))
}

#[async_trait]
impl MailSender for SesSender {
    fn sender_address(&self) -> &EmailAddress {
        &self.from
    }

    async fn send(&self, mail: &OutgoingMail) -> Result<SentReceipt, SendError> {
        let message = Message::builder()
            .subject(utf8(&mail.subject)?)
            .body(
                Body::builder()
                    .text(utf8(&mail.text)?)
                    .html(utf8(&mail.html)?)
                    .build(),
            )
            .build();
        let out =
            self.client
                .send_email()
                .from_email_address(self.from.as_str())
                .destination(
                    Destination::builder()
                        .to_addresses(mail.to.as_str())
                        .build(),
                )
                .set_reply_to_addresses(mail.reply_to.as_ref().map(|r| vec![r.to_string()]))
                .content(EmailContent::builder().simple(message).build())
                .set_configuration_set_name(self.configuration_set.clone())
                .send()
                .await
                .map_err(|e| {
                    let text = format!("{}", aws_sdk_sesv2::error::DisplayErrorContext(&e));
                    match e.into_service_error() {
                        // An unverified sender (or, while the account is in the SES sandbox, an
                        // unverified recipient): an operator fixes that, and the mail waits for it.
                        SendEmailError::MessageRejected(_) if text.contains("not verified") => {
                            SendError::Transient(text)
                        }
                        // The message or an address is refused as it is: sending it again would be
                        // refused again.
                        SendEmailError::MessageRejected(_)
                        | SendEmailError::BadRequestException(_) => SendError::Permanent(text),
                        // Throttling, a paused or suspended account, an unverified identity, a
                        // missing configuration set, a network failure: an operator or time fixes
                        // these, and the mail waits for it.
                        _ => SendError::Transient(text),
                    }
                })?;
        Ok(SentReceipt {
            provider_id: out.message_id.unwrap_or_default(),
        })
    }
}
