//! A parsed document as a tree of values that remember where they stand in the source, whatever
//! the format, and a serde `Deserializer` over it that puts every error at its place.

use std::fmt;

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use super::error::{Span, did_you_mean, with_hint};

/// Deepest nesting a model may use; models need about six levels.
pub const MAX_DEPTH: usize = 64;
/// Most values a document may expand to (counting YAML aliases each time they are used).
pub const MAX_NODES: usize = 5_000_000;

/// A value of a parsed document and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it was written: file, line, column and length.
    pub span: Span,
}

/// A value of a document, in the shape YAML, TOML and JSON share.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Nothing (`null`, `~`, an empty value).
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number and its text as written (empty for infinities and NaN), so that a value with
    /// more digits than a float holds can still be read from its digits.
    Float(f64, Box<str>),
    /// A string.
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// A map, its entries in the order written (keys are nodes, so they keep their place too).
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// What kind of value this is, in words for an error message: "a list", "an integer".
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(..) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

/// Where a parse failed, before there is a tree to point into.
#[derive(Debug)]
pub struct ParseError {
    /// Where it failed, when the parser says.
    pub span: Option<Span>,
    /// What went wrong.
    pub message: String,
}

impl ParseError {
    fn at(span: Span, message: impl Into<String>) -> ParseError {
        ParseError {
            span: Some(span),
            message: message.into(),
        }
    }
}

impl Node {
    /// The node found by following map keys and list indices; the deepest reachable one when the
    /// path leaves the tree, so that an error still points close to its cause.
    pub fn find(&self, path: &[PathStep]) -> &Node {
        let mut node = self;
        for step in path {
            let next = match (&node.value, step) {
                (Value::Map(entries), PathStep::Key(k)) => entries
                    .iter()
                    .find(|(key, _)| key.value == Value::Str(k.clone()))
                    .map(|(_, v)| v),
                (Value::Map(entries), PathStep::KeyItself(k)) => entries
                    .iter()
                    .find(|(key, _)| key.value == Value::Str(k.clone()))
                    .map(|(key, _)| key),
                (Value::Seq(items), PathStep::Index(i)) => items.get(*i),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node
    }
}

/// One step of a path from the document root to a value.
#[derive(Clone, Debug, PartialEq)]
pub enum PathStep {
    /// The value under a map key.
    Key(String),
    /// The key itself (to point at a name rather than its definition).
    KeyItself(String),
    /// The item at a 0-based index of a list.
    Index(usize),
}

// ---------------------------------------------------------------------------------------------
// YAML (and JSON, which is YAML's flow style)

/// Parses YAML (or JSON) into a tree: the last document of the text, or `null` when it is empty.
pub fn from_yaml(source: &str) -> Result<Node, ParseError> {
    let mut documents = yaml_documents(source, false)?;
    Ok(documents.pop().unwrap_or(Node {
        value: Value::Null,
        span: Span {
            line: 1,
            col: 1,
            len: 1,
            file: 0,
        },
    }))
}

/// Every document of a YAML stream (`---` between them), as manifests and catalogs are written,
/// under the same limits as a model: the count of values is for the whole file.
pub fn from_yaml_documents(source: &str) -> Result<Vec<Node>, ParseError> {
    yaml_documents(source, true)
}

fn yaml_documents(source: &str, many: bool) -> Result<Vec<Node>, ParseError> {
    let mut builder = YamlBuilder {
        used: used_anchors(source),
        ..YamlBuilder::default()
    };
    let mut parser = Parser::new_from_str(source);
    let mut roots = Vec::new();
    let mut documents = 0;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| {
            let m = e.marker();
            ParseError::at(
                Span {
                    line: m.line(),
                    col: m.col() + 1,
                    len: 1,
                    file: 0,
                },
                e.info().to_string(),
            )
        })?;
        let here = Span {
            line: span.start.line(),
            col: span.start.col() + 1,
            len: span.len().max(1),
            file: 0,
        };
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 && !many {
                    return Err(ParseError::at(
                        here,
                        "a model file holds one YAML document; found a second `---`",
                    ));
                }
            }
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
            other => {
                if let Some(node) = builder.push(other, here)? {
                    roots.push(node);
                }
            }
        }
    }
    Ok(roots)
}

/// The anchors some alias uses. Only those are kept (a copy each): keeping every anchor copied
/// each value once per anchor around it, and anchors nest 64 deep.
fn used_anchors(source: &str) -> std::collections::HashSet<usize> {
    let mut used = std::collections::HashSet::new();
    // A malformed document stops here and is reported by the reading proper.
    for next in Parser::new_from_str(source) {
        match next {
            Ok((Event::Alias(id), _)) => {
                used.insert(id);
            }
            Ok((Event::StreamEnd, _)) | Err(_) => break,
            Ok(_) => {}
        }
    }
    used
}

/// A list or map still being read.
struct Open {
    node: Node,
    pending_key: Option<Node>,
    keys: std::collections::HashSet<String>,
    anchor: usize,
    /// Values of `<<` merge keys, applied when the map ends so that keys written in it win.
    merges: Vec<(Span, Node)>,
}

#[derive(Default)]
struct YamlBuilder {
    /// Open lists and maps; a map holds a pending key and the keys it has.
    stack: Vec<Open>,
    anchors: std::collections::HashMap<usize, Node>,
    /// The anchors an alias refers to (see `used_anchors`).
    used: std::collections::HashSet<usize>,
    /// Values so far, aliases and kept anchors counted as the copies they make (list and map ends
    /// are not values).
    nodes: usize,
    aliased: bool,
}

impl YamlBuilder {
    /// Counts `added` values (a value, or a copy of an aliased one); refuses past the limit.
    fn count(&mut self, added: usize, span: Span) -> Result<(), ParseError> {
        self.nodes += added;
        if self.nodes <= MAX_NODES {
            return Ok(());
        }
        let message = format!("the document expands to more than {MAX_NODES} values");
        Err(ParseError::at(
            span,
            if self.aliased {
                with_hint(
                    message,
                    "YAML aliases count once for every time they are used; expand fewer",
                )
            } else {
                with_hint(message, "a model may hold at most this many values")
            },
        ))
    }

    fn push(&mut self, event: Event<'_>, span: Span) -> Result<Option<Node>, ParseError> {
        let complete = match event {
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                self.count(1, span)?;
                if tag.is_some() {
                    return Err(ParseError::at(
                        span,
                        "YAML tags (`!name`) are not part of a model",
                    ));
                }
                if self.stack.len() >= MAX_DEPTH {
                    return Err(ParseError::at(
                        span,
                        format!("values nest deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let value = if matches!(event, Event::SequenceStart(..)) {
                    Value::Seq(vec![])
                } else {
                    Value::Map(vec![])
                };
                self.stack.push(Open {
                    node: Node { value, span },
                    pending_key: None,
                    keys: Default::default(),
                    anchor,
                    merges: Vec::new(),
                });
                return Ok(None);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let mut open = self
                    .stack
                    .pop()
                    .expect("the parser balances starts and ends");
                merge(&mut open)?;
                self.remember(open.anchor, &open.node)?;
                open.node
            }
            Event::Alias(id) => {
                let node = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| ParseError::at(span, "an alias to an unknown anchor"))?;
                self.aliased = true;
                self.count(count_nodes(&node), span)?;
                node
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, span)?;
                if tag.is_some() {
                    return Err(ParseError::at(
                        span,
                        "YAML tags (`!name`) are not part of a model",
                    ));
                }
                // A map key is a name, kept as written: `007` stays `007`, not the number 7.
                let is_key = matches!(
                    self.stack.last(),
                    Some(Open {
                        node: Node {
                            value: Value::Map(_),
                            ..
                        },
                        pending_key: None,
                        ..
                    })
                );
                let value = match scalar(&text, style) {
                    Value::Int(_) | Value::Bool(_) | Value::Float(..) if is_key => {
                        Value::Str(text.to_string())
                    }
                    value => value,
                };
                let node = Node { value, span };
                self.remember(anchor, &node)?;
                node
            }
            _ => return Ok(None),
        };
        self.attach(complete)
    }

    /// Keeps a copy of an anchored value that an alias uses; the copy counts as values.
    fn remember(&mut self, anchor: usize, node: &Node) -> Result<(), ParseError> {
        if anchor > 0 && self.used.contains(&anchor) {
            self.aliased = true;
            self.count(count_nodes(node), node.span)?;
            self.anchors.insert(anchor, node.clone());
        }
        Ok(())
    }

    fn attach(&mut self, node: Node) -> Result<Option<Node>, ParseError> {
        let Some(Open {
            node: parent,
            pending_key,
            keys,
            merges,
            ..
        }) = self.stack.last_mut()
        else {
            return Ok(Some(node));
        };
        match &mut parent.value {
            Value::Seq(items) => items.push(node),
            Value::Map(entries) => match pending_key.take() {
                None => {
                    let key = match &node.value {
                        Value::Str(_) => node,
                        Value::Int(i) => Node {
                            value: Value::Str(i.to_string()),
                            span: node.span,
                        },
                        Value::Bool(b) => Node {
                            value: Value::Str(b.to_string()),
                            span: node.span,
                        },
                        other => {
                            return Err(ParseError::at(
                                node.span,
                                format!("a map key must be a name, found {}", other.kind()),
                            ));
                        }
                    };
                    let Value::Str(name) = &key.value else {
                        unreachable!("keys are names")
                    };
                    if !keys.insert(name.clone()) {
                        return Err(ParseError::at(key.span, format!("duplicate key `{name}`")));
                    }
                    *pending_key = Some(key);
                }
                // Merged values were counted when read (aliases as the copies they make), so
                // moving them into this map adds nothing to the count.
                Some(key) if key.value == Value::Str(MERGE_KEY.into()) => {
                    merges.push((key.span, node))
                }
                Some(key) => entries.push((key, node)),
            },
            _ => unreachable!("only lists and maps are open"),
        }
        Ok(None)
    }
}

/// The YAML 1.1 merge key: `<<: *base` or `<<: [*a, *b]` copies the entries of those maps.
const MERGE_KEY: &str = "<<";

/// Applies a map's merge keys: keys written in the map win over merged ones, and an earlier
/// map in a `<<` list wins over a later one.
fn merge(open: &mut Open) -> Result<(), ParseError> {
    let Value::Map(entries) = &mut open.node.value else {
        return Ok(());
    };
    // Errors point at the `<<` itself: the merged values are copies that carry their anchor's place.
    for (at, value) in std::mem::take(&mut open.merges) {
        let sources = match value.value {
            Value::Seq(items) => items,
            Value::Map(_) => vec![value],
            other => {
                return Err(ParseError::at(
                    at,
                    with_hint(
                        format!("`<<` merges maps, found {}", other.kind()),
                        "write `<<: *name` or `<<: [*a, *b]` with anchors of maps",
                    ),
                ));
            }
        };
        for source in sources {
            let Value::Map(merged) = source.value else {
                return Err(ParseError::at(
                    at,
                    with_hint(
                        format!("`<<` merges maps, found {}", source.value.kind()),
                        "every item of a `<<` list is an alias of a map",
                    ),
                ));
            };
            for (key, v) in merged {
                let Value::Str(name) = &key.value else {
                    unreachable!("keys are names")
                };
                if open.keys.insert(name.clone()) {
                    entries.push((key, v));
                }
            }
        }
    }
    Ok(())
}

fn count_nodes(node: &Node) -> usize {
    let mut count = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        count += 1;
        match &n.value {
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => stack.extend(entries.iter().flat_map(|(k, v)| [k, v])),
            _ => {}
        }
    }
    count
}

/// YAML 1.2 core schema resolution of a scalar.
fn scalar(text: &str, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY, "".into());
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY, "".into()),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN, "".into()),
        _ => {}
    }
    let t = text;
    let numeric = t
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || b == b'-' || b == b'+' || b == b'.')
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'_'));
    if numeric {
        if let Ok(i) = t.parse::<i64>() {
            return Value::Int(i);
        }
        if let Ok(f) = t.parse::<f64>() {
            return Value::Float(f, t.replace('_', "").into());
        }
    }
    Value::Str(t.to_string())
}

// ---------------------------------------------------------------------------------------------
// TOML

/// Parses TOML into a tree.
pub fn from_toml(source: &str) -> Result<Node, ParseError> {
    let lines = LineIndex::new(source);
    let table = toml::de::DeTable::parse(source).map_err(|e| ParseError {
        span: e.span().map(|r| lines.span(r)),
        message: e.message().to_string(),
    })?;
    let span = lines.span(table.span());
    let mut nodes = 0;
    Ok(Node {
        value: toml_table(table.get_ref(), &lines, 0, &mut nodes)?,
        span,
    })
}

/// Counts one value (a key, a scalar, a table or an array) against the document's limit.
fn count_toml(nodes: &mut usize, span: Span) -> Result<(), ParseError> {
    *nodes += 1;
    if *nodes > MAX_NODES {
        return Err(ParseError::at(
            span,
            with_hint(
                format!("the document holds more than {MAX_NODES} values"),
                "a model may hold at most this many values",
            ),
        ));
    }
    Ok(())
}

fn toml_table(
    table: &toml::de::DeTable<'_>,
    lines: &LineIndex,
    depth: usize,
    nodes: &mut usize,
) -> Result<Value, ParseError> {
    let mut entries = Vec::with_capacity(table.len());
    for (key, value) in table {
        let key_node = Node {
            value: Value::Str(key.get_ref().to_string()),
            span: lines.span(key.span()),
        };
        count_toml(nodes, key_node.span)?;
        entries.push((key_node, toml_value(value, lines, depth + 1, nodes)?));
    }
    Ok(Value::Map(entries))
}

fn toml_value(
    value: &toml::Spanned<toml::de::DeValue<'_>>,
    lines: &LineIndex,
    depth: usize,
    nodes: &mut usize,
) -> Result<Node, ParseError> {
    use toml::de::DeValue;
    let span = lines.span(value.span());
    count_toml(nodes, span)?;
    if depth > MAX_DEPTH {
        return Err(ParseError::at(
            span,
            format!("values nest deeper than {MAX_DEPTH} levels"),
        ));
    }
    let v = match value.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
            Ok(n) => Value::Int(n),
            Err(_) => {
                return Err(ParseError::at(
                    span,
                    format!("integer `{}` is out of range", i.as_str()),
                ));
            }
        },
        DeValue::Float(f) => match f.as_str().replace('_', "").as_str() {
            "inf" | "+inf" => Value::Float(f64::INFINITY, "".into()),
            "-inf" => Value::Float(f64::NEG_INFINITY, "".into()),
            "nan" | "+nan" | "-nan" => Value::Float(f64::NAN, "".into()),
            t => Value::Float(
                t.parse()
                    .map_err(|_| ParseError::at(span, format!("`{t}` is not a number")))?,
                t.into(),
            ),
        },
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Str(d.to_string()),
        DeValue::Array(items) => Value::Seq(
            items
                .iter()
                .map(|v| toml_value(v, lines, depth + 1, nodes))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(t) => toml_table(t, lines, depth, nodes)?,
    };
    Ok(Node { value: v, span })
}

/// Byte offsets to 1-based lines and character columns, built once in one pass. Counting
/// characters from the start of the line at every query made a long line quadratic; here a
/// query counts at most `STRIDE` bytes past a checkpoint.
pub struct LineIndex<'a> {
    source: &'a str,
    starts: Vec<usize>,
    /// Characters before byte `i * STRIDE`; empty when the text is ASCII (bytes are characters).
    checkpoints: Vec<usize>,
}

const STRIDE: usize = 256;

/// The longest underline measured: wider than any line an error shows.
const MAX_UNDERLINE: usize = 1000;

impl<'a> LineIndex<'a> {
    /// An index of where each line of `source` starts.
    pub fn new(source: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let checkpoints = if source.is_ascii() {
            Vec::new()
        } else {
            let mut chars = 0;
            let mut checkpoints = Vec::with_capacity(source.len() / STRIDE + 1);
            for chunk in source.as_bytes().chunks(STRIDE) {
                checkpoints.push(chars);
                chars += char_starts(chunk);
            }
            checkpoints
        };
        LineIndex {
            source,
            starts,
            checkpoints,
        }
    }

    /// Characters in the text before byte `offset` (at most the text's length).
    fn chars_before(&self, offset: usize) -> usize {
        let offset = offset.min(self.source.len());
        if self.checkpoints.is_empty() {
            return offset;
        }
        let block = offset / STRIDE;
        self.checkpoints[block] + char_starts(&self.source.as_bytes()[block * STRIDE..offset])
    }

    /// The 1-based line and character column of a byte offset.
    pub fn place(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.source.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let col = self.chars_before(offset) - self.chars_before(self.starts[line - 1]) + 1;
        (line, col)
    }

    /// The place of a byte range: its line, column and length in characters (within one line).
    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        let start = range.start.min(self.source.len());
        let (line, col) = self.place(start);
        let len = self
            .source
            .get(start..range.end.min(self.source.len()))
            .map_or(1, |s| {
                s.chars()
                    .take(MAX_UNDERLINE)
                    .take_while(|&c| c != '\n' && c != '\r')
                    .count()
            });
        Span {
            line,
            col,
            len: len.max(1),
            file: 0,
        }
    }
}

/// Characters starting in `bytes` (UTF-8 continuation bytes start none).
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

// ---------------------------------------------------------------------------------------------
// serde over the tree

/// An error while reading values out of the tree, placed at the innermost value it concerns.
#[derive(Debug)]
pub struct DeError {
    /// What went wrong.
    pub message: String,
    /// Where, when known.
    pub span: Option<Span>,
}

impl DeError {
    fn placed(mut self, span: Span) -> DeError {
        self.span.get_or_insert(span);
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            message: msg.to_string(),
            span: None,
        }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let hint = match did_you_mean(field, expected.iter().copied()) {
            Some(m) => format!("did you mean `{m}`?"),
            None => format!("expected one of: {}", expected.join(", ")),
        };
        DeError {
            message: with_hint(format!("unknown key `{field}`"), &hint),
            span: None,
        }
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let hint = match did_you_mean(variant, expected.iter().copied()) {
            Some(m) => format!("did you mean `{m}`?"),
            None => format!("expected one of: {}", expected.join(", ")),
        };
        DeError {
            message: with_hint(format!("unknown value `{variant}`"), &hint),
            span: None,
        }
    }

    fn invalid_type(unexpected: de::Unexpected, expected: &dyn de::Expected) -> Self {
        DeError::custom(format_args!(
            "invalid type: {unexpected}, expected {}",
            plain_expected(expected)
        ))
    }

    fn invalid_value(unexpected: de::Unexpected, expected: &dyn de::Expected) -> Self {
        DeError::custom(format_args!(
            "invalid value: {unexpected}, expected {}",
            plain_expected(expected)
        ))
    }

    fn missing_field(field: &'static str) -> Self {
        DeError {
            message: format!("missing key `{field}`"),
            span: None,
        }
    }
}

/// Rust's names for counts (`u32`) in words a model's author reads.
fn plain_expected(expected: &dyn de::Expected) -> String {
    match expected.to_string().as_str() {
        "u32" => "a whole number from 0 to 4294967295".into(),
        other => other.to_string(),
    }
}

impl<'de> de::Deserializer<'de> for &'de Node {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match &self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => visitor.visit_i64(*i),
            Value::Float(f, _) => visitor.visit_f64(*f),
            Value::Str(s) => visitor.visit_borrowed_str(s),
            Value::Seq(items) => visitor.visit_seq(Items { iter: items.iter() }),
            Value::Map(entries) => visitor.visit_map(Entries {
                iter: entries.iter(),
                value: None,
            }),
        };
        result.map_err(|e| e.placed(self.span))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match &self.value {
            Value::Str(s) => visitor
                .visit_enum(s.as_str().into_deserializer())
                .map_err(|e: DeError| e.placed(self.span)),
            other => Err(DeError {
                message: format!("expected a name, found {}", other.kind()),
                span: Some(self.span),
            }),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == crate::model::units::DECIMAL {
            // A number read from its digits: `0.99999999999999999` unquoted means what it
            // means quoted, not the float 1 it rounds to.
            return match &self.value {
                Value::Float(_, text) if !text.is_empty() => visitor
                    .visit_str(text)
                    .map_err(|e: DeError| e.placed(self.span)),
                _ => self.deserialize_any(visitor),
            };
        }
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Items<'de> {
    iter: std::slice::Iter<'de, Node>,
}

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = DeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.iter.next() {
            Some(node) => seed
                .deserialize(node)
                .map(Some)
                .map_err(|e| e.placed(node.span)),
            None => Ok(None),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct Entries<'de> {
    iter: std::slice::Iter<'de, (Node, Node)>,
    value: Option<&'de Node>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.iter.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(key)
                    .map(Some)
                    .map_err(|e| e.placed(key.span))
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let node = self
            .value
            .take()
            .expect("serde asks for a value after its key");
        seed.deserialize(node).map_err(|e| e.placed(node.span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_tree_has_places() {
        let tree = from_yaml("a: 1\nb:\n  - x\n  - 2.5\n").unwrap();
        let b = tree.find(&[PathStep::Key("b".into()), PathStep::Index(1)]);
        assert_eq!(b.value, Value::Float(2.5, "2.5".into()));
        assert_eq!((b.span.line, b.span.col), (4, 5));
    }

    #[test]
    fn duplicate_keys_and_bombs_are_refused() {
        let e = from_yaml("a: 1\na: 2\n").unwrap_err();
        assert_eq!(e.span.unwrap().line, 2);
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            bomb += &format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            );
        }
        assert!(from_yaml(&bomb).unwrap_err().message.contains("aliases"));
    }

    #[test]
    fn toml_tree_has_places() {
        let tree = from_toml("[components.web]\navailability = \"99.9%\"\n").unwrap();
        let a = tree.find(&[
            PathStep::Key("components".into()),
            PathStep::Key("web".into()),
            PathStep::Key("availability".into()),
        ]);
        assert_eq!(a.value, Value::Str("99.9%".into()));
        assert_eq!((a.span.line, a.span.col), (2, 16));
    }
}
