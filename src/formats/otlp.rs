//! OpenTelemetry spans: OTLP/JSON (`ExportTraceServiceRequest`: `resourceSpans[].scopeSpans[].spans[]`,
//! attributes as `{key, value: AnyValue}`, int64 as strings, ids in hex or base64, integer
//! enums), and the span dumps SDK exporters write, which are not OTLP: JavaScript `ReadableSpan`s
//! (`spanContext`, `startTime: [s, ns]`), Python's `Span.to_json()` (`context`, ISO times), and
//! a single span's attribute map.

use super::spans::{normalise_id, SpanData};
use super::time::parse_rfc3339_ms;
use serde_json::Value;

/// Whether a document is OTLP/JSON.
pub fn is_otlp(document: &Value) -> bool {
    document.get("resourceSpans").is_some_and(Value::is_array)
}

/// Whether a document is an SDK span dump: a span object, a list of them, or an attribute map
/// with GenAI keys.
pub fn is_span_dump(document: &Value) -> bool {
    let first = match document {
        Value::Array(items) => items.first(),
        other => Some(other),
    };
    first.is_some_and(|s| {
        let is_span = s.get("name").is_some() && (s.get("spanContext").is_some() || s.get("context").is_some());
        let attribute_map = s.as_object().is_some_and(|m| m.keys().any(|k| k.starts_with("gen_ai.")));
        is_span || attribute_map
    })
}

/// An OTLP `AnyValue` as plain JSON.
fn any_value(value: &Value) -> Value {
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

fn key_values(list: Option<&Value>) -> Vec<(String, Value)> {
    let Some(items) = list.and_then(Value::as_array) else { return Vec::new() };
    items
        .iter()
        .filter_map(|kv| {
            Some((kv.get("key")?.as_str()?.to_string(), kv.get("value").map(any_value).unwrap_or(Value::Null)))
        })
        .collect()
}

/// A plain attribute object (`{"http.method": "GET"}`) as pairs.
fn plain_attributes(value: Option<&Value>) -> Vec<(String, Value)> {
    value
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// Nanoseconds since the epoch (number or string) to milliseconds.
fn nanos_ms(value: Option<&Value>) -> Option<f64> {
    let nanos = match value? {
        Value::String(s) => s.parse::<f64>().ok()?,
        Value::Number(n) => n.as_f64()?,
        _ => return None,
    };
    (nanos > 0.0).then_some(nanos / 1e6)
}

fn id(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).filter(|s| !s.is_empty()).map(normalise_id)
}

/// The spans of an OTLP/JSON document, and a sentence for each span it had to skip.
pub fn otlp_spans(document: &Value, notes: &mut Vec<String>) -> Vec<SpanData> {
    let mut spans = Vec::new();
    for resource_spans in document.get("resourceSpans").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
    {
        let resource = key_values(resource_spans.get("resource").and_then(|r| r.get("attributes")));
        let service =
            resource.iter().find(|(k, _)| k == "service.name").and_then(|(_, v)| v.as_str()).map(str::to_string);
        // `instrumentationLibrarySpans` is the name before OTLP 0.15.
        let scopes = resource_spans.get("scopeSpans").or_else(|| resource_spans.get("instrumentationLibrarySpans"));
        for scope in scopes.and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default() {
            for span in scope.get("spans").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default() {
                let (Some(trace_id), Some(span_id)) = (id(span.get("traceId")), id(span.get("spanId"))) else {
                    notes.push(format!(
                        "span `{}` has no trace or span id and was skipped",
                        span.get("name").and_then(Value::as_str).unwrap_or("?")
                    ));
                    continue;
                };
                spans.push(SpanData {
                    trace_id,
                    span_id,
                    parent_span_id: id(span.get("parentSpanId")),
                    name: span.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
                    service: service.clone(),
                    start_ms: nanos_ms(span.get("startTimeUnixNano")),
                    end_ms: nanos_ms(span.get("endTimeUnixNano")),
                    attributes: key_values(span.get("attributes")),
                });
            }
        }
    }
    spans
}

/// `[seconds, nanoseconds]` (JavaScript's HrTime) or an ISO time, to milliseconds.
fn sdk_time_ms(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Array(parts) if parts.len() == 2 => Some(parts[0].as_f64()? * 1000.0 + parts[1].as_f64()? / 1e6),
        Value::String(s) => parse_rfc3339_ms(s),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// The spans of an SDK dump (JavaScript or Python shape), or of one bare attribute map.
pub fn dump_spans(document: &Value) -> Vec<SpanData> {
    let items = match document {
        Value::Array(items) => items.as_slice(),
        other => std::slice::from_ref(other),
    };
    items
        .iter()
        .enumerate()
        .map(|(i, span)| {
            let context = span.get("spanContext").or_else(|| span.get("context"));
            let Some(context) = context else {
                // A bare attribute map: one span, made-up ids.
                return SpanData {
                    trace_id: "0".repeat(32),
                    span_id: format!("{:016x}", i + 1),
                    name: "span".into(),
                    attributes: plain_attributes(Some(span)),
                    ..SpanData::default()
                };
            };
            let parent = span
                .get("parentSpanId")
                .or_else(|| span.get("parentSpanContext").and_then(|p| p.get("spanId")))
                .or_else(|| span.get("parent_id"))
                .or_else(|| span.get("parent").and_then(|p| p.get("span_id")));
            let resource = span.get("resource").and_then(|r| r.get("attributes"));
            SpanData {
                trace_id: id(context.get("traceId").or_else(|| context.get("trace_id"))).unwrap_or_default(),
                span_id: id(context.get("spanId").or_else(|| context.get("span_id")))
                    .unwrap_or_else(|| format!("{:016x}", i + 1)),
                parent_span_id: id(parent),
                name: span.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
                service: resource.and_then(|r| r.get("service.name")).and_then(Value::as_str).map(str::to_string),
                start_ms: sdk_time_ms(span.get("startTime").or_else(|| span.get("start_time"))),
                end_ms: sdk_time_ms(span.get("endTime").or_else(|| span.get("end_time"))),
                attributes: plain_attributes(span.get("attributes")),
            }
        })
        .collect()
}
