//! The e-mail that carries an agent's reply to an offline message: the reply, signed by the
//! agent and the group, above the customer's own words. A plain-text part and an HTML part in
//! which every value is escaped (customers and agents both typed them).

use super::inbox::OfflineMessage;
use super::transcript::escape_html;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Lines of text as HTML: escaped, line breaks kept.
fn html_lines(text: &str) -> String {
    text.lines()
        .map(escape_html)
        .collect::<Vec<_>>()
        .join("<br>\n")
}

pub fn reply_mail(
    message: &OfflineMessage,
    group_name: &str,
    agent_name: &str,
    reply: &str,
) -> ReplyMail {
    let subject = format!("Re: your message to {group_name}");
    let quoted: String = message
        .question
        .lines()
        .map(|l| format!("> {l}\n"))
        .collect();
    let text = format!(
        "Hello {name},\n\n{reply}\n\n{agent_name}\n{group_name}\n\nYou wrote:\n{quoted}",
        name = message.name,
    );
    let html = format!(
        "<!doctype html>\n<html><body style=\"font-family: sans-serif\">\n\
         <p>Hello {name},</p>\n<p>{reply}</p>\n<p>{agent}<br>\n{group}</p>\n\
         <p style=\"color: #666\">You wrote:</p>\n\
         <blockquote style=\"color: #666; border-left: 3px solid #ccc; margin: 0; padding-left: 10px\">{question}</blockquote>\n\
         </body></html>\n",
        name = escape_html(&message.name),
        reply = html_lines(reply),
        agent = escape_html(agent_name),
        group = escape_html(group_name),
        question = html_lines(&message.question),
    );
    ReplyMail {
        subject,
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::inbox::LeftMessage;
    use crate::domain::{GroupId, OfflineMessageId, Timestamp};

    #[test]
    fn everything_typed_is_escaped_in_the_html_and_kept_in_the_text() {
        let left = LeftMessage::parse(
            "<script>alert(1)</script>",
            "a@b.co",
            "Line one & <b>two</b>\nline \"three\"",
        )
        .unwrap();
        let message = OfflineMessage::new(
            OfflineMessageId::parse("m1").unwrap(),
            GroupId::parse("support").unwrap(),
            left,
            None,
            Timestamp(0),
        );
        let mail = reply_mail(
            &message,
            "Sup<port>",
            "Al'ice",
            "Try <i>this</i>\nthen that",
        );
        assert_eq!(mail.subject, "Re: your message to Sup<port>");
        assert!(!mail.html.contains("<script>"));
        assert!(!mail.html.contains("<b>two"));
        assert!(!mail.html.contains("<i>this"));
        assert!(mail.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(mail
            .html
            .contains("Try &lt;i&gt;this&lt;/i&gt;<br>\nthen that"));
        assert!(mail.html.contains("Al&#39;ice"));
        assert!(mail.text.contains("Hello <script>alert(1)</script>,"));
        assert!(mail.text.contains("Try <i>this</i>\nthen that"));
        assert!(mail
            .text
            .contains("> Line one & <b>two</b>\n> line \"three\""));
    }
}
