//! The host simulation serves the same page over TCP on 127.0.0.1 (to our
//! own clients, hostile ones, and a real Prometheus server), and `--once`
//! prints one response.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use otel_prom_tests::prometheus::{Prometheus, Running, free_port};

fn try_get(addr: &str, accept: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    // One write: the whole request in one segment.
    let request = format!("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: {accept}\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

fn get(addr: &str, accept: &str) -> String {
    try_get(addr, accept).unwrap()
}

/// Starts the host simulation on a free port, ready once it answers.
fn start() -> (Running, String) {
    let addr = format!("127.0.0.1:{}", free_port());
    let server = Running::spawn(
        Command::new(env!("CARGO_BIN_EXE_device-status-page")).args(["--addr", &addr]),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    // Ready once it answers a whole request.
    while try_get(&addr, "*/*").is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    (server, addr)
}

#[test]
fn serves_negotiated_pages_on_loopback() {
    let (_server, addr) = start();
    let text = get(&addr, "text/plain");
    assert!(
        text.starts_with(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
        ),
        "{text}"
    );
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(
        head.contains(&format!("Content-Length: {}\r\n", body.len())),
        "{head}"
    );
    assert!(head.contains("\r\nVary: Accept\r\n"), "{head}");
    assert!(body.contains("# TYPE device_isr_latency_seconds histogram\n"));

    let om = get(&addr, "application/openmetrics-text;version=1.0.0");
    assert!(
        om.contains("Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8\r\n")
    );
    assert!(om.ends_with("# EOF\n"));
}

/// Prometheus's own scraper (Go's HTTP client, its `Accept` header, which
/// prefers OpenMetrics, and its parsers) against the page, scrape after
/// scrape, while the timer interrupt records.
#[test]
fn a_real_prometheus_scrapes_every_page() {
    let (_server, addr) = start();
    let Some(prometheus) = Prometheus::scraping(&[("device", &addr)]) else {
        return;
    };
    assert_eq!(
        prometheus.failed_scrapes("device", 5),
        Some(0.0),
        "every scrape succeeded"
    );
    // Prometheus asks for OpenMetrics first, and the page gave it: only
    // OpenMetrics has the info type and units.
    let build = prometheus.metadata("device_build");
    assert_eq!(build.first().map(|m| m.kind.as_str()), Some("info"));
    let temperature = prometheus.metadata("device_temperature_celsius");
    assert_eq!(
        temperature.first().map(|m| m.unit.as_str()),
        Some("celsius")
    );
    assert_eq!(
        prometheus.value(&format!(
            "device_build_info{{version=\"{}\"}}",
            env!("CARGO_PKG_VERSION")
        )),
        Some(1.0)
    );
    // The tick counter only grew, and by something, between scrapes.
    let window = "device_uptime_total{source=\"systick\"}[10m]";
    assert_eq!(prometheus.value(&format!("resets({window})")), Some(0.0));
    assert!(
        prometheus
            .value(&format!("increase({window})"))
            .is_some_and(|n| n > 0.0)
    );
    // The simulated sensor stays between 20 and 29.75 °C.
    let celsius = prometheus.value("device_temperature_celsius{sensor=\"board\"}");
    assert!(
        celsius.is_some_and(|t| (20.0..=29.75).contains(&t)),
        "{celsius:?}"
    );
    // Every handling time is at most 300 µs: within the 0.5 ms bucket, and
    // the buckets and the count of one scrape agree.
    let latency = "device_isr_latency_seconds";
    let count = prometheus.value(&format!("{latency}_count"));
    assert!(count.is_some_and(|n| n > 0.0), "{count:?}");
    assert_eq!(
        prometheus.value(&format!(
            "{latency}_bucket{{le=\"+Inf\"}} - ignoring(le) {latency}_bucket{{le=\"0.0005\"}}"
        )),
        Some(0.0)
    );
    assert_eq!(
        prometheus.value(&format!(
            "{latency}_count - ignoring(le) {latency}_bucket{{le=\"+Inf\"}}"
        )),
        Some(0.0)
    );
}

#[test]
fn once_prints_one_response() {
    let out = Command::new(env!("CARGO_BIN_EXE_device-status-page"))
        .arg("--once")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(
        text.contains("device_uptime_total{source=\"systick\"} 25\n"),
        "{text}"
    );
    assert!(text.contains("device_isr_latency_seconds_count{isr=\"systick\"} 25\n"));
}

#[test]
fn a_client_trickling_its_request_cannot_hold_the_server() {
    let (_server, addr) = start();
    // A byte every 300 ms, never a whole request head: each read gets
    // something long before a per-read timeout would fire.
    let mut trickler = TcpStream::connect(&addr).unwrap();
    let feeding = std::thread::spawn(move || {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if trickler.write_all(b"X").is_err() {
                return; // cut off
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    std::thread::sleep(Duration::from_millis(200));
    // Served once the trickler's 5 s for its request head are up.
    let started = Instant::now();
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "waited {:?} behind the trickling client",
        started.elapsed()
    );
    feeding.join().unwrap();
}

#[test]
fn a_client_sending_an_endless_head_is_answered_and_closed() {
    let (_server, addr) = start();
    let mut flood = TcpStream::connect(&addr).unwrap();
    flood
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    flood.write_all(b"GET /metrics HTTP/1.1\r\nX: ").unwrap();
    // Far more than any request head, on one line, until the server stops
    // taking it: it reads 8 KiB, answers, and closes.
    let chunk = [b'a'; 16 * 1024];
    let started = Instant::now();
    let mut sent = 0usize;
    while sent < 64 << 20 && flood.write_all(&chunk).is_ok() {
        sent += chunk.len();
    }
    assert!(sent < 64 << 20, "the server took 64 MiB of one header line");
    assert!(started.elapsed() < Duration::from_secs(10));
    // Others are served.
    assert!(get(&addr, "*/*").starts_with("HTTP/1.1 200 OK\r\n"));
}
