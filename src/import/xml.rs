//! A small XML element tree that remembers where each element starts, so that every import error
//! can name its line and column.

use std::path::Path;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

use crate::model::error::{ModelError, Span, with_hint};
use crate::model::tree::LineIndex;

/// Deepest element nesting read; MEF files need about eight levels.
pub const MAX_DEPTH: usize = 256;
/// Most elements and attributes a document may hold, as many as the values of a model.
pub const MAX_NODES: usize = crate::model::tree::MAX_NODES;

/// An XML element with its attributes, children and place.
#[derive(Clone, Debug)]
pub struct Element {
    /// The element's name, as written (prefix included).
    pub name: String,
    /// Its attributes, in the order written.
    pub attributes: Vec<(String, String)>,
    /// Its child elements, in order.
    pub children: Vec<Element>,
    /// Character data directly inside the element (labels), whitespace-trimmed.
    pub text: String,
    /// Where the element starts.
    pub span: Span,
}

impl Element {
    /// The value of attribute `name`, if present.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Byte offsets to line and column, with the model loader's index (linear however long a line).
struct Lines<'a>(LineIndex<'a>);

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines(LineIndex::new(text))
    }

    fn span(&self, offset: usize, len: usize) -> Span {
        let (line, col) = self.0.place(offset);
        Span {
            line,
            col,
            len,
            file: 0,
        }
    }
}

/// Parses a whole document and returns its root element.
pub fn parse(path: &Path, text: &str) -> Result<Element, ModelError> {
    let lines = Lines::new(text);
    let fail = |offset: usize, len: usize, message: String| {
        ModelError::new(path, Some(lines.span(offset, len)), &message).with_source(text)
    };
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut nodes = 0;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            fail(
                reader.error_position() as usize,
                1,
                format!("malformed XML: {e}"),
            )
        })?;
        // The event's own start: whitespace before a tag is its own text event.
        let at = before + text[before..].len() - text[before..].trim_start().len();
        if let Event::Start(e) | Event::Empty(e) = &event {
            nodes += 1 + e.attributes().count();
            if nodes > MAX_NODES {
                return Err(fail(
                    at,
                    e.name().as_ref().len() + 1,
                    with_hint(
                        format!("the document holds more than {MAX_NODES} elements and attributes"),
                        "a fault tree file may hold at most this many",
                    ),
                ));
            }
        }
        match event {
            Event::Start(e) | Event::Empty(e) if root.is_some() => {
                return Err(fail(
                    at,
                    e.name().as_ref().len() + 1,
                    "a second root element; an XML file has one".into(),
                ));
            }
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(fail(
                        at,
                        1,
                        format!("elements nest deeper than {MAX_DEPTH} levels"),
                    ));
                }
                stack.push(element(
                    &e,
                    lines.span(at, e.name().as_ref().len() + 1),
                    &fail,
                    at,
                )?);
            }
            Event::Empty(e) => {
                let el = element(&e, lines.span(at, e.name().as_ref().len() + 1), &fail, at)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .expect("the reader checks that ends match starts");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let decoded = t.xml10_content();
                let trimmed = decoded.trim();
                if !trimmed.is_empty() {
                    match stack.last_mut() {
                        Some(parent) => {
                            if !parent.text.is_empty() {
                                parent.text.push(' ');
                            }
                            parent.text.push_str(trimmed);
                        }
                        None => {
                            return Err(fail(at, 1, "text outside the root element".into()));
                        }
                    }
                }
            }
            Event::CData(t) => {
                if let Some(parent) = stack.last_mut() {
                    parent.text.push_str(&t);
                }
            }
            Event::GeneralRef(r) => {
                // Entity references in labels: kept as written, labels are not interpreted.
                if let Some(parent) = stack.last_mut() {
                    parent.text.push('&');
                    parent.text.push_str(&r);
                    parent.text.push(';');
                }
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.pop() {
        return Err(ModelError::new(
            path,
            Some(open.span),
            &format!("<{}> is never closed", open.name),
        )
        .with_source(text));
    }
    root.ok_or_else(|| ModelError::new(path, None, "the file has no XML element"))
}

fn element(
    e: &BytesStart,
    span: Span,
    fail: &dyn Fn(usize, usize, String) -> ModelError,
    at: usize,
) -> Result<Element, ModelError> {
    let name = e.name().as_ref().to_string();
    let mut attributes = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| fail(at, 1, format!("malformed attribute in <{name}>: {err}")))?;
        let key = a.key.as_ref().to_string();
        let value = a
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| {
                fail(
                    at,
                    1,
                    format!("malformed attribute `{key}` in <{name}>: {err}"),
                )
            })?
            .into_owned();
        attributes.push((key, value));
    }
    Ok(Element {
        name,
        attributes,
        children: Vec::new(),
        text: String::new(),
        span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let doc = "<?xml version=\"1.0\"?>\n<a>\n  <b x=\"1\"/>\n  <c>hi</c>\n</a>\n";
        let root = parse(Path::new("t.xml"), doc).unwrap();
        assert_eq!(root.name, "a");
        assert_eq!(root.span.line, 2);
        assert_eq!(root.children[0].span.line, 3);
        assert_eq!(root.children[0].span.col, 3);
        assert_eq!(root.children[0].attribute("x"), Some("1"));
        assert_eq!(root.children[1].text, "hi");
    }

    #[test]
    fn malformed_is_located() {
        let err = parse(Path::new("t.xml"), "<a>\n<b>\n</a>\n").unwrap_err();
        assert_eq!(err.span.unwrap().line, 3, "{err}");
        let err = parse(Path::new("t.xml"), "<a>\n<b>\n").unwrap_err();
        assert!(err.to_string().contains("never closed"), "{err}");
    }
}
