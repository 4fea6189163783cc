//! Large realistic models for benchmarks: N components in tiers (edge, web, api, services, data
//! stores, third parties) over two regions of three zones, replicas spread over zones, hub
//! dependencies (auth, the main database), redundant groups, fallbacks and ignore edges.

#![allow(dead_code)]

use std::fmt::Write;

// The tests' seeded generator, so a size always yields the same model.
#[path = "../../tests/rng.rs"]
mod rng;
use rng::Rng;

const REGIONS: [&str; 2] = ["east", "west"];

fn zones(region: &str) -> [String; 3] {
    [1, 2, 3].map(|z| format!("{region}-{z}"))
}

/// A YAML model of about `n` components (at least 20).
pub fn tiered_model(n: usize) -> String {
    let n = n.max(20);
    let mut rng = Rng(n as u64 ^ 0x9E37_79B9);
    let mut out = String::new();
    writeln!(out, "name: generated-{n}\nwindow: 30d\ndefaults: {{ mttr: 1h }}\ncost: {{ downtime_per_hour: 10000, degraded_per_hour: 500 }}\ndomains:").unwrap();
    for r in REGIONS {
        writeln!(out, "  {r}: {{ availability: 99.99% }}").unwrap();
        for z in zones(r) {
            writeln!(out, "  {z}: {{ mttf: 180d, mttr: 2h, parent: {r} }}").unwrap();
        }
    }
    writeln!(out, "components:").unwrap();
    let count = |share: f64| ((n as f64 * share).round() as usize).max(2);
    let (n_third, n_data, n_edge, n_web, n_api) = (
        count(0.08),
        count(0.20),
        count(0.02),
        count(0.10),
        count(0.15),
    );
    let n_services = n
        .saturating_sub(n_third + n_data + n_edge + n_web + n_api + 2)
        .max(4);

    let spread = |rng: &mut Rng| {
        let r = *rng.pick(&REGIONS);
        format!("[{}]", zones(r).join(", "))
    };
    let third: Vec<String> = (0..n_third).map(|i| format!("vendor-{i}")).collect();
    for t in &third {
        let a = rng.pick(&["99.5%", "99.9%", "99.95%", "99.99%"]);
        writeln!(out, "  {t}: {{ availability: \"{a}\", external: true }}").unwrap();
    }
    writeln!(out, "  main-db: {{ mttf: 90d, mttr: 30m, replicas: 3, min_available: 2, spread: [east-1, east-2, east-3], failover: 30s, maintenance: {{ every: 30d, duration: 1h, rolling: true }} }}").unwrap();
    let data: Vec<String> = (0..n_data).map(|i| format!("store-{i}")).collect();
    for d in &data {
        let replicas = rng.pick(&[1, 2, 3]);
        let min = if *replicas == 3 { 2 } else { 1 };
        writeln!(out, "  {d}: {{ availability: 99.95%, replicas: {replicas}, min_available: {min}, spread: {} }}", spread(&mut rng)).unwrap();
    }
    writeln!(out, "  auth: {{ availability: 99.95%, replicas: 3, spread: [east-1, west-1, east-2], depends_on: [main-db] }}").unwrap();
    let mut services: Vec<String> = Vec::new();
    for i in 0..n_services {
        let name = format!("svc-{i}");
        let mut deps = vec!["auth".to_string()];
        for _ in 0..1 + rng.below(2) {
            deps.push(rng.pick(&data).clone());
        }
        if rng.chance(30) {
            deps.push("main-db".into());
        }
        if !services.is_empty() {
            for _ in 0..rng.below(3) {
                deps.push(rng.pick(&services).clone());
            }
        }
        deps.sort();
        deps.dedup();
        let mut entries: Vec<String> = deps;
        if rng.chance(25) {
            let vendor = rng.pick(&third);
            if rng.chance(50) {
                // Fallbacks are caches and queues: data stores, not whole services.
                let fallback = rng.pick(&data);
                entries.push(format!("{{ component: {vendor}, on_failure: degrade, fallback: {fallback}, timeout: 2s }}"));
            } else {
                entries.push(format!(
                    "{{ component: {vendor}, on_failure: degrade, timeout: 1s }}"
                ));
            }
        }
        if rng.chance(15) {
            entries.push(format!(
                "{{ component: {}, on_failure: ignore }}",
                rng.pick(&third)
            ));
        }
        let replicas = 2 + rng.below(2);
        writeln!(out, "  {name}: {{ availability: 99.9%, replicas: {replicas}, spread: {}, depends_on: [{}] }}", spread(&mut rng), entries.join(", ")).unwrap();
        services.push(name);
    }
    let mut apis = Vec::new();
    for i in 0..n_api {
        let name = format!("api-{i}");
        let mut entries = vec!["auth".to_string()];
        for _ in 0..2 + rng.below(3) {
            entries.push(rng.pick(&services).clone());
        }
        entries.sort();
        entries.dedup();
        if rng.chance(30) {
            entries.push(
                format!(
                    "{{ at_least: 1, of: [{}, {}] }}",
                    rng.pick(&services),
                    rng.pick(&services)
                )
                .replace(", ]", "]"),
            );
        }
        let entries: Vec<String> = entries
            .into_iter()
            .filter(|e| !e.contains("of: [") || !duplicate_members(e))
            .collect();
        writeln!(
            out,
            "  {name}: {{ availability: 99.95%, replicas: 2, spread: {}, depends_on: [{}] }}",
            spread(&mut rng),
            entries.join(", ")
        )
        .unwrap();
        apis.push(name);
    }
    let mut webs = Vec::new();
    for i in 0..n_web {
        let name = format!("web-{i}");
        let mut entries: Vec<String> = (0..1 + rng.below(3))
            .map(|_| rng.pick(&apis).clone())
            .collect();
        entries.sort();
        entries.dedup();
        writeln!(out, "  {name}: {{ availability: 99.9%, replicas: 3, min_available: 2, spread: {}, depends_on: [{}] }}", spread(&mut rng), entries.join(", ")).unwrap();
        webs.push(name);
    }
    for i in 0..n_edge {
        let a = rng.pick(&webs).clone();
        let mut b = rng.pick(&webs).clone();
        if a == b {
            b = webs[(webs.iter().position(|w| *w == a).unwrap() + 1) % webs.len()].clone();
        }
        writeln!(out, "  edge-{i}: {{ availability: 99.99%, replicas: 2, spread: [east-1, west-1], slo: 99.9%, depends_on: [{{ at_least: 1, of: [{a}, {b}] }}] }}").unwrap();
    }
    out
}

fn duplicate_members(entry: &str) -> bool {
    let inner = entry
        .split("of: [")
        .nth(1)
        .unwrap_or("")
        .trim_end_matches(" }")
        .trim_end_matches(']');
    let members: Vec<&str> = inner.split(", ").collect();
    members.len() == 2 && members[0] == members[1]
}
