//! nines: exact and simulated availability of systems of systems.
//!
//! The data flows one way: **load → validate → lower → engines → render**.
//!
//! - [`model`] reads a YAML, TOML or JSON file into the typed [`model::spec::ModelSpec`] and
//!   validates it into a [`system::System`], every error placed at its file, line and column.
//! - [`system`] is the validated model: components, domains and dependencies by index, every
//!   duration in seconds, every probability as odds (unavailability carried, not availability).
//! - [`structure`] lowers a `System` to Boolean functions over independent basic events, once:
//!   the exact engines and the timeline simulation are two builders of the same lowering.
//! - Engines: [`exact`] (decision diagrams; every component's state probabilities), [`sim`]
//!   (snapshot Monte Carlo and the timeline simulation), [`explain`] (importance, cut sets,
//!   what-if, error budgets), [`cost`] (designs from variants, the frontier and the sweet spot),
//!   [`lint`] (design-review rules).
//! - [`report`] renders engines' results: terminal tables, JSON, Markdown, HTML, SARIF, JUnit,
//!   GitHub annotations; [`graph`] is the dependency graph for Mermaid and DOT.
//! - [`import`] turns other tools' models into nines models: Open-PSA fault trees, Backstage
//!   catalogs and Kubernetes manifests.
//! - [`export`] hands the model's objectives to the SLO tools: OpenSLO, sloth, Prometheus rules.
//! - [`uncertainty`] draws the values a model gives with their doubt and solves each draw
//!   exactly (percentiles of every availability), and calibrates values from incident history.
//! - [`recovery`] says how failures get repaired (detection, restarts, responders on their
//!   working hours): the exact mean repair time, and repairs drawn one by one for the timeline.
//!
//! Probabilities are carried as [`model::units::Odds`], the unavailability `p` beside the
//! availability `q`, each computed without cancellation: read `p` for the small number.
//! Durations are in seconds wherever a name ends in `_s`, money is monthly unless a name says
//! `_per_hour`. The command line (`nines`, in the binary) is a thin layer over these modules and
//! is not part of the library.
//!
//! ARCHITECTURE.md in the repository says where a new command, model key, output format or
//! engine goes.
//!
//! ```
//! use std::path::Path;
//! use nines::model::{Format, Model};
//!
//! let yaml = "components:\n  db: { availability: 99.9%, replicas: 2 }\n  api: { availability: 99.95%, depends_on: [db] }\n";
//! let model = Model::parse(Path::new("inline.yaml"), yaml.to_string(), Format::Yaml).unwrap();
//! let system = model.system().unwrap();
//! let states = nines::exact::evaluate_system(&system).unwrap();
//! let api = system.component_id("api").unwrap();
//! // 99.95% of api itself, times two replicas of db of which one suffices.
//! let expected = 1.0 - 0.9995 * (1.0 - 0.001 * 0.001);
//! assert!((states[api].down.p - expected).abs() < 1e-15);
//! ```

#![warn(missing_docs)]
#![warn(unreachable_pub)]

pub mod cost;
pub mod exact;
pub mod explain;
pub mod export;
pub mod graph;
pub mod import;
pub mod lint;
pub mod model;
pub mod recovery;
pub mod report;
pub mod sim;
pub mod structure;
pub mod system;
pub mod uncertainty;
