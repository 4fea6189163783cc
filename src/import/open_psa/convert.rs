//! The fault tree as a nines model: a component per gate and event, a domain per common-cause
//! group.

use super::*;

impl FaultTree {
    /// The first gate, if any, that is not coherent, with its place.
    pub fn first_non_coherent(&self) -> Option<&Gate> {
        self.gates.iter().find(|g| !g.op.is_coherent())
    }

    fn located(&self, place: Place, message: String, sources: Option<&str>) -> ModelError {
        let e = ModelError::new(&self.files[place.file], Some(place.span), &message);
        match sources {
            Some(text) => e.with_source(text),
            None => e,
        }
    }

    /// The nines model: a component per gate and event, a domain per common-cause group.
    /// Fails on non-coherent logic, naming the gate, the construct and the line.
    pub fn to_model(&self) -> Result<ModelSpec, ModelError> {
        if let Some(g) = self.first_non_coherent() {
            let source =
                crate::model::read_text(&self.files[g.place.file], MAX_FILE_BYTES, "an import")
                    .ok();
            return Err(self.located(
                g.place,
                with_hint(
                    format!(
                        "gate `{}` uses <{}>: non-coherent fault trees (NOT, XOR, NAND, NOR) are not supported",
                        // A nested formula is named after its gate: `g2/not` is in `g2`.
                        g.name.split('/').next().unwrap_or(&g.name),
                        g.op.element()
                    ),
                    "a nines model is coherent: a failure never repairs anything; `nines fault-tree FILE...` solves the tree as it is, or rewrite the gate with <or>, <and> and <atleast>",
                ),
                source.as_deref(),
            ));
        }
        let mut spec = ModelSpec {
            name: self.name.clone(),
            ..ModelSpec::default()
        };
        for c in &self.ccf_groups {
            spec.domains.insert(
                c.name.clone(),
                DomainSpec {
                    availability: Some(Availability { down: c.odds }.into()),
                    ..DomainSpec::default()
                },
            );
        }
        let name = |x: &Input| match *x {
            Input::Gate(g) => self.gates[g].name.clone(),
            Input::Event(e) => self.events[e].name.clone(),
        };
        let mut components: IndexMap<String, ComponentSpec> = IndexMap::new();
        for g in &self.gates {
            let mut names: Vec<String> = Vec::with_capacity(g.inputs.len());
            for x in &g.inputs {
                let n = name(x);
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            let group = |at_least: u32, of: Vec<String>| DependencySpec {
                target: Target::Group { at_least, of },
                on_failure: OnFailure::Fail,
                fallback: None,
                timeout: None,
                tolerate: None,
                breaker: None,
                via: crate::model::spec::Via::Call,
                max_delay: None,
            };
            let n = names.len() as u32;
            let depends_on = match g.op {
                // DOWN when any input is DOWN.
                Op::Or | Op::Null => names.iter().map(|x| DependencySpec::hard(x)).collect(),
                Op::And if n == 1 => vec![DependencySpec::hard(&names[0])],
                // DOWN when all inputs are DOWN: UP needs at least one of them.
                Op::And => vec![group(1, names)],
                Op::AtLeast(k) if k > n => vec![],
                Op::AtLeast(1) => names.iter().map(|x| DependencySpec::hard(x)).collect(),
                // DOWN when k or more are DOWN: UP needs n − k + 1 of them.
                Op::AtLeast(k) => vec![group(n - k + 1, names)],
                _ => unreachable!("non-coherent gates were refused above"),
            };
            components.insert(
                g.name.clone(),
                ComponentSpec {
                    availability: Some(Availability { down: Odds::NEVER }.into()),
                    depends_on: Some(depends_on),
                    ..ComponentSpec::default()
                },
            );
        }
        let mut used = vec![false; self.events.len()];
        for g in &self.gates {
            for x in &g.inputs {
                if let Input::Event(e) = *x {
                    used[e] = true;
                }
            }
        }
        for (e, ev) in self.events.iter().enumerate() {
            if !used[e] {
                continue;
            }
            let spread = match ev.kind {
                EventKind::CcfMember { group } => Some(vec![self.ccf_groups[group].name.clone()]),
                _ => None,
            };
            components.insert(
                ev.name.clone(),
                ComponentSpec {
                    availability: Some(Availability { down: ev.odds }.into()),
                    spread,
                    ..ComponentSpec::default()
                },
            );
        }
        spec.components = components;
        Ok(spec)
    }

    /// Names of the top gates.
    pub fn top_names(&self) -> Vec<&str> {
        self.tops
            .iter()
            .map(|&g| self.gates[g].name.as_str())
            .collect()
    }

    /// Counts for a summary: (gates, basic events, house events).
    pub fn counts(&self) -> (usize, usize, usize) {
        let house = self
            .events
            .iter()
            .filter(|e| e.kind == EventKind::House)
            .count();
        (self.gates.len(), self.events.len() - house, house)
    }
}
