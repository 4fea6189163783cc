//! Resolving references as SCRAM does, and the check that gates never form a loop.

use super::*;

impl<'a> Reader<'a> {
    /// Looks a reference up as SCRAM does: the container's own scope, then public names, then a
    /// full path.
    pub(super) fn lookup(&self, kinds: &[Kind], reference: &str, base: &str) -> Option<usize> {
        if !base.is_empty() {
            let full = format!("{base}.{reference}");
            for &k in kinds {
                if let Some(&id) = self.by_path.get(&(k, full.clone())) {
                    return Some(id);
                }
            }
        }
        for &k in kinds {
            let found = if reference.contains('.') {
                self.by_path.get(&(k, reference.to_string()))
            } else {
                self.public
                    .get(&(k.namespace(), reference.to_string()))
                    .filter(|&&id| self.decls[id].kind == k)
            };
            if let Some(&id) = found {
                return Some(id);
            }
        }
        None
    }

    pub(super) fn resolve(&mut self) -> Result<(), ModelError> {
        for d in &self.decls {
            if d.kind != Kind::Parameter {
                self.names.insert(d.display.clone());
            }
        }
        for i in 0..self.ccf_decls.len() {
            self.resolve_ccf(i)?;
        }
        // Gates in definition order; each gate's inputs are made on first use.
        for id in 0..self.decls.len() {
            if self.decls[id].kind == Kind::Gate {
                self.gate(id)?;
            }
        }
        let mut used = vec![false; self.tree.gates.len()];
        let mut used_events = vec![false; self.tree.events.len()];
        for g in &self.tree.gates {
            for x in &g.inputs {
                match *x {
                    Input::Gate(i) => used[i] = true,
                    Input::Event(i) => used_events[i] = true,
                }
            }
        }
        self.tree.tops = (0..self.tree.gates.len()).filter(|&g| !used[g]).collect();
        self.tree.unused_events = self
            .decls
            .iter()
            .enumerate()
            .filter(|(id, d)| {
                matches!(d.kind, Kind::BasicEvent | Kind::HouseEvent)
                    && self.event_of.get(id).is_none_or(|&e| !used_events[e])
            })
            .count();
        self.check_cycles()
    }

    /// Gates form a tree (a DAG), never a loop.
    pub(super) fn check_cycles(&self) -> Result<(), ModelError> {
        let gates = &self.tree.gates;
        // 0 unvisited, 1 on the path, 2 done.
        let mut state = vec![0u8; gates.len()];
        for start in 0..gates.len() {
            if state[start] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = 1;
            while let Some(&mut (g, ref mut next)) = stack.last_mut() {
                let inputs = &gates[g].inputs;
                if *next == inputs.len() {
                    state[g] = 2;
                    stack.pop();
                    continue;
                }
                let x = inputs[*next];
                *next += 1;
                if let Input::Gate(h) = x {
                    match state[h] {
                        0 => {
                            state[h] = 1;
                            stack.push((h, 0));
                        }
                        1 => {
                            let from = stack.iter().position(|&(s, _)| s == h).unwrap_or(0);
                            let mut names: Vec<&str> = stack[from..]
                                .iter()
                                .map(|&(s, _)| gates[s].name.as_str())
                                .collect();
                            names.push(&gates[h].name);
                            return Err(self.error(
                                gates[h].place,
                                format!("gates form a cycle: {}", names.join(" → ")),
                            ));
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }
}
