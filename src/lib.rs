//! nines: exact and simulated availability of systems of systems.
//!
//! The pipeline: [`model`] loads and validates a file into a [`system::System`]; [`structure`]
//! lowers it to Boolean functions over independent basic events; [`exact`] computes every
//! component's state probabilities from decision diagrams.

pub mod cost;
pub mod exact;
pub mod explain;
pub mod graph;
pub mod import;
pub mod lint;
pub mod model;
pub mod report;
pub mod sim;
pub mod structure;
pub mod system;
