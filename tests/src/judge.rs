//! Third-party parsers as judges.
//!
//! When a judge is missing: under `CI=true` the test fails (panics) saying
//! what to install; elsewhere it prints a loud notice and the caller skips
//! the check, so a developer without the tools still gets the rest.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

/// True when running under CI, where every judge must be present.
///
/// ```
/// use otel_prom_tests::judge::in_ci;
/// let ci = std::env::var("CI").unwrap_or_default();
/// assert_eq!(in_ci(), ci == "true" || ci == "1");
/// ```
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// What a check does when a tool it needs is not installed: under
/// `CI=true` it fails (panics, naming the tool and `how` to install it);
/// elsewhere it prints a loud `NOTICE` and gives `None`, so the check is
/// skipped visibly.
///
/// ```
/// use otel_prom_tests::judge::{in_ci, missing};
/// if !in_ci() {
///     let verdict: Option<()> = missing("a parser", "apt-get install a-parser");
///     assert!(verdict.is_none());
/// }
/// ```
pub fn missing<T>(tool: &str, how: &str) -> Option<T> {
    assert!(
        !in_ci(),
        "{tool} is required under CI=true but is missing: {how}"
    );
    eprintln!("\n*** NOTICE: {tool} not found; this check is NOT run here ({how}) ***\n");
    None
}

/// Result of `promtool check metrics`.
///
/// ```
/// use otel_prom_tests::judge::promtool;
/// if let Some(verdict) = promtool("# HELP up Up.\n# TYPE up gauge\nup 1\n") {
///     assert_eq!((verdict.code, verdict.output.trim()), (0, ""));
/// }
/// ```
#[derive(Debug)]
pub struct PromtoolVerdict {
    /// 0 clean, 3 lint problems only, 1 parse error.
    pub code: i32,
    /// What promtool printed.
    pub output: String,
}

/// Runs `promtool check metrics` on a Prometheus text 0.0.4 exposition.
/// `None` when promtool is not installed (outside CI).
///
/// ```
/// use otel_prom_tests::judge::promtool;
/// if let Some(verdict) = promtool("up{ 1\n") {
///     assert_eq!(verdict.code, 1, "a parse error: {}", verdict.output);
/// }
/// ```
pub fn promtool(text: &str) -> Option<PromtoolVerdict> {
    let child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(_) => return missing("promtool", "apt-get install prometheus"),
    };
    child.stdin.take()?.write_all(text.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    Some(PromtoolVerdict {
        code: out.status.code().unwrap_or(-1),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    })
}

/// Which Python parser.
///
/// ```
/// use otel_prom_tests::judge::{python_parse, PyParser};
/// // Without `# EOF` the strict OpenMetrics parser refuses a page the text parser takes.
/// let page = "# TYPE jobs counter\njobs_total 3\n".to_string();
/// if let Some(strict) = python_parse(PyParser::OpenMetrics, &[page.clone()]) {
///     assert!(strict[0].is_err());
/// }
/// if let Some(lax) = python_parse(PyParser::Text, &[page]) {
///     assert_eq!(lax[0].as_ref().unwrap()[0].as_f64(), 3.0);
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PyParser {
    /// `prometheus_client.openmetrics.parser` (strict).
    OpenMetrics,
    /// `prometheus_client.parser` (Prometheus text, lax).
    Text,
}

/// One parsed sample, values exact (ints as decimal, floats as Python `repr`).
///
/// ```
/// use otel_prom_tests::judge::{python_parse, PyParser};
/// let page = "# TYPE rpc histogram\nrpc_bucket{le=\"+Inf\"} 2\nrpc_count 2\nrpc_sum 0.5\n# EOF\n";
/// if let Some(results) = python_parse(PyParser::OpenMetrics, &[page.to_string()]) {
///     let samples = results[0].as_ref().unwrap();
///     let bucket = &samples[0];
///     assert_eq!((bucket.family.as_str(), bucket.kind.as_str()), ("rpc", "histogram"));
///     assert_eq!(bucket.name, "rpc_bucket");
///     assert_eq!(bucket.labels, [("le".to_string(), "+Inf".to_string())]);
///     assert_eq!((bucket.value.as_str(), bucket.exemplar.is_none()), ("2", true));
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedSample {
    /// Family name as the parser sees it.
    pub family: String,
    /// Family type.
    pub kind: String,
    /// Sample name.
    pub name: String,
    /// Labels, sorted by name.
    pub labels: Vec<(String, String)>,
    /// Exact value text.
    pub value: String,
    /// Exemplar (labels, value), if any.
    pub exemplar: Option<(Vec<(String, String)>, String)>,
}

impl ParsedSample {
    /// The value as f64 (NaN for unparsable, which never happens for our output).
    ///
    /// ```
    /// use otel_prom_tests::judge::{python_parse, PyParser};
    /// let page = "# TYPE temp gauge\ntemp 21.5\n# EOF\n".to_string();
    /// if let Some(results) = python_parse(PyParser::OpenMetrics, &[page]) {
    ///     assert_eq!(results[0].as_ref().unwrap()[0].as_f64(), 21.5);
    /// }
    /// ```
    pub fn as_f64(&self) -> f64 {
        parse_exact(&self.value)
    }
}

/// Parses the exact value text `parse.py` prints (an integer, or Python's
/// shortest round-trip `repr` of a float).
///
/// ```
/// use otel_prom_tests::judge::parse_exact;
/// assert_eq!(parse_exact("18446744073709551615"), u64::MAX as f64);
/// assert_eq!(parse_exact("1e-05"), 0.00001);
/// assert!(parse_exact("not a number").is_nan());
/// ```
pub fn parse_exact(v: &str) -> f64 {
    if let Ok(i) = v.parse::<i128>() {
        return i as f64;
    }
    v.parse::<f64>().unwrap_or(f64::NAN)
}

fn python() -> String {
    std::env::var("OTEL_PROM_PYTHON").unwrap_or_else(|_| {
        let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/py/bin/python");
        if venv.exists() {
            venv.to_string_lossy().into_owned()
        } else {
            "python3".into()
        }
    })
}

/// The Python interpreter that has `prometheus_client`; `None` when there
/// is none (outside CI).
///
/// ```
/// use otel_prom_tests::judge::python_program;
/// if let Some(python) = python_program() {
///     let check = std::process::Command::new(python).args(["-c", "import prometheus_client"]).status();
///     assert!(check.unwrap().success());
/// }
/// ```
pub fn python_program() -> Option<String> {
    let py = python();
    let ok = Command::new(&py)
        .args(["-c", "import prometheus_client"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return missing(
            "python prometheus_client",
            "python3 -m venv target/py && target/py/bin/pip install prometheus_client",
        );
    }
    Some(py)
}

/// Parses each document with the chosen Python parser. Returns one result
/// per document: the samples, or the parser's error text. `None` when
/// Python or `prometheus_client` is missing (outside CI).
///
/// ```
/// use otel_prom_tests::judge::{python_parse, PyParser};
/// let pages = ["# TYPE up gauge\nup 1\n# EOF\n".to_string(), "up{\n".to_string()];
/// if let Some(results) = python_parse(PyParser::OpenMetrics, &pages) {
///     assert_eq!(results.len(), 2);
///     assert_eq!(results[0].as_ref().unwrap()[0].name, "up");
///     assert!(results[1].is_err());
/// }
/// ```
pub fn python_parse(
    parser: PyParser,
    docs: &[String],
) -> Option<Vec<Result<Vec<ParsedSample>, String>>> {
    let py = python_program()?;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("py/parse.py");
    let arg = match parser {
        PyParser::OpenMetrics => "openmetrics",
        PyParser::Text => "text",
    };
    let mut child = Command::new(&py)
        .arg(script)
        .arg(arg)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python starts");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        for d in docs {
            assert!(!d.contains("\n\x1e\n"), "document contains the separator");
            stdin.write_all(d.as_bytes()).expect("write");
            stdin.write_all(b"\n\x1e\n").expect("write");
        }
    }
    let out = child.wait_with_output().expect("python runs");
    assert!(out.status.success(), "parse.py failed");
    let text = String::from_utf8(out.stdout).expect("utf8");
    let results: Vec<_> = text
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("json");
            if v["ok"].as_bool() == Some(true) {
                Ok(v["samples"]
                    .as_array()
                    .expect("samples")
                    .iter()
                    .map(sample)
                    .collect())
            } else {
                Err(v["error"].as_str().unwrap_or("?").to_string())
            }
        })
        .collect();
    assert_eq!(results.len(), docs.len(), "one verdict per document");
    Some(results)
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap_or("").into(),
                        p[1].as_str().unwrap_or("").into(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn sample(v: &Value) -> ParsedSample {
    ParsedSample {
        family: v["family"].as_str().unwrap_or("").into(),
        kind: v["type"].as_str().unwrap_or("").into(),
        name: v["name"].as_str().unwrap_or("").into(),
        labels: pairs(&v["labels"]),
        value: v["value"].as_str().unwrap_or("").into(),
        exemplar: if v["exemplar"].is_null() {
            None
        } else {
            Some((
                pairs(&v["exemplar"]["labels"]),
                v["exemplar"]["value"].as_str().unwrap_or("").into(),
            ))
        },
    }
}
