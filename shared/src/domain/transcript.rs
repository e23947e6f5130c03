//! A chat's transcript as an e-mail: a plain-text part and an HTML part, made from the events
//! the chat's customer may see (`ChatEvent::for_customer`), in the group's words (its texts).
//! Every value that came from a person is escaped in the HTML part: a customer named `<script>`
//! arrives as text.

use super::agent::Group;
use super::chat::Chat;
use super::event::{Author, ChatEvent, EventKind};
use super::mail::MAX_MAIL_BODY_BYTES;
use super::texts::{MailKind, MailPlaceholders, MAX_BODY_CHARS};

/// The subject and the two bodies of a transcript mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// One line of the transcript: when, who (if a person wrote it), what.
struct Line {
    at: String,
    who: Option<String>,
    what: String,
}

fn line(event: &ChatEvent) -> Option<Line> {
    let at = event.at.to_utc_string();
    let (who, what) = match &event.kind {
        EventKind::Message { author, body, .. } => {
            let name = match author {
                Author::Customer { name } | Author::Agent { name, .. } => name.clone(),
            };
            (Some(name), body.clone())
        }
        EventKind::Attachment { author, file, .. } => {
            let name = match author {
                Author::Customer { name } | Author::Agent { name, .. } => name.clone(),
            };
            (
                Some(name),
                format!("[attached {} ({} bytes)]", file.file_name, file.size),
            )
        }
        EventKind::Assigned { agent_name, .. } => (None, format!("{agent_name} joined the chat")),
        EventKind::HandedOff {
            to: Some((_, name)),
            ..
        } => (None, format!("{name} took over the chat")),
        EventKind::Ended { .. } => (None, "The chat ended".to_owned()),
        _ => return None,
    };
    Some(Line { at, who, what })
}

/// Said where a transcript too long for one mail stops.
const CUT_NOTE: &str = "(The transcript is cut here: the rest is too long for one e-mail.)";

/// A line as plain text.
fn render(l: &Line) -> String {
    match &l.who {
        Some(who) => format!("[{}] {who}: {}\n", l.at, l.what),
        None => format!("[{}] {}\n", l.at, l.what),
    }
}

/// The transcript of `chat` (in `group`) from `events`, which must already be the customer's
/// projection: this function leaves out nothing on its own beyond what it does not render. The
/// subject and body are the group's texts (`{transcript}` holds the lines); every value, the
/// lines among them, is escaped in the HTML part.
pub fn transcript_mail(chat: &Chat, group: &Group, events: &[ChatEvent]) -> TranscriptMail {
    // The lines go into both parts, the HTML one escaped (up to six bytes for one): room for
    // that, the group's words around them (in both parts) and the cut note.
    let budget = MAX_MAIL_BODY_BYTES.saturating_sub(2 * 4 * MAX_BODY_CHARS + 1_000) / 7;
    let mut lines = String::new();
    for l in events.iter().filter_map(line) {
        let text_line = render(&l);
        if lines.len() + text_line.len() > budget {
            lines.push_str(CUT_NOTE);
            lines.push('\n');
            break;
        }
        lines.push_str(&text_line);
    }
    let mail = group.texts.render_mail(
        MailKind::Transcript,
        &MailPlaceholders {
            customer_name: chat.customer.name.clone(),
            group: group.name.clone(),
            agent_name: None,
            question: chat.question.clone(),
            next_open: None,
            reply: None,
            transcript: Some(lines.trim_end().to_owned()),
        },
    );
    TranscriptMail {
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ChatId, ClientMessageId, Timestamp};

    #[test]
    fn a_message_line_has_its_author_and_time() {
        let event = ChatEvent {
            chat_id: ChatId::parse("c1").unwrap(),
            seq: 2,
            at: Timestamp(0),
            kind: EventKind::Message {
                client_msg_id: ClientMessageId::parse("m1").unwrap(),
                author: Author::Customer {
                    name: "<b>Ann</b>".into(),
                },
                body: "hi <i>there</i>".into(),
            },
        };
        let l = line(&event).unwrap();
        assert_eq!(l.who.as_deref(), Some("<b>Ann</b>"));
        assert_eq!(l.at, "1970-01-01T00:00:00Z");
    }

    #[test]
    fn the_groups_words_carry_the_lines_and_the_html_escapes_them() {
        use crate::domain::GroupId;
        let mut group = Group::pull(GroupId::parse("support").unwrap(), "Support");
        group.texts.transcript_subject = Some("Chat log for {customer_name}".into());
        group.texts.transcript_body = Some("Lines:\n{transcript}\nBye".into());
        let new = crate::domain::rules::start_chat(
            ChatId::parse("c1").unwrap(),
            &group,
            "<b>Ann</b>",
            None,
            "hi <i>there</i>",
            ClientMessageId::parse("q1").unwrap(),
            Timestamp(0),
        )
        .unwrap();
        let event = ChatEvent {
            chat_id: ChatId::parse("c1").unwrap(),
            seq: 2,
            at: Timestamp(0),
            kind: EventKind::Message {
                client_msg_id: ClientMessageId::parse("m1").unwrap(),
                author: Author::Customer {
                    name: "<b>Ann</b>".into(),
                },
                body: "hi <i>there</i>".into(),
            },
        };
        let mail = transcript_mail(&new.chat, &group, &[event]);
        assert_eq!(mail.subject, "Chat log for <b>Ann</b>");
        assert!(
            mail.text
                .starts_with("Lines:\n[1970-01-01T00:00:00Z] <b>Ann</b>: hi <i>there</i>\nBye"),
            "{}",
            mail.text
        );
        assert!(!mail.html.contains("<b>Ann"), "{}", mail.html);
        assert!(
            mail.html
                .contains("&lt;b&gt;Ann&lt;&#x2F;b&gt;: hi &lt;i&gt;there&lt;&#x2F;i&gt;"),
            "{}",
            mail.html
        );
    }
}
