//! The `wasm-bindgen` surface: JS values in, [`crate::metrics`] calls,
//! JS `Error`s out. Every argument arrives as a `JsValue` because the
//! generated glue would otherwise coerce (`"1"` → 1, `undefined` → NaN)
//! instead of refusing. Numbers are checked here; options and labels are
//! checked by `js/args.js` on the JS side, which hands over one string per
//! definition, and writes a recording's label values straight into a wasm
//! buffer, instead of a crossing per property.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::OnceCell;
use js_sys::JsString;
use wasm_bindgen::prelude::*;

use otel_prom_core::error::RecordError;

use crate::error::{Error, ErrorKind};
use crate::metrics::{Instrument, InstrumentKind, LABELS, Metrics, Series, VALUE_BYTES};

#[wasm_bindgen(module = "/js/args.js")]
extern "C" {
    /// `\0name\0help\0unit\0label…`, or the `Error` for a bad argument.
    #[wasm_bindgen(catch)]
    fn definition(name: &JsValue, options: &JsValue, histogram: bool) -> Result<String, JsValue>;
    /// The bounds the last `definition` read and checked (never the
    /// options again: a getter may answer differently the second time).
    #[wasm_bindgen(js_name = takeBounds)]
    fn take_bounds() -> Option<Vec<f64>>;
    /// `[name, ...labelNames]` from a definition's text, holding `memory`
    /// (this module's), which `labelValues` writes its label values into.
    #[wasm_bindgen(js_name = metricLabels)]
    fn metric_labels(definition: &str, memory: &JsValue) -> JsValue;
    /// The label names of a `metricLabels` array, as a new array.
    #[wasm_bindgen(js_name = labelNames)]
    fn label_names_of(metric: &JsValue) -> JsValue;
    /// The metric name of a `metricLabels` array.
    #[wasm_bindgen(js_name = metricName)]
    fn metric_name_of(metric: &JsValue) -> JsValue;
    /// Writes `\0value…` in label-name order as UTF-8 into the `len`
    /// bytes at `out` (an address in the memory `metricLabels` was given,
    /// not a slice: the glue would make a new view of memory per call) and
    /// returns its length; -1: it did not fit; -2: bad labels, whose
    /// `Error` `takeError` gives. (It throws nothing: see `js/args.js`.)
    #[wasm_bindgen(js_name = labelValues)]
    fn label_values(metric: &JsValue, labels: &JsValue, out: *mut u8, len: usize) -> i32;
    /// The `Error` the last `labelValues` that returned -2 left.
    #[wasm_bindgen(js_name = takeError)]
    fn take_error() -> JsValue;
    /// The value if it is a finite number, else NaN.
    #[wasm_bindgen(js_name = finiteNumber)]
    fn finite_number(value: &JsValue) -> f64;
    /// The `Error` for a value that is not a number.
    #[wasm_bindgen(js_name = valueError)]
    fn value_error(metric: &str, value: &JsValue) -> JsValue;
    /// The header's text (`None` for null or undefined), or the `Error`.
    #[wasm_bindgen(catch, js_name = acceptHeader)]
    fn accept_header(accept: &JsValue) -> Result<Option<String>, JsValue>;
    /// `{ contentType, body }`.
    #[wasm_bindgen(js_name = scrapeResult)]
    fn scrape_result(content_type: &str, body: &JsString) -> JsValue;
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Label values: an object keyed by label name, or an array in label-name
 * order. Numbers and booleans are written as JS prints them. */
export type Labels = Record<string, string | number | boolean> | Array<string | number | boolean>;

/** Options shared by every instrument. */
export interface InstrumentOptions {
  /** `# HELP` text. */
  help?: string;
  /** OpenTelemetry unit (UCUM), e.g. `"s"`, `"By"`, `"{request}"`. */
  unit?: string;
  /** Label names; every recording gives a value for each. */
  labelNames?: string[];
}

/** Options of a histogram. */
export interface HistogramOptions extends InstrumentOptions {
  /** Finite, increasing bucket bounds (at most 31); OpenTelemetry's
   * defaults when absent. */
  bounds?: number[];
}

/** A scrape answered for an `Accept` header. */
export interface ScrapeResult {
  /** The `Content-Type` header to answer with. */
  contentType: string;
  /** The exposition text. */
  body: string;
}
"#;

fn js_error(e: Error) -> JsValue {
    JsError::new(&e.message()).into()
}

/// The fields of a `\0`-prefixed text from `js/args.js` (`"\0a\0b"` → `a`,
/// `b`; `""` → none), split by byte: `str::split`'s pattern machinery
/// would cost the `.wasm` more than this whole type.
struct Fields<'a>(&'a str);

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        // Every boundary is at a `\0` byte, so `get` never fails on a
        // char boundary; it is used to keep panic paths out.
        let rest = self.0.get(1..)?;
        let end = rest.bytes().position(|b| b == 0).unwrap_or(rest.len());
        let (field, rest) = rest.split_at_checked(end)?;
        self.0 = rest;
        Some(field)
    }
}

/// Room for the label text of any recording the registry can take (its
/// values and their separators), and for an array of up to 255 values,
/// whose count a label-count error reports (a `u8`, saturating).
const LABEL_TEXT: usize = VALUE_BYTES + u8::MAX as usize;

/// The label text of a recording, encoded by `js/args.js` straight into
/// `buf`: returning it as a string made a labelled recording 9–22 % slower
/// (a wasm allocation, a copy and a free per call).
fn label_text<'a>(
    inst: &Instrument,
    metric: &JsValue,
    labels: &JsValue,
    buf: &'a mut [u8; LABEL_TEXT],
) -> Result<&'a str, JsValue> {
    let len = label_values(metric, labels, buf.as_mut_ptr(), buf.len());
    if len == -2 {
        return Err(take_error());
    }
    let too_long = || {
        js_error(Error::new(
            inst.name(),
            ErrorKind::Record(RecordError::ValueTooLong),
        ))
    };
    let bytes = usize::try_from(len)
        .ok()
        .and_then(|n| buf.get(..n))
        .ok_or_else(too_long)?;
    // `js/args.js` writes only UTF-8 (ASCII units as bytes, the rest
    // through `TextEncoder`); the check keeps that an invariant of this
    // code, not of its caller.
    core::str::from_utf8(bytes).map_err(|_| too_long())
}

/// Label values as the registry takes them. More fields than a family can
/// have (an array that is too long) is a label-count error.
fn value_refs<'a>(
    inst: &Instrument,
    text: &'a str,
) -> Result<heapless::Vec<&'a str, LABELS>, Error> {
    let mut out = heapless::Vec::new();
    for field in Fields(text) {
        if out.push(field).is_err() {
            return Err(label_count(inst, Fields(text).count()));
        }
    }
    Ok(out)
}

fn label_count(inst: &Instrument, got: usize) -> Error {
    let saturate = |n: usize| u8::try_from(n).unwrap_or(u8::MAX);
    let kind = ErrorKind::Record(RecordError::LabelCount {
        expected: saturate(inst.label_names().len()),
        got: saturate(got),
    });
    Error::new(inst.name(), kind)
}

fn number_arg(inst: &Instrument, v: &JsValue) -> Result<f64, JsValue> {
    // Fast path: one call that hands back a finite number as it is. NaN
    // stands for everything else; only then is the value looked at again
    // (a number goes on to `check`, which names NaN and the infinities).
    let n = finite_number(v);
    if !n.is_nan() {
        return Ok(n);
    }
    v.as_f64().ok_or_else(|| value_error(inst.name(), v))
}

/// What every instrument class holds.
struct InstrumentState {
    inner: Instrument,
    /// `[name, ...labelNames]` as JS strings, made once: what
    /// `js/args.js` reads labels and names errors with.
    metric: JsValue,
    /// The series of recordings without labels, resolved by the first:
    /// the later ones skip the label lookup (0.75-0.80x the time).
    unlabelled: OnceCell<Series>,
}

impl InstrumentState {
    fn new(inner: Instrument, metric: JsValue) -> Self {
        InstrumentState {
            inner,
            metric,
            unlabelled: OnceCell::new(),
        }
    }

    /// A recording with labels as JS gave them (`undefined`: the call had
    /// none). A plain `JsValue`, not an `Option`: the glue then hands the
    /// object to wasm as it is, instead of first placing it in the
    /// externref table from JS.
    fn record(&self, value: f64, labels: JsValue) -> Result<(), JsValue> {
        let inst = &self.inner;
        // The value is checked before labels are read: a bad number costs
        // no string conversions.
        inst.check(value).map_err(js_error)?;
        if labels.is_undefined() {
            return self.unlabelled()?.record_checked(value).map_err(js_error);
        }
        let mut buf = [0; LABEL_TEXT];
        let text = label_text(inst, &self.metric, &labels, &mut buf)?;
        let values = value_refs(inst, text).map_err(js_error)?;
        inst.record_checked(value, &values).map_err(js_error)
    }

    /// Not cached while it fails (a family with labels refuses none).
    fn unlabelled(&self) -> Result<&Series, JsValue> {
        if let Some(series) = self.unlabelled.get() {
            return Ok(series);
        }
        let series = self.inner.series(&[]).map_err(js_error)?;
        Ok(self.unlabelled.get_or_init(|| series))
    }

    /// The series of a bound object: its label values checked, its series
    /// created and resolved once.
    fn bind(&self, labels: Option<&JsValue>) -> Result<Series, JsValue> {
        let inst = &self.inner;
        let mut buf = [0; LABEL_TEXT];
        let text = match labels {
            Some(labels) => label_text(inst, &self.metric, labels, &mut buf)?,
            None => "",
        };
        let refs = value_refs(inst, text).map_err(js_error)?;
        inst.series(&refs).map_err(js_error)
    }
}

/// A registry of metrics with fixed capacity (64 families, 2048 series,
/// 16384 value cells, 8 labels per family, 128 bytes of label values per
/// series, 31 histogram bounds). Its memory is taken once, when it is
/// created; `free()` returns it once no instrument uses it.
///
/// ```js
/// const metrics = new Registry();
/// const jobs = metrics.counter("jobs.done", { labelNames: ["queue"] });
/// jobs.add(3, { queue: "mail" });
/// metrics.scrape(); // '# TYPE jobs_done_total counter\njobs_done_total{queue="mail"} 3\n'
/// ```
#[wasm_bindgen(js_name = Registry)]
pub struct JsRegistry {
    metrics: Metrics,
}

impl Default for JsRegistry {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen(js_class = Registry)]
impl JsRegistry {
    /// An empty registry.
    ///
    /// ```js
    /// const metrics = new Registry();
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsRegistry {
        JsRegistry {
            metrics: Metrics::new(),
        }
    }

    /// A monotonic counter, exported as `<name>_total` (OpenTelemetry name
    /// translation: `http.requests` → `http_requests_total`). Creating the
    /// same counter again returns an instrument for the same family.
    ///
    /// ```js
    /// const requests = metrics.counter("http.requests", {
    ///   help: "Requests answered.", unit: "{request}", labelNames: ["route", "status"],
    /// });
    /// ```
    pub fn counter(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InstrumentOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<Counter, JsValue> {
        self.create(&name, options, InstrumentKind::Counter)
            .map(|state| Counter { state })
    }

    /// An up-down counter: an integer that goes up and down (a gauge in
    /// Prometheus).
    ///
    /// ```js
    /// const active = metrics.upDownCounter("http.active_requests", { labelNames: ["route"] });
    /// active.add(1, { route: "/" }); // a request starts
    /// active.add(-1, { route: "/" }); // it ends
    /// ```
    #[wasm_bindgen(js_name = upDownCounter)]
    pub fn up_down_counter(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InstrumentOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<UpDownCounter, JsValue> {
        self.create(&name, options, InstrumentKind::UpDownCounter)
            .map(|state| UpDownCounter { state })
    }

    /// A gauge: a float that is set.
    ///
    /// ```js
    /// const fill = metrics.gauge("queue.fill", { unit: "1", labelNames: ["queue"] });
    /// fill.set(0.75, { queue: "mail" });
    /// ```
    pub fn gauge(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InstrumentOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<Gauge, JsValue> {
        self.create(&name, options, InstrumentKind::Gauge)
            .map(|state| Gauge { state })
    }

    /// A histogram with explicit bucket bounds.
    ///
    /// ```js
    /// const latency = metrics.histogram("http.duration", {
    ///   unit: "s", labelNames: ["route"], bounds: [0.01, 0.1, 1],
    /// });
    /// latency.record(0.042, { route: "/" });
    /// ```
    pub fn histogram(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "HistogramOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<Histogram, JsValue> {
        self.create(&name, options, InstrumentKind::Histogram)
            .map(|state| Histogram { state })
    }

    /// Every metric as Prometheus text format 0.0.4.
    ///
    /// ```js
    /// console.log(metrics.scrape());
    /// ```
    //
    // Never `Err`: a `Result` makes wasm-bindgen return several values,
    // and V8 then keeps the call out of line. Inlined into an optimized
    // caller, a call that returns one reference cannot be deoptimized
    // while it runs in the V8 of node 20 and 22 (11.3, 12.4: the process
    // aborts), and this call runs JS (the text's decoding), which may
    // deoptimize its caller. No export returns one reference for that
    // reason; `wasm/tests/deopt.test.mjs` provokes the deoptimization.
    pub fn scrape(&self) -> Result<JsString, JsValue> {
        Ok(self.page(None).1)
    }

    /// A scrape negotiated from an HTTP `Accept` header (absent or garbage:
    /// Prometheus text 0.0.4): `{ contentType, body }`, ready for a
    /// `Response`.
    ///
    /// ```js
    /// const { contentType, body } = metrics.scrapeFor(request.headers.get("accept"));
    /// return new Response(body, { headers: { "content-type": contentType } });
    /// ```
    #[wasm_bindgen(js_name = scrapeFor, unchecked_return_type = "ScrapeResult")]
    pub fn scrape_for(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] accept: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let accept = accept_header(&accept.unwrap_or_default())?;
        let (content_type, body) = self.page(accept.as_deref());
        Ok(scrape_result(content_type, &body))
    }

    /// Series created so far, over all families.
    ///
    /// ```js
    /// if (metrics.seriesCount > 1800) console.warn("metrics: near capacity");
    /// ```
    #[wasm_bindgen(getter, js_name = seriesCount)]
    pub fn series_count(&self) -> usize {
        self.metrics.series_len()
    }
}

impl JsRegistry {
    /// A scrape and its `Content-Type`: one instance of the render for
    /// both `scrape` and `scrapeFor`.
    fn page(&self, accept: Option<&str>) -> (&'static str, JsString) {
        self.metrics.scrape(accept, |content_type, body| {
            (content_type, JsString::from(body))
        })
    }

    /// Reads the name and options and creates the instrument of `kind`:
    /// what its JS class holds. Not generic over the class: one instance
    /// of this code, not two (650 B of .wasm).
    fn create(
        &self,
        name: &JsValue,
        options: Option<JsValue>,
        kind: InstrumentKind,
    ) -> Result<InstrumentState, JsValue> {
        let options = options.unwrap_or_default();
        let histogram = kind == InstrumentKind::Histogram;
        let text = definition(name, &options, histogram)?;
        let mut fields = Fields(&text);
        let mut next = || fields.next().unwrap_or_default();
        let (name, help, unit) = (next(), next(), next());
        // One more than a family can have is enough for the registry to
        // refuse too many; the rest need not be kept.
        let mut labels = heapless::Vec::<&str, { LABELS + 1 }>::new();
        for label in fields {
            if labels.push(label).is_err() {
                break;
            }
        }
        let bounds = if histogram { take_bounds() } else { None };
        let inner = self
            .metrics
            .define(kind, name, help, unit, &labels, bounds.as_deref())
            .map_err(js_error)?;
        let metric = metric_labels(&text, &wasm_bindgen::memory());
        Ok(InstrumentState::new(inner, metric))
    }
}

// Docs reach the `.d.ts` as plain string literals: wasm-bindgen copies a
// doc comment passed through a `meta` fragment, or a raw string, as its
// token (`r" …"`), and leaves out `concat!` ones. Each class's examples
// use the instrument its `Registry` example creates (`requests`, `active`,
// `fill`, `latency`); `wasm/tests/doc_examples.test.mjs` runs them all and
// checks every `expr; // value` they state.
macro_rules! instrument_class {
    (
        $class_doc:literal,
        $class:ident,
        $bound:ident,
        $method:ident,
        $js_method:literal,
        $value_doc:literal,
        $bound_example:literal,
        $object_example:literal,
        $array_example:literal,
        labels: [$($labels_example:literal),+],
        name: $name_example:literal,
        label_names: $label_names_example:literal
    ) => {
        #[doc = $class_doc]
        #[wasm_bindgen]
        pub struct $class {
            state: InstrumentState,
        }

        /// One series of the metric, its labels looked up once (see
        /// `labels()`): the fast way to record the same series often.
        #[wasm_bindgen]
        pub struct $bound {
            series: Series,
        }

        #[wasm_bindgen]
        impl $bound {
            #[doc = $value_doc]
            ///
            /// ```js
            #[doc = $bound_example]
            /// ```
            #[wasm_bindgen(js_name = $js_method)]
            pub fn $method(
                &self,
                #[wasm_bindgen(unchecked_param_type = "number")] value: JsValue,
            ) -> Result<(), JsValue> {
                let value = number_arg(self.series.instrument(), &value)?;
                self.series.record(value).map_err(js_error)
            }
        }

        #[wasm_bindgen]
        impl $class {
            /// The series with these label values, created now (so it is
            /// scraped before its first recording); recording through it
            /// skips converting labels on every call.
            ///
            /// ```js
            $(#[doc = $labels_example])+
            /// ```
            pub fn labels(
                &self,
                #[wasm_bindgen(unchecked_optional_param_type = "Labels")] labels: Option<JsValue>,
            ) -> Result<$bound, JsValue> {
                let series = self.state.bind(labels.as_ref())?;
                Ok($bound { series })
            }

            #[doc = $value_doc]
            /// `labels`: an object keyed by label name or an array in
            /// label-name order; omit it when the metric has no labels.
            ///
            /// ```js
            #[doc = $object_example]
            #[doc = $array_example]
            /// ```
            #[wasm_bindgen(js_name = $js_method)]
            pub fn $method(
                &self,
                #[wasm_bindgen(unchecked_param_type = "number")] value: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "Labels")] labels: JsValue,
            ) -> Result<(), JsValue> {
                let value = number_arg(&self.state.inner, &value)?;
                self.state.record(value, labels)
            }

            /// The name the metric was created with.
            ///
            /// ```js
            #[doc = $name_example]
            /// ```
            // The JS string made at creation, as `labelNames`. A `Result`
            // that is never `Err`, as `Registry::scrape` explains: the
            // getter runs JS.
            #[wasm_bindgen(getter, unchecked_return_type = "string")]
            pub fn name(&self) -> Result<JsValue, JsValue> {
                Ok(metric_name_of(&self.state.metric))
            }

            /// The label names, in array order.
            ///
            /// ```js
            #[doc = $label_names_example]
            /// ```
            // Copies of the JS strings made at creation: converting the
            // Rust ones would cost the .wasm a kilobyte. A `Result` that is
            // never `Err`, as `Registry::scrape` explains: the copy is made
            // by JS.
            #[wasm_bindgen(getter, js_name = labelNames, unchecked_return_type = "string[]")]
            pub fn label_names(&self) -> Result<JsValue, JsValue> {
                Ok(label_names_of(&self.state.metric))
            }
        }
    };
}

instrument_class!(
    "A monotonic integer counter.",
    Counter,
    BoundCounter,
    add,
    "add",
    "Adds `value` (a non-negative integer, at most `Number.MAX_SAFE_INTEGER`, 2^53 - 1; refused if the total would pass 2^64).",
    "requests.labels({ route: \"/\", status: 200 }).add(2);",
    "requests.add(2, { route: \"/\", status: 200 });",
    "requests.add(2, [\"/\", 200]);",
    labels: [
        "const home = requests.labels({ route: \"/\", status: 200 });",
        "home.inc();"
    ],
    name: "requests.name; // \"http.requests\"",
    label_names: "requests.labelNames; // [\"route\", \"status\"]"
);

#[wasm_bindgen]
impl Counter {
    /// Adds 1.
    ///
    /// ```js
    /// requests.inc({ route: "/", status: 200 });
    /// ```
    pub fn inc(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "Labels")] labels: JsValue,
    ) -> Result<(), JsValue> {
        self.state.record(1.0, labels)
    }
}

#[wasm_bindgen]
impl BoundCounter {
    /// Adds 1.
    ///
    /// ```js
    /// requests.labels({ route: "/", status: 200 }).inc();
    /// ```
    pub fn inc(&self) -> Result<(), JsValue> {
        // 1 passes every counter check.
        self.series.record_checked(1.0).map_err(js_error)
    }
}

instrument_class!(
    "An integer that goes up and down.",
    UpDownCounter,
    BoundUpDownCounter,
    add,
    "add",
    "Adds `value` (an integer within ±`Number.MAX_SAFE_INTEGER`, negative to go down; refused if the value would leave ±2^63).",
    "active.labels([\"/\"]).add(-1);",
    "active.add(1, { route: \"/\" });",
    "active.add(-1, [\"/\"]);",
    labels: [
        "const home = active.labels({ route: \"/\" });",
        "home.add(1);"
    ],
    name: "active.name; // \"http.active_requests\"",
    label_names: "active.labelNames; // [\"route\"]"
);

instrument_class!(
    "A float value that is set.",
    Gauge,
    BoundGauge,
    set,
    "set",
    "Sets the value (finite).",
    "fill.labels([\"mail\"]).set(0.75);",
    "fill.set(0.75, { queue: \"mail\" });",
    "fill.set(0.75, [\"mail\"]);",
    labels: [
        "const mail = fill.labels({ queue: \"mail\" });",
        "mail.set(0.5);"
    ],
    name: "fill.name; // \"queue.fill\"",
    label_names: "fill.labelNames; // [\"queue\"]"
);

instrument_class!(
    "A distribution over fixed buckets.",
    Histogram,
    BoundHistogram,
    record,
    "record",
    "Observes `value` (finite).",
    "latency.labels({ route: \"/\" }).record(0.042);",
    "latency.record(0.042, { route: \"/\" });",
    "latency.record(0.042, [\"/\"]);",
    labels: [
        "const home = latency.labels({ route: \"/\" });",
        "home.record(0.042);"
    ],
    name: "latency.name; // \"http.duration\"",
    label_names: "latency.labelNames; // [\"route\"]"
);

#[cfg(test)]
mod tests {
    use super::Fields;
    use alloc::vec::Vec;

    #[test]
    fn fields_are_nul_prefixed() {
        let split = |t| Fields(t).collect::<Vec<_>>();
        assert!(split("").is_empty());
        assert_eq!(split("\0"), [""]);
        assert_eq!(split("\0\0"), ["", ""]);
        assert_eq!(split("\0a\0bc"), ["a", "bc"]);
        assert_eq!(split("\0é\0\u{FFFD}\0"), ["é", "\u{FFFD}", ""]);
    }
}
