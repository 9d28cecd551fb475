//! The WebAssembly boundary, and the only file that knows about JavaScript. Each export does
//! three things: convert the input, call the core, convert the output. Errors become real JS
//! `Error` objects in one helper.

use crate::{Limits, NamedInput, Options, Rules};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// Options accepted from JavaScript: `{ name?, limits?: {maxInputBytes, …}, rules? }`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct JsOptions {
    name: Option<String>,
    limits: Option<Limits>,
    rules: Option<serde_json::Value>,
}

/// The one serializer configuration: maps as plain objects, missing values as `null`.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| plain_error(&e.to_string()))
}

fn plain_error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

/// Turns a core error into a JS `Error` whose message says what and where, with `kind` and
/// `location` (`{input, offset, line, column, entry}`; offsets count bytes) as properties.
fn to_js_error(error: crate::Error) -> JsValue {
    let js = js_sys::Error::new(&crate::redact::redact_text(&error.to_string()));
    js.set_name("CallstateError");
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&js, &JsValue::from_str(key), &value);
    };
    if let Ok(location) = to_js(&error.location) {
        set("location", location);
    }
    if let Ok(kind) = to_js(&error.kind) {
        set("kind", kind);
    }
    js.into()
}

fn options_from(options: JsValue) -> Result<(String, Options), JsValue> {
    let js: JsOptions = if options.is_undefined() || options.is_null() {
        JsOptions::default()
    } else {
        serde_wasm_bindgen::from_value(options).map_err(|e| plain_error(&format!("Invalid options: {e}")))?
    };
    let rules = match js.rules {
        Some(rules) => Some(Rules::with_user_rules(rules.to_string().as_bytes()).map_err(to_js_error)?),
        None => None,
    };
    let name = js.name.unwrap_or_else(|| "input".to_string());
    Ok((name, Options { limits: js.limits.unwrap_or_default(), rules }))
}

fn run(bytes: &[u8], options: JsValue) -> Result<crate::Report, JsValue> {
    let (name, options) = options_from(options)?;
    crate::analyze(&[NamedInput { name: &name, bytes }], &options).map_err(to_js_error)
}

/// Analyses a trace (HAR, VCR cassette, betamax JSON) given as bytes and returns the report
/// (`callstate.report/1`) as a plain object. Throws an `Error` with `location` on bad input.
#[wasm_bindgen]
pub fn analyze(bytes: &[u8], options: JsValue) -> Result<JsValue, JsValue> {
    to_js(&run(bytes, options)?)
}

/// Like `analyze`, but returns the report rendered as Markdown.
#[wasm_bindgen(js_name = analyzeMarkdown)]
pub fn analyze_markdown(bytes: &[u8], options: JsValue) -> Result<String, JsValue> {
    Ok(crate::to_markdown(&run(bytes, options)?))
}

/// The report schema this build writes.
#[wasm_bindgen(js_name = schemaVersion)]
pub fn schema_version() -> String {
    crate::SCHEMA.to_string()
}
