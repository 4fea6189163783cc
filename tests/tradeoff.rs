//! `nines tradeoff`: designs, frontier, sweet spot and the optimiser, checked against brute
//! force (every design re-validated from the file and evaluated whole) and closed forms; the
//! CLI's JSON, errors and plots.

use std::path::Path;

use nines::cost::{self, Catalog, Method, Request, Tradeoff};
use nines::model::{Format, Model};

use crate::util::*;

// ---------------------------------------------------------------------------------------------
// Brute force: the independent reference.

/// One design evaluated the slow, obvious way.
#[derive(Clone, Debug)]
struct Reference {
    choice: Vec<usize>,
    cost: f64,
    unavailability: f64,
    degraded: f64,
    total: f64,
    meets_slos: bool,
}

fn parse(text: &str) -> Model {
    Model::parse(Path::new("test.yaml"), text.to_string(), Format::Yaml)
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Every design: `Model::design` (full validation), the whole system lowered and evaluated.
fn brute_force(model: &Model, target: &str) -> Vec<Reference> {
    let n = model.spec.components.len();
    let axes: Vec<(usize, usize)> = model
        .spec
        .components
        .values()
        .enumerate()
        .filter(|(_, c)| !c.variants.is_empty())
        .map(|(i, c)| (i, c.variants.len()))
        .collect();
    let count: usize = axes.iter().map(|a| a.1).product();
    let mut out = Vec::new();
    for index in 0..count {
        let mut rest = index;
        let mut choice = vec![0; axes.len()];
        for (slot, (_, r)) in choice.iter_mut().zip(&axes).rev() {
            *slot = rest % r;
            rest /= r;
        }
        let mut design = vec![None; n];
        for (&(c, _), &v) in axes.iter().zip(&choice) {
            design[c] = Some(v);
        }
        let system = model.design(&design).unwrap_or_else(|e| panic!("{e}"));
        let states = nines::exact::evaluate_system(&system).unwrap();
        let t = system.component_id(target).unwrap();
        let cost: f64 = system.components.iter().map(|c| c.monthly_cost()).sum();
        let (u, d) = (states[t].down.p, states[t].degraded);
        out.push(Reference {
            choice,
            cost,
            unavailability: u,
            degraded: d,
            total: cost + 730.0 * (u * system.downtime_per_hour + d * system.degraded_per_hour),
            meets_slos: system
                .components
                .iter()
                .zip(&states)
                .all(|(c, s)| c.slo.is_none_or(|slo| slo.met_by(s.down.p))),
        });
    }
    out
}

/// The reference frontier, by the definition: no other design at most as costly and at most as
/// unavailable, better in one.
fn reference_frontier(all: &[Reference]) -> Vec<&Reference> {
    all.iter()
        .filter(|d| {
            !all.iter().any(|e| {
                e.cost <= d.cost
                    && e.unavailability <= d.unavailability
                    && (e.cost < d.cost || e.unavailability < d.unavailability)
            })
        })
        .collect()
}

const TOLERANCE: f64 = 1e-9;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOLERANCE * a.abs().max(b.abs()) || (a - b).abs() < 1e-300
}

/// Checks the answers against brute force. Robust to rounding: a frontier design must be a real
/// design that no design beats by more than the tolerance, and every reference frontier point
/// must be matched by one at most as costly and as unavailable (within the tolerance).
fn assert_matches(t: &Tradeoff, all: &[Reference], context: &str) {
    let by_choice = |choice: &[usize]| {
        all.iter()
            .find(|r| r.choice == choice)
            .unwrap_or_else(|| panic!("{context}: design {choice:?} does not exist"))
    };
    for f in &t.frontier {
        let r = by_choice(&f.choice);
        assert_eq!(f.cost, r.cost, "{context}: cost of {:?}", f.choice);
        assert!(
            close(f.down.p, r.unavailability),
            "{context}: unavailability of {:?}: {} vs {}",
            f.choice,
            f.down.p,
            r.unavailability
        );
        let beaten = all
            .iter()
            .find(|d| d.cost <= f.cost && d.unavailability < f.down.p * (1.0 - TOLERANCE) - 1e-300);
        assert!(
            beaten.is_none(),
            "{context}: frontier design {:?} (cost {}, U {:e}) is beaten by {:?}",
            f.choice,
            f.cost,
            f.down.p,
            beaten
        );
    }
    for r in reference_frontier(all) {
        assert!(
            t.frontier
                .iter()
                .any(|f| f.cost <= r.cost
                    && f.down.p <= r.unavailability * (1.0 + TOLERANCE) + 1e-300),
            "{context}: reference frontier point (cost {}, U {:e}, {:?}) is missing from {:?}",
            r.cost,
            r.unavailability,
            r.choice,
            t.frontier
                .iter()
                .map(|f| (f.cost, f.down.p))
                .collect::<Vec<_>>()
        );
    }
    // Frontier is sorted by cost, availability rising.
    for w in t.frontier.windows(2) {
        assert!(
            w[0].cost < w[1].cost && w[0].down.p > w[1].down.p,
            "{context}: order"
        );
    }
    let best_total = all.iter().map(|r| r.total).fold(f64::INFINITY, f64::min);
    assert!(
        close(t.sweet_spot.total_cost, best_total),
        "{context}: sweet spot {} vs brute force {}",
        t.sweet_spot.total_cost,
        best_total
    );
    let s = by_choice(&t.sweet_spot.choice);
    assert!(
        close(s.total, t.sweet_spot.total_cost),
        "{context}: sweet spot is a real design"
    );
    let cheapest = all
        .iter()
        .filter(|r| r.meets_slos)
        .map(|r| r.cost)
        .fold(f64::INFINITY, f64::min);
    match &t.cheapest_meeting_slos {
        Some(c) => {
            assert_eq!(c.cost, cheapest, "{context}: cheapest meeting SLOs");
            assert!(by_choice(&c.choice).meets_slos, "{context}: it meets them");
        }
        None => assert!(
            cheapest.is_infinite() || !t.has_slos,
            "{context}: brute force finds a design meeting every SLO at {cheapest}"
        ),
    }
}

fn request(max_designs: u64, budget: u64) -> Request<'static> {
    Request {
        max_designs,
        budget,
        threads: 2,
        ..Request::default()
    }
}

fn run(model: &Model, req: &Request<'_>) -> Tradeoff {
    cost::analyse(Catalog::new(model).unwrap(), req).unwrap_or_else(|e| panic!("{e}"))
}

/// The component a random model is about: its last.
fn last_component(model: &Model) -> String {
    model.spec.components.keys().last().unwrap().clone()
}

fn run_optimiser(model: &Model, req: &Request<'_>) -> Tradeoff {
    let catalog = Catalog::new(model).unwrap();
    let target = cost::choose_target(&catalog, req.component).unwrap();
    cost::optimise::optimise(catalog, target, req).unwrap_or_else(|e| panic!("{e}"))
}

fn is_exact(t: &Tradeoff) -> bool {
    match &t.method {
        Method::Enumerated => true,
        Method::Optimised { exact, .. } => *exact,
    }
}

/// Enumeration with one diagram shared by all designs and with one diagram per design: its
/// answers and every design's own numbers, not only the ones picked, are brute force's.
fn assert_enumeration_matches(model: &Model, all: &[Reference], target: &str, what: &str) {
    for shared_diagram in [true, false] {
        let t = run(
            model,
            &Request {
                component: Some(target),
                shared_diagram,
                ..request(100_000, 1_000_000)
            },
        );
        let context = format!("shared diagram {shared_diagram}, {what}");
        assert_matches(&t, all, &context);
        let designs = t.designs.as_ref().expect("enumerated");
        assert_eq!(designs.len(), all.len(), "{context}");
        for (d, r) in designs.iter().zip(all) {
            assert_eq!(d.choice, r.choice);
            assert_eq!(d.cost, r.cost, "{context}");
            assert!(
                close(d.down.p, r.unavailability),
                "{context}: {:?}",
                d.choice
            );
            assert!(
                (d.degraded - r.degraded).abs() <= 1e-9 * r.degraded.max(1e-12),
                "{context}: degraded {} vs {}",
                d.degraded,
                r.degraded
            );
            assert_eq!(d.meets_slos, r.meets_slos, "{context}: {:?}", d.choice);
        }
    }
}

/// The optimiser with modules and blocks solved by enumeration, pure branch-and-bound, and a
/// mix: it completes, and its answers are brute force's. Returns the modules it collapsed.
fn assert_optimiser_matches(model: &Model, all: &[Reference], target: &str, what: &str) -> usize {
    let mut modules_used = 0;
    for max in [100_000, 0, 3] {
        let t = run_optimiser(
            model,
            &Request {
                component: Some(target),
                ..request(max, 1_000_000)
            },
        );
        assert!(is_exact(&t), "{what}: the search should complete");
        if let Method::Optimised { modules, .. } = &t.method {
            modules_used += modules;
        }
        assert_matches(&t, all, &format!("max_designs {max}, {what}"));
    }
    modules_used
}

// ---------------------------------------------------------------------------------------------
// Random small models.

const ZONES: [&str; 4] = ["z0", "z1", "z2", "z3"];

/// The keys of one component or variant: availability, replicas, spread, cost.
fn random_keys(rng: &mut Rng, out: &mut Vec<String>) {
    random_keys_in(rng, out, true);
}

fn random_keys_in(rng: &mut Rng, out: &mut Vec<String>, zones: bool) {
    let a = ["0.99", "0.995", "0.999", "0.98", "0.9995"];
    out.push(format!("availability: {}", rng.pick(&a)));
    let replicas = 1 + rng.below_u64(3);
    out.push(format!("replicas: {replicas}"));
    out.push(format!("min_available: {}", 1 + rng.below_u64(replicas)));
    if zones && rng.chance(60) {
        let k = 1 + rng.below(3);
        let zones: Vec<&str> = (0..k).map(|_| *rng.pick(&ZONES)).collect();
        out.push(format!("spread: [{}]", zones.join(", ")));
    }
    out.push(format!("cost: {}", 10 * (1 + rng.below_u64(30))));
    if rng.chance(30) {
        out.push(format!("fixed_cost: {}", 100 * rng.below_u64(5)));
    }
    if rng.chance(15) {
        out.push("maintenance: { every: 30d, duration: 1h }".into());
    }
    if rng.chance(15) {
        out.push("failover: 1m".into());
    }
}

/// Dependencies of component `i` on earlier ones (so that no design has a cycle).
fn random_dependencies(rng: &mut Rng, i: usize) -> Option<String> {
    if i == 0 {
        return None;
    }
    let mut entries = Vec::new();
    for j in 0..i {
        if !rng.chance(45) {
            continue;
        }
        let entry = match rng.below_u64(6) {
            0 | 1 => format!("c{j}"),
            2 => format!("{{ component: c{j}, on_failure: degrade, timeout: 1s }}"),
            3 if j > 0 => format!(
                "{{ component: c{j}, on_failure: degrade, fallback: c{}, timeout: 1s }}",
                rng.below(j)
            ),
            4 if j > 0 => format!("{{ at_least: 1, of: [c{j}, c{}] }}", rng.below(j)),
            5 => format!("{{ component: c{j}, on_failure: ignore }}"),
            _ => format!("c{j}"),
        };
        entries.push(entry);
    }
    (!entries.is_empty()).then(|| format!("depends_on: [{}]", entries.join(", ")))
}

fn random_model(seed: u64) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let n = 4 + rng.below(3);
    let downtime = 100 * (1 + rng.below_u64(200));
    // Mostly degraded time is cheaper than downtime; sometimes dearer, which the optimiser must
    // handle without its monotone reductions.
    let degraded = if rng.chance(20) {
        downtime * (2 + rng.below_u64(5))
    } else {
        rng.below_u64(downtime + 1)
    };
    let mut y = format!(
        "cost: {{ downtime_per_hour: {downtime}, degraded_per_hour: {degraded} }}\n\
         domains:\n  r0: {{ availability: 0.9995 }}\n  r1: {{ availability: 0.999 }}\n  \
         z0: {{ availability: 0.999, parent: r0 }}\n  z1: {{ availability: 0.998, parent: r0 }}\n  \
         z2: {{ availability: 0.9995, parent: r1 }}\n  z3: {{ availability: 0.99 }}\ncomponents:\n"
    );
    let mut designs = 1;
    for i in 0..n {
        y += &format!("  c{i}:\n");
        let mut keys = Vec::new();
        random_keys(&mut rng, &mut keys);
        if let Some(d) = random_dependencies(&mut rng, i) {
            keys.push(d);
        }
        if i == n - 1 {
            keys.push("slo: 0.99".into());
        } else if rng.chance(15) {
            keys.push("slo: 0.98".into());
        }
        for k in &keys {
            y += &format!("    {k}\n");
        }
        let variants = if designs < 60 && rng.chance(65) {
            2 + rng.below_u64(2)
        } else {
            0
        };
        if variants > 0 {
            designs *= variants;
            y += "    variants:\n";
            for v in 0..variants {
                let mut vk = vec![format!("name: v{v}")];
                // Override a few keys; sometimes the whole dependency list.
                let mut all = Vec::new();
                random_keys(&mut rng, &mut all);
                for k in all {
                    if rng.chance(50)
                        && !k.starts_with("min_available")
                        && !k.starts_with("replicas")
                    {
                        vk.push(k);
                    }
                }
                if rng.chance(50) {
                    let r = 1 + rng.below_u64(3);
                    vk.push(format!("replicas: {r}"));
                    vk.push("min_available: 1".into());
                }
                if rng.chance(30)
                    && let Some(d) = random_dependencies(&mut rng, i)
                {
                    vk.push(d);
                }
                y += &format!("      - {{ {} }}\n", vk.join(", "));
            }
        }
    }
    y
}

/// A random tree: every component but the last is called by exactly one later one, and no
/// domains, so that subtrees are independent modules (and siblings form series blocks).
fn random_tree_model(seed: u64) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let n = 5 + rng.below(4);
    let downtime = 100 * (1 + rng.below_u64(200));
    let degraded = if rng.chance(20) {
        downtime * (2 + rng.below_u64(5))
    } else {
        rng.below_u64(downtime + 1)
    };
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n - 1 {
        let parent = i + 1 + rng.below(n - 1 - i);
        children[parent].push(i);
    }
    let entries = |rng: &mut Rng, kids: &[usize]| -> Option<String> {
        if kids.is_empty() {
            return None;
        }
        let mut out = Vec::new();
        let mut k = 0;
        while k < kids.len() {
            let c = kids[k];
            let e = match rng.below_u64(5) {
                0 | 1 => format!("c{c}"),
                2 => format!("{{ component: c{c}, on_failure: degrade, timeout: 1s }}"),
                3 if k + 1 < kids.len() => {
                    k += 1;
                    format!("{{ at_least: 1, of: [c{c}, c{}] }}", kids[k])
                }
                _ => format!("{{ component: c{c}, on_failure: ignore }}"),
            };
            out.push(e);
            k += 1;
        }
        Some(format!("depends_on: [{}]", out.join(", ")))
    };
    let mut y = format!(
        "cost: {{ downtime_per_hour: {downtime}, degraded_per_hour: {degraded} }}\ncomponents:\n"
    );
    let mut designs = 1;
    for (i, kids) in children.iter().enumerate() {
        y += &format!("  c{i}:\n");
        let mut keys = Vec::new();
        random_keys_in(&mut rng, &mut keys, false);
        if let Some(d) = entries(&mut rng, kids) {
            keys.push(d);
        }
        if i == n - 1 {
            keys.push("slo: 0.99".into());
        }
        for k in &keys {
            y += &format!("    {k}\n");
        }
        let variants = if designs < 80 && rng.chance(70) {
            2 + rng.below_u64(2)
        } else {
            0
        };
        if variants > 0 {
            designs *= variants;
            y += "    variants:\n";
            for v in 0..variants {
                let mut vk = vec![format!("name: v{v}")];
                let mut all = Vec::new();
                random_keys_in(&mut rng, &mut all, false);
                for k in all {
                    if rng.chance(60)
                        && !k.starts_with("min_available")
                        && !k.starts_with("replicas")
                    {
                        vk.push(k);
                    }
                }
                if rng.chance(50) {
                    vk.push(format!("replicas: {}", 1 + rng.below_u64(3)));
                    vk.push("min_available: 1".into());
                }
                if rng.chance(30)
                    && let Some(d) = entries(&mut rng, kids)
                {
                    vk.push(d);
                }
                y += &format!("      - {{ {} }}\n", vk.join(", "));
            }
        }
    }
    y
}

#[test]
fn enumeration_equals_brute_force_on_random_models() {
    let mut checked = 0;
    for seed in 0..40 {
        let text = if seed % 4 == 3 {
            random_tree_model(seed)
        } else {
            random_model(seed)
        };
        let model = parse(&text);
        let target = last_component(&model);
        let all = brute_force(&model, &target);
        assert_enumeration_matches(&model, &all, &target, &format!("seed {seed}\n{text}"));
        checked += all.len();
    }
    assert!(
        checked > 400,
        "the generator made too few designs: {checked}"
    );
}

#[test]
fn optimiser_equals_brute_force_on_random_models() {
    let mut modules_used = 0;
    for seed in 100..160 {
        // Half the models share zones everywhere; half are trees, full of independent modules.
        let text = if seed % 2 == 0 {
            random_model(seed)
        } else {
            random_tree_model(seed)
        };
        let model = parse(&text);
        let target = last_component(&model);
        let all = brute_force(&model, &target);
        modules_used +=
            assert_optimiser_matches(&model, &all, &target, &format!("seed {seed}\n{text}"));
    }
    assert!(
        modules_used > 20,
        "the trees should exercise modules: {modules_used}"
    );
}

// ---------------------------------------------------------------------------------------------
// A larger model: redundancy allocation in the style of Fyffe, Hines & Lee (1968), 14
// subsystems in series, each with two component types at one to three replicas.

/// (availability, cost) of the two component types of each subsystem.
const SUBSYSTEMS: [[(f64, u32); 2]; 14] = [
    [(0.90, 1), (0.93, 2)],
    [(0.95, 2), (0.94, 1)],
    [(0.85, 2), (0.90, 3)],
    [(0.83, 3), (0.87, 4)],
    [(0.94, 2), (0.93, 2)],
    [(0.99, 3), (0.98, 2)],
    [(0.91, 4), (0.92, 5)],
    [(0.81, 3), (0.90, 5)],
    [(0.97, 2), (0.99, 3)],
    [(0.83, 4), (0.85, 4)],
    [(0.94, 3), (0.95, 4)],
    [(0.79, 2), (0.82, 3)],
    [(0.98, 2), (0.99, 3)],
    [(0.90, 4), (0.92, 4)],
];

/// Each subsystem's variants: (type, replicas).
fn rap_variants() -> Vec<(usize, u32)> {
    let mut v = Vec::new();
    for t in 0..2 {
        for r in 1..=3 {
            v.push((t, r));
        }
    }
    v
}

fn rap_model() -> String {
    let mut y = String::from("cost: { downtime_per_hour: 40 }\ncomponents:\n");
    for (i, types) in SUBSYSTEMS.iter().enumerate() {
        y += &format!("  s{i}:\n    availability: {}\n    variants:\n", types[0].0);
        for (t, r) in rap_variants() {
            let (a, c) = types[t];
            y += &format!(
                "      - {{ name: type{t}x{r}, availability: {a}, replicas: {r}, cost: {c} }}\n"
            );
        }
    }
    let deps: Vec<String> = (0..SUBSYSTEMS.len()).map(|i| format!("s{i}")).collect();
    y += &format!(
        "  system:\n    availability: 1\n    depends_on: [{}]\n    slo: 0.98\n",
        deps.join(", ")
    );
    y
}

/// The closed form: subsystem i down with (1 − a)^r; the series system up when all are up.
fn rap_unavailability(choice: &[usize]) -> f64 {
    let variants = rap_variants();
    let mut up = 1.0;
    let mut down: f64 = 0.0;
    for (i, &v) in choice.iter().enumerate() {
        let (t, r) = variants[v];
        let u = (1.0 - SUBSYSTEMS[i][t].0).powi(r as i32);
        down += u * up;
        up *= 1.0 - u;
    }
    down
}

fn rap_cost(choice: &[usize]) -> f64 {
    let variants = rap_variants();
    choice
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let (t, r) = variants[v];
            (SUBSYSTEMS[i][t].1 * r) as f64
        })
        .sum()
}

/// The exact frontier by a dynamic programme over subsystems (independent of the tool).
fn rap_frontier() -> Vec<(f64, f64)> {
    let variants = rap_variants();
    // (cost, P(all up so far)), kept Pareto-optimal: cheaper or more reliable.
    let mut front: Vec<(f64, f64)> = vec![(0.0, 1.0)];
    for types in &SUBSYSTEMS {
        let mut next = Vec::new();
        for &(c, r) in &front {
            for &(t, n) in &variants {
                let (a, cost) = types[t];
                next.push((c + (cost * n) as f64, r * (1.0 - (1.0 - a).powi(n as i32))));
            }
        }
        next.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
        front.clear();
        for p in next {
            if front.last().is_none_or(|l| p.1 > l.1) {
                front.push(p);
            }
        }
    }
    front.into_iter().map(|(c, r)| (c, 1.0 - r)).collect()
}

#[test]
fn optimiser_finds_the_exact_frontier_of_a_redundancy_allocation_problem() {
    let model = parse(&rap_model());
    let t = run(&model, &request(100_000, 1_000_000));
    assert!(t.design_count > 7e10, "6^14 designs: {}", t.design_count);
    let Method::Optimised { exact, modules, .. } = &t.method else {
        panic!("too many designs to enumerate")
    };
    assert!(exact, "independent subsystems compose exactly");
    assert!(*modules >= 14, "each subsystem is a module: {modules}");
    let reference = rap_frontier();
    // Every frontier design is real, and its reported numbers are its own.
    for f in &t.frontier {
        assert_eq!(f.cost, rap_cost(&f.choice));
        assert_close!(f.down.p, rap_unavailability(&f.choice), 1e-9);
    }
    // The same points as the dynamic programme: cost for cost, unavailability within rounding.
    assert_eq!(
        t.frontier.len(),
        reference.len(),
        "frontier sizes: {:?} vs {:?}",
        t.frontier.iter().map(|f| f.cost).collect::<Vec<_>>(),
        reference.iter().map(|f| f.0).collect::<Vec<_>>()
    );
    for (f, (c, u)) in t.frontier.iter().zip(&reference) {
        assert_eq!(f.cost, *c);
        assert_close!(f.down.p, *u, 1e-9);
    }
    // The sweet spot is the least of cost + 730 h × 40/h × U along the frontier.
    let best = reference
        .iter()
        .map(|(c, u)| c + 730.0 * 40.0 * u)
        .fold(f64::INFINITY, f64::min);
    assert_close!(t.sweet_spot.total_cost, best, 1e-9);
    // The cheapest design meeting 98%: the cheapest frontier point with U ≤ 0.02.
    let slo = reference
        .iter()
        .find(|(_, u)| *u <= 0.02)
        .expect("reachable");
    assert_eq!(t.cheapest_meeting_slos.as_ref().unwrap().cost, slo.0);
    // And the whole pipeline agrees with the closed form on the picked designs.
    for o in [&t.sweet_spot, &t.frontier[t.frontier.len() / 2]] {
        let system = model.design(&t.catalog.design(&o.choice)).unwrap();
        let states = nines::exact::evaluate_system(&system).unwrap();
        assert_close!(states[t.target].down.p, o.down.p, 1e-9);
    }
}

// ---------------------------------------------------------------------------------------------
// Shared zones: no modules, so branch-and-bound; stopped early it must report a true bound.

fn zoned_model() -> String {
    let mut y = String::from(
        "cost: { downtime_per_hour: 5000, degraded_per_hour: 500 }\n\
         domains:\n  region: { availability: 0.9999 }\n  \
         a: { availability: 0.999, parent: region }\n  b: { availability: 0.998, parent: region }\n  \
         c: { availability: 0.9995, parent: region }\ncomponents:\n",
    );
    let avail = ["0.99", "0.995", "0.98", "0.999", "0.97", "0.993", "0.985"];
    for (i, a) in avail.iter().enumerate() {
        y += &format!(
            "  c{i}:\n    availability: {}\n    spread: [a, b, c]\n    variants:\n      \
             - {{ name: one, replicas: 1, cost: {} }}\n      \
             - {{ name: two, replicas: 2, cost: {} }}\n      \
             - {{ name: three, replicas: 3, cost: {} }}\n",
            a,
            100 + 10 * i,
            210 + 10 * i,
            330 + 15 * i
        );
    }
    y += "  front:\n    availability: 0.9999\n    depends_on: [c0, c1, c2, c3, { component: c4, on_failure: degrade, timeout: 1s }, { at_least: 1, of: [c5, c6] }]\n    slo: 0.995\n";
    y
}

#[test]
fn branch_and_bound_is_exact_when_it_completes_and_bounded_when_it_stops() {
    let model = parse(&zoned_model());
    let all = brute_force(&model, "front");
    assert_eq!(all.len(), 2187);

    let complete = run_optimiser(&model, &request(0, 1_000_000));
    assert!(is_exact(&complete));
    assert_matches(&complete, &all, "complete search");

    let stopped = run_optimiser(&model, &request(0, 60));
    let Method::Optimised {
        exact: false,
        bound: Some(bound),
        ..
    } = &stopped.method
    else {
        panic!(
            "a budget of 60 evaluations cannot finish: {:?}",
            stopped.method
        )
    };
    // Whatever it found is real.
    for f in &stopped.frontier {
        let r = all.iter().find(|r| r.choice == f.choice).unwrap();
        assert!(close(f.down.p, r.unavailability));
    }
    // No design beats the reported bounds.
    for (f, &lb) in stopped
        .frontier
        .iter()
        .zip(&bound.frontier_unavailability_at_least)
    {
        assert!(lb <= f.down.p);
        for r in all.iter().filter(|r| r.cost <= f.cost) {
            assert!(
                r.unavailability >= lb * (1.0 - TOLERANCE),
                "design {:?} at cost {} has U {:e} below the bound {lb:e}",
                r.choice,
                r.cost,
                r.unavailability
            );
        }
    }
    let best_u = all
        .iter()
        .map(|r| r.unavailability)
        .fold(f64::INFINITY, f64::min);
    assert!(bound.unavailability_at_least <= best_u * (1.0 + TOLERANCE));
    let best_total = all.iter().map(|r| r.total).fold(f64::INFINITY, f64::min);
    assert!(bound.total_cost_at_least <= best_total * (1.0 + TOLERANCE));
    assert!(stopped.sweet_spot.total_cost >= best_total * (1.0 - TOLERANCE));
    let cheapest = all
        .iter()
        .filter(|r| r.meets_slos)
        .map(|r| r.cost)
        .fold(f64::INFINITY, f64::min);
    if let Some(lb) = bound.slo_cost_at_least {
        assert!(lb <= cheapest);
    }
}

// ---------------------------------------------------------------------------------------------
// The command line.

const SMALL: &str = "
cost: { downtime_per_hour: 10000, degraded_per_hour: 200 }
components:
  db:
    availability: 99.9%
    cost: 500
    variants:
      - { name: single, replicas: 1 }
      - { name: pair, replicas: 2 }
  cache:
    availability: 99%
    cost: 50
  web:
    availability: 99.95%
    cost: 100
    variants:
      - { name: strict, depends_on: [db, cache] }
      - { name: lenient, depends_on: [db, { component: cache, on_failure: degrade, timeout: 1s }] }
    slo: 99.9%
";

fn json_of(args: &[&str], model: &Path) -> serde_json::Value {
    let out = nines()
        .arg("tradeoff")
        .arg(model)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn json_has_the_spec_fields() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "small.yaml", SMALL);
    let v = json_of(&["--format", "json"], &model);
    assert_eq!(v["component"], "web");
    let designs = v["designs"].as_array().unwrap();
    assert_eq!(designs.len(), 4);
    for d in designs {
        for key in [
            "cost",
            "availability",
            "unavailability",
            "degraded",
            "total_cost",
        ] {
            assert!(d[key].is_number(), "{key} in {d}");
        }
        assert!(d["pareto"].is_boolean());
        assert!(d["variants"]["db"].is_string() && d["variants"]["web"].is_string());
        assert!(
            d["variants"].get("cache").is_none(),
            "only components with variants"
        );
    }
    // pair + lenient: db both down 1e-6 (plus web's own 5e-4); cache down only degrades.
    let best = designs
        .iter()
        .find(|d| d["variants"]["db"] == "pair" && d["variants"]["web"] == "lenient")
        .unwrap();
    let u = 1.0 - 0.9995 * (1.0 - 1e-6);
    assert_close!(best["unavailability"].as_f64().unwrap(), u, 1e-9);
    assert_close!(best["degraded"].as_f64().unwrap(), 0.01 * (1.0 - u), 1e-9);
    assert_eq!(best["cost"], 1150.0);
    let total = 1150.0 + 730.0 * (u * 10000.0 + 0.01 * (1.0 - u) * 200.0);
    assert_close!(best["total_cost"].as_f64().unwrap(), total, 1e-9);
    assert_eq!(best["pareto"], true);
    assert_eq!(v["sweet_spot"]["variants"], best["variants"]);
    // Frontier: single+strict is cheapest... all cost the same per db choice; by cost.
    let frontier = v["frontier"].as_array().unwrap();
    assert!(frontier.iter().all(|f| f["pareto"] == true));
    let costs: Vec<f64> = frontier
        .iter()
        .map(|f| f["cost"].as_f64().unwrap())
        .collect();
    assert!(costs.windows(2).all(|w| w[0] < w[1]));
    assert!(v["cheapest_meeting_slos"]["cost"].is_number());

    let v = json_of(&["--format", "json", "--frontier-only"], &model);
    assert!(
        v.get("designs").is_none(),
        "--frontier-only leaves designs out"
    );
    assert!(v["frontier"].is_array() && v["sweet_spot"].is_object());
}

#[test]
fn the_component_is_chosen_or_the_command_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let two = SMALL.replace("    cost: 50\n", "    cost: 50\n    slo: 99%\n");
    let model = write_model(&dir, "two.yaml", &two);
    let out = nines().arg("tradeoff").arg(&model).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cache") && err.contains("web") && err.contains("--component"),
        "{err}"
    );
    // Naming one resolves it.
    let v = json_of(&["--format", "json", "--component", "cache"], &model);
    assert_eq!(v["component"], "cache");

    let out = nines()
        .arg("tradeoff")
        .arg(&model)
        .args(["--component", "webb"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `web`"));

    let none = write_model(&dir, "none.yaml", &SMALL.replace("    slo: 99.9%\n", ""));
    let out = nines().arg("tradeoff").arg(&none).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--component"));
}

#[test]
fn the_table_names_the_sweet_spot_and_the_variants() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "small.yaml", SMALL);
    let out = nines().arg("tradeoff").arg(&model).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("★ sweet spot"), "{text}");
    assert!(text.contains("db=pair web=lenient"), "{text}");
    assert!(text.contains("every one evaluated exactly"), "{text}");
    let md = nines()
        .arg("tradeoff")
        .arg(&model)
        .args(["--format", "markdown", "--all"])
        .output()
        .unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert_eq!(md.matches("db=").count(), 4 + 1, "{md}");
}

fn svg_root_texts(svg: &str) -> (roxmltree::Document<'_>, Vec<String>) {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    let texts = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect();
    (doc, texts)
}

#[test]
fn svg_plot_is_xml_with_the_frontier_and_the_marks() {
    let dir = tempfile::tempdir().unwrap();
    let model = repo_path("models/shop-variants.yaml");
    let plot = dir.path().join("curve.svg");
    let v = json_of(
        &["--format", "json", "--plot", plot.to_str().unwrap()],
        &model,
    );
    let svg = std::fs::read_to_string(&plot).unwrap();
    let (doc, texts) = svg_root_texts(&svg);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some("1000"));
    // The frontier is one polyline with a vertex per frontier design.
    let frontier_len = v["frontier"].as_array().unwrap().len();
    let lines: Vec<usize> = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some("#1F77B4"))
        .map(|n| n.attribute("points").unwrap().split_whitespace().count())
        .collect();
    assert!(lines.contains(&frontier_len), "{lines:?} vs {frontier_len}");
    // Dominated designs are grey dots, one per design off the frontier.
    let dominated = v["designs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["pareto"] == false)
        .count();
    let grey = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle") && n.attribute("fill") == Some("#AAAAAA"))
        .count();
    assert_eq!(grey, dominated + 1, "one more in the legend");
    for want in [
        "sweet spot",
        "cheapest meeting SLOs",
        "availability (nines",
        "monthly cost (log scale)",
        "dominated designs",
    ] {
        assert!(
            texts.iter().any(|t| t.contains(want)),
            "{want} in {texts:?}"
        );
    }
    // Written atomically: nothing else left beside it.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["curve.svg"]);
}

fn decode_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).expect("PNG pixels decode");
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

#[test]
fn png_plot_decodes_with_the_expected_size_and_is_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let plot = dir.path().join("curve.png");
    let out = nines()
        .arg("tradeoff")
        .arg(repo_path("models/shop-variants.yaml"))
        .args(["--plot", plot.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (w, h, pixels) = decode_png(&plot);
    assert_eq!((w, h), (1000, 640));
    // Not blank: the frontier's blue and the sweet spot's red are there, and dark text.
    let has = |rgb: [u8; 3]| pixels.chunks(3).any(|p| p == rgb);
    assert!(has([31, 119, 180]), "frontier blue");
    assert!(has([214, 39, 40]), "sweet spot red");
    let dark = pixels
        .chunks(3)
        .filter(|p| p.iter().all(|&c| c < 60))
        .count();
    assert!(dark > 2000, "text and axes: {dark} dark pixels");
}

#[test]
fn plot_errors_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "small.yaml", SMALL);
    let out = nines()
        .arg("tradeoff")
        .arg(&model)
        .args(["--plot", dir.path().join("x.gif").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".svg or .png"));
    let out = nines()
        .arg("tradeoff")
        .arg(&model)
        .args([
            "--plot",
            dir.path().join("no/such/dir/x.svg").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

// ---------------------------------------------------------------------------------------------
// The rule of thumb.

const PLAIN: &str = "
cost: { downtime_per_hour: 10000 }
components:
  db: { availability: 99.9%, cost: 1000 }
  web: { availability: 99.99%, cost: 500, depends_on: [db], slo: 99.9% }
";

#[test]
fn rule_of_thumb_extrapolates_each_nine() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "plain.yaml", PLAIN);
    let plot = dir.path().join("rule.svg");
    let v = json_of(
        &[
            "--rule",
            "10x",
            "--format",
            "json",
            "--plot",
            plot.to_str().unwrap(),
        ],
        &model,
    );
    assert_eq!(v["factor"], 10.0);
    let u = 1.0 - 0.999 * 0.9999;
    assert_close!(v["today"]["unavailability"].as_f64().unwrap(), u, 1e-9);
    assert_eq!(v["today"]["cost"], 1500.0);
    let steps = v["steps"].as_array().unwrap();
    // The table: 90 → 99% buys 32.85 days a year, …, 99.9999 → 99.99999% buys 28.4 s.
    let days = |s: &serde_json::Value| s["uptime_per_year_s"].as_f64().unwrap() / 86_400.0;
    assert_close!(days(&steps[0]), 32.85, 1e-12);
    assert_close!(days(&steps[1]), 3.285, 1e-12);
    assert_close!(
        steps[5]["uptime_per_year_s"].as_f64().unwrap(),
        28.3824,
        1e-12
    );
    assert_eq!(steps[5]["from_availability"], 0.999999);
    // Cost at 4 nines = 1500 × 10^(4 − 2.9996…).
    let n0 = -u.log10();
    assert_close!(
        steps[2]["cost"].as_f64().unwrap(),
        1500.0 * 10f64.powf(4.0 - n0),
        1e-9
    );
    // 3 → 4 nines saves 0.0009 × 730 × 10000 = 6570 a month and costs ~13,500: the first loss.
    assert_eq!(v["first_unprofitable_nine"], 4);
    assert_eq!(steps[2]["pays"], false);
    assert_eq!(steps[1]["pays"], true);
    let svg = std::fs::read_to_string(&plot).unwrap();
    let (_, texts) = svg_root_texts(&svg);
    assert!(texts.iter().any(|t| t.contains("sweet spot")), "{texts:?}");

    let out = nines()
        .arg("tradeoff")
        .arg(&model)
        .args(["--rule", "5x"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("5× the last"), "{text}");
    assert!(text.contains("32.9d") || text.contains("32.85d"), "{text}");

    for bad in ["1x", "x", "-3"] {
        let out = nines()
            .arg("tradeoff")
            .arg(&model)
            .args(["--rule", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--rule {bad}");
    }
    let free = write_model(
        &dir,
        "free.yaml",
        &PLAIN
            .replace("cost: 1000", "cost: 0")
            .replace("cost: 500", "cost: 0"),
    );
    let out = nines()
        .arg("tradeoff")
        .arg(&free)
        .args(["--rule", "10x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cost"));
}

// ---------------------------------------------------------------------------------------------
// The example model and its walkthrough.

#[test]
fn the_shop_model_has_the_curve_the_docs_walk_through() {
    let v = json_of(
        &["--format", "json"],
        &repo_path("models/shop-variants.yaml"),
    );
    assert_eq!(v["component"], "storefront");
    assert_eq!(v["designs"].as_array().unwrap().len(), 36);
    let sweet = &v["sweet_spot"]["variants"];
    assert_eq!(sweet["web"], "medium");
    assert_eq!(sweet["database"], "multi-az/business-hours");
    assert_eq!(sweet["checkout"], "fail-open");
    let slo = &v["cheapest_meeting_slos"]["variants"];
    assert_eq!(slo["web"], "small");
    assert_eq!(slo["database"], "multi-az/business-hours");
    // Failing closed never makes the frontier: it costs the same and loses availability.
    assert!(
        v["frontier"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["variants"]["checkout"] == "fail-open")
    );
}

// ---------------------------------------------------------------------------------------------
// Hangs through stand-ins: a design's numbers are a full eval of that design, whatever the
// tradeoff collapsed (independent modules, series blocks, the shared diagram of all designs).

/// The random models with hangs: some components hang in half their outages, and some
/// fail-open calls lose their timeout, so that a hang climbs through them.
fn with_hangs(text: &str, seed: u64) -> String {
    let mut rng = Rng(seed.wrapping_mul(0xD1B5_4A32_D192_ED03) | 1);
    let mut out = String::new();
    for line in text.lines() {
        let line = if rng.chance(50) {
            line.replace(", timeout: 1s", "")
        } else {
            line.to_string()
        };
        out += &line;
        out.push('\n');
        // A component's first key line: `  cN:`.
        if line.starts_with("  c") && line.ends_with(':') && rng.chance(40) {
            out += "    hang: 50%\n";
        }
    }
    out
}

#[test]
fn designs_with_hangs_are_what_eval_gives_for_them() {
    let mut modules_used = 0;
    let mut hanging = 0;
    for seed in 200..230 {
        let base = if seed % 2 == 0 {
            random_model(seed)
        } else {
            random_tree_model(seed)
        };
        let text = with_hangs(&base, seed);
        hanging += text.matches("hang: 50%").count();
        let model = parse(&text);
        let target = last_component(&model);
        let all = brute_force(&model, &target);
        let what = format!("seed {seed}\n{text}");
        assert_enumeration_matches(&model, &all, &target, &what);
        modules_used += assert_optimiser_matches(&model, &all, &target, &what);
    }
    assert!(hanging > 20, "the generator made too few hangs: {hanging}");
    assert!(
        modules_used > 10,
        "the trees should exercise modules: {modules_used}"
    );
}

/// The shop calls quotes failing open to a backup, without a timeout; quotes calls a carrier
/// that hangs in 40% of its outages, directly or time-boxed by variant. Quotes and the carrier
/// are an independent module the optimiser collapses to one stand-in: it must hang as often as
/// they do, or the design without the timeout looks 0.4 × 1% better than it is.
const HANGING_MODULE: &str = "
cost: { downtime_per_hour: 1000, degraded_per_hour: 10 }
components:
  carrier: { availability: 99%, hang: 40%, cost: 10 }
  backup: { availability: 99.5%, cost: 10 }
  quotes:
    availability: 99.9%
    cost: 10
    depends_on: [carrier]
    variants:
      - { name: direct, cost: 10 }
      - { name: boxed, cost: 20, depends_on: [{ component: carrier, timeout: 1s }] }
      - { name: pair, replicas: 2, cost: 15 }
  shop:
    availability: 99.95%
    slo: 99%
    cost: 10
    depends_on: [{ component: quotes, on_failure: degrade, fallback: backup }]
    variants:
      - { name: small, cost: 10 }
      - { name: big, replicas: 2, cost: 20 }
";

#[test]
fn a_hang_behind_a_fail_open_fallback_survives_the_stand_in() {
    let model = parse(HANGING_MODULE);
    let all = brute_force(&model, "shop");
    // The hang costs the shop its share of the carrier's outages: 0.4 × 1% without the
    // timeout, nothing with it (each with the shop's own and the backup's small parts).
    let by_name = |quotes: usize, shop: usize| {
        all.iter()
            .find(|r| r.choice == [quotes, shop])
            .unwrap()
            .unavailability
    };
    assert!(
        by_name(0, 1) > 0.004 && by_name(0, 1) < 0.0041,
        "{}",
        by_name(0, 1)
    );
    assert!(by_name(1, 1) < 1e-4, "{}", by_name(1, 1));
    let modules = assert_optimiser_matches(&model, &all, "shop", "the hanging module");
    assert!(modules > 0, "quotes is a module");
    assert_enumeration_matches(&model, &all, "shop", "the hanging module");
}
