//! What every component is checked against (the model's names and defaults), and a variant
//! merged into its component, each key remembering where it was written.

use std::collections::HashMap;

use super::component::component;
use super::{MAX_COMPONENTS, MAX_DOMAINS, Result, at, invalid, key, positive, printable};
use crate::model::spec::{ComponentSpec, ModelSpec, VariantSpec};
use crate::model::tree::PathStep;
use crate::model::units::{Duration, HOUR};
use crate::system::{Component, ComponentId, DomainId};

/// What every component is checked against: the model's names and defaults.
pub(super) struct Context<'a> {
    pub(super) spec: &'a ModelSpec,
    pub(super) domain_names: HashMap<&'a str, DomainId>,
    pub(super) component_names: HashMap<&'a str, ComponentId>,
    pub(super) default_mttr: f64,
    pub(super) responders: Vec<crate::system::Responder>,
    pub(super) responder_names: HashMap<&'a str, crate::system::ResponderId>,
}

impl<'a> Context<'a> {
    pub(super) fn new(spec: &'a ModelSpec) -> Result<Context<'a>> {
        if spec.components.len() > MAX_COMPONENTS {
            return Err(invalid(
                &[key("components")],
                format!(
                    "{} components is more than the {MAX_COMPONENTS} a model may hold",
                    spec.components.len()
                ),
            ));
        }
        if spec.domains.len() > MAX_DOMAINS {
            return Err(invalid(
                &[key("domains")],
                format!(
                    "{} domains is more than the {MAX_DOMAINS} a model may hold",
                    spec.domains.len()
                ),
            ));
        }
        let default_mttr = match spec.defaults.as_ref().and_then(|d| d.mttr) {
            Some(m) => positive(&m, &[key("defaults"), key("mttr")], "the default mttr")?,
            None => HOUR,
        };
        Ok(Context {
            spec,
            domain_names: spec
                .domains
                .keys()
                .enumerate()
                .map(|(i, n)| (n.as_str(), i))
                .collect(),
            component_names: spec
                .components
                .keys()
                .enumerate()
                .map(|(i, n)| (n.as_str(), i))
                .collect(),
            default_mttr,
            responders: crate::model::recovery::responders(spec)?,
            responder_names: spec
                .responders
                .keys()
                .enumerate()
                .map(|(i, n)| (n.as_str(), i))
                .collect(),
        })
    }

    /// Component `c` with variant `v` applied (None: as written), and where its keys stand.
    pub(super) fn component(&self, c: usize, v: Option<usize>) -> Result<(Component, OwnedFields)> {
        let (name, base) = self
            .spec
            .components
            .get_index(c)
            .expect("an index of the map");
        let base_path = vec![key("components"), key(name)];
        // The name itself, not the definition under it.
        let name_path = [key("components"), PathStep::KeyItself(name.clone())];
        if name.trim().is_empty() {
            return Err(invalid(&name_path, "a component needs a name".into()));
        }
        printable(name, "component", &name_path)?;
        for (i, variant) in base.variants.iter().enumerate() {
            let path = at(&at(&base_path, key("variants")), PathStep::Index(i));
            printable(&variant.name, "variant", &at(&path, key("name")))?;
        }
        let (keys, origin) = match v {
            Some(v) => {
                let variant = base.variants.get(v).ok_or_else(|| {
                    invalid(&base_path, format!("component `{name}` has no variant {v}"))
                })?;
                merge(
                    base,
                    variant,
                    at(&at(&base_path, key("variants")), PathStep::Index(v)),
                )
            }
            None => (base.clone(), HashMap::new()),
        };
        let fields = OwnedFields {
            base: base_path,
            origin,
        };
        // A recovery's exact mean stands for the mttr.
        let recovery = crate::model::recovery::recovery(
            name,
            &keys,
            &|f| fields.path(f),
            &self.responders,
            &self.responder_names,
        )?;
        let keys = match &recovery {
            Some(r) => ComponentSpec {
                mttr: Some(Duration::from_secs(r.mean.total()).into()),
                ..keys
            },
            None => keys,
        };
        let mut component = component(
            name,
            &keys,
            &fields.borrow(),
            &self.domain_names,
            &self.component_names,
            self.default_mttr,
        )?;
        component.recovery = recovery;
        let mut seen = std::collections::HashSet::new();
        for (i, variant) in base.variants.iter().enumerate() {
            if !seen.insert(variant.name.as_str()) {
                return Err(invalid(
                    &at(
                        &at(&at(&fields.base, key("variants")), PathStep::Index(i)),
                        key("name"),
                    ),
                    format!("variant `{}` of `{name}` is defined twice", variant.name),
                ));
            }
        }
        Ok((component, fields))
    }
}

/// `Fields` that own their paths.
pub(super) struct OwnedFields {
    pub(super) base: Vec<PathStep>,
    pub(super) origin: HashMap<&'static str, Vec<PathStep>>,
}

impl OwnedFields {
    pub(super) fn borrow(&self) -> Fields<'_> {
        Fields {
            base: &self.base,
            origin: &self.origin,
        }
    }

    pub(super) fn path(&self, field: &'static str) -> Vec<PathStep> {
        self.borrow().path(field)
    }
}

/// Where each key of a (possibly variant-merged) component was written.
pub(super) struct Fields<'a> {
    pub(super) base: &'a [PathStep],
    pub(super) origin: &'a HashMap<&'static str, Vec<PathStep>>,
}

impl Fields<'_> {
    pub(super) fn path(&self, field: &'static str) -> Vec<PathStep> {
        self.origin
            .get(field)
            .cloned()
            .unwrap_or_else(|| at(self.base, key(field)))
    }
}

macro_rules! merge_keys {
    ($base:ident, $variant:ident, $origin:ident, $path:ident, $out:ident; $($field:ident),*) => {
        $(
            if $variant.$field.is_some() {
                $out.$field = $variant.$field.clone();
                $origin.insert(stringify!($field), at(&$path, key(stringify!($field))));
            }
        )*
    };
}

pub(super) fn merge(
    base: &ComponentSpec,
    variant: &VariantSpec,
    path: Vec<PathStep>,
) -> (ComponentSpec, HashMap<&'static str, Vec<PathStep>>) {
    let mut out = base.clone();
    let mut origin = HashMap::new();
    merge_keys!(base, variant, origin, path, out; availability, mttf, mttr, replicas, min_available, spread, maintenance,
        failure, repair, slo, external, cost, fixed_cost, failover, depends_on, recovery);
    (out, origin)
}
