//! A chat's transcript as an e-mail: a plain-text part and an HTML part, made from the events
//! the chat's customer may see (`ChatEvent::for_customer`). Every value that came from a person
//! is escaped in the HTML part: a customer named `<script>` arrives as text.

use super::chat::Chat;
use super::event::{Author, ChatEvent, EventKind};
use super::mail::MAX_MAIL_BODY_BYTES;

/// The subject and the two bodies of a transcript mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// `&`, `<`, `>`, `"` and `'` as entities: safe in element content and in quoted attributes.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
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

/// A line as plain text and as an HTML table row (escaped).
fn render(l: &Line) -> (String, String) {
    let body = escape_html(&l.what).replace('\n', "<br>");
    match &l.who {
        Some(who) => (
            format!("[{}] {who}: {}\n", l.at, l.what),
            format!(
                "<tr><td style=\"color:#666\">{}</td><td><b>{}</b>: {body}</td></tr>\n",
                escape_html(&l.at),
                escape_html(who)
            ),
        ),
        None => (
            format!("[{}] {}\n", l.at, l.what),
            format!(
                "<tr><td style=\"color:#666\">{}</td><td><i>{body}</i></td></tr>\n",
                escape_html(&l.at)
            ),
        ),
    }
}

/// The transcript of `chat` (in group `group_name`) from `events`, which must already be the
/// customer's projection: this function leaves out nothing on its own beyond what it does not
/// render.
pub fn transcript_mail(chat: &Chat, group_name: &str, events: &[ChatEvent]) -> TranscriptMail {
    let started = chat.started_at.to_utc_string();
    let day = started.get(..10).unwrap_or(&started);
    let subject = format!("Your chat with {group_name} on {day}");
    let lines: Vec<Line> = events.iter().filter_map(line).collect();

    let mut text = format!(
        "Hello {},\n\nhere is the transcript of your chat with {group_name}.\n\n",
        chat.customer.name
    );
    let mut html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif\">\
         <p>Hello {},</p><p>here is the transcript of your chat with {}.</p>\
         <table cellpadding=\"4\">\n",
        escape_html(&chat.customer.name),
        escape_html(group_name)
    );
    // Room for the closing markup and the note that the transcript was cut.
    let budget = MAX_MAIL_BODY_BYTES - 1_000;
    for l in &lines {
        let (text_line, html_line) = render(l);
        if text.len() + html.len() + text_line.len() + html_line.len() > budget {
            text.push_str(CUT_NOTE);
            text.push('\n');
            html.push_str(&format!("<tr><td></td><td><i>{CUT_NOTE}</i></td></tr>"));
            break;
        }
        text.push_str(&text_line);
        html.push_str(&html_line);
    }
    html.push_str("</table></body></html>");
    TranscriptMail {
        subject,
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ChatId, ClientMessageId, Timestamp};

    #[test]
    fn html_escapes_everything_a_person_wrote() {
        assert_eq!(
            escape_html(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

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
}
