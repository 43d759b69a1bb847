//! Registration at run time refuses exactly the families whose names some
//! scrape would write twice, judged by the scrapes themselves: for every
//! pair of kinds and names from a pool built to collide, under every
//! strategy, an accepted pair renders no family or sample name (nor a
//! potential `_created`) twice in any format and escaping, and a refused
//! pair, registered apart, renders a shared name in at least one. Label
//! names the same way, within one family.

use std::collections::BTreeSet;

use otel_prom_core::error::RegisterError;
use otel_prom_core::registry::{Family, Registry, kind};
use otel_prom_core::{Escaping, Format, Strategy};

type Reg = Registry<2, 4, 16, 2, 32, 4, 128>;

const STRATEGIES: [Strategy; 4] = [
    Strategy::UnderscoreEscapingWithSuffixes,
    Strategy::UnderscoreEscapingWithoutSuffixes,
    Strategy::NoUtf8EscapingWithSuffixes,
    Strategy::NoTranslation,
];
const FORMATS: [Format; 3] = [Format::Text004, Format::Text100, Format::OpenMetrics100];
const ESCAPINGS: [Escaping; 4] = [
    Escaping::Underscores,
    Escaping::Dots,
    Escaping::Values,
    Escaping::AllowUtf8,
];

#[derive(Debug, Clone, Copy)]
enum Kind {
    Counter,
    GaugeI64,
    GaugeF64,
    Histogram,
    Info,
}

const KINDS: [Kind; 5] = [
    Kind::Counter,
    Kind::GaugeI64,
    Kind::GaugeF64,
    Kind::Histogram,
    Kind::Info,
];

/// Names that meet through suffixes, escaping, or `values`' prefix.
const NAMES: [&str; 15] = [
    "x",
    "x_total",
    "x.total",
    "x_count",
    "x_bucket",
    "x_created",
    "x_info",
    "x.y",
    "x_y",
    "x-y",
    "x_y_total",
    "x_y_sum",
    "U__x_2e_y",
    "x__y",
    "y",
];

/// Registers `name` as `kind` and records one series into it.
fn define(reg: &Reg, kind: Kind, name: &str) -> Result<(), RegisterError> {
    match kind {
        Kind::Counter => reg.add(reg.register_counter(name, "", "", &[])?, &[], 1),
        Kind::GaugeI64 => reg
            .gauge_i64(reg.register_gauge_i64(name, "", "", &[])?, &[])
            .map(|g| g.set(1)),
        Kind::GaugeF64 => reg
            .gauge_f64(reg.register_gauge_f64(name, "", "", &[])?, &[])
            .map(|g| g.set(1.5)),
        Kind::Histogram => {
            reg.observe(reg.register_histogram(name, "", "", &[], &[1.0])?, &[], 0.5)
        }
        Kind::Info => reg.set_info(reg.register_info(name, "", &[])?, &[]),
    }
    .expect("a registered family records");
    Ok(())
}

/// A name at the start of `s` (quoted or not) and the rest.
fn take_name(s: &str) -> (String, &str) {
    if let Some(quoted) = s.strip_prefix('"') {
        let end = quoted.find('"').expect("a closed quote");
        (quoted[..end].to_string(), &quoted[end + 1..])
    } else {
        let end = s.find(['{', ' ', '=', ',', '}']).unwrap_or(s.len());
        (s[..end].to_string(), &s[end..])
    }
}

/// Per family in `page`: its name, its samples' names and, for
/// OpenMetrics counters and histograms, the `_created` it may have.
fn family_names(page: &str, om: bool) -> Vec<BTreeSet<String>> {
    let mut families: Vec<BTreeSet<String>> = Vec::new();
    for line in page.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, rest) = take_name(rest);
            let mut names = BTreeSet::new();
            if om && matches!(rest.trim(), "counter" | "histogram") {
                names.insert(format!("{name}_created"));
            }
            names.insert(name);
            families.push(names);
        } else if line.starts_with('#') || line.is_empty() {
            continue;
        } else {
            let name = match line.strip_prefix('{') {
                Some(rest) => take_name(rest).0,
                None => take_name(line).0,
            };
            families
                .last_mut()
                .expect("a sample after its TYPE")
                .insert(name);
        }
    }
    families
}

/// The label names of the first sample line of `page`, in order.
fn label_names(page: &str) -> Vec<String> {
    let line = page
        .lines()
        .find(|l| !l.starts_with('#'))
        .expect("a sample");
    let mut rest = match line.strip_prefix('{') {
        // `{"name",label=...`: the name first.
        Some(inner) => {
            let (_, rest) = take_name(inner);
            rest.strip_prefix(',').unwrap_or(rest)
        }
        None => {
            let start = line.find('{').expect("labels");
            &line[start + 1..]
        }
    };
    let mut names = Vec::new();
    while !rest.starts_with('}') && !rest.is_empty() {
        let (name, after) = take_name(rest);
        names.push(name);
        // Skip `="value"` (pool values hold no quotes) and a comma.
        let after = after.strip_prefix("=\"").expect("a value");
        let end = after.find('"').expect("a closed value");
        rest = after[end + 1..]
            .strip_prefix(',')
            .unwrap_or(&after[end + 1..]);
    }
    names
}

fn pages(reg: &Reg) -> Vec<(Format, Escaping, String)> {
    let mut out = Vec::new();
    for format in FORMATS {
        for escaping in ESCAPINGS {
            let page = String::from_utf8(reg.write(Vec::new(), format, escaping).unwrap()).unwrap();
            out.push((format, escaping, page));
        }
    }
    out
}

#[test]
fn families_are_refused_exactly_when_some_scrape_would_write_a_name_twice() {
    let (mut accepted, mut refused) = (0, 0);
    for strategy in STRATEGIES {
        for a_kind in KINDS {
            for a_name in NAMES {
                for b_kind in KINDS {
                    for b_name in NAMES {
                        let both = Reg::with_strategy(strategy);
                        define(&both, a_kind, a_name).unwrap();
                        let case =
                            format!("{strategy:?}: {a_kind:?} {a_name} then {b_kind:?} {b_name}");
                        match define(&both, b_kind, b_name) {
                            Ok(()) => {
                                if both.families_len() == 1 {
                                    continue; // the same family again
                                }
                                accepted += 1;
                                for (format, escaping, page) in pages(&both) {
                                    let om = format == Format::OpenMetrics100;
                                    let fams = family_names(&page, om);
                                    assert_eq!(fams.len(), 2, "{case}\n{page}");
                                    let shared: Vec<_> = fams[0].intersection(&fams[1]).collect();
                                    assert!(
                                        shared.is_empty(),
                                        "{case}: accepted, but {format:?}/{escaping:?} writes {shared:?} twice\n{page}"
                                    );
                                }
                            }
                            Err(RegisterError::NameClash) | Err(RegisterError::Conflict) => {
                                refused += 1;
                                let (alone_a, alone_b) =
                                    (Reg::with_strategy(strategy), Reg::with_strategy(strategy));
                                define(&alone_a, a_kind, a_name).unwrap();
                                define(&alone_b, b_kind, b_name).unwrap();
                                let meet = pages(&alone_a).iter().zip(pages(&alone_b)).any(
                                    |((format, _, a), (_, _, b))| {
                                        let om = *format == Format::OpenMetrics100;
                                        let (a, b) = (family_names(a, om), family_names(&b, om));
                                        !a[0].is_disjoint(&b[0])
                                    },
                                );
                                assert!(
                                    meet,
                                    "{case}: refused, but no scrape writes a name of both"
                                );
                            }
                            Err(e) => panic!("{case}: {e:?}"),
                        }
                    }
                }
            }
        }
    }
    // Both outcomes are exercised in numbers, so neither check is vacuous.
    assert!(
        accepted > 3_000 && refused > 1_000,
        "{accepted} accepted, {refused} refused"
    );
}

/// Label names that meet under some escaping, or do not.
const LABELS: [&str; 9] = [
    "a",
    "a_b",
    "a.b",
    "a-b",
    "a:b",
    "a__b",
    "U__a_2e_b",
    "é",
    "_",
];

#[test]
fn label_names_are_refused_exactly_when_some_scrape_would_write_one_twice() {
    let (mut accepted, mut refused) = (0, 0);
    for strategy in STRATEGIES {
        for first in LABELS {
            for second in LABELS {
                let reg = Reg::with_strategy(strategy);
                let case = format!("{strategy:?}: labels {first} and {second}");
                match reg.register_counter("c", "", "", &[first, second]) {
                    Ok(id) => {
                        accepted += 1;
                        reg.add(id, &["1", "2"], 1).unwrap();
                        for (format, escaping, page) in pages(&reg) {
                            let names = label_names(&page);
                            assert_eq!(names.len(), 2, "{case}\n{page}");
                            assert_ne!(
                                names[0], names[1],
                                "{case}: {format:?}/{escaping:?}\n{page}"
                            );
                        }
                    }
                    Err(RegisterError::DuplicateLabel) => {
                        refused += 1;
                        let alone = |label| {
                            let reg = Reg::with_strategy(strategy);
                            let id = reg.register_counter("c", "", "", &[label]).unwrap();
                            reg.add(id, &["1"], 1).unwrap();
                            pages(&reg)
                        };
                        let meet = alone(first)
                            .iter()
                            .zip(alone(second))
                            .any(|((_, _, a), (_, _, b))| label_names(a) == label_names(&b));
                        assert!(meet, "{case}: refused, but no scrape writes them alike");
                    }
                    Err(e) => panic!("{case}: {e:?}"),
                }
            }
        }
    }
    assert!(
        accepted > 100 && refused > 50,
        "{accepted} accepted, {refused} refused"
    );
}

#[test]
fn a_clash_names_what_went_wrong_and_keeps_the_first_family() {
    let reg = Reg::new();
    let counter = reg.register_counter("jobs", "", "", &[]).unwrap();
    reg.add(counter, &[], 3).unwrap();
    let e = reg
        .register_gauge_i64("jobs_total", "", "", &[])
        .unwrap_err();
    assert_eq!(e, RegisterError::NameClash);
    assert_eq!(
        e.to_string(),
        "another family could write one of this family's names in some scrape"
    );
    assert_eq!(reg.families_len(), 1);
    let page = String::from_utf8(
        reg.write(Vec::new(), Format::Text004, Escaping::Underscores)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(page, "# TYPE jobs_total counter\njobs_total 3\n");
}

#[test]
fn long_names_are_told_apart_by_their_last_character() {
    // Each `.` is written as five bytes under `dots` and four under
    // `values`: the check must compare such names whole, not a prefix.
    for (strategy, stem) in [
        (Strategy::NoTranslation, ".".repeat(127)),
        (Strategy::NoTranslation, "é".repeat(63)),
        (Strategy::UnderscoreEscapingWithSuffixes, "x".repeat(100)),
    ] {
        let reg = Reg::with_strategy(strategy);
        for last in ["a", "b"] {
            let name = format!("{stem}{last}");
            assert!(name.len() <= 128);
            define(&reg, Kind::GaugeF64, &name)
                .unwrap_or_else(|e| panic!("{strategy:?} {name}: {e:?}"));
        }
        assert_eq!(reg.families_len(), 2, "{strategy:?}");
        for (format, escaping, page) in pages(&reg) {
            let fams = family_names(&page, format == Format::OpenMetrics100);
            assert_eq!(fams.len(), 2, "{format:?}/{escaping:?}\n{page}");
            assert!(fams[0].is_disjoint(&fams[1]), "{format:?}/{escaping:?}");
        }
        // A name `underscores` writes alike with one of them, to its last
        // byte, is still refused.
        let underscored: String = stem
            .chars()
            .map(|c| if c == 'x' { c } else { '_' })
            .collect();
        let expected = if underscored == stem {
            Err(RegisterError::Conflict) // the same name, another kind
        } else {
            Err(RegisterError::NameClash)
        };
        assert_eq!(
            define(&reg, Kind::Counter, &format!("{underscored}a")),
            expected,
            "{strategy:?}"
        );
    }
}

#[test]
fn a_name_that_is_only_its_suffix_keeps_it_and_clashes_as_written() {
    // `_total` and `_info` are not stripped down to nothing: the counter
    // `_total` writes `_total_total`, the info `_info` writes `_info_info`.
    let reg = Reg::new();
    define(&reg, Kind::Counter, "_total").unwrap();
    define(&reg, Kind::Info, "_info").unwrap();
    assert_eq!(
        define(&reg, Kind::GaugeI64, "_total_total"),
        Err(RegisterError::NameClash)
    );
    assert_eq!(
        define(&reg, Kind::GaugeI64, "_info_info"),
        Err(RegisterError::NameClash)
    );
    let page = String::from_utf8(
        reg.write(Vec::new(), Format::Text004, Escaping::Underscores)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        page,
        "# TYPE _total_total counter\n_total_total 1\n# TYPE _info_info gauge\n_info_info 1\n"
    );
}

/// Runs `$body` with `$f` bound to a `Family` of `$kind` named `$name`.
macro_rules! with_family {
    ($kind:expr, $name:expr, |$f:ident| $body:expr) => {
        match $kind {
            Kind::Counter => {
                let $f: Family<kind::Counter, 2, 4, 128> =
                    Family::counter($name, "", "", &[]).unwrap();
                $body
            }
            Kind::GaugeI64 => {
                let $f: Family<kind::GaugeI64, 2, 4, 128> =
                    Family::gauge_i64($name, "", "", &[]).unwrap();
                $body
            }
            Kind::GaugeF64 => {
                let $f: Family<kind::GaugeF64, 2, 4, 128> =
                    Family::gauge_f64($name, "", "", &[]).unwrap();
                $body
            }
            Kind::Histogram => {
                let $f: Family<kind::Histogram, 2, 4, 128> =
                    Family::histogram($name, "", "", &[], &[1.0]).unwrap();
                $body
            }
            Kind::Info => {
                let $f: Family<kind::Info, 2, 4, 128> = Family::info($name, "", &[]).unwrap();
                $body
            }
        }
    };
}

#[test]
fn families_defined_in_consts_are_apart_exactly_when_registration_would_accept_them() {
    let (mut apart, mut meet) = (0, 0);
    for a_kind in KINDS {
        for a_name in NAMES {
            for b_kind in KINDS {
                for b_name in NAMES {
                    let reg = Reg::new();
                    define(&reg, a_kind, a_name).unwrap();
                    let accepted = define(&reg, b_kind, b_name).is_ok();
                    if accepted && reg.families_len() == 1 {
                        continue; // the same family again
                    }
                    let is_apart =
                        with_family!(a_kind, a_name, |a| with_family!(b_kind, b_name, |b| a
                            .apart_from(&b)));
                    assert_eq!(
                        is_apart, accepted,
                        "{a_kind:?} {a_name} and {b_kind:?} {b_name}"
                    );
                    if is_apart { apart += 1 } else { meet += 1 }
                }
            }
        }
    }
    assert!(apart > 1_000 && meet > 300, "{apart} apart, {meet} meet");
}
