//! Serving `/metrics` from a hyper server you already run: call
//! [`otel_prom_std::http::respond`] from your own service. It negotiates
//! the format, gzips when allowed and answers 404/405 like the built-in
//! server. Run: `cargo run -p otel-prom-std --features http --example own_hyper_server`
//! (serves 127.0.0.1:9465 for a few seconds, scraping itself once).

use std::convert::Infallible;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, header};
use hyper_util::rt::TokioIo;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use otel_prom_std::PrometheusExporter;
use otel_prom_std::http::respond;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::io::Result<()> {
    let exporter = PrometheusExporter::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(exporter.clone())
        .build();
    provider
        .meter("app")
        .u64_counter("jobs")
        .build()
        .add(1, &[]);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:9465").await?;
    let server = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let exporter = exporter.clone();
            let service = service_fn(move |req: Request<Incoming>| {
                let exporter = exporter.clone();
                async move {
                    let get = |h| {
                        req.headers()
                            .get(h)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned)
                    };
                    let (accept, encoding) = (get(header::ACCEPT), get(header::ACCEPT_ENCODING));
                    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
                    // Rendering is CPU work: keep it off the async workers.
                    let response = tokio::task::spawn_blocking(move || {
                        respond(
                            &exporter,
                            &method,
                            &path,
                            accept.as_deref(),
                            encoding.as_deref(),
                        )
                    })
                    .await
                    .expect("render task");
                    Ok::<_, Infallible>(response)
                }
            });
            tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        }
    });

    // Scrape ourselves once, to show it works.
    let mut stream = tokio::net::TcpStream::connect("127.0.0.1:9465").await?;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await?;
    let mut reply = String::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_string(&mut reply)).await??;
    println!("{reply}");
    server.abort();
    Ok(())
}
