//! Rendering results for people and machines: tables, JSON, Markdown, Mermaid and DOT.

pub mod annotate;
pub mod baseline;
pub mod check;
pub mod diagnostic;
pub mod diff;
pub mod downtime;
pub mod eval;
pub mod fault_tree;
pub mod graph;
pub mod lint;
pub mod plot;
pub mod recovery;
pub mod review;
pub mod sample;
pub mod sarif;
pub mod simulate;
pub mod table;
pub mod text;
pub mod tradeoff;

/// Output formats shared by the commands that print results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Markdown,
}

/// JSON has no infinity: a component that never fails has `nines: null`. A component that is
/// always down has 0 nines, not the −0 that −log10(1) gives.
pub fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x + 0.0)
}
