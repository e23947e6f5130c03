//! The local server's outbox delivery: the same run the cloud's `mail-outbox` function makes
//! once a minute, here every few seconds and at once when a mail is queued, until the server
//! stops. A run in progress finishes first (its sends are bounded by the SMTP timeout), so a
//! stop never leaves a sent mail unrecorded.

use std::time::Duration;

use chatdesk::app::App;

pub(crate) async fn deliver_until_stopped(
    app: App,
    every: Duration,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    if app.mail.sender.is_none() {
        return;
    }
    let queued = app.mail.queued.clone();
    loop {
        match app.deliver_due_mail().await {
            Ok(report) if report.claimed > 0 => tracing::info!(
                sent = report.sent,
                retried = report.retried,
                failed = report.failed,
                "outbox delivery"
            ),
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %chatdesk::errors::error_chain(&e), "outbox delivery failed")
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = queued.notified() => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
    }
}
