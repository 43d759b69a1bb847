//! The host simulation serves the same page over TCP on 127.0.0.1, and
//! `--once` prints one response.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

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

#[test]
fn serves_negotiated_pages_on_loopback() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_device-status-page"))
            .args(["--addr", &addr])
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    // Ready once it answers a whole request.
    while try_get(&addr, "*/*").is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
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
