//! A real Prometheus server (its Go HTTP client, its `Accept` header, which
//! prefers OpenMetrics, and its parsers) scrapes the device page every
//! second while the timer interrupt records: once from the host simulation,
//! once from the firmware's own HTTP server on an emulated Cortex-M3 (QEMU's
//! MPS2 AN385 board, its LAN9118 Ethernet controller, QEMU's user
//! networking forwarding a host port to it).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use otel_prom_tests::judge::missing;
use otel_prom_tests::prometheus::{Prometheus, Running, free_port, wait_until_serving};

/// The two tests run one after the other: the firmware's build would
/// otherwise take both cores from the Prometheus scraping the host
/// simulation, whose scrapes time out after a second.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// What Prometheus must have read from a device page scraped as `job`.
fn assert_prometheus_reads_the_device(prometheus: &Prometheus, job: &str) {
    assert_eq!(
        prometheus.failed_scrapes(job, 5),
        Some(0.0),
        "every scrape of {job} succeeded"
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
    let series = |selector: &str| format!("{{job=\"{job}\",{selector}}}");
    assert_eq!(
        prometheus.value(&series(&format!(
            "__name__=\"device_build_info\",version=\"{}\"",
            env!("CARGO_PKG_VERSION")
        ))),
        Some(1.0)
    );
    // The tick counter only grew, and by something, between scrapes.
    let ticks = format!("{}[10m]", series("__name__=\"device_uptime_total\""));
    assert_eq!(prometheus.value(&format!("resets({ticks})")), Some(0.0));
    let grew = prometheus.value(&format!("increase({ticks})"));
    assert!(grew.is_some_and(|n| n > 0.0), "{grew:?}");
    // The simulated sensor stays between 20 and 29.75 °C.
    let celsius = prometheus.value(&series("__name__=\"device_temperature_celsius\""));
    assert!(
        celsius.is_some_and(|t| (20.0..=29.75).contains(&t)),
        "{celsius:?}"
    );
    // Every handling time is at most 300 µs: within the 0.5 ms bucket, and
    // the buckets and the count of one scrape agree.
    let latency = |suffix: &str, le: &str| {
        series(&format!(
            "__name__=\"device_isr_latency_seconds_{suffix}\"{le}"
        ))
    };
    let count = prometheus.value(&latency("count", ""));
    assert!(count.is_some_and(|n| n > 0.0), "{count:?}");
    let inf = latency("bucket", ",le=\"+Inf\"");
    let widest = latency("bucket", ",le=\"0.0005\"");
    assert_eq!(
        prometheus.value(&format!("{inf} - ignoring(le) {widest}")),
        Some(0.0)
    );
    let count = latency("count", "");
    assert_eq!(
        prometheus.value(&format!("{count} - ignoring(le) {inf}")),
        Some(0.0)
    );
}

#[test]
fn a_real_prometheus_scrapes_the_host_simulation() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let address = format!("127.0.0.1:{}", free_port());
    let _device = Running::spawn(
        Command::new(env!("CARGO_BIN_EXE_device-status-page"))
            .args(["--addr", &address])
            .stderr(Stdio::null()),
    );
    assert!(wait_until_serving(&address, Duration::from_secs(10)));
    let Some(prometheus) = Prometheus::scraping(&[("device", &address)]) else {
        return;
    };
    assert_prometheus_reads_the_device(&prometheus, "device");
}

/// The target the firmware's HTTP server is built for, and QEMU's board.
const TARGET: &str = "thumbv7m-none-eabi";

#[test]
fn a_real_prometheus_scrapes_the_firmware_under_qemu() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let qemu = Command::new("qemu-system-arm")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !qemu {
        return missing("qemu-system-arm", "apt-get install qemu-system-arm").unwrap_or_default();
    }
    // Built here, from the current sources, by the cargo running this test.
    let firmware = Path::new(env!("CARGO_MANIFEST_DIR")).join("../firmware");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let build = Command::new(cargo)
        .current_dir(&firmware)
        .args(["build", "--release", "--features", "net"])
        .args(["--bin", "http-server", "--target", TARGET])
        .arg("--target-dir")
        .arg(firmware.join("target"))
        .output()
        .expect("cargo runs");
    if !build.status.success() {
        let log = String::from_utf8_lossy(&build.stderr);
        if log.contains("target may not be installed") {
            return missing(TARGET, &format!("rustup target add {TARGET}")).unwrap_or_default();
        }
        panic!("the firmware's HTTP server did not build:\n{log}");
    }
    let elf = firmware.join(format!("target/{TARGET}/release/http-server"));

    let address = format!("127.0.0.1:{}", free_port());
    let _qemu = Running::spawn(
        Command::new("qemu-system-arm")
            .args(["-cpu", "cortex-m3", "-machine", "mps2-an385"])
            .args(["-display", "none", "-monitor", "none", "-serial", "none"])
            .args(["-semihosting-config", "enable=on,target=native"])
            .arg("-nic")
            .arg(format!(
                "user,model=lan9118,hostfwd=tcp:{address}-10.0.2.15:80"
            ))
            .arg("-kernel")
            .arg(&elf)
            .stdin(Stdio::null())
            .stdout(Stdio::null()),
    );
    assert!(
        wait_until_serving(&address, Duration::from_secs(20)),
        "the firmware never answered on {address}"
    );

    // Its answers say `Connection: close`, so the server ends each
    // exchange: a client that reads until the end gets the whole answer,
    // then the end, without waiting.
    let answer = get_to_the_end(&address).expect("an answer, then the end");
    let text = String::from_utf8_lossy(&answer);
    let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())));

    // A request head longer than the server reads (1 KiB) is answered
    // from the part that fits; the rest is read and dropped.
    let long_head = [
        b"GET /metrics HTTP/1.1\r\nX-Padding: ".as_slice(),
        &[b'a'; 4096],
    ]
    .concat();
    let answer = exchange(&address, &long_head).expect("an answer to a long head");
    assert!(answer.starts_with(b"HTTP/1.1 200 OK\r\n"));

    // Two clients that start a request and never finish it take both of
    // its connections; the server drops them after its 5 s and serves
    // again.
    let mut stalled: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(&address).expect("a connection"))
        .collect();
    for client in &mut stalled {
        client.write_all(b"GET /metrics HTTP/1.1\r\n").unwrap();
    }
    assert!(
        wait_until_serving(&address, Duration::from_secs(15)),
        "the stalled clients held the firmware's connections for good"
    );
    drop(stalled);
    let Some(prometheus) = Prometheus::scraping(&[("firmware", &address)]) else {
        return;
    };
    assert_prometheus_reads_the_device(&prometheus, "firmware");
}

/// One `GET /metrics`, read until the server ends the stream; an error if
/// that takes more than 2 s.
fn get_to_the_end(address: &str) -> std::io::Result<Vec<u8>> {
    exchange(address, b"GET /metrics HTTP/1.1\r\nHost: device\r\n\r\n")
}

/// Sends `request` and reads until the server ends the stream; an error if
/// that takes more than 2 s.
fn exchange(address: &str, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    stream.write_all(request)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    Ok(answer)
}
