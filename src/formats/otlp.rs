//! OpenTelemetry spans: OTLP/JSON (`ExportTraceServiceRequest`: `resourceSpans[].scopeSpans[].spans[]`,
//! attributes as `{key, value: AnyValue}`, int64 as strings, ids in hex or base64, integer
//! enums). Span records in other shapes are read by [`super::records`].

use super::attr::{key_values, Attr, Attrs};
use super::records::{array, time_ms, with_resource, Records};
use super::spans::{normalize_id, SpanData, SpanEvent};
use crate::json::{Doc, Node};
use crate::lex::{nesting, Lexer, Scan};
use std::borrow::Cow;

/// Whether a document is OTLP/JSON.
pub fn is_otlp(document: Node) -> bool {
    document.get("resourceSpans").is_some_and(|spans| spans.is_list())
}

/// Adds the spans of an OTLP/JSON document to `records`, and a sentence for each span it had to
/// skip.
pub fn otlp_spans(document: Node, notes: &mut Vec<String>, records: &mut Records) {
    let mut index = 0;
    for resource_spans in array(document.get("resourceSpans")) {
        let resource = key_values(resource_spans.get("resource").and_then(|r| r.get("attributes")));
        let service =
            resource.iter().find(|(k, _)| k == "service.name").and_then(|(_, v)| v.as_str()).map(str::to_string);
        // `instrumentationLibrarySpans` is the name before OTLP 0.15.
        let scopes = resource_spans.get("scopeSpans").or_else(|| resource_spans.get("instrumentationLibrarySpans"));
        for scope in array(scopes) {
            for span in array(scope.get("spans")) {
                let text = |key: &str| span.get(key).and_then(|v| v.as_str());
                if text("traceId").is_none_or(str::is_empty) || text("spanId").is_none_or(str::is_empty) {
                    let name = text("name").unwrap_or("?");
                    notes.push(format!("span `{name}` has no trace or span id and was skipped"));
                    continue;
                }
                let mut data = super::records::span_of(span, index);
                data.service = service.clone();
                with_resource(&mut data, &resource);
                records.push(data);
                index += 1;
            }
        }
    }
}

/// How deep attribute values are taken apart by [`any`] itself; deeper ones are parsed as trees.
const ANY_DEPTH: usize = 4;
/// Values parsed as trees that nest deeper leave their document to the tree, which counts
/// nesting from the document's top (and refuses it beyond 128).
const MAX_TREE_NESTING: usize = 64;

/// The spans of an OTLP/JSON export in the shape the OpenTelemetry Collector and SDKs write,
/// read with the lexer straight into their fields: no tree of a line that is megabytes of spans.
pub struct Export<'b> {
    spans: Vec<SpanData<'b>>,
    /// A sentence for each span skipped.
    notes: Vec<String>,
}

impl<'b> Export<'b> {
    /// The export `text` holds; `None` for any other shape (a member the shape does not have, a
    /// member met twice, another type, text that is not JSON), which is then read as a tree by
    /// [`otlp_spans`]: that gives the same spans where both read a document.
    pub fn of(text: &'b str) -> Option<Export<'b>> {
        let mut lex = Lexer::new(text);
        let mut export = Export { spans: Vec::new(), notes: Vec::new() };
        let mut seen = Seen::default();
        let read = lex.members(|lex, key| {
            seen.field(&key, &["resourceSpans"])?;
            lex.items(|lex| export.resource_spans(lex))
        });
        lex.whitespace();
        (read.is_ok() && seen.0 == 1 && lex.ran_out()).then_some(export)
    }

    /// Adds the spans to `records`, and the notes to `notes`, as [`otlp_spans`] would.
    pub fn read(self, notes: &mut Vec<String>, records: &mut Records) {
        notes.extend(self.notes);
        self.spans.into_iter().for_each(|span| records.push(span));
    }

    /// One of `resourceSpans`: its spans get the resource's attributes, wherever it lies.
    fn resource_spans(&mut self, lex: &mut Lexer<'b>) -> Scan<()> {
        let (first, mut resource, mut seen) = (self.spans.len(), Vec::new(), Seen::default());
        lex.members(|lex, key| match seen.field(&key, &["resource", "scopeSpans", "schemaUrl"])? {
            "resource" if !lex.null()? => {
                let mut seen = Seen::default();
                lex.members(|lex, key| match seen.field(&key, &["attributes", "droppedAttributesCount"])? {
                    "attributes" => attributes(lex).map(|list| resource = list),
                    _ => lex.skip_value(),
                })
            }
            "scopeSpans" if !lex.null()? => lex.items(|lex| self.scope_spans(lex)),
            "schemaUrl" => lex.skip_value(),
            _ => Ok(()),
        })?;
        let service = resource.iter().find(|(k, _)| k == "service.name").and_then(|(_, v)| v.as_str());
        for span in &mut self.spans[first..] {
            span.service = service.map(str::to_string);
            with_resource(span, &resource);
        }
        Ok(())
    }

    fn scope_spans(&mut self, lex: &mut Lexer<'b>) -> Scan<()> {
        let mut seen = Seen::default();
        lex.members(|lex, key| match seen.field(&key, &["scope", "spans", "schemaUrl"])? {
            "spans" if !lex.null()? => lex.items(|lex| self.span(lex)),
            "spans" => Ok(()),
            _ => lex.skip_value(),
        })
    }

    fn span(&mut self, lex: &mut Lexer<'b>) -> Scan<()> {
        let span = Span::read(lex)?;
        let (Some(trace_id), Some(span_id)) = (text(&span.trace_id), text(&span.span_id)) else {
            let name = span.name.as_deref().unwrap_or("?");
            self.notes.push(format!("span `{name}` has no trace or span id and was skipped"));
            return Ok(());
        };
        self.spans.push(SpanData {
            trace_id: normalize_id(trace_id),
            span_id: normalize_id(span_id),
            parent_span_id: text(&span.parent_span_id).map(normalize_id),
            name: text(&span.name).unwrap_or_default().to_string(),
            service: None,
            start_ms: time_ms(span.start.as_ref()),
            end_ms: time_ms(span.end.as_ref()),
            attributes: span.attributes,
            events: span.events,
            from_logs: false,
        });
        Ok(())
    }
}

/// The members of an object so far, of the names its type knows: another name, or one met
/// again, refuses the object (as serde's `deny_unknown_fields` and its check of duplicates do).
#[derive(Default)]
pub(super) struct Seen(u32);

impl Seen {
    fn field(&mut self, key: &str, names: &[&'static str]) -> Scan<&'static str> {
        self.known(key, names)?.ok_or(())
    }

    /// The name `key` is of `names` (at most 32), `None` for another name; a name met again
    /// refuses the object.
    pub(super) fn known(&mut self, key: &str, names: &[&'static str]) -> Scan<Option<&'static str>> {
        let Some(index) = names.iter().position(|name| *name == key) else { return Ok(None) };
        if self.0 & 1 << index != 0 {
            return Err(());
        }
        self.0 |= 1 << index;
        Ok(Some(names[index]))
    }
}

const SPAN_FIELDS: &[&str] = &[
    "traceId",
    "spanId",
    "parentSpanId",
    "traceState",
    "name",
    "kind",
    "startTimeUnixNano",
    "endTimeUnixNano",
    "attributes",
    "droppedAttributesCount",
    "events",
    "droppedEventsCount",
    "links",
    "droppedLinksCount",
    "status",
    "flags",
];

/// A span's members, as read.
#[derive(Default)]
struct Span<'b> {
    trace_id: Option<Cow<'b, str>>,
    span_id: Option<Cow<'b, str>>,
    parent_span_id: Option<Cow<'b, str>>,
    name: Option<Cow<'b, str>>,
    start: Option<Attr<'b>>,
    end: Option<Attr<'b>>,
    attributes: Attrs<'b>,
    events: Vec<SpanEvent<'b>>,
}

impl<'b> Span<'b> {
    fn read(lex: &mut Lexer<'b>) -> Scan<Span<'b>> {
        let (mut span, mut seen) = (Span::default(), Seen::default());
        lex.members(|lex, key| {
            match seen.field(&key, SPAN_FIELDS)? {
                "traceId" => span.trace_id = optional_string(lex)?,
                "spanId" => span.span_id = optional_string(lex)?,
                "parentSpanId" => span.parent_span_id = optional_string(lex)?,
                "name" => span.name = optional_string(lex)?,
                "startTimeUnixNano" => span.start = optional_document(lex)?,
                "endTimeUnixNano" => span.end = optional_document(lex)?,
                "attributes" => span.attributes = attributes(lex)?,
                "events" if !lex.null()? => lex.items(|lex| event(lex).map(|event| span.events.push(event)))?,
                "events" => {}
                _ => lex.skip_value()?,
            }
            Ok(())
        })?;
        Ok(span)
    }
}

fn event<'b>(lex: &mut Lexer<'b>) -> Scan<SpanEvent<'b>> {
    let (mut event, mut seen) = (SpanEvent::default(), Seen::default());
    lex.members(|lex, key| {
        match seen.field(&key, &["timeUnixNano", "name", "attributes", "droppedAttributesCount"])? {
            "name" => event.name = text(&optional_string(lex)?).unwrap_or_default().to_string(),
            "attributes" => event.attributes = attributes(lex)?,
            _ => lex.skip_value()?,
        }
        Ok(())
    })?;
    Ok(event)
}

/// A list of `{key, value: AnyValue}` (or `null`), each value as plain JSON.
fn attributes<'b>(lex: &mut Lexer<'b>) -> Scan<Attrs<'b>> {
    let mut list = Vec::new();
    if lex.null()? {
        return Ok(list);
    }
    lex.items(|lex| {
        let (mut key, mut value, mut seen) = (None, Attr::Null, Seen::default());
        lex.members(|lex, name| {
            match seen.field(&name, &["key", "value"])? {
                "key" => key = Some(string(lex)?),
                _ if lex.null()? => {}
                _ => value = any(lex, 0)?,
            }
            Ok(())
        })?;
        list.push((key.ok_or(())?, value));
        Ok(())
    })?;
    Ok(list)
}

/// An OTLP `AnyValue` as plain JSON (as [`Attr::of_any`] makes it): the shapes exporters write
/// taken apart here, any other read as a document.
fn any<'b>(lex: &mut Lexer<'b>, depth: usize) -> Scan<Attr<'b>> {
    lex.whitespace();
    let start = lex.at;
    if depth < ANY_DEPTH && lex.peek()? == b'{' {
        if let Ok(value) = one_any(lex, depth) {
            return Ok(value);
        }
        lex.at = start;
    }
    document(lex, true)
}

/// `{"stringValue": "…"}` and the like: one member, of the type exporters write.
fn one_any<'b>(lex: &mut Lexer<'b>, depth: usize) -> Scan<Attr<'b>> {
    lex.expect(b'{')?;
    let key = lex.member_key()?;
    lex.whitespace();
    let value = match (&*key, lex.peek()?) {
        ("stringValue" | "bytesValue", b'"') => Attr::Text(lex.string()?),
        // int64 is written as a string in OTLP/JSON.
        ("intValue", b'"') => {
            let text = lex.string()?;
            text.parse::<i64>().map_or_else(|_| Attr::Text(text), |int| Attr::Number(Cow::Owned(int.to_string())))
        }
        ("boolValue", b't' | b'f') => {
            let yes = lex.peek()? == b't';
            lex.word(if yes { b"true" } else { b"false" })?;
            Attr::Bool(yes)
        }
        ("arrayValue", b'{') => {
            lex.at += 1;
            if lex.member_key()? != "values" {
                return Err(());
            }
            let mut values = String::from("[");
            lex.items(|lex| {
                if values.len() > 1 {
                    values.push(',');
                }
                any(lex, depth + 1).map(|value| value.write(&mut values))
            })?;
            values.push(']');
            lex.expect(b'}')?;
            Attr::Json(Cow::Owned(values))
        }
        _ => return Err(()),
    };
    lex.expect(b'}')?;
    Ok(value)
}

/// A value read as a document, then by `read`, nesting no deeper than [`MAX_TREE_NESTING`].
pub(super) fn nested<T>(lex: &mut Lexer, read: impl FnOnce(Node) -> T) -> Scan<T> {
    let text = lex.value_text()?;
    if nesting(text.as_bytes()) > MAX_TREE_NESTING {
        return Err(());
    }
    let doc = Doc::parse(text, crate::formats::MAX_DEPTH, usize::MAX).map_err(|_| ())?;
    Ok(read(doc.root()))
}

/// A value (a string as it is) as [`nested`] reads it: an OTLP `AnyValue` taken apart if `any`.
fn document<'b>(lex: &mut Lexer<'b>, any: bool) -> Scan<Attr<'b>> {
    if lex.peek()? == b'"' {
        return Ok(Attr::Text(lex.string()?));
    }
    nested(lex, |node| if any { Attr::of_any(node) } else { Attr::of(node) }.into_owned())
}

fn optional_document<'b>(lex: &mut Lexer<'b>) -> Scan<Option<Attr<'b>>> {
    if lex.null()? {
        return Ok(None);
    }
    document(lex, false).map(Some)
}

fn string<'b>(lex: &mut Lexer<'b>) -> Scan<Cow<'b, str>> {
    lex.whitespace();
    if lex.peek()? != b'"' {
        return Err(());
    }
    lex.string()
}

fn optional_string<'b>(lex: &mut Lexer<'b>) -> Scan<Option<Cow<'b, str>>> {
    if lex.null()? {
        return Ok(None);
    }
    string(lex).map(Some)
}

/// Text as [`super::records`] reads an id or a name: empty text is none.
fn text<'t>(text: &'t Option<Cow<str>>) -> Option<&'t str> {
    text.as_deref().filter(|t| !t.is_empty())
}

/// Whether the reader and the tree agree on `bytes` (tests and fuzzing): where the reader reads
/// an export and `serde_json` reads the document, [`otlp_spans`] finds the same spans (their
/// debug text, bodies kept whole) and notes; and a list of messages in `bytes` is written as
/// serde_json writes its tree (see `spans::written_list`). The tree refuses more (numbers too large for a
/// float, nesting deeper than 128 in members the reader skips); the reader leaves to the tree
/// every shape but the exporters' one.
#[cfg(any(test, feature = "oracle"))]
pub fn agrees(bytes: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(bytes) else { return Ok(()) };
    super::spans::written_agrees(text)?;
    let Some(export) = Export::of(text) else { return Ok(()) };
    let Ok(document) = Doc::parse(text, crate::formats::MAX_DEPTH, usize::MAX) else { return Ok(()) };
    let (mut read, mut tree) = (Records::new(true), Records::new(true));
    let (mut read_notes, mut tree_notes) = (Vec::new(), Vec::new());
    export.read(&mut read_notes, &mut read);
    otlp_spans(document.root(), &mut tree_notes, &mut tree);
    let (read, tree) = (format!("{:?}", read.finish()), format!("{:?}", tree.finish()));
    if read_notes != tree_notes || read != tree {
        return Err(format!("reader and tree differ:\n{read_notes:?}\n{read}\nagainst\n{tree_notes:?}\n{tree}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{agrees, Export};

    /// Whether the reader reads `document`, and then agrees with the tree.
    fn both(document: &str) -> bool {
        let read = Export::of(document).is_some();
        assert_eq!(agrees(document.as_bytes()), Ok(()), "{document}");
        read && serde_json::from_str::<serde_json::Value>(document).is_ok()
    }

    #[test]
    fn exports_read_without_a_tree_give_the_spans_of_the_tree() {
        let edges = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}},
            {"key":"cloud.platform","value":{"stringValue":"aws"}}]},"scopeSpans":[{"scope":{},"spans":[
            {"traceId":"","spanId":"00f067aa0ba902b7","name":"no trace"},
            {"traceId":"W47/95gDgQPSabYzgT/GDA==","spanId":"7uGbfsPBsXQ=","parentSpanId":"","name":null,
             "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":null,"attributes":[
              {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"n","value":{"intValue":"12"}},
              {"key":"big","value":{"intValue":"99999999999999999999"}},{"key":"none"},{"key":"null","value":null},
              {"key":"list","value":{"arrayValue":{"values":[{"boolValue":true},{"doubleValue":1.5}]}}},
              {"key":"map","value":{"kvlistValue":{"values":[{"key":"a","value":{"stringValue":"b"}}]}}},
              {"key":"gen_ai.input.messages","value":{"stringValue":"[{\"role\":\"user\",\"content\":\"hi\"}]"}}],
             "events":[{"timeUnixNano":"1","name":"gen_ai.choice","attributes":[{"key":"message","value":{"stringValue":"yo"}}]}],
             "status":{"code":1}}]}]}]}"#;
        assert!(both(edges), "the shape exporters write");
        assert!(both(&format!(
            r#"{{"resourceSpans":[{{"scopeSpans":null}},{{"resource":null}},{{"scopeSpans":[{{"spans":null}},
            {{"schemaUrl":"s","scope":{{"name":"x"}},"spans":[{{"trace\u0049d":"0af7651916cd43dd8448eb211c80319c",
            "spanId":"b7ad6b7169203331","attributes":null,"events":null,"kind":2,"startTimeUnixNano":1700000000000,
            "links":[{{"deep":[[[[]]]]}}],"status":{{"code":1e300}}}},{{"traceId":"0af7651916cd43dd8448eb211c80319c",
            "spanId":"b7ad6b7169203332","name":"x","events":[{{"name":null}},{{"attributes":[{{"key":"a","value":{{"boolValue":false}}}}]}}],
            "attributes":[{{"key":"many","value":{{"stringValue":"a","intValue":"3"}}}},{{"key":"empty","value":{{}}}},
             {{"key":"none","value":{{"arrayValue":{{}}}}}},{{"key":"null list","value":{{"arrayValue":{{"values":null}}}}}},
             {{"key":"deep","value":{deep}}},{{"key":"int","value":{{"intValue":7}}}},{{"key":"word","value":{{"intValue":"x"}}}},
             {{"key":"null string","value":{{"stringValue":null}}}},{{"key":"bytes","value":{{"bytesValue":"AAE="}}}},
             {{"key":"plain","value":"text"}},{{"key":"bare","value":[1,2]}},{{ "key" : "spaced" , "value" : {{ "stringValue" : "\u00e9\ud83d\ude00" }} }}]}}]}}],
            "resource":{{"droppedAttributesCount":0,"attributes":[{{"key":"service.name","value":{{"stringValue":"late"}}}}]}}}}]}}"#,
            deep = r#"{"arrayValue":{"values":["#.repeat(6) + r#"{"intValue":"1"}"# + &"]}}".repeat(6)
        )));
        // Members the reader skips are only checked for their grammar, as serde skips them.
        let skipped =
            r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"a","spanId":"b","status":{"code":1e999}}]}]}]}"#;
        assert!(Export::of(skipped).is_some());
        let mut read = 2;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/formats");
        for entry in std::fs::read_dir(dir).expect("the format fixtures") {
            let text = std::fs::read_to_string(entry.expect("a fixture").path()).unwrap_or_default();
            if !text.contains("resourceSpans") {
                continue;
            }
            for document in std::iter::once(text.as_str()).chain(text.lines()) {
                read += usize::from(both(document));
            }
        }
        assert!(read > 3, "{read}");
    }

    #[test]
    fn other_shapes_are_left_to_the_tree() {
        for document in [
            r#"{"resourceSpans":[],"resourceLogs":[]}"#,
            r#"{"resourceSpans":[{"instrumentationLibrarySpans":[]}]}"#,
            r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"a","spanId":"b","context":{}}]}]}]}"#,
            r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":1,"spanId":"b"}]}]}]}"#,
            r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a","name":"b"}]}]}]}"#,
            r#"{"resourceSpans":[[]]}"#,
            r#"{"resourceSpans":null}"#,
            r#"{}"#,
            r#"{"resourceSpans":[],"resourceSpans":[]}"#,
            r#"{"resourceSpans":[]} {}"#,
            r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"value":{}}]}]}]}]}"#,
            r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"a","key":"b"}]}]}]}]}"#,
            r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[["a",{}]]}]}]}]}"#,
            r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"a","value":{"doubleValue":1e999}}]}]}]}]}"#,
        ] {
            assert!(Export::of(document).is_none(), "{document}");
        }
        let deep = format!(r#"{{"key":"a","value":{}1{}}}"#, "[".repeat(70), "]".repeat(70));
        for document in [
            format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"attributes":[{deep}]}}]}}]}}]}}"#),
            format!(
                r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"events":[{{"attributes":[{deep}]}}]}}]}}]}}]}}"#
            ),
        ] {
            assert!(Export::of(&document).is_none(), "{document}");
        }
    }
}
