//! OpenTelemetry spans: OTLP/JSON (`ExportTraceServiceRequest`: `resourceSpans[].scopeSpans[].spans[]`,
//! attributes as `{key, value: AnyValue}`, int64 as strings, ids in hex or base64, integer
//! enums). Span records in other shapes are read by [`super::records`].

use super::records::{array, span_of, with_resource, Records};
use serde_json::Value;

/// Whether a document is OTLP/JSON.
pub fn is_otlp(document: &Value) -> bool {
    document.get("resourceSpans").is_some_and(Value::is_array)
}

/// An OTLP `AnyValue` as plain JSON.
pub(super) fn any_value(value: &Value) -> Value {
    let Some(map) = value.as_object() else { return value.clone() };
    if let Some(s) = map.get("stringValue") {
        return s.clone();
    }
    if let Some(b) = map.get("boolValue") {
        return b.clone();
    }
    if let Some(i) = map.get("intValue") {
        // int64 is written as a string in OTLP/JSON.
        return match i {
            Value::String(s) => s.parse::<i64>().map(Value::from).unwrap_or_else(|_| i.clone()),
            other => other.clone(),
        };
    }
    if let Some(d) = map.get("doubleValue") {
        return d.clone();
    }
    if let Some(bytes) = map.get("bytesValue") {
        return bytes.clone();
    }
    if let Some(array) = map.get("arrayValue") {
        let values = array.get("values").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        return Value::Array(values.iter().map(any_value).collect());
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
