//! Rendering results for people and machines: tables, JSON, Markdown, Mermaid and DOT.

pub mod annotate;
pub mod baseline;
pub mod budget;
pub mod calibrate;
pub mod chaos;
pub mod check;
pub mod diagnostic;
pub mod diff;
pub mod downtime;
pub mod eval;
pub mod explain;
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
pub mod variance;
pub mod whatif;

/// Output formats shared by the commands that print results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A terminal table fitted to the screen.
    Table,
    /// Pretty-printed JSON.
    Json,
    /// GitHub-flavoured Markdown.
    Markdown,
}

pub use crate::model::units::finite;
