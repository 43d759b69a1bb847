//! The `/metrics` server under hostile clients: idle and keep-alive
//! connections beyond the limit, malformed request lines, garbage `Accept`
//! headers and a client that never reads. In every case the server keeps
//! answering well-behaved scrapers and holds a bounded number of sockets.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use opentelemetry::KeyValue;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use otel_prom_std::PrometheusExporter;
use otel_prom_std::http::{MetricsServer, ServerOptions, serve};
use otel_prom_tests::judge::promtool;
use otel_prom_tests::process::proc_field;

/// An exporter without scope labels or `target_info` (pages as small as
/// they come), registered with a provider of its own.
fn exporter_and_provider() -> (PrometheusExporter, SdkMeterProvider) {
    let exporter = PrometheusExporter::builder()
        .without_scope_info()
        .without_target_info()
        .build();
    let provider = SdkMeterProvider::builder()
        .with_reader(exporter.clone())
        .build();
    (exporter, provider)
}

fn start(options: ServerOptions, series: usize) -> (SdkMeterProvider, MetricsServer) {
    let (exporter, provider) = exporter_and_provider();
    // The SDK caps each instrument at 2000 attribute sets: spread them.
    let meter = provider.meter("m");
    let counters: Vec<_> = (0..series.div_ceil(1000))
        .map(|i| {
            meter
                .u64_counter(if i == 0 {
                    "hits".to_string()
                } else {
                    format!("hits{i}")
                })
                .build()
        })
        .collect();
    for i in 0..series {
        counters[i / 1000].add(1, &[KeyValue::new("series", i as i64)]);
    }
    let server = serve(exporter, options.with_address("127.0.0.1:0")).unwrap();
    (provider, server)
}

/// Status and head of a one-shot request, or `None` when the server
/// closed the connection without an answer.
fn exchange(addr: SocketAddr, raw: &[u8]) -> Option<(u16, String, Vec<u8>)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let _ = s.write_all(raw);
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all);
    let split = all.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&all[..split]).into_owned();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some((status, head, all[split + 4..].to_vec()))
}

fn scrape(addr: SocketAddr, accept: &str) -> (u16, String, Vec<u8>) {
    let raw = format!("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{accept}\r\n");
    exchange(addr, raw.as_bytes()).expect("an answer")
}

/// The soft limit on open files (`ulimit -n`).
fn fd_limit() -> usize {
    proc_field("limits", "Max open files", 3).map_or(1024, |n| n as usize)
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

#[test]
fn idle_connections_beyond_the_limit_are_refused_and_time_out() {
    let limit = 32;
    let (_p, server) = start(
        ServerOptions::default()
            .with_max_connections(limit)
            .with_header_timeout(Duration::from_millis(800)),
        3,
    );
    let addr = server.local_addr();
    let before = open_fds();
    // Two thousand where `ulimit -n` allows (.ci/run raises it), else as
    // many as fit beside the test's other files.
    let clients = 2000.min(fd_limit().saturating_sub(before + limit + 200));
    assert!(
        clients >= 500,
        "ulimit -n {} is too low for this test",
        fd_limit()
    );
    let idle: Vec<TcpStream> = (0..clients)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    // Our client sockets, plus what the server holds: at most the
    // limit (refused sockets are closed at once), plus a little slack for
    // connections being refused right now.
    let server_side = open_fds().saturating_sub(before + idle.len());
    assert!(
        server_side <= limit + 16,
        "server holds {server_side} sockets for a limit of {limit}"
    );

    // Over the limit: an immediate 503, never a hang.
    let (status, head, _) = scrape(addr, "");
    assert!(status == 503 || status == 200, "{head}");
    if status == 503 {
        assert!(head.contains("Retry-After: 1"), "{head}");
    }

    // The idle connections time out; then scrapes are served again.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, _, _) = scrape(addr, "");
        if status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never served again after idle clients timed out"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(idle);
    server.shutdown();
}

#[test]
fn keep_alive_connections_do_not_hold_the_server_forever() {
    let (_p, server) = start(
        ServerOptions::default()
            .with_max_connections(4)
            .with_header_timeout(Duration::from_millis(800)),
        3,
    );
    let addr = server.local_addr();
    // Four clients take every slot with one keep-alive request each, then
    // go quiet.
    let mut quiet = Vec::new();
    for _ in 0..4 {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 4096];
        let n = s.read(&mut buf).unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
        quiet.push(s);
    }
    // The server closes each idle keep-alive connection (EOF on read).
    for mut s in quiet {
        let started = Instant::now();
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "an idle keep-alive connection was held"
        );
    }
    assert_eq!(scrape(addr, "").0, 200);
    server.shutdown();
}

#[test]
fn malformed_requests_are_refused_and_others_served() {
    let (_p, server) = start(ServerOptions::default(), 3);
    let addr = server.local_addr();
    let long_uri = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70_000));
    let many_headers: String = (0..2000).map(|i| format!("X-H{i}: v\r\n")).collect();
    let many_headers = format!("GET /metrics HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n");
    let cases: Vec<Vec<u8>> = vec![
        b"\r\n\r\n".to_vec(),
        b"GET\r\n\r\n".to_vec(),
        b"GET /metrics\r\n\r\n".to_vec(),
        b"GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n".to_vec(),
        b"GET /metrics HTTP/1.1\r\nHost x\r\n\r\n".to_vec(),
        b"GET /metrics HTTP/1.1\r\nContent-Length: -1\r\n\r\n".to_vec(),
        b"GET /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(),
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec(), // a TLS ClientHello
        b"GET /metrics HTTP/1.1\r\nHost: \xff\xfe\r\nAccept: \xc3\x28\r\n\r\n".to_vec(),
        long_uri.into_bytes(),
        many_headers.into_bytes(),
    ];
    for raw in &cases {
        if let Some((status, head, _)) = exchange(addr, raw) {
            assert!(
                status == 200 || (400..500).contains(&status) || status == 505,
                "{:?} answered {head}",
                String::from_utf8_lossy(&raw[..raw.len().min(40)])
            );
        }
        // Whatever happened to it, the next scraper is served.
        assert_eq!(scrape(addr, "").0, 200);
    }
    server.shutdown();
}

#[test]
fn garbage_accept_headers_get_prometheus_text() {
    let (_p, server) = start(ServerOptions::default(), 3);
    let addr = server.local_addr();
    let garbage = [
        "Accept: \r\n".to_string(),
        "Accept: ;;;,,,;q=\r\n".to_string(),
        "Accept: text/plain;version=0.0.4;q=NaN\r\n".to_string(),
        "Accept: application/openmetrics-text;version=99\r\n".to_string(),
        "Accept: text/plain;escaping=\u{0}\r\n".replace('\u{0}', "%00"),
        "Accept: */*;q=0\r\n".to_string(),
        format!("Accept: {}\r\n", "text/plain;a=b,".repeat(500)),
        "Accept: application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily\r\n"
            .to_string(),
    ];
    for accept in &garbage {
        let (status, head, body) = scrape(addr, accept);
        assert_eq!(status, 200, "{accept:.60}: {head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: text/plain; version=0.0.4; charset=utf-8"),
            "{accept:.60}: {head}"
        );
        let text = String::from_utf8(body).unwrap();
        assert!(text.contains("hits_total{series=\"2\"} 1\n"), "{text}");
        if let Some(verdict) = promtool(&text) {
            assert!(verdict.code == 0 || verdict.code == 3, "{}", verdict.output);
        }
    }
    server.shutdown();
}

/// A server whose page is 8 MB, more than loopback's socket buffers take in
/// (they grow to 4 MB for sending on Linux), so its writes wait on a client
/// that does not read.
fn start_with_a_big_page(options: ServerOptions) -> (SdkMeterProvider, MetricsServer) {
    let (exporter, provider) = exporter_and_provider();
    let counter = provider.meter("m").u64_counter("big").build();
    let pad = "x".repeat(10_000);
    for i in 0..800 {
        counter.add(1, &[KeyValue::new("pad", format!("{pad}{i}"))]);
    }
    let server = serve(exporter, options.with_address("127.0.0.1:0")).unwrap();
    (provider, server)
}

#[test]
fn a_client_that_never_reads_does_not_block_other_scrapes() {
    let (_p, server) = start_with_a_big_page(ServerOptions::default());
    let addr = server.local_addr();
    let mut stuck = Vec::new();
    for _ in 0..4 {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        stuck.push(s); // never read
    }
    std::thread::sleep(Duration::from_millis(500));
    for _ in 0..3 {
        let started = Instant::now();
        let (status, _, body) = scrape(addr, "");
        assert_eq!(status, 200);
        assert!(body.len() > 8_000_000);
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "a scrape waited behind clients that do not read"
        );
    }
    drop(stuck);
    server.shutdown();
}

#[test]
fn a_client_that_stops_reading_is_cut_off_and_gives_its_slot_back() {
    let (_p, server) = start_with_a_big_page(
        ServerOptions::default()
            .with_max_connections(1)
            .with_write_timeout(Duration::from_millis(500)),
    );
    let addr = server.local_addr();
    let (status, _, full) = scrape(addr, "");
    assert_eq!(status, 200);
    assert!(full.len() > 8_000_000);
    let mut stuck = TcpStream::connect(addr).unwrap();
    stuck
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    // The stuck client holds the one slot while the server waits on it...
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(scrape(addr, "").0, 503);
    // ...until the write timeout: then the slot is free again.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let (status, _, body) = scrape(addr, "");
        if status == 200 {
            assert_eq!(body.len(), full.len());
            break;
        }
        assert_eq!(status, 503);
        assert!(Instant::now() < deadline, "the stuck client kept its slot");
    }
    // What the stuck client can still read ends short of the page.
    stuck
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut got = Vec::new();
    let ended = stuck.read_to_end(&mut got);
    assert!(
        ended.is_err() || got.len() < full.len(),
        "the whole page arrived: {} bytes",
        got.len()
    );
    server.shutdown();
}

/// A server allowing one render at a time, whose first render blocks inside
/// the SDK's collect (in an observable gauge's callback) until `release`
/// sends or drops; `started` receives when it has begun.
struct StuckRender {
    _provider: SdkMeterProvider,
    server: MetricsServer,
    started: std::sync::mpsc::Receiver<()>,
    release: std::sync::mpsc::Sender<()>,
}

fn start_with_a_stuck_render() -> StuckRender {
    use std::sync::Mutex;
    use std::sync::mpsc;

    let (started_tx, started) = mpsc::channel::<()>();
    let (release, release_rx) = mpsc::channel::<()>();
    let hold = Mutex::new(Some((started_tx, release_rx)));
    let (exporter, provider) = exporter_and_provider();
    let _gauge = provider
        .meter("m")
        .u64_observable_gauge("slow")
        .with_callback(move |observer| {
            let first = hold.lock().unwrap().take();
            if let Some((started, release)) = first {
                let _ = started.send(());
                let _ = release.recv_timeout(Duration::from_secs(60));
            }
            observer.observe(1, &[]);
        })
        .build();
    let server = serve(
        exporter,
        ServerOptions::default()
            .with_address("127.0.0.1:0")
            .with_max_concurrent_scrapes(1),
    )
    .unwrap();
    StuckRender {
        _provider: provider,
        server,
        started,
        release,
    }
}

/// Sends a scrape and hangs up once its render has begun.
fn hang_up_mid_scrape(stuck: &StuckRender) {
    let mut gone = TcpStream::connect(stuck.server.local_addr()).unwrap();
    gone.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    stuck
        .started
        .recv_timeout(Duration::from_secs(10))
        .expect("the first render starts");
}

#[test]
fn clients_that_hang_up_mid_scrape_cannot_start_more_renders_than_the_limit() {
    let stuck = start_with_a_stuck_render();
    let addr = stuck.server.local_addr();
    hang_up_mid_scrape(&stuck);
    // The render goes on without its client: for as long as it runs, every
    // other scrape is over the limit of one, however quickly the server
    // notices that the first client left.
    for _ in 0..10 {
        std::thread::sleep(Duration::from_millis(50));
        let answer = exchange(
            addr,
            b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert_eq!(
            answer.as_ref().map(|a| a.0),
            Some(503),
            "a second render started beside the first"
        );
    }
    // Requests that render nothing are answered whatever the renders do.
    for (raw, want) in [
        (
            &b"GET /other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"[..],
            404,
        ),
        (
            b"POST /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            405,
        ),
    ] {
        assert_eq!(exchange(addr, raw).expect("an answer").0, want);
    }
    stuck.release.send(()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, _, body) = scrape(addr, "");
        if status == 200 {
            assert!(String::from_utf8_lossy(&body).contains("\nslow 1\n"));
            break;
        }
        assert_eq!(status, 503);
        assert!(Instant::now() < deadline, "the slot never came back");
        std::thread::sleep(Duration::from_millis(20));
    }
    stuck.server.shutdown();
}

#[test]
fn shutdown_does_not_wait_for_a_render_whose_client_has_gone() {
    let stuck = start_with_a_stuck_render();
    hang_up_mid_scrape(&stuck);
    let addr = stuck.server.local_addr();
    let started = Instant::now();
    stuck.server.shutdown();
    // The grace period for connections is 5 s; the render would block
    // for 60.
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "shutdown waited {:?}",
        started.elapsed()
    );
    assert!(TcpStream::connect(addr).is_err(), "still listening");
    drop(stuck.release);
}

/// Set in the child process of
/// [`running_out_of_file_descriptors_pauses_accepting_instead_of_spinning`].
const FD_CHILD: &str = "OTEL_PROM_TEST_FD_CHILD";

/// CPU time this process has used, user and system, in clock ticks, read
/// from its `/proc/self/stat` opened beforehand (no descriptor may be free
/// when it is needed).
fn cpu_ticks(stat: &mut std::fs::File) -> u64 {
    use std::io::Seek;
    let mut text = String::new();
    stat.rewind().unwrap();
    stat.read_to_string(&mut text).unwrap();
    // Fields after the command name, which is in parentheses and may hold
    // spaces: utime and stime are the 14th and 15th of the line.
    let rest = &text[text.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// The child: serves, uses up its file descriptors, and reports how much CPU
/// it burns while a connection waits to be accepted.
fn fd_child() {
    use std::io::BufRead;
    let (_p, server) = start(ServerOptions::default(), 1);
    println!("port {}", server.local_addr().port());
    let mut stat = std::fs::File::open("/proc/self/stat").unwrap();
    let mut held = Vec::new();
    while let Ok(f) = std::fs::File::open("/dev/null") {
        held.push(f);
    }
    println!("exhausted after {}", held.len());
    let mut line = String::new();
    let mut stdin = std::io::stdin().lock();
    stdin.read_line(&mut line).unwrap(); // the parent has connected
    std::thread::sleep(Duration::from_millis(200));
    let before = cpu_ticks(&mut stat);
    std::thread::sleep(Duration::from_secs(1));
    println!("ticks {}", cpu_ticks(&mut stat) - before);
    drop(held);
    line.clear();
    stdin.read_line(&mut line).unwrap(); // the parent has its answer
    server.shutdown();
}

#[test]
fn running_out_of_file_descriptors_pauses_accepting_instead_of_spinning() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    if std::env::var_os(FD_CHILD).is_some() {
        return fd_child();
    }
    let exe = std::env::current_exe().unwrap();
    // A low limit on open files, so the child runs out quickly.
    let mut child = Command::new("sh")
        .args(["-c", "ulimit -n 64 && exec \"$0\" \"$@\""])
        .arg(exe)
        .args([
            "--exact",
            "running_out_of_file_descriptors_pauses_accepting_instead_of_spinning",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(FD_CHILD, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut to_child = child.stdin.take().unwrap();
    let mut from_child = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = |prefix: &str| -> u64 {
        loop {
            // The child's harness may have begun the line (`test … ... `).
            let line = from_child.next().expect("the child ends early").unwrap();
            if let Some((_, n)) = line.split_once(prefix) {
                return n.trim().parse().unwrap();
            }
        }
    };
    let port = next("port ");
    let files = next("exhausted after ");
    assert!(files > 0 && files < 64, "{files}");
    // The child cannot accept this connection until it frees a descriptor.
    let mut client = TcpStream::connect(("127.0.0.1", port as u16)).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    client
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    writeln!(to_child, "connected").unwrap();
    let ticks = next("ticks ");
    // A clock tick is 10 ms: a loop retrying the failed accept burns about
    // a second of CPU in that second.
    assert!(
        ticks < 20,
        "the accept loop spun: {ticks} ticks of CPU in 1 s"
    );
    // Once descriptors are free again, the waiting client is served.
    let mut answer = Vec::new();
    let _ = client.read_to_end(&mut answer);
    assert!(
        answer.starts_with(b"HTTP/1.1 200 OK"),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
    writeln!(to_child, "done").unwrap();
    assert!(child.wait().unwrap().success());
}
