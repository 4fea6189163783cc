//! The design space: every component's variants, resolved once, and designs as one variant per
//! component that has variants.
//!
//! A component with variants is always one of them: its variants are its alternatives and the
//! keys written beside them are what every variant inherits. A component without variants is
//! as written in every design.

use crate::model::{Design, Model, ModelError};
use crate::system::{Component, ComponentId, System};

/// One variant index per component that has variants, in the order of [`Catalog::axes`].
pub type Choice = Vec<usize>;

/// Everything the tradeoff needs to build any design without reading the model again.
#[derive(Clone, Debug)]
pub struct Catalog {
    /// The model as written.
    pub base: System,
    /// Each component's variants, resolved (empty for a component without variants).
    pub variants: Vec<Vec<Component>>,
    /// Each component's variant names.
    pub variant_names: Vec<Vec<String>>,
    /// The components that have variants, in file order: the axes of the design space.
    pub axes: Vec<ComponentId>,
}

impl Catalog {
    /// Resolves every variant of every component. A component resolves the same whatever the
    /// others choose (only the dependency graph joins them), so each variant is resolved once.
    pub fn new(model: &Model) -> Result<Catalog, ModelError> {
        let base = model.system()?;
        let n = base.components.len();
        let mut variants = vec![Vec::new(); n];
        let mut variant_names = vec![Vec::new(); n];
        let mut axes = Vec::new();
        for (c, spec) in model.spec.components.values().enumerate() {
            if spec.variants.is_empty() {
                continue;
            }
            axes.push(c);
            for (v, variant) in spec.variants.iter().enumerate() {
                let mut design: Design = vec![None; n];
                design[c] = Some(v);
                let system = model.design(&design)?;
                variants[c].push(system.components[c].clone());
                variant_names[c].push(variant.name.clone());
            }
        }
        Ok(Catalog {
            base,
            variants,
            variant_names,
            axes,
        })
    }

    /// The component as it is with `pick` (a variant index; ignored without variants).
    pub fn component(&self, c: ComponentId, pick: usize) -> &Component {
        self.variants[c]
            .get(pick)
            .unwrap_or(&self.base.components[c])
    }

    /// How many variants component `c` offers (1 without variants).
    pub fn options(&self, c: ComponentId) -> usize {
        self.variants[c].len().max(1)
    }

    /// The number of designs, as a float (it can exceed any integer type).
    pub fn design_count(&self) -> f64 {
        self.axes.iter().map(|&c| self.options(c) as f64).product()
    }

    /// The variant each component uses under a choice (0 for components without variants).
    pub fn picks(&self, choice: &[usize]) -> Vec<usize> {
        let mut picks = vec![0; self.base.components.len()];
        for (&c, &v) in self.axes.iter().zip(choice) {
            picks[c] = v;
        }
        picks
    }

    /// The model's own [`Design`] for a choice, for `Model::design`.
    pub fn design(&self, choice: &[usize]) -> Design {
        let mut design = vec![None; self.base.components.len()];
        for (&c, &v) in self.axes.iter().zip(choice) {
            design[c] = Some(v);
        }
        design
    }

    /// Monthly infrastructure cost of a design: every component's fixed cost and replicas, and
    /// each responder the design calls on, once.
    pub fn cost(&self, picks: &[usize]) -> f64 {
        let components = (0..self.base.components.len()).map(|c| self.component(c, picks[c]));
        components.clone().map(|c| c.monthly_cost()).sum::<f64>()
            + self.base.responder_cost(components)
    }

    /// Whether a responder with a cost is called on by some component or variant: its cost is
    /// then shared between components, which the optimiser's per-component costs cannot say.
    pub fn shares_responder_costs(&self) -> bool {
        let all = (0..self.base.components.len())
            .flat_map(|c| (0..self.options(c)).map(move |v| (c, v)))
            .map(|(c, v)| self.component(c, v));
        self.base.responder_cost(all) > 0.0
    }

    /// The components a component may call under some design: the union over its variants.
    pub fn potential_dependencies(&self, c: ComponentId) -> Vec<ComponentId> {
        let mut out: Vec<ComponentId> = Vec::new();
        let alternatives: Vec<&Component> = if self.variants[c].is_empty() {
            vec![&self.base.components[c]]
        } else {
            self.variants[c].iter().collect()
        };
        for a in alternatives {
            for d in &a.dependencies {
                out.extend(d.targets());
                out.extend(d.fallback);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Everything the seeds may reach through dependencies and fallbacks (the seeds included).
    pub fn closure(&self, seeds: &[ComponentId]) -> Vec<bool> {
        let mut seen = vec![false; self.base.components.len()];
        let mut stack: Vec<ComponentId> = seeds.to_vec();
        while let Some(c) = stack.pop() {
            if std::mem::replace(&mut seen[c], true) {
                continue;
            }
            stack.extend(
                self.potential_dependencies(c)
                    .into_iter()
                    .filter(|&d| !seen[d]),
            );
        }
        seen
    }

    /// Whether some combination of variants could make the dependency graph cyclic. Each
    /// variant alone was checked when the model was validated; combinations were not.
    pub fn may_cycle(&self) -> bool {
        // On the union of every variant's edges: a cycle there is one some combination may make.
        let mut graph = petgraph::graph::DiGraph::<(), ()>::new();
        let nodes: Vec<_> = (0..self.base.components.len())
            .map(|_| graph.add_node(()))
            .collect();
        for (c, &node) in nodes.iter().enumerate() {
            for d in self.potential_dependencies(c) {
                graph.add_edge(nodes[d], node, ());
            }
        }
        petgraph::algo::is_cyclic_directed(&graph)
    }

    /// Components with an slo as written or in any variant: the ones "every SLO" is about.
    pub fn slo_components(&self) -> Vec<ComponentId> {
        (0..self.base.components.len())
            .filter(|&c| {
                if self.variants[c].is_empty() {
                    self.base.components[c].slo.is_some()
                } else {
                    self.variants[c].iter().any(|v| v.slo.is_some())
                }
            })
            .collect()
    }

    /// The variant names of a choice, by component name, in file order.
    pub fn named(&self, choice: &[usize]) -> Vec<(String, String)> {
        self.axes
            .iter()
            .zip(choice)
            .map(|(&c, &v)| {
                (
                    self.base.components[c].name.clone(),
                    self.variant_names[c][v].clone(),
                )
            })
            .collect()
    }
}

/// Mixed-radix counting over the axes: design `index` and back. The first axis is the most
/// significant digit, so designs are listed in file order of their variants.
pub fn choice_of(index: u64, radices: &[usize]) -> Choice {
    let mut choice = vec![0; radices.len()];
    let mut rest = index;
    for (slot, &r) in choice.iter_mut().zip(radices).rev() {
        *slot = (rest % r as u64) as usize;
        rest /= r as u64;
    }
    choice
}
