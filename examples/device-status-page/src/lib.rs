//! A small device's `/metrics` status page, `no_std` and heap-free: the
//! same code runs in the Cortex-M firmware (`examples/firmware`) and in the
//! host simulation (`src/main.rs`).
//!
//! The device records from its timer interrupt (uptime ticks, a simulated
//! sensor, the interrupt's latency) into a `static` registry; the main loop
//! renders the page into a fixed buffer sized with the exact-length
//! function, as an HTTP response negotiated from the `Accept` header.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use otel_prom_core::encode::NumberBuffer;
use otel_prom_core::error::{RecordError, RegisterError};
use otel_prom_core::registry::{
    CounterId, Family, GaugeF64Id, HistogramId, InfoId, Registry, kind,
};

use otel_prom_core::negotiate;

/// The device's registry: 4 families, 32 series, 64 value cells, one label
/// per family, 16 bytes of label values per series, 8 buckets, 96 bytes of
/// metadata per family.
pub type DeviceRegistry = Registry<4, 32, 64, 1, 16, 8, 96>;

/// A family of [`DeviceRegistry`]'s capacity.
pub type DeviceFamily<K> = Family<K, 1, 8, 96>;

/// The registry, in a `static`: no heap, no runtime initialisation.
pub static METRICS: DeviceRegistry = DeviceRegistry::new();

/// Latency histogram bounds, in seconds.
pub const LATENCY_BOUNDS: [f64; 6] = [0.000_01, 0.000_02, 0.000_05, 0.000_1, 0.000_2, 0.000_5];

// The families, with OpenTelemetry names and units translated (and checked)
// by the compiler: registering them copies them, and the firmware carries no
// translation code.
const UPTIME: DeviceFamily<kind::Counter> = Family::valid(Family::counter(
    "device.uptime",
    "Timer interrupts since boot.",
    "{tick}",
    &["source"],
));
const TEMPERATURE: DeviceFamily<kind::GaugeF64> = Family::valid(Family::gauge_f64(
    "device.temperature",
    "Simulated sensor.",
    "Cel",
    &["sensor"],
));
const LATENCY: DeviceFamily<kind::Histogram> = Family::valid(Family::histogram(
    "device.isr.latency",
    "Timer interrupt handling time.",
    "s",
    &["isr"],
    &LATENCY_BOUNDS,
));
const BUILD: DeviceFamily<kind::Info> = Family::valid(Family::info(
    "device.build",
    "Firmware build.",
    &["version"],
));
// Registering such a family copies it unchecked, so the compiler checks
// here that no two of them could write one name (a gauge
// `device_uptime_total` would repeat the counter's samples).
const _: () = assert!(
    UPTIME.apart_from(&TEMPERATURE)
        && UPTIME.apart_from(&LATENCY)
        && UPTIME.apart_from(&BUILD)
        && TEMPERATURE.apart_from(&LATENCY)
        && TEMPERATURE.apart_from(&BUILD)
        && LATENCY.apart_from(&BUILD),
    "two of the device's families could write one name"
);

/// The device's metric families: registered at boot, recorded by the timer
/// interrupt, rendered by the main loop.
///
/// ```
/// use device_status_page::{Device, http_response, response_capacity};
/// let device = Device::register().unwrap(); // at boot
/// device.on_tick(1).unwrap(); // in the timer interrupt
/// let mut buf = [0u8; 4096]; // in the main loop
/// assert!(response_capacity(None) <= buf.len());
/// let response = core::str::from_utf8(http_response(None, &mut buf).unwrap()).unwrap();
/// assert!(response.contains("\r\n\r\n# HELP device_uptime_total Timer interrupts since boot.\n"));
/// assert!(response.contains("device_temperature_celsius{sensor=\"board\"} "));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Device {
    ticks: CounterId,
    temperature: GaugeF64Id,
    latency: HistogramId,
    info: InfoId,
}

impl Device {
    /// Registers the families (once, at boot) and the build info series.
    ///
    /// ```
    /// let device = device_status_page::Device::register().unwrap();
    /// device.on_tick(1).unwrap();
    /// ```
    pub fn register() -> Result<Self, RegisterError> {
        let device = Device {
            ticks: METRICS.register(&UPTIME)?,
            temperature: METRICS.register(&TEMPERATURE)?,
            latency: METRICS.register(&LATENCY)?,
            info: METRICS.register(&BUILD)?,
        };
        METRICS
            .set_info(device.info, &[env!("CARGO_PKG_VERSION")])
            .map_err(|_| RegisterError::FamiliesFull)?;
        Ok(device)
    }

    /// What the timer interrupt records on tick `n`: lock-free, no heap.
    ///
    /// ```
    /// let device = device_status_page::Device::register().unwrap();
    /// device.on_tick(2).unwrap();
    /// ```
    pub fn on_tick(&self, n: u64) -> Result<(), RecordError> {
        METRICS.add(self.ticks, &["systick"], 1)?;
        // The simulation's phase from the tick's low 32 bits: a 64-bit
        // remainder would link Cortex-M's ~900 B software division.
        let phase = n as u32;
        // A sensor that drifts between 20 and 30 °C.
        let t = 20.0 + (phase % 40) as f64 * 0.25;
        METRICS.gauge_f64(self.temperature, &["board"])?.set(t);
        // A handling time that varies between 5 and 300 µs.
        let latency = 0.000_005 + (phase % 60) as f64 * 0.000_005;
        METRICS.observe(self.latency, &["systick"], latency)
    }

    /// Timer ticks recorded so far.
    ///
    /// ```
    /// let device = device_status_page::Device::register().unwrap();
    /// let before = device.uptime_ticks();
    /// device.on_tick(0).unwrap();
    /// assert_eq!(device.uptime_ticks(), before + 1);
    /// ```
    pub fn uptime_ticks(&self) -> u64 {
        METRICS
            .counter(self.ticks, &["systick"])
            .map_or(0, |c| c.get())
    }

    /// The latency histogram family.
    ///
    /// ```
    /// let device = device_status_page::Device::register().unwrap();
    /// let _ = device.latency();
    /// ```
    pub fn latency(&self) -> HistogramId {
        self.latency
    }

    /// The info family.
    ///
    /// ```
    /// let device = device_status_page::Device::register().unwrap();
    /// let _ = device.info();
    /// ```
    pub fn info(&self) -> InfoId {
        self.info
    }
}

/// Room kept for the status line and headers ahead of the page.
const HEAD_ROOM: usize = 192;

/// Renders the HTTP response for a request with this `Accept` header into
/// `buf` and returns it: status line, `Content-Type`, `Content-Length`,
/// `Vary: Accept` (the page depends on that header, so a cache between the
/// device and its scraper must not hand one format to a scraper that asked
/// for the other), then the page. `None` when `buf` is too small.
///
/// The page is rendered first, after room kept for the headers, and
/// measured, so `Content-Length` is exact even when the timer interrupt
/// records while the page is written. The headers are then written into the
/// end of that room, right before the page, which is never moved (moving
/// it would also link a `memmove`). Size `buf` with [`response_capacity`].
///
/// ```
/// let _ = device_status_page::Device::register().unwrap();
/// let mut buf = [0u8; 4096];
/// let response = device_status_page::http_response(None, &mut buf).unwrap();
/// assert!(response.starts_with(b"HTTP/1.1 200 OK\r\n"));
/// assert!(response.ends_with(b"\n"));
/// ```
pub fn http_response<'b>(accept: Option<&str>, buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let answer = negotiate(accept);
    let written = METRICS
        .render(buf.get_mut(HEAD_ROOM..)?, answer.format, answer.escaping)
        .ok()?;
    let mut digits = NumberBuffer::new();
    let head: [&[u8]; 5] = [
        b"HTTP/1.1 200 OK\r\nContent-Type: ",
        answer.content_type().as_bytes(),
        b"\r\nContent-Length: ",
        digits.format_u64(written as u64).as_bytes(),
        b"\r\nVary: Accept\r\nConnection: close\r\n\r\n",
    ];
    let start = HEAD_ROOM.checked_sub(head.iter().map(|part| part.len()).sum())?;
    let mut at = start;
    for part in head {
        buf[at..at + part.len()].copy_from_slice(part);
        at += part.len();
    }
    buf.get(start..HEAD_ROOM + written)
}

/// The buffer size [`http_response`] needs for the page as it is now.
///
/// ```
/// let _ = device_status_page::Device::register().unwrap();
/// assert!(device_status_page::response_capacity(None) > 192);
/// ```
pub fn response_capacity(accept: Option<&str>) -> usize {
    let answer = negotiate(accept);
    HEAD_ROOM + METRICS.encoded_len(answer.format, answer.escaping)
}

/// The value of the `Accept` header in an HTTP request head (the bytes up
/// to the blank line; a head cut short still yields the headers before the
/// cut), trimmed; `None` without one, or when it is not UTF-8. Header names
/// are matched without regard to case, as HTTP asks.
///
/// ```
/// use device_status_page::accept_header;
/// let head = b"GET /metrics HTTP/1.1\r\nHost: device\r\nACCEPT:  text/plain \r\n\r\n";
/// assert_eq!(accept_header(head), Some("text/plain"));
/// assert_eq!(accept_header(b"GET / HTTP/1.1\r\n\r\nAccept: in the body"), None);
/// ```
pub fn accept_header(head: &[u8]) -> Option<&str> {
    let mut lines = head.split(|b| *b == b'\n');
    lines.next(); // the request line
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return None; // the end of the head
        }
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = line.split_at(colon);
        if name.eq_ignore_ascii_case(b"accept") {
            return core::str::from_utf8(&value[1..]).ok().map(str::trim);
        }
    }
    None
}
