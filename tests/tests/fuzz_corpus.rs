//! The fuzz targets on stable: every committed input (the minimised corpus
//! of the fuzzing runs, and `fuzz/regressions/`: inputs that once failed
//! and hand-written seeds), plus a fixed set of pseudo-random inputs, run
//! through the same target functions and their invariants.

#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use std::path::PathBuf;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seed corpus in {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// Deterministic inputs of every length up to 256 (xorshift64*).
fn pseudo_random(count: usize) -> impl Iterator<Item = Vec<u8>> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    (0..count).map(move |i| {
        (0..i % 257)
            .map(|_| {
                state ^= state >> 12;
                state ^= state << 25;
                state ^= state >> 27;
                (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
            })
            .collect()
    })
}

fn run(target: &str, f: fn(&[u8])) {
    for (path, bytes) in corpus(target) {
        let outcome = std::panic::catch_unwind(|| f(&bytes));
        assert!(
            outcome.is_ok(),
            "{target}: corpus input {} fails",
            path.display()
        );
    }
    for bytes in pseudo_random(3000) {
        f(&bytes);
    }
}

#[test]
fn encoder_corpus() {
    run("encoder", harness::encoder);
}

#[test]
fn translate_corpus() {
    run("translate", harness::translate);
}

#[test]
fn negotiate_corpus() {
    run("negotiate", harness::negotiate);
}

#[test]
fn registry_corpus() {
    run("registry", harness::registry);
}

#[test]
fn the_checker_rejects_what_it_should() {
    use otel_prom_core::Format;
    let bad = [
        ("x 1", Format::Text004, "no newline"),
        ("# TYPE x counter\ny 1\n", Format::Text004, "outside family"),
        (
            "# TYPE x counter\nx{a=\"b\n",
            Format::Text004,
            "raw newline in a label value",
        ),
        (
            "# TYPE x counter\nx{a=\"\\q\"} 1\n",
            Format::Text004,
            "bad escape",
        ),
        (
            "# TYPE x histogram\nx_bucket{le=\"1\"} 2\nx_bucket{le=\"+Inf\"} 1\n",
            Format::Text004,
            "decreasing buckets",
        ),
        (
            "# TYPE x histogram\nx_bucket{le=\"+Inf\"} 2\nx_count 3\n",
            Format::Text004,
            "count vs +Inf",
        ),
        ("# TYPE x gauge\nx 1\n", Format::OpenMetrics100, "no # EOF"),
        ("# EOF\n", Format::Text004, "# EOF in text"),
        (
            "# TYPE x gauge\n# EOF\nx 1\n",
            Format::OpenMetrics100,
            "sample after # EOF",
        ),
        (
            "# TYPE x gauge\nx one\n",
            Format::Text004,
            "non-numeric value",
        ),
        (
            "# TYPE x counter\nx_total 1\n",
            Format::Text004,
            "counter suffix in 0.0.4 family",
        ),
    ];
    for (text, format, why) in bad {
        assert!(
            harness::check_exposition(text, format).is_err(),
            "accepted: {why}"
        );
    }
    let good = "# HELP x_seconds A \\\\ b \\n.\n# TYPE x_seconds histogram\n# UNIT x_seconds seconds\n\
                x_seconds_bucket{le=\"1.0\"} 1\nx_seconds_bucket{le=\"+Inf\"} 2\nx_seconds_count 2\n\
                x_seconds_sum 3.5\n# TYPE \"a.b\" gauge\n{\"a.b\",\"c.d\"=\"\\\"}\"} NaN 12\n# EOF\n";
    let parsed = harness::check_exposition(good, Format::OpenMetrics100).unwrap();
    assert_eq!(parsed.families, 2);
    assert_eq!(parsed.samples.len(), 5);
    assert_eq!(
        parsed.samples[4].labels,
        vec![("c.d".to_string(), "\"}".to_string())]
    );
}
