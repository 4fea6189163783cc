//! `nines import backstage` and `nines import kubernetes`: what a catalog or a set of manifests
//! becomes, checked against closed forms and against Kubernetes' own rounding; every entity is
//! accounted for, the bytes are the same every time, and malformed or hostile input gets a
//! located error.

use std::path::{Path, PathBuf};

use nines::import::{backstage, kubernetes};
use nines::model::{Format, Model};

use crate::util::*;

fn entity(kind: &str, name: &str, extra: &str) -> String {
    format!("apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\n{extra}")
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// The imported model, written as YAML and loaded back, as a user would.
fn loaded(text: &str) -> Model {
    Model::parse(Path::new("imported.yaml"), text.to_string(), Format::Yaml)
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn import_backstage(inputs: &[PathBuf]) -> String {
    let (model, _) = backstage::import(inputs).unwrap_or_else(|e| panic!("{e}"));
    model.write(Format::Yaml).unwrap()
}

/// Runs an import into `out` and returns its JSON summary.
fn summary_of(source: &str, input: &Path, out: &Path) -> serde_json::Value {
    let output = nines()
        .args(["import", source])
        .arg(input)
        .arg("-o")
        .arg(out)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    serde_json::from_slice(&output.stdout).unwrap()
}

fn catalog(dir: &tempfile::TempDir) -> PathBuf {
    let docs = [
        entity(
            "Component",
            "web",
            "  annotations:\n    nines.dev/availability: \"99.9%\"\n    nines.dev/on-failure: \"recs-api=degrade\"\nspec:\n  system: shop\n  consumesApis: [orders-api, recs-api]\n",
        ),
        entity(
            "Component",
            "orders",
            "  annotations:\n    nines.dev/availability: \"99%\"\nspec:\n  system: shop\n  providesApis: [orders-api]\n  dependsOn: [resource:db]\n",
        ),
        entity(
            "Resource",
            "db",
            "  annotations:\n    nines.dev/mttf: 30d\n    nines.dev/mttr: 1h\nspec:\n  type: database\n",
        ),
        entity("Component", "recs", "spec:\n  providesApis: [recs-api]\n"),
        entity("API", "orders-api", "spec:\n  type: openapi\n"),
        entity("API", "recs-api", "spec:\n  type: grpc\n"),
        entity("System", "shop", "spec:\n  owner: team\n"),
        entity("Group", "team", "spec:\n  type: team\n"),
    ];
    write(dir, "catalog.yaml", &docs.join("---\n"))
}

#[test]
fn a_catalog_evaluates_to_its_closed_form() {
    let dir = tempfile::tempdir().unwrap();
    let path = catalog(&dir);
    let text = import_backstage(std::slice::from_ref(&path));
    // recs has no numbers: listed, and the model needs an overlay to load.
    assert!(text.contains("#   component recs\n"), "{text}");
    let e = loaded(&text).system().unwrap_err();
    assert!(e.message.contains("`recs` needs"), "{e}");
    assert!(e.hint.unwrap().contains("--overlay"));
    let model_path = write(&dir, "model.yaml", &text);
    let overlay = write(
        &dir,
        "o.yaml",
        "components:\n  recs: { availability: 95% }\n",
    );
    let (_, system) =
        nines::model::load_system_with(&model_path, std::slice::from_ref(&overlay)).unwrap();
    let states = nines::exact::evaluate_system(&system).unwrap();
    let db = 1.0 / (30.0 * 24.0 + 1.0);
    let orders = 1.0 - 0.99 * (1.0 - db);
    let web = 1.0 - 0.999 * (1.0 - orders);
    assert_close!(unavailability(&system, &states, "orders"), orders, 1e-12);
    assert_close!(unavailability(&system, &states, "web"), web, 1e-12);
    // recs fails open: its outage degrades web, it never takes it down.
    let w = system.component_id("web").unwrap();
    assert_close!(states[w].degraded, 0.05 * (1.0 - web), 1e-12);
    assert_eq!(system.components[w].group.as_deref(), Some("shop"));
}

#[test]
fn every_entity_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = catalog(&dir);
    let out = dir.path().join("m.yaml");
    let summary = summary_of("backstage", &path, &out);
    let kinds = &summary["kinds"];
    let total: u64 = kinds
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, 8, "{summary}");
    assert_eq!(summary["ignored"]["Group"], 1);
    // Three Components and a Resource; both APIs are provided, so neither is external.
    assert_eq!(summary["components"], 4);
    assert_eq!(
        summary["without_numbers"],
        serde_json::json!(["component recs"])
    );
}

#[test]
fn the_shipped_catalog_imports_to_the_shipped_model_byte_for_byte() {
    // Run from the repository, so the comments name the same paths as the shipped file.
    let run = || {
        nines()
            .current_dir(repo_path(""))
            .args(["import", "backstage", "models/backstage/catalog-info.yaml"])
            .output()
            .unwrap()
    };
    let (a, b) = (run(), run());
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout, "the same catalog gave different bytes");
    let shipped = std::fs::read(repo_path("models/backstage/shop.yaml")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&shipped),
        "models/backstage/shop.yaml is out of date: re-import it"
    );
    let stderr = String::from_utf8_lossy(&a.stderr);
    assert!(stderr.contains("Group ×2"), "{stderr}");
}

#[test]
fn a_reimport_after_a_catalog_change_keeps_the_overlay() {
    let dir = tempfile::tempdir().unwrap();
    let path = catalog(&dir);
    let overlay = write(
        &dir,
        "o.yaml",
        "components:\n  recs: { availability: 95% }\n",
    );
    let model = dir.path().join("model.yaml");
    let import = || {
        nines()
            .args(["import", "backstage"])
            .arg(&path)
            .arg("-o")
            .arg(&model)
            .assert()
            .success();
    };
    let eval = || -> serde_json::Value {
        let out = nines()
            .arg("eval")
            .arg(&model)
            .arg("--overlay")
            .arg(&overlay)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    import();
    let before = eval();
    // A new entity in the catalog, and the import run again over the same model file.
    let mut text = std::fs::read_to_string(&path).unwrap();
    text += &format!(
        "---\n{}",
        entity(
            "Resource",
            "cache",
            "  annotations:\n    nines.dev/availability: \"99.99%\"\n"
        )
    );
    std::fs::write(&path, text).unwrap();
    import();
    let after = eval();
    let find = |v: &serde_json::Value, name: &str| {
        v["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name}"))
    };
    for name in ["web", "orders", "db", "recs"] {
        assert_eq!(find(&before, name), find(&after, name), "{name}");
    }
    assert_eq!(find(&after, "cache")["availability"], 0.9999);
}

#[test]
fn an_api_nobody_provides_is_an_external_component() {
    let dir = tempfile::tempdir().unwrap();
    let docs = [
        entity(
            "Component",
            "shop",
            "spec:\n  consumesApis: [api:default/stripe]\n",
        ),
        entity(
            "API",
            "stripe",
            "  annotations:\n    nines.dev/availability: \"99.99%\"\nspec:\n  type: openapi\n",
        ),
    ];
    let path = write(&dir, "c.yaml", &docs.join("---\n"));
    let m = loaded(&import_backstage(&[path]));
    let stripe = &m.spec.components["stripe"];
    assert_eq!(stripe.external, Some(true));
    assert_eq!(stripe.availability.unwrap().value(), 0.9999);
}

#[test]
fn references_that_resolve_to_nothing_are_errors_naming_file_and_entity() {
    let dir = tempfile::tempdir().unwrap();
    for (spec, says) in [
        (
            "spec:\n  dependsOn: [resource:dbb]\n",
            "spec.dependsOn `resource:dbb` names no entity",
        ),
        (
            "spec:\n  consumesApis: [payments-api]\n",
            "spec.consumesApis `payments-api`",
        ),
        ("spec:\n  system: nowhere\n", "spec.system `nowhere`"),
        // The namespace is part of the reference.
        (
            "spec:\n  dependsOn: [resource:other/db]\n",
            "`resource:other/db`",
        ),
    ] {
        let docs = [
            entity("Component", "web", spec),
            entity("Resource", "db", ""),
        ];
        let path = write(&dir, "c.yaml", &docs.join("---\n"));
        let e = backstage::import(&[path]).unwrap_err();
        assert!(e.file.ends_with("c.yaml"), "{e}");
        assert!(e.message.contains("Component default/web"), "{e}");
        assert!(e.message.contains(says), "{e}");
        assert!(e.span.is_some(), "{e}");
    }
    let docs = [
        entity("Component", "web", "spec:\n  dependsOn: [resource:dbb]\n"),
        entity("Resource", "db", ""),
    ];
    let e = backstage::import(&[write(&dir, "c.yaml", &docs.join("---\n"))]).unwrap_err();
    assert_eq!(e.hint.as_deref(), Some("did you mean `db`?"));
}

#[test]
fn bad_annotations_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (annotation, says) in [
        ("nines.dev/availability: \"99.9\"", "above 1"),
        ("nines.dev/mttf: \"3\"", "nines.dev/mttf"),
        ("nines.dev/replicas: \"none\"", "not a whole number"),
        ("nines.dev/availabilty: \"99%\"", "unknown annotation"),
        (
            "nines.dev/on-failure: \"db=maybe\"",
            "not fail, degrade or ignore",
        ),
        (
            "nines.dev/on-failure: \"cache=degrade\"",
            "does not depend on",
        ),
    ] {
        let docs = [
            entity(
                "Component",
                "web",
                &format!("  annotations:\n    {annotation}\nspec:\n  dependsOn: [resource:db]\n"),
            ),
            entity("Resource", "db", ""),
        ];
        let path = write(&dir, "c.yaml", &docs.join("---\n"));
        let e = backstage::import(&[path]).unwrap_err();
        assert!(e.message.contains(says), "{annotation}: {e}");
        assert_eq!(e.span.unwrap().line, 6, "{annotation}: {e}");
    }
}

#[test]
fn locations_are_followed_once_even_in_a_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let location = |name: &str, target: &str| {
        entity("Location", name, &format!("spec:\n  targets: [{target}]\n"))
    };
    let a = write(
        &dir,
        "a.yaml",
        &[
            location("to-b", "./sub/b.yaml"),
            entity("Component", "one", ""),
        ]
        .join("---\n"),
    );
    write(
        &dir,
        "sub/b.yaml",
        &[
            location("to-a", "../a.yaml"),
            entity("Component", "two", ""),
        ]
        .join("---\n"),
    );
    let (model, summary) = backstage::import(&[a]).unwrap();
    assert_eq!(model.components.keys().collect::<Vec<_>>(), ["one", "two"]);
    assert_eq!(summary.files, 2);
    // A target that is not there is an error at the Location.
    let c = write(&dir, "c.yaml", &location("lost", "./gone.yaml"));
    let e = backstage::import(&[c]).unwrap_err();
    assert!(e.message.contains("Location default/lost"), "{e}");
    assert!(e.message.contains("gone.yaml"), "{e}");
}

#[test]
fn documents_that_are_not_entities_are_listed_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "c.yaml",
        &format!(
            "{}---\njust: a map\n---\n- a list\n",
            entity("Component", "web", "")
        ),
    );
    let (model, _) = backstage::import(&[path]).unwrap();
    let notes: Vec<&String> = model
        .notes
        .iter()
        .filter(|n| n.contains("not a Backstage entity"))
        .collect();
    assert_eq!(notes.len(), 2, "{:?}", model.notes);
    assert!(notes[0].contains("c.yaml:6"), "{notes:?}");
    let text = model.write(Format::Yaml).unwrap();
    assert!(text.contains("not a Backstage entity"), "{text}");
}

#[test]
fn names_shared_across_namespaces_are_qualified_and_duplicates_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ns = |name: &str, namespace: &str, extra: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  namespace: {namespace}\n{extra}"
        )
    };
    let path = write(
        &dir,
        "c.yaml",
        &[
            ns("api", "shop", "spec:\n  dependsOn: [component:api]\n"),
            ns("api", "billing", ""),
            ns(
                "front",
                "shop",
                "spec:\n  dependsOn: [component:billing/api]\n",
            ),
        ]
        .join("---\n"),
    );
    let (model, _) = backstage::import(&[path]).unwrap();
    assert_eq!(
        model.components.keys().collect::<Vec<_>>(),
        ["billing/api", "front", "shop/api"]
    );
    // `component:api` from namespace shop is shop's own (a cycle, which validation refuses).
    assert_eq!(model.components["shop/api"].depends_on[0].0, ["shop/api"]);
    assert_eq!(model.components["front"].depends_on[0].0, ["billing/api"]);
    let twice = write(
        &dir,
        "d.yaml",
        &[ns("x", "a", ""), ns("x", "a", "")].join("---\n"),
    );
    let e = backstage::import(&[twice]).unwrap_err();
    assert!(e.message.contains("defined twice"), "{e}");
}

#[test]
fn hostile_catalogs_are_refused_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    // An alias bomb.
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        bomb += &format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        );
    }
    let e = backstage::import(&[write(&dir, "bomb.yaml", &bomb)]).unwrap_err();
    assert!(e.message.contains("values"), "{e}");
    let e = kubernetes::import(&[write(&dir, "bomb.yaml", &bomb)], &[]).unwrap_err();
    assert!(e.message.contains("values"), "{e}");
    // Not text, not a file, nothing in a directory.
    std::fs::write(dir.path().join("bin.yaml"), [0xff, 0xfe, 0]).unwrap();
    let e = backstage::import(&[dir.path().join("bin.yaml")]).unwrap_err();
    assert!(e.message.contains("UTF-8"), "{e}");
    let empty = tempfile::tempdir().unwrap();
    let e = backstage::import(&[empty.path().to_path_buf()]).unwrap_err();
    assert!(e.message.contains("no .yaml"), "{e}");
    // Names that would act on a terminal.
    let e = backstage::import(&[write(
        &dir,
        "n.yaml",
        &entity("Component", "\"a\\u001bb\"", ""),
    )])
    .unwrap_err();
    assert!(e.message.contains("not a Backstage name"), "{e}");
}

#[test]
fn a_large_catalog_imports_whole() {
    let dir = tempfile::tempdir().unwrap();
    let n = 2000;
    let docs: Vec<String> = (0..n)
        .map(|i| {
            let deps = if i > 0 {
                format!("spec:\n  dependsOn: [component:c{}]\n", i / 2)
            } else {
                String::new()
            };
            entity(
                "Component",
                &format!("c{i}"),
                &format!("  annotations:\n    nines.dev/availability: \"99.9%\"\n{deps}"),
            )
        })
        .collect();
    let path = write(&dir, "big.yaml", &docs.join("---\n"));
    let m = loaded(&import_backstage(&[path]));
    let system = m.system().unwrap();
    assert_eq!(system.components.len(), n);
}

// ---------------------------------------------------------------------------------------------
// Kubernetes

fn deployment(name: &str, replicas: u32, extra_spec: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels: {{ app: {name} }}\n  template:\n    metadata:\n      labels: {{ app: {name} }}\n{extra_spec}"
    )
}

fn pdb(name: &str, app: &str, rule: &str) -> String {
    format!(
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {name}\nspec:\n  {rule}\n  selector:\n    matchLabels: {{ app: {app} }}\n"
    )
}

fn import_k8s(dir: &tempfile::TempDir, docs: &[String], zones: &[&str]) -> Model {
    let path = write(dir, "k.yaml", &docs.join("---\n"));
    let zones: Vec<String> = zones.iter().map(|z| z.to_string()).collect();
    let (model, _) = kubernetes::import(&[path], &zones).unwrap_or_else(|e| panic!("{e}"));
    loaded(&model.write(Format::Yaml).unwrap())
}

#[test]
fn disruption_budgets_round_as_kubernetes_does() {
    // Kubernetes rounds a percentage up, for minAvailable and maxUnavailable alike:
    // of 5 pods, minAvailable 50% keeps ceil(2.5) = 3; maxUnavailable 30% lets ceil(1.5) = 2 go.
    let cases = [
        (5, "minAvailable: \"50%\"", 3),
        (5, "maxUnavailable: \"30%\"", 3),
        (5, "maxUnavailable: 1", 4),
        (4, "minAvailable: \"100%\"", 4),
        (3, "minAvailable: 2", 2),
        (3, "maxUnavailable: \"100%\"", 1),
        (7, "minAvailable: \"1%\"", 1),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (replicas, rule, want) in cases {
        let m = import_k8s(
            &dir,
            &[deployment("web", replicas, ""), pdb("web", "web", rule)],
            &[],
        );
        let web = &m.spec.components["web"];
        assert_eq!(web.replicas, Some(replicas), "{rule}");
        assert_eq!(web.min_available, Some(want), "{replicas} pods, {rule}");
    }
    // More than it runs, a budget matching nothing, two budgets on one workload.
    let path = write(
        &dir,
        "k.yaml",
        &[
            deployment("web", 2, ""),
            pdb("web", "web", "minAvailable: 3"),
        ]
        .join("---\n"),
    );
    let e = kubernetes::import(&[path], &[]).unwrap_err();
    assert!(e.message.contains("3 pods"), "{e}");
    let path = write(
        &dir,
        "k.yaml",
        &[
            deployment("web", 2, ""),
            pdb("api", "api", "minAvailable: 1"),
        ]
        .join("---\n"),
    );
    let (model, _) = kubernetes::import(&[path], &[]).unwrap();
    assert!(
        model
            .notes
            .iter()
            .any(|n| n.contains("selects no Deployment")),
        "{:?}",
        model.notes
    );
    let path = write(
        &dir,
        "k.yaml",
        &[
            deployment("web", 2, ""),
            pdb("a", "web", "minAvailable: 1"),
            pdb("b", "web", "minAvailable: 1"),
        ]
        .join("---\n"),
    );
    let e = kubernetes::import(&[path], &[]).unwrap_err();
    assert!(e.message.contains("both select"), "{e}");
}

#[test]
fn a_zone_spread_spreads_over_the_zones_named() {
    let dir = tempfile::tempdir().unwrap();
    let spread = "    spec:\n      topologySpreadConstraints:\n        - maxSkew: 1\n          topologyKey: topology.kubernetes.io/zone\n          whenUnsatisfiable: DoNotSchedule\n";
    let docs = [deployment("web", 3, spread), deployment("batch", 2, "")];
    let m = import_k8s(&dir, &docs, &["z1", "z2"]);
    assert_eq!(
        m.spec.components["web"].spread,
        Some(vec!["z1".into(), "z2".into()])
    );
    assert_eq!(m.spec.components["batch"].spread, None);
    assert_eq!(m.spec.domains.keys().collect::<Vec<_>>(), ["z1", "z2"]);
    // Without --zones there is nothing to spread over.
    let path = write(&dir, "k.yaml", &docs.join("---\n"));
    let e = kubernetes::import(&[path], &[]).unwrap_err();
    assert!(e.hint.unwrap().contains("--zones"), "{}", e.message);
}

#[test]
fn manifests_evaluate_with_an_overlay_to_the_closed_form() {
    let dir = tempfile::tempdir().unwrap();
    let api = deployment("api", 3, "").replace(
        "metadata:\n  name: api\n",
        "metadata:\n  name: api\n  annotations:\n    nines.dev/depends-on: \"db\"\n    nines.dev/availability: \"99%\"\n",
    );
    let docs = [
        api,
        deployment("db", 1, ""),
        pdb("api", "api", "minAvailable: 2"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n".into(),
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: { name: c }\n".into(),
    ];
    let path = write(&dir, "k.yaml", &docs.join("---\n"));
    let out = dir.path().join("m.yaml");
    let summary = summary_of("kubernetes", &path, &out);
    assert_eq!(
        summary["ignored"],
        serde_json::json!({ "ConfigMap": 1, "Service": 1 })
    );
    assert_eq!(summary["kinds"]["List"], 1);
    let overlay = write(
        &dir,
        "o.yaml",
        "components:\n  db: { availability: 99.9% }\n",
    );
    let (_, system) = nines::model::load_system_with(&out, &[overlay]).unwrap();
    let states = nines::exact::evaluate_system(&system).unwrap();
    // 2 of 3 replicas at 99%, and the database.
    let (p, q) = (0.01f64, 0.99f64);
    let two_of_three_down = 3.0 * p * p * q + p * p * p;
    let want = 1.0 - (1.0 - two_of_three_down) * 0.999;
    assert_close!(unavailability(&system, &states, "api"), want, 1e-12);
}

#[test]
fn imports_are_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let docs = [
        deployment("b", 2, ""),
        deployment("a", 3, ""),
        pdb("a", "a", "maxUnavailable: 1"),
    ];
    let path = write(&dir, "k.yaml", &docs.join("---\n"));
    let run = || {
        nines()
            .args(["import", "kubernetes"])
            .arg(&path)
            .output()
            .unwrap()
            .stdout
    };
    let first = run();
    assert_eq!(first, run());
    let text = String::from_utf8(first).unwrap();
    // In name order, whatever the order of the manifests.
    assert!(
        text.find("  a:").unwrap() < text.find("  b:").unwrap(),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// Location patterns and URLs

fn location(name: &str, targets: &[&str]) -> String {
    let list: Vec<String> = targets.iter().map(|t| format!("    - {t}\n")).collect();
    entity(
        "Location",
        name,
        &format!("spec:\n  targets:\n{}", list.concat()),
    )
}

/// The names of the components a catalog file imports to.
fn imported_names(root: &Path) -> Vec<String> {
    let (model, _) = backstage::import(&[root.to_path_buf()]).unwrap_or_else(|e| panic!("{e}"));
    model.components.keys().cloned().collect()
}

#[test]
fn location_patterns_are_followed_as_backstage_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    for (file, name) in [
        ("services/orders/catalog-info.yaml", "orders"),
        ("services/payments/catalog-info.yaml", "payments"),
        ("services/payments/other.yaml", "other"),
        ("services/.hidden/catalog-info.yaml", "hidden"),
        ("services/deep/er/catalog-info.yaml", "deep"),
        ("teams/a.yaml", "team-a"),
        ("teams/b.yml", "team-b"),
        ("teams/c.yaml", "team-c"),
    ] {
        write(&dir, file, &entity("Component", name, ""));
    }
    // A directory that a pattern matches is no file: it adds nothing.
    std::fs::create_dir_all(dir.path().join("services/empty.yaml")).unwrap();
    let cases: [(&str, &[&str]); 8] = [
        // One level: the hidden directory and the deeper file are not matched.
        ("./services/*/catalog-info.yaml", &["orders", "payments"]),
        // Any depth, hidden directories still left out.
        (
            "./services/**/catalog-info.yaml",
            &["deep", "orders", "payments"],
        ),
        ("services/*/*.yaml", &["orders", "other", "payments"]),
        ("./teams/[ab].y*ml", &["team-a", "team-b"]),
        ("./teams/[!ab].yaml", &["team-c"]),
        ("./teams/?.{yaml,yml}", &["team-a", "team-b", "team-c"]),
        (
            "./services/{orders,payments}/catalog-info.yaml",
            &["orders", "payments"],
        ),
        // A dot in the pattern reaches hidden names.
        ("./services/.*/catalog-info.yaml", &["hidden"]),
    ];
    for (pattern, want) in cases {
        let root = write(
            &dir,
            "root.yaml",
            &location("root", &[&format!("\"{pattern}\"")]),
        );
        assert_eq!(imported_names(&root), want, "{pattern}");
    }
    // A pattern that matches no file is an error at its line, as a missing file is.
    let root = write(
        &dir,
        "root.yaml",
        &location("root", &["./services/*/catalog.yaml"]),
    );
    let e = backstage::import(&[root]).unwrap_err();
    assert!(e.message.contains("matches no file"), "{e}");
    assert!(e.message.contains("Location default/root"), "{e}");
    assert_eq!(e.span.unwrap().line, 7, "{e}");
    // Patterns found from a Location found by a pattern: each file read once.
    write(
        &dir,
        "nested/inner.yaml",
        &[
            location("inner", &["\"../teams/*.yaml\""]),
            entity("Component", "inner", ""),
        ]
        .join("---\n"),
    );
    let root = write(
        &dir,
        "root.yaml",
        &location("root", &["\"./*/inner.yaml\"", "\"./teams/*.yaml\""]),
    );
    let (model, summary) = backstage::import(&[root]).unwrap();
    assert_eq!(
        model.components.keys().collect::<Vec<_>>(),
        ["inner", "team-a", "team-c"]
    );
    assert_eq!(summary.files, 4);
}

#[cfg(unix)]
#[test]
fn a_pattern_enters_no_linked_directory_and_stays_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir, "a/one.yaml", &entity("Component", "one", ""));
    // A link back up the tree would make `**` walk forever.
    std::os::unix::fs::symlink(dir.path(), dir.path().join("a/loop")).unwrap();
    let root = write(&dir, "root.yaml", &location("root", &["\"./**/*.yaml\""]));
    // root.yaml matches itself, and is read once.
    assert_eq!(imported_names(&root), ["one"]);
    // Alternatives that multiply past the bound are refused at the target.
    let bomb = format!("\"./{}\"", "{a,b}".repeat(10));
    let root = write(&dir, "root.yaml", &location("root", &[&bomb]));
    let e = backstage::import(&[root]).unwrap_err();
    assert!(e.message.contains("more than"), "{e}");
    assert_eq!(e.span.unwrap().line, 7, "{e}");
    // `**` goes no deeper than an import's directories do.
    let deep: String = (0..40).map(|i| format!("d{i}/")).collect();
    write(
        &dir,
        &format!("{deep}x.yaml"),
        &entity("Component", "x", ""),
    );
    let root = write(&dir, "root.yaml", &location("root", &["\"./**/x.yaml\""]));
    let e = backstage::import(&[root]).unwrap_err();
    assert!(e.message.contains("deeper than 32"), "{e}");
}

#[test]
fn url_targets_are_listed_with_file_line_and_target() {
    let dir = tempfile::tempdir().unwrap();
    let url = "https://github.com/acme/shop/blob/main/catalog-info.yaml";
    write(&dir, "local.yaml", &entity("Component", "local", ""));
    let root = write(&dir, "root.yaml", &location("root", &["./local.yaml", url]));
    let (model, _) = backstage::import(std::slice::from_ref(&root)).unwrap();
    assert_eq!(model.components.keys().collect::<Vec<_>>(), ["local"]);
    let notes: Vec<&String> = model.notes.iter().filter(|n| n.contains(url)).collect();
    assert_eq!(notes.len(), 1, "{:?}", model.notes);
    assert!(
        notes[0].starts_with(&format!("{}:8:", root.display())),
        "{}",
        notes[0]
    );
    assert!(notes[0].contains("Location default/root"), "{}", notes[0]);
    assert!(notes[0].contains("not followed"), "{}", notes[0]);
    // On the terminal, in the JSON summary and at the top of the model written.
    let out = dir.path().join("m.yaml");
    let output = nines()
        .args(["import", "backstage"])
        .arg(&root)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("note: ") && l.contains(url) && l.contains(":8:")),
        "{stderr}"
    );
    let summary = summary_of("backstage", &root, &out);
    let listed = summary["notes"].as_array().unwrap();
    assert!(
        listed.iter().any(|n| n.as_str().unwrap().contains(url)),
        "{summary}"
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written
            .lines()
            .any(|l| l.starts_with("# ") && l.contains(url)),
        "{written}"
    );
}

// ---------------------------------------------------------------------------------------------
// Disruption budgets by matchExpressions

/// A PodDisruptionBudget keeping 2 pods, with the selector given (indented under `selector:`).
fn pdb_selecting(name: &str, api: &str, selector: &str) -> String {
    format!(
        "apiVersion: {api}\nkind: PodDisruptionBudget\nmetadata:\n  name: {name}\nspec:\n  minAvailable: 2\n{selector}"
    )
}

/// Deployments of 3 replicas with the given pod labels.
fn labelled(name: &str, labels: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 3\n  template:\n    metadata:\n      labels: {{ {labels} }}\n"
    )
}

/// Which of the workloads the budget gives `min_available: 2`, and the notes.
fn selected(selector: &str, api: &str) -> (Vec<String>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let docs = [
        labelled("web", "app: web, tier: front"),
        labelled("api", "app: api, tier: back"),
        labelled("db", "app: db"),
        pdb_selecting("budget", api, selector),
    ];
    let path = write(&dir, "k.yaml", &docs.join("---\n"));
    let (model, _) = kubernetes::import(&[path], &[]).unwrap_or_else(|e| panic!("{selector}: {e}"));
    let chosen = model
        .components
        .iter()
        .filter(|(_, c)| c.min_available == Some(2))
        .map(|(n, _)| n.clone())
        .collect();
    (chosen, model.notes)
}

#[test]
fn match_expressions_select_as_kubernetes_does() {
    let expr = |key: &str, op: &str, values: &str| {
        format!(
            "  selector:\n    matchExpressions:\n      - {{ key: {key}, operator: {op}{values} }}\n"
        )
    };
    let cases: Vec<(String, &[&str])> = vec![
        (expr("app", "In", ", values: [web, db]"), &["db", "web"]),
        // NotIn also selects pods without the label at all.
        (expr("tier", "NotIn", ", values: [front]"), &["api", "db"]),
        (expr("tier", "Exists", ""), &["api", "web"]),
        (expr("tier", "DoesNotExist", ""), &["db"]),
        // Every requirement must hold: matchLabels and matchExpressions together.
        (
            "  selector:\n    matchLabels: { tier: back }\n    matchExpressions:\n      - { key: app, operator: In, values: [web, api] }\n".into(),
            &["api"],
        ),
        (
            "  selector:\n    matchExpressions:\n      - { key: tier, operator: Exists }\n      - { key: app, operator: NotIn, values: [api] }\n".into(),
            &["web"],
        ),
        // policy/v1: an empty selector selects every pod of the namespace.
        ("  selector: {}\n".into(), &["api", "db", "web"]),
    ];
    for (selector, want) in cases {
        let (chosen, _) = selected(&selector, "policy/v1");
        assert_eq!(chosen, want, "{selector}");
    }
    // No selector selects no pods, and an empty one under policy/v1beta1 none either: listed.
    for (selector, api) in [("", "policy/v1"), ("  selector: {}\n", "policy/v1beta1")] {
        let (chosen, notes) = selected(selector, api);
        assert!(chosen.is_empty(), "{api} {selector:?}: {chosen:?}");
        assert!(
            notes
                .iter()
                .any(|n| n.contains("selects no pods") && n.contains("k.yaml:")),
            "{notes:?}"
        );
    }
}

#[test]
fn bad_match_expressions_are_located_errors() {
    // (the expression, what the error says)
    let cases = [
        (
            "{ key: app, operator: Equals, values: [web] }",
            "unknown matchExpressions operator `Equals`",
        ),
        (
            "{ key: app, operator: in, values: [web] }",
            "did you mean `In`",
        ),
        ("{ key: app, operator: In }", "needs values"),
        ("{ key: app, operator: NotIn, values: [] }", "needs values"),
        (
            "{ key: app, operator: Exists, values: [web] }",
            "takes no values",
        ),
        ("{ operator: Exists }", "needs a `key`"),
        (
            "{ key: app, operator: In, values: [{ a: 1 }] }",
            "expected a name",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (expression, says) in cases {
        let docs = [
            labelled("web", "app: web"),
            pdb_selecting(
                "budget",
                "policy/v1",
                &format!("  selector:\n    matchExpressions:\n      - {expression}\n"),
            ),
        ];
        let path = write(&dir, "k.yaml", &docs.join("---\n"));
        let e = kubernetes::import(&[path], &[]).unwrap_err();
        let text = format!("{}{}", e.message, e.hint.clone().unwrap_or_default());
        assert!(text.contains(says), "{expression}: {e}");
        assert!(
            e.message.contains("PodDisruptionBudget default/budget"),
            "{e}"
        );
        // Nine lines of Deployment, the separator, and the expression on the budget's ninth.
        assert_eq!(e.span.unwrap().line, 19, "{expression}: {e}");
    }
}
