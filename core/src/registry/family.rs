//! A registered family: translated name, help, unit and label names in one
//! inline text buffer, its kind, and histogram bounds. Written once at
//! registration, read lock-free afterwards.

use heapless::String;

use crate::encode::Metadata;
use crate::name::{LabelName, MetricName};

/// What a family records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Counter,
    GaugeI64,
    GaugeF64,
    Histogram,
    Info,
}

/// Everything about a family except its text: kind, where each piece of
/// the text ends, name classes, and bounds. Built with the text by a
/// [`Family`](super::Family) (a `const fn`, or at registration), then
/// stored with the text in the registry.
#[derive(Clone, Copy)]
pub(crate) struct Shape<const LABELS: usize, const BUCKETS: usize> {
    pub(crate) kind: Kind,
    pub(crate) name_end: u16,
    pub(crate) help_end: u16,
    pub(crate) unit_end: u16,
    pub(crate) label_ends: [u16; LABELS],
    pub(crate) label_count: u8,
    pub(crate) name_legacy: bool,
    pub(crate) label_legacy: [bool; LABELS],
    pub(crate) total: bool,
    /// Finite bounds; the `+Inf` bucket is implied.
    pub(crate) bounds: [f64; BUCKETS],
    pub(crate) bound_count: u8,
}

/// Everything about a family that never changes after registration.
pub(crate) struct FamilyDesc<const LABELS: usize, const BUCKETS: usize, const META: usize> {
    pub(crate) shape: Shape<LABELS, BUCKETS>,
    /// name, help, unit, label names, back to back.
    pub(crate) text: String<META>,
}

impl<const L: usize, const B: usize, const M: usize> FamilyDesc<L, B, M> {
    pub(crate) fn kind(&self) -> Kind {
        self.shape.kind
    }

    /// A stored piece of text. The ends were recorded between whole
    /// `&str` pushes, so the range is always valid; `get` keeps `str`
    /// slicing's panic path (and the `core::fmt` code it references) out of
    /// the binary.
    fn text_between(&self, start: u16, end: u16) -> &str {
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    pub(crate) fn name(&self) -> &str {
        self.text_between(0, self.shape.name_end)
    }

    pub(crate) fn metric_name(&self) -> MetricName<'_> {
        MetricName::from_validated(self.name(), self.shape.name_legacy)
    }

    pub(crate) fn help(&self) -> &str {
        self.text_between(self.shape.name_end, self.shape.help_end)
    }

    pub(crate) fn unit(&self) -> &str {
        self.text_between(self.shape.help_end, self.shape.unit_end)
    }

    pub(crate) fn label(&self, i: usize) -> LabelName<'_> {
        let start = if i == 0 {
            self.shape.unit_end
        } else {
            self.shape.label_ends[i - 1]
        };
        LabelName::from_validated(
            self.text_between(start, self.shape.label_ends[i]),
            self.shape.label_legacy[i],
        )
    }

    pub(crate) fn labels(&self) -> usize {
        self.shape.label_count as usize
    }

    pub(crate) fn bounds(&self) -> &[f64] {
        &self.shape.bounds[..self.shape.bound_count as usize]
    }

    /// Cells a series of this family takes.
    pub(crate) fn cells(&self) -> usize {
        match self.shape.kind {
            Kind::Counter | Kind::GaugeI64 | Kind::GaugeF64 => 1,
            Kind::Histogram => self.shape.bound_count as usize + 2,
            Kind::Info => 0,
        }
    }

    pub(crate) fn metadata(&self) -> Metadata<'_> {
        let mut meta = Metadata::new(self.metric_name(), self.help());
        if !self.unit().is_empty() {
            // Checked when the family was defined.
            meta = meta.with_checked_unit(self.unit());
        }
        if !self.shape.total {
            meta = meta.without_total_suffix();
        }
        meta
    }
}

macro_rules! family_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(pub(crate) u16);
    };
}

family_id!(
    /// A registered counter family (`u64`, exact).
    ///
    /// ```
    /// use otel_prom_core::registry::{CounterId, Registry};
    /// static REG: Registry<1, 1, 1> = Registry::new();
    /// let id: CounterId = REG.register_counter("requests", "", "", &["route"]).unwrap();
    /// REG.add(id, &["/"], 1).unwrap();
    /// ```
    CounterId
);
family_id!(
    /// A registered integer gauge / up-down counter family (`i64`).
    ///
    /// ```
    /// use otel_prom_core::registry::{GaugeI64Id, Registry};
    /// static REG: Registry<1, 1, 1> = Registry::new();
    /// let id: GaugeI64Id = REG.register_gauge_i64("in_flight", "", "", &[]).unwrap();
    /// REG.gauge_i64(id, &[]).unwrap().add(1);
    /// ```
    GaugeI64Id
);
family_id!(
    /// A registered float gauge family (`f64`).
    ///
    /// ```
    /// use otel_prom_core::registry::{GaugeF64Id, Registry};
    /// static REG: Registry<1, 1, 1> = Registry::new();
    /// let id: GaugeF64Id = REG.register_gauge_f64("temp", "", "Cel", &[]).unwrap();
    /// REG.gauge_f64(id, &[]).unwrap().set(20.5);
    /// ```
    GaugeF64Id
);
family_id!(
    /// A registered histogram family (fixed bounds, exact `u64` counts).
    ///
    /// ```
    /// use otel_prom_core::registry::{HistogramId, Registry};
    /// static REG: Registry<1, 1, 3> = Registry::new();
    /// let id: HistogramId = REG.register_histogram("lat", "", "s", &[], &[0.5]).unwrap();
    /// REG.observe(id, &[], 0.2).unwrap();
    /// ```
    HistogramId
);
family_id!(
    /// A registered info family (`<name>_info{...} 1`).
    ///
    /// ```
    /// use otel_prom_core::registry::{InfoId, Registry};
    /// static REG: Registry<1, 1, 1> = Registry::new();
    /// let id: InfoId = REG.register_info("build", "", &["version"]).unwrap();
    /// REG.set_info(id, &["1.2.3"]).unwrap();
    /// ```
    InfoId
);
