//! OpenTelemetry spans: OTLP/JSON (`ExportTraceServiceRequest`: `resourceSpans[].scopeSpans[].spans[]`,
//! attributes as `{key, value: AnyValue}`, int64 as strings, ids in hex or base64, integer
//! enums). Span records in other shapes are read by [`super::records`].

use super::records::{array, span_of, time_ms, with_resource, Records};
use super::spans::{normalize_id, SpanData, SpanEvent};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;

/// Whether a document is OTLP/JSON.
pub fn is_otlp(document: &Value) -> bool {
    document.get("resourceSpans").is_some_and(Value::is_array)
}

/// An OTLP `AnyValue` as plain JSON.
pub(super) fn any_value(value: &Value) -> Value {
    plain_any(value.clone())
}

/// An OTLP `AnyValue` as plain JSON, taken apart rather than copied.
fn plain_any(value: Value) -> Value {
    let Value::Object(mut map) = value else { return value };
    for key in ["stringValue", "boolValue", "intValue", "doubleValue", "bytesValue"] {
        match map.remove(key) {
            // int64 is written as a string in OTLP/JSON.
            Some(Value::String(s)) if key == "intValue" => {
                return s.parse::<i64>().map(Value::from).unwrap_or(Value::String(s));
            }
            Some(value) => return value,
            None => {}
        }
    }
    if let Some(array) = map.remove("arrayValue") {
        let values = match array {
            Value::Object(mut array) => array.remove("values"),
            _ => None,
        };
        let values = match values {
            Some(Value::Array(values)) => values,
            _ => Vec::new(),
        };
        return Value::Array(values.into_iter().map(plain_any).collect());
    }
    if let Some(kvlist) = map.get("kvlistValue") {
        return Value::Object(key_values(kvlist.get("values")).into_iter().collect());
    }
    Value::Null
}

pub(super) fn key_values(list: Option<&Value>) -> Vec<(String, Value)> {
    let Some(items) = list.and_then(Value::as_array) else { return Vec::new() };
    items
        .iter()
        .filter_map(|kv| {
            Some((kv.get("key")?.as_str()?.to_string(), kv.get("value").map(any_value).unwrap_or(Value::Null)))
        })
        .collect()
}

/// Adds the spans of an OTLP/JSON document to `records`, and a sentence for each span it had to
/// skip.
pub fn otlp_spans(document: &Value, notes: &mut Vec<String>, records: &mut Records) {
    let mut index = 0;
    for resource_spans in array(document.get("resourceSpans")) {
        let resource = key_values(resource_spans.get("resource").and_then(|r| r.get("attributes")));
        let service =
            resource.iter().find(|(k, _)| k == "service.name").and_then(|(_, v)| v.as_str()).map(str::to_string);
        // `instrumentationLibrarySpans` is the name before OTLP 0.15.
        let scopes = resource_spans.get("scopeSpans").or_else(|| resource_spans.get("instrumentationLibrarySpans"));
        for scope in array(scopes) {
            for span in array(scope.get("spans")) {
                if span.get("traceId").and_then(Value::as_str).is_none_or(str::is_empty)
                    || span.get("spanId").and_then(Value::as_str).is_none_or(str::is_empty)
                {
                    notes.push(format!(
                        "span `{}` has no trace or span id and was skipped",
                        span.get("name").and_then(Value::as_str).unwrap_or("?")
                    ));
                    continue;
                }
                let mut data = span_of(span, index);
                data.service = service.clone();
                with_resource(&mut data, &resource);
                records.push(data);
                index += 1;
            }
        }
    }
}

/// An OTLP/JSON export of spans in the shape the OpenTelemetry Collector and SDKs write, read
/// straight into its fields: no tree of a line that is megabytes of spans. Any other member or
/// type fails, and the document is read as a tree by [`otlp_spans`], which gives the same spans.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Export {
    resource_spans: Vec<ResourceSpans>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct ResourceSpans {
    resource: Option<Resource>,
    scope_spans: Option<Vec<ScopeSpans>>,
    schema_url: IgnoredAny,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct Resource {
    attributes: Option<Vec<KeyValue>>,
    dropped_attributes_count: IgnoredAny,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct ScopeSpans {
    scope: IgnoredAny,
    spans: Option<Vec<OtlpSpan>>,
    schema_url: IgnoredAny,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct OtlpSpan {
    trace_id: Option<String>,
    span_id: Option<String>,
    parent_span_id: Option<String>,
    trace_state: IgnoredAny,
    name: Option<String>,
    kind: IgnoredAny,
    start_time_unix_nano: Option<Value>,
    end_time_unix_nano: Option<Value>,
    attributes: Option<Vec<KeyValue>>,
    dropped_attributes_count: IgnoredAny,
    events: Option<Vec<OtlpEvent>>,
    dropped_events_count: IgnoredAny,
    links: IgnoredAny,
    dropped_links_count: IgnoredAny,
    status: IgnoredAny,
    flags: IgnoredAny,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct OtlpEvent {
    time_unix_nano: IgnoredAny,
    name: Option<String>,
    attributes: Option<Vec<KeyValue>>,
    dropped_attributes_count: IgnoredAny,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyValue {
    key: String,
    #[serde(default)]
    value: Option<Value>,
}

fn plain(attributes: Option<Vec<KeyValue>>) -> Vec<(String, Value)> {
    let attributes = attributes.unwrap_or_default().into_iter();
    attributes.map(|kv| (kv.key, kv.value.map(plain_any).unwrap_or(Value::Null))).collect()
}

/// Text as [`super::records`] reads an id or a name: empty text is none.
fn text(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.is_empty())
}

impl Export {
    /// Adds the spans to `records`, as [`otlp_spans`] would from the same document's tree.
    pub fn read(self, notes: &mut Vec<String>, records: &mut Records) {
        for resource_spans in self.resource_spans {
            let resource = plain(resource_spans.resource.and_then(|r| r.attributes));
            let service = resource.iter().find(|(k, _)| k == "service.name").and_then(|(_, v)| v.as_str());
            let service = service.map(str::to_string);
            for span in resource_spans.scope_spans.into_iter().flatten().flat_map(|s| s.spans.into_iter().flatten()) {
                let (Some(trace_id), Some(span_id)) = (text(span.trace_id), text(span.span_id)) else {
                    let name = span.name.as_deref().unwrap_or("?");
                    notes.push(format!("span `{name}` has no trace or span id and was skipped"));
                    continue;
                };
                let mut data = SpanData {
                    trace_id: normalize_id(&trace_id),
                    span_id: normalize_id(&span_id),
                    parent_span_id: text(span.parent_span_id).map(|id| normalize_id(&id)),
                    name: text(span.name).unwrap_or_default(),
                    service: service.clone(),
                    start_ms: time_ms(span.start_time_unix_nano.as_ref()),
                    end_ms: time_ms(span.end_time_unix_nano.as_ref()),
                    attributes: plain(span.attributes),
                    events: span.events.unwrap_or_default().into_iter().map(event).collect(),
                    from_logs: false,
                };
                with_resource(&mut data, &resource);
                records.push(data);
            }
        }
    }
}

fn event(event: OtlpEvent) -> SpanEvent {
    SpanEvent { name: text(event.name).unwrap_or_default(), attributes: plain(event.attributes), body: None }
}

#[cfg(test)]
mod tests {
    use super::{otlp_spans, Export, Records};

    /// The spans of one document read both ways, as their debug text (bodies kept whole).
    fn both(document: &str) -> Option<(String, String)> {
        let export = serde_json::from_str::<Export>(document).ok()?;
        let (mut typed, mut tree) = (Records::new(true), Records::new(true));
        let (mut typed_notes, mut tree_notes) = (Vec::new(), Vec::new());
        export.read(&mut typed_notes, &mut typed);
        otlp_spans(&serde_json::from_str(document).ok()?, &mut tree_notes, &mut tree);
        assert_eq!(typed_notes, tree_notes);
        Some((format!("{:?}", typed.finish()), format!("{:?}", tree.finish())))
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
        let (typed, tree) = both(edges).expect("the shape exporters write");
        assert_eq!(typed, tree);
        let mut read = 1;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/formats");
        for entry in std::fs::read_dir(dir).expect("the format fixtures") {
            let text = std::fs::read_to_string(entry.expect("a fixture").path()).unwrap_or_default();
            if !text.contains("resourceSpans") {
                continue;
            }
            for document in std::iter::once(text.as_str()).chain(text.lines()) {
                if let Some((typed, tree)) = both(document) {
                    assert_eq!(typed, tree);
                    read += 1;
                }
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
        ] {
            assert!(serde_json::from_str::<Export>(document).is_err(), "{document}");
        }
    }
}
