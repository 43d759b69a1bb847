//! The `wasm-bindgen` surface: JS values in, [`crate::metrics`] calls,
//! JS `Error`s out. Every argument arrives as a `JsValue` and is checked
//! here, because the generated glue would otherwise coerce (`"1"` → 1,
//! `undefined` → NaN) instead of refusing.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use js_sys::{Array, JsString, Object, Reflect};
use wasm_bindgen::prelude::*;

use otel_prom_core::error::RecordError;

use crate::error::{Error, ErrorKind};
use crate::metrics::{Instrument, InstrumentKind, LABELS, Metrics};

/// Label values of one call: no heap beyond the strings JS hands over.
type LabelValues = heapless::Vec<String, LABELS>;

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

fn js_error(e: Error) -> JsError {
    JsError::new(&e.message())
}

fn type_name(v: &JsValue) -> String {
    if v.is_null() {
        return "null".into();
    }
    if Array::is_array(v) {
        return "array".into();
    }
    v.js_typeof().as_string().unwrap_or_default()
}

fn wrong_type(what: String, expected: &'static str, found: &JsValue) -> ErrorKind {
    ErrorKind::WrongType {
        what,
        expected,
        found: type_name(found),
    }
}

/// `kind "name"`, as messages name an option or a label (without
/// `format!`, which would bring `core::fmt` into the `.wasm`).
fn quoted(kind: &str, name: &str) -> String {
    let mut s = String::with_capacity(kind.len() + name.len() + 3);
    for piece in [kind, " \"", name, "\""] {
        s.push_str(piece);
    }
    s
}

fn string_arg(metric: &str, what: &str, v: &JsValue) -> Result<String, Error> {
    v.as_string()
        .ok_or_else(|| Error::new(metric, wrong_type(what.into(), "a string", v)))
}

/// Instrument options, read once at creation.
#[derive(Default)]
struct Options {
    help: String,
    unit: String,
    label_names: Vec<String>,
    bounds: Option<Vec<f64>>,
}

const OPTION_KEYS: [&str; 3] = ["help", "unit", "labelNames"];

fn options(
    name: &JsValue,
    options: Option<&JsValue>,
    histogram: bool,
) -> Result<(String, Options), Error> {
    let name = string_arg("(metric name)", "the metric name", name)?;
    let mut out = Options::default();
    let Some(options) = options.filter(|o| !o.is_null()) else {
        return Ok((name, out));
    };
    if !options.is_object() || Array::is_array(options) {
        let kind = wrong_type("options".into(), "an object", options);
        return Err(Error::new(&name, kind));
    }
    for key in Object::keys::<JsValue>(options.unchecked_ref()).iter() {
        let key = key.as_string().unwrap_or_default();
        let known = OPTION_KEYS.contains(&key.as_str()) || (histogram && key == "bounds");
        if !known {
            return Err(Error::new(&name, ErrorKind::UnknownOption(key)));
        }
    }
    let get = |key: &str| Reflect::get(options, &JsValue::from_str(key)).unwrap_or_default();
    let optional_string = |key: &str| -> Result<String, Error> {
        let v = get(key);
        if v.is_undefined() {
            return Ok(String::new());
        }
        string_arg(&name, &quoted("option", key), &v)
    };
    out.help = optional_string("help")?;
    out.unit = optional_string("unit")?;
    let labels = get("labelNames");
    if !labels.is_undefined() {
        let array = labels.dyn_ref::<Array>().ok_or_else(|| {
            let kind = wrong_type(
                "option \"labelNames\"".into(),
                "an array of strings",
                &labels,
            );
            Error::new(&name, kind)
        })?;
        for item in array.iter() {
            let label = string_arg(&name, "a label name", &item)?;
            out.label_names.push(label);
        }
    }
    let bounds = get("bounds");
    if histogram && !bounds.is_undefined() {
        let array = bounds.dyn_ref::<Array>().ok_or_else(|| {
            let kind = wrong_type("option \"bounds\"".into(), "an array of numbers", &bounds);
            Error::new(&name, kind)
        })?;
        let mut values = Vec::with_capacity(array.length() as usize);
        for item in array.iter() {
            let bound = item.as_f64().ok_or_else(|| {
                Error::new(&name, wrong_type("a bound".into(), "a number", &item))
            })?;
            values.push(bound);
        }
        out.bounds = Some(values);
    }
    Ok((name, out))
}

fn label_refs(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

fn value_refs(values: &LabelValues) -> heapless::Vec<&str, LABELS> {
    values.iter().map(String::as_str).collect()
}

fn label_count(inst: &Instrument, got: usize) -> Error {
    let saturate = |n: usize| u8::try_from(n).unwrap_or(u8::MAX);
    let kind = ErrorKind::Record(RecordError::LabelCount {
        expected: saturate(inst.label_names().len()),
        got: saturate(got),
    });
    Error::new(inst.name(), kind)
}

/// One label value as JS would print it.
fn label_value(inst: &Instrument, label: &str, v: &JsValue) -> Result<String, Error> {
    if let Some(s) = v.as_string() {
        return Ok(s);
    }
    if let Some(n) = v.as_f64() {
        if !n.is_finite() {
            return Err(Error::new(
                inst.name(),
                ErrorKind::LabelNotFinite(label.into()),
            ));
        }
        let printed = js_sys::Number::from(n)
            .to_string_with_radix(10)
            .map(String::from);
        return printed
            .map_err(|_| Error::new(inst.name(), ErrorKind::LabelNotFinite(label.into())));
    }
    if let Some(b) = v.as_bool() {
        return Ok(if b { "true" } else { "false" }.into());
    }
    let what = quoted("label", label);
    Err(Error::new(
        inst.name(),
        wrong_type(what, "a string, number or boolean", v),
    ))
}

/// Label values from `undefined`, an array (label-name order) or an object
/// (keyed by label name; every name present, no other keys).
/// The label names as JS strings, made once per instrument: converting a
/// Rust string to JS on every call would cost more than the lookup.
fn js_names(inst: &Instrument) -> Box<[JsValue]> {
    inst.label_names()
        .iter()
        .map(|n| JsValue::from_str(n))
        .collect()
}

fn label_values(
    inst: &Instrument,
    js_names: &[JsValue],
    labels: Option<&JsValue>,
) -> Result<LabelValues, Error> {
    let names = inst.label_names();
    let mut out = LabelValues::new();
    let Some(labels) = labels.filter(|l| !l.is_null()) else {
        return Ok(out);
    };
    if let Some(array) = labels.dyn_ref::<Array>() {
        let len = array.length() as usize;
        if len != names.len() {
            return Err(label_count(inst, len));
        }
        for (i, name) in names.iter().enumerate() {
            let value = label_value(inst, name, &array.get(i as u32))?;
            // Cannot fail: `names` has at most LABELS entries.
            let _ = out.push(value);
        }
        return Ok(out);
    }
    if !labels.is_object() {
        let kind = wrong_type("labels".into(), "an object, an array or undefined", labels);
        return Err(Error::new(inst.name(), kind));
    }
    for (name, js_name) in names.iter().zip(js_names) {
        let v = Reflect::get(labels, js_name).unwrap_or_default();
        if v.is_undefined() {
            return Err(Error::new(
                inst.name(),
                ErrorKind::MissingLabel(name.clone()),
            ));
        }
        let _ = out.push(label_value(inst, name, &v)?);
    }
    let keys = Object::keys::<JsValue>(labels.unchecked_ref());
    if keys.length() as usize != names.len() {
        let unknown = keys
            .iter()
            .filter_map(|k| k.as_string())
            .find(|k| !names.contains(k))
            .unwrap_or_default();
        return Err(Error::new(inst.name(), ErrorKind::UnknownLabel(unknown)));
    }
    Ok(out)
}

fn number_arg(inst: &Instrument, v: &JsValue) -> Result<f64, Error> {
    // Fast path: `Number.isFinite` is false for every non-number (no
    // coercion), and then reading the number needs no type check. Two
    // cheap calls instead of `as_f64`'s write through memory.
    if js_sys::Number::is_finite(v) {
        return Ok(v.unchecked_into_f64());
    }
    match v.as_f64() {
        Some(n) => Ok(n),
        None => Err(Error::new(
            inst.name(),
            wrong_type("the value".into(), "a number", v),
        )),
    }
}

fn record(
    inst: &Instrument,
    js_names: &[JsValue],
    value: &JsValue,
    labels: Option<&JsValue>,
) -> Result<(), JsError> {
    let value = number_arg(inst, value).map_err(js_error)?;
    // The value is checked before labels are read: a bad number costs no
    // string conversions.
    inst.check(value).map_err(js_error)?;
    if labels.is_none() {
        return inst.record(value, &[]).map_err(js_error);
    }
    let values = label_values(inst, js_names, labels).map_err(js_error)?;
    inst.record(value, &value_refs(&values)).map_err(js_error)
}

fn bind(
    inst: &Instrument,
    js_names: &[JsValue],
    labels: Option<&JsValue>,
) -> Result<(Instrument, LabelValues), JsError> {
    let values = label_values(inst, js_names, labels).map_err(js_error)?;
    inst.create_series(&value_refs(&values)).map_err(js_error)?;
    Ok((inst.clone(), values))
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
    ) -> Result<Counter, JsError> {
        self.create(
            &name,
            options.as_ref(),
            InstrumentKind::Counter,
            |inner, names| Counter { inner, names },
        )
    }

    /// An up-down counter: an integer that goes up and down (a gauge in
    /// Prometheus).
    ///
    /// ```js
    /// const active = metrics.upDownCounter("http.active_requests");
    /// active.add(1); // a request starts
    /// active.add(-1); // it ends
    /// ```
    #[wasm_bindgen(js_name = upDownCounter)]
    pub fn up_down_counter(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InstrumentOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<UpDownCounter, JsError> {
        self.create(
            &name,
            options.as_ref(),
            InstrumentKind::UpDownCounter,
            |inner, names| UpDownCounter { inner, names },
        )
    }

    /// A gauge: a float that is set.
    ///
    /// ```js
    /// metrics.gauge("queue.fill", { unit: "1" }).set(0.75);
    /// ```
    pub fn gauge(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InstrumentOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<Gauge, JsError> {
        self.create(
            &name,
            options.as_ref(),
            InstrumentKind::Gauge,
            |inner, names| Gauge { inner, names },
        )
    }

    /// A histogram with explicit bucket bounds.
    ///
    /// ```js
    /// const latency = metrics.histogram("http.duration", { unit: "s", bounds: [0.01, 0.1, 1] });
    /// latency.record(0.042);
    /// ```
    pub fn histogram(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "HistogramOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<Histogram, JsError> {
        self.create(
            &name,
            options.as_ref(),
            InstrumentKind::Histogram,
            |inner, names| Histogram { inner, names },
        )
    }

    /// Every metric as Prometheus text format 0.0.4.
    ///
    /// ```js
    /// console.log(metrics.scrape());
    /// ```
    pub fn scrape(&self) -> JsString {
        self.page(None).1
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
    ) -> Result<JsValue, JsError> {
        let accept = match accept.filter(|a| !a.is_null()) {
            None => None,
            Some(a) => Some(string_arg("scrapeFor", "the Accept header", &a).map_err(js_error)?),
        };
        let (content_type, body) = self.page(accept.as_deref());
        let result = Object::new();
        let _ = Reflect::set(&result, &"contentType".into(), &content_type.into());
        let _ = Reflect::set(&result, &"body".into(), &body);
        Ok(result.into())
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

    /// Reads the name and options, creates the instrument of `kind` and
    /// wraps it in its JS class.
    fn create<T>(
        &self,
        name: &JsValue,
        options: Option<&JsValue>,
        kind: InstrumentKind,
        wrap: impl FnOnce(Instrument, Box<[JsValue]>) -> T,
    ) -> Result<T, JsError> {
        let histogram = kind == InstrumentKind::Histogram;
        let (name, o) = self::options(name, options, histogram).map_err(js_error)?;
        let labels = label_refs(&o.label_names);
        let m = &self.metrics;
        let created = match kind {
            InstrumentKind::Counter => m.counter(&name, &o.help, &o.unit, &labels),
            InstrumentKind::UpDownCounter => m.up_down_counter(&name, &o.help, &o.unit, &labels),
            InstrumentKind::Gauge => m.gauge(&name, &o.help, &o.unit, &labels),
            InstrumentKind::Histogram => {
                m.histogram(&name, &o.help, &o.unit, &labels, o.bounds.as_deref())
            }
        };
        let inner = created.map_err(js_error)?;
        let names = js_names(&inner);
        Ok(wrap(inner, names))
    }
}

macro_rules! instrument_class {
    ($(#[$doc:meta])* $class:ident, $bound:ident, $method:ident, $js_method:literal, $value_doc:literal) => {
        $(#[$doc])*
        #[wasm_bindgen]
        pub struct $class {
            inner: Instrument,
            names: Box<[JsValue]>,
        }

        /// One series of the metric, its label values converted once (see
        /// `labels()`): the fast way to record the same series often.
        #[wasm_bindgen]
        pub struct $bound {
            inner: Instrument,
            values: LabelValues,
        }

        #[wasm_bindgen]
        impl $bound {
            #[doc = $value_doc]
            ///
            #[doc = concat!("```js\nmetric.labels([\"/\"]).", $js_method, "(1);\n```")]
            #[wasm_bindgen(js_name = $js_method)]
            pub fn $method(
                &self,
                #[wasm_bindgen(unchecked_param_type = "number")] value: JsValue,
            ) -> Result<(), JsError> {
                let value = number_arg(&self.inner, &value).map_err(js_error)?;
                self.inner.record(value, &value_refs(&self.values)).map_err(js_error)
            }
        }

        #[wasm_bindgen]
        impl $class {
            /// The series with these label values, created now (so it is
            /// scraped before its first recording); recording through it
            /// skips converting labels on every call.
            ///
            /// ```js
            /// const home = requests.labels({ route: "/", status: 200 });
            /// home.inc();
            /// ```
            pub fn labels(
                &self,
                #[wasm_bindgen(unchecked_optional_param_type = "Labels")] labels: Option<JsValue>,
            ) -> Result<$bound, JsError> {
                let (inner, values) = bind(&self.inner, &self.names, labels.as_ref())?;
                Ok($bound { inner, values })
            }

            #[doc = $value_doc]
            /// `labels`: an object keyed by label name or an array in
            /// label-name order; omit it when the metric has no labels.
            ///
            #[doc = concat!("```js\nmetric.", $js_method, "(1, { route: \"/\" });\nmetric.", $js_method, "(1, [\"/\"]);\n```")]
            #[wasm_bindgen(js_name = $js_method)]
            pub fn $method(
                &self,
                #[wasm_bindgen(unchecked_param_type = "number")] value: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "Labels")] labels: Option<JsValue>,
            ) -> Result<(), JsError> {
                record(&self.inner, &self.names, &value, labels.as_ref())
            }

            /// The name the metric was created with.
            ///
            /// ```js
            /// metric.name; // "http.requests"
            /// ```
            #[wasm_bindgen(getter)]
            pub fn name(&self) -> String {
                self.inner.name().into()
            }

            /// The label names, in array order.
            ///
            /// ```js
            /// metric.labelNames; // ["route", "status"]
            /// ```
            // The JS strings made at creation, not new copies of the
            // Rust ones: the conversion of a `Vec<String>` costs the
            // .wasm a kilobyte.
            #[wasm_bindgen(getter, js_name = labelNames, unchecked_return_type = "string[]")]
            pub fn label_names(&self) -> Vec<JsValue> {
                self.names.to_vec()
            }
        }
    };
}

instrument_class!(
    /// A monotonic integer counter.
    Counter,
    BoundCounter,
    add,
    "add",
    "Adds `value` (a non-negative integer, at most 2^53)."
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
        #[wasm_bindgen(unchecked_optional_param_type = "Labels")] labels: Option<JsValue>,
    ) -> Result<(), JsError> {
        record(
            &self.inner,
            &self.names,
            &JsValue::from_f64(1.0),
            labels.as_ref(),
        )
    }
}

#[wasm_bindgen]
impl BoundCounter {
    /// Adds 1.
    ///
    /// ```js
    /// requests.labels({ route: "/", status: 200 }).inc();
    /// ```
    pub fn inc(&self) -> Result<(), JsError> {
        self.inner
            .record(1.0, &value_refs(&self.values))
            .map_err(js_error)
    }
}

instrument_class!(
    /// An integer that goes up and down.
    UpDownCounter,
    BoundUpDownCounter,
    add,
    "add",
    "Adds `value` (an integer within ±2^53; negative to go down)."
);

instrument_class!(
    /// A float value that is set.
    Gauge,
    BoundGauge,
    set,
    "set",
    "Sets the value (finite)."
);

instrument_class!(
    /// A distribution over fixed buckets.
    Histogram,
    BoundHistogram,
    record,
    "record",
    "Observes `value` (finite)."
);
