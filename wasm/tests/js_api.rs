//! The JS API through the real JS boundary, under node
//! (`wasm-bindgen-test-runner`): values, formats, and one test per kind of
//! bad input, each asserting the thrown `Error`'s message.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect};
use otel_prom_wasm::{Counter, Histogram, JsRegistry};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn strings(items: &[&str]) -> JsValue {
    items
        .iter()
        .map(|s| JsValue::from_str(s))
        .collect::<Array>()
        .into()
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

fn n(v: f64) -> JsValue {
    JsValue::from_f64(v)
}

/// The message of the JS `Error` a call threw.
fn message<T>(r: Result<T, JsValue>) -> String {
    let Err(e) = r else {
        panic!("the call should have thrown");
    };
    let e: js_sys::Error = e.dyn_into().expect("a JS Error");
    e.message().into()
}

fn requests(reg: &JsRegistry) -> Counter {
    let opts = obj(&[
        ("help", s("Requests.")),
        ("labelNames", strings(&["route", "status"])),
    ]);
    reg.counter(s("http.requests"), Some(opts)).unwrap()
}

fn latency(reg: &JsRegistry) -> Histogram {
    let bounds: Array = [0.1, 1.0].iter().map(|b| JsValue::from_f64(*b)).collect();
    let opts = obj(&[
        ("unit", s("s")),
        ("labelNames", strings(&["route"])),
        ("bounds", bounds.into()),
    ]);
    reg.histogram(s("http.duration"), Some(opts)).unwrap()
}

#[wasm_bindgen_test]
fn labels_as_object_or_array_reach_the_same_series() {
    let reg = JsRegistry::new();
    let c = requests(&reg);
    c.inc(obj(&[("route", s("/")), ("status", n(200.0))]))
        .unwrap();
    c.add(n(2.0), strings(&["/", "200"])).unwrap();
    c.add(n(1.0), Array::of2(&s("/"), &n(200.0)).into())
        .unwrap();
    assert_eq!(reg.series_count(), 1);
    let text: String = reg.scrape().unwrap().into();
    assert_eq!(
        text,
        "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n\
         http_requests_total{route=\"/\",status=\"200\"} 4\n"
    );
}

#[wasm_bindgen_test]
fn every_instrument_kind_scrapes() {
    let reg = JsRegistry::new();
    let conns = reg.up_down_counter(s("connections"), None).unwrap();
    conns.add(n(5.0), JsValue::UNDEFINED).unwrap();
    conns.add(n(-7.0), JsValue::NULL).unwrap();
    let temp = reg
        .gauge(s("temperature"), Some(obj(&[("unit", s("Cel"))])))
        .unwrap();
    temp.set(n(21.5), JsValue::UNDEFINED).unwrap();
    let lat = latency(&reg);
    lat.record(n(0.05), strings(&["/"])).unwrap();
    lat.record(n(3.0), obj(&[("route", s("/"))])).unwrap();
    let text: String = reg.scrape().unwrap().into();
    assert!(text.contains("connections -2\n"), "{text}");
    assert!(text.contains("temperature_celsius 21.5\n"), "{text}");
    assert!(
        text.contains("http_duration_seconds_bucket{route=\"/\",le=\"0.1\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains("http_duration_seconds_bucket{route=\"/\",le=\"+Inf\"} 2\n"),
        "{text}"
    );
    assert!(
        text.contains("http_duration_seconds_sum{route=\"/\"} 3.05\n"),
        "{text}"
    );
    assert!(
        text.contains("http_duration_seconds_count{route=\"/\"} 2\n"),
        "{text}"
    );
    assert_eq!(conns.name().unwrap(), "connections");
    let names: Array = lat.label_names().unwrap().dyn_into().expect("an array");
    let names: Vec<Option<String>> = names.iter().map(|n| n.as_string()).collect();
    assert_eq!(names, [Some("route".to_string())]);
}

#[wasm_bindgen_test]
fn scrape_for_negotiates_format_and_content_type() {
    let reg = JsRegistry::new();
    requests(&reg).inc(strings(&["/", "200"])).unwrap();
    let get = |r: &JsValue, k: &str| Reflect::get(r, &s(k)).unwrap().as_string().unwrap();

    let om = reg
        .scrape_for(Some(s("application/openmetrics-text;version=1.0.0")))
        .unwrap();
    assert_eq!(
        get(&om, "contentType"),
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert!(get(&om, "body").ends_with("# EOF\n"));

    for accept in [
        None,
        Some(JsValue::NULL),
        Some(s("*/*")),
        Some(s(";;garbage,,")),
    ] {
        let text = reg.scrape_for(accept).unwrap();
        assert_eq!(
            get(&text, "contentType"),
            "text/plain; version=0.0.4; charset=utf-8"
        );
        assert_eq!(get(&text, "body"), String::from(reg.scrape().unwrap()));
    }
    let msg = message(reg.scrape_for(Some(n(1.0))));
    assert_eq!(
        msg,
        "scrapeFor: the Accept header must be a string, got number"
    );
}

#[wasm_bindgen_test]
fn creating_the_same_metric_twice_shares_the_family() {
    let reg = JsRegistry::new();
    requests(&reg).inc(strings(&["/", "200"])).unwrap();
    requests(&reg).inc(strings(&["/", "200"])).unwrap();
    assert!(String::from(reg.scrape().unwrap()).contains("} 2\n"));
    let msg = message(reg.gauge(s("http.requests"), None));
    assert!(
        msg.starts_with("http.requests: cannot register: a family with this name exists"),
        "{msg}"
    );
    // The counter's samples are `http_requests_total`: a gauge of that name
    // would repeat them.
    let msg = message(reg.gauge(s("http.requests.total"), None));
    assert_eq!(
        msg,
        "http.requests.total: cannot register: another family could write one of this family's names in some scrape"
    );
    assert!(!String::from(reg.scrape().unwrap()).contains("gauge"));
}

#[wasm_bindgen_test]
fn wrong_types_throw_with_the_argument_named() {
    let reg = JsRegistry::new();
    let c = requests(&reg);
    let cases: Vec<(Result<(), JsValue>, &str)> = vec![
        (
            c.add(s("1"), strings(&["/", "200"])),
            "http.requests: the value must be a number, got string",
        ),
        (
            c.add(JsValue::UNDEFINED, strings(&["/", "200"])),
            "http.requests: the value must be a number, got undefined",
        ),
        (
            c.inc(s("/")),
            "http.requests: labels must be an object, an array or undefined, got string",
        ),
        (
            c.inc(obj(&[("route", Object::new().into()), ("status", n(1.0))])),
            "http.requests: label \"route\" must be a string, number or boolean, got object",
        ),
        (
            c.inc(Array::of2(&s("/"), &JsValue::NULL).into()),
            "http.requests: label \"status\" must be a string, number or boolean, got null",
        ),
    ];
    for (result, expected) in cases {
        assert_eq!(message(result), expected);
    }
    assert_eq!(
        message(reg.counter(n(3.0), None)),
        "(metric name): the metric name must be a string, got number"
    );
    assert_eq!(
        message(reg.counter(s("x"), Some(s("help")))),
        "x: options must be an object, got string"
    );
    assert_eq!(
        message(reg.counter(s("x"), Some(obj(&[("labelnames", strings(&["a"]))])))),
        "x: unknown option \"labelnames\""
    );
    assert_eq!(
        message(reg.counter(s("x"), Some(obj(&[("labelNames", s("a"))])))),
        "x: option \"labelNames\" must be an array of strings, got string"
    );
    assert_eq!(
        message(reg.counter(
            s("x"),
            Some(obj(&[("labelNames", Array::of1(&n(1.0)).into())]))
        )),
        "x: a label name must be a string, got number"
    );
    assert_eq!(
        message(reg.histogram(s("h"), Some(obj(&[("bounds", Array::of1(&s("1")).into())])))),
        "h: a bound must be a number, got string"
    );
    assert_eq!(
        message(reg.counter(s("x"), Some(obj(&[("bounds", Array::new().into())])))),
        "x: unknown option \"bounds\""
    );
    assert_eq!(
        reg.series_count(),
        0,
        "nothing was recorded by refused calls"
    );
}

#[wasm_bindgen_test]
fn bad_numbers_throw() {
    let reg = JsRegistry::new();
    let c = requests(&reg);
    let l = || strings(&["/", "200"]);
    assert_eq!(
        message(c.add(n(f64::NAN), l())),
        "http.requests: value NaN is not a finite number"
    );
    assert_eq!(
        message(c.add(n(f64::INFINITY), l())),
        "http.requests: value Infinity is not a finite number"
    );
    assert_eq!(
        message(c.add(n(-1.0), l())),
        "http.requests: counter increment -1 is negative"
    );
    assert_eq!(
        message(c.add(n(0.5), l())),
        "http.requests: 0.5 is not an integer"
    );
    assert_eq!(
        message(c.add(n(2f64.powi(60)), l())),
        "http.requests: 1.152921504606847e+18 is beyond ±(2^53-1) (not exact in JS)"
    );
    let g = reg.gauge(s("g"), None).unwrap();
    assert_eq!(
        message(g.set(n(f64::NAN), JsValue::UNDEFINED)),
        "g: value NaN is not a finite number"
    );
    let h = latency(&reg);
    assert_eq!(
        message(h.record(n(f64::NEG_INFINITY), strings(&["/"]))),
        "http.duration: value -Infinity is not a finite number"
    );
    let nan_label = Array::of2(&s("/"), &n(f64::NAN));
    assert_eq!(
        message(c.inc(nan_label.into())),
        "http.requests: label \"status\" is NaN or infinite"
    );
    assert_eq!(reg.series_count(), 0);
}

#[wasm_bindgen_test]
fn wrong_labels_throw() {
    let reg = JsRegistry::new();
    let c = requests(&reg);
    assert_eq!(
        message(c.inc(strings(&["/"]))),
        "http.requests: cannot record: expected 2 label values, got 1"
    );
    assert_eq!(
        message(c.inc(JsValue::UNDEFINED)),
        "http.requests: cannot record: expected 2 label values, got 0"
    );
    assert_eq!(
        message(c.inc(obj(&[("route", s("/"))]))),
        "http.requests: label \"status\" has no value"
    );
    assert_eq!(
        message(c.inc(obj(&[
            ("route", s("/")),
            ("status", n(1.0)),
            ("method", s("GET"))
        ]))),
        "http.requests: \"method\" is not a label name of this metric"
    );
    let long = "x".repeat(200);
    assert_eq!(
        message(c.inc(strings(&[&long, "200"]))),
        "http.requests: cannot record: label values exceed the series value capacity"
    );
    // Longer than any label text the registry could take: refused before
    // it reaches the registry, with the same error, bound or not.
    let huge = "é".repeat(5_000);
    let too_long = "http.requests: cannot record: label values exceed the series value capacity";
    assert_eq!(message(c.inc(strings(&[&huge, "200"]))), too_long);
    assert_eq!(message(c.labels(Some(strings(&["/", &huge])))), too_long);
    // Fits as UTF-16 units, not as UTF-8 bytes: found by the encoder.
    let wide = format!("/{}", "é".repeat(300));
    assert_eq!(message(c.inc(strings(&[&wide, "200"]))), too_long);
    assert_eq!(reg.series_count(), 0);
}

#[wasm_bindgen_test]
fn unknown_or_invalid_metrics_throw() {
    let reg = JsRegistry::new();
    assert_eq!(
        message(reg.counter(s(""), None)),
        ": cannot register: invalid name: name is empty"
    );
    let bad_bounds: Array = [1.0, 0.5].iter().map(|b| JsValue::from_f64(*b)).collect();
    let msg = message(reg.histogram(s("h"), Some(obj(&[("bounds", bad_bounds.into())]))));
    assert!(
        msg.starts_with("h: cannot register: invalid bounds"),
        "{msg}"
    );
    for count in [9, 300] {
        let labels: Array = (0..count)
            .map(|i| JsValue::from_str(&format!("l{i}")))
            .collect();
        assert_eq!(
            message(reg.counter(s("wide"), Some(obj(&[("labelNames", labels.into())])))),
            "wide: cannot register: more label names than the registry allows"
        );
    }
}

#[wasm_bindgen_test]
fn capacity_full_throws_and_keeps_earlier_data() {
    let reg = JsRegistry::new();
    let c = reg
        .counter(s("many"), Some(obj(&[("labelNames", strings(&["i"]))])))
        .unwrap();
    for i in 0..otel_prom_wasm::SERIES {
        c.inc(Array::of1(&n(i as f64)).into()).unwrap();
    }
    let msg = message(c.inc(Array::of1(&s("one more")).into()));
    assert_eq!(msg, "many: cannot record: registry has no free series slot");
    c.inc(Array::of1(&n(0.0)).into()).unwrap();
    let text: String = reg.scrape().unwrap().into();
    assert!(text.contains("many_total{i=\"0\"} 2\n"));
    assert!(text.contains(&format!(
        "many_total{{i=\"{}\"}} 1\n",
        otel_prom_wasm::SERIES - 1
    )));

    for i in 1..otel_prom_wasm::FAMILIES {
        reg.gauge(s(&format!("g{i}")), None).unwrap();
    }
    let msg = message(reg.gauge(s("overflow"), None));
    assert_eq!(
        msg,
        "overflow: cannot register: registry has no free family slot"
    );
}

#[wasm_bindgen_test]
fn totals_that_would_leave_64_bits_throw() {
    // A call adds at most 2^53 - 1: 2^11 of them stay below 2^64.
    let reg = JsRegistry::new();
    let c = requests(&reg);
    let bound = c.labels(Some(strings(&["/", "200"]))).unwrap();
    let most = 9_007_199_254_740_991.0;
    for _ in 0..2048 {
        bound.add(n(most)).unwrap();
    }
    let refused = "http.requests: cannot record: the total would leave the series' 64-bit range";
    assert_eq!(message(bound.add(n(most))), refused);
    assert_eq!(message(c.add(n(most), strings(&["/", "200"]))), refused);
    let level = reg.up_down_counter(s("level"), None).unwrap();
    for _ in 0..1024 {
        level.add(n(-most), JsValue::UNDEFINED).unwrap();
    }
    assert_eq!(
        message(level.add(n(-most), JsValue::UNDEFINED)),
        "level: cannot record: the total would leave the series' 64-bit range"
    );
    let text = String::from(reg.scrape().unwrap());
    assert!(
        text.contains("http_requests_total{route=\"/\",status=\"200\"} 18446744073709549568\n"),
        "{text}"
    );
    assert!(text.contains("level -9223372036854774784\n"), "{text}");
}

/// On wasm32 the core writes integers by its own digit loop, not `itoa`:
/// zero (a total that came back to it) has no sign, and every length and
/// sign reads as Rust's `Display` writes it.
#[wasm_bindgen_test]
fn integer_totals_scrape_as_rust_writes_them() {
    let reg = JsRegistry::new();
    let opts = obj(&[("labelNames", strings(&["k"]))]);
    let level = reg.up_down_counter(s("level"), Some(opts)).unwrap();
    let most = 9_007_199_254_740_991i64; // 2^53 - 1, the most one call adds
    let totals = [
        0,
        1,
        -1,
        9,
        -10,
        99,
        -100,
        1_000_000,
        -123_456_789,
        most,
        -most,
    ];
    for (i, total) in totals.iter().enumerate() {
        let labels = strings(&[&i.to_string()]);
        if *total == 0 {
            level.add(n(3.0), labels.clone()).unwrap();
            level.add(n(-3.0), labels).unwrap();
        } else {
            level.add(n(*total as f64), labels).unwrap();
        }
    }
    let text = String::from(reg.scrape().unwrap());
    for (i, total) in totals.iter().enumerate() {
        let line = format!("level{{k=\"{i}\"}} {total}\n");
        assert!(text.contains(&line), "{line:?} in {text}");
    }
}

/// Options of the wrong type are named in the error, each one.
#[wasm_bindgen_test]
fn options_of_the_wrong_type_throw_with_the_option_named() {
    let reg = JsRegistry::new();
    assert_eq!(
        message(reg.counter(s("x"), Some(obj(&[("help", n(1.0))])))),
        "x: option \"help\" must be a string, got number"
    );
    assert_eq!(
        message(reg.gauge(s("x"), Some(obj(&[("unit", JsValue::TRUE)])))),
        "x: option \"unit\" must be a string, got boolean"
    );
    assert_eq!(
        message(reg.histogram(s("x"), Some(obj(&[("bounds", s("1,2"))])))),
        "x: option \"bounds\" must be an array of numbers, got string"
    );
    assert_eq!(reg.series_count(), 0);
}

/// ASCII label values longer than the buffer they are written into, at its
/// end and far past it, are refused without writing past it: the registry
/// and what it holds are intact afterwards.
#[wasm_bindgen_test]
fn oversized_ascii_label_values_leave_the_registry_intact() {
    let reg = JsRegistry::new();
    let c = requests(&reg);
    c.add(n(7.0), strings(&["/", "200"])).unwrap();
    let too_long = "http.requests: cannot record: label values exceed the series value capacity";
    for len in [129, 300, 381, 382, 383, 384, 385, 1_000, 100_000, 1_000_000] {
        let value = "a".repeat(len);
        assert_eq!(message(c.inc(strings(&[&value, ""]))), too_long, "{len}");
        assert_eq!(
            message(c.inc(obj(&[("route", s(&value)), ("status", s(""))]))),
            too_long
        );
    }
    let fits = "a".repeat(128);
    c.inc(strings(&[&fits, ""])).unwrap();
    assert_eq!(reg.series_count(), 2);
    let text = String::from(reg.scrape().unwrap());
    assert!(
        text.contains("http_requests_total{route=\"/\",status=\"200\"} 7\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{{route=\"{fits}\",status=\"\"}} 1\n")),
        "{text}"
    );
}

/// Where the ASCII copy ends: U+007F is one UTF-8 byte, U+0080 two.
#[wasm_bindgen_test]
fn label_values_at_the_ascii_boundary_cross_as_utf8() {
    let reg = JsRegistry::new();
    let c = requests(&reg);
    c.inc(strings(&["a\u{7f}", "\u{80}b"])).unwrap();
    let text = String::from(reg.scrape().unwrap());
    assert!(
        text.contains("http_requests_total{route=\"a\u{7f}\",status=\"\u{80}b\"} 1\n"),
        "{text:?}"
    );
}

/// The count of a wrong-length array does not depend on what an earlier
/// recording left in the label buffer.
#[wasm_bindgen_test]
fn wrong_length_arrays_are_counted_after_long_values() {
    let reg = JsRegistry::new();
    let c = requests(&reg);
    let long = "x".repeat(120);
    for got in [3usize, 1, 7] {
        c.inc(strings(&[&long, "1"])).unwrap();
        let values: Vec<&str> = core::iter::repeat_n("v", got).collect();
        assert_eq!(
            message(c.inc(strings(&values))),
            format!("http.requests: cannot record: expected 2 label values, got {got}")
        );
    }
}

#[wasm_bindgen_test]
fn bound_series_record_without_labels_and_show_before_first_use() {
    let reg = JsRegistry::new();
    let c = requests(&reg);
    let root = c
        .labels(Some(obj(&[("route", s("/")), ("status", n(200.0))])))
        .unwrap();
    assert!(
        String::from(reg.scrape().unwrap())
            .contains("http_requests_total{route=\"/\",status=\"200\"} 0\n"),
        "a bound series is scraped before its first recording"
    );
    root.inc().unwrap();
    root.add(n(4.0)).unwrap();
    c.inc(strings(&["/", "200"])).unwrap();
    assert!(
        String::from(reg.scrape().unwrap())
            .contains("http_requests_total{route=\"/\",status=\"200\"} 6\n")
    );
    assert_eq!(
        message(root.add(s("4"))),
        "http.requests: the value must be a number, got string"
    );
    assert_eq!(
        message(root.add(n(-4.0))),
        "http.requests: counter increment -4 is negative"
    );

    let lat = latency(&reg);
    let home = lat.labels(Some(strings(&["/"]))).unwrap();
    home.record(n(0.5)).unwrap();
    assert!(
        String::from(reg.scrape().unwrap())
            .contains("http_duration_seconds_count{route=\"/\"} 1\n")
    );
    assert_eq!(
        message(lat.labels(Some(strings(&[])))),
        "http.duration: cannot record: expected 1 label values, got 0"
    );

    let g = reg.gauge(s("temp"), None).unwrap().labels(None).unwrap();
    g.set(n(-1.5)).unwrap();
    let u = reg
        .up_down_counter(s("queue"), None)
        .unwrap()
        .labels(None)
        .unwrap();
    u.add(n(-3.0)).unwrap();
    let text = String::from(reg.scrape().unwrap());
    assert!(
        text.contains("temp -1.5\n") && text.contains("queue -3\n"),
        "{text}"
    );
}

#[wasm_bindgen_test]
fn recordings_without_labels_keep_one_series() {
    let reg = JsRegistry::new();
    let labelled = requests(&reg);
    // Refused every time: a failed first lookup is not remembered.
    for _ in 0..2 {
        assert_eq!(
            message(labelled.inc(JsValue::UNDEFINED)),
            "http.requests: cannot record: expected 2 label values, got 0"
        );
    }
    let c = reg.counter(s("jobs"), None).unwrap();
    for _ in 0..1000 {
        c.inc(JsValue::UNDEFINED).unwrap();
        c.add(n(2.0), JsValue::UNDEFINED).unwrap();
    }
    // An empty array and null name the same series.
    c.add(n(5.0), strings(&[])).unwrap();
    c.add(n(1.0), JsValue::NULL).unwrap();
    assert_eq!(
        message(labelled.add(n(1.0), JsValue::NULL)),
        "http.requests: cannot record: expected 2 label values, got 0"
    );
    // Every refusal of a recording with labels, without them.
    let refused = [
        (n(-1.0), "jobs: counter increment -1 is negative"),
        (n(0.5), "jobs: 0.5 is not an integer"),
        (n(f64::NAN), "jobs: value NaN is not a finite number"),
        (
            n(f64::INFINITY),
            "jobs: value Infinity is not a finite number",
        ),
        (s("1"), "jobs: the value must be a number, got string"),
        (JsValue::NULL, "jobs: the value must be a number, got null"),
    ];
    for (value, expected) in refused {
        assert_eq!(message(c.add(value, JsValue::UNDEFINED)), expected);
    }
    let g = reg.gauge(s("temp"), None).unwrap();
    g.set(n(1.5), JsValue::UNDEFINED).unwrap();
    g.set(n(-2.5), JsValue::UNDEFINED).unwrap();
    let text = String::from(reg.scrape().unwrap());
    assert!(text.contains("jobs_total 3006\n"), "{text}");
    assert!(text.contains("temp -2.5\n"), "{text}");
    assert_eq!(reg.series_count(), 2);

    // The registry's JS object freed first: instruments and bound series
    // keep what they record into alive.
    let bound = c.labels(None).unwrap();
    drop(reg);
    c.inc(JsValue::UNDEFINED).unwrap();
    bound.add(n(3.0)).unwrap();
}

#[wasm_bindgen_test]
fn label_values_are_written_into_memory_that_grew() {
    let reg = JsRegistry::new();
    let c = requests(&reg);
    c.inc(strings(&["/a", "200"])).unwrap();
    // Each registry takes ~560 KB: wasm memory grows, and the views JS
    // held of the old buffer are detached.
    let memory_bytes = || {
        wasm_bindgen::memory()
            .unchecked_into::<js_sys::WebAssembly::Memory>()
            .buffer()
            .unchecked_into::<js_sys::ArrayBuffer>()
            .byte_length()
    };
    let before = memory_bytes();
    let more: Vec<JsRegistry> = (0..4).map(|_| JsRegistry::new()).collect();
    let after = memory_bytes();
    assert!(after > before, "memory grew: {before} -> {after}");
    c.inc(strings(&["/a", "200"])).unwrap();
    c.inc(obj(&[("route", s("/ü")), ("status", n(500.0))]))
        .unwrap();
    let text = String::from(reg.scrape().unwrap());
    assert!(
        text.contains("http_requests_total{route=\"/a\",status=\"200\"} 2\n"),
        "{text}"
    );
    assert!(
        text.contains("http_requests_total{route=\"/ü\",status=\"500\"} 1\n"),
        "{text}"
    );
    drop(more);
}

#[wasm_bindgen_test]
fn arrays_of_the_wrong_length_throw_before_reading_values() {
    let reg = JsRegistry::new();
    let c = requests(&reg);
    let three = strings(&["/", "200", "GET"]);
    assert_eq!(
        message(c.inc(three)),
        "http.requests: cannot record: expected 2 label values, got 3"
    );
    // The count saturates at 255, as the registry's error counts.
    let many: Vec<&str> = core::iter::repeat_n("v", 1_000).collect();
    assert_eq!(
        message(c.inc(strings(&many))),
        "http.requests: cannot record: expected 2 label values, got 255"
    );
    assert_eq!(reg.series_count(), 0);
}

#[wasm_bindgen_test]
fn non_ascii_label_values_cross_as_utf8() {
    // ASCII is copied a unit at a time and the rest of a value from its
    // first non-ASCII character goes through `TextEncoder`: both halves,
    // in either order, in object and array form, bound and not.
    let reg = JsRegistry::new();
    let c = requests(&reg);
    let values = [("café/ü", "日本"), ("ü/abc", "200 🦀"), ("/", "ok")];
    for (route, status) in values {
        c.inc(obj(&[("route", s(route)), ("status", s(status))]))
            .unwrap();
        c.inc(strings(&[route, status])).unwrap();
        c.labels(Some(strings(&[route, status])))
            .unwrap()
            .add(n(1.0))
            .unwrap();
    }
    let text: String = reg.scrape().unwrap().into();
    for (route, status) in values {
        let line = format!("http_requests_total{{route=\"{route}\",status=\"{status}\"}} 3\n");
        assert!(text.contains(&line), "{line} missing from\n{text}");
    }
    assert_eq!(reg.series_count(), 3);
}

#[wasm_bindgen_test]
fn lone_surrogates_from_js_become_replacement_characters() {
    // A JS string need not be valid UTF-16; what crosses into wasm is
    // UTF-8 with U+FFFD in place of each lone surrogate.
    let reg = JsRegistry::new();
    let c = requests(&reg);
    let lone = js_sys::JsString::from_char_code1(0xD800);
    c.inc(Array::of2(&lone.into(), &n(200.0)).into()).unwrap();
    let text: String = reg.scrape().unwrap().into();
    assert!(
        text.contains("http_requests_total{route=\"\u{FFFD}\",status=\"200\"} 1\n"),
        "{text}"
    );
}

#[wasm_bindgen_test]
fn nul_characters_are_refused_in_every_string() {
    // Strings cross into wasm as NUL-separated fields.
    let reg = JsRegistry::new();
    let c = requests(&reg);
    assert_eq!(
        message(c.inc(strings(&["/a\0b", "200"]))),
        "http.requests: label \"route\" contains U+0000"
    );
    assert_eq!(
        message(c.labels(Some(obj(&[("route", s("/")), ("status", s("\0"))])))),
        "http.requests: label \"status\" contains U+0000"
    );
    assert_eq!(
        message(reg.counter(s("a\0b"), None)),
        "a\0b: the metric name contains U+0000"
    );
    assert_eq!(
        message(reg.counter(s("x"), Some(obj(&[("help", s("two\0parts"))])))),
        "x: option \"help\" contains U+0000"
    );
    assert_eq!(
        message(reg.counter(s("x"), Some(obj(&[("labelNames", strings(&["a\0"]))])))),
        "x: a label name contains U+0000"
    );
    assert_eq!(reg.series_count(), 0);
    assert!(!String::from(reg.scrape().unwrap()).contains("x_total"));
}

#[wasm_bindgen_test]
fn labels_objects_are_read_by_their_own_keys() {
    let reg = JsRegistry::new();
    let c = reg
        .counter(
            s("calls"),
            Some(obj(&[("labelNames", strings(&["constructor"]))])),
        )
        .unwrap();
    // `constructor` is not an own key of `{}`: Object's must not be read.
    assert_eq!(
        message(c.inc(Object::new().into())),
        "calls: label \"constructor\" has no value"
    );
    c.inc(obj(&[("constructor", s("x"))])).unwrap();
    // A value inherited from a prototype is not a label value either.
    let proto = obj(&[("constructor", s("inherited"))]);
    let child: Object = Object::create(proto.unchecked_ref());
    assert_eq!(
        message(c.inc(child.into())),
        "calls: label \"constructor\" has no value"
    );
    assert!(String::from(reg.scrape().unwrap()).contains("calls_total{constructor=\"x\"} 1\n"));
}

#[wasm_bindgen_test]
fn label_names_are_a_copy_and_values_keep_their_text() {
    let reg = JsRegistry::new();
    let c = requests(&reg);
    let names: Array = c.label_names().unwrap().dyn_into().unwrap();
    names.set(0, s("changed"));
    let again: Array = c.label_names().unwrap().dyn_into().unwrap();
    assert_eq!(again.get(0).as_string().as_deref(), Some("route"));
    // Numbers and booleans as JS prints them; empty strings are values.
    c.inc(Array::of2(&n(1e21), &JsValue::TRUE).into()).unwrap();
    c.inc(strings(&["", ""])).unwrap();
    let h = reg
        .histogram(
            s("sizes"),
            Some(obj(&[("bounds", Array::of2(&n(1.0), &n(2.5)).into())])),
        )
        .unwrap();
    h.record(n(2.0), JsValue::UNDEFINED).unwrap();
    let text = String::from(reg.scrape().unwrap());
    assert!(
        text.contains("http_requests_total{route=\"1e+21\",status=\"true\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains("http_requests_total{route=\"\",status=\"\"} 1\n"),
        "{text}"
    );
    assert!(text.contains("sizes_bucket{le=\"2.5\"} 1\n"), "{text}");
    assert!(text.contains("sizes_bucket{le=\"1\"} 0\n"), "{text}");
}
