//! The one consumer of the table's stream: the function that sends consoles the list rows of
//! messages (`Fanout::push_list_rows`). Declared here so that the deployment manifest, and through
//! it the template checks, know the function, its filter and its batching.

use serde::Serialize;

#[derive(Clone, Copy, Debug, Serialize)]
pub struct TableStreamConsumer {
    /// The function (binary) the event source mapping invokes.
    pub function: &'static str,
    /// Lambda's filter: only changes of a chat's META item reach the function (new chats, events,
    /// guards, subscriptions and connections, whose META items count frames, are left out before
    /// any invocation is billed).
    pub filter_pattern: &'static str,
    /// At most this many records per invocation...
    pub batch_size: u32,
    /// ...gathered for at most this long: a console gets at most about one frame of rows a
    /// second per stream shard, however many messages its list's chats receive.
    pub batching_window_seconds: u32,
    /// Rows are worth sending for this long; an older record (the function failed and was
    /// retried) is dropped rather than shown late.
    pub max_record_age_seconds: u32,
    /// A batch that keeps failing is retried this often, then skipped: rows are a display
    /// refresh, and a stuck batch would hold up every later one of its shard.
    pub max_retry_attempts: u32,
}

pub const TABLE_STREAM_CONSUMER: TableStreamConsumer = TableStreamConsumer {
    function: "list-rows",
    filter_pattern: r#"{"eventName":["MODIFY"],"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"CHAT#"}]},"sk":{"S":["META"]}}}}"#,
    batch_size: 100,
    batching_window_seconds: 1,
    max_record_age_seconds: 60,
    max_retry_attempts: 2,
};
