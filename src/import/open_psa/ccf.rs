//! Common-cause failure groups: a beta-factor group declared, then resolved into a domain
//! and its members' independent parts.

use super::*;

impl<'a> Reader<'a> {
    pub(super) fn ccf_group(
        &mut self,
        file: usize,
        e: &'a Element,
        base: &str,
        public: bool,
    ) -> Result<(), ModelError> {
        let name = self.name_of(file, e)?;
        let model = e.attribute("model").unwrap_or("");
        if model != "beta-factor" {
            return Err(self.at(
                file,
                e,
                with_hint(
                    format!(
                        "common-cause group `{name}` uses the `{model}` model, which is not supported"
                    ),
                    "nines maps beta-factor groups onto shared domains; MGL, alpha-factor and phi-factor groups have no such mapping",
                ),
            ));
        }
        let members_el = e
            .children
            .iter()
            .find(|c| c.name == "members")
            .ok_or_else(|| {
                self.at(
                    file,
                    e,
                    format!("common-cause group `{name}` has no <members>"),
                )
            })?;
        let mut members = Vec::new();
        for m in &members_el.children {
            if m.name != "basic-event" {
                return Err(self.unknown_element(file, m, "members", &["basic-event"]));
            }
            let member = self.name_of(file, m)?;
            members.push(self.declare_named(
                file,
                m,
                None,
                Kind::BasicEvent,
                &member,
                base,
                "",
                public,
            )?);
        }
        if members.len() < 2 {
            return Err(self.at(
                file,
                members_el,
                format!("common-cause group `{name}` needs at least 2 members"),
            ));
        }
        self.ccf_decls.push(CcfDecl {
            element: e,
            base: base.to_string(),
            display: name,
            members,
            place: Place { file, span: e.span },
        });
        Ok(())
    }

    pub(super) fn resolve_ccf(&mut self, group: usize) -> Result<(), ModelError> {
        let (e, base, name, place) = {
            let c = &self.ccf_decls[group];
            (c.element, c.base.clone(), c.display.clone(), c.place)
        };
        let file = place.file;
        let n = self.ccf_decls[group].members.len();
        let mut distribution = None;
        let mut factors: Vec<(&Element, Option<&str>, &Element)> = Vec::new();
        for c in &e.children {
            match c.name.as_str() {
                "members" => {}
                "distribution" => {
                    let x = self.single_child(file, c)?;
                    distribution = Some(self.probability(file, x, &base)?);
                }
                "factor" => factors.push((c, c.attribute("level"), self.single_child(file, c)?)),
                "factors" => {
                    for f in &c.children {
                        if f.name != "factor" {
                            return Err(self.unknown_element(file, f, "factors", &["factor"]));
                        }
                        factors.push((f, f.attribute("level"), self.single_child(file, f)?));
                    }
                }
                n if LABELS.contains(&n) => {}
                _ => {
                    return Err(self.unknown_element(
                        file,
                        c,
                        "define-CCF-group",
                        &["members", "distribution", "factor", "factors"],
                    ));
                }
            }
        }
        let q = distribution.ok_or_else(|| {
            self.error(
                place,
                format!("common-cause group `{name}` has no <distribution>"),
            )
        })?;
        let [(factor_el, level, beta_el)] = factors[..] else {
            return Err(self.error(
                place,
                format!(
                    "beta-factor group `{name}` needs exactly one <factor>, not {}",
                    factors.len()
                ),
            ));
        };
        if let Some(level) = level
            && level.trim().parse::<usize>().ok() != Some(n)
        {
            return Err(self.at(
                file,
                factor_el,
                format!("the beta factor of `{name}` is for all {n} members: its level is {n}, not {level}"),
            ));
        }
        let beta = self.probability(file, beta_el, &base)?;
        // Member = independent part OR common part; both parts kept without cancellation.
        let independent = Odds {
            p: beta.q * q.p,
            q: 1.0 - beta.q * q.p,
        };
        let common = Odds {
            p: beta.p * q.p,
            q: 1.0 - beta.p * q.p,
        };
        if let Some(other) = self.tree.ccf_groups.iter().find(|c| c.name == name) {
            let line = other.place.span.line;
            return Err(self.error(
                place,
                with_hint(
                    format!("common-cause group `{name}` is defined twice (also on line {line})"),
                    "each group becomes a domain of its name; rename one of them",
                ),
            ));
        }
        let members = self.ccf_decls[group].members.clone();
        let group_id = self.tree.ccf_groups.len();
        let mut events = Vec::with_capacity(members.len());
        for m in members {
            let ev = self.tree.events.len();
            self.tree.events.push(Event {
                name: self.decls[m].display.clone(),
                kind: EventKind::CcfMember { group: group_id },
                odds: independent,
                place: self.decls[m].place,
            });
            self.event_of.insert(m, ev);
            events.push(ev);
        }
        self.tree.ccf_groups.push(CcfGroup {
            name,
            odds: common,
            members: events,
            place,
        });
        Ok(())
    }
}
