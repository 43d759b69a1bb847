//! Fuzz targets for `otel-prom-core` and the invariants they check.
//!
//! Each target turns arbitrary bytes into calls on the public API and then
//! checks what came out, so a finding is a wrong answer as much as a crash:
//!
//! - [`encoder`]: families of every type with arbitrary names, help, units,
//!   label sets and values, in every format and escaping scheme; the output
//!   must be a well-formed exposition ([`check_exposition`]) with exactly the
//!   samples that were written.
//! - [`translate`]: OpenTelemetry name and unit translation under the four
//!   strategies; results must be valid names of the strategy's character
//!   set, never doubly suffixed, within [`translated_len_bound`].
//! - [`negotiate`]: arbitrary `Accept` headers; the answer's `Content-Type`
//!   must negotiate back to the same answer.
//! - [`registry`]: arbitrary sequences of register / record / scrape on a
//!   small registry (so capacity errors happen); every scrape is
//!   well-formed and its counter totals equal what the accepted operations
//!   added.
//!
//! The same functions run on stable over the committed corpus
//! (`tests/tests/fuzz_corpus.rs`), so a finding, once added to the corpus,
//! stays a regression test.

use std::collections::BTreeMap;

use otel_prom_core::registry::{CounterId, GaugeI64Id, HistogramId, InfoId, Registry};
use otel_prom_core::translate::{InstrumentKind, label_name, metric_name, translated_len_bound};
use otel_prom_core::{
    Bounds, Encoder, Escaping, Format, Histogram, LabelName, Metadata, MetricName, Number, Strategy,
};

/// Reads structured values from fuzz bytes; past the end everything is 0.
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    /// Reads from `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    /// True when every byte was used.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// One byte (0 past the end).
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n.max(1)
    }

    /// A string: a length byte (capped at `max`), then that many bytes, cut
    /// back to their longest UTF-8 prefix.
    pub fn str(&mut self, max: usize) -> &'a str {
        let len = self.below(max + 1).min(self.data.len());
        let (bytes, rest) = self.data.split_at(len);
        self.data = rest;
        match std::str::from_utf8(bytes) {
            Ok(s) => s,
            // valid_up_to() is a char boundary, so this cannot fail.
            Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or(""),
        }
    }

    /// A u64: small values often, any value sometimes.
    pub fn u64(&mut self) -> u64 {
        match self.byte() % 4 {
            0 => u64::from(self.byte()),
            1 => u64::MAX - u64::from(self.byte()),
            _ => u64::from_le_bytes(std::array::from_fn(|_| self.byte())),
        }
    }

    /// An f64, special values included.
    pub fn f64(&mut self) -> f64 {
        const SPECIAL: [f64; 12] = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            1e-5,
            1e21,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        match self.byte() % 3 {
            0 => SPECIAL[self.below(SPECIAL.len())],
            1 => f64::from(self.byte() as i8) / 4.0,
            _ => f64::from_bits(u64::from_le_bytes(std::array::from_fn(|_| self.byte()))),
        }
    }

    fn format(&mut self) -> Format {
        [Format::Text004, Format::Text100, Format::OpenMetrics100][self.below(3)]
    }

    fn escaping(&mut self) -> Escaping {
        [
            Escaping::AllowUtf8,
            Escaping::Underscores,
            Escaping::Dots,
            Escaping::Values,
        ][self.below(4)]
    }

    fn strategy(&mut self) -> Strategy {
        [
            Strategy::UnderscoreEscapingWithSuffixes,
            Strategy::UnderscoreEscapingWithoutSuffixes,
            Strategy::NoUtf8EscapingWithSuffixes,
            Strategy::NoTranslation,
        ][self.below(4)]
    }
}

/// Per histogram series (labels without `le`): the last bucket count and
/// the `+Inf` count once seen.
type Buckets = BTreeMap<Vec<(String, String)>, (f64, Option<f64>)>;

/// What a well-formed exposition held.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Exposition {
    /// Families declared by `# TYPE`.
    pub families: usize,
    /// Sample lines.
    pub samples: Vec<Sample>,
}

/// One sample line, unescaped.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The type of the family it belongs to (`counter`, `histogram`, …).
    pub kind: String,
    /// The full sample name (`x_total`, `x_bucket`, …).
    pub name: String,
    /// Label pairs in line order.
    pub labels: Vec<(String, String)>,
    /// The value as written.
    pub value: String,
}

/// Checks that `text` is a well-formed exposition in `format`:
///
/// - every line ends in `\n`; only `# HELP`, `# TYPE`, `# UNIT` (OpenMetrics)
///   and `# EOF` comments, with valid escapes;
/// - every sample parses (names, quoted labels with valid escapes, a number,
///   an optional timestamp and OpenMetrics exemplar) and belongs to the
///   family declared above it, with a suffix its type allows;
/// - histograms: per series, bucket counts never decrease, the last bucket
///   is `+Inf` and `_count` equals it;
/// - OpenMetrics ends in exactly one `# EOF`; the text formats have none.
pub fn check_exposition(text: &str, format: Format) -> Result<Exposition, String> {
    let om = format.is_openmetrics();
    if !text.is_empty() && !text.ends_with('\n') {
        return Err("output does not end in a newline".into());
    }
    let mut out = Exposition::default();
    let mut family: Option<(String, String)> = None;
    let mut eof = false;
    let mut buckets = Buckets::new();
    for line in text.split_terminator('\n') {
        if eof {
            return Err(format!("line after # EOF: {line:?}"));
        }
        if let Some(comment) = line.strip_prefix('#') {
            if comment == " EOF" {
                if !om {
                    return Err("# EOF in a text format".into());
                }
                eof = true;
                continue;
            }
            let mut p = Cursor::new(comment);
            p.expect(" ")?;
            let keyword = p.until(' ');
            p.expect(" ")?;
            let name = p.name()?;
            match keyword {
                "TYPE" => {
                    p.expect(" ")?;
                    let kind = p.rest();
                    let allowed: &[&str] = if om {
                        &["counter", "gauge", "histogram", "info", "unknown"]
                    } else {
                        &["counter", "gauge", "histogram", "untyped"]
                    };
                    if !allowed.contains(&kind) {
                        return Err(format!("unknown type {kind:?}"));
                    }
                    check_histograms(&buckets)?;
                    buckets.clear();
                    out.families += 1;
                    family = Some((name, kind.to_string()));
                }
                "HELP" => {
                    if !p.is_empty() {
                        p.expect(" ")?;
                        check_escapes(p.rest(), if om { "\\n\"" } else { "\\n" })?;
                    }
                }
                "UNIT" if om => {
                    p.expect(" ")?;
                    let unit = p.rest();
                    if !name.ends_with(&format!("_{unit}")) {
                        return Err(format!("# UNIT {unit} is not a suffix of {name}"));
                    }
                }
                _ => return Err(format!("unexpected comment {line:?}")),
            }
            continue;
        }
        let mut sample = parse_sample(line, om)?;
        let Some((fam, kind)) = &family else {
            return Err(format!("sample before any # TYPE: {line:?}"));
        };
        let suffix = sample
            .name
            .strip_prefix(fam.as_str())
            .ok_or_else(|| format!("sample {:?} outside family {fam:?}", sample.name))?;
        let allowed: &[&str] = match (kind.as_str(), om) {
            ("counter", true) => &["_total", "_created"],
            ("counter", false) => &[""],
            ("histogram", true) => &["_bucket", "_sum", "_count", "_created"],
            ("histogram", false) => &["_bucket", "_sum", "_count"],
            ("info", _) => &["_info"],
            _ => &[""],
        };
        if !allowed.contains(&suffix) {
            return Err(format!("suffix {suffix:?} not allowed for a {kind}"));
        }
        if kind == "histogram" {
            let series: Vec<_> = sample
                .labels
                .iter()
                .filter(|(k, _)| k != "le")
                .cloned()
                .collect();
            let value = parse_value(&sample.value)?;
            match suffix {
                "_bucket" => {
                    let le = sample
                        .labels
                        .iter()
                        .find(|(k, _)| k == "le")
                        .ok_or("bucket without le")?;
                    let entry = buckets.entry(series).or_insert((0.0, None));
                    if entry.1.is_some() {
                        // The same labels again: a new run of buckets (a
                        // duplicate series is the caller's to avoid).
                        *entry = (0.0, None);
                    }
                    if value < entry.0 {
                        return Err(format!("bucket counts decrease at le={}", le.1));
                    }
                    entry.0 = value;
                    if le.1 == "+Inf" {
                        entry.1 = Some(value);
                    }
                }
                "_count" => match buckets.get(&series) {
                    Some((_, Some(inf))) if *inf == value => {}
                    other => {
                        return Err(format!("_count {value} of {series:?} vs buckets {other:?}"));
                    }
                },
                _ => {}
            }
        }
        sample.kind.clone_from(kind);
        out.samples.push(sample);
    }
    check_histograms(&buckets)?;
    if om && !eof {
        return Err("OpenMetrics without # EOF".into());
    }
    Ok(out)
}

fn check_histograms(buckets: &Buckets) -> Result<(), String> {
    match buckets.iter().find(|(_, (_, inf))| inf.is_none()) {
        Some((series, _)) => Err(format!("histogram series {series:?} without a +Inf bucket")),
        None => Ok(()),
    }
}

fn check_escapes(text: &str, allowed: &str) -> Result<(), String> {
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(e) if allowed.contains(e) || e == '\\' => {}
                other => return Err(format!("invalid escape \\{other:?} in {text:?}")),
            }
        }
    }
    Ok(())
}

fn parse_value(v: &str) -> Result<f64, String> {
    match v {
        "NaN" => Ok(f64::NAN),
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ if v.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) => {
            v.parse::<f64>().map_err(|e| format!("value {v:?}: {e}"))
        }
        _ => Err(format!("value {v:?} is not a number")),
    }
}

fn parse_sample(line: &str, om: bool) -> Result<Sample, String> {
    let mut p = Cursor::new(line);
    let mut labels = Vec::new();
    let name;
    if p.peek() == Some('{') {
        // UTF-8 form: {"name",label="v"}
        p.expect("{")?;
        name = p.quoted()?;
        if p.peek() == Some(',') {
            p.expect(",")?;
            p.labels(&mut labels)?;
        } else {
            p.expect("}")?;
        }
    } else {
        name = p.name()?;
        if p.peek() == Some('{') {
            p.expect("{")?;
            p.labels(&mut labels)?;
        }
    }
    p.expect(" ")?;
    let value = p.until(' ').to_string();
    parse_value(&value)?;
    if !p.is_empty() {
        p.expect(" ")?;
        if p.peek() == Some('#') {
            if !om {
                return Err("exemplar in a text format".into());
            }
        } else {
            let ts = p.until(' ');
            parse_value(ts)?;
            if !p.is_empty() {
                p.expect(" ")?;
            }
        }
        if !p.is_empty() {
            p.expect("# {")?;
            let mut ex = Vec::new();
            if p.peek() == Some('}') {
                p.expect("}")?;
            } else {
                p.labels(&mut ex)?;
            }
            p.expect(" ")?;
            parse_value(p.until(' '))?;
            if !p.is_empty() {
                p.expect(" ")?;
                parse_value(p.rest())?;
            }
        }
    }
    Ok(Sample {
        kind: String::new(),
        name,
        labels,
        value,
    })
}

struct Cursor<'a> {
    s: &'a str,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor { s }
    }

    fn is_empty(&self) -> bool {
        self.s.is_empty()
    }

    fn peek(&self) -> Option<char> {
        self.s.chars().next()
    }

    fn expect(&mut self, want: &str) -> Result<(), String> {
        self.s = self
            .s
            .strip_prefix(want)
            .ok_or_else(|| format!("expected {want:?} at {:?}", self.s))?;
        Ok(())
    }

    fn until(&mut self, stop: char) -> &'a str {
        let end = self.s.find(stop).unwrap_or(self.s.len());
        let (head, tail) = self.s.split_at(end);
        self.s = tail;
        head
    }

    fn rest(&mut self) -> &'a str {
        std::mem::take(&mut self.s)
    }

    /// A legacy name, or a quoted UTF-8 one.
    fn name(&mut self) -> Result<String, String> {
        if self.peek() == Some('"') {
            return self.quoted();
        }
        let end = self
            .s
            .char_indices()
            .find(|&(i, c)| {
                !(c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit()))
            })
            .map_or(self.s.len(), |(i, _)| i);
        if end == 0 {
            return Err(format!("expected a name at {:?}", self.s));
        }
        let (name, rest) = self.s.split_at(end);
        self.s = rest;
        Ok(name.to_string())
    }

    /// A double-quoted string with `\\`, `\"` and `\n` escapes.
    fn quoted(&mut self) -> Result<String, String> {
        self.expect("\"")?;
        let mut out = String::new();
        let mut chars = self.s.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.s = &self.s[i + 1..];
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, e @ ('\\' | '"'))) => out.push(e),
                    other => return Err(format!("invalid escape {other:?}")),
                },
                c => out.push(c),
            }
        }
        Err("unterminated quoted string".into())
    }

    /// `name="value",…}` after the opening brace.
    fn labels(&mut self, out: &mut Vec<(String, String)>) -> Result<(), String> {
        loop {
            let name = self.name()?;
            self.expect("=")?;
            let value = self.quoted()?;
            out.push((name, value));
            match self.peek() {
                Some(',') => {
                    self.expect(",")?;
                    // A trailing comma before `}` is allowed.
                    if self.peek() == Some('}') {
                        self.expect("}")?;
                        return Ok(());
                    }
                }
                _ => return self.expect("}"),
            }
        }
    }
}

fn assert_well_formed(text: &[u8], format: Format) -> Exposition {
    let text = std::str::from_utf8(text).expect("the encoder wrote invalid UTF-8");
    match check_exposition(text, format) {
        Ok(e) => e,
        Err(e) => panic!("malformed {format:?} output: {e}\n{text}"),
    }
}

/// No name a family may write (its own, its samples', an OpenMetrics
/// `_created`) is another family's: OpenMetrics forbids such clashes, and
/// promtool refuses them. For whole scrapes of a registry or the SDK
/// adapter; the bare encoder writes what its caller gives it.
pub fn check_no_name_twice(text: &str, format: Format) -> Result<(), String> {
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    let mut family = String::new();
    for line in text.lines() {
        let names = if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.rsplit_once(' ').unwrap_or((rest, ""));
            family = name.trim_matches('"').to_string();
            let mut names = vec![family.clone()];
            if format == Format::OpenMetrics100 && matches!(kind, "counter" | "histogram") {
                names.push(format!("{family}_created"));
            }
            names
        } else if line.starts_with('#') || line.is_empty() {
            continue;
        } else {
            let name = line.strip_prefix("{\"").map_or_else(
                || line.split(['{', ' ']).next().unwrap_or(""),
                |quoted| quoted.split('"').next().unwrap_or(""),
            );
            vec![name.to_string()]
        };
        for name in names {
            let first = owner.entry(name.clone()).or_insert_with(|| family.clone());
            if *first != family {
                return Err(format!(
                    "{name:?} written by families {first:?} and {family:?}"
                ));
            }
        }
    }
    Ok(())
}

/// Fuzz target: the streaming encoder.
pub fn encoder(data: &[u8]) {
    let mut input = Input::new(data);
    let format = input.format();
    let escaping = input.escaping();
    let mut enc = Encoder::new(Vec::new(), format, escaping);
    let mut expected = 0usize;
    for _ in 0..input.below(5) {
        let kind = input.below(5);
        let name = input.str(24);
        let help = input.str(24);
        let unit = input.str(8);
        let Ok(metric) = MetricName::new(name) else {
            continue;
        };
        let mut meta = Metadata::new(metric, help);
        if let Ok(with_unit) = meta.with_unit(unit) {
            meta = with_unit;
        }
        let label_names: Vec<LabelName<'_>> = (0..input.below(3))
            .filter_map(|_| LabelName::new(input.str(10)).ok())
            .filter(|l| l.as_str() != "le")
            .collect();
        let mut unique = label_names.clone();
        unique.sort_by_key(|l| l.as_str());
        unique.dedup_by_key(|l| l.as_str());
        if unique.len() != label_names.len() {
            continue;
        }
        let bounds_store: Vec<f64> = (0..input.below(4)).map(|_| input.f64()).collect();
        let series = input.below(4);
        let mut values = Vec::new();
        for _ in 0..series {
            let labels: Vec<(LabelName<'_>, &str)> =
                label_names.iter().map(|&l| (l, input.str(16))).collect();
            values.push((labels, input.u64(), input.f64()));
        }
        let written = match kind {
            0 => {
                let mut fam = enc.counter(&meta).expect("Vec sink");
                for (labels, v, _) in &values {
                    fam.sample(&labels[..], Number::U64(*v)).expect("Vec sink");
                }
                values.len()
            }
            1 => {
                let mut fam = enc.gauge(&meta).expect("Vec sink");
                for (labels, _, f) in &values {
                    fam.sample(&labels[..], Number::F64(*f)).expect("Vec sink");
                }
                values.len()
            }
            2 => {
                let Ok(bounds) = Bounds::new(&bounds_store) else {
                    continue;
                };
                let mut fam = enc.histogram(&meta).expect("Vec sink");
                let mut lines = 0;
                for (labels, v, f) in &values {
                    let counts: Vec<u64> = (0..=bounds.len()).map(|i| (v >> i) % 1000).collect();
                    let h = Histogram::new(bounds, &counts, Number::F64(*f)).expect("counts fit");
                    fam.sample(&labels[..], &h).expect("Vec sink");
                    // OpenMetrics leaves out _sum/_count where they would be
                    // invalid (NaN or negative sum, negative bounds).
                    let negative = bounds.as_slice().first().is_some_and(|b| *b < 0.0);
                    let sum_ok = !format.is_openmetrics() || (*f >= 0.0 && !negative);
                    lines += counts.len() + if sum_ok { 2 } else { 0 };
                }
                lines
            }
            3 => {
                let mut fam = enc.info(&meta).expect("Vec sink");
                for (labels, _, _) in &values {
                    fam.sample(&labels[..]).expect("Vec sink");
                }
                values.len()
            }
            _ => {
                let mut fam = enc.unknown(&meta).expect("Vec sink");
                for (labels, _, f) in &values {
                    fam.sample(&labels[..], Number::F64(*f)).expect("Vec sink");
                }
                values.len()
            }
        };
        expected += written;
    }
    let text = enc.finish().expect("Vec sink");
    let exposition = assert_well_formed(&text, format);
    assert_eq!(
        exposition.samples.len(),
        expected,
        "samples written vs samples found\n{}",
        String::from_utf8_lossy(&text)
    );
}

/// Fuzz target: OpenTelemetry → Prometheus name translation.
pub fn translate(data: &[u8]) {
    let mut input = Input::new(data);
    let strategy = input.strategy();
    let kind = [
        InstrumentKind::Counter,
        InstrumentKind::Gauge,
        InstrumentKind::Histogram,
        InstrumentKind::Info,
        InstrumentKind::Unknown,
    ][input.below(5)];
    let small = input.byte().is_multiple_of(2);
    let name = input.str(40);
    let unit = input.str(16);
    let bound = translated_len_bound(name.len(), unit.len());
    let mut buf = vec![0u8; if small { bound / 2 } else { bound }];
    match metric_name(name, unit, kind, strategy, &mut buf) {
        Ok(t) => {
            let out = t.name().as_str();
            assert!(out.len() <= bound, "{out:?} longer than the bound {bound}");
            if strategy.sanitizes() {
                assert!(
                    t.name().is_legacy(),
                    "{out:?} not legacy under {strategy:?}"
                );
            }
            // Differential: only counters and infos have type suffixes
            // (and move `_total` behind the unit), so a histogram or unknown
            // translates exactly like a gauge.
            if matches!(kind, InstrumentKind::Histogram | InstrumentKind::Unknown) {
                let mut base_buf = vec![0u8; bound];
                let base = metric_name(name, unit, InstrumentKind::Gauge, strategy, &mut base_buf)
                    .expect("the gauge form translates like the others");
                assert_eq!(out, base.name().as_str(), "{kind:?} of {name:?} / {unit:?}");
            }
            // `_total` is the encoder's to add (it differs per format), and
            // it must be asked for wherever the strategy adds suffixes.
            if kind == InstrumentKind::Counter && strategy.adds_suffixes() {
                assert!(t.metadata("").has_total_suffix(), "{out:?} without _total");
            }
            if let Some(unit) = t.unit() {
                assert!(out.contains(unit), "{out:?} lacks its unit {unit:?}");
            }
        }
        // With a buffer of the documented bound, never "too small".
        Err(e) => assert!(
            small || e != otel_prom_core::NameError::BufferTooSmall,
            "{name:?} / {unit:?}: the bound {bound} was too small"
        ),
    }
    let mut label_buf = vec![0u8; name.len() + 1];
    if let Ok(l) = label_name(name, strategy, &mut label_buf)
        && strategy.sanitizes()
    {
        assert!(l.is_legacy(), "label {:?} not legacy", l.as_str());
    }
}

/// Fuzz target: `Accept` negotiation.
pub fn negotiate(data: &[u8]) {
    let accept = String::from_utf8_lossy(data);
    let answer = otel_prom_core::negotiate(Some(&accept));
    assert_eq!(
        answer.escaping,
        answer.format.effective_escaping(answer.escaping),
        "escaping not adjusted to the format"
    );
    let again = otel_prom_core::negotiate(Some(answer.content_type()));
    assert_eq!(
        again,
        answer,
        "{:?} does not negotiate back",
        answer.content_type()
    );
}

/// A family registered by the [`registry`] target, and what the model expects.
enum Registered {
    Counter(CounterId, BTreeMap<Vec<String>, u64>),
    Gauge(GaugeI64Id, BTreeMap<Vec<String>, i64>),
    Histogram(HistogramId, BTreeMap<Vec<String>, u64>),
    Info(InfoId, BTreeMap<Vec<String>, ()>),
}

/// Fuzz target: the registry under arbitrary operation sequences.
pub fn registry(data: &[u8]) {
    let mut input = Input::new(data);
    // Small on purpose: every capacity error is reachable. Under every
    // strategy: the UTF-8 ones keep `lat.count` apart from `lat_count`.
    let strategy = [
        Strategy::UnderscoreEscapingWithSuffixes,
        Strategy::UnderscoreEscapingWithoutSuffixes,
        Strategy::NoUtf8EscapingWithSuffixes,
        Strategy::NoTranslation,
    ][input.below(4)];
    let reg: Registry<4, 8, 24, 2, 16, 4, 96> = Registry::with_strategy(strategy);
    // (label count, family) per registered family.
    let mut families: Vec<(usize, Registered)> = Vec::new();
    // Names that meet: through `_total`, or through another family's
    // sample suffix (`lat_count`, `req_created`), or by escaping.
    const NAMES: [&str; 8] = [
        "req",
        "req.total",
        "temp",
        "lat",
        "bad name!",
        "lat_count",
        "lat.count",
        "req_created",
    ];
    const VALUES: [&str; 4] = ["a", "b", "\"}\n# EOF", "ü"];
    while !input.is_empty() {
        match input.below(4) {
            0 => {
                let name = NAMES[input.below(NAMES.len())];
                let labels = &["k", "j", "le"][..input.below(4)];
                let result = match input.below(4) {
                    0 => reg
                        .register_counter(name, "", "", labels)
                        .map(|id| Registered::Counter(id, BTreeMap::new())),
                    1 => reg
                        .register_gauge_i64(name, "", "", labels)
                        .map(|id| Registered::Gauge(id, BTreeMap::new())),
                    2 => reg
                        .register_histogram(name, "", "s", labels, &[0.5, 1.0])
                        .map(|id| Registered::Histogram(id, BTreeMap::new())),
                    _ => reg
                        .register_info(name, "", labels)
                        .map(|id| Registered::Info(id, BTreeMap::new())),
                };
                if let Ok(r) = result {
                    // Registering again returns the same id: keep one model.
                    let same = families.iter().any(|(_, f)| match (f, &r) {
                        (Registered::Counter(a, _), Registered::Counter(b, _)) => a == b,
                        (Registered::Gauge(a, _), Registered::Gauge(b, _)) => a == b,
                        (Registered::Histogram(a, _), Registered::Histogram(b, _)) => a == b,
                        (Registered::Info(a, _), Registered::Info(b, _)) => a == b,
                        _ => false,
                    });
                    if !same {
                        families.push((labels.len(), r));
                    }
                }
            }
            1 if !families.is_empty() => {
                let f = input.below(families.len());
                let (arity, fam) = &mut families[f];
                // Sometimes the wrong number of values, on purpose.
                let n = if input.byte().is_multiple_of(8) {
                    *arity + 1
                } else {
                    *arity
                };
                let values: Vec<&str> = (0..n).map(|_| VALUES[input.below(VALUES.len())]).collect();
                let key: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                match fam {
                    Registered::Counter(id, model) => {
                        let n = input.u64() % 1000;
                        if reg.add(*id, &values, n).is_ok() {
                            *model.entry(key).or_default() += n;
                        }
                    }
                    Registered::Gauge(id, model) => {
                        let d = i64::from(input.byte() as i8);
                        if let Ok(g) = reg.gauge_i64(*id, &values) {
                            g.add(d);
                            *model.entry(key).or_default() += d;
                        }
                    }
                    Registered::Histogram(id, model) => {
                        if reg.observe(*id, &values, input.f64()).is_ok() {
                            *model.entry(key).or_default() += 1;
                        }
                    }
                    Registered::Info(id, model) => {
                        if reg.set_info(*id, &values).is_ok() {
                            model.insert(key, ());
                        }
                    }
                }
            }
            _ => {
                let format = input.format();
                let escaping = input.escaping();
                let text = reg.write(Vec::new(), format, escaping).expect("Vec sink");
                let exposition = assert_well_formed(&text, format);
                if let Err(e) =
                    check_no_name_twice(std::str::from_utf8(&text).unwrap_or(""), format)
                {
                    panic!("{e}\n{}", String::from_utf8_lossy(&text));
                }
                check_registry_scrape(&reg, &families, &exposition);
            }
        }
    }
}

fn check_registry_scrape<
    const F: usize,
    const S: usize,
    const C: usize,
    const L: usize,
    const V: usize,
    const B: usize,
    const M: usize,
>(
    reg: &Registry<F, S, C, L, V, B, M>,
    families: &[(usize, Registered)],
    exposition: &Exposition,
) {
    let mut counter_total = 0u128;
    let mut series = 0usize;
    let mut histogram_count = 0u128;
    for (_, fam) in families {
        match fam {
            Registered::Counter(id, model) => {
                for (key, total) in model {
                    let values: Vec<&str> = key.iter().map(String::as_str).collect();
                    let now = reg.counter(*id, &values).expect("series exists").get();
                    assert_eq!(
                        now, *total,
                        "counter {key:?} holds {now}, the model {total}"
                    );
                    counter_total += u128::from(*total);
                }
                series += model.len();
            }
            Registered::Gauge(id, model) => {
                for (key, total) in model {
                    let values: Vec<&str> = key.iter().map(String::as_str).collect();
                    let now = reg.gauge_i64(*id, &values).expect("series exists").get();
                    assert_eq!(now, *total, "gauge {key:?}");
                }
                series += model.len();
            }
            Registered::Histogram(id, model) => {
                for (key, count) in model {
                    let values: Vec<&str> = key.iter().map(String::as_str).collect();
                    let now = reg.histogram(*id, &values).expect("series exists").count();
                    assert_eq!(now, *count, "histogram {key:?}");
                    histogram_count += u128::from(*count);
                }
                series += model.len();
            }
            Registered::Info(_, model) => series += model.len(),
        }
    }
    assert_eq!(
        reg.series_len(),
        series,
        "series in the registry vs the model"
    );
    // Every counter sample, and every histogram's +Inf bucket (present
    // even where OpenMetrics must leave out `_count`).
    let sum = |kind: &str, pick: &dyn Fn(&Sample) -> bool| -> u128 {
        exposition
            .samples
            .iter()
            .filter(|s| s.kind == kind && pick(s))
            .map(|s| s.value.parse::<u128>().expect("integer sample"))
            .sum()
    };
    // Every sample of a counter is its total: the registry writes no
    // `_created`, and a strategy without suffixes writes a text counter
    // without `_total`.
    let counters = sum("counter", &|_| true);
    assert_eq!(
        counters,
        counter_total,
        "scraped counter totals in {:?}",
        exposition
            .samples
            .iter()
            .map(|s| (&s.kind, &s.name, &s.value))
            .collect::<Vec<_>>()
    );
    let inf = sum("histogram", &|s| {
        s.name.ends_with("_bucket") && s.labels.iter().any(|(k, v)| k == "le" && v == "+Inf")
    });
    assert_eq!(inf, histogram_count, "scraped histogram counts");
}
