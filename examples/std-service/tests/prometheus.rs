//! End to end: a real Prometheus server (Debian's `prometheus`, started
//! here on 127.0.0.1 with a temporary config and data directory) scrapes
//! the std service every second; the test reads the results back through
//! Prometheus' HTTP API. Run once with the OpenMetrics negotiation
//! Prometheus prefers and once with the service forced to text 0.0.4.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use otel_prom_tests::judge::in_ci;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One instant query; the first result's value, if any.
fn query(port: u16, q: &str) -> Option<f64> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "GET /api/v1/query?query={} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        encode(q)
    )
    .ok()?;
    let mut r = String::new();
    s.read_to_string(&mut r).ok()?;
    let body = r.split_once("\r\n\r\n")?.1;
    // Chunked or not, the JSON object is between the first '{' and last '}'.
    let json = &body[body.find('{')?..=body.rfind('}')?];
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    v["data"]["result"][0]["value"][1].as_str()?.parse().ok()
}

fn wait_for(port: u16, q: &str, want: impl Fn(f64) -> bool) -> Option<f64> {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let got = query(port, q);
        if got.is_some_and(&want) {
            return got;
        }
        if Instant::now() > deadline {
            return got;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn run(text_only: bool) {
    if Command::new("prometheus")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_err()
    {
        assert!(
            !in_ci(),
            "prometheus is required under CI=true: apt-get install prometheus"
        );
        eprintln!("\n*** NOTICE: prometheus not found; the end-to-end test is NOT run here ***\n");
        return;
    }
    let (service_port, prom_port) = (free_port(), free_port());
    let mut args = vec![
        "--addr".to_string(),
        format!("127.0.0.1:{service_port}"),
        "--requests".into(),
        "100".into(),
    ];
    if text_only {
        args.push("--text-only".into());
    }
    let _service = Running(
        Command::new(env!("CARGO_BIN_EXE_std-service"))
            .args(&args)
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );

    let dir: PathBuf =
        std::env::temp_dir().join(format!("otel-prom-e2e-{}-{text_only}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: checkout\n    static_configs:\n      - targets: ['127.0.0.1:{service_port}']\n"
        ),
    )
    .unwrap();
    let _prometheus = Running(
        Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{prom_port}"))
            .arg("--enable-feature=exemplar-storage")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );

    assert_eq!(
        wait_for(prom_port, "up{job=\"checkout\"}", |v| v == 1.0),
        Some(1.0),
        "Prometheus never scraped us successfully"
    );
    assert_eq!(
        wait_for(prom_port, "sum(http_server_requests_total)", |v| v == 100.0),
        Some(100.0)
    );
    // Latencies 2 ms + 4 ms·(n mod 50): exactly half are ≤ 0.1 s.
    let median = wait_for(
        prom_port,
        "histogram_quantile(0.5, sum by (le) (http_server_request_duration_seconds_bucket))",
        |v| v > 0.0,
    );
    assert!(
        median.is_some_and(|m| (m - 0.1).abs() < 1e-9),
        "median {median:?}"
    );
    assert_eq!(
        wait_for(
            prom_port,
            "target_info{service_name=\"checkout\",service_version=\"1.4.0\"}",
            |v| v == 1.0
        ),
        Some(1.0)
    );
    assert_eq!(
        wait_for(prom_port, "checkout_queue_depth", |v| v == 7.0),
        Some(7.0)
    );
    // OpenMetrics carries `_created` samples, which Prometheus 2.42 stores as
    // series: their presence shows which format was negotiated.
    let created = query(prom_port, "count(http_server_requests_created)");
    if text_only {
        assert_eq!(created, None, "text 0.0.4 has no _created samples");
    } else {
        assert_eq!(
            created,
            Some(8.0),
            "OpenMetrics was negotiated: one _created per series"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn prometheus_scrapes_openmetrics() {
    run(false);
}

#[test]
fn prometheus_scrapes_text_004() {
    run(true);
}
