//! The names a family writes, and whether two families, or two label names
//! of one family, would write one of them alike in some scrape.
//!
//! OpenMetrics forbids a family name that could clash with another
//! family's sample names (a gauge `x_total` beside a counter `x`), and
//! Prometheus refuses a scrape that repeats a family or a label name. With
//! a strategy that keeps UTF-8, escaping makes more names meet (`a.b` and
//! `a_b` under `underscores`). Families defined at run time are checked
//! here when they are registered; for families defined in `const`s,
//! [`Family::apart_from`](super::Family::apart_from) runs the comparison
//! in the compiler.

use spin::Once;

use super::family::{FamilyDesc, Kind};
use crate::encode::{Written, room_for, spelled_alike, written_alike};
use crate::error::RegisterError;
use crate::name::NameKind;
use crate::translate::names::ends_with;

/// The check of a family defined in a `const`: none at run time (its names
/// are legacy and were chosen when the program was written; `apart_from`
/// checks them in the compiler).
pub(super) fn unchecked<const L: usize, const B: usize, const M: usize>(
    _: &FamilyDesc<L, B, M>,
    _: &[Once<FamilyDesc<L, B, M>>],
) -> Result<(), RegisterError> {
    Ok(())
}

/// Refuses `desc` if some scrape would write two of its label names alike
/// (`DuplicateLabel`), or one of its names alike with one of a registered
/// family's (`NameClash`).
pub(super) fn check<const L: usize, const B: usize, const M: usize>(
    desc: &FamilyDesc<L, B, M>,
    registered: &[Once<FamilyDesc<L, B, M>>],
) -> Result<(), RegisterError> {
    let mut scratch = Scratch::<M>::new();
    if labels_clash(desc, &mut scratch) {
        return Err(RegisterError::DuplicateLabel);
    }
    let this = parts(naming(desc), false).0;
    let clashes = registered.iter().filter_map(Once::get).any(|existing| {
        // Legacy names are alike only when spelled alike (`written_alike`)
        // and the suffixes come last, so unless one base starts the other
        // no name of theirs can meet: most pairs end here, unwritten.
        let other = parts(naming(existing), false).0;
        let related = this.starts_with(other) || other.starts_with(this);
        let legacy = desc.shape.name_legacy && existing.shape.name_legacy;
        (related || !legacy) && families_clash(existing, desc, &mut scratch)
    });
    if clashes {
        return Err(RegisterError::NameClash);
    }
    Ok(())
}

/// `(inside, after)`: a suffix escaped as part of the name, and one
/// appended after escaping (see [`Written`]).
type Suffixes = &'static [(&'static str, &'static str)];

const PLAIN: Suffixes = &[("", "")];
const TEXT_TOTAL: Suffixes = &[("_total", "")];
const OM_COUNTER: Suffixes = &[("", ""), ("", "_total"), ("", "_created")];
const TEXT_HISTOGRAM: Suffixes = &[("", ""), ("", "_bucket"), ("", "_sum"), ("", "_count")];
const OM_HISTOGRAM: Suffixes = &[
    ("", ""),
    ("", "_bucket"),
    ("", "_sum"),
    ("", "_count"),
    ("", "_created"),
];
const TEXT_INFO: Suffixes = &[("_info", "")];
const OM_INFO: Suffixes = &[("", ""), ("", "_info")];

/// What decides the names a family writes: its kind, its name, and
/// whether a text counter carries `_total`.
#[derive(Clone, Copy)]
pub(super) struct Naming<'a> {
    pub(super) kind: Kind,
    pub(super) name: &'a [u8],
    pub(super) total: bool,
}

fn naming<const L: usize, const B: usize, const M: usize>(
    desc: &FamilyDesc<L, B, M>,
) -> Naming<'_> {
    Naming {
        kind: desc.kind(),
        name: desc.name().as_bytes(),
        total: desc.shape.total,
    }
}

/// The base name a family's names are made of, and their suffixes in
/// Prometheus text (`om` false) or OpenMetrics: the family name and every
/// sample name the format could give it, `_created` included (the registry
/// writes none, but OpenMetrics counts it as a potential clash). As the
/// encoder's headers build them: a counter's `_total` and an info's
/// `_info` are taken off the name first.
const fn parts(n: Naming<'_>, om: bool) -> (&[u8], Suffixes) {
    match n.kind {
        Kind::Counter => {
            let base = strip(n.name, b"_total");
            let total = n.total || base.len() != n.name.len();
            let text = if total { TEXT_TOTAL } else { PLAIN };
            (base, if om { OM_COUNTER } else { text })
        }
        Kind::GaugeI64 | Kind::GaugeF64 => (n.name, PLAIN),
        Kind::Histogram => (n.name, if om { OM_HISTOGRAM } else { TEXT_HISTOGRAM }),
        Kind::Info => (
            strip(n.name, b"_info"),
            if om { OM_INFO } else { TEXT_INFO },
        ),
    }
}

/// `name` without `suffix`, unless that would leave nothing (as the
/// encoder strips it).
const fn strip<'a>(name: &'a [u8], suffix: &[u8]) -> &'a [u8] {
    if name.len() > suffix.len() && ends_with(name, suffix) {
        name.split_at(name.len() - suffix.len()).0
    } else {
        name
    }
}

/// For two families whose names are legacy: whether some scrape would write
/// a name of both alike, which for legacy names is exactly when they are
/// spelled alike (see `written_alike`). A `const fn`:
/// [`Family::apart_from`](super::Family::apart_from) runs it in the
/// compiler. (The registry's run-time check walks the same parts with
/// `written_alike`, which takes the same shortcut for legacy names: one
/// loop in the wasm package, not two, 438 B.)
pub(super) const fn legacy_names_meet(a: Naming<'_>, b: Naming<'_>) -> bool {
    let mut format = 0;
    while format < 2 {
        let om = format == 1;
        let ((a_base, a_suffixes), (b_base, b_suffixes)) = (parts(a, om), parts(b, om));
        let mut i = 0;
        while i < a_suffixes.len() {
            let (a_inside, a_after) = a_suffixes[i];
            let mut j = 0;
            while j < b_suffixes.len() {
                let (b_inside, b_after) = b_suffixes[j];
                if spelled_alike(
                    [a_base, a_inside.as_bytes(), a_after.as_bytes()],
                    [b_base, b_inside.as_bytes(), b_after.as_bytes()],
                ) {
                    return true;
                }
                j += 1;
            }
            i += 1;
        }
        format += 1;
    }
    false
}

/// [`parts`] with the base as text (a prefix of the name that ends before an
/// ASCII suffix, so at a character boundary).
fn names<const L: usize, const B: usize, const M: usize>(
    desc: &FamilyDesc<L, B, M>,
    om: bool,
) -> (&str, Suffixes) {
    let (base, suffixes) = parts(naming(desc), om);
    (desc.name().get(..base.len()).unwrap_or(""), suffixes)
}

/// Scratch for two names of up to `M` bytes as written: room for both
/// whatever the scheme, for any `META` of 36 or more (smaller ones hold
/// names too short to need more).
struct Scratch<const M: usize>([[u8; M]; 11]);

impl<const M: usize> Scratch<M> {
    const fn new() -> Self {
        Scratch([[0; M]; 11])
    }

    fn bytes(&mut self) -> &mut [u8] {
        let all = self.0.as_flattened_mut();
        let room = all.len().min(2 * room_for(M));
        &mut all[..room]
    }
}

/// True when some scrape would write a name of `a` and a name of `b` alike.
fn families_clash<const L: usize, const B: usize, const M: usize>(
    a: &FamilyDesc<L, B, M>,
    b: &FamilyDesc<L, B, M>,
    scratch: &mut Scratch<M>,
) -> bool {
    [false, true].into_iter().any(|om| {
        let (a_base, a_suffixes) = names(a, om);
        let (b_base, b_suffixes) = names(b, om);
        a_suffixes.iter().any(|&(a_inside, a_after)| {
            b_suffixes.iter().any(|&(b_inside, b_after)| {
                written_alike(
                    Written {
                        name: a_base,
                        legacy: a.shape.name_legacy,
                        inside: a_inside,
                        after: a_after,
                    },
                    Written {
                        name: b_base,
                        legacy: b.shape.name_legacy,
                        inside: b_inside,
                        after: b_after,
                    },
                    NameKind::Metric,
                    scratch.bytes(),
                )
            })
        })
    })
}

/// True when some scrape would write two of the family's label names alike.
fn labels_clash<const L: usize, const B: usize, const M: usize>(
    desc: &FamilyDesc<L, B, M>,
    scratch: &mut Scratch<M>,
) -> bool {
    let label = |i| {
        let name = desc.label(i);
        Written {
            name: name.as_str(),
            legacy: name.is_legacy(),
            inside: "",
            after: "",
        }
    };
    (0..desc.labels()).any(|i| {
        (0..i).any(|j| written_alike(label(i), label(j), NameKind::Label, scratch.bytes()))
    })
}
