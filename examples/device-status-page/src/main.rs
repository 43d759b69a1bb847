//! The device status page, simulated on a host: a thread plays the timer
//! interrupt, and the page is served over TCP on 127.0.0.1 exactly as the
//! firmware renders it (only the socket is std; the metrics path is
//! `otel-prom-core` alone).
//!
//! `device-status-page --once [--accept HEADER]` prints one HTTP response
//! and exits; `device-status-page [--addr 127.0.0.1:9464]` serves.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use device_status_page::{Device, accept_header, http_response, response_capacity};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let device = Device::register().expect("the device's families fit its registry");

    if args.iter().any(|a| a == "--once") {
        for n in 0..25 {
            device
                .on_tick(n)
                .expect("the device's series fit its registry");
        }
        let accept = value("--accept");
        let mut buf = vec![0u8; response_capacity(accept.as_deref()) + 64];
        let response =
            http_response(accept.as_deref(), &mut buf).expect("buffer sized by response_capacity");
        std::io::stdout().write_all(response).expect("stdout");
        return;
    }

    std::thread::spawn(move || {
        let mut n = 0;
        loop {
            if let Err(e) = device.on_tick(n) {
                eprintln!("recording failed: {e}");
            }
            n += 1;
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    let addr = value("--addr").unwrap_or_else(|| "127.0.0.1:9464".into());
    let listener =
        TcpListener::bind(&addr).unwrap_or_else(|e| panic!("cannot listen on {addr}: {e}"));
    eprintln!("serving the device status page on http://{addr}/metrics");
    let mut buf = vec![0u8; 16 * 1024];
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        // The request head, up to its blank line: at most 8 KiB, within 5 s
        // in all. The firmware's server reads its `Accept` the same way.
        let mut reader =
            BufReader::new(Deadline::after(&stream, Duration::from_secs(5)).take(8192));
        let mut head = Vec::new();
        while reader.read_until(b'\n', &mut head).is_ok_and(|n| n > 2) {}
        match http_response(accept_header(&head), &mut buf) {
            Some(response) => {
                let _ = stream.write_all(response);
            }
            None => {
                let _ = stream
                    .write_all(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
            }
        }
        // Close gracefully: end our side, then drain what the client may
        // still send, so the kernel does not answer it with a reset that
        // could destroy the response in flight.
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let mut drain = Deadline::after(&stream, Duration::from_millis(200)).take(64 * 1024);
        let _ = std::io::copy(&mut drain, &mut std::io::sink());
    }
}

/// Reads a client with one deadline for the whole exchange, not one per
/// read: this server answers one connection at a time, and a client
/// trickling a byte now and then would otherwise hold it for good.
struct Deadline<'s> {
    stream: &'s TcpStream,
    until: Instant,
}

impl<'s> Deadline<'s> {
    fn after(stream: &'s TcpStream, time: Duration) -> Self {
        Deadline {
            stream,
            until: Instant::now() + time,
        }
    }
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        let mut stream = self.stream;
        stream.read(buf)
    }
}
