//! The `/metrics` HTTP endpoint (feature `http`): hyper 1 on a tokio
//! runtime of its own, so a std service needs no async code to use it.
//!
//! `GET` and `HEAD /metrics` answer with the format negotiated from
//! `Accept` (gzip when `Accept-Encoding` allows it); other paths get 404,
//! other methods 405. Requests with oversized headers are refused by hyper
//! (431), clients time out when they are slow to send their request or stop
//! reading their answer, and scrapes beyond the concurrency limit get 503.
//! No request can make it panic: every outcome is a response.
//!
//! ```
//! use std::io::{Read, Write};
//! use opentelemetry::metrics::MeterProvider as _;
//! use otel_prom_std::{http::{serve, ServerOptions}, PrometheusExporter};
//!
//! let exporter = PrometheusExporter::default();
//! let provider = opentelemetry_sdk::metrics::SdkMeterProvider::builder()
//!     .with_reader(exporter.clone())
//!     .build();
//! provider.meter("shop").u64_counter("orders").build().add(3, &[]);
//! let server = serve(exporter, ServerOptions::default().with_address("127.0.0.1:0")).unwrap();
//!
//! // Any HTTP client will do; this one is plain std.
//! let mut client = std::net::TcpStream::connect(server.local_addr()).unwrap();
//! client.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
//! let mut answer = String::new();
//! client.read_to_string(&mut answer).unwrap();
//! assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
//! assert!(answer.contains("content-type: text/plain; version=0.0.4; charset=utf-8\r\n"), "{answer}");
//! assert!(answer.contains("\norders_total{otel_scope_name=\"shop\"} 3\n"), "{answer}");
//! server.shutdown();
//! ```

use std::io::Write as _;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{
    ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, VARY,
};
use hyper::{Method, Request, Response, StatusCode};
use otel_prom_core::Negotiated;
use tokio::sync::{Semaphore, oneshot};

use crate::PrometheusExporter;

/// Server options. Defaults follow the specification: `localhost:9464`,
/// overridden by `OTEL_EXPORTER_PROMETHEUS_HOST` / `_PORT` (an empty
/// variable counts as unset; a port that does not parse is ignored, with a
/// `tracing` warning).
///
/// ```
/// let opts = otel_prom_std::http::ServerOptions::default().with_address("127.0.0.1:0");
/// assert_eq!(opts.address(), "127.0.0.1:0");
/// ```
#[derive(Debug, Clone)]
pub struct ServerOptions {
    address: String,
    max_connections: usize,
    max_concurrent_scrapes: usize,
    header_timeout: Duration,
    write_timeout: Duration,
    max_header_bytes: usize,
    fixed: Option<Negotiated>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        let host = setting("OTEL_EXPORTER_PROMETHEUS_HOST").unwrap_or_else(|| "localhost".into());
        let port = match setting("OTEL_EXPORTER_PROMETHEUS_PORT") {
            None => 9464,
            Some(text) => text.trim().parse::<u16>().unwrap_or_else(|_| {
                tracing::warn!(value = %text, "OTEL_EXPORTER_PROMETHEUS_PORT is not a port; using 9464");
                9464
            }),
        };
        ServerOptions {
            address: format!("{host}:{port}"),
            max_connections: 256,
            max_concurrent_scrapes: 8,
            header_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            max_header_bytes: 16 * 1024,
            fixed: None,
        }
    }
}

/// An environment variable's value, where an empty one counts as unset (as
/// the OpenTelemetry specification requires of every `OTEL_` variable).
fn setting(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl ServerOptions {
    /// Listen here (`host:port`) instead.
    ///
    /// ```
    /// let _ = otel_prom_std::http::ServerOptions::default().with_address("0.0.0.0:9464");
    /// ```
    pub fn with_address(mut self, address: impl Into<String>) -> Self {
        self.address = address.into();
        self
    }

    /// Connections held open at once (default 256). Beyond it a new
    /// connection is answered `503` and closed at once, so idle or slow
    /// clients cannot exhaust the process: each held connection costs a
    /// few KiB until it times out.
    ///
    /// ```
    /// let _ = otel_prom_std::http::ServerOptions::default().with_max_connections(64);
    /// ```
    pub fn with_max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Scrapes rendered at once; more get 503 (default 8). A render holds
    /// its place until it ends, even if its client has hung up.
    ///
    /// ```
    /// let _ = otel_prom_std::http::ServerOptions::default().with_max_concurrent_scrapes(2);
    /// ```
    pub fn with_max_concurrent_scrapes(mut self, n: usize) -> Self {
        self.max_concurrent_scrapes = n.max(1);
        self
    }

    /// How long a client may take to send its request headers (default 10 s).
    ///
    /// ```
    /// let _ = otel_prom_std::http::ServerOptions::default().with_header_timeout(std::time::Duration::from_secs(2));
    /// ```
    pub fn with_header_timeout(mut self, timeout: Duration) -> Self {
        self.header_timeout = timeout;
        self
    }

    /// How long a client may leave its answer unread (not one more byte
    /// taken) before the connection is closed (default 10 s). Until then the
    /// connection holds its slot and the rendered page.
    ///
    /// ```
    /// let _ = otel_prom_std::http::ServerOptions::default().with_write_timeout(std::time::Duration::from_secs(30));
    /// ```
    pub fn with_write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// Largest request head accepted (default 16 KiB; hyper's minimum is 8 KiB).
    ///
    /// ```
    /// let _ = otel_prom_std::http::ServerOptions::default().with_max_header_bytes(8192);
    /// ```
    pub fn with_max_header_bytes(mut self, n: usize) -> Self {
        self.max_header_bytes = n.max(8192);
        self
    }

    /// Always answer in this format, whatever `Accept` asks (for scrapers
    /// that cannot be told which format to request).
    ///
    /// ```
    /// let _ = otel_prom_std::http::ServerOptions::default()
    ///     .with_fixed_format(otel_prom_core::Negotiated::DEFAULT);
    /// ```
    pub fn with_fixed_format(mut self, answer: Negotiated) -> Self {
        self.fixed = Some(answer);
        self
    }

    /// The configured address.
    ///
    /// ```
    /// let _ = otel_prom_std::http::ServerOptions::default().address();
    /// ```
    pub fn address(&self) -> &str {
        &self.address
    }
}

/// A running server; [`shutdown`](Self::shutdown) stops it gracefully
/// (dropping it does too).
///
/// ```
/// use otel_prom_std::{http::{serve, ServerOptions}, PrometheusExporter};
/// let server = serve(PrometheusExporter::default(), ServerOptions::default().with_address("127.0.0.1:0")).unwrap();
/// let addr = server.local_addr();
/// assert!(std::net::TcpStream::connect(addr).is_ok());
/// drop(server); // stops it, as `shutdown` does
/// assert!(std::net::TcpStream::connect(addr).is_err());
/// ```
#[derive(Debug)]
pub struct MetricsServer {
    local_addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MetricsServer {
    /// The address it listens on (useful with port 0).
    ///
    /// ```
    /// use otel_prom_std::{http::{serve, ServerOptions}, PrometheusExporter};
    /// let server = serve(PrometheusExporter::default(), ServerOptions::default().with_address("127.0.0.1:0")).unwrap();
    /// assert!(server.local_addr().port() > 0);
    /// server.shutdown();
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, lets requests in flight finish (up to 5 s), returns.
    ///
    /// ```
    /// use otel_prom_std::{http::{serve, ServerOptions}, PrometheusExporter};
    /// let server = serve(PrometheusExporter::default(), ServerOptions::default().with_address("127.0.0.1:0")).unwrap();
    /// let addr = server.local_addr();
    /// server.shutdown();
    /// assert!(std::net::TcpStream::connect(addr).is_err()); // nothing listens any more
    /// ```
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// Starts serving `/metrics` for `exporter` on a thread of its own.
///
/// ```
/// use otel_prom_std::{http::{serve, ServerOptions}, PrometheusExporter};
/// let exporter = PrometheusExporter::default();
/// let _provider = opentelemetry_sdk::metrics::SdkMeterProvider::builder().with_reader(exporter.clone()).build();
/// let server = serve(exporter, ServerOptions::default().with_address("127.0.0.1:0")).unwrap();
/// assert!(server.local_addr().ip().is_loopback());
/// server.shutdown();
/// ```
pub fn serve(
    exporter: PrometheusExporter,
    options: ServerOptions,
) -> std::io::Result<MetricsServer> {
    let addr = listen_address(options.address.to_socket_addrs()?).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "address resolves to nothing",
        )
    })?;
    let std_listener = std::net::TcpListener::bind(addr)?;
    std_listener.set_nonblocking(true)?;
    let local_addr = std_listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (stop, stopped) = oneshot::channel();
    let thread = std::thread::Builder::new()
        .name("otel-prom-http".into())
        .spawn(move || {
            runtime.block_on(run(std_listener, exporter, options, stopped));
            // What still runs now is a render whose client has gone (or
            // outlived the grace period): dropping the runtime would wait
            // for it without bound, however long an SDK callback blocks.
            runtime.shutdown_background();
        })?;
    Ok(MetricsServer {
        local_addr,
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// The address to listen on among those a host name resolves to: the first
/// IPv4 one if there is one. The default host, `localhost`, resolves to
/// `::1` first on most Linux systems; bound there alone, the page would be
/// out of reach of a scraper pointed at `127.0.0.1:9464`, where Go and Java
/// servers listen for `localhost`.
fn listen_address(resolved: impl Iterator<Item = SocketAddr>) -> Option<SocketAddr> {
    let mut first = None;
    for addr in resolved {
        if addr.is_ipv4() {
            return Some(addr);
        }
        first = first.or(Some(addr));
    }
    first
}

async fn run(
    std_listener: std::net::TcpListener,
    exporter: PrometheusExporter,
    options: ServerOptions,
    mut stopped: oneshot::Receiver<()>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
        return;
    };
    let limit = Arc::new(Semaphore::new(options.max_concurrent_scrapes));
    let connections = Arc::new(Semaphore::new(options.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    // One client's failure: the next is already there.
                    Err(e) if is_one_connection(&e) => continue,
                    Err(e) => {
                        // Out of descriptors or memory: the connection waits
                        // in the backlog and every accept fails at once, so
                        // retrying straight away would spin a core until
                        // something else frees them.
                        tracing::warn!(error = %e, "accepting a connection failed; retrying in 1 s");
                        tokio::select! {
                            _ = &mut stopped => break,
                            _ = tokio::time::sleep(ACCEPT_RETRY) => continue,
                        }
                    }
                };
                let Ok(held) = connections.clone().try_acquire_owned() else {
                    tokio::spawn(refuse(stream));
                    continue;
                };
                let exporter = exporter.clone();
                let limit = limit.clone();
                let fixed = options.fixed;
                let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                    let exporter = exporter.clone();
                    let limit = limit.clone();
                    async move { Ok::<_, std::convert::Infallible>(answer(&exporter, &limit, fixed, &req).await) }
                });
                let stream = CountedStream {
                    held: Some(held),
                    stream,
                    write_timeout: options.write_timeout,
                    stalled: None,
                };
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(options.header_timeout)
                    .max_buf_size(options.max_header_bytes)
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
}

/// The pause after an accept fails for want of a resource: long enough to
/// keep the log to a line a second, short enough for a scraper's timeout.
const ACCEPT_RETRY: Duration = Duration::from_secs(1);

/// Whether an accept failed for that one connection only (its client gave
/// up before it was taken), not for want of a resource of the process.
fn is_one_connection(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset, Interrupted};
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset | Interrupted
    )
}

/// A connection that gives its place back before the client can see it
/// closed, and gives up on a client that stops taking its answer.
///
/// Released after the close, a client that reconnects as soon as it reads
/// the end of one answer could be refused the next: the slot would still
/// look taken while the closing task waits to run.
struct CountedStream {
    // Declared first so a drop releases the slot before the socket closes.
    held: Option<tokio::sync::OwnedSemaphorePermit>,
    stream: tokio::net::TcpStream,
    write_timeout: Duration,
    /// Since when writes have waited for the client to read.
    stalled: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl CountedStream {
    /// Passes a write's outcome on, failing it once the client has taken
    /// nothing for `write_timeout`: hyper has no timeout for sending, and a
    /// client that never reads would hold the slot and the page for good.
    fn watch<T>(
        &mut self,
        cx: &mut std::task::Context<'_>,
        written: std::task::Poll<std::io::Result<T>>,
    ) -> std::task::Poll<std::io::Result<T>> {
        use std::future::Future as _;
        if written.is_ready() {
            self.stalled = None;
            return written;
        }
        let timeout = self.write_timeout;
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        // Polled, the timer wakes this task when it fires, even if the
        // socket never becomes writable again.
        if stalled.as_mut().poll(cx).is_ready() {
            return std::task::Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client stopped reading its answer",
            )));
        }
        std::task::Poll::Pending
    }
}

impl tokio::io::AsyncRead for CountedStream {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for CountedStream {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let written = std::pin::Pin::new(&mut self.stream).poll_write(cx, buf);
        self.watch(cx, written)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let written = std::pin::Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.watch(cx, written)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        // Nothing is served after a shutdown, so the slot is free already.
        self.held = None;
        std::pin::Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Answers a connection over the limit without reading it: `503`, then
/// close. Bounded by a short timeout so a client that never reads cannot
/// hold even this.
async fn refuse(mut stream: tokio::net::TcpStream) {
    use tokio::io::AsyncWriteExt;
    const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\
                          Connection: close\r\nRetry-After: 1\r\n\r\n";
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(BUSY)).await;
}

async fn answer<B>(
    exporter: &PrometheusExporter,
    limit: &Arc<Semaphore>,
    fixed: Option<Negotiated>,
    req: &Request<B>,
) -> Response<Full<Bytes>> {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    if path != "/metrics" || (method != Method::GET && method != Method::HEAD) {
        // Nothing to render: answered at once, whatever the renders are doing.
        return respond(exporter, &method, &path, None, None);
    }
    let header = |name| {
        req.headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let encoding = header(ACCEPT_ENCODING);
    // A fixed answer is expressed as the Accept header that negotiates to it.
    let accept = match fixed {
        Some(n) => Some(fixed_accept(n)),
        None => header(ACCEPT),
    };
    // The render holds its slot, not this request: hyper drops the request
    // when its client hangs up, but the render runs on to the end, and a
    // client that sends a request and leaves, again and again, must not
    // start more renders than the limit.
    let Ok(slot) = limit.clone().try_acquire_owned() else {
        return status(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many concurrent scrapes\n",
        );
    };
    let exporter = exporter.clone();
    tokio::task::spawn_blocking(move || {
        let answer = respond(
            &exporter,
            &method,
            &path,
            accept.as_deref(),
            encoding.as_deref(),
        );
        drop(slot);
        answer
    })
    .await
    .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR, "scrape failed\n"))
}

fn fixed_accept(n: Negotiated) -> String {
    let media = match n.format {
        otel_prom_core::Format::OpenMetrics100 => "application/openmetrics-text;version=1.0.0",
        otel_prom_core::Format::Text100 => "text/plain;version=1.0.0",
        _ => "text/plain;version=0.0.4",
    };
    format!("{media};escaping={}", n.escaping.as_param())
}

fn status(code: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *r.status_mut() = code;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// Whether `Accept-Encoding` allows gzip (RFC 9110 §12.5.3): a `gzip` (or
/// `x-gzip`) entry decides by its weight; without one, `*` does; without
/// either, no. So `gzip;q=0, *` refuses gzip, and `*;q=0, gzip` accepts it.
fn gzip_allowed(accept_encoding: Option<&str>) -> bool {
    let Some(header) = accept_encoding else {
        return false;
    };
    let mut gzip = None;
    let mut any = None;
    for part in header.split(',') {
        let mut params = part.split(';');
        let coding = params.next().unwrap_or("").trim();
        // A weight that does not parse is ignored (weight 1), as a bad
        // parameter should not turn compression off.
        let refused = params.any(|p| {
            let (name, value) = p.split_once('=').unwrap_or((p, ""));
            name.trim().eq_ignore_ascii_case("q")
                && value.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
        });
        if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            gzip = Some(gzip.unwrap_or(false) || !refused);
        } else if coding == "*" {
            any = Some(any.unwrap_or(false) || !refused);
        }
    }
    gzip.or(any).unwrap_or(false)
}

/// The whole answer to one request, independent of any server: use it
/// from an existing hyper or axum service.
///
/// ```
/// use hyper::{Method, StatusCode};
/// let exporter = otel_prom_std::PrometheusExporter::default();
/// let _p = opentelemetry_sdk::metrics::SdkMeterProvider::builder().with_reader(exporter.clone()).build();
/// let r = otel_prom_std::http::respond(&exporter, &Method::GET, "/metrics", None, None);
/// assert_eq!(r.status(), StatusCode::OK);
/// let r = otel_prom_std::http::respond(&exporter, &Method::POST, "/metrics", None, None);
/// assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
/// ```
pub fn respond(
    exporter: &PrometheusExporter,
    method: &Method,
    path: &str,
    accept: Option<&str>,
    accept_encoding: Option<&str>,
) -> Response<Full<Bytes>> {
    if path != "/metrics" {
        return status(
            StatusCode::NOT_FOUND,
            "not found; metrics are at /metrics\n",
        );
    }
    if method != Method::GET && method != Method::HEAD {
        let mut r = status(StatusCode::METHOD_NOT_ALLOWED, "use GET or HEAD\n");
        r.headers_mut()
            .insert(hyper::header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let scrape = match exporter.render(accept) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "scrape failed");
            return status(
                StatusCode::SERVICE_UNAVAILABLE,
                "metrics are not available\n",
            );
        }
    };
    let mut body = scrape.body;
    let mut gzipped = false;
    if gzip_allowed(accept_encoding) {
        let mut enc = flate2::write::GzEncoder::new(
            Vec::with_capacity(body.len() / 4),
            flate2::Compression::fast(),
        );
        // Into memory this cannot fail; if it did, the page goes out plain
        // (and says so).
        if enc.write_all(&body).is_ok()
            && let Ok(compressed) = enc.finish()
        {
            body = compressed;
            gzipped = true;
        }
    }
    let len = body.len();
    let mut r = Response::new(Full::new(if method == Method::HEAD {
        Bytes::new()
    } else {
        Bytes::from(body)
    }));
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(scrape.content_type));
    h.insert(CONTENT_LENGTH, HeaderValue::from(len));
    // The answer depends on both headers: caches between us and the
    // scraper must not hand one client's format or encoding to another.
    h.insert(VARY, HeaderValue::from_static("Accept, Accept-Encoding"));
    if gzipped {
        h.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    r
}

#[cfg(test)]
mod tests {
    use otel_prom_core::{Escaping, Format, Negotiated, negotiate};

    use super::{fixed_accept, gzip_allowed, listen_address};

    #[test]
    fn a_name_that_resolves_to_both_families_is_served_on_ipv4() {
        let v6 = "[::1]:9464".parse().unwrap();
        let v4 = "127.0.0.1:9464".parse().unwrap();
        let other_v4 = "10.0.0.1:9464".parse().unwrap();
        assert_eq!(listen_address([v6, v4].into_iter()), Some(v4));
        assert_eq!(listen_address([v4, v6].into_iter()), Some(v4));
        assert_eq!(listen_address([v6, v4, other_v4].into_iter()), Some(v4));
        assert_eq!(listen_address([v6].into_iter()), Some(v6));
        assert_eq!(listen_address(std::iter::empty()), None);
    }

    #[test]
    fn a_fixed_answer_is_asked_for_by_an_accept_header_that_negotiates_to_it() {
        for format in [Format::Text004, Format::Text100, Format::OpenMetrics100] {
            for escaping in [
                Escaping::AllowUtf8,
                Escaping::Underscores,
                Escaping::Dots,
                Escaping::Values,
            ] {
                let accept = fixed_accept(Negotiated { format, escaping });
                // Text 0.0.4 cannot carry UTF-8 names: it escapes them.
                let escaping = format.effective_escaping(escaping);
                assert_eq!(
                    negotiate(Some(&accept)),
                    Negotiated { format, escaping },
                    "{accept}"
                );
            }
        }
    }

    #[test]
    fn gzip_follows_the_weights_and_the_wildcard() {
        for (header, want) in [
            (None, false),
            (Some(""), false),
            (Some("identity"), false),
            (Some("br, deflate"), false),
            (Some("gzip"), true),
            (Some("GZIP"), true),
            (Some("x-gzip"), true),
            (Some("br;q=1, gzip;q=0.8"), true),
            (Some("gzip;q=0"), false),
            (Some("gzip; Q=0.000"), false),
            (Some("gzip;q=0.001"), true),
            (Some("*"), true),
            (Some("*;q=0"), false),
            // An explicit entry beats the wildcard, both ways.
            (Some("gzip;q=0, *"), false),
            (Some("*, gzip;q=0"), false),
            (Some("*;q=0, gzip"), true),
            (Some("gzip;q=oops"), true),
        ] {
            assert_eq!(gzip_allowed(header), want, "{header:?}");
        }
    }
}
