#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod encode;
pub mod error;
mod float_bits;
pub mod format;
pub mod name;
pub mod negotiate;
pub mod registry;
pub mod translate;
pub mod value;

pub use encode::{Encoder, Exemplar, LabelSet, LabelVisitor, Metadata};
pub use error::{EncodeError, HistogramError, NameError};
pub use format::{Escaping, Format};
pub use name::{LabelName, MetricName};
pub use negotiate::{Negotiated, negotiate};
pub use translate::{InstrumentKind, Strategy};
pub use value::{Bounds, Histogram, Number, Timestamp};
