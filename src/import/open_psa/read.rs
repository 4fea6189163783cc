//! Reading MEF documents: containers, declarations and their names, and the located errors
//! every other pass raises.

use super::*;

impl<'a> Reader<'a> {
    pub(super) fn error(&self, place: Place, message: String) -> ModelError {
        let (path, text) = &self.sources[place.file];
        ModelError::new(path, Some(place.span), &message).with_source(text)
    }

    pub(super) fn at(&self, file: usize, e: &Element, message: String) -> ModelError {
        self.error(Place { file, span: e.span }, message)
    }

    pub(super) fn name_of(&self, file: usize, e: &Element) -> Result<String, ModelError> {
        match e.attribute("name") {
            // Names reach terminals and reports, where a control character would act (an escape
            // sequence) or break the layout; a model refuses them too (found by fuzzing).
            Some(n) if n.chars().any(char::is_control) => Err(self.at(
                file,
                e,
                with_hint(
                    format!("the name {n:?} holds a control character"),
                    "use letters, digits, `-`, `_` or `.`",
                ),
            )),
            Some(n) if !n.trim().is_empty() => Ok(n.trim().to_string()),
            _ => Err(self.at(
                file,
                e,
                with_hint(
                    format!("<{}> needs a `name`", e.name),
                    &format!("write <{} name=\"...\">", e.name),
                ),
            )),
        }
    }

    pub(super) fn unsupported(
        &self,
        file: usize,
        e: &Element,
        what: &str,
        hint: &str,
    ) -> ModelError {
        self.at(
            file,
            e,
            with_hint(format!("<{}>: {what} is not supported", e.name), hint),
        )
    }

    pub(super) fn unknown_element(
        &self,
        file: usize,
        e: &Element,
        inside: &str,
        known: &[&str],
    ) -> ModelError {
        let hint = match did_you_mean(&e.name, known.iter().copied()) {
            Some(s) => format!("did you mean <{s}>?"),
            None => format!("inside <{inside}> MEF has {}", known.join(", ")),
        };
        self.at(
            file,
            e,
            with_hint(format!("unknown element <{}> in <{inside}>", e.name), &hint),
        )
    }

    pub(super) fn document(&mut self, file: usize, root: &'a Element) -> Result<(), ModelError> {
        if root.name != "opsa-mef" {
            return Err(self.at(
                file,
                root,
                with_hint(
                    format!("<{}> is not an Open-PSA model", root.name),
                    "an Open-PSA MEF file starts with <opsa-mef>",
                ),
            ));
        }
        const KNOWN: &[&str] = &[
            "define-fault-tree",
            "model-data",
            "define-CCF-group",
            "define-parameter",
            "label",
            "attributes",
        ];
        for e in &root.children {
            match e.name.as_str() {
                "define-fault-tree" => {
                    let name = self.name_of(file, e)?;
                    if self.tree.name.is_none() {
                        self.tree.name = Some(name.clone());
                    }
                    self.container(file, e, &name, "", true)?;
                }
                "model-data" => self.model_data(file, e)?,
                "define-CCF-group" => self.ccf_group(file, e, "", true)?,
                "define-parameter" => self.declare(file, e, Kind::Parameter, "", "", true)?,
                "define-event-tree"
                | "define-initiating-event"
                | "define-sequence"
                | "define-rule"
                | "define-alignment"
                | "define-substitution"
                | "define-extern-library"
                | "define-extern-function" => {
                    return Err(self.unsupported(
                        file,
                        e,
                        "this part of MEF (event trees, alignments, substitutions, externs)",
                        "nines imports fault trees: keep <define-fault-tree> and <model-data>",
                    ));
                }
                n if LABELS.contains(&n) => {}
                _ => return Err(self.unknown_element(file, e, "opsa-mef", KNOWN)),
            }
        }
        Ok(())
    }

    pub(super) fn model_data(&mut self, file: usize, data: &'a Element) -> Result<(), ModelError> {
        const KNOWN: &[&str] = &[
            "define-basic-event",
            "define-house-event",
            "define-parameter",
            "label",
            "attributes",
        ];
        for e in &data.children {
            match e.name.as_str() {
                "define-basic-event" => self.declare(file, e, Kind::BasicEvent, "", "", true)?,
                "define-house-event" => self.declare(file, e, Kind::HouseEvent, "", "", true)?,
                "define-parameter" => self.declare(file, e, Kind::Parameter, "", "", true)?,
                n if LABELS.contains(&n) => {}
                _ => return Err(self.unknown_element(file, e, "model-data", KNOWN)),
            }
        }
        Ok(())
    }

    /// A fault tree or a component: `base` is its path, `shown` the prefix of private names.
    pub(super) fn container(
        &mut self,
        file: usize,
        c: &'a Element,
        base: &str,
        shown: &str,
        public: bool,
    ) -> Result<(), ModelError> {
        const KNOWN: &[&str] = &[
            "define-gate",
            "define-basic-event",
            "define-house-event",
            "define-parameter",
            "define-CCF-group",
            "define-component",
            "label",
            "attributes",
        ];
        for e in &c.children {
            let role_public = match e.attribute("role") {
                None => public,
                Some("public") => true,
                Some("private") => false,
                Some(other) => {
                    return Err(self.at(
                        file,
                        e,
                        with_hint(
                            format!("unknown role `{other}`"),
                            "a role is `public` or `private`",
                        ),
                    ));
                }
            };
            match e.name.as_str() {
                "define-gate" => self.declare(file, e, Kind::Gate, base, shown, role_public)?,
                "define-basic-event" => {
                    self.declare(file, e, Kind::BasicEvent, base, shown, role_public)?
                }
                "define-house-event" => {
                    self.declare(file, e, Kind::HouseEvent, base, shown, role_public)?
                }
                "define-parameter" => {
                    self.declare(file, e, Kind::Parameter, base, shown, role_public)?
                }
                "define-CCF-group" => self.ccf_group(file, e, base, role_public)?,
                "define-component" => {
                    let name = self.name_of(file, e)?;
                    let inner_shown = if shown.is_empty() {
                        name.clone()
                    } else {
                        format!("{shown}.{name}")
                    };
                    self.container(
                        file,
                        e,
                        &format!("{base}.{name}"),
                        &inner_shown,
                        role_public,
                    )?;
                }
                n if LABELS.contains(&n) => {}
                _ => return Err(self.unknown_element(file, e, &c.name, KNOWN)),
            }
        }
        Ok(())
    }

    pub(super) fn declare(
        &mut self,
        file: usize,
        e: &'a Element,
        kind: Kind,
        base: &str,
        shown: &str,
        public: bool,
    ) -> Result<(), ModelError> {
        let name = self.name_of(file, e)?;
        self.declare_named(file, e, Some(e), kind, &name, base, shown, public)
            .map(|_| ())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn declare_named(
        &mut self,
        file: usize,
        at: &Element,
        element: Option<&'a Element>,
        kind: Kind,
        name: &str,
        base: &str,
        shown: &str,
        public: bool,
    ) -> Result<usize, ModelError> {
        if name.contains('.') {
            return Err(self.at(
                file,
                at,
                with_hint(
                    format!("the name `{name}` contains a dot"),
                    "dots separate containers in MEF references; rename the element",
                ),
            ));
        }
        let full = if base.is_empty() {
            name.to_string()
        } else {
            format!("{base}.{name}")
        };
        let display = if public || shown.is_empty() {
            name.to_string()
        } else {
            format!("{shown}.{name}")
        };
        let id = self.decls.len();
        let place = Place {
            file,
            span: at.span,
        };
        let clash = [
            Kind::Gate,
            Kind::BasicEvent,
            Kind::HouseEvent,
            Kind::Parameter,
        ]
        .into_iter()
        .filter(|k| k.namespace() == kind.namespace())
        .find_map(|k| self.by_path.get(&(k, full.clone())).copied())
        .or_else(|| {
            public
                .then(|| {
                    self.public
                        .get(&(kind.namespace(), name.to_string()))
                        .copied()
                })
                .flatten()
        });
        if let Some(other) = clash {
            let o = &self.decls[other];
            let (path, _) = &self.sources[o.place.file];
            return Err(self.at(
                file,
                at,
                with_hint(
                    format!(
                        "{} `{name}` is defined twice: here and as a {} at {}:{}",
                        kind.noun(),
                        o.kind.noun(),
                        crate::model::error::shown_path(path),
                        o.place.span.line
                    ),
                    "MEF names of gates and events are unique; rename one of them",
                ),
            ));
        }
        self.by_path.insert((kind, full), id);
        if public {
            self.public.insert((kind.namespace(), name.to_string()), id);
        }
        self.decls.push(Decl {
            kind,
            display,
            base: base.to_string(),
            element,
            place,
        });
        Ok(id)
    }

    pub(super) fn single_child<'e>(
        &self,
        file: usize,
        e: &'e Element,
    ) -> Result<&'e Element, ModelError> {
        let mut it = e
            .children
            .iter()
            .filter(|c| !LABELS.contains(&c.name.as_str()));
        match (it.next(), it.next()) {
            (Some(x), None) => Ok(x),
            (None, _) => Err(self.at(file, e, format!("<{}> needs a value inside", e.name))),
            (Some(_), Some(extra)) => Err(self.at(
                file,
                extra,
                format!("<{}> holds one value, not several", e.name),
            )),
        }
    }
}
