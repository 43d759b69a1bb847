//! A real Prometheus server for end-to-end tests: started on a free port of
//! 127.0.0.1 with a temporary configuration and data directory, scraping
//! the services under test every second, and asked through its HTTP query
//! API what it stored.
//!
//! The server is Debian's `prometheus` package (what `.ci/run` installs).
//! Where it is missing, [`Prometheus::scraping`] prints a loud `NOTICE` and
//! returns `None`, except under `CI=true`, where it fails the test.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::judge::missing;

/// A port on 127.0.0.1 that was free a moment ago, for a server a test
/// starts.
///
/// ```
/// let port = otel_prom_tests::prometheus::free_port();
/// assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok());
/// ```
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("the loopback interface lends a port")
}

/// Waits until an HTTP server at `address` (`host:port`) answers a `GET
/// /metrics` with a whole response, or `within` has passed: whether it did.
///
/// ```
/// use std::time::Duration;
/// let nobody = format!("127.0.0.1:{}", otel_prom_tests::prometheus::free_port());
/// assert!(!otel_prom_tests::prometheus::wait_until_serving(&nobody, Duration::from_millis(50)));
/// ```
pub fn wait_until_serving(address: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    let answers = || -> std::io::Result<bool> {
        let mut stream = TcpStream::connect(address)?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response)?;
        Ok(response.starts_with(b"HTTP/1.1 200 "))
    };
    loop {
        if answers().unwrap_or(false) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A child process the test owns: killed and reaped when dropped, so a
/// failing assertion cannot leave a server running.
///
/// ```
/// use std::process::Command;
/// use otel_prom_tests::prometheus::Running;
/// # if std::path::Path::new("/bin/sleep").exists() {
/// let sleeper = Running::spawn(Command::new("/bin/sleep").arg("60"));
/// drop(sleeper); // killed and reaped here, not in a minute
/// # }
/// ```
#[derive(Debug)]
pub struct Running(Child);

impl Running {
    /// Starts `command`; panics if it cannot be started.
    ///
    /// ```
    /// # use std::process::Command;
    /// # if std::path::Path::new("/bin/true").exists() {
    /// let done = otel_prom_tests::prometheus::Running::spawn(&mut Command::new("/bin/true"));
    /// # }
    /// ```
    pub fn spawn(command: &mut Command) -> Self {
        match command.spawn() {
            Ok(child) => Running(child),
            Err(e) => panic!("cannot start {command:?}: {e}"),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One element of an instant vector: its labels (`__name__` included where
/// the query keeps it) and its value.
///
/// ```no_run
/// # use otel_prom_tests::prometheus::Prometheus;
/// # let prometheus = Prometheus::scraping(&[("device", "127.0.0.1:9464")]).unwrap();
/// let up = &prometheus.query("up")[0];
/// assert_eq!((up.labels["job"].as_str(), up.value), ("device", 1.0));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The series' labels.
    pub labels: BTreeMap<String, String>,
    /// The value at the query's instant.
    pub value: f64,
}

/// An exemplar as Prometheus stored it.
///
/// ```no_run
/// # use otel_prom_tests::prometheus::Prometheus;
/// # let prometheus = Prometheus::scraping(&[("app", "127.0.0.1:9464")]).unwrap();
/// let e = &prometheus.exemplars("http_requests_total")[0];
/// assert_eq!(e.labels["trace_id"].len(), 32);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct StoredExemplar {
    /// The labels of the series it belongs to.
    pub series: BTreeMap<String, String>,
    /// Its own labels (`trace_id`, ...).
    pub labels: BTreeMap<String, String>,
    /// Its value.
    pub value: f64,
    /// Its timestamp in seconds (the scrape's time where it had none).
    pub timestamp: f64,
}

/// A metric family's type, help and unit, as Prometheus stored them.
///
/// ```no_run
/// # use otel_prom_tests::prometheus::Prometheus;
/// # let prometheus = Prometheus::scraping(&[("device", "127.0.0.1:9464")]).unwrap();
/// let latency = &prometheus.metadata("device_isr_latency_seconds")[0];
/// assert_eq!((latency.kind.as_str(), latency.unit.as_str()), ("histogram", "seconds"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// `counter`, `gauge`, `histogram`, `info`, ... (`unknown` where the
    /// scrape had no `# TYPE`).
    pub kind: String,
    /// The `# HELP` text.
    pub help: String,
    /// The `# UNIT` (OpenMetrics only; empty otherwise).
    pub unit: String,
}

/// A running Prometheus server, stopped and its data removed when dropped.
///
/// ```no_run
/// use otel_prom_tests::prometheus::Prometheus;
/// let Some(prometheus) = Prometheus::scraping(&[("device", "127.0.0.1:9464")]) else { return };
/// assert_eq!(prometheus.failed_scrapes("device", 3), Some(0.0));
/// drop(prometheus); // stopped, its data directory removed
/// ```
#[derive(Debug)]
pub struct Prometheus {
    port: u16,
    dir: PathBuf,
    server: Running,
}

impl Prometheus {
    /// Starts Prometheus scraping each `(job, "host:port")` target every
    /// second, at `/metrics`, or at the path a target names
    /// (`"host:port/path"`). `None`, with a `NOTICE`, where `prometheus` is
    /// not installed (a failed test under `CI=true`).
    ///
    /// ```no_run
    /// use otel_prom_tests::prometheus::Prometheus;
    /// let Some(prometheus) = Prometheus::scraping(&[("device", "127.0.0.1:9464")]) else { return };
    /// assert_eq!(prometheus.wait_for("up{job=\"device\"}", |v| v == 1.0), Some(1.0));
    /// ```
    pub fn scraping(targets: &[(&str, &str)]) -> Option<Self> {
        let installed = Command::new("prometheus")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !installed {
            return missing("prometheus", "apt-get install prometheus");
        }
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("otel-prom-e2e-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let mut config = String::from(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n",
        );
        for (job, target) in targets {
            let (address, path) = match target.find('/') {
                Some(i) => target.split_at(i),
                None => (*target, "/metrics"),
            };
            config += &format!(
                "  - job_name: {job}\n    metrics_path: {path}\n    static_configs:\n      - targets: ['{address}']\n"
            );
        }
        let file = dir.join("prometheus.yml");
        std::fs::write(&file, config).expect("the configuration is written");
        let server = Running::spawn(
            Command::new("prometheus")
                .arg(format!("--config.file={}", file.display()))
                .arg(format!(
                    "--storage.tsdb.path={}",
                    dir.join("data").display()
                ))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .arg("--enable-feature=exemplar-storage")
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        Some(Prometheus { port, dir, server })
    }

    /// The instant vector `promql` evaluates to now; empty while the server
    /// is starting or when nothing matches.
    ///
    /// ```no_run
    /// # use otel_prom_tests::prometheus::Prometheus;
    /// # let prometheus = Prometheus::scraping(&[("device", "127.0.0.1:9464")]).unwrap();
    /// for sample in prometheus.query("up") {
    ///     println!("{} is {}", sample.labels["job"], sample.value);
    /// }
    /// ```
    pub fn query(&self, promql: &str) -> Vec<Sample> {
        self.try_query(promql).unwrap_or_default()
    }

    /// The value of the first element of [`query`](Self::query), if any.
    ///
    /// ```no_run
    /// # use otel_prom_tests::prometheus::Prometheus;
    /// # let prometheus = Prometheus::scraping(&[("device", "127.0.0.1:9464")]).unwrap();
    /// let scrapes = prometheus.value("count_over_time(up[1m])");
    /// ```
    pub fn value(&self, promql: &str) -> Option<f64> {
        self.query(promql).first().map(|s| s.value)
    }

    /// Asks `promql` every half second until its first value satisfies
    /// `want` or 90 s have passed; the last value either way, so that the
    /// caller's assertion shows what was there.
    ///
    /// ```no_run
    /// # use otel_prom_tests::prometheus::Prometheus;
    /// # let prometheus = Prometheus::scraping(&[("device", "127.0.0.1:9464")]).unwrap();
    /// let scrapes = prometheus.wait_for("count_over_time(up[1m])", |n| n >= 5.0);
    /// ```
    pub fn wait_for(&self, promql: &str, want: impl Fn(f64) -> bool) -> Option<f64> {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let got = self.value(promql);
            if got.is_some_and(&want) || Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// How many of `job`'s scrapes failed (`up` was 0), once Prometheus
    /// has tried at least `at_least` of them (or after 90 s): counted in one
    /// evaluation, so a scrape landing meanwhile cannot skew it.
    ///
    /// ```no_run
    /// # use otel_prom_tests::prometheus::Prometheus;
    /// # let prometheus = Prometheus::scraping(&[("device", "127.0.0.1:9464")]).unwrap();
    /// assert_eq!(prometheus.failed_scrapes("device", 5), Some(0.0));
    /// ```
    pub fn failed_scrapes(&self, job: &str, at_least: u32) -> Option<f64> {
        let up = format!("up{{job=\"{job}\"}}[10m]");
        self.wait_for(&format!("count_over_time({up})"), |n| {
            n >= f64::from(at_least)
        });
        self.value(&format!("count_over_time({up}) - sum_over_time({up})"))
    }

    /// What Prometheus learnt of a metric family from the scrapes' `# TYPE`,
    /// `# HELP` and `# UNIT` lines: one entry for each distinct answer its
    /// targets gave. The type `info` and a unit reach it only through
    /// OpenMetrics, so they show which format was negotiated.
    ///
    /// ```no_run
    /// # use otel_prom_tests::prometheus::Prometheus;
    /// # let prometheus = Prometheus::scraping(&[("device", "127.0.0.1:9464")]).unwrap();
    /// let build = prometheus.metadata("device_build");
    /// assert_eq!(build[0].kind, "info");
    /// ```
    pub fn metadata(&self, family: &str) -> Vec<Metadata> {
        let query = format!("/api/v1/metadata?metric={}", percent_encoded(family));
        let Some(v) = self.get(&query) else {
            return Vec::new();
        };
        v["data"][family]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| {
                Some(Metadata {
                    kind: m["type"].as_str()?.to_string(),
                    help: m["help"].as_str()?.to_string(),
                    unit: m["unit"].as_str()?.to_string(),
                })
            })
            .collect()
    }

    /// The exemplars Prometheus stored for the series `selector` picks, from
    /// any time: each with its series' labels.
    ///
    /// ```no_run
    /// # use otel_prom_tests::prometheus::Prometheus;
    /// # let prometheus = Prometheus::scraping(&[("app", "127.0.0.1:9464")]).unwrap();
    /// for e in prometheus.exemplars("http_requests_total") {
    ///     println!("{:?}: {:?} {} at {}", e.series, e.labels, e.value, e.timestamp);
    /// }
    /// ```
    pub fn exemplars(&self, selector: &str) -> Vec<StoredExemplar> {
        let query = format!(
            "/api/v1/query_exemplars?query={}&start=0&end=4102444800",
            percent_encoded(selector)
        );
        let Some(v) = self.get(&query) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for series in v["data"].as_array().into_iter().flatten() {
            let Some(series_labels) = string_map(&series["seriesLabels"]) else {
                continue;
            };
            for e in series["exemplars"].as_array().into_iter().flatten() {
                let (Some(labels), Some(value), Some(timestamp)) = (
                    string_map(&e["labels"]),
                    e["value"].as_str().and_then(|v| v.parse().ok()),
                    e["timestamp"].as_f64(),
                ) else {
                    continue;
                };
                found.push(StoredExemplar {
                    series: series_labels.clone(),
                    labels,
                    value,
                    timestamp,
                });
            }
        }
        found
    }

    fn try_query(&self, promql: &str) -> Option<Vec<Sample>> {
        let v = self.get(&format!("/api/v1/query?query={}", percent_encoded(promql)))?;
        let results = v["data"]["result"].as_array()?;
        Some(
            results
                .iter()
                .filter_map(|r| {
                    let labels = string_map(&r["metric"])?;
                    let value = r["value"][1].as_str()?.parse().ok()?;
                    Some(Sample { labels, value })
                })
                .collect(),
        )
    }

    /// The JSON answer of one request to the server's API.
    fn get(&self, path_and_query: &str) -> Option<serde_json::Value> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        write!(
            s,
            "GET {path_and_query} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut r = String::new();
        s.read_to_string(&mut r).ok()?;
        let body = r.split_once("\r\n\r\n")?.1;
        // Chunked or not, the JSON object is between the first '{' and the
        // last '}'.
        let json = &body[body.find('{')?..=body.rfind('}')?];
        serde_json::from_str(json).ok()
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        // Stopped before its directory goes (fields drop only after this
        // body), so that it writes nothing more into it.
        let Running(child) = &mut self.server;
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A JSON object of strings, such as a series' labels.
fn string_map(v: &serde_json::Value) -> Option<BTreeMap<String, String>> {
    v.as_object()?
        .iter()
        .map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect()
}

/// `q` for a URL's query string: unreserved bytes as they are, the rest
/// `%XX`.
fn percent_encoded(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
