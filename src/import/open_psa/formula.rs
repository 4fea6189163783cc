//! Gates and events: a gate's formula and its arguments, made on first use, and the constants
//! `true` and `false`.

use super::*;

impl<'a> Reader<'a> {
    /// The gate of a declaration, made on first use.
    pub(super) fn gate(&mut self, decl: usize) -> Result<usize, ModelError> {
        if let Some(&g) = self.gate_of.get(&decl) {
            return Ok(g);
        }
        let d = &self.decls[decl];
        let (name, base, place) = (d.display.clone(), d.base.clone(), d.place);
        let element = d.element.expect("gates have elements");
        let formula = self.single_child(place.file, element)?;
        let id = self.tree.gates.len();
        // Reserved before the inputs, so that a cycle finds it (and is reported below).
        self.tree.gates.push(Gate {
            name,
            op: Op::Null,
            inputs: Vec::new(),
            place,
        });
        self.gate_of.insert(decl, id);
        let (op, inputs) = self.formula(place.file, formula, &base, id)?;
        self.tree.gates[id].op = op;
        self.tree.gates[id].inputs = inputs;
        Ok(id)
    }

    /// The logic of a formula element: an operator and its inputs (nested formulas become gates
    /// of their own, named after the gate that holds them).
    pub(super) fn formula(
        &mut self,
        file: usize,
        f: &Element,
        base: &str,
        owner: usize,
    ) -> Result<(Op, Vec<Input>), ModelError> {
        let op = match f.name.as_str() {
            "or" => Op::Or,
            "and" => Op::And,
            "not" => Op::Not,
            "xor" => Op::Xor,
            "nand" => Op::Nand,
            "nor" => Op::Nor,
            "atleast" => {
                let k = f
                    .attribute("min")
                    .and_then(|m| m.trim().parse::<u32>().ok())
                    .filter(|&k| k >= 1)
                    .ok_or_else(|| {
                        self.at(
                            file,
                            f,
                            with_hint(
                                "<atleast> needs `min`, a whole number of 1 or more".into(),
                                "write <atleast min=\"2\">",
                            ),
                        )
                    })?;
                Op::AtLeast(k)
            }
            "iff" | "imply" | "cardinality" => {
                return Err(self.unsupported(
                    file,
                    f,
                    "this connective (non-coherent logic)",
                    "nines models are coherent: rewrite with <or>, <and> and <atleast>",
                ));
            }
            "gate" | "basic-event" | "house-event" | "event" | "constant" => {
                return Ok((Op::Null, vec![self.argument(file, f, base, owner)?]));
            }
            _ => {
                return Err(self.unknown_element(
                    file,
                    f,
                    "define-gate",
                    &[
                        "or",
                        "and",
                        "atleast",
                        "not",
                        "xor",
                        "nand",
                        "nor",
                        "gate",
                        "basic-event",
                        "house-event",
                        "event",
                        "constant",
                    ],
                ));
            }
        };
        let mut inputs = Vec::new();
        for a in &f.children {
            if LABELS.contains(&a.name.as_str()) {
                continue;
            }
            inputs.push(self.argument(file, a, base, owner)?);
        }
        let wanted = match op {
            Op::Not => (1, Some(1)),
            Op::Xor => (2, Some(2)),
            Op::AtLeast(k) => (k as usize + 1, None),
            _ => (1, None),
        };
        if inputs.len() < wanted.0 || wanted.1.is_some_and(|most| inputs.len() > most) {
            let need = match wanted {
                (l, Some(h)) if l == h => format!("{l}"),
                (l, _) => format!("at least {l}"),
            };
            return Err(self.at(
                file,
                f,
                format!(
                    "<{}> takes {need} argument{}, not {}",
                    f.name,
                    if need == "1" { "" } else { "s" },
                    inputs.len()
                ),
            ));
        }
        if matches!(op, Op::AtLeast(_)) {
            let mut seen = HashSet::new();
            for (x, a) in inputs.iter().zip(
                f.children
                    .iter()
                    .filter(|a| !LABELS.contains(&a.name.as_str())),
            ) {
                if !seen.insert(*x) {
                    return Err(self.at(file, a, "<atleast> lists this argument twice".into()));
                }
            }
        }
        Ok((op, inputs))
    }

    pub(super) fn argument(
        &mut self,
        file: usize,
        a: &Element,
        base: &str,
        owner: usize,
    ) -> Result<Input, ModelError> {
        let kinds: &[Kind] = match a.name.as_str() {
            "gate" => &[Kind::Gate],
            "basic-event" => &[Kind::BasicEvent],
            "house-event" => &[Kind::HouseEvent],
            "event" => match a.attribute("type") {
                None => &[Kind::Gate, Kind::BasicEvent, Kind::HouseEvent],
                Some("gate") => &[Kind::Gate],
                Some("basic-event") => &[Kind::BasicEvent],
                Some("house-event") => &[Kind::HouseEvent],
                Some(t) => {
                    return Err(self.at(
                        file,
                        a,
                        with_hint(
                            format!("unknown event type `{t}`"),
                            "the type is gate, basic-event or house-event",
                        ),
                    ));
                }
            },
            "constant" => {
                let value = match a.attribute("value").map(str::trim) {
                    Some("true") => true,
                    Some("false") => false,
                    _ => {
                        return Err(self.at(
                            file,
                            a,
                            "<constant> needs value=\"true\" or value=\"false\"".into(),
                        ));
                    }
                };
                return Ok(Input::Event(
                    self.constant(value, Place { file, span: a.span }),
                ));
            }
            _ => {
                // A nested formula: a gate of its own.
                let owner_name = self.tree.gates[owner].name.clone();
                let name = self.fresh_name(&format!("{owner_name}/{}", a.name));
                let id = self.tree.gates.len();
                let place = Place { file, span: a.span };
                self.tree.gates.push(Gate {
                    name,
                    op: Op::Null,
                    inputs: Vec::new(),
                    place,
                });
                let (op, inputs) = self.formula(file, a, base, id)?;
                self.tree.gates[id].op = op;
                self.tree.gates[id].inputs = inputs;
                return Ok(Input::Gate(id));
            }
        };
        let reference = self.name_of(file, a)?;
        let Some(decl) = self.lookup(kinds, &reference, base) else {
            let noun = if kinds.len() == 1 {
                kinds[0].noun()
            } else {
                "event"
            };
            let candidates: Vec<&str> = self
                .decls
                .iter()
                .filter(|d| kinds.contains(&d.kind))
                .map(|d| d.display.as_str())
                .collect();
            let hint = match did_you_mean(&reference, candidates.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("define it with <define-{}>", noun.replace(' ', "-")),
            };
            return Err(self.at(
                file,
                a,
                with_hint(format!("undefined {noun} `{reference}`"), &hint),
            ));
        };
        match self.decls[decl].kind {
            Kind::Gate => Ok(Input::Gate(self.gate(decl)?)),
            Kind::BasicEvent | Kind::HouseEvent => Ok(Input::Event(self.event(decl)?)),
            Kind::Parameter => unreachable!("parameters are never looked up as events"),
        }
    }

    pub(super) fn fresh_name(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_string();
        let mut i = 2;
        while self.names.contains(&name) {
            name = format!("{wanted}-{i}");
            i += 1;
        }
        self.names.insert(name.clone());
        name
    }

    pub(super) fn constant(&mut self, value: bool, place: Place) -> usize {
        if let Some(e) = self.constants[value as usize] {
            return e;
        }
        let name = self.fresh_name(if value { "true" } else { "false" });
        let id = self.tree.events.len();
        self.tree.events.push(Event {
            name,
            kind: EventKind::House,
            odds: if value { Odds::ALWAYS } else { Odds::NEVER },
            place,
        });
        self.constants[value as usize] = Some(id);
        id
    }

    pub(super) fn event(&mut self, decl: usize) -> Result<usize, ModelError> {
        if let Some(&e) = self.event_of.get(&decl) {
            return Ok(e);
        }
        let d = &self.decls[decl];
        let (name, base, place, kind) = (d.display.clone(), d.base.clone(), d.place, d.kind);
        let element = d.element.expect("events outside CCF groups have elements");
        let file = place.file;
        let values: Vec<&Element> = element
            .children
            .iter()
            .filter(|c| !LABELS.contains(&c.name.as_str()))
            .collect();
        let (odds, kind) = if kind == Kind::HouseEvent {
            let value = match values[..] {
                [] => false,
                [c] if c.name == "constant" => match c.attribute("value").map(str::trim) {
                    Some("true") => true,
                    Some("false") => false,
                    _ => {
                        return Err(self.at(
                            file,
                            c,
                            "<constant> needs value=\"true\" or value=\"false\"".into(),
                        ));
                    }
                },
                [c, ..] => {
                    return Err(self.at(
                        file,
                        c,
                        with_hint(
                            format!("house event `{name}` takes one <constant>"),
                            "write <constant value=\"true\"/>",
                        ),
                    ));
                }
            };
            (
                if value { Odds::ALWAYS } else { Odds::NEVER },
                EventKind::House,
            )
        } else {
            let expr = match values[..] {
                [x] => x,
                [] => {
                    return Err(self.error(
                        place,
                        with_hint(
                            format!("basic event `{name}` has no probability"),
                            "give it one, e.g. <float value=\"0.01\"/>",
                        ),
                    ));
                }
                [_, extra, ..] => {
                    return Err(self.at(
                        file,
                        extra,
                        format!("basic event `{name}` has more than one expression"),
                    ));
                }
            };
            (self.probability(file, expr, &base)?, EventKind::Basic)
        };
        let id = self.tree.events.len();
        self.tree.events.push(Event {
            name,
            kind,
            odds,
            place,
        });
        self.event_of.insert(decl, id);
        Ok(id)
    }
}
