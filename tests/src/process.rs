//! Figures about this process from `/proc` (Linux), for tests and the soak
//! run that check resources stay bounded.

/// The whitespace-separated field `index` of the line of `/proc/self/<file>`
/// that starts with `key`, as a number.
///
/// ```
/// # if std::path::Path::new("/proc/self/status").exists() {
/// let rss_kib = otel_prom_tests::process::proc_field("status", "VmRSS:", 1).unwrap();
/// assert!(rss_kib > 0);
/// # }
/// ```
pub fn proc_field(file: &str, key: &str, index: usize) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/self/{file}")).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(index)?.parse().ok()
}
