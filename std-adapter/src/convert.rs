//! SDK data → the core encoder, streamed: families are planned (names
//! translated once per distinct metric, sorted, conflicts resolved) and
//! then every data point is written straight from the SDK's
//! `ResourceMetrics`. No intermediate metric-family structs, no per-series
//! strings; the planning buffers are reused from scrape to scrape.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::mem::discriminant;
use std::time::{SystemTime, UNIX_EPOCH};

use embedded_io::Write;
use opentelemetry::{InstrumentationScope, KeyValue, Value};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::Temporality;
use opentelemetry_sdk::metrics::data::{
    self, AggregatedMetrics, ExponentialHistogramDataPoint, HistogramDataPoint, MetricData,
    ResourceMetrics,
};
use otel_prom_core::translate::{InstrumentKind, metric_name};
use otel_prom_core::{
    Bounds, EncodeError, Encoder, Exemplar, Histogram, LabelName, LabelSet, LabelVisitor, Metadata,
    MetricName, Number, Strategy, Timestamp,
};

use crate::labels::{Attributes, FixedLabels, MAX_KEY, Naming, cmp_attributes, cmp_str, cmp_value};
use crate::options::Config;

/// What a metric becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// One SDK metric in the plan.
#[derive(Debug, Clone)]
struct Entry {
    /// Position in the plan (keys the point-order cache).
    index: usize,
    scope: usize,
    metric: usize,
    kind: Kind,
    /// Translated family name and unit, in the plan's text arena.
    name: (usize, usize),
    unit: (usize, usize),
    total: bool,
}

/// Buffers kept from one scrape to the next.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    entries: Vec<Entry>,
    text: String,
    order: Vec<usize>,
    scope_labels: Vec<FixedLabels>,
    resource_labels: FixedLabels,
    bounds: Vec<f64>,
    counts: Vec<u64>,
    scratch: RefCell<String>,
    /// How this scrape writes label names.
    naming: Naming,
    /// Every name the families written so far in this scrape may write.
    taken: TakenNames,
    /// The label sets of the family being written, where they could repeat.
    seen: RefCell<SeenSeries>,
    /// Per plan entry, the order its points were written in last time (as
    /// indices into the SDK's order): while the SDK keeps handing points
    /// over in the same order, checking that order (n - 1 comparisons)
    /// replaces sorting (n log n).
    point_orders: Vec<RefCell<Vec<u32>>>,
}

fn timestamp(t: SystemTime) -> Option<Timestamp> {
    let d = t.duration_since(UNIX_EPOCH).ok()?;
    Some(Timestamp::new(d.as_secs(), d.subsec_nanos()))
}

fn kind_of(data: &AggregatedMetrics) -> Option<(Kind, Temporality)> {
    fn of<T>(d: &MetricData<T>) -> Option<(Kind, Temporality)> {
        Some(match d {
            MetricData::Gauge(_) => (Kind::Gauge, Temporality::Cumulative),
            MetricData::Sum(s) if s.is_monotonic() => (Kind::Counter, s.temporality()),
            MetricData::Sum(s) => (Kind::Gauge, s.temporality()),
            MetricData::Histogram(h) => (Kind::Histogram, h.temporality()),
            MetricData::ExponentialHistogram(h) => (Kind::Histogram, h.temporality()),
        })
    }
    match data {
        AggregatedMetrics::F64(d) => of(d),
        AggregatedMetrics::U64(d) => of(d),
        AggregatedMetrics::I64(d) => of(d),
    }
}

/// A value type the SDK aggregates.
trait Sample: Copy {
    fn number(self) -> Number;
}
impl Sample for f64 {
    fn number(self) -> Number {
        Number::F64(self)
    }
}
impl Sample for u64 {
    fn number(self) -> Number {
        Number::U64(self)
    }
}
impl Sample for i64 {
    fn number(self) -> Number {
        Number::I64(self)
    }
}

/// Labels of one data point: its attributes, then the scope's labels, then
/// the resource's constant labels.
///
/// A sample never carries a label name twice, which would make Prometheus
/// refuse the whole scrape: the point's own attributes win, a scope label
/// yields to an attribute of the same name, a resource label to either,
/// and a histogram's labels never take `le`, its bucket label.
struct PointLabels<'a, 'k> {
    attrs: Attributes<'a, std::iter::Copied<std::slice::Iter<'a, &'k KeyValue>>>,
    /// The metric's label names, when every point has the same keys and
    /// translation leaves them alone (see [`SortedPoints::names`]).
    names: Option<&'a [LabelName<'k>]>,
    scope: &'a FixedLabels,
    resource: &'a FixedLabels,
    /// A label name the family writes itself (`le`), or `""`.
    reserved: &'static str,
}

/// Passes labels on, except those `skip` names.
struct SkipLabels<'v, V, F> {
    inner: &'v mut V,
    skip: F,
}

impl<V: LabelVisitor, F: Fn(&str) -> bool> LabelVisitor for SkipLabels<'_, V, F> {
    type Error = V::Error;
    fn label(&mut self, name: LabelName<'_>, value: &str) -> Result<(), Self::Error> {
        if (self.skip)(name.as_str()) {
            return Ok(());
        }
        self.inner.label(name, value)
    }
}

impl LabelSet for PointLabels<'_, '_> {
    fn visit<V: LabelVisitor>(&self, visitor: &mut V) -> Result<(), V::Error> {
        let reserved = self.reserved;
        let taken = |name: &str| name == reserved || self.has_attribute(name);
        // Attributes go straight through unless one takes the reserved name
        // (this runs for every sample).
        if !reserved.is_empty() && self.has_attribute(reserved) {
            self.visit_attributes(&mut SkipLabels {
                inner: &mut *visitor,
                skip: |name: &str| name == reserved,
            })?;
        } else {
            self.visit_attributes(visitor)?;
        }
        if !self.scope.is_empty() {
            self.scope.visit(&mut SkipLabels {
                inner: &mut *visitor,
                skip: taken,
            })?;
        }
        if self.resource.is_empty() {
            return Ok(());
        }
        self.resource.visit(&mut SkipLabels {
            inner: visitor,
            skip: |name: &str| taken(name) || self.scope.contains(name),
        })
    }
}

impl PointLabels<'_, '_> {
    /// Whether one of the point's attributes becomes label `name`.
    fn has_attribute(&self, name: &str) -> bool {
        if let Some(names) = self.names {
            return names.iter().any(|n| n.as_str() == name);
        }
        let naming = self.attrs.naming;
        let mut buf = [0u8; MAX_KEY];
        self.attrs.attrs.clone().any(|kv| {
            let key = kv.key.as_str();
            if naming.unchanged(key) {
                key == name
            } else {
                naming
                    .label(key, &mut buf)
                    .is_some_and(|n| n.as_str() == name)
            }
        })
    }

    /// The point's own attributes, as labels.
    fn visit_attributes<V: LabelVisitor>(&self, visitor: &mut V) -> Result<(), V::Error> {
        match self.names {
            Some(names) => {
                for (name, kv) in names.iter().zip(self.attrs.attrs.clone()) {
                    match &kv.value {
                        Value::String(s) => visitor.label(*name, s.as_str())?,
                        other => {
                            let mut text = self.attrs.scratch.borrow_mut();
                            text.clear();
                            crate::labels::write_value(other, &mut text);
                            visitor.label(*name, &text)?;
                        }
                    }
                }
            }
            None => self.attrs.visit(visitor)?,
        }
        Ok(())
    }
}

/// `trace_id`, `span_id` and as many filtered attributes as fit the
/// OpenMetrics limit of 128 code points (attributes are dropped first).
struct ExemplarLabels<'a> {
    trace: [u8; 32],
    span: [u8; 16],
    has_ids: bool,
    attrs: Vec<&'a KeyValue>,
    keep: usize,
}

fn hex<const N: usize, const M: usize>(bytes: &[u8; N]) -> [u8; M] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; M];
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = DIGITS[(b >> 4) as usize];
        out[2 * i + 1] = DIGITS[(b & 15) as usize];
    }
    out
}

impl LabelSet for ExemplarLabels<'_> {
    fn visit<V: LabelVisitor>(&self, visitor: &mut V) -> Result<(), V::Error> {
        if self.has_ids {
            let trace = std::str::from_utf8(&self.trace).unwrap_or_default();
            let span = std::str::from_utf8(&self.span).unwrap_or_default();
            visitor.label(LabelName::new("trace_id").expect("valid label name"), trace)?;
            visitor.label(LabelName::new("span_id").expect("valid label name"), span)?;
        }
        let mut buf = [0u8; 256];
        let mut value = String::new();
        for kv in &self.attrs[..self.keep] {
            let Ok(name) = otel_prom_core::translate::label_name(
                kv.key.as_str(),
                Strategy::default(),
                &mut buf,
            ) else {
                continue;
            };
            value.clear();
            crate::labels::write_value(&kv.value, &mut value);
            visitor.label(name, &value)?;
        }
        Ok(())
    }
}

/// Builds an exemplar from the SDK's (see [`exemplar_from_parts`]).
fn exemplar<T: Sample>(ex: &data::Exemplar<T>) -> Option<Exemplar<ExemplarLabels<'_>>> {
    exemplar_from_parts(
        ex.trace_id(),
        ex.span_id(),
        ex.filtered_attributes().collect(),
        ex.value.number(),
        ex.time(),
    )
}

/// An exemplar with `trace_id`/`span_id` (when the trace id is not all
/// zeros) and the filtered attributes, dropping attributes (last first)
/// until the labels fit OpenMetrics' 128 code points; `None` when even the
/// ids do not.
fn exemplar_from_parts<'a>(
    trace_id: &[u8; 16],
    span_id: &[u8; 8],
    mut attrs: Vec<&'a KeyValue>,
    value: Number,
    time: SystemTime,
) -> Option<Exemplar<ExemplarLabels<'a>>> {
    let has_ids = trace_id != &[0; 16];
    // An exemplar's label names must be distinct too (the strict parsers
    // refuse the scrape otherwise): attributes that would repeat trace_id,
    // span_id or an earlier attribute's name are left out. Exemplars are
    // few, so this runs rarely.
    let mut names: Vec<String> = Vec::new();
    if has_ids {
        names.extend(["trace_id".to_string(), "span_id".to_string()]);
    }
    let mut buf = [0u8; 256];
    attrs.retain(|kv| {
        match otel_prom_core::translate::label_name(kv.key.as_str(), Strategy::default(), &mut buf)
        {
            Ok(name) if !names.iter().any(|n| n == name.as_str()) => {
                names.push(name.as_str().to_string());
                true
            }
            _ => false,
        }
    });
    let mut labels = ExemplarLabels {
        trace: hex(trace_id),
        span: hex(span_id),
        has_ids,
        keep: attrs.len(),
        attrs,
    };
    while labels.label_chars() > otel_prom_core::encode::EXEMPLAR_MAX_LABEL_CHARS && labels.keep > 0
    {
        labels.keep -= 1;
    }
    let candidate = Exemplar {
        labels,
        value,
        timestamp: timestamp(time),
    };
    candidate.fits().then_some(candidate)
}

/// The per-scrape context a family's points are written with.
struct Ctx<'a> {
    naming: Naming,
    scope: &'a FixedLabels,
    resource: &'a FixedLabels,
    scratch: &'a RefCell<String>,
    point_order: &'a RefCell<Vec<u32>>,
    /// The family's label sets so far, for families whose series could
    /// repeat; `merged` when the family holds several SDK metrics (one
    /// name from several scopes), whose points may meet.
    seen: &'a RefCell<SeenSeries>,
    merged: bool,
}

impl<'a> Ctx<'a> {
    /// Whether a point with `labels` is the first of its series in this
    /// family: always, unless the family's series could repeat (`merged`,
    /// or `may_repeat` for the metric's own points), in which case its
    /// labels are compared with the earlier points' as written. A repeat
    /// is dropped with a warning (once per family and scrape): a scrape
    /// must not hold one series twice.
    #[inline(always)]
    fn first_of_series(&self, labels: &PointLabels<'_, '_>, may_repeat: bool) -> bool {
        !self.merged && !may_repeat || self.first_seen(labels)
    }

    /// [`first_of_series`](Self::first_of_series) where series could
    /// repeat: out of the loop that writes every other family's points.
    #[inline(never)]
    fn first_seen(&self, labels: &PointLabels<'_, '_>) -> bool {
        let first = self.seen.borrow_mut().first(labels);
        if !first {
            let mut seen = self.seen.borrow_mut();
            if !seen.warned {
                seen.warned = true;
                tracing::warn!(
                    "a series with these labels is already in its family (metrics of one name \
                     from scopes the labels do not tell apart, or attributes that read alike); \
                     the later point is dropped"
                );
            }
        }
        first
    }

    /// A point's labels; `reserved` is a label name its family writes
    /// itself (`le` for histograms), or `""`.
    fn labels<'k>(
        &self,
        attrs: &'a [&'k KeyValue],
        names: Option<&'a [LabelName<'k>]>,
        reserved: &'static str,
    ) -> PointLabels<'a, 'k> {
        PointLabels {
            attrs: Attributes {
                attrs: attrs.iter().copied(),
                naming: self.naming,
                scratch: self.scratch,
            },
            names,
            scope: self.scope,
            resource: self.resource,
            reserved,
        }
    }
}

/// The label sets one family has written in this scrape, each as one text
/// (its pairs, each as `<len>:name<len>:value` so that no text can pass for
/// another, in order: the order a sample's labels are written in differs
/// with where each came from), kept between scrapes: in one text, so that
/// noting a series allocates nothing once warm.
#[derive(Debug, Default)]
pub(crate) struct SeenSeries {
    keys: TakenNames,
    pairs: String,
    spans: Vec<(usize, usize)>,
    key: String,
    warned: bool,
}

impl SeenSeries {
    fn clear(&mut self) {
        self.keys.clear();
        self.warned = false;
    }

    /// Notes `labels`; false when they were noted before.
    fn first(&mut self, labels: &impl LabelSet) -> bool {
        self.pairs.clear();
        self.spans.clear();
        let Ok(()) = labels.visit(&mut LabelText {
            text: &mut self.pairs,
            spans: &mut self.spans,
        });
        let pairs = &self.pairs;
        self.spans
            .sort_unstable_by(|a, b| pairs[a.0..a.1].cmp(&pairs[b.0..b.1]));
        self.key.clear();
        for &(start, end) in &self.spans {
            self.key.push_str(&pairs[start..end]);
        }
        let hash = TakenNames::hash(&self.key, "");
        if self.keys.contains(hash, &self.key, "") {
            return false;
        }
        self.keys.insert(hash, &self.key, "");
        true
    }
}

/// Writes labels as length-prefixed pairs, noting where each is.
struct LabelText<'s> {
    text: &'s mut String,
    spans: &'s mut Vec<(usize, usize)>,
}

impl LabelVisitor for LabelText<'_> {
    type Error = std::convert::Infallible;
    fn label(&mut self, name: LabelName<'_>, value: &str) -> Result<(), Self::Error> {
        use std::fmt::Write as _;
        let start = self.text.len();
        let name = name.as_str();
        let _ = write!(self.text, "{}:{name}{}:{value}", name.len(), value.len());
        self.spans.push((start, self.text.len()));
        Ok(())
    }
}

/// A metric's data points in a deterministic order, with their attributes
/// sorted by key: one arena for all attributes, so sorting costs two
/// allocations per metric, not one per point.
struct SortedPoints<'p, P> {
    arena: Vec<&'p KeyValue>,
    order: Vec<(&'p P, usize, usize)>,
    /// When every point carries the same keys (the usual case: one
    /// instrument, one set of attribute names) and translation leaves them
    /// unchanged, their label names, checked once per metric instead of
    /// once per point.
    names: Option<Vec<LabelName<'p>>>,
    /// Whether two points could be written with the same labels (see
    /// [`may_repeat`]).
    may_repeat: bool,
}

impl<'p, P> SortedPoints<'p, P> {
    fn iter(&self) -> impl Iterator<Item = (&'p P, &[&'p KeyValue])> + '_ {
        self.order.iter().map(|(p, a, b)| (*p, &self.arena[*a..*b]))
    }

    fn names(&self) -> Option<&[LabelName<'p>]> {
        self.names.as_deref()
    }
}

/// Puts one point's attributes in key order. The SDK hands them over in
/// the order the first recording used, and lists are short: an insertion
/// sort is a comparison or two where a general sort costs hundreds of
/// instructions per point, and it only compares when they are in order.
fn sort_by_key(attrs: &mut [&KeyValue]) {
    let greater =
        |x: &KeyValue, y: &KeyValue| cmp_str(x.key.as_str(), y.key.as_str()) == Ordering::Greater;
    if attrs.len() > 16 {
        attrs.sort_unstable_by(|x, y| cmp_str(x.key.as_str(), y.key.as_str()));
        return;
    }
    for i in 1..attrs.len() {
        let mut j = i;
        while j > 0 && greater(attrs[j - 1], attrs[j]) {
            attrs.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// The label names shared by every point (see [`SortedPoints::names`]):
/// `None` when the points' keys differ or any key needs translation.
fn shared_names<'p, P>(
    arena: &[&'p KeyValue],
    spans: &[(&'p P, usize, usize)],
    naming: Naming,
) -> Option<Vec<LabelName<'p>>> {
    let (_, a, b) = spans.first()?;
    let keys = &arena[*a..*b];
    let same_keys = spans.iter().all(|(_, x, y)| {
        y - x == keys.len()
            && arena[*x..*y]
                .iter()
                .zip(keys)
                .all(|(k, first)| cmp_str(k.key.as_str(), first.key.as_str()) == Ordering::Equal)
    });
    if !same_keys {
        return None;
    }
    // Distinct keys that translation leaves alone cannot collide.
    let distinct = keys.windows(2).all(|w| w[0].key != w[1].key);
    keys.iter()
        .map(|kv| {
            let key = kv.key.as_str();
            naming
                .unchanged(key)
                .then(|| LabelName::new(key).ok())
                .flatten()
        })
        .collect::<Option<Vec<_>>>()
        .filter(|_| distinct)
}

/// Whether two points of one metric could be written with the same labels.
/// Points never share an attribute set, so only when attributes read alike:
/// values of one key of different kinds (`1` and `"1"`), NaNs (all `NaN`),
/// arrays, a key written otherwise than it is spelled (keys that meet are
/// merged, a key that cannot be a label is left out), a key twice in a
/// point (merged), or a key `fixed` says another label of the family takes
/// (left out there). Otherwise distinct attribute sets are distinct label
/// sets. With the keys shared, one pass over each column; else a pass with
/// the kinds of keys seen so far.
fn may_repeat<P>(
    arena: &[&KeyValue],
    spans: &[(&P, usize, usize)],
    naming: Naming,
    shared_keys: bool,
    fixed: impl Fn(&str) -> bool,
) -> bool {
    // A kind whose values are written apart when they differ, or None.
    let kind = |v: &Value| match v {
        Value::Bool(_) => Some(0u8),
        Value::I64(_) => Some(1),
        Value::F64(f) if !f.is_nan() => Some(2),
        Value::String(_) => Some(3),
        _ => None,
    };
    if shared_keys {
        // `shared_names` checked the keys: distinct, written as spelled.
        let Some((_, a, b)) = spans.first() else {
            return false;
        };
        let first = &arena[*a..*b];
        if first
            .iter()
            .any(|kv| kind(&kv.value).is_none() || fixed(kv.key.as_str()))
        {
            return true;
        }
        // Per point: one comparison of kinds per key (and a NaN test where
        // the column holds floats).
        let floats = first.iter().any(|kv| matches!(kv.value, Value::F64(_)));
        let nan = |v: &Value| matches!(v, Value::F64(f) if f.is_nan());
        return !spans.iter().all(|(_, x, y)| {
            arena[*x..*y].iter().zip(first).all(|(kv, f)| {
                discriminant(&kv.value) == discriminant(&f.value) && !(floats && nan(&kv.value))
            })
        });
    }
    let mut kinds: Vec<(&str, u8)> = Vec::new();
    for (_, a, b) in spans {
        let attrs = &arena[*a..*b];
        if attrs.windows(2).any(|w| w[0].key == w[1].key) {
            return true;
        }
        for kv in attrs {
            let key = kv.key.as_str();
            let Some(k) = kind(&kv.value) else {
                return true;
            };
            if !naming.unchanged(key) || LabelName::new(key).is_err() || fixed(key) {
                return true;
            }
            match kinds.iter().find(|(seen, _)| *seen == key) {
                Some((_, seen)) if *seen != k => return true,
                Some(_) => {}
                None => kinds.push((key, k)),
            }
        }
    }
    false
}

/// Sorts data points by their attributes. Attributes are put in key order
/// first: the SDK does not promise one, and label order and collision
/// merging must not depend on it. `last` is the order of the previous scrape
/// of this metric: reused when it still sorts the points strictly, which
/// also proves it a permutation (n distinct points in strictly increasing
/// order); otherwise the points are sorted and `last` updated.
fn sorted<'p, P: 'p, I: Iterator<Item = &'p KeyValue>>(
    points: impl Iterator<Item = &'p P>,
    attrs: impl Fn(&'p P) -> I,
    c: &Ctx<'_>,
    reserved: &str,
) -> SortedPoints<'p, P> {
    let (last, naming) = (c.point_order, c.naming);
    let mut arena = Vec::new();
    let mut spans = Vec::new();
    for p in points {
        let start = arena.len();
        arena.extend(attrs(p));
        sort_by_key(&mut arena[start..]);
        spans.push((p, start, arena.len()));
    }
    let names = shared_names(&arena, &spans, naming);
    let mut scratch = (String::new(), String::new());
    let shared_keys = names.is_some();
    let mut cmp = |a: u32, b: u32| {
        let (a, b) = (&spans[a as usize], &spans[b as usize]);
        let (a, b) = (&arena[a.1..a.2], &arena[b.1..b.2]);
        if shared_keys {
            // Same keys in the same order: only the values differ.
            for (x, y) in a.iter().zip(b) {
                let o = cmp_value(&x.value, &y.value, &mut scratch);
                if o != Ordering::Equal {
                    return o;
                }
            }
            return Ordering::Equal;
        }
        cmp_attributes(a.iter().copied(), b.iter().copied(), &mut scratch)
    };
    let mut last = last.borrow_mut();
    let still_sorted = last.len() == spans.len()
        && last.iter().all(|&i| (i as usize) < spans.len())
        && last.windows(2).all(|w| cmp(w[0], w[1]) == Ordering::Less);
    if !still_sorted {
        last.clear();
        last.extend(0..spans.len() as u32);
        // Points of one metric never share an attribute set, so an
        // unstable sort is deterministic too (and cheaper).
        last.sort_unstable_by(|a, b| cmp(*a, *b));
    }
    let order = last.iter().map(|&i| spans[i as usize]).collect();
    // A key that is the family's own label (`le`) or a scope or resource
    // label's is left out where the other is written: points that differ
    // only there read alike.
    let fixed = |key: &str| key == reserved || c.scope.contains(key) || c.resource.contains(key);
    let may_repeat = may_repeat(&arena, &spans, naming, shared_keys, fixed);
    SortedPoints {
        arena,
        order,
        names,
        may_repeat,
    }
}

/// A set of texts, each given as a base and a suffix (a family's names;
/// a series' labels, with no suffix), kept from one scrape to the next so
/// that a scrape allocates nothing for it once warm: the texts in one
/// string, found by their hashes.
#[derive(Debug, Default)]
struct TakenNames {
    text: String,
    /// Hash of a name to its span in `text`; names of equal hash are told
    /// apart by their text (`spans` holds every name's).
    hashes: HashMap<u64, usize, BuildHasherDefault<PassThrough>>,
    spans: Vec<(usize, usize)>,
}

impl TakenNames {
    fn clear(&mut self) {
        self.text.clear();
        self.hashes.clear();
        self.spans.clear();
    }

    /// FNV-1a over the name's bytes, however it is split: names are short,
    /// and this runs for every name of every family on every scrape.
    fn hash(base: &str, suffix: &str) -> u64 {
        Self::hash_on(Self::hash_on(0xcbf2_9ce4_8422_2325, base), suffix)
    }

    /// The hash of a name that starts with the one hashed to `state` and
    /// goes on with `more` (a family's base is hashed once for all its
    /// suffixes).
    fn hash_on(state: u64, more: &str) -> u64 {
        more.bytes().fold(state, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }

    /// Whether the name of hash `hash` (`base` then `suffix`) is taken.
    fn contains(&self, hash: u64, base: &str, suffix: &str) -> bool {
        let is = |&(start, end): &(usize, usize)| {
            let name = &self.text[start..end];
            name.len() == base.len() + suffix.len()
                && name.starts_with(base)
                && name.ends_with(suffix)
        };
        match self.hashes.get(&hash) {
            None => false,
            Some(&i) => is(&self.spans[i]) || self.spans.iter().any(is),
        }
    }

    fn insert(&mut self, hash: u64, base: &str, suffix: &str) {
        let start = self.text.len();
        self.text.push_str(base);
        self.text.push_str(suffix);
        self.hashes.entry(hash).or_insert(self.spans.len());
        self.spans.push((start, self.text.len()));
    }
}

/// The keys of [`TakenNames`] are hashes already: used as they are.
#[derive(Debug, Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed here; any other input is still mixed in.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl Plan {
    fn str(&self, range: (usize, usize)) -> &str {
        &self.text[range.0..range.1]
    }

    /// Plans and writes one scrape.
    pub(crate) fn encode<W: Write>(
        &mut self,
        rm: &ResourceMetrics,
        cfg: &Config,
        enc: &mut Encoder<W>,
    ) -> Result<(), EncodeError<W::Error>> {
        self.naming = Naming::new(
            cfg.strategy,
            enc.format().effective_escaping(enc.escaping()),
        );
        self.plan(rm, cfg);
        self.taken.clear();
        if cfg.target_info && !rm.resource().is_empty() {
            write_target_info(rm.resource(), self.naming, enc, &self.scratch)?;
            for suffix in ["", "_info"] {
                let hash = TakenNames::hash("target", suffix);
                self.taken.insert(hash, "target", suffix);
            }
        }
        let scopes: Vec<&data::ScopeMetrics> = rm.scope_metrics().collect();
        let mut i = 0;
        while i < self.order.len() {
            let Entry { kind, name, .. } = self.entries[self.order[i]];
            let mut end = i + 1;
            while end < self.order.len()
                && self.str(self.entries[self.order[end]].name) == self.str(name)
            {
                end += 1;
            }
            if self.claim_names(kind, name) {
                self.write_family(&scopes, i, end, enc)?;
            } else {
                tracing::warn!(
                    metric = self.str(name),
                    "a name of this metric is written by an earlier family (such as a gauge \
                     `x_total` beside a counter `x`); metric dropped"
                );
            }
            i = end;
        }
        Ok(())
    }

    /// Claims every name the family `name` of `kind` may write (its family
    /// name and its samples', `_created` included) unless one is already
    /// taken: OpenMetrics forbids two families that could write one name
    /// (a gauge `x_total` beside a counter `x`), and a repeated sample is
    /// dropped by Prometheus. Families come in name order, so the first by
    /// name keeps its names. Judged by OpenMetrics' names, which include
    /// the text format's, so every format keeps the same families.
    ///
    /// The names compared are the plan's (escaped once already where the
    /// scrape writes names with underscores), with the suffixes appended:
    /// exact for those scrapes and `allow-utf-8`. Under `dots` and
    /// `values` a suffix is written differently inside a name than after
    /// it, so a pair can be judged to clash there that only clashes in the
    /// other scrapes; it is dropped from all of them alike.
    fn claim_names(&mut self, kind: Kind, name: (usize, usize)) -> bool {
        let name = &self.text[name.0..name.1];
        let (base, suffixes): (&str, &[&'static str]) = match kind {
            Kind::Counter => (
                match name.strip_suffix("_total") {
                    Some(base) if !base.is_empty() => base,
                    _ => name,
                },
                &["", "_total", "_created"],
            ),
            Kind::Gauge => (name, &[""]),
            Kind::Histogram => (name, &["", "_bucket", "_sum", "_count", "_created"]),
        };
        let base_hash = TakenNames::hash(base, "");
        let mut hashes = [0u64; 5];
        for (h, suffix) in hashes.iter_mut().zip(suffixes) {
            *h = TakenNames::hash_on(base_hash, suffix);
        }
        let clash = suffixes
            .iter()
            .zip(hashes)
            .any(|(suffix, h)| self.taken.contains(h, base, suffix));
        if !clash {
            for (suffix, h) in suffixes.iter().zip(hashes) {
                self.taken.insert(h, base, suffix);
            }
        }
        !clash
    }

    /// Translates every metric's name once, sorts families by name (then
    /// scope), and prepares scope and resource labels.
    fn plan(&mut self, rm: &ResourceMetrics, cfg: &Config) {
        let writes_target_info = cfg.target_info && !rm.resource().is_empty();
        self.entries.clear();
        self.text.clear();
        self.order.clear();
        self.scope_labels.clear();
        let strategy = cfg.strategy;
        let name_strategy = if cfg.units {
            strategy
        } else {
            match strategy {
                Strategy::UnderscoreEscapingWithSuffixes => {
                    Strategy::UnderscoreEscapingWithoutSuffixes
                }
                Strategy::NoUtf8EscapingWithSuffixes => Strategy::NoTranslation,
                s => s,
            }
        };
        let mut buf = vec![0u8; 256];
        let mut escaped = Vec::new();
        let mut namespaced = String::new();
        for (s, scope) in rm.scope_metrics().enumerate() {
            self.scope_labels
                .push(scope_labels(scope.scope(), cfg, self.naming));
            for (m, metric) in scope.metrics().enumerate() {
                let Some((kind, temporality)) = kind_of(metric.data()) else {
                    continue;
                };
                if temporality == Temporality::Delta {
                    tracing::warn!(
                        metric = metric.name(),
                        "delta temporality reached the exporter; metric dropped"
                    );
                    continue;
                }
                let instrument = match kind {
                    Kind::Counter => InstrumentKind::Counter,
                    Kind::Gauge => InstrumentKind::Gauge,
                    Kind::Histogram => InstrumentKind::Histogram,
                };
                namespaced.clear();
                if let Some(ns) = &cfg.namespace {
                    namespaced.push_str(ns);
                    namespaced.push('_');
                }
                namespaced.push_str(metric.name());
                let bound = otel_prom_core::translate::translated_len_bound(
                    namespaced.len(),
                    metric.unit().len(),
                );
                if buf.len() < bound {
                    buf.resize(bound, 0);
                }
                let Ok(t) = metric_name(
                    &namespaced,
                    metric.unit(),
                    instrument,
                    name_strategy,
                    &mut buf,
                ) else {
                    tracing::warn!(
                        metric = metric.name(),
                        "metric name cannot be translated; metric dropped"
                    );
                    continue;
                };
                let start = self.text.len();
                let written = t.name();
                if self.naming.underscores && !written.is_legacy() {
                    // This scrape writes the name with underscores: plan
                    // by that name, so that names it makes equal form one
                    // family (or a conflict), never two of one name.
                    if escaped.len() < written.as_str().len() {
                        escaped.resize(written.as_str().len(), 0);
                    }
                    match written.underscore_escaped(&mut escaped) {
                        Ok(e) => self.text.push_str(e.as_str()),
                        Err(_) => self.text.push_str(written.as_str()),
                    }
                } else if self.naming.dots {
                    // The same for `dots`, which writes `a_b` and `a-b`
                    // alike.
                    self.text
                        .extend(crate::labels::dots_canonical(written.as_str(), true));
                } else {
                    self.text.push_str(written.as_str());
                }
                let name = (start, self.text.len());
                // `target_info` is the resource's family (`target` with its
                // `_info` sample in OpenMetrics): a metric of either name
                // would declare it a second time.
                if writes_target_info && matches!(&self.text[start..], "target_info" | "target") {
                    tracing::warn!(
                        metric = metric.name(),
                        "metric name is target_info's; metric dropped"
                    );
                    self.text.truncate(start);
                    continue;
                }
                let unit_start = self.text.len();
                if cfg.units {
                    self.text.push_str(t.unit().unwrap_or(""));
                }
                let unit = (unit_start, self.text.len());
                let total = cfg.counter_suffixes
                    && (strategy.adds_suffixes() || t.metadata("").has_total_suffix());
                self.entries.push(Entry {
                    index: self.entries.len(),
                    scope: s,
                    metric: m,
                    kind,
                    name,
                    unit,
                    total,
                });
            }
        }
        if self.point_orders.len() < self.entries.len() {
            self.point_orders
                .resize_with(self.entries.len(), RefCell::default);
        }
        // Families by name; within a family, scopes by name and version.
        let scopes: Vec<&InstrumentationScope> = rm.scope_metrics().map(|s| s.scope()).collect();
        self.order.extend(0..self.entries.len());
        let (entries, text) = (&self.entries, &self.text);
        self.order.sort_by(|a, b| {
            let (a, b) = (&entries[*a], &entries[*b]);
            text[a.name.0..a.name.1]
                .cmp(&text[b.name.0..b.name.1])
                .then_with(|| scopes[a.scope].name().cmp(scopes[b.scope].name()))
                .then_with(|| scopes[a.scope].version().cmp(&scopes[b.scope].version()))
                .then_with(|| a.metric.cmp(&b.metric))
        });
        self.resource_labels = FixedLabels::default();
        if !matches!(cfg.resource_labels, crate::ResourceSelector::None) {
            let mut attrs: Vec<(&opentelemetry::Key, &Value)> = rm.resource().iter().collect();
            attrs.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
            for (k, v) in attrs {
                if cfg.resource_labels.selects(k) {
                    self.resource_labels.push(k.as_str(), self.naming, v);
                }
            }
        }
    }

    /// Writes the family made of plan entries `order[from..to]`: the first
    /// entry's type, help and unit win; entries of another type are dropped.
    fn write_family<W: Write>(
        &mut self,
        scopes: &[&data::ScopeMetrics],
        from: usize,
        to: usize,
        enc: &mut Encoder<W>,
    ) -> Result<(), EncodeError<W::Error>> {
        let head = self.entries[self.order[from]].clone();
        let metric_of = |e: &Entry| scopes[e.scope].metrics().nth(e.metric);
        let Some(first) = metric_of(&head) else {
            return Ok(());
        };
        let text = &self.text;
        let Ok(name) = MetricName::new(&text[head.name.0..head.name.1]) else {
            return Ok(());
        };
        let mut meta = Metadata::new(name, first.description());
        let unit = &text[head.unit.0..head.unit.1];
        if !unit.is_empty() {
            meta = meta.with_unit(unit).unwrap_or(meta);
        }
        if !head.total {
            meta = meta.without_total_suffix();
        }
        let members: Vec<&Entry> = self.order[from..to]
            .iter()
            .map(|i| &self.entries[*i])
            .filter(|e| {
                if e.kind != head.kind {
                    tracing::warn!(
                        metric = name.as_str(),
                        "same name with another type in one scrape; the later metric is dropped"
                    );
                }
                e.kind == head.kind
            })
            .collect();
        self.seen.get_mut().clear();
        let merged = members.len() > 1;
        let ctx = |e: &Entry| Ctx {
            naming: self.naming,
            scope: &self.scope_labels[e.scope],
            resource: &self.resource_labels,
            scratch: &self.scratch,
            point_order: &self.point_orders[e.index],
            seen: &self.seen,
            merged,
        };
        match head.kind {
            Kind::Counter => {
                let mut fam = enc.counter(&meta)?;
                for e in &members {
                    let (Some(metric), c) = (metric_of(e), ctx(e)) else {
                        continue;
                    };
                    match metric.data() {
                        AggregatedMetrics::F64(MetricData::Sum(s)) => {
                            counter_points(&mut fam, s, &c)?
                        }
                        AggregatedMetrics::U64(MetricData::Sum(s)) => {
                            counter_points(&mut fam, s, &c)?
                        }
                        AggregatedMetrics::I64(MetricData::Sum(s)) => {
                            counter_points(&mut fam, s, &c)?
                        }
                        _ => {}
                    }
                }
            }
            Kind::Gauge => {
                let mut fam = enc.gauge(&meta)?;
                for e in &members {
                    let (Some(metric), c) = (metric_of(e), ctx(e)) else {
                        continue;
                    };
                    match metric.data() {
                        AggregatedMetrics::F64(MetricData::Sum(s)) => {
                            gauge_points(&mut fam, s.data_points(), &c)?
                        }
                        AggregatedMetrics::U64(MetricData::Sum(s)) => {
                            gauge_points(&mut fam, s.data_points(), &c)?
                        }
                        AggregatedMetrics::I64(MetricData::Sum(s)) => {
                            gauge_points(&mut fam, s.data_points(), &c)?
                        }
                        AggregatedMetrics::F64(MetricData::Gauge(g)) => {
                            gauge_points(&mut fam, g.data_points(), &c)?
                        }
                        AggregatedMetrics::U64(MetricData::Gauge(g)) => {
                            gauge_points(&mut fam, g.data_points(), &c)?
                        }
                        AggregatedMetrics::I64(MetricData::Gauge(g)) => {
                            gauge_points(&mut fam, g.data_points(), &c)?
                        }
                        _ => {}
                    }
                }
            }
            Kind::Histogram => {
                let mut fam = enc.histogram(&meta)?;
                let (bounds, counts) = (&mut self.bounds, &mut self.counts);
                for e in &members {
                    let Some(metric) = metric_of(e) else { continue };
                    let c = Ctx {
                        naming: self.naming,
                        scope: &self.scope_labels[e.scope],
                        resource: &self.resource_labels,
                        scratch: &self.scratch,
                        point_order: &self.point_orders[e.index],
                        seen: &self.seen,
                        merged,
                    };
                    match metric.data() {
                        AggregatedMetrics::F64(MetricData::Histogram(h)) => {
                            histogram_points(&mut fam, h, &c, bounds, counts)?
                        }
                        AggregatedMetrics::U64(MetricData::Histogram(h)) => {
                            histogram_points(&mut fam, h, &c, bounds, counts)?
                        }
                        AggregatedMetrics::I64(MetricData::Histogram(h)) => {
                            histogram_points(&mut fam, h, &c, bounds, counts)?
                        }
                        AggregatedMetrics::F64(MetricData::ExponentialHistogram(h)) => {
                            exponential_points(&mut fam, h, &c, bounds, counts)?
                        }
                        AggregatedMetrics::U64(MetricData::ExponentialHistogram(h)) => {
                            exponential_points(&mut fam, h, &c, bounds, counts)?
                        }
                        AggregatedMetrics::I64(MetricData::ExponentialHistogram(h)) => {
                            exponential_points(&mut fam, h, &c, bounds, counts)?
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }
}

/// Monotonic cumulative sums: counter samples with `_created` and the
/// latest exemplar.
fn counter_points<T: Sample, W: Write>(
    fam: &mut otel_prom_core::encode::CounterFamily<'_, '_, W>,
    sum: &data::Sum<T>,
    c: &Ctx<'_>,
) -> Result<(), EncodeError<W::Error>> {
    let created = timestamp(sum.start_time());
    let points = sorted(sum.data_points(), |p| p.attributes(), c, "");
    for (p, attrs) in points.iter() {
        let labels = c.labels(attrs, points.names(), "");
        if !c.first_of_series(&labels, points.may_repeat) {
            continue;
        }
        let value = p.value().number();
        let latest = p.exemplars().max_by_key(|e| e.time());
        let ex = latest.and_then(exemplar);
        fam.sample_with(&labels, value, created, ex.as_ref())?;
    }
    Ok(())
}

/// A point that becomes one gauge sample: a gauge's, or a non-monotonic
/// sum's (the SDK gives the two the same fields under different types).
trait GaugePoint {
    fn attributes(&self) -> impl Iterator<Item = &KeyValue>;
    fn number(&self) -> Number;
}
impl<T: Sample> GaugePoint for data::SumDataPoint<T> {
    fn attributes(&self) -> impl Iterator<Item = &KeyValue> {
        self.attributes()
    }
    fn number(&self) -> Number {
        self.value().number()
    }
}
impl<T: Sample> GaugePoint for data::GaugeDataPoint<T> {
    fn attributes(&self) -> impl Iterator<Item = &KeyValue> {
        self.attributes()
    }
    fn number(&self) -> Number {
        self.value().number()
    }
}

/// Gauges and non-monotonic sums: gauge samples.
fn gauge_points<'p, P: GaugePoint + 'p, W: Write>(
    fam: &mut otel_prom_core::encode::GaugeFamily<'_, '_, W>,
    points: impl Iterator<Item = &'p P>,
    c: &Ctx<'_>,
) -> Result<(), EncodeError<W::Error>> {
    let points = sorted(points, P::attributes, c, "");
    for (p, attrs) in points.iter() {
        let labels = c.labels(attrs, points.names(), "");
        if !c.first_of_series(&labels, points.may_repeat) {
            continue;
        }
        fam.sample(&labels, p.number())?;
    }
    Ok(())
}

/// Explicit-bucket histograms: per-bucket counts, accumulated by the encoder.
fn histogram_points<T: Sample, W: Write>(
    fam: &mut otel_prom_core::encode::HistogramFamily<'_, '_, W>,
    h: &data::Histogram<T>,
    c: &Ctx<'_>,
    bounds: &mut Vec<f64>,
    counts: &mut Vec<u64>,
) -> Result<(), EncodeError<W::Error>> {
    let created = timestamp(h.start_time());
    let points = sorted(
        h.data_points(),
        |p: &HistogramDataPoint<T>| p.attributes(),
        c,
        "le",
    );
    for (p, attrs) in points.iter() {
        let labels = c.labels(attrs, points.names(), "le");
        if !c.first_of_series(&labels, points.may_repeat) {
            continue;
        }
        bounds.clear();
        bounds.extend(p.bounds());
        counts.clear();
        counts.extend(p.bucket_counts());
        write_histogram(
            fam,
            labels,
            bounds,
            counts,
            p.sum().number(),
            created,
            p.exemplars(),
        )?;
    }
    Ok(())
}

/// Exponential histograms, converted to classic buckets: for scale `s` the
/// base is `2^(2^-s)`; negative bucket `i` becomes the bound `-base^i`, the
/// zero bucket the bound `zero_threshold` (0 when unset), positive bucket
/// `i` the bound `base^(i+1)`, each with its own count, so every observation
/// stays in a bucket whose upper bound is at least its value.
fn exponential_points<T: Sample, W: Write>(
    fam: &mut otel_prom_core::encode::HistogramFamily<'_, '_, W>,
    h: &data::ExponentialHistogram<T>,
    c: &Ctx<'_>,
    bounds: &mut Vec<f64>,
    counts: &mut Vec<u64>,
) -> Result<(), EncodeError<W::Error>> {
    let created = timestamp(h.start_time());
    let points = sorted(
        h.data_points(),
        |p: &ExponentialHistogramDataPoint<T>| p.attributes(),
        c,
        "le",
    );
    for (p, attrs) in points.iter() {
        let labels = c.labels(attrs, points.names(), "le");
        if !c.first_of_series(&labels, points.may_repeat) {
            continue;
        }
        exponential_to_classic(p, bounds, counts);
        write_histogram(
            fam,
            labels,
            bounds,
            counts,
            p.sum().number(),
            created,
            p.exemplars(),
        )?;
    }
    Ok(())
}

/// See [`exponential_points`].
pub(crate) fn exponential_to_classic<T>(
    p: &ExponentialHistogramDataPoint<T>,
    bounds: &mut Vec<f64>,
    counts: &mut Vec<u64>,
) {
    bounds.clear();
    counts.clear();
    let base_log2 = (-(p.scale() as f64)).exp2();
    let power = |i: i64| (i as f64 * base_log2).exp2();
    let neg = p.negative_bucket();
    let neg_counts: Vec<u64> = neg.counts().collect();
    for (j, count) in neg_counts.iter().enumerate().rev() {
        bounds.push(-power(neg.offset() as i64 + j as i64));
        counts.push(*count);
    }
    let zero_bound = p.zero_threshold().max(0.0);
    if p.zero_count() > 0 || !neg_counts.is_empty() {
        bounds.push(zero_bound);
        counts.push(p.zero_count());
    }
    let pos = p.positive_bucket();
    for (j, count) in pos.counts().enumerate() {
        let upper = power(pos.offset() as i64 + j as i64 + 1);
        if bounds.last().is_some_and(|b| upper <= *b) {
            // Below the zero threshold's resolution: fold into the last bucket.
            if let Some(last) = counts.last_mut() {
                *last += count;
            }
            continue;
        }
        bounds.push(upper);
        counts.push(count);
    }
    // The +Inf bucket: every observation is already in a finite bucket.
    counts.push(0);
}

fn write_histogram<'e, T: Sample + 'e, W: Write>(
    fam: &mut otel_prom_core::encode::HistogramFamily<'_, '_, W>,
    labels: PointLabels<'_, '_>,
    bounds: &[f64],
    counts: &[u64],
    sum: Number,
    created: Option<Timestamp>,
    exemplars: impl Iterator<Item = &'e data::Exemplar<T>>,
) -> Result<(), EncodeError<W::Error>> {
    let Ok(b) = Bounds::new(bounds) else {
        tracing::warn!(
            "histogram bounds are not strictly increasing and finite; data point dropped"
        );
        return Ok(());
    };
    let Ok(h) = Histogram::new(b, counts, sum) else {
        tracing::warn!("histogram bucket counts do not match its bounds; data point dropped");
        return Ok(());
    };
    let ex: Vec<Exemplar<ExemplarLabels<'_>>> = exemplars.filter_map(exemplar).collect();
    fam.sample_with(&labels, &h, created, &ex)?;
    Ok(())
}

/// Scope labels: `otel_scope_name`, `otel_scope_version`,
/// `otel_scope_schema_url` (when set) and `otel_scope_<attr>`.
fn scope_labels(scope: &InstrumentationScope, cfg: &Config, naming: Naming) -> FixedLabels {
    let mut labels = FixedLabels::default();
    if !cfg.scope_info {
        return labels;
    }
    labels.push(
        "otel_scope_name",
        naming,
        &Value::from(scope.name().to_string()),
    );
    if let Some(v) = scope.version() {
        labels.push("otel_scope_version", naming, &Value::from(v.to_string()));
    }
    if let Some(url) = scope.schema_url() {
        labels.push(
            "otel_scope_schema_url",
            naming,
            &Value::from(url.to_string()),
        );
    }
    let mut attrs: Vec<&KeyValue> = scope.attributes().collect();
    attrs.sort_by(|a, b| a.key.as_str().cmp(b.key.as_str()));
    for kv in attrs {
        labels.push(
            &format!("otel_scope_{}", kv.key.as_str()),
            naming,
            &kv.value,
        );
    }
    labels
}

/// `target_info`: one info series holding the resource's attributes.
fn write_target_info<W: Write>(
    resource: &Resource,
    naming: Naming,
    enc: &mut Encoder<W>,
    scratch: &RefCell<String>,
) -> Result<(), EncodeError<W::Error>> {
    let mut attrs: Vec<KeyValue> = resource
        .iter()
        .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
        .collect();
    attrs.sort_by(|a, b| a.key.as_str().cmp(b.key.as_str()));
    let refs: Vec<&KeyValue> = attrs.iter().collect();
    let labels = Attributes {
        attrs: refs.iter().copied(),
        naming,
        scratch,
    };
    let name = MetricName::new("target").expect("valid metric name");
    enc.info(&Metadata::new(name, "Target metadata"))?
        .sample(&labels)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use otel_prom_core::{Escaping, Format};

    #[test]
    fn seen_series_ignore_label_order_and_cannot_be_spoofed_by_a_value() {
        let l = |n| LabelName::new(n).unwrap();
        let mut seen = SeenSeries::default();
        assert!(seen.first(&[(l("a"), "1"), (l("b"), "2")]));
        assert!(
            !seen.first(&[(l("b"), "2"), (l("a"), "1")]),
            "same labels, other order"
        );
        assert!(seen.first(&[(l("a"), "1")]));
        // A value that holds what a separator would look like is its own
        // series.
        assert!(seen.first(&[(l("a"), "b\0c\0d")]));
        assert!(seen.first(&[(l("a"), "b"), (l("c"), "d")]));
        assert!(seen.first(&[(l("a"), "3:b1:c")]));
        seen.clear();
        assert!(seen.first(&[(l("a"), "1"), (l("b"), "2")]), "a new family");
    }

    #[test]
    fn taken_names_match_however_split_and_past_a_hash_collision() {
        let mut taken = TakenNames::default();
        let contains =
            |t: &TakenNames, base, suffix| t.contains(TakenNames::hash(base, suffix), base, suffix);
        taken.insert(TakenNames::hash("jobs", "_created"), "jobs", "_created");
        assert!(contains(&taken, "jobs_created", ""));
        assert!(contains(&taken, "jobs_", "created"));
        assert!(!contains(&taken, "jobs", "_total"));
        assert!(!contains(&taken, "jobs", "_create"));
        // A name whose hash slot another name holds (as a collision leaves
        // it) is still found by its text, and a text of the same hash is
        // not mistaken for it.
        let other = TakenNames::hash("other", "");
        taken.insert(other, "other", "");
        taken.hashes.insert(other, 0);
        assert!(contains(&taken, "other", ""));
        assert!(!taken.contains(other, "another", ""));
        // Nor is a longer name that merely starts and ends like it.
        assert!(!taken.contains(other, "jobs", ""));
        taken.clear();
        assert!(!contains(&taken, "jobs_created", ""));
    }

    fn render(ex: &Exemplar<ExemplarLabels<'_>>) -> String {
        let mut out = Vec::new();
        let mut enc = Encoder::new(&mut out, Format::OpenMetrics100, Escaping::Underscores);
        let name = MetricName::new("c").unwrap();
        enc.counter(&Metadata::new(name, ""))
            .unwrap()
            .sample_with(&(), Number::U64(1), None, Some(ex))
            .unwrap();
        enc.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn attributes_sort_by_key_short_and_long() {
        for n in [0usize, 1, 2, 3, 7, 16, 17, 40] {
            let kvs: Vec<KeyValue> = (0..n)
                .map(|i| KeyValue::new(format!("k{:02}", (i * 11 + 3) % n.max(1)), i as i64))
                .collect();
            let mut refs: Vec<&KeyValue> = kvs.iter().collect();
            sort_by_key(&mut refs);
            let keys: Vec<&str> = refs.iter().map(|kv| kv.key.as_str()).collect();
            let mut want: Vec<&str> = kvs.iter().map(|kv| kv.key.as_str()).collect();
            want.sort();
            assert_eq!(keys, want, "{n} attributes");
        }
    }

    #[test]
    fn exemplar_ids_attributes_and_the_128_limit() {
        let trace = [
            0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e,
            0x47, 0x36,
        ];
        let span = [0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7];
        let t = UNIX_EPOCH + std::time::Duration::from_millis(1_700_000_000_250);
        let small = KeyValue::new("user", "ann");
        let big = KeyValue::new("query", "x".repeat(60));
        let ex =
            exemplar_from_parts(&trace, &span, vec![&small, &big], Number::F64(0.5), t).unwrap();
        // trace_id (8+32) + span_id (7+16) = 63; "user"+"ann" fits, the 65-char query does not.
        assert_eq!(ex.labels.keep, 1);
        assert_eq!(
            render(&ex),
            "# TYPE c counter\nc_total 1 # {trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\",span_id=\"00f067aa0ba902b7\",user=\"ann\"} 0.5 1700000000.25\n# EOF\n"
        );
        let none = exemplar_from_parts(&[0; 16], &[0; 8], vec![&small], Number::U64(2), t).unwrap();
        assert!(!none.labels.has_ids);
        assert!(render(&none).contains("# {user=\"ann\"} 2 1700000000.25"));

        // No label name twice: an attribute called trace_id, or two keys
        // that translate alike, keep the first.
        let fake_id = KeyValue::new("trace_id", "forged");
        let (dotted, plain) = (KeyValue::new("a.b", "1"), KeyValue::new("a_b", "2"));
        let ex = exemplar_from_parts(
            &trace,
            &span,
            vec![&fake_id, &dotted, &plain],
            Number::U64(1),
            t,
        )
        .unwrap();
        assert_eq!(
            render(&ex),
            "# TYPE c counter\nc_total 1 # {trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\",span_id=\"00f067aa0ba902b7\",a_b=\"1\"} 1 1700000000.25\n# EOF\n"
        );

        // The limit itself fits: 63 for the ids and 65 for `user` and a
        // value of 61 characters (of which one of two bytes) make 128.
        let at_limit = KeyValue::new("user", format!("é{}", "u".repeat(60)));
        let ex = exemplar_from_parts(&trace, &span, vec![&at_limit], Number::U64(1), t).unwrap();
        assert_eq!(ex.labels.keep, 1);
        let over = KeyValue::new("user", "u".repeat(62));
        let ex = exemplar_from_parts(&trace, &span, vec![&over], Number::U64(1), t).unwrap();
        assert_eq!(ex.labels.keep, 0);
        assert!(!render(&ex).contains("user"));
    }
}
