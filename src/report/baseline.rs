//! The baseline of `check --baseline`: an earlier model file, evaluated exactly, or the JSON a
//! nines command printed for it (`eval`, `check`, or any output with a `components` list of
//! `name` and `unavailability`).

use std::path::Path;

use crate::exact::{self, EngineError};
use crate::model::{Format, MAX_FILE_BYTES, ModelError, load_system, read_text};
use crate::structure::Structure;
use crate::system::{Component, DependencyTarget, System};

/// Each component's unavailability at the baseline, by name.
#[derive(Clone, Debug, PartialEq)]
pub struct Baseline {
    /// The baseline file, as named.
    pub file: String,
    /// Each component's name and unavailability (a probability), in the baseline's order.
    pub components: Vec<(String, f64)>,
    /// Each component's [`fingerprint`], when the baseline is a model file (nines' JSON output
    /// does not carry what it is made of): how a renamed component is recognised.
    pub fingerprints: Vec<Option<String>>,
}

/// What a component is made of, its name aside: its dependencies (by name, with how each is
/// used), its replicas and spread, its failure, repair and maintenance, its failover, its slo.
/// A component renamed and otherwise unchanged keeps its fingerprint; numbers compare exactly.
pub fn fingerprint(system: &System, c: &Component) -> String {
    let name = |i: usize| system.components[i].name.as_str();
    let mut deps: Vec<String> = c
        .dependencies
        .iter()
        .map(|d| {
            let target = match &d.target {
                DependencyTarget::Component(t) => name(*t).to_string(),
                DependencyTarget::Group { at_least, members } => {
                    let mut m: Vec<&str> = members.iter().map(|&i| name(i)).collect();
                    m.sort_unstable();
                    format!("{at_least} of {m:?}")
                }
            };
            format!(
                "{target:?} {:?} fallback {:?} timeout {:?} tolerate {:?}",
                d.on_failure,
                d.fallback.map(name),
                d.timeout_s,
                d.tolerate_s
            )
        })
        .collect();
    deps.sort_unstable();
    let domains: Vec<Option<&str>> = c
        .replica_domains
        .iter()
        .map(|d| d.map(|d| system.domains[d].name.as_str()))
        .collect();
    format!(
        "deps {deps:?}; replicas {} min {} down {:e} spread {domains:?}; failure {:?} repair {:?} \
         maintenance {:?}; failover {:e} {:?}; slo {:?}; external {}",
        c.replicas,
        c.min_available,
        c.replica_down.p,
        c.failure,
        c.repair,
        c.maintenance,
        c.failover_s,
        c.failover_on,
        c.slo.map(|s| s.down.p),
        c.external
    )
}

/// Why a baseline cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The baseline is a model file with an error.
    #[error("{0}")]
    Model(#[from] ModelError),
    /// The baseline model could not be solved exactly.
    #[error("{0}")]
    Engine(#[from] EngineError),
    /// The file is not a baseline nines can read, and why.
    #[error("baseline `{file}`: {message}")]
    Invalid {
        /// The baseline file, as named.
        file: String,
        /// What is wrong with it.
        message: String,
    },
}

impl Baseline {
    /// Reads a baseline from a model file, or from the JSON of `nines eval MODEL --format json` (a
    /// `.json` file).
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let file = crate::model::error::shown_path(path);
        let invalid = |message: String| BaselineError::Invalid {
            file: file.clone(),
            message,
        };
        if Format::of(path) == Some(Format::Json) {
            let text = read_text(path, MAX_FILE_BYTES, "a baseline").map_err(invalid)?;
            crate::model::check_json_size(&text, crate::model::tree::MAX_NODES)
                .map_err(|e| invalid(format!("not valid JSON: {e}")))?;
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| invalid(format!("not valid JSON: {e}")))?;
            // A model lists its components in a map; nines' output in an array.
            if value.get("components").is_some_and(|c| c.is_array()) {
                return Self::from_json(&file, &value).map_err(invalid);
            }
        }
        let (_, system) = load_system(path)?;
        let states = exact::evaluate(&Structure::new(&system))?;
        Ok(Baseline {
            file,
            components: system
                .components
                .iter()
                .zip(states)
                .map(|(c, s)| (c.name.clone(), s.down.p))
                .collect(),
            fingerprints: system
                .components
                .iter()
                .map(|c| Some(fingerprint(&system, c)))
                .collect(),
        })
    }

    /// Reads the `components` of nines' JSON output.
    pub fn from_json(file: &str, value: &serde_json::Value) -> Result<Baseline, String> {
        let hint =
            "\n  = hint: give a model file, or the output of `nines eval MODEL --format json`";
        let list = value["components"]
            .as_array()
            .ok_or_else(|| format!("no `components` list{hint}"))?;
        let mut components = Vec::with_capacity(list.len());
        let mut seen = std::collections::HashSet::with_capacity(list.len());
        for (i, c) in list.iter().enumerate() {
            let name = c["name"]
                .as_str()
                .ok_or_else(|| format!("components[{i}] has no `name`{hint}"))?;
            // Names are printed beside the model's: a control character would act on the
            // terminal, as it would in a model, where it is refused too.
            if let Some(ch) = name.chars().find(|c| c.is_control()) {
                return Err(format!(
                    "components[{i}] has the name {name:?}, which holds the control character {ch:?}"
                ));
            }
            // Which of two would the model's component be compared with?
            if !seen.insert(name) {
                return Err(format!(
                    "components[{i}] (`{name}`) is listed twice; a baseline names each component once"
                ));
            }
            let u = c["unavailability"].as_f64().ok_or_else(|| {
                format!("components[{i}] (`{name}`) has no numeric `unavailability`{hint}")
            })?;
            if !(0.0..=1.0).contains(&u) {
                return Err(format!(
                    "components[{i}] (`{name}`) has unavailability {u}, outside [0, 1]"
                ));
            }
            components.push((name.to_string(), u));
        }
        Ok(Baseline {
            file: file.to_string(),
            fingerprints: vec![None; components.len()],
            components,
        })
    }
}
