//! Fills a few metrics through the core API, the way a device or a worker
//! would, and prints one Prometheus text 0.0.4 scrape and one OpenMetrics
//! scrape, each negotiated from a real `Accept` header and rendered into a
//! fixed buffer sized with the exact-length sink.

use embedded_io::Write;
use otel_prom_core::encode::encoded_len;
use otel_prom_core::translate::{InstrumentKind, label_name, metric_name};
use otel_prom_core::{
    Bounds, EncodeError, Encoder, Exemplar, Histogram, LabelName, Metadata, MetricName, Number,
    Strategy, Timestamp, negotiate,
};

const PROMETHEUS_2_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// The demo's data: what a small HTTP service would have recorded.
fn write_metrics<W: Write>(enc: &mut Encoder<W>) -> Result<(), EncodeError<W::Error>> {
    let strategy = Strategy::default();
    let mut buf = [[0u8; 96]; 4];
    let [b0, b1, b2, b3] = &mut buf;

    // OpenTelemetry names and units, translated once.
    let requests = metric_name(
        "http.server.requests",
        "{request}",
        InstrumentKind::Counter,
        strategy,
        b0,
    )
    .unwrap();
    let duration = metric_name(
        "http.server.request.duration",
        "s",
        InstrumentKind::Histogram,
        strategy,
        b1,
    )
    .unwrap();
    let memory = metric_name(
        "process.memory.usage",
        "By",
        InstrumentKind::Gauge,
        strategy,
        b2,
    )
    .unwrap();
    let route = label_name("http.route", strategy, b3).unwrap();
    let code = LabelName::new("status_code").unwrap();
    let started = Some(Timestamp::new(1_700_000_000, 0));

    let trace = LabelName::new("trace_id").unwrap();
    let exemplar = Exemplar {
        labels: [(trace, "4bf92f3577b34da6a3ce929d0e0e4736")],
        value: Number::F64(0.043),
        timestamp: Some(Timestamp::new(1_700_000_042, 250_000_000)),
    };

    enc.counter(&requests.metadata("HTTP requests served."))?
        .sample_with(
            &[(route, "/"), (code, "200")],
            Number::U64(1027),
            started,
            None::<&Exemplar<()>>,
        )?
        .sample_with(
            &[(route, "/checkout"), (code, "500")],
            Number::U64(3),
            started,
            None::<&Exemplar<()>>,
        )?;

    let bounds = Bounds::new(&[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0]).unwrap();
    let counts = [120, 340, 410, 98, 40, 12, 4, 2, 1];
    let hist = Histogram::new(bounds, &counts, Number::F64(19.73)).unwrap();
    enc.histogram(&duration.metadata("HTTP request latency."))?
        .sample_with(
            &[(route, "/")],
            &hist,
            started,
            core::slice::from_ref(&exemplar),
        )?;

    enc.gauge(&memory.metadata("Resident memory."))?
        .sample(&(), Number::U64(48_234_496))?;

    let service = LabelName::new("service_name").unwrap();
    enc.info(&Metadata::new(
        MetricName::new("target").unwrap(),
        "Target metadata.",
    ))?
    .sample(&[(service, "demo")])?;
    Ok(())
}

fn scrape(accept: Option<&str>) {
    let n = negotiate(accept);
    // First pass: the exact length, so the buffer below is known to fit.
    let len = encoded_len(n.format, n.escaping, write_metrics);

    let mut page = [0u8; 4096];
    assert!(len <= page.len(), "demo page outgrew its buffer");
    let mut sink = &mut page[..];
    let mut enc = Encoder::new(&mut sink, n.format, n.escaping);
    write_metrics(&mut enc).expect("sized by the counting pass");
    enc.finish().expect("sized by the counting pass");

    println!("Accept: {}", accept.unwrap_or("(none)"));
    println!("Content-Type: {}", n.content_type());
    println!("Content-Length: {}\n", len);
    println!("{}", String::from_utf8_lossy(&page[..len]));
}

fn main() {
    scrape(None);
    scrape(Some(PROMETHEUS_2_ACCEPT));
}
