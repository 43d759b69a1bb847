//! Golden expositions: the fixture rendered in every format and escaping
//! scheme, compared byte for byte with `tests/golden/*.txt`.
//! `UPDATE_GOLDEN=1 cargo test -p otel-prom-tests --test golden` rewrites them.

use std::path::PathBuf;

use otel_prom_core::{Escaping, Format};
use otel_prom_tests::fixture::render;

const CASES: &[(&str, Format, Escaping)] = &[
    ("text_0.0.4", Format::Text004, Escaping::Underscores),
    ("text_0.0.4_dots", Format::Text004, Escaping::Dots),
    ("text_0.0.4_values", Format::Text004, Escaping::Values),
    ("text_1.0.0_utf8", Format::Text100, Escaping::AllowUtf8),
    ("openmetrics", Format::OpenMetrics100, Escaping::Underscores),
    (
        "openmetrics_utf8",
        Format::OpenMetrics100,
        Escaping::AllowUtf8,
    ),
];

#[test]
fn fixture_matches_golden_files() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden");
    let update = std::env::var("UPDATE_GOLDEN").is_ok();
    for (name, format, escaping) in CASES {
        let got = render(*format, *escaping);
        let path = dir.join(format!("{name}.txt"));
        if update {
            std::fs::write(&path, &got).unwrap();
        }
        let want =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(got, want, "{name} differs from {}", path.display());
    }
}

#[test]
fn text_004_with_utf8_asked_equals_underscores() {
    assert_eq!(
        render(Format::Text004, Escaping::AllowUtf8),
        render(Format::Text004, Escaping::Underscores)
    );
}
