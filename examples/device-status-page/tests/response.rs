//! The HTTP response the page builds, for every answer negotiation can give.

use device_status_page::{Device, http_response, response_capacity};
use otel_prom_core::negotiate;

/// Every format and every escaping scheme at least once, with the longest
/// content type (OpenMetrics with `escaping=allow-utf-8`) among them.
const ACCEPTS: [Option<&str>; 7] = [
    None,
    Some("text/plain"),
    Some("text/plain;version=1.0.0;escaping=allow-utf-8"),
    Some("text/plain;version=0.0.4;escaping=values"),
    Some("application/openmetrics-text;version=1.0.0"),
    Some("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8"),
    Some("application/openmetrics-text;version=1.0.0;escaping=dots"),
];

#[test]
fn every_answer_has_its_headers_and_an_exact_length() {
    let device = Device::register().unwrap();
    for tick in 0..3 {
        device.on_tick(tick).unwrap();
    }
    let mut buf = [0u8; 4096];
    for accept in ACCEPTS {
        assert!(response_capacity(accept) <= buf.len());
        let response = http_response(accept, &mut buf).expect("headers fit their room");
        let text = core::str::from_utf8(response).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let content_type = negotiate(accept).content_type();
        assert!(
            head.contains(&format!("\r\nContent-Type: {content_type}\r\n")),
            "{head}"
        );
        assert!(
            head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())),
            "{head}"
        );
        // The body depends on `Accept`: caches must key on it.
        assert!(head.contains("\r\nVary: Accept\r\n"), "{head}");
        // (`escaping=dots` writes `device__uptime_total` where otel-prom-core
        // has `utf8-names`, as in the workspace, and `_` without it.)
        assert!(
            body.contains("uptime_total{source=\"systick\"} 3\n"),
            "{accept:?}: {body}"
        );
    }
}

#[test]
fn the_accept_header_is_found_by_name_alone() {
    use device_status_page::accept_header;
    let om = "application/openmetrics-text;version=1.0.0";
    let cases: [(&[u8], Option<&str>); 8] = [
        (b"GET /metrics HTTP/1.1\r\nHost: d\r\n\r\n", None),
        (
            b"GET /metrics HTTP/1.1\r\naccept-encoding: gzip\r\nAccept: text/plain\r\n\r\n",
            Some("text/plain"),
        ),
        (
            b"GET /metrics HTTP/1.1\r\naCcEpT:application/openmetrics-text;version=1.0.0\r\n\r\n",
            Some(om),
        ),
        // Bare line feeds end lines too.
        (b"GET / HTTP/1.1\nAccept: */*\n\n", Some("*/*")),
        // A head cut short keeps the headers before the cut.
        (
            b"GET / HTTP/1.1\r\nAccept: text/plain\r\nX-Lo",
            Some("text/plain"),
        ),
        // Past the blank line is the body, not a header.
        (b"POST / HTTP/1.1\r\n\r\nAccept: text/plain\r\n", None),
        // The request line is never a header.
        (b"Accept: text/plain\r\n\r\n", None),
        (b"GET / HTTP/1.1\r\nAccept: \xff\xfe\r\n\r\n", None),
    ];
    for (head, want) in cases {
        assert_eq!(
            accept_header(head),
            want,
            "{:?}",
            String::from_utf8_lossy(head)
        );
    }
}
