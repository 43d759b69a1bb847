//! End to end: a real Prometheus server (Debian's `prometheus`, started
//! here on 127.0.0.1 with a temporary config and data directory) scrapes
//! the std service every second; the test reads the results back through
//! Prometheus' HTTP API. Run once with the OpenMetrics negotiation
//! Prometheus prefers and once with the service forced to text 0.0.4.

use std::process::{Command, Stdio};

use otel_prom_tests::prometheus::{Prometheus, Running, free_port};

fn run(text_only: bool) {
    let service_port = free_port();
    let mut args = vec![
        "--addr".to_string(),
        format!("127.0.0.1:{service_port}"),
        "--requests".into(),
        "100".into(),
    ];
    if text_only {
        args.push("--text-only".into());
    }
    let _service = Running::spawn(
        Command::new(env!("CARGO_BIN_EXE_std-service"))
            .args(&args)
            .stderr(Stdio::null()),
    );
    let target = format!("127.0.0.1:{service_port}");
    let Some(prometheus) = Prometheus::scraping(&[("checkout", &target)]) else {
        return;
    };

    assert_eq!(
        prometheus.wait_for("up{job=\"checkout\"}", |v| v == 1.0),
        Some(1.0),
        "Prometheus never scraped us successfully"
    );
    assert_eq!(
        prometheus.wait_for("sum(http_server_requests_total)", |v| v == 100.0),
        Some(100.0)
    );
    // Latencies 2 ms + 4 ms·(n mod 50): exactly half are ≤ 0.1 s.
    let median = prometheus.wait_for(
        "histogram_quantile(0.5, sum by (le) (http_server_request_duration_seconds_bucket))",
        |v| v > 0.0,
    );
    assert!(
        median.is_some_and(|m| (m - 0.1).abs() < 1e-9),
        "median {median:?}"
    );
    assert_eq!(
        prometheus.wait_for(
            "target_info{service_name=\"checkout\",service_version=\"1.4.0\"}",
            |v| v == 1.0
        ),
        Some(1.0)
    );
    assert_eq!(
        prometheus.wait_for("checkout_queue_depth", |v| v == 7.0),
        Some(7.0)
    );
    assert_eq!(
        prometheus.failed_scrapes("checkout", 5),
        Some(0.0),
        "every scrape succeeded"
    );
    // Which format was negotiated shows in what Prometheus stored:
    // OpenMetrics carries `_created` samples (stored as series by Prometheus
    // 2.42) and units, and names a counter's family without `_total`.
    let created = prometheus.value("count(http_server_requests_created)");
    let duration = prometheus.metadata("http_server_request_duration_seconds");
    let duration_unit = duration.first().map(|m| m.unit.as_str());
    if text_only {
        assert_eq!(created, None, "text 0.0.4 has no _created samples");
        assert_eq!(duration_unit, Some(""));
        let requests = prometheus.metadata("http_server_requests_total");
        assert_eq!(requests.first().map(|m| m.kind.as_str()), Some("counter"));
    } else {
        assert_eq!(
            created,
            Some(8.0),
            "OpenMetrics was negotiated: one _created per series"
        );
        assert_eq!(duration_unit, Some("seconds"));
        let requests = prometheus.metadata("http_server_requests");
        assert_eq!(requests.first().map(|m| m.kind.as_str()), Some("counter"));
    }
}

#[test]
fn prometheus_scrapes_openmetrics() {
    run(false);
}

#[test]
fn prometheus_scrapes_text_004() {
    run(true);
}
