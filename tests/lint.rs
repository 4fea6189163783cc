//! `nines lint`: every rule with a model that triggers it and one that does not, the lines the
//! findings point at, the output formats and the exit codes.

use std::path::Path;

use nines::lint::{self, Finding, RULES, Severity};
use nines::model::{Format, Model};

use crate::util::*;

fn findings(yaml: &str) -> Vec<Finding> {
    let model = Model::parse(Path::new("test.yaml"), yaml.to_string(), Format::Yaml)
        .unwrap_or_else(|e| panic!("{e}"));
    let system = model.system().unwrap_or_else(|e| panic!("{e}"));
    lint::lint(&model, &system).unwrap()
}

fn of<'a>(rule: &str, fs: &'a [Finding]) -> Vec<&'a Finding> {
    fs.iter().filter(|f| f.rule == rule).collect()
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in the model"))
        + 1
}

#[test]
fn rules_have_unique_ids_and_names() {
    for (i, a) in RULES.iter().enumerate() {
        assert!(a.id.starts_with('N') && a.id.len() == 4, "{}", a.id);
        for b in &RULES[i + 1..] {
            assert_ne!(a.id, b.id);
            assert_ne!(a.name, b.name);
        }
    }
}

// --- N001 unattainable-slo ---------------------------------------------------------------------

const CEILING: &str = "
components:
  db: { availability: 99.9% }
  cache: { availability: 99.9% }
  api:
    availability: 50%
    depends_on: [db, cache]
    slo: SLO
";

#[test]
fn n001_flags_an_slo_above_the_product_of_hard_dependencies() {
    // The ceiling is 0.999 × 0.999 = 0.998001, whatever api's own (awful) availability.
    let above = CEILING.replace("SLO", "0.99801");
    let fs = findings(&above);
    let hits = of("N001", &fs);
    assert_eq!(hits.len(), 1, "{fs:#?}");
    assert_eq!(hits[0].severity, Severity::Error);
    assert_eq!(hits[0].subject, "api");
    assert_eq!(hits[0].line, line_of(&above, "  api:"));
    assert!(hits[0].message.contains("99.8%"), "{}", hits[0].message);

    // Just below the ceiling it is attainable (in principle): no finding, though api itself
    // misses it by far.
    assert!(of("N001", &findings(&CEILING.replace("SLO", "0.998"))).is_empty());
}

#[test]
fn n001_ceiling_is_exact_where_dependencies_share_a_domain() {
    // Both dependencies live in one zone (99%). Naively multiplying their availabilities
    // (0.99 × 0.999)² = 0.97814 counts the zone twice; exactly, the ceiling is
    // 0.99 × 0.999² = 0.98802. An slo of 98.5% lies between: attainable.
    let yaml = "
domains:
  zone: { availability: 99% }
components:
  db: { availability: 99.9%, spread: [zone] }
  cache: { availability: 99.9%, spread: [zone] }
  api:
    availability: 99%
    depends_on: [db, cache]
    slo: SLO
";
    assert!(of("N001", &findings(&yaml.replace("SLO", "98.5%"))).is_empty());
    assert_eq!(
        of("N001", &findings(&yaml.replace("SLO", "98.81%"))).len(),
        1
    );
}

#[test]
fn n001_counts_fallbacks_and_ignores_soft_dependencies() {
    // payments (99%) fails open onto a queue (99%): down only when both are, 1e-4.
    let yaml = "
components:
  payments: { availability: 99% }
  queue: { availability: 99% }
  flaky: { availability: 50% }
  checkout:
    availability: 99.9%
    depends_on:
      - { component: payments, on_failure: degrade, fallback: queue, timeout: 1s }
      - { component: flaky, on_failure: ignore, timeout: 1s }
    slo: SLO
";
    assert!(of("N001", &findings(&yaml.replace("SLO", "99.99%"))).is_empty());
    assert_eq!(
        of("N001", &findings(&yaml.replace("SLO", "99.991%"))).len(),
        1
    );
}

// --- N002 extra-nine ---------------------------------------------------------------------------

#[test]
fn n002_asks_one_nine_more_of_each_hard_dependency() {
    let yaml = "
components:
  db: { availability: DB }
  cache: { availability: 99% }
  api:
    availability: 99.99%
    depends_on:
      - db
      - { component: cache, on_failure: degrade, timeout: 1s }
    slo: 99.9%
";
    // Exactly one nine more: enough (no rounding trouble at the boundary).
    assert!(of("N002", &findings(&yaml.replace("DB", "99.99%"))).is_empty());
    let short = yaml.replace("DB", "99.98%");
    let fs = findings(&short);
    let hits = of("N002", &fs);
    // The degrade edge to the 99% cache is not a hard dependency.
    assert_eq!(hits.len(), 1, "{fs:#?}");
    assert_eq!(hits[0].severity, Severity::Warning);
    assert_eq!(hits[0].line, line_of(&short, "      - db"));
    assert!(hits[0].message.contains("`db`"), "{}", hits[0].message);
}

#[test]
fn n002_judges_a_group_by_the_group_availability() {
    // Two 99% members, one needed: the group is 1 − 0.01² = 99.99%, enough for a 99.9% slo.
    let yaml = "
components:
  a: { availability: 99% }
  b: { availability: 99% }
  api:
    availability: 99.99%
    depends_on: [{ at_least: K, of: [a, b] }]
    slo: 99.9%
";
    assert!(of("N002", &findings(&yaml.replace("K", "1"))).is_empty());
    assert_eq!(of("N002", &findings(&yaml.replace("K", "2"))).len(), 1);
}

#[test]
fn n002_fires_only_beyond_rounding() {
    let yaml = "
components:
  db: { availability: DB }
  api:
    availability: 99.99%
    depends_on: [db]
    slo: 99.9%
";
    // 1.0001e-4 down against the 1e-4 asked: both print 99.99% and 4.00 nines.
    assert!(of("N002", &findings(&yaml.replace("DB", "99.989999%"))).is_empty());
    // 1.03e-4 prints 3.99 nines: a finding, whose percents do not read the same.
    let fs = findings(&yaml.replace("DB", "99.9897%"));
    let hits = of("N002", &fs);
    assert_eq!(hits.len(), 1, "{fs:#?}");
    assert!(
        hits[0]
            .message
            .contains("which is 99.9897% available (3.99 nines)")
            && hits[0].message.contains("asks 99.99% (4.00 nines)"),
        "{}",
        hits[0].message
    );
}

// --- N003 fail-open-without-timeout --------------------------------------------------------------

#[test]
fn n003_flags_fail_open_edges_without_timeout() {
    let yaml = "
components:
  rates: { availability: 99%, hang: 50% }
  ads: { availability: 99%, hang: 50% }
  db: { availability: 99.9% }
  shop:
    availability: 99.9%
    depends_on:
      - db
      - { component: rates, on_failure: degrade }
      - { component: ads, on_failure: ignore, timeout: 200ms }
";
    let yaml = yaml.replace("200ms", "0.2s");
    let fs = findings(&yaml);
    let hits = of("N003", &fs);
    assert_eq!(hits.len(), 1, "{fs:#?}");
    assert_eq!(hits[0].line, line_of(&yaml, "component: rates"));
    assert!(hits[0].hint.contains("timeout"));
    let fixed = yaml.replace(
        "on_failure: degrade }",
        "on_failure: degrade, timeout: 2s }",
    );
    assert!(of("N003", &findings(&fixed)).is_empty());
    // A target that cannot hang fails fast: failing open works without a timeout.
    let calm = yaml.replace(", hang: 50%", "");
    assert!(of("N003", &findings(&calm)).is_empty());
}

// --- N004 single-point-of-failure --------------------------------------------------------------

const SPOF: &str = "
domains:
  region: { availability: 99.99% }
  az1: { availability: 99.9%, parent: region }
  az2: { availability: 99.9%, parent: region }
components:
  dns: { availability: 99.99%, external: true }
  db:
    availability: 99.9%
    replicas: 2
    spread: [az1, az2]
  web:
    availability: 99.9%
    replicas: 2
    spread: [az1, az2]
    depends_on: [dns, db]
    slo: 99.5%
  batch:
    availability: 99%
    depends_on: [dns]
";

#[test]
fn n004_names_units_whose_failure_alone_takes_an_slo_down() {
    let fs = findings(SPOF);
    let hits = of("N004", &fs);
    let subjects: Vec<&str> = hits.iter().map(|f| f.subject.as_str()).collect();
    // dns (one replica) and the region (both zones' parent); not db or web, which have a
    // spare in another zone; not the zones.
    assert_eq!(subjects, ["region", "dns"], "{fs:#?}");
    assert_eq!(hits[0].line, line_of(SPOF, "  region:"));
    assert_eq!(hits[1].line, line_of(SPOF, "  dns:"));
    assert!(hits[1].message.contains("`web`"), "{}", hits[1].message);
    // batch has no slo: dns is not reported for it.
    assert!(!hits[1].message.contains("batch"));
    assert!(hits[1].hint.contains("third party"));
}

#[test]
fn n004_is_quiet_without_single_points() {
    let yaml = "
components:
  db:
    availability: 99.9%
    replicas: 2
  web:
    availability: 99.9%
    replicas: 3
    min_available: 2
    depends_on: [{ at_least: 1, of: [db] }]
    slo: 99%
";
    // web survives one replica failure; db has a spare; no domains.
    assert!(of("N004", &findings(yaml)).is_empty());
    // With min_available = replicas there is no spare: web is its own single point.
    let fs = findings(&yaml.replace("min_available: 2", "min_available: 3"));
    let hits = of("N004", &fs);
    assert_eq!(hits.len(), 1, "{fs:#?}");
    assert_eq!(hits[0].subject, "web");
    assert!(hits[0].message.contains("its own single point of failure"));
}

#[test]
fn n004_flags_maintenance_that_stops_a_component_whole() {
    let yaml = "
components:
  db:
    availability: 99.9%
    replicas: 2
    maintenance: { every: 30d, duration: 1h, rolling: ROLLING }
  web:
    availability: 99.9%
    replicas: 2
    depends_on: [db]
    slo: 99%
";
    let fs = findings(&yaml.replace("ROLLING", "false"));
    let hits = of("N004", &fs);
    assert_eq!(hits.len(), 1, "{fs:#?}");
    assert_eq!(hits[0].subject, "db");
    assert!(hits[0].hint.contains("rolling"));
    assert!(of("N004", &findings(&yaml.replace("ROLLING", "true"))).is_empty());
}

#[test]
fn n004_never_flags_what_cannot_fail_and_counts_failovers() {
    // An entry point at 100% over a redundant pair: nothing of its own can take it down.
    let yaml = "
domains:
  az1: { availability: 99.9% }
  az2: { availability: 99.9% }
components:
  router: { availability: 100% }
  db:
    mttf: 30d
    mttr: 1h
    replicas: 2
    spread: [az1, az2]
    FAILOVER
  web-1: { availability: 99.9%, spread: [az1] }
  web-2: { availability: 99.9%, spread: [az2] }
  app:
    availability: 100%
    depends_on: [router, db, { at_least: 1, of: [web-1, web-2] }]
    slo: 99.9%
";
    assert!(
        of("N004", &findings(&yaml.replace("FAILOVER", ""))).is_empty(),
        "{:#?}",
        findings(&yaml.replace("FAILOVER", ""))
    );
    // A failover outage follows every replica failure: one event takes app down.
    let fs = findings(&yaml.replace("FAILOVER", "failover: 30s"));
    let hits = of("N004", &fs);
    assert_eq!(hits.len(), 1, "{fs:#?}");
    assert_eq!(hits[0].subject, "db");
    assert_eq!(hits[0].components, ["app"]);
    assert!(hits[0].message.contains("failover"), "{}", hits[0].message);
}

#[test]
fn findings_are_allowed_where_they_stand() {
    let yaml = "
domains:
  region: { availability: 99.99% }
components:
  dns: { availability: 99.99%, external: true DNS_LINT }
  web:
    availability: 99.9%
    replicas: 2
    spread: [region]
    depends_on: [dns]
    slo: 99.5%
    WEB_LINT
  api:
    availability: 99.9%
    replicas: 2
    spread: [region]
    depends_on: [dns]
    slo: 99%
";
    let base = yaml.replace(" DNS_LINT", "").replace("WEB_LINT", "");
    let subjects = |fs: &[Finding]| -> Vec<(String, Vec<String>)> {
        of("N004", fs)
            .iter()
            .map(|f| (f.subject.clone(), f.components.clone()))
            .collect()
    };
    let all = subjects(&findings(&base));
    let pair = vec!["web".to_string(), "api".to_string()];
    assert_eq!(
        all,
        [("region".to_string(), pair.clone()), ("dns".into(), pair)]
    );
    // On a component with an slo: it accepts its single points of failure; api does not.
    let allowed = base.replace(
        "    slo: 99.5%\n",
        "    slo: 99.5%\n    lint: { allow: [N004] }\n",
    );
    let only_api = vec!["api".to_string()];
    assert_eq!(
        subjects(&findings(&allowed)),
        [
            ("region".to_string(), only_api.clone()),
            ("dns".into(), only_api)
        ]
    );
    // On the component a finding is about, by name as well as by id.
    let on_dns = yaml
        .replace(" DNS_LINT", ", lint: { allow: [single-point-of-failure] }")
        .replace("WEB_LINT", "");
    let fs = findings(&on_dns);
    assert_eq!(subjects(&fs).len(), 1, "{fs:#?}");
    assert_eq!(subjects(&fs)[0].0, "region");
    // Without its allows the model is told everything.
    let model = Model::parse(Path::new("test.yaml"), on_dns.clone(), Format::Yaml).unwrap();
    let system = model.system().unwrap();
    assert_eq!(
        subjects(&lint::lint_ignoring_allows(&model, &system).unwrap()),
        all
    );
    // An unknown rule is a located error listing the rules.
    let typo = yaml
        .replace(" DNS_LINT", "")
        .replace("WEB_LINT", "lint: { allow: [N04] }");
    let err = Model::parse(Path::new("test.yaml"), typo.clone(), Format::Yaml)
        .unwrap()
        .system()
        .unwrap_err()
        .to_string();
    let line = line_of(&typo, "allow: [N04]");
    assert!(err.contains(&format!("test.yaml:{line}:")), "{err}");
    assert!(err.contains("unknown lint rule `N04`"), "{err}");
    assert!(err.contains("N004 (single-point-of-failure)"), "{err}");
}

#[test]
fn the_lint_key_is_in_the_schema() {
    let out = nines().arg("schema").output().unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = schema.to_string();
    assert!(
        text.contains("\"lint\"") && text.contains("LintSpec"),
        "{text}"
    );
}

// --- N005 replicas-share-domain ----------------------------------------------------------------

#[test]
fn n005_flags_a_domain_holding_more_replicas_than_can_be_lost() {
    let yaml = "
domains:
  a: { availability: 99.9% }
  b: { availability: 99.9% }
components:
  db:
    availability: 99.9%
    replicas: 3
    min_available: MIN
    spread: SPREAD
";
    let one = yaml.replace("MIN", "1").replace("SPREAD", "[a]");
    let fs = findings(&one);
    let hits = of("N005", &fs);
    assert_eq!(hits.len(), 1, "{fs:#?}");
    assert!(
        hits[0].message.contains("all 3 replicas"),
        "{}",
        hits[0].message
    );
    assert_eq!(hits[0].line, line_of(&one, "  db:"));
    // [a, a, b] with two needed: a holds two, losing it leaves one.
    let lopsided = yaml.replace("MIN", "2").replace("SPREAD", "[a, b]");
    let fs = findings(&lopsided);
    let hits = of("N005", &fs);
    assert_eq!(hits.len(), 1, "{fs:#?}");
    assert!(
        hits[0].message.contains("holds 2 of the 3"),
        "{}",
        hits[0].message
    );
    // One needed: either domain may go.
    assert!(
        of(
            "N005",
            &findings(&yaml.replace("MIN", "1").replace("SPREAD", "[a, b]"))
        )
        .is_empty()
    );
}

// --- N006 replicas-without-domain --------------------------------------------------------------

#[test]
fn n006_flags_replicas_without_spread() {
    let yaml = "
domains:
  a: { availability: 99.9% }
  b: { availability: 99.9% }
components:
  single: { availability: 99.9% }
  pair: { availability: 99.9%, replicas: 2 }
  spread-pair: { availability: 99.9%, replicas: 2, spread: [a, b] }
";
    let fs = findings(yaml);
    let hits = of("N006", &fs);
    assert_eq!(hits.len(), 1, "{fs:#?}");
    assert_eq!(hits[0].subject, "pair");
    assert_eq!(hits[0].line, line_of(yaml, "  pair:"));
}

// --- N007 group-shares-failure -----------------------------------------------------------------

#[test]
fn n007_flags_a_group_whose_members_share_a_dependency() {
    let yaml = "
components:
  db: { availability: 99.9% }
  other-db: { availability: 99.9% }
  east: { availability: 99.9%, depends_on: [db] }
  west: { availability: 99.9%, depends_on: [WEST_DB] }
  app:
    availability: 99.9%
    depends_on: [{ at_least: 1, of: [east, west] }]
";
    let shared = yaml.replace("WEST_DB", "db");
    let fs = findings(&shared);
    let hits = of("N007", &fs);
    assert_eq!(hits.len(), 1, "{fs:#?}");
    assert!(
        hits[0].message.contains("component `db`"),
        "{}",
        hits[0].message
    );
    assert_eq!(hits[0].line, line_of(&shared, "at_least: 1"));
    assert!(of("N007", &findings(&yaml.replace("WEST_DB", "other-db"))).is_empty());
}

#[test]
fn n007_counts_how_many_members_a_shared_failure_takes() {
    // Three members, one needed: a domain holding two of them does not defeat the group.
    let yaml = "
domains:
  z1: { availability: 99% }
  z2: { availability: 99% }
components:
  a: { availability: 99.9%, spread: [z1] }
  b: { availability: 99.9%, spread: [z1] }
  c: { availability: 99.9%, spread: [C] }
  app:
    availability: 99.9%
    depends_on: [{ at_least: 1, of: [a, b, c] }]
";
    assert!(of("N007", &findings(&yaml.replace("[C]", "[z2]"))).is_empty());
    let fs = findings(&yaml.replace("[C]", "[z1]"));
    let hits = of("N007", &fs);
    assert_eq!(hits.len(), 1, "{fs:#?}");
    assert!(hits[0].message.contains("domain `z1`"));
}

// --- N008 fallback-fails-with-target -------------------------------------------------------------

#[test]
fn n008_flags_a_fallback_that_fails_with_its_target() {
    let yaml = "
components:
  payments: { availability: 99.9% }
  queue: { availability: 99.9%, depends_on: [QUEUE_DEPS] }
  cache: { availability: 99.9% }
  checkout:
    availability: 99.9%
    depends_on:
      - { component: payments, on_failure: degrade, fallback: FALLBACK, timeout: 1s }
";
    let itself = yaml
        .replace("[QUEUE_DEPS]", "[]")
        .replace("FALLBACK", "payments");
    let fs = findings(&itself);
    let hits = of("N008", &fs);
    assert_eq!(hits.len(), 1, "{fs:#?}");
    assert_eq!(hits[0].severity, Severity::Error);
    assert_eq!(hits[0].line, line_of(&itself, "fallback:"));
    // A queue that needs the payment provider is down whenever it is.
    let dependent = yaml
        .replace("QUEUE_DEPS", "payments")
        .replace("FALLBACK", "queue");
    assert_eq!(of("N008", &findings(&dependent)).len(), 1);
    // A queue that needs only a cache is a real fallback.
    let independent = yaml
        .replace("QUEUE_DEPS", "cache")
        .replace("FALLBACK", "queue");
    assert!(of("N008", &findings(&independent)).is_empty());
}

// --- the command -------------------------------------------------------------------------------

const WARNED: &str = "components:
  db: { availability: 99.9%, replicas: 2 }
  web:
    availability: 99.99%
    depends_on: [db]
";

#[test]
fn lint_text_output() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "m.yaml", WARNED);
    let out = nines().arg("lint").arg(&model).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "warnings alone pass");
    let text = String::from_utf8(out.stdout).unwrap();
    let file = model.display().to_string();
    assert_eq!(
        text,
        format!(
            "{file}:2:3: warning[N006] replicas-without-domain: `db` has 2 replicas but no `spread`: they are assumed never to fail together, which flatters its availability\n  = hint: say where the replicas run, e.g. `spread: [zone-a, zone-b]` with the zones under `domains:`\nm: 1 warning\n"
        )
    );
}

#[test]
fn lint_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let warned = write_model(&dir, "w.yaml", WARNED);
    nines()
        .args(["lint", "--deny", "warnings"])
        .arg(&warned)
        .assert()
        .code(1);
    nines()
        .args(["lint", "--deny", "warnings", "--allow", "N006"])
        .arg(&warned)
        .assert()
        .code(0);
    nines()
        .args([
            "lint",
            "--deny",
            "warnings",
            "--allow",
            "replicas-without-domain",
        ])
        .arg(&warned)
        .assert()
        .code(0);
    nines()
        .args(["lint", "--allow", "N999"])
        .arg(&warned)
        .assert()
        .code(2);
    let error = write_model(
        &dir,
        "e.yaml",
        "components:\n  db: { availability: 99% }\n  web: { availability: 99.9%, depends_on: [db], slo: 99.5% }\n",
    );
    nines().arg("lint").arg(&error).assert().code(1);
    let clean = write_model(&dir, "c.yaml", "components:\n  db: { availability: 99% }\n");
    let out = nines()
        .args(["lint", "--deny", "warnings"])
        .arg(&clean)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("c: no findings\n"));
    let invalid = write_model(&dir, "i.yaml", "components:\n  db: { availabilty: 99% }\n");
    nines().arg("lint").arg(&invalid).assert().code(2);
}

#[test]
fn lint_json_and_github_formats() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "m.yaml", WARNED);
    let out = nines()
        .args(["lint", "--format", "json"])
        .arg(&model)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["model"], "m");
    assert_eq!(v["errors"], 0);
    assert_eq!(v["warnings"], 1);
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "N006");
    assert_eq!(f["name"], "replicas-without-domain");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["line"], 2);
    assert_eq!(f["subject"], "db");
    assert_eq!(f["file"], model.display().to_string());
    assert!(f["hint"].as_str().unwrap().contains("spread"));

    let out = nines()
        .args(["lint", "--format", "github"])
        .arg(&model)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(&format!(
            "::warning file={},line=2,col=3,title=N006 replicas-without-domain::`db` has 2 replicas",
            model
                .display()
                .to_string()
                .replace(':', "%3A")
                .replace(',', "%2C")
        )),
        "{first}"
    );
    assert!(first.contains("%0Ahint: "), "{first}");
}

#[test]
fn lint_findings_on_the_example_models_point_at_real_lines() {
    for entry in std::fs::read_dir(repo_path("models")).unwrap() {
        let path = entry.unwrap().path();
        // models/ also holds sub-directories of other inputs (Open-PSA trees).
        if nines::model::Format::of(&path).is_none() {
            continue;
        }
        let model = Model::load(&path).unwrap();
        let system = model.system().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        for f in lint::lint_ignoring_allows(&model, &system).unwrap() {
            let line = text
                .lines()
                .nth(f.line.checked_sub(1).expect("every finding has a line"))
                .unwrap();
            // The line names the finding's subject, or one of the components its message
            // names (a dependency entry names its target).
            let named: Vec<&str> = f.message.split('`').skip(1).step_by(2).collect();
            assert!(
                line.contains(&f.subject) || named.iter().any(|n| line.contains(n)),
                "{}:{}: `{line}` for {f:?}",
                path.display(),
                f.line
            );
        }
    }
}

fn lint_many(args: &[&str]) -> (Option<i32>, String, String) {
    let out = nines().arg("lint").args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn several_models_and_directories_in_one_call() {
    let dir = tempfile::tempdir().unwrap();
    let clean = write_model(
        &dir,
        "a-clean.yaml",
        "components:\n  solo: { availability: 99.9% }\n",
    );
    let unattainable = write_model(&dir, "b-ceiling.yaml", &CEILING.replace("SLO", "99.9%"));
    let (clean, unattainable) = (clean.to_str().unwrap(), unattainable.to_str().unwrap());

    let (code, out, _) = lint_many(&[clean, clean]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out, _) = lint_many(&[clean, unattainable]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains(&format!("{unattainable}:")), "{out}");

    // A directory: its models, sorted; an invalid one makes exit 2 but the rest are reported.
    let (code, out, _) = lint_many(&["--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let files: Vec<&str> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, [clean, unattainable]);

    let bad = write_model(
        &dir,
        "c-bad.yaml",
        "components:\n  x: { availability: 99.9 }\n",
    );
    let (code, out, err) = lint_many(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(2), "{out}");
    assert!(err.contains(bad.to_str().unwrap()), "{err}");
    assert!(out.contains(&format!("{unattainable}:")), "{out}");
}

#[test]
fn markdown_lists_findings_in_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(&dir, "ceiling.yaml", &CEILING.replace("SLO", "99.9%"));
    let out = nines()
        .args(["lint", "--format", "markdown"])
        .arg(&model)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.contains("ceiling.yaml"), "{out}");
    let row = out
        .lines()
        .find(|l| l.starts_with("| error | N001"))
        .unwrap_or_else(|| panic!("no N001 row in {out}"));
    assert!(
        row.contains(&format!("| {} |", line_of(CEILING, "api:"))),
        "{row}"
    );
}

#[test]
fn junit_fails_a_warning_only_under_deny_warnings() {
    // Warnings only: single points of failure (N004) and the extra nine (N002).
    let t = CliTest::new();
    t.write(
        "m.yaml",
        "components:\n  db: { availability: 99.9% }\n  web:\n    availability: 99.95%\n    slo: 99.9%\n    depends_on: [db]\n",
    );
    let run = |extra: &[&str]| {
        let out = (t
            .nines()
            .args(["lint", "m.yaml", "--format", "junit"])
            .args(extra))
        .output()
        .expect("nines runs");
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let (code, xml) = run(&[]);
    assert_eq!(code, Some(0), "{xml}");
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("<skipped message="), "{xml}");
    assert!(!xml.contains("<failure"), "{xml}");
    let (code, xml) = run(&["--deny", "warnings"]);
    assert_eq!(code, Some(1), "{xml}");
    // Every finding is a failure now: none is left skipped.
    assert!(xml.contains("<failure"), "{xml}");
    assert!(!xml.contains("<skipped"), "{xml}");
}
