//! A supervised HTTP/1.1 server on 127.0.0.1: what the HTTP gateway and the Invoke API
//! share (accepting, hyper's limits on a request's head, a graceful stop), each with a
//! handler of its own.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::request_limits::MAX_REQUEST_HEAD_BYTES;
use crate::triggers::context::InvocationSink;
use crate::triggers::supervisor::{Supervisor, TaskFuture};

/// How long a stop waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// A running server; `stop` ends it cleanly.
pub(crate) struct LocalServer {
    local_addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    /// Watches the connections of every run of the accept loop, for a stop to wait on.
    connections: Arc<GracefulShutdown>,
}

impl LocalServer {
    /// Binds 127.0.0.1:`port` (0: any free port) and answers every request with
    /// `handle(state, client address, request)` until stopped. `what` names the server in
    /// the message if its accept loop panics. Call within a tokio runtime.
    pub(crate) async fn start<S, F, Fut, B>(
        port: u16,
        what: &str,
        sink: Arc<dyn InvocationSink>,
        client_read_timeout: Duration,
        state: Arc<S>,
        handle: F,
    ) -> std::io::Result<Self>
    where
        S: Send + Sync + 'static,
        F: Fn(Arc<S>, Arc<str>, Request<Incoming>) -> Fut + Copy + Send + Sync + 'static,
        Fut: Future<Output = Response<B>> + Send + 'static,
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let local_addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        // Supervised: an accept loop that panics is reported and accepts again (on the
        // same socket, so the port stays this server's).
        let listener = Arc::new(listener);
        let connections = Arc::new(GracefulShutdown::new());
        let watching = Arc::clone(&connections);
        let restart_stop = stopped.clone();
        let accept = move || -> TaskFuture {
            Box::pin(accept_loop(
                Arc::clone(&listener),
                Arc::clone(&state),
                Arc::clone(&watching),
                restart_stop.clone(),
                client_read_timeout,
                handle,
            ))
        };
        let task = Supervisor::new(sink).spawn(
            format!("{what} on {local_addr}"),
            stopped,
            accept(),
            accept,
        );
        Ok(Self {
            local_addr,
            stop,
            task,
            connections,
        })
    }

    pub(crate) fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting connections and waits (up to 30 s) for requests in flight.
    pub(crate) async fn stop(self) {
        let _ = self.stop.send(true);
        // The accept loop's end drops the listener (no new connections) and its share of
        // the connections' watch.
        let _ = self.task.await;
        if let Ok(connections) = Arc::try_unwrap(self.connections) {
            let _ = tokio::time::timeout(SHUTDOWN_GRACE, connections.shutdown()).await;
        }
    }
}

async fn accept_loop<S, F, Fut, B>(
    listener: Arc<TcpListener>,
    state: Arc<S>,
    graceful: Arc<GracefulShutdown>,
    mut stopped: watch::Receiver<bool>,
    client_read_timeout: Duration,
    handle: F,
) where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>, Arc<str>, Request<Incoming>) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Response<B>> + Send + 'static,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut connections = http1::Builder::new();
    // hyper answers a head over API Gateway's limit with a 431 itself, and closes a
    // connection whose headers do not arrive in time.
    connections
        .max_header_size(MAX_REQUEST_HEAD_BYTES)
        .timer(TokioTimer::new())
        .header_read_timeout(client_read_timeout);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else {
                    // Out of file descriptors and the like: try again shortly.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let state = Arc::clone(&state);
                let source_ip: Arc<str> = Arc::from(peer.ip().to_string());
                let service = service_fn(move |request| {
                    let answer = handle(Arc::clone(&state), Arc::clone(&source_ip), request);
                    async move { Ok::<_, Infallible>(answer.await) }
                });
                let connection = connections.serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    // A client that hangs up mid-request is not the server's problem.
                    let _ = connection.await;
                });
            }
            _ = stopped.changed() => break,
        }
    }
}
