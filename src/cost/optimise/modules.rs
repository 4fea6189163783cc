//! Reduction 3: independent modules, solved on their own and folded in series blocks.

use super::*;

impl Optimiser<'_> {
    /// The maximal independent modules among `members`, none of them the measured root.
    pub(super) fn modules_in(
        &self,
        roots: &[ComponentId],
        members: &[ComponentId],
    ) -> Vec<ComponentId> {
        if !self.compose || members.len() > MAX_MODULE_SEARCH {
            return Vec::new();
        }
        let n = self.deps.len();
        let mut inside = vec![false; n];
        for &m in members {
            inside[m] = true;
        }
        let mut candidates: Vec<(ComponentId, Vec<bool>)> = Vec::new();
        for &y in members {
            if y == roots[0] {
                continue;
            }
            let closure = self.closure(&[y]);
            let body: Vec<ComponentId> = members.iter().copied().filter(|&m| closure[m]).collect();
            if !body.iter().any(|&m| self.has_choice(m)) {
                continue;
            }
            // A breaker charges its caller per outage of its target, a frequency that the
            // probabilities of a collapsed module do not keep.
            if members.iter().any(|&m| self.breaks_on(m, y)) {
                continue;
            }
            // What a module hides must not be asked about: no slo, no root inside.
            if body
                .iter()
                .any(|&m| m != y && (self.is_slo[m] || roots.contains(&m)))
            {
                continue;
            }
            let mut body_domains: Vec<DomainId> = body
                .iter()
                .flat_map(|&m| self.domains[m].iter().copied())
                .collect();
            body_domains.sort_unstable();
            body_domains.dedup();
            let independent = members.iter().filter(|&&m| !closure[m]).all(|&m| {
                self.deps[m].iter().all(|&d| d == y || !closure[d])
                    && self.domains[m]
                        .iter()
                        .all(|d| body_domains.binary_search(d).is_err())
            });
            if independent {
                candidates.push((y, closure));
            }
        }
        candidates
            .iter()
            .filter(|(y, _)| !candidates.iter().any(|(z, closure)| z != y && closure[*y]))
            .map(|(y, _)| *y)
            .collect()
    }

    /// Whether some variant of `caller` calls `target` through a circuit breaker.
    fn breaks_on(&self, caller: ComponentId, target: ComponentId) -> bool {
        self.options[caller].iter().any(|&v| {
            (self.component(caller, v).dependencies.iter())
                .any(|d| d.breaker_s.is_some() && d.targets().contains(&target))
        })
    }

    /// Builds the question over `members` with `roots`, collapsing what modules it can.
    pub(super) fn scope(
        &self,
        roots: Vec<ComponentId>,
        members: Vec<ComponentId>,
    ) -> Result<Scope, EngineError> {
        let n = self.deps.len();
        let mut removed = vec![false; n];
        let mut solved: Vec<(ComponentId, Vec<Alt>)> = Vec::new();
        let mut queue = self.modules_in(&roots, &members);
        while let Some(y) = queue.pop() {
            match self.solve_module(y)? {
                Some(alts) => {
                    let closure = self.closure(&[y]);
                    for &m in &members {
                        if closure[m] && m != y {
                            removed[m] = true;
                        }
                    }
                    solved.push((y, alts));
                }
                None => {
                    // Too large to solve alone: its own modules are modules here too.
                    let closure = self.closure(&[y]);
                    let body: Vec<ComponentId> =
                        members.iter().copied().filter(|&m| closure[m]).collect();
                    queue.extend(self.modules_in(&[y], &body));
                }
            }
        }
        let parts: Vec<ComponentId> = members.iter().copied().filter(|&m| !removed[m]).collect();
        let module_roots: Vec<ComponentId> = solved.iter().map(|(y, _)| *y).collect();
        let mut decisions: Vec<Decision> = parts
            .iter()
            .filter(|&&c| self.has_choice(c) && !module_roots.contains(&c))
            .map(|&c| Decision {
                kind: Kind::Choice(c),
                alts: self.options[c]
                    .iter()
                    .map(|&v| Alt {
                        picks: vec![(c, v)],
                        cost: self.component(c, v).monthly_cost(),
                        states: None,
                        hung: 0.0,
                    })
                    .collect(),
            })
            .collect();
        let (block, rewritten) = self.series_block(&roots, &parts, &mut solved);
        for (y, alts) in solved {
            decisions.push(Decision {
                kind: Kind::Module(y),
                alts,
            });
        }
        let mut parts = parts;
        if let Some((keep, dropped, alts)) = block {
            parts.retain(|p| !dropped.contains(p));
            decisions.push(Decision {
                kind: Kind::Module(keep),
                alts,
            });
        }
        for d in &mut decisions {
            d.alts.sort_by(|a, b| a.cost.total_cmp(&b.cost));
        }
        let decision_at = decisions
            .iter()
            .enumerate()
            .map(|(i, d)| (d.at(), i))
            .collect();
        Ok(Scope {
            roots,
            parts,
            decisions,
            decision_at,
            rewritten,
        })
    }

    /// Folds the solved modules that hang off the measured root as plain dependencies (each
    /// named once, by nothing else) into one series block. Returns (the module standing for the
    /// block, the others, the block's alternatives) and the rewritten root; the folded modules
    /// leave `solved`.
    #[allow(clippy::type_complexity)]
    pub(super) fn series_block(
        &self,
        roots: &[ComponentId],
        parts: &[ComponentId],
        solved: &mut Vec<(ComponentId, Vec<Alt>)>,
    ) -> (
        Option<(ComponentId, Vec<ComponentId>, Vec<Alt>)>,
        Option<Component>,
    ) {
        let root = roots[0];
        if self.has_choice(root) || solved.len() < 2 {
            return (None, None);
        }
        let root_component = self.component(root, self.fixed[root]);
        let mentions = |m: ComponentId| -> usize {
            root_component
                .dependencies
                .iter()
                .map(|d| {
                    d.targets().iter().filter(|&&t| t == m).count()
                        + usize::from(d.fallback == Some(m))
                })
                .sum()
        };
        // Entry index of each module that qualifies.
        let mut members: Vec<(usize, usize)> = Vec::new(); // (index in solved, entry)
        for (i, (m, _)) in solved.iter().enumerate() {
            let others = parts.iter().any(|&p| p != root && self.deps[p].contains(m));
            // A module with an slo keeps its own reading, so it stays out of the block.
            if others || self.is_slo[*m] || mentions(*m) != 1 {
                continue;
            }
            // A breaker charges its caller per outage of the target, and a queue passes on only
            // its DOWN: neither is a plain entry of a series.
            let entry = root_component.dependencies.iter().position(|d| {
                d.target == DependencyTarget::Component(*m)
                    && d.fallback.is_none()
                    && d.on_failure != OnFailure::Ignore
                    && d.breaker_s.is_none()
                    && d.queue.is_none()
            });
            if let Some(e) = entry {
                members.push((i, e));
            }
        }
        if members.len() < 2 {
            return (None, None);
        }
        // What each entry passes on: a failing-open entry turns DOWN into DEGRADED, but for a
        // hang it does not give up on; an entry that gives up turns HUNG into DOWN.
        let passed = |alt: &Alt, entry: &Dependency| -> Alt {
            let s = alt.states.expect("module alternatives carry states");
            let hung = if entry.protects(root_component.deadline_s) {
                0.0
            } else {
                alt.hung
            };
            let s = match entry.on_failure {
                OnFailure::Degrade => StateOdds {
                    down: Odds::from_p(hung),
                    degraded: s.degraded + (s.down.p - hung),
                    up: s.up,
                },
                _ => s,
            };
            Alt {
                picks: alt.picks.clone(),
                cost: alt.cost,
                states: Some(s),
                hung,
            }
        };
        let mut block: Vec<Alt> = Vec::new();
        let mut folded: Vec<usize> = Vec::new();
        for &(i, e) in &members {
            let entry = &root_component.dependencies[e];
            let alts: Vec<Alt> = solved[i].1.iter().map(|a| passed(a, entry)).collect();
            if folded.is_empty() {
                block = alts;
            } else {
                if block.len().saturating_mul(alts.len()) > MAX_FOLD {
                    continue;
                }
                let mut combined = Vec::with_capacity(block.len() * alts.len());
                for a in &block {
                    for b in &alts {
                        combined.push(series(a, b));
                    }
                }
                block = undominated_alts(combined);
            }
            folded.push(i);
        }
        if folded.len() < 2 {
            return (None, None);
        }
        let folded_ids: Vec<ComponentId> = folded.iter().map(|&i| solved[i].0).collect();
        let keep = folded_ids[0];
        // The root now depends on the block once, plainly, where it named the first module;
        // the block's HUNG is what its entries did not give up on, so this one never does.
        let mut rewritten = root_component.clone();
        rewritten.dependencies = root_component
            .dependencies
            .iter()
            .filter_map(|d| match &d.target {
                DependencyTarget::Component(t) if *t == keep => Some(Dependency {
                    on_failure: OnFailure::Fail,
                    timeout_s: None,
                    breaker_s: None,
                    ..d.clone()
                }),
                DependencyTarget::Component(t) if folded_ids.contains(t) => None,
                _ => Some(d.clone()),
            })
            .collect();
        let dropped: Vec<ComponentId> = folded_ids[1..].to_vec();
        let mut index = 0;
        solved.retain(|_| {
            let keep_it = !folded.contains(&index);
            index += 1;
            keep_it
        });
        (Some((keep, dropped, block)), Some(rewritten))
    }

    /// Solves an independent module on its own; None when it has too many designs.
    pub(super) fn solve_module(&self, y: ComponentId) -> Result<Option<Vec<Alt>>, EngineError> {
        if let Some(known) = self.solved.lock().expect("not poisoned").get(&y) {
            return Ok(known.clone());
        }
        let closure = self.closure(&[y]);
        let members: Vec<ComponentId> = (0..closure.len()).filter(|&c| closure[c]).collect();
        let scope = self.scope(vec![y], members)?;
        let count: f64 = scope
            .decisions
            .iter()
            .map(|d| d.alts.len() as f64)
            .product();
        let remaining = self
            .budget
            .saturating_sub(self.evaluations.load(Ordering::Relaxed));
        let result = if count > self.max_designs as f64 || count > remaining as f64 {
            None
        } else {
            let assignments = all_assignments(&scope);
            let states = local::parallel(&assignments, self.threads, |a| {
                let r = self.evaluate_hung(&scope, a);
                self.progress.tick();
                r
            });
            self.evaluations
                .fetch_add(assignments.len() as u64, Ordering::Relaxed);
            let mut alts = Vec::with_capacity(assignments.len());
            for (a, s) in assignments.iter().zip(states) {
                let (states, hung) = s?[0];
                alts.push(Alt {
                    picks: scope.picks(a),
                    cost: scope.cost(a),
                    states: Some(states),
                    hung,
                });
            }
            self.modules.fetch_add(1, Ordering::Relaxed);
            Some(undominated_alts(alts))
        };
        self.solved
            .lock()
            .expect("not poisoned")
            .insert(y, result.clone());
        Ok(result)
    }
}

/// The alternatives no other beats in cost, P(DOWN), P(impaired) and, where any can hang,
/// P(HUNG): a caller that does not give up on a hang is worse off the more often it hangs, so
/// an alternative down less often but hung more often is not beaten.
fn undominated_alts(alts: Vec<Alt>) -> Vec<Alt> {
    if alts.iter().all(|a| a.hung == 0.0) {
        return frontier::pareto3(alts, |x| (x.cost, x.states_down(), x.impaired()));
    }
    let mut alts = alts;
    alts.sort_by(|a, b| {
        (a.cost.total_cmp(&b.cost))
            .then(a.states_down().total_cmp(&b.states_down()))
            .then(a.impaired().total_cmp(&b.impaired()))
            .then(a.hung.total_cmp(&b.hung))
    });
    let mut kept: Vec<Alt> = Vec::new();
    for a in alts {
        // Sorted by cost first: only an earlier one can beat it.
        let beaten = kept.iter().any(|k| {
            k.states_down() <= a.states_down() && k.impaired() <= a.impaired() && k.hung <= a.hung
        });
        if !beaten {
            kept.push(a);
        }
    }
    kept
}
