//! The std service: `--once` prints a valid scrape; `--addr` serves it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use otel_prom_tests::prometheus::{Running, free_port};

#[test]
fn once_prints_every_instrument() {
    let out = Command::new(env!("CARGO_BIN_EXE_std-service"))
        .arg("--once")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        "target_info{service_name=\"checkout\",service_version=\"1.4.0\"} 1\n",
        "checkout_queue_depth{otel_scope_name=\"checkout.http\",otel_scope_version=\"1.4.0\"} 7\n",
        "db_client_queries_total{db_operation=\"insert\",otel_scope_name=\"checkout.db\"} 50\n",
        "http_server_active_requests{otel_scope_name=\"checkout.http\",otel_scope_version=\"1.4.0\"} 0\n",
        "# TYPE http_server_request_duration_seconds histogram\n",
        "# TYPE http_server_response_size_bytes_total counter\n",
    ] {
        assert!(text.contains(want), "missing {want:?}");
    }
    let requests: u64 = text
        .lines()
        .filter(|l| l.starts_with("http_server_requests_total{"))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(requests, 100);
}

#[test]
fn serves_on_the_given_address() {
    let addr = format!("127.0.0.1:{}", free_port());
    let _server =
        Running::spawn(Command::new(env!("CARGO_BIN_EXE_std-service")).args(["--addr", &addr]));
    let deadline = Instant::now() + Duration::from_secs(20);
    let reply = loop {
        if let Ok(mut s) = TcpStream::connect(&addr) {
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: application/openmetrics-text\r\nConnection: close\r\n\r\n").unwrap();
            let mut r = String::new();
            let _ = s.read_to_string(&mut r);
            break r;
        }
        assert!(Instant::now() < deadline, "service did not start");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply:.200}");
    assert!(reply.contains("application/openmetrics-text; version=1.0.0; charset=utf-8"));
    assert!(reply.ends_with("# EOF\n"));
}

/// Starts the service with `OTEL_EXPORTER_PROMETHEUS_HOST` set to `host`
/// and the port to a free one, and waits until `reach` (a host name)
/// connects to that port.
fn serve_from_environment(host: &str, reach: &str) -> Running {
    let port = free_port();
    let server = Running::spawn(
        Command::new(env!("CARGO_BIN_EXE_std-service"))
            .env("OTEL_EXPORTER_PROMETHEUS_HOST", host)
            .env("OTEL_EXPORTER_PROMETHEUS_PORT", port.to_string()),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect((reach, port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "not listening on {reach}:{port} with OTEL_EXPORTER_PROMETHEUS_HOST={host:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

#[test]
fn environment_chooses_the_address() {
    let _server = serve_from_environment("127.0.0.1", "127.0.0.1");
}

#[test]
fn an_empty_host_variable_counts_as_unset() {
    // Empty means unset (the specification's rule for every OTEL_
    // variable): the default host, `localhost`, not an address that
    // resolves to nothing.
    let _server = serve_from_environment("", "localhost");
}
