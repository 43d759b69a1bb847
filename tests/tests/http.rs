//! The `/metrics` server: status codes, HEAD, gzip, negotiation, bad input,
//! and concurrent scrapes while threads record.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use otel_prom_std::PrometheusExporter;
use otel_prom_std::http::{MetricsServer, ServerOptions, serve};
use otel_prom_tests::judge::promtool;

struct Reply {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

fn request(addr: SocketAddr, raw: &str) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all);
    let split = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&all[..split]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Reply {
        status,
        headers: head,
        body: all[split + 4..].to_vec(),
    }
}

fn get(addr: SocketAddr, path: &str, extra: &str) -> Reply {
    request(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{extra}\r\n"),
    )
}

fn start() -> (SdkMeterProvider, MetricsServer) {
    start_with(ServerOptions::default())
}

fn start_with(options: ServerOptions) -> (SdkMeterProvider, MetricsServer) {
    let exporter = PrometheusExporter::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(exporter.clone())
        .with_resource(
            Resource::builder_empty()
                .with_attributes([KeyValue::new("service.name", "t")])
                .build(),
        )
        .build();
    provider
        .meter("m")
        .u64_counter("hits")
        .build()
        .add(3, &[KeyValue::new("k", "v")]);
    let server = serve(exporter, options.with_address("127.0.0.1:0")).unwrap();
    (provider, server)
}

#[test]
fn status_codes_head_and_negotiation() {
    let (_p, server) = start();
    let addr = server.local_addr();
    let r = get(addr, "/metrics", "");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = String::from_utf8(r.body).unwrap();
    assert!(
        text.contains("hits_total{k=\"v\",otel_scope_name=\"m\"} 3\n"),
        "{text}"
    );
    if let Some(v) = promtool(&text) {
        assert!(v.code == 0 || v.code == 3, "{}", v.output);
    }

    let om = get(
        addr,
        "/metrics",
        "Accept: application/openmetrics-text;version=1.0.0\r\n",
    );
    assert_eq!(
        om.header("content-type").as_deref(),
        Some("application/openmetrics-text; version=1.0.0; charset=utf-8")
    );
    assert!(om.body.ends_with(b"# EOF\n"));

    let bad = get(
        addr,
        "/metrics",
        "Accept: ;;;=,,garbage/ q=abc, text/plain;version=9.9;q=x, */*;q=\r\n",
    );
    assert_eq!(bad.status, 200, "a malformed Accept falls back to 0.0.4");
    assert_eq!(
        bad.header("content-type").as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );

    let head = request(
        addr,
        "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length")
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        text.len()
    );

    assert_eq!(get(addr, "/other", "").status, 404);
    let post = request(
        addr,
        "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow").as_deref(), Some("GET, HEAD"));
    server.shutdown();
}

#[test]
fn gzip_round_trip() {
    let (_p, server) = start();
    let plain = get(server.local_addr(), "/metrics", "");
    let zipped = get(
        server.local_addr(),
        "/metrics",
        "Accept-Encoding: br;q=1, gzip;q=0.8\r\n",
    );
    assert_eq!(zipped.header("content-encoding").as_deref(), Some("gzip"));
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&zipped.body[..])
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out, plain.body);
    let refused = get(
        server.local_addr(),
        "/metrics",
        "Accept-Encoding: gzip;q=0\r\n",
    );
    assert_eq!(refused.header("content-encoding"), None);
    // gzip refused by name stays refused whatever `*` allows.
    let refused = get(
        server.local_addr(),
        "/metrics",
        "Accept-Encoding: gzip;q=0, *\r\n",
    );
    assert_eq!(refused.header("content-encoding"), None);
    assert_eq!(refused.body, plain.body);
    // Both headers choose the answer: caches must key on them.
    for reply in [&plain, &zipped] {
        assert_eq!(
            reply.header("vary").as_deref(),
            Some("Accept, Accept-Encoding")
        );
    }
}

#[test]
fn oversized_and_malformed_requests_get_errors_not_crashes() {
    let (_p, server) = start();
    let addr = server.local_addr();
    let huge = format!("X-Big: {}\r\n", "a".repeat(64 * 1024));
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(format!("GET /metrics HTTP/1.1\r\nHost: x\r\n{huge}\r\n").as_bytes());
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply);
    let head = String::from_utf8_lossy(&reply);
    assert!(
        head.is_empty() || head.starts_with("HTTP/1.1 431"),
        "oversized header answered: {head:.80}"
    );
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(b"\x00\x01garbage request line\r\n\r\n");
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply);
    assert!(reply.is_empty() || reply.starts_with(b"HTTP/1.1 400"));
    // The server still answers.
    assert_eq!(get(addr, "/metrics", "").status, 200);
}

/// Sends `head` (a request without its blank line) and reads to the end:
/// the status, or `None` when the server closed without answering.
fn status_of(addr: SocketAddr, head: &str) -> Option<u16> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(format!("{head}\r\n").as_bytes());
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply);
    let reply = String::from_utf8_lossy(&reply);
    reply.split(' ').nth(1).and_then(|code| code.parse().ok())
}

#[test]
fn the_request_head_limit_is_the_configured_one_and_never_below_8_kib() {
    let head = |kib: usize| {
        format!(
            "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: {}\r\n",
            "a".repeat(kib * 1024)
        )
    };
    // 12 KiB: within the default 16 KiB, over a limit of 8 KiB.
    let (_p, server) = start();
    assert_eq!(status_of(server.local_addr(), &head(12)), Some(200));
    server.shutdown();
    let (_p, server) = start_with(ServerOptions::default().with_max_header_bytes(8192));
    let refused = status_of(server.local_addr(), &head(12));
    assert!(matches!(refused, None | Some(431)), "{refused:?}");
    assert_eq!(status_of(server.local_addr(), &head(6)), Some(200));
    server.shutdown();
    // Below hyper's least buffer the limit is raised to it, not refused.
    let (_p, server) = start_with(ServerOptions::default().with_max_header_bytes(100));
    assert_eq!(status_of(server.local_addr(), &head(6)), Some(200));
    server.shutdown();
}

#[test]
fn limits_of_zero_are_raised_to_one() {
    let (_p, server) = start_with(
        ServerOptions::default()
            .with_max_connections(0)
            .with_max_concurrent_scrapes(0),
    );
    // One after another, each as soon as the last answer ends: the one
    // connection slot must be free again by the time a client sees the close.
    for _ in 0..50 {
        assert_eq!(get(server.local_addr(), "/metrics", "").status, 200);
    }
    server.shutdown();
}

#[test]
fn a_fixed_format_answers_whatever_accept_asks() {
    use otel_prom_core::{Escaping, Format, Negotiated};
    for fixed in [
        Negotiated {
            format: Format::OpenMetrics100,
            escaping: Escaping::Underscores,
        },
        Negotiated {
            format: Format::Text100,
            escaping: Escaping::AllowUtf8,
        },
        Negotiated {
            format: Format::Text004,
            escaping: Escaping::Values,
        },
    ] {
        let (_p, server) = start_with(ServerOptions::default().with_fixed_format(fixed));
        for accept in [
            "",
            "Accept: text/plain;version=0.0.4\r\n",
            "Accept: application/openmetrics-text;version=1.0.0;escaping=dots\r\n",
        ] {
            let r = get(server.local_addr(), "/metrics", accept);
            assert_eq!(r.status, 200);
            assert_eq!(
                r.header("Content-Type").as_deref(),
                Some(fixed.content_type()),
                "{fixed:?} asked {accept:?}"
            );
            let body = String::from_utf8(r.body).unwrap();
            assert!(body.contains("hits_total{"), "{body}");
            assert_eq!(
                body.ends_with("# EOF\n"),
                fixed.format == Format::OpenMetrics100,
                "{body}"
            );
        }
        server.shutdown();
    }
}

#[test]
fn hundred_concurrent_scrapes_while_recording() {
    let exporter = PrometheusExporter::builder()
        .without_target_info()
        .without_scope_info()
        .build();
    let provider = SdkMeterProvider::builder()
        .with_reader(exporter.clone())
        .with_resource(Resource::builder_empty().build())
        .build();
    let counter = provider.meter("m").u64_counter("work").build();
    let server = serve(
        exporter,
        ServerOptions::default()
            .with_address("127.0.0.1:0")
            .with_max_concurrent_scrapes(200),
    )
    .unwrap();
    let addr = server.local_addr();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        for t in 0..4 {
            let (counter, stop) = (&counter, &stop);
            s.spawn(move || {
                let attrs = [KeyValue::new("t", t)];
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    counter.add(1, &attrs);
                }
            });
        }
        let scrapers: Vec<_> = (0..100)
            .map(|_| {
                s.spawn(move || {
                    let mut last = [0u64; 4];
                    for _ in 0..3 {
                        let r = get(addr, "/metrics", "");
                        assert_eq!(r.status, 200);
                        let text = String::from_utf8(r.body).unwrap();
                        for line in text.lines().filter(|l| l.starts_with("work_total{")) {
                            let t: usize = line[line.find("t=\"").unwrap() + 3..]
                                .split('"')
                                .next()
                                .unwrap()
                                .parse()
                                .unwrap();
                            let v: u64 = line.rsplit(' ').next().unwrap().parse().unwrap();
                            assert!(v >= last[t], "counter went backwards");
                            last[t] = v;
                        }
                    }
                })
            })
            .collect();
        for h in scrapers {
            h.join().unwrap();
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    server.shutdown();
}

#[test]
fn slow_clients_time_out_and_others_are_still_served() {
    let exporter = PrometheusExporter::builder().build();
    let _provider = SdkMeterProvider::builder()
        .with_reader(exporter.clone())
        .build();
    let server = serve(
        exporter,
        ServerOptions::default()
            .with_address("127.0.0.1:0")
            .with_header_timeout(Duration::from_millis(500)),
    )
    .unwrap();
    let addr = server.local_addr();
    let mut slow = TcpStream::connect(addr).unwrap();
    slow.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    // Meanwhile another client is served.
    assert_eq!(get(addr, "/metrics", "").status, 200);
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = Vec::new();
    let _ = slow.read_to_end(&mut buf);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the slow client was not cut off"
    );
    assert!(
        buf.is_empty() || buf.starts_with(b"HTTP/1.1 408"),
        "{:?}",
        String::from_utf8_lossy(&buf)
    );
    server.shutdown();
}
