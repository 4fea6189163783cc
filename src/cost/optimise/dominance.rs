//! Reduction 2: variants that another variant beats in every state of what they share.

use super::*;

/// The variants of `c` that no other variant dominates (reduction 2), first of ties kept.
pub(super) fn undominated(catalog: &Catalog, c: ComponentId) -> Vec<usize> {
    let variants = &catalog.variants[c];
    // The states compared are UP, DEGRADED and DOWN: a variant whose calls may hang is worse
    // than DOWN for some callers, so it neither dominates nor is dominated.
    let hangs = may_hang(catalog);
    let can_hang = |x: &Component| {
        x.hang > 0.0
            || (x.dependencies.iter())
                .any(|d| !d.protects(x.deadline_s) && d.targets().iter().any(|&t| hangs[t]))
    };
    let mut kept = Vec::new();
    'next: for v in 0..variants.len() {
        for w in 0..variants.len() {
            if w == v || can_hang(&variants[w]) || can_hang(&variants[v]) {
                continue;
            }
            if let Some(strict) = dominates(&variants[w], &variants[v])
                && (strict || w < v)
            {
                continue 'next;
            }
        }
        kept.push(v);
    }
    kept
}

/// Per component: whether calls to it may hang in some design (its own `hang`, or a call that
/// does not give up to something that may).
pub(super) fn may_hang(catalog: &Catalog) -> Vec<bool> {
    let n = catalog.base.components.len();
    let mut hangs = vec![false; n];
    // Each pass settles at least one more layer of callers; the graph may differ by design.
    for _ in 0..n {
        let mut changed = false;
        for c in 0..n {
            if hangs[c] {
                continue;
            }
            hangs[c] = (0..catalog.options(c)).any(|v| {
                let x = catalog.component(c, v);
                x.hang > 0.0
                    || (x.dependencies.iter())
                        .any(|d| !d.protects(x.deadline_s) && d.targets().iter().any(|&t| hangs[t]))
            });
            changed |= hangs[c];
        }
        if !changed {
            break;
        }
    }
    hangs
}

/// What one variant's state depends on outside itself.
#[derive(Default)]
pub(super) struct Interface {
    domains: Vec<DomainId>,
    components: Vec<ComponentId>,
}

/// Whether `w` is at least as good as `v` everywhere: Some(strictly better somewhere) or None.
pub(super) fn dominates(w: &Component, v: &Component) -> Option<bool> {
    if w.monthly_cost() > v.monthly_cost() {
        return None;
    }
    if w.slo.map(|s| s.down.p) != v.slo.map(|s| s.down.p) {
        return None;
    }
    let mut face = Interface::default();
    for x in [w, v] {
        face.domains.extend(x.replica_domains.iter().flatten());
        for d in &x.dependencies {
            face.components.extend(d.targets());
            face.components.extend(d.fallback);
        }
        // Failover depends on the domains' odds, which this local view does not have.
        if x.replicas > 64 || (x.failover_s > 0.0 && x.replicas > 1) {
            return None;
        }
    }
    face.domains.sort_unstable();
    face.domains.dedup();
    face.components.sort_unstable();
    face.components.dedup();
    let states = (1usize << face.domains.len().min(20))
        .checked_mul(3usize.checked_pow(face.components.len() as u32)?)?;
    if states > MAX_INTERFACE_STATES {
        return None;
    }
    let mut strict = w.monthly_cost() < v.monthly_cost();
    let mut domain_down = vec![false; face.domains.len()];
    let mut component_state = vec![0u8; face.components.len()];
    for s in 0..states {
        let mut rest = s;
        for slot in domain_down.iter_mut() {
            *slot = rest % 2 == 1;
            rest /= 2;
        }
        for slot in component_state.iter_mut() {
            *slot = (rest % 3) as u8;
            rest /= 3;
        }
        let (wd, wi) = conditional(w, &face, &domain_down, &component_state);
        let (vd, vi) = conditional(v, &face, &domain_down, &component_state);
        if wd > vd || wi > vi {
            return None;
        }
        strict |= wd < vd || wi < vi;
    }
    Some(strict)
}

/// States of a dependency target: UP, DEGRADED, DOWN.
pub(super) const UP: u8 = 0;
pub(super) const DEGRADED: u8 = 1;
pub(super) const DOWN: u8 = 2;

/// P(DOWN) and P(impaired) of one component given the states of its domains and dependencies.
pub(super) fn conditional(
    c: &Component,
    face: &Interface,
    domain_down: &[bool],
    states: &[u8],
) -> (f64, f64) {
    let state_of = |t: ComponentId| states[face.components.binary_search(&t).expect("listed")];
    let mut entry = UP;
    for d in &c.dependencies {
        let s = match &d.target {
            DependencyTarget::Component(t) => state_of(*t),
            DependencyTarget::Group { at_least, members } => {
                let up = members.iter().filter(|&&m| state_of(m) == UP).count() as u32;
                let alive = members.iter().filter(|&&m| state_of(m) != DOWN).count() as u32;
                if up >= *at_least {
                    UP
                } else if alive >= *at_least {
                    DEGRADED
                } else {
                    DOWN
                }
            }
        };
        let s = match d.on_failure {
            OnFailure::Fail => s,
            OnFailure::Degrade => match (s, d.fallback) {
                (DOWN, Some(f)) if state_of(f) == DOWN => DOWN,
                (UP, _) => UP,
                _ => DEGRADED,
            },
            OnFailure::Ignore => UP,
        };
        entry = entry.max(s);
    }
    if entry == DOWN {
        return (1.0, 1.0);
    }
    // Capacity: replicas whose domain is up, each up on its own with P(q).
    let alive = c
        .replica_domains
        .iter()
        .filter(|d| d.is_none_or(|d| !domain_down[face.domains.binary_search(&d).expect("listed")]))
        .count();
    let capacity_down = fewer_than(alive, c.min_available as usize, c.replica_down);
    let mut own = Odds::from_p(capacity_down);
    if let Some(m) = c.maintenance_down() {
        own = own.either(m);
    }
    let impaired = if entry == DEGRADED { 1.0 } else { own.p };
    (own.p, impaired)
}

/// P(fewer than k of n independent replicas are up), each down with `down`.
pub(super) fn fewer_than(n: usize, k: usize, down: Odds) -> f64 {
    if n < k {
        return 1.0;
    }
    // Σ_{j<k} C(n, j) q^j p^(n-j): few terms, each small; no complement taken.
    let mut total = 0.0;
    let mut binom = 1.0;
    for j in 0..k {
        if j > 0 {
            binom = binom * (n - j + 1) as f64 / j as f64;
        }
        total += binom * down.q.powi(j as i32) * down.p.powi((n - j) as i32);
    }
    total.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn catalog(text: &str) -> Catalog {
        let model = crate::model::Model::parse(
            Path::new("t.yaml"),
            text.to_string(),
            crate::model::Format::Yaml,
        )
        .unwrap();
        Catalog::new(&model).unwrap()
    }

    const MODEL: &str = "
components:
  y: { availability: 0.99 }
  x:
    availability: 0.99
    variants:
      - { name: single, replicas: 1, cost: 10 }
      - { name: pair-same-price, replicas: 2, cost: 5 }
      - { name: pair, replicas: 2, cost: 10 }
      - { name: triple-degrading, replicas: 3, cost: 1, depends_on: [{ component: y, on_failure: degrade, timeout: 1s }] }
      - { name: fail-closed, replicas: 1, cost: 10, depends_on: [y] }
      - { name: fail-open, replicas: 1, cost: 10, depends_on: [{ component: y, on_failure: degrade, timeout: 1s }] }
";

    #[test]
    fn dominance_needs_both_fewer_outages_and_less_impairment() {
        let c = catalog(MODEL);
        let v = &c.variants[1];
        // Two replicas at the price of one dominate strictly.
        assert_eq!(dominates(&v[1], &v[0]), Some(true));
        // Costlier is never dominating.
        assert_eq!(dominates(&v[2], &v[1]), None);
        // Cheaper and down less often, but degraded whenever y is: not dominating.
        assert_eq!(dominates(&v[3], &v[0]), None);
        // Failing open is down less often and impaired as often as failing closed.
        assert_eq!(dominates(&v[5], &v[4]), Some(true));
        assert_eq!(dominates(&v[4], &v[5]), None);
        // What survives: the cheap pair (it beats every single replica, failing open or not)
        // and the cheap triple.
        assert_eq!(undominated(&c, 1), vec![1, 3]);
    }

    #[test]
    fn binomial_tail_matches_enumeration() {
        let down = Odds::from_p(0.1);
        // P(fewer than 2 of 3 up) = P(0 up) + P(1 up) = 0.001 + 3 × 0.9 × 0.01.
        assert!((fewer_than(3, 2, down) - (0.001 + 0.027)).abs() < 1e-15);
        assert_eq!(fewer_than(1, 2, down), 1.0);
        assert!((fewer_than(2, 1, down) - 0.01).abs() < 1e-15);
    }
}
