//! Shared pieces of the cross-crate tests: a fixture exposition that touches
//! every rule of the encoder, and the third-party judges of our output
//! (`promtool`, Python `prometheus_client`), process figures from `/proc`
//! for the resource checks, and a real Prometheus server that scrapes the
//! examples end to end.
//!
//! The project README is included below so its examples are doctested.
#![doc = include_str!("../../README.md")]

pub mod fixture;
pub mod judge;
pub mod process;
pub mod prometheus;
