//! Serves a router over HTTP/1.1 with a header-read timeout, which `axum::serve` cannot set: a
//! client that opens connections and trickles its headers (slowloris), or opens them and sends
//! nothing, is cut off after `header_read_timeout`. hyper starts the same timer when a keep-alive
//! connection falls idle after a response, so an idle keep-alive connection is closed after the
//! same time. Upgraded connections (WebSockets) leave hyper and have their own idle timeout
//! (`gateway.rs`).
//!
//! HTTP/1 only, on purpose: hyper-util's automatic HTTP/1-or-2 detection reads the first bytes
//! without any timeout, so a silent connection would stay open; browsers never speak HTTP/2
//! without TLS, which this server does not terminate.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::{Service, ServiceExt};

/// Accepts until `stop` completes, then lets open requests finish and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    stop: impl Future<Output = ()>,
) {
    let mut make_service: IntoMakeServiceWithConnectInfo<Router, SocketAddr> =
        router.into_make_service_with_connect_info::<SocketAddr>();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    // `stopping` tells the connections to finish; each holds a `finished` receiver until it has,
    // so `closed()` on the sender waits for the last one.
    let (stopping, stop_rx) = watch::channel(());
    let (finished, finished_rx) = watch::channel(());
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    pause_after_accept_error(e).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // Frames are small and go out as soon as they are written: without TCP_NODELAY a
        // second frame on a socket waits for the peer's (delayed) acknowledgement of the first,
        // up to 40 ms on Linux.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(%peer, error = %e, "could not disable Nagle's algorithm");
        }
        let service = match make_service.call(peer).await {
            Ok(service) => service,
            Err(never) => match never {},
        };
        let service =
            service.map_request(|req: http::Request<Incoming>| req.map(axum::body::Body::new));
        let connection = builder
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .with_upgrades();
        let mut stop_rx = stop_rx.clone();
        let finished_rx = finished_rx.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                _ = stop_rx.changed() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                // A client that hangs up or times out is routine, not an error of the server.
                tracing::debug!(%peer, error = %e, "connection ended");
            }
            drop(finished_rx);
        });
    }
    drop(listener);
    let _ = stopping.send(());
    drop(finished_rx);
    finished.closed().await;
}

/// Errors of one connection (reset before accept) need no pause; running out of file
/// descriptors does, or the loop would spin on the error.
async fn pause_after_accept_error(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accepting a connection failed; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
