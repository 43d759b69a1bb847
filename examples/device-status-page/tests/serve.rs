//! The host simulation serves the same page over TCP on 127.0.0.1 (to our
//! own clients and hostile ones), and `--once` prints one response.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use otel_prom_tests::prometheus::{Running, free_port, wait_until_serving};

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
    assert!(
        wait_until_serving(&addr, Duration::from_secs(10)),
        "server did not start"
    );
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
