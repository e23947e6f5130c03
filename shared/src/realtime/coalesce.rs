//! Gathers the list rows a connection is sent for messages (counts, idle times), so that a busy
//! chat costs a console showing it at most one frame per interval, carrying the latest rows.
//! The first row after a quiet interval goes at once; the ones that follow wait for the end of
//! the interval and go together.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::api::wire::ChatRow;
use crate::ports::ConnectionId;

/// How list rows reach the consoles that show them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListPush {
    /// One frame per change (the Lambda functions: nothing runs after an invocation returns).
    Immediate,
    /// At most one frame of rows per connection each interval (the local server).
    Coalesced(Duration),
    /// Not by the function that stored the message: the table's stream hands the changed chats
    /// to the list-rows function in batches, which sends each console one frame per batch
    /// (`Fanout::push_list_rows`). The message path reads no group subscribers.
    FromStream,
}

/// What the caller does with an offered row.
#[derive(Debug, PartialEq)]
pub enum Offer {
    /// Send these rows now.
    SendNow(Vec<Arc<ChatRow>>),
    /// Held; the caller schedules a `flush` of the connection at this instant.
    FlushAt(Instant),
    /// Held; a flush is already scheduled.
    Held,
}

struct Pending {
    last_sent: Instant,
    /// Rows offered since the last frame, in the order offered; a chat may be in it more than
    /// once (`latest` keeps its newest row). Rows are shared by every connection they are
    /// offered to (one row of a message goes to each console showing its list), and holding
    /// one is a push: no lookup, no comparison of chat ids.
    rows: Vec<Arc<ChatRow>>,
    /// The length at which `rows` is cut down to one row per chat.
    compact_at: usize,
    flush_scheduled: bool,
}

/// Rows held before the first cut to one row per chat.
const COMPACT_AT: usize = 256;

/// One row per chat, the newest (highest `last_seq`; of equal ones the last offered), in chat id
/// order.
fn latest(mut rows: Vec<Arc<ChatRow>>) -> Vec<Arc<ChatRow>> {
    rows.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    let mut out: Vec<Arc<ChatRow>> = Vec::with_capacity(rows.len());
    for row in rows {
        match out.last_mut() {
            Some(last) if last.id == row.id => {
                if row.last_seq >= last.last_seq {
                    *last = row;
                }
            }
            _ => out.push(row),
        }
    }
    out
}

/// The fewest remembered connections that make `offer` sweep out the quiet ones.
const SWEEP_AT: usize = 1024;

pub struct ListCoalescer {
    interval: Duration,
    /// How many remembered connections make the next `offer` sweep.
    sweep_at: AtomicUsize,
    connections: Mutex<HashMap<ConnectionId, Pending>>,
}

impl ListCoalescer {
    pub fn new(interval: Duration) -> Self {
        ListCoalescer {
            interval,
            sweep_at: AtomicUsize::new(SWEEP_AT),
            connections: Mutex::new(HashMap::new()),
        }
    }

    pub fn offer(&self, connection: &ConnectionId, row: Arc<ChatRow>, now: Instant) -> Offer {
        let Ok(mut connections) = self.connections.lock() else {
            return Offer::SendNow(vec![row]);
        };
        self.offer_locked(&mut connections, connection, row, now)
    }

    /// Offers one row to each of `connections` under one lock; answers what to do for those
    /// whose row is not simply held.
    pub fn offer_to_each(
        &self,
        connections: Vec<ConnectionId>,
        row: &Arc<ChatRow>,
        now: Instant,
    ) -> Vec<(ConnectionId, Offer)> {
        let Ok(mut held) = self.connections.lock() else {
            return connections
                .into_iter()
                .map(|c| (c, Offer::SendNow(vec![row.clone()])))
                .collect();
        };
        let mut todo = Vec::new();
        for connection in connections {
            match self.offer_locked(&mut held, &connection, row.clone(), now) {
                Offer::Held => {}
                offer => todo.push((connection, offer)),
            }
        }
        todo
    }

    fn offer_locked(
        &self,
        connections: &mut HashMap<ConnectionId, Pending>,
        connection: &ConnectionId,
        row: Arc<ChatRow>,
        now: Instant,
    ) -> Offer {
        if connections.len() > self.sweep_at.load(Ordering::Relaxed) {
            // Connections that went quiet need no memory of when they were last sent to. The
            // next sweep waits until the map has doubled, so that many consoles showing lists
            // do not cost a scan of all of them on every row.
            let interval = self.interval;
            connections.retain(|_, p| {
                p.flush_scheduled || now.saturating_duration_since(p.last_sent) < interval
            });
            self.sweep_at
                .store((connections.len() * 2).max(SWEEP_AT), Ordering::Relaxed);
        }
        match connections.get_mut(connection) {
            None => {
                connections.insert(
                    connection.clone(),
                    Pending {
                        last_sent: now,
                        rows: Vec::new(),
                        compact_at: COMPACT_AT,
                        flush_scheduled: false,
                    },
                );
                Offer::SendNow(vec![row])
            }
            Some(p) if !p.flush_scheduled && now >= p.last_sent + self.interval => {
                p.last_sent = now;
                Offer::SendNow(vec![row])
            }
            Some(p) => {
                p.rows.push(row);
                if p.rows.len() >= p.compact_at {
                    // Many messages within one interval: keep one row per chat.
                    p.rows = latest(std::mem::take(&mut p.rows));
                    p.compact_at = (p.rows.len() * 2).max(COMPACT_AT);
                }
                if p.flush_scheduled {
                    Offer::Held
                } else {
                    p.flush_scheduled = true;
                    Offer::FlushAt(p.last_sent + self.interval)
                }
            }
        }
    }

    /// The rows held for the connection, to send now.
    pub fn flush(&self, connection: &ConnectionId, now: Instant) -> Vec<Arc<ChatRow>> {
        let Ok(mut connections) = self.connections.lock() else {
            return Vec::new();
        };
        match connections.get_mut(connection) {
            Some(p) => {
                p.flush_scheduled = false;
                let rows = std::mem::take(&mut p.rows);
                p.compact_at = COMPACT_AT;
                if !rows.is_empty() {
                    p.last_sent = now;
                }
                latest(rows)
            }
            None => Vec::new(),
        }
    }

    /// Drops a held row of the chat: a newer one was just sent to the connection.
    pub fn superseded(&self, connection: &ConnectionId, chat_id: &str) {
        if let Ok(mut connections) = self.connections.lock() {
            if let Some(p) = connections.get_mut(connection) {
                p.rows.retain(|row| row.id.as_str() != chat_id);
            }
        }
    }

    /// Forgets the connection's held rows (it shows another list, or it is gone).
    pub fn forget(&self, connection: &ConnectionId) {
        if let Ok(mut connections) = self.connections.lock() {
            if let Some(p) = connections.get_mut(connection) {
                p.rows.clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain;

    fn row(id: &str, messages: u64) -> Arc<ChatRow> {
        let t0 = domain::Timestamp(1_700_000_000_000);
        let group = domain::Group {
            id: domain::GroupId::parse("support").unwrap(),
            name: "Support".into(),
            distribution: domain::Distribution::Pull,
            hand_off: Default::default(),
            business_hours: None,
            offline: Default::default(),
            texts: Default::default(),
        };
        let chat = domain::rules::start_chat(
            domain::ChatId::parse(id).unwrap(),
            &group,
            "Ann",
            None,
            "Where is my order?",
            domain::ClientMessageId::generate(),
            t0,
        )
        .unwrap()
        .chat;
        let mut r =
            domain::ChatRow::from_chat(&chat, "Support", t0, &domain::IdleThresholds::default());
        r.messages = messages;
        Arc::new((&r).into())
    }

    fn conn() -> ConnectionId {
        ConnectionId::parse("c1").unwrap()
    }

    #[test]
    fn a_burst_costs_one_frame_now_and_one_with_the_latest_rows_at_the_end_of_the_interval() {
        let c = ListCoalescer::new(Duration::from_secs(1));
        let t0 = Instant::now();
        assert_eq!(
            c.offer(&conn(), row("a", 1), t0),
            Offer::SendNow(vec![row("a", 1)])
        );
        let t1 = t0 + Duration::from_millis(100);
        assert_eq!(
            c.offer(&conn(), row("a", 2), t1),
            Offer::FlushAt(t0 + Duration::from_secs(1))
        );
        assert_eq!(c.offer(&conn(), row("b", 1), t1), Offer::Held);
        assert_eq!(c.offer(&conn(), row("a", 3), t1), Offer::Held);
        let t2 = t0 + Duration::from_secs(1);
        assert_eq!(c.flush(&conn(), t2), vec![row("a", 3), row("b", 1)]);
        // Within the next interval rows wait again.
        assert!(matches!(
            c.offer(&conn(), row("a", 4), t2 + Duration::from_millis(10)),
            Offer::FlushAt(_)
        ));
    }

    #[test]
    fn a_row_offered_to_several_connections_is_held_for_each_on_its_own() {
        let c = ListCoalescer::new(Duration::from_secs(1));
        let (one, two) = (conn(), ConnectionId::parse("c2").unwrap());
        let t0 = Instant::now();
        // `one` was sent a row just now; `two` has had none.
        let _ = c.offer(&one, row("a", 1), t0);
        let todo = c.offer_to_each(vec![one.clone(), two.clone()], &row("a", 2), t0);
        assert_eq!(
            todo,
            vec![
                (one.clone(), Offer::FlushAt(t0 + Duration::from_secs(1))),
                (two.clone(), Offer::SendNow(vec![row("a", 2)])),
            ]
        );
        // Held: nothing to do for `one`; `two` now waits too.
        let todo = c.offer_to_each(vec![one.clone(), two.clone()], &row("a", 3), t0);
        assert_eq!(
            todo,
            vec![(two.clone(), Offer::FlushAt(t0 + Duration::from_secs(1)))]
        );
        assert_eq!(c.flush(&one, t0), vec![row("a", 3)]);
        assert_eq!(c.flush(&two, t0), vec![row("a", 3)]);
    }

    #[test]
    fn the_newest_row_of_a_chat_is_sent_whatever_the_order_rows_were_offered_in() {
        let c = ListCoalescer::new(Duration::from_secs(1));
        let t0 = Instant::now();
        let _ = c.offer(&conn(), row("a", 1), t0);
        let mut r5 = ChatRow::clone(&row("a", 5));
        r5.last_seq = 5;
        let mut r4 = ChatRow::clone(&row("a", 4));
        r4.last_seq = 4;
        let _ = c.offer(&conn(), Arc::new(r5.clone()), t0);
        let _ = c.offer(&conn(), Arc::new(r4), t0);
        assert_eq!(c.flush(&conn(), t0), vec![Arc::new(r5)]);
    }

    #[test]
    fn many_rows_within_an_interval_are_cut_to_one_per_chat() {
        let c = ListCoalescer::new(Duration::from_secs(1));
        let t0 = Instant::now();
        let _ = c.offer(&conn(), row("a", 0), t0);
        for i in 0..(3 * COMPACT_AT as u64) {
            let mut r = ChatRow::clone(&row(["a", "b", "c"][(i % 3) as usize], i));
            r.last_seq = i;
            let _ = c.offer(&conn(), Arc::new(r), t0);
        }
        let held = c.connections.lock().unwrap()[&conn()].rows.len();
        assert!(held < COMPACT_AT, "{held} rows held");
        let sent = c.flush(&conn(), t0);
        let messages: Vec<u64> = sent.iter().map(|r| r.messages).collect();
        let last = 3 * COMPACT_AT as u64;
        assert_eq!(messages, vec![last - 3, last - 2, last - 1]);
    }

    #[test]
    fn shared_rows_are_sent_as_the_chat_rows_frame() {
        let rows = vec![row("a", 1), row("b", 2)];
        let frame = crate::realtime::frames::ServerFrame::ChatRows {
            chats: rows.iter().map(|r| ChatRow::clone(r)).collect(),
        };
        assert_eq!(
            crate::realtime::frames::chat_rows_bytes(&rows),
            frame.to_bytes()
        );
    }

    #[test]
    fn a_row_after_a_quiet_interval_goes_at_once() {
        let c = ListCoalescer::new(Duration::from_secs(1));
        let t0 = Instant::now();
        let _ = c.offer(&conn(), row("a", 1), t0);
        let later = t0 + Duration::from_millis(1500);
        assert_eq!(
            c.offer(&conn(), row("a", 2), later),
            Offer::SendNow(vec![row("a", 2)])
        );
    }

    #[test]
    fn a_superseded_or_forgotten_row_is_not_sent() {
        let c = ListCoalescer::new(Duration::from_secs(1));
        let t0 = Instant::now();
        let _ = c.offer(&conn(), row("a", 1), t0);
        let _ = c.offer(&conn(), row("a", 2), t0);
        let _ = c.offer(&conn(), row("b", 2), t0);
        c.superseded(&conn(), "a");
        assert_eq!(c.flush(&conn(), t0), vec![row("b", 2)]);
        let _ = c.offer(&conn(), row("b", 3), t0);
        c.forget(&conn());
        assert!(c.flush(&conn(), t0).is_empty());
    }
}
