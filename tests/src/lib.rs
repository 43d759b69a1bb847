//! Shared pieces of the cross-crate tests: a fixture exposition that touches
//! every rule of the encoder, and the third-party judges of our output
//! (`promtool`, Python `prometheus_client`).

pub mod fixture;
pub mod judge;
