//! The device status page on a Cortex-M, under QEMU.
//!
//! A `static` registry from `otel-prom-core` is recorded into by the SysTick
//! interrupt (uptime counter, simulated sensor gauge, latency histogram)
//! while the main loop renders `/metrics` into a fixed stack buffer, as the
//! HTTP response a device's server would send for a given `Accept` header.
//! The program checks its own output, prints the page, the stack's
//! high-water mark and a `N passed, N failed` line through semihosting, and
//! exits with the result.
#![no_std]
#![no_main]

mod halt;
mod stack;

use core::cell::Cell;

use cortex_m::interrupt::{self, Mutex};
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception};
#[cfg(feature = "metrics")]
use cortex_m_semihosting::hio;
use cortex_m_semihosting::{debug, hprintln};
use halt::fail;

/// Ticks the main loop waits for before rendering.
const TICKS: u64 = 20;

static TICK: Mutex<Cell<u64>> = Mutex::new(Cell::new(0));

#[cfg(feature = "metrics")]
static DEVICE: Mutex<Cell<Option<device_status_page::Device>>> = Mutex::new(Cell::new(None));

/// Counts checks and reports them the way test runners do.
struct Checks {
    passed: u32,
    failed: u32,
}

impl Checks {
    fn check(&mut self, ok: bool, what: &str) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
            hprintln!("FAILED: {}", what);
        }
    }
}

#[entry]
fn main() -> ! {
    stack::paint();
    let mut core = cortex_m::Peripherals::take().unwrap_or_else(|| fail("peripherals taken twice"));
    let mut checks = Checks {
        passed: 0,
        failed: 0,
    };

    #[cfg(feature = "metrics")]
    let device = match device_status_page::Device::register() {
        Ok(d) => {
            interrupt::free(|cs| DEVICE.borrow(cs).set(Some(d)));
            d
        }
        Err(_) => fail("registration failed"),
    };

    // 1 kHz at QEMU's 12 MHz system clock (the exact rate does not matter).
    core.SYST.set_clock_source(SystClkSource::Core);
    core.SYST.set_reload(12_000 - 1);
    core.SYST.clear_current();
    core.SYST.enable_counter();
    core.SYST.enable_interrupt();

    while interrupt::free(|cs| TICK.borrow(cs).get()) < TICKS {
        cortex_m::asm::wfi();
    }

    #[cfg(feature = "metrics")]
    run_page_checks(&device, &mut checks);
    #[cfg(not(feature = "metrics"))]
    checks.check(true, "ticks arrived");

    // Everything the page needs (rendering, negotiation, the interrupt's
    // recording) has run by now: the deepest stack it reached.
    let used = stack::high_water();
    hprintln!("stack high-water mark: {} B of {} B", used, stack::size());
    checks.check(used < stack::size(), "stack high-water mark measured");

    hprintln!("{} passed, {} failed", checks.passed, checks.failed);
    debug::exit(if checks.failed == 0 {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        cortex_m::asm::wfi();
    }
}

#[cfg(feature = "metrics")]
fn run_page_checks(device: &device_status_page::Device, checks: &mut Checks) {
    use device_status_page::{METRICS, http_response, response_capacity};
    use otel_prom_core::error::RecordError;
    use otel_prom_core::negotiate;

    const OPENMETRICS: &str = "application/openmetrics-text;version=1.0.0;q=0.9,text/plain;q=0.5";
    let mut buf = [0u8; 3072];

    checks.check(
        device.uptime_ticks() >= TICKS,
        "the interrupt recorded every tick",
    );
    for accept in [
        None,
        Some(OPENMETRICS),
        Some("text/plain;version=1.0.0;escaping=allow-utf-8"),
    ] {
        // Sized with the exact-length function (plus head room for headers
        // and for digits that grow while the interrupt keeps recording).
        checks.check(
            response_capacity(accept) + 64 <= buf.len(),
            "page fits its buffer",
        );
        let Some(response) = http_response(accept, &mut buf) else {
            checks.check(false, "response rendered");
            continue;
        };
        let Some(split) = find(response, b"\r\n\r\n") else {
            checks.check(false, "headers end");
            continue;
        };
        let (head, body) = (&response[..split], &response[split + 4..]);
        checks.check(head.starts_with(b"HTTP/1.1 200 OK\r\n"), "status line");
        let content_type = negotiate(accept).content_type().as_bytes();
        checks.check(
            find(head, content_type).is_some(),
            "negotiated Content-Type",
        );
        checks.check(
            find(head, b"\r\nVary: Accept\r\n").is_some(),
            "Vary: Accept",
        );
        checks.check(
            header_number(head, b"Content-Length: ") == Some(body.len() as u64),
            "exact Content-Length",
        );
        let om = accept == Some(OPENMETRICS);
        checks.check(
            !om || body.ends_with(b"# EOF\n"),
            "OpenMetrics ends with # EOF",
        );
        checks.check(
            histogram_consistent(body),
            "_count equals +Inf, buckets cumulative",
        );
        if accept.is_none() {
            let _ = hio::hstdout().map(|mut out| out.write_all(body));
        }
    }
    // Bad input is a typed error, never a panic, and changes nothing. The
    // interrupt is held off meanwhile, so the page must stay identical.
    interrupt::free(|_| {
        let text = |m: &device_status_page::DeviceRegistry| {
            m.encoded_len(
                otel_prom_core::Format::Text004,
                otel_prom_core::Escaping::Underscores,
            )
        };
        let before = (text(&METRICS), device.uptime_ticks());
        checks.check(
            METRICS.observe(device.latency(), &["systick"], f64::NAN)
                == Err(RecordError::NotFinite),
            "NaN observation rejected",
        );
        checks.check(
            METRICS.observe(device.latency(), &[], 0.1)
                == Err(RecordError::LabelCount {
                    expected: 1,
                    got: 0,
                }),
            "wrong label count rejected",
        );
        checks.check(
            METRICS.observe(device.latency(), &["a label value far too long"], 0.1)
                == Err(RecordError::ValueTooLong),
            "too-long label value rejected",
        );
        checks.check(
            (text(&METRICS), device.uptime_ticks()) == before,
            "earlier data intact",
        );
    });
}

/// Checks the latency histogram in a page: cumulative buckets never
/// decrease and `_count` equals the `+Inf` bucket.
#[cfg(feature = "metrics")]
fn histogram_consistent(body: &[u8]) -> bool {
    let mut last = 0;
    let mut inf = None;
    let mut count = None;
    for line in body.split(|b| *b == b'\n') {
        let Some(value) = line.rsplit(|b| *b == b' ').next().and_then(parse_u64) else {
            continue;
        };
        if line.starts_with(b"device_isr_latency_seconds_bucket") {
            if value < last {
                return false;
            }
            last = value;
            if find(line, b"le=\"+Inf\"").is_some() {
                inf = Some(value);
            }
        } else if line.starts_with(b"device_isr_latency_seconds_count") {
            count = Some(value);
        }
    }
    inf.is_some() && inf == count
}

#[cfg(feature = "metrics")]
fn header_number(head: &[u8], name: &[u8]) -> Option<u64> {
    let at = find(head, name)? + name.len();
    let end = head[at..]
        .iter()
        .position(|b| *b == b'\r')
        .map_or(head.len(), |p| at + p);
    parse_u64(&head[at..end])
}

#[cfg(feature = "metrics")]
fn parse_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0u64, |n, d| n * 10 + (d - b'0') as u64))
}

#[cfg(feature = "metrics")]
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[exception]
fn SysTick() {
    let n = interrupt::free(|cs| {
        let tick = TICK.borrow(cs);
        tick.set(tick.get() + 1);
        tick.get()
    });
    #[cfg(feature = "metrics")]
    if let Some(device) = interrupt::free(|cs| DEVICE.borrow(cs).get()) {
        // Recording never fails here: the series fit the registry.
        let _ = device.on_tick(n);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = n;
}
