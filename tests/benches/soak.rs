//! Soak run of the std exporter behind its HTTP server: 4 threads record
//! without pause while several clients scrape, for a fixed time.
//!
//! ```text
//! cargo bench -p otel-prom-tests --bench soak -- --minutes 10 [--clients 4]
//! ```
//!
//! Checks, and exits non-zero when one fails: no failed scrape, every
//! counter series monotonic in every client's successive scrapes, the final
//! scrape's totals equal to what the recorders counted, and the process RSS
//! flat after warm-up (the peak after the first minute at most 25% above
//! its value at one minute). Prints the figures BENCHMARKS.md quotes.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry::KeyValue;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use otel_prom_std::PrometheusExporter;
use otel_prom_std::http::{ServerOptions, serve};
use otel_prom_tests::process::proc_field;

const ROUTES: [&str; 8] = ["/", "/a", "/b", "/c", "/d", "/e", "/f", "/g"];
const STATUSES: [i64; 3] = [200, 404, 500];
const RECORDERS: usize = 4;

fn arg(name: &str, default: f64) -> f64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss_kib() -> u64 {
    proc_field("status", "VmRSS:", 1).unwrap_or(0)
}

/// One scrape: status, body, time taken.
fn scrape(addr: SocketAddr, accept: &str) -> Result<(String, Duration), String> {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    let req = format!(
        "GET /metrics HTTP/1.1\r\nHost: soak\r\nConnection: close\r\nAccept: {accept}\r\n\r\n"
    );
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let mut all = Vec::new();
    s.read_to_end(&mut all).map_err(|e| e.to_string())?;
    let text = String::from_utf8(all).map_err(|e| e.to_string())?;
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no response head")?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!("status line {:?}", head.lines().next()));
    }
    if accept.contains("openmetrics") && !body.ends_with("# EOF\n") {
        return Err("OpenMetrics scrape without # EOF".into());
    }
    Ok((body.to_string(), started.elapsed()))
}

/// `soak_requests_total` values by label text, and the histogram count.
fn counters(body: &str) -> (HashMap<String, u64>, u64) {
    let mut out = HashMap::new();
    let mut count = 0;
    for line in body.lines() {
        if let Some(rest) = line.strip_prefix("soak_requests_total{") {
            let (labels, value) = rest.rsplit_once("} ").unwrap_or(("", "0"));
            out.insert(labels.to_string(), value.parse().unwrap_or(0));
        } else if let Some(rest) = line.strip_prefix("soak_latency_seconds_count ") {
            count = rest.parse().unwrap_or(0);
        }
    }
    (out, count)
}

/// Scrape latencies in 10 µs buckets up to 1 s (and one bucket beyond).
struct Latencies {
    buckets: Vec<AtomicU64>,
    max: AtomicU64,
}

impl Latencies {
    const STEP_US: u64 = 10;
    const BUCKETS: usize = 100_001;

    fn new() -> Self {
        Latencies {
            buckets: (0..Self::BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            max: AtomicU64::new(0),
        }
    }

    fn record(&self, d: Duration) {
        let us = d.as_micros() as u64;
        let i = ((us / Self::STEP_US) as usize).min(Self::BUCKETS - 1);
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.max.fetch_max(us, Ordering::Relaxed);
    }

    /// The upper edge of the bucket holding the `p` quantile.
    fn percentile(&self, p: f64) -> Duration {
        let counts: Vec<u64> = self
            .buckets
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        let total: u64 = counts.iter().sum();
        let target = (total as f64 * p).ceil() as u64;
        let mut seen = 0;
        for (i, c) in counts.iter().enumerate() {
            seen += c;
            if seen >= target.max(1) {
                return Duration::from_micros((i as u64 + 1) * Self::STEP_US);
            }
        }
        Duration::ZERO
    }
}

fn label_text(route: &str, status: i64) -> String {
    format!("route=\"{route}\",status=\"{status}\"")
}

fn main() {
    let minutes = arg("--minutes", 10.0);
    let clients = arg("--clients", 4.0) as usize;
    let duration = Duration::from_secs_f64(minutes * 60.0);

    let exporter = PrometheusExporter::builder()
        .without_scope_info()
        .without_target_info()
        .build();
    let provider = SdkMeterProvider::builder()
        .with_reader(exporter.clone())
        .build();
    let meter = provider.meter("soak");
    let requests = meter.u64_counter("soak.requests").build();
    let latency = meter
        .f64_histogram("soak.latency")
        .with_unit("s")
        .with_boundaries(vec![0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0])
        .build();
    let server = serve(
        exporter,
        ServerOptions::default()
            .with_address("127.0.0.1:0")
            .with_max_concurrent_scrapes(clients.max(1)),
    )
    .expect("server starts");
    let addr = server.local_addr();

    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();

    // Recorders: exact local tallies per series.
    let recorders: Vec<_> = (0..RECORDERS)
        .map(|t| {
            let stop = stop.clone();
            let requests = requests.clone();
            let latency = latency.clone();
            std::thread::spawn(move || {
                let mut tally = vec![0u64; ROUTES.len() * STATUSES.len()];
                let mut observed = 0u64;
                let mut i = t;
                while !stop.load(Ordering::Relaxed) {
                    for _ in 0..200 {
                        let series = i % tally.len();
                        let (route, status) = (ROUTES[series / 3], STATUSES[series % 3]);
                        requests.add(
                            1,
                            &[
                                KeyValue::new("route", route),
                                KeyValue::new("status", status),
                            ],
                        );
                        tally[series] += 1;
                        latency.record((i % 1000) as f64 / 1000.0, &[]);
                        observed += 1;
                        i += 7;
                    }
                    std::thread::sleep(Duration::from_micros(200));
                }
                (tally, observed)
            })
        })
        .collect();

    // Scrapers: check monotonic counters, time every scrape.
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let scrapes = Arc::new(AtomicU64::new(0));
    // A fixed-size histogram, so the soak's own bookkeeping does not grow
    // the RSS it measures (a Vec of every latency would, by ~3 KiB/s).
    let latencies = Arc::new(Latencies::new());
    let scrapers: Vec<_> = (0..clients)
        .map(|c| {
            let (stop, failures, scrapes, latencies) = (
                stop.clone(),
                failures.clone(),
                scrapes.clone(),
                latencies.clone(),
            );
            std::thread::spawn(move || {
                let mut last: HashMap<String, u64> = HashMap::new();
                let mut last_count = 0;
                let mut n = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    let accept = if (n + c).is_multiple_of(2) {
                        "application/openmetrics-text;version=1.0.0"
                    } else {
                        "text/plain;version=0.0.4"
                    };
                    n += 1;
                    match scrape(addr, accept) {
                        Ok((body, took)) => {
                            scrapes.fetch_add(1, Ordering::Relaxed);
                            latencies.record(took);
                            let (now, count) = counters(&body);
                            for (series, v) in &now {
                                if last.get(series).is_some_and(|old| v < old) {
                                    failures.lock().unwrap().push(format!("{series} went down"));
                                }
                            }
                            if count < last_count {
                                failures
                                    .lock()
                                    .unwrap()
                                    .push("histogram count went down".into());
                            }
                            last = now;
                            last_count = count;
                        }
                        Err(e) => failures.lock().unwrap().push(e),
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            })
        })
        .collect();

    // RSS every 10 s.
    let mut rss = vec![(0u64, rss_kib())];
    while started.elapsed() < duration {
        std::thread::sleep(Duration::from_secs(10).min(duration.saturating_sub(started.elapsed())));
        rss.push((started.elapsed().as_secs(), rss_kib()));
        eprintln!(
            "{:>5} s  scrapes {:>7}  failures {}  RSS {} KiB",
            started.elapsed().as_secs(),
            scrapes.load(Ordering::Relaxed),
            failures.lock().unwrap().len(),
            rss.last().unwrap().1
        );
    }
    stop.store(true, Ordering::Relaxed);
    let mut tally = vec![0u64; ROUTES.len() * STATUSES.len()];
    let mut observed = 0u64;
    for r in recorders {
        let (t, o) = r.join().expect("recorder");
        for (a, b) in tally.iter_mut().zip(t) {
            *a += b;
        }
        observed += o;
    }
    for s in scrapers {
        s.join().expect("scraper");
    }

    // Final scrape: every total exact.
    let mut problems = failures.lock().unwrap().clone();
    match scrape(addr, "text/plain") {
        Ok((body, _)) => {
            let (now, count) = counters(&body);
            for (series, want) in tally.iter().enumerate() {
                let key = label_text(ROUTES[series / 3], STATUSES[series % 3]);
                let got = now.get(&key).copied().unwrap_or(0);
                if got != *want {
                    problems.push(format!("{key}: scraped {got}, recorded {want}"));
                }
            }
            if count != observed {
                problems.push(format!("histogram count {count}, observed {observed}"));
            }
        }
        Err(e) => problems.push(format!("final scrape: {e}")),
    }
    server.shutdown();

    let pct = |p: f64| latencies.percentile(p);
    let warm = rss.iter().find(|(t, _)| *t >= 60).map_or(rss[0].1, |r| r.1);
    let peak_after = rss
        .iter()
        .filter(|(t, _)| *t >= 60)
        .map(|r| r.1)
        .max()
        .unwrap_or(warm);
    let end = rss.last().unwrap().1;
    let recorded: u64 = tally.iter().sum();
    println!(
        "soak: {:.1} min, {RECORDERS} recording threads, {clients} scraping clients",
        started.elapsed().as_secs_f64() / 60.0
    );
    println!("recordings: {recorded} counter adds + {observed} histogram observations");
    println!(
        "scrapes: {} ok, {} failed or inconsistent",
        scrapes.load(Ordering::Relaxed),
        failures.lock().unwrap().len()
    );
    println!(
        "scrape latency: p50 {:?}, p99 {:?}, max {:?}",
        pct(0.5),
        pct(0.99),
        Duration::from_micros(latencies.max.load(Ordering::Relaxed))
    );
    println!(
        "RSS: start {} KiB, at 1 min {warm} KiB, peak after 1 min {peak_after} KiB, end {end} KiB",
        rss[0].1
    );
    if peak_after as f64 > warm as f64 * 1.25 {
        problems.push(format!("RSS grew after warm-up: {warm} → {peak_after} KiB"));
    }
    if problems.is_empty() {
        println!("final totals equal the recorded counts: OK");
    } else {
        for p in problems.iter().take(20) {
            println!("FAIL: {p}");
        }
        std::process::exit(1);
    }
}
