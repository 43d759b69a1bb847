//! The registry: golden scrapes, every error path (with earlier data intact),
//! and exact totals under concurrent recording.

use otel_prom_core::error::{HistogramError, NameError, RecordError, RegisterError};
use otel_prom_core::registry::Registry;
use otel_prom_core::{Escaping, Format, Strategy};

fn scrape<
    const F: usize,
    const S: usize,
    const C: usize,
    const L: usize,
    const V: usize,
    const B: usize,
    const M: usize,
>(
    reg: &Registry<F, S, C, L, V, B, M>,
    format: Format,
) -> String {
    let out = reg
        .write(Vec::new(), format, Escaping::Underscores)
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text.len(),
        reg.encoded_len(format, Escaping::Underscores),
        "encoded_len is exact"
    );
    text
}

#[test]
fn golden_scrape_both_formats() {
    let reg: Registry<5, 8, 16, 2, 32, 4, 128> = Registry::new();
    let requests = reg
        .register_counter(
            "http.requests",
            "Requests served.",
            "{request}",
            &["http.route", "code"],
        )
        .unwrap();
    let in_flight = reg
        .register_gauge_i64("http.in_flight", "In flight.", "", &[])
        .unwrap();
    let temp = reg
        .register_gauge_f64(
            "board.temperature",
            "Board temperature.",
            "Cel",
            &["sensor"],
        )
        .unwrap();
    let latency = reg
        .register_histogram(
            "http.duration",
            "Latency.",
            "s",
            &["http.route"],
            &[0.01, 0.1, 1.0],
        )
        .unwrap();
    let build = reg
        .register_info("build", "Build facts.", &["version"])
        .unwrap();

    reg.add(requests, &["/", "200"], 5).unwrap();
    reg.add(requests, &["/a\"b", "500"], u64::MAX).unwrap();
    reg.gauge_i64(in_flight, &[]).unwrap().add(-3);
    reg.gauge_f64(temp, &["cpu"]).unwrap().set(41.25);
    for v in [0.005, 0.05, 0.05, 2.0] {
        reg.observe(latency, &["/"], v).unwrap();
    }
    reg.set_info(build, &["1.2.3"]).unwrap();

    assert_eq!(
        scrape(&reg, Format::Text004),
        concat!(
            "# HELP http_requests_total Requests served.\n",
            "# TYPE http_requests_total counter\n",
            "http_requests_total{http_route=\"/\",code=\"200\"} 5\n",
            "http_requests_total{http_route=\"/a\\\"b\",code=\"500\"} 18446744073709551615\n",
            "# HELP http_in_flight In flight.\n",
            "# TYPE http_in_flight gauge\n",
            "http_in_flight -3\n",
            "# HELP board_temperature_celsius Board temperature.\n",
            "# TYPE board_temperature_celsius gauge\n",
            "board_temperature_celsius{sensor=\"cpu\"} 41.25\n",
            "# HELP http_duration_seconds Latency.\n",
            "# TYPE http_duration_seconds histogram\n",
            "http_duration_seconds_bucket{http_route=\"/\",le=\"0.01\"} 1\n",
            "http_duration_seconds_bucket{http_route=\"/\",le=\"0.1\"} 3\n",
            "http_duration_seconds_bucket{http_route=\"/\",le=\"1\"} 3\n",
            "http_duration_seconds_bucket{http_route=\"/\",le=\"+Inf\"} 4\n",
            "http_duration_seconds_sum{http_route=\"/\"} 2.105\n",
            "http_duration_seconds_count{http_route=\"/\"} 4\n",
            "# HELP build_info Build facts.\n",
            "# TYPE build_info gauge\n",
            "build_info{version=\"1.2.3\"} 1\n",
        )
    );
    assert_eq!(
        scrape(&reg, Format::OpenMetrics100),
        concat!(
            "# HELP http_requests Requests served.\n",
            "# TYPE http_requests counter\n",
            "http_requests_total{http_route=\"/\",code=\"200\"} 5\n",
            "http_requests_total{http_route=\"/a\\\"b\",code=\"500\"} 18446744073709551615\n",
            "# HELP http_in_flight In flight.\n",
            "# TYPE http_in_flight gauge\n",
            "http_in_flight -3\n",
            "# HELP board_temperature_celsius Board temperature.\n",
            "# TYPE board_temperature_celsius gauge\n",
            "# UNIT board_temperature_celsius celsius\n",
            "board_temperature_celsius{sensor=\"cpu\"} 41.25\n",
            "# HELP http_duration_seconds Latency.\n",
            "# TYPE http_duration_seconds histogram\n",
            "# UNIT http_duration_seconds seconds\n",
            "http_duration_seconds_bucket{http_route=\"/\",le=\"0.01\"} 1\n",
            "http_duration_seconds_bucket{http_route=\"/\",le=\"0.1\"} 3\n",
            "http_duration_seconds_bucket{http_route=\"/\",le=\"1.0\"} 3\n",
            "http_duration_seconds_bucket{http_route=\"/\",le=\"+Inf\"} 4\n",
            "http_duration_seconds_sum{http_route=\"/\"} 2.105\n",
            "http_duration_seconds_count{http_route=\"/\"} 4\n",
            "# HELP build Build facts.\n",
            "# TYPE build info\n",
            "build_info{version=\"1.2.3\"} 1\n",
            "# EOF\n",
        )
    );
}

#[test]
fn static_registry_with_no_runtime_init() {
    static REG: Registry<2, 4, 8> = Registry::new();
    let c = REG.register_counter("boots", "", "", &[]).unwrap();
    REG.counter(c, &[]).unwrap().inc();
    assert!(scrape(&REG, Format::Text004).contains("boots_total 1\n"));
}

#[test]
fn registering_again_is_idempotent_and_conflicts_are_typed() {
    let reg: Registry<2, 4, 4> = Registry::new();
    let a = reg
        .register_counter("jobs", "Jobs.", "", &["queue"])
        .unwrap();
    reg.add(a, &["x"], 2).unwrap();
    assert_eq!(reg.register_counter("jobs", "Jobs.", "", &["queue"]), Ok(a));
    assert_eq!(
        reg.register_gauge_i64("jobs", "", "", &["queue"]),
        Err(RegisterError::Conflict)
    );
    assert_eq!(
        reg.register_counter("jobs", "", "", &["other"]),
        Err(RegisterError::Conflict)
    );
    let pair = reg
        .register_gauge_i64("pair", "", "", &["ab", "c"])
        .unwrap();
    assert_eq!(
        reg.register_gauge_i64("pair", "", "", &["ab", "c"]),
        Ok(pair)
    );
    assert_eq!(
        reg.register_gauge_i64("pair", "", "", &["a", "bc"]),
        Err(RegisterError::Conflict),
        "label names, not only their text"
    );
    assert_eq!(
        reg.register_gauge_i64("pair", "", "", &["ab"]),
        Err(RegisterError::Conflict)
    );
    let hist: Registry<2, 1, 1> = Registry::new();
    let h = hist
        .register_histogram("h", "", "", &[], &[0.0, 1.0])
        .unwrap();
    assert_eq!(
        hist.register_histogram("h", "", "", &[], &[0.0, 1.0]),
        Ok(h)
    );
    assert_eq!(
        hist.register_histogram("h", "", "", &[], &[-0.0, 1.0]),
        Err(RegisterError::Conflict),
        "-0 and 0 write different `le` values"
    );
    assert_eq!(
        hist.register_histogram("h", "", "", &[], &[0.0, 2.0]),
        Err(RegisterError::Conflict)
    );
    assert_eq!(
        reg.register_counter("jobs_total", "", "", &["queue"]),
        Ok(a),
        "`_total` is the same counter"
    );
    assert_eq!(reg.families_len(), 2);
    assert!(scrape(&reg, Format::Text004).contains("jobs_total{queue=\"x\"} 2\n"));
}

#[test]
fn every_registration_error_leaves_earlier_data_intact() {
    let reg: Registry<2, 4, 8, 2, 16, 3, 48> = Registry::new();
    let c = reg.register_counter("kept", "", "", &[]).unwrap();
    reg.add(c, &[], 7).unwrap();
    let before = scrape(&reg, Format::Text004);

    assert_eq!(
        reg.register_counter("x", "", "", &["a", "b", "c"]),
        Err(RegisterError::TooManyLabels)
    );
    assert_eq!(
        reg.register_counter("x", "", "", &["a", "a"]),
        Err(RegisterError::DuplicateLabel)
    );
    assert_eq!(
        reg.register_counter("x", "", "", &["a.b", "a_b"]),
        Err(RegisterError::DuplicateLabel)
    );
    assert_eq!(
        reg.register_histogram("x", "", "", &["le"], &[1.0]),
        Err(RegisterError::ReservedLabel)
    );
    assert_eq!(
        reg.register_histogram("x", "", "", &[], &[1.0, 2.0, 3.0]),
        Err(RegisterError::TooManyBuckets)
    );
    assert_eq!(
        reg.register_histogram("x", "", "", &[], &[2.0, 1.0]),
        Err(RegisterError::Bounds(HistogramError::BoundsNotIncreasing))
    );
    assert_eq!(
        reg.register_histogram("x", "", "", &[], &[f64::NAN]),
        Err(RegisterError::Bounds(HistogramError::NanBound))
    );
    assert_eq!(
        reg.register_counter("", "", "", &[]),
        Err(RegisterError::Name(NameError::Empty))
    );
    assert_eq!(
        reg.register_counter("x", "", "", &[""]),
        Err(RegisterError::Name(NameError::Empty))
    );
    let long = "h".repeat(100);
    assert_eq!(
        reg.register_counter("x", &long, "", &[]),
        Err(RegisterError::MetadataTooLong)
    );
    assert_eq!(
        reg.register_counter(&long, "", "", &[]),
        Err(RegisterError::MetadataTooLong)
    );
    reg.register_gauge_i64("second", "", "", &[]).unwrap();
    assert_eq!(
        reg.register_counter("third", "", "", &[]),
        Err(RegisterError::FamiliesFull)
    );

    assert_eq!(reg.families_len(), 2);
    let after = scrape(&reg, Format::Text004);
    assert!(
        after.starts_with(&before),
        "earlier data unchanged:\n{after}"
    );
}

#[test]
fn every_record_error_leaves_earlier_data_intact() {
    let reg: Registry<3, 3, 6, 2, 8> = Registry::new();
    let c = reg.register_counter("c", "", "", &["k"]).unwrap();
    let h = reg
        .register_histogram("h", "", "", &[], &[1.0, 2.0])
        .unwrap();
    let g = reg.register_gauge_f64("g", "", "", &[]).unwrap();
    reg.add(c, &["a"], 1).unwrap();
    reg.observe(h, &[], 0.5).unwrap(); // 4 cells: cells now 5 of 6
    let before = scrape(&reg, Format::Text004);

    assert_eq!(
        reg.add(c, &[], 1),
        Err(RecordError::LabelCount {
            expected: 1,
            got: 0
        })
    );
    assert_eq!(
        reg.add(c, &["a", "b"], 1),
        Err(RecordError::LabelCount {
            expected: 1,
            got: 2
        })
    );
    assert_eq!(
        reg.add(c, &["123456789"], 1),
        Err(RecordError::ValueTooLong)
    );
    assert_eq!(reg.observe(h, &[], f64::NAN), Err(RecordError::NotFinite));
    assert_eq!(
        reg.observe(h, &[], f64::NEG_INFINITY),
        Err(RecordError::NotFinite)
    );
    assert_eq!(
        reg.gauge_f64(g, &[]).unwrap().add(f64::INFINITY),
        Err(RecordError::NotFinite)
    );
    // The gauge series took the last cell and the third series slot.
    assert_eq!(reg.add(c, &["b"], 1), Err(RecordError::SeriesFull));
    let other: Registry<4, 1, 1> = Registry::new();
    other.register_counter("x", "", "", &[]).unwrap();
    let foreign = other.register_counter("y", "", "", &[]).unwrap();
    assert_eq!(reg.add(foreign, &[], 1), Err(RecordError::UnknownFamily));

    let after = scrape(&reg, Format::Text004);
    assert!(after.contains("c_total{k=\"a\"} 1\n"));
    assert!(after.contains("h_count 1\n"));
    assert_eq!(
        after.replace("# TYPE g gauge\ng 0\n", ""),
        before.replace("# TYPE g gauge\n", "")
    );
}

#[test]
fn checked_adds_refuse_to_leave_the_64_bit_range() {
    let reg: Registry<2, 2, 2> = Registry::new();
    let c = reg.register_counter("c", "", "", &[]).unwrap();
    let g = reg.register_gauge_i64("g", "", "", &[]).unwrap();
    let (total, level) = (reg.counter(c, &[]).unwrap(), reg.gauge_i64(g, &[]).unwrap());
    total.checked_add(u64::MAX - 2).unwrap();
    total.checked_add(2).unwrap();
    assert_eq!(total.checked_add(1), Err(RecordError::Overflow));
    assert_eq!(total.checked_add(u64::MAX), Err(RecordError::Overflow));
    total.checked_add(0).unwrap();
    assert_eq!(total.get(), u64::MAX);
    level.checked_add(i64::MAX).unwrap();
    assert_eq!(level.checked_add(1), Err(RecordError::Overflow));
    level.checked_add(i64::MIN).unwrap(); // -1
    level.checked_add(i64::MIN + 1).unwrap();
    assert_eq!(level.get(), i64::MIN);
    assert_eq!(level.checked_add(-1), Err(RecordError::Overflow));
    let text = scrape(&reg, Format::Text004);
    assert!(text.contains("c_total 18446744073709551615\n"), "{text}");
    assert!(text.contains("g -9223372036854775808\n"), "{text}");
}

#[test]
fn checked_adds_racing_at_the_limit_count_each_amount_once() {
    // 4 threads add 1 at a time to a counter ROOM below u64::MAX: exactly
    // ROOM additions succeed, every other one is refused, none is lost.
    const ROOM: u64 = if cfg!(miri) { 100 } else { 10_000 };
    static REG: Registry<1, 1, 1> = Registry::new();
    let c = REG.register_counter("near_max", "", "", &[]).unwrap();
    let total = REG.counter(c, &[]).unwrap();
    total.checked_add(u64::MAX - ROOM).unwrap();
    let counted: u64 = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(move || {
                    let mut ok = 0u64;
                    for _ in 0..ROOM / 2 {
                        match total.checked_add(1) {
                            Ok(()) => ok += 1,
                            Err(e) => assert_eq!(e, RecordError::Overflow),
                        }
                    }
                    ok
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    assert_eq!(counted, ROOM);
    assert_eq!(total.get(), u64::MAX);
}

#[test]
fn cells_full_is_reported() {
    let reg: Registry<2, 4, 4> = Registry::new();
    let h = reg.register_histogram("h", "", "", &["k"], &[1.0]).unwrap(); // 3 cells per series
    reg.observe(h, &["a"], 0.1).unwrap();
    assert_eq!(reg.observe(h, &["b"], 0.1), Err(RecordError::CellsFull));
    let c = reg.register_counter("c", "", "", &[]).unwrap();
    reg.add(c, &[], 1).unwrap(); // the last cell
    assert!(scrape(&reg, Format::Text004).contains("h_count{k=\"a\"} 1\n"));
}

#[test]
fn render_fits_a_buffer_of_exactly_its_length_and_names_the_length_otherwise() {
    let reg: Registry<2, 4, 8> = Registry::new();
    let c = reg
        .register_counter("jobs", "Jobs done.", "", &["queue"])
        .unwrap();
    reg.add(c, &["mail"], 3).unwrap();
    for format in [Format::Text004, Format::OpenMetrics100] {
        let full = scrape(&reg, format);
        let mut buf = vec![0u8; full.len() + 1];
        assert_eq!(
            reg.render(&mut buf[..full.len()], format, Escaping::Underscores),
            Ok(full.len()),
            "{format:?}: an exact fit is not truncated"
        );
        assert_eq!(&buf[..full.len()], full.as_bytes());
        for short in [0, 1, full.len() / 2, full.len() - 1] {
            buf.fill(0);
            assert_eq!(
                reg.render(&mut buf[..short], format, Escaping::Underscores),
                Err(full.len()),
                "{format:?} into {short} bytes"
            );
            assert_eq!(&buf[..short], &full.as_bytes()[..short], "the prefix");
            assert_eq!(buf[short], 0, "nothing past the buffer");
        }
    }
}

#[test]
fn an_observation_on_a_bound_counts_in_that_bounds_bucket() {
    // `le` is "less than or equal": a value equal to a bound is in its bucket.
    let reg: Registry<1, 1, 8> = Registry::new();
    let h = reg
        .register_histogram("h", "", "", &[], &[0.0, 1.0, 2.0])
        .unwrap();
    for v in [0.0, -0.0, 1.0, 2.0, 2.5] {
        reg.observe(h, &[], v).unwrap();
    }
    let text = scrape(&reg, Format::Text004);
    for line in [
        "h_bucket{le=\"0\"} 2\n",
        "h_bucket{le=\"1\"} 3\n",
        "h_bucket{le=\"2\"} 4\n",
        "h_bucket{le=\"+Inf\"} 5\n",
        "h_count 5\n",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
}

#[test]
fn translation_strategy_is_the_registrys() {
    let reg: Registry<1, 1, 1> = Registry::with_strategy(Strategy::NoUtf8EscapingWithSuffixes);
    let c = reg
        .register_counter("my.count", "", "ms", &["http.method"])
        .unwrap();
    reg.add(c, &["GET"], 1).unwrap();
    let text = String::from_utf8(
        reg.write(Vec::new(), Format::Text100, Escaping::AllowUtf8)
            .unwrap(),
    )
    .unwrap();
    // Without `utf8-names` the names are escaped with underscores at scrape.
    let want = if cfg!(feature = "utf8-names") {
        "{\"my.count_milliseconds_total\",\"http.method\"=\"GET\"} 1\n"
    } else {
        "my_count_milliseconds_total{http_method=\"GET\"} 1\n"
    };
    assert!(text.contains(want), "{text}");
}

#[test]
fn four_threads_times_a_million_are_exact() {
    // A thousand under Miri, which interprets every step.
    const N: u64 = if cfg!(miri) { 1_000 } else { 1_000_000 };
    static REG: Registry<2, 8, 16> = Registry::new();
    let c = REG.register_counter("hits", "", "", &["worker"]).unwrap();
    let h = REG.register_histogram("lat", "", "", &[], &[0.5]).unwrap();
    let shared = REG.counter(c, &["shared"]).unwrap();
    std::thread::scope(|s| {
        for t in 0..4 {
            s.spawn(move || {
                let name = format!("w{t}");
                let own = REG.counter(c, &[&name]).unwrap();
                let hist = REG.histogram(h, &[]).unwrap();
                for i in 0..N {
                    shared.inc();
                    own.inc();
                    if i % 4 == 0 {
                        // The lookup path too, racing with other threads.
                        REG.add(c, &["by_lookup"], 1).unwrap();
                        hist.observe(if i % 8 == 0 { 0.25 } else { 1.0 }).unwrap();
                    }
                }
            });
        }
    });
    assert_eq!(shared.get(), 4 * N);
    for t in 0..4 {
        assert_eq!(REG.counter(c, &[&format!("w{t}")]).unwrap().get(), N);
    }
    assert_eq!(REG.counter(c, &["by_lookup"]).unwrap().get(), N);
    let hist = REG.histogram(h, &[]).unwrap();
    assert_eq!(hist.count(), N);
    assert_eq!(hist.sum(), (N / 2) as f64 * 0.25 + (N / 2) as f64 * 1.0);
    assert_eq!(REG.series_len(), 7);
}

#[test]
fn families_defined_in_consts_register_like_runtime_ones() {
    use otel_prom_core::registry::{Family, kind};
    type Reg = Registry<5, 8, 32, 2, 32, 4, 96>;
    type Def<K> = Family<K, 2, 4, 96>;
    const C: Def<kind::Counter> = Family::valid(Family::counter(
        "app.jobs",
        "Jobs.",
        "{job}",
        &["queue", "http.method"],
    ));
    const G: Def<kind::GaugeI64> = Family::valid(Family::gauge_i64("app.queue", "", "By", &[]));
    const F: Def<kind::GaugeF64> =
        Family::valid(Family::gauge_f64("app.temp", "Temp.", "Cel", &["zone"]));
    const H: Def<kind::Histogram> = Family::valid(Family::histogram(
        "app.latency",
        "Latency.",
        "ms",
        &["route"],
        &[1.0, 10.0, 100.0],
    ));
    const I: Def<kind::Info> = Family::valid(Family::info("app.build", "Build.", &["version"]));

    let by_const = Reg::new();
    let at_runtime = Reg::new();
    let ids = (
        by_const.register(&C).unwrap(),
        by_const.register(&G).unwrap(),
        by_const.register(&F).unwrap(),
        by_const.register(&H).unwrap(),
        by_const.register(&I).unwrap(),
    );
    // The same definitions, translated at run time, are the same families.
    assert_eq!(
        by_const.register_counter("app.jobs", "Jobs.", "{job}", &["queue", "http.method"]),
        Ok(ids.0)
    );
    assert_eq!(
        by_const.register_histogram(
            "app.latency",
            "Latency.",
            "ms",
            &["route"],
            &[1.0, 10.0, 100.0]
        ),
        Ok(ids.3)
    );
    let runtime_ids = (
        at_runtime
            .register_counter("app.jobs", "Jobs.", "{job}", &["queue", "http.method"])
            .unwrap(),
        at_runtime
            .register_gauge_i64("app.queue", "", "By", &[])
            .unwrap(),
        at_runtime
            .register_gauge_f64("app.temp", "Temp.", "Cel", &["zone"])
            .unwrap(),
        at_runtime
            .register_histogram(
                "app.latency",
                "Latency.",
                "ms",
                &["route"],
                &[1.0, 10.0, 100.0],
            )
            .unwrap(),
        at_runtime
            .register_info("app.build", "Build.", &["version"])
            .unwrap(),
    );
    for (reg, ids) in [(&by_const, ids), (&at_runtime, runtime_ids)] {
        reg.add(ids.0, &["mail", "GET"], 3).unwrap();
        reg.gauge_i64(ids.1, &[]).unwrap().set(-4);
        reg.gauge_f64(ids.2, &["cpu"]).unwrap().set(41.5);
        reg.observe(ids.3, &["/"], 7.0).unwrap();
        reg.set_info(ids.4, &["1.0"]).unwrap();
    }
    for format in [Format::Text004, Format::OpenMetrics100] {
        assert_eq!(scrape(&by_const, format), scrape(&at_runtime, format));
    }
    let text = scrape(&by_const, Format::Text004);
    assert!(text.contains("app_jobs_total{queue=\"mail\",http_method=\"GET\"} 3\n"));
    assert!(text.contains("app_latency_milliseconds_bucket{route=\"/\",le=\"10\"} 1\n"));
    assert!(text.contains("app_queue_bytes -4\n"));
}

#[test]
fn bad_family_definitions_are_typed_errors_at_run_time_too() {
    use otel_prom_core::registry::{Family, kind};
    type Def<K> = Family<K, 2, 4, 32>;
    assert_eq!(
        Def::<kind::Counter>::counter("", "", "", &[]).err(),
        Some(RegisterError::Name(NameError::Empty))
    );
    assert_eq!(
        Def::<kind::Counter>::counter("a", "", "", &["x", "y", "z"]).err(),
        Some(RegisterError::TooManyLabels)
    );
    assert_eq!(
        Def::<kind::Counter>::counter("a", "", "", &["x.y", "x_y"]).err(),
        Some(RegisterError::DuplicateLabel)
    );
    assert_eq!(
        Def::<kind::Histogram>::histogram("a", "", "", &["le"], &[1.0]).err(),
        Some(RegisterError::ReservedLabel)
    );
    assert_eq!(
        Def::<kind::Histogram>::histogram("a", "", "", &[], &[2.0, 1.0]).err(),
        Some(RegisterError::Bounds(HistogramError::BoundsNotIncreasing))
    );
    assert_eq!(
        Def::<kind::Histogram>::histogram("a", "", "", &[], &[f64::NAN]).err(),
        Some(RegisterError::Bounds(HistogramError::NanBound))
    );
    assert_eq!(
        Def::<kind::Histogram>::histogram("a", "", "", &[], &[1.0, 2.0, 3.0, 4.0]).err(),
        Some(RegisterError::TooManyBuckets)
    );
    assert_eq!(
        Def::<kind::GaugeF64>::gauge_f64("a", &"h".repeat(40), "", &[]).err(),
        Some(RegisterError::MetadataTooLong)
    );
    assert_eq!(
        Def::<kind::Info>::info("a", "", &["__x"])
            .ok()
            .map(|f| f.name().to_owned()),
        Some("a".to_owned())
    );
}

#[test]
fn units_become_words_openmetrics_accepts() {
    let reg: Registry<2, 2, 2> = Registry::with_strategy(Strategy::NoUtf8EscapingWithSuffixes);
    let odd = reg
        .register_gauge_i64("level", "", "a:b.c-d€", &[])
        .unwrap();
    let plain = reg.register_gauge_i64("wait", "", "ms", &[]).unwrap();
    reg.gauge_i64(odd, &[]).unwrap().set(1);
    reg.gauge_i64(plain, &[]).unwrap().set(2);
    let text = String::from_utf8(
        reg.write(Vec::new(), Format::OpenMetrics100, Escaping::AllowUtf8)
            .unwrap(),
    )
    .unwrap();
    // `# UNIT` takes only `[a-zA-Z0-9_]+`, and must end the family name.
    assert!(
        text.contains("# UNIT level_a_b_c_d a_b_c_d\nlevel_a_b_c_d 1\n"),
        "{text}"
    );
    assert!(
        text.contains("# UNIT wait_milliseconds milliseconds\n"),
        "{text}"
    );
}

#[test]
fn series_created_while_others_look_up_and_scrape_are_each_created_once() {
    // Four threads, released together, record into the same new label
    // values in the same order (two walk them backwards), while a fifth scrapes: each label set becomes exactly one
    // series, every scrape lists a series at most once with a value that
    // never goes down, and no recording is lost. Small under Miri, which
    // explores the interleavings (and weak memory) this registry publishes
    // series under.
    const KEYS: usize = if cfg!(miri) { 6 } else { 48 };
    const ROUNDS: u64 = if cfg!(miri) { 3 } else { 200 };
    static REG: Registry<1, 64, 64> = Registry::new();
    let c = REG.register_counter("jobs", "", "", &["key"]).unwrap();
    let keys: Vec<String> = (0..KEYS).map(|k| format!("k{k}")).collect();
    let done = std::sync::atomic::AtomicBool::new(false);
    let start = std::sync::Barrier::new(4);
    std::thread::scope(|s| {
        let scraper = s.spawn(|| {
            let mut last = [0u64; KEYS];
            let mut scrapes = 0;
            while !done.load(std::sync::atomic::Ordering::Acquire) || scrapes < 2 {
                let page = REG
                    .write(Vec::new(), Format::OpenMetrics100, Escaping::Underscores)
                    .unwrap();
                let page = String::from_utf8(page).unwrap();
                assert!(page.ends_with("# EOF\n"), "{page}");
                let mut seen = [false; KEYS];
                for line in page.lines().filter(|l| l.starts_with("jobs_total{")) {
                    let (labels, value) = line.split_once(' ').unwrap();
                    let k: usize = labels
                        .strip_prefix("jobs_total{key=\"k")
                        .and_then(|l| l.strip_suffix("\"}"))
                        .and_then(|k| k.parse().ok())
                        .unwrap_or_else(|| panic!("malformed line {line:?}"));
                    assert!(!seen[k], "k{k} listed twice:\n{page}");
                    seen[k] = true;
                    let v: u64 = value.parse().unwrap();
                    assert!(
                        v >= last[k] && v <= 4 * ROUNDS,
                        "k{k}: {v} after {}",
                        last[k]
                    );
                    last[k] = v;
                }
                scrapes += 1;
            }
        });
        let workers: Vec<_> = (0..4)
            .map(|t| {
                let (keys, start) = (&keys, &start);
                s.spawn(move || {
                    start.wait();
                    for _ in 0..ROUNDS {
                        for i in 0..KEYS {
                            let i = if t % 2 == 0 { i } else { KEYS - 1 - i };
                            let key = keys[i].as_str();
                            REG.add(c, &[key], 1).unwrap();
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::Release);
        scraper.join().unwrap();
    });
    assert_eq!(REG.series_len(), KEYS);
    for key in &keys {
        assert_eq!(REG.counter(c, &[key]).unwrap().get(), 4 * ROUNDS, "{key}");
    }
}
