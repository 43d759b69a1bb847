//! The device status page, simulated on a host: a thread plays the timer
//! interrupt, and the page is served over TCP on 127.0.0.1 exactly as the
//! firmware renders it (only the socket is std; the metrics path is
//! `otel-prom-core` alone).
//!
//! `device-status-page --once [--accept HEADER]` prints one HTTP response
//! and exits; `device-status-page [--addr 127.0.0.1:9464]` serves.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

use device_status_page::{Device, http_response, response_capacity};

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
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut accept = None;
        let mut reader = BufReader::new(&mut stream);
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 2) && line.len() < 8192 {
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("accept")
            {
                accept = Some(v.trim().to_string());
            }
            line.clear();
        }
        match http_response(accept.as_deref(), &mut buf) {
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
        let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
        let mut drain = [0u8; 512];
        while matches!(std::io::Read::read(&mut stream, &mut drain), Ok(n) if n > 0) {}
    }
}
