//! The analyser's WebAssembly boundary: with yaml_js.rs (the YAML module's), the only file that
//! knows about JavaScript. Each export does three things: convert the input, call the core,
//! convert the output. Errors become real JS `Error` objects in one helper.

use crate::{AnalyzeOptions, NamedInput, Options};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The one serializer configuration: maps as plain objects, missing values as `null`.
///
/// Results are built as objects, not written as JSON text for one `JSON.parse`: measured on the
/// report of a 100 MB history-heavy HAR (4.4 MB of JSON, 8,725 calls) in Node, `report()` takes
/// 22–24 ms of CPU this way and 50 ms as text (35 ms writing JSON in a wasm built for size,
/// 4 ms decoding it, 11 ms parsing it); text would save 2.9 KB gzipped.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| usage_error(e.to_string()))
}

/// A mistake in how `analyze` was called, as the same kind of error as bad input.
fn usage_error(message: String) -> JsValue {
    to_js_error(crate::Error::new(crate::ErrorKind::Usage, message))
}

/// Turns a core error into a JS `Error` whose message says what and where, with `kind`,
/// `location` (`{input, offset, line, column, entry}`; offsets count bytes) and, where there is
/// one, `help` (`{raise_limit: {limit, current}}`) as properties; the package words the help.
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
    if let Some(Ok(help)) = error.help.as_ref().map(to_js) {
        set("help", help);
    }
    js.into()
}

fn options_from(options: JsValue) -> Result<(String, Options), JsValue> {
    let js: AnalyzeOptions = if options.is_undefined() || options.is_null() {
        AnalyzeOptions::default()
    } else {
        // As JSON text (`JSON.stringify` there), read as a document, as the built-in fingerprints
        // are, instead of by a second deserializer: 17 KB raw, 6.6 KB gzipped less. Positions
        // would point into text the caller never wrote: the message goes alone.
        let invalid = |detail: String| usage_error(format!("The options are not valid: {detail}."));
        let text: String = js_sys::JSON::stringify(&options)
            .map_err(|e| invalid(e.unchecked_into::<js_sys::Error>().message().into()))?
            .into();
        crate::json::de::from_str(&text).map_err(|e| invalid(e.message.clone()))?
    };
    let name = js.name.clone().unwrap_or_else(|| "input".to_string());
    Ok((name, js.into_options().map_err(to_js_error)?))
}

/// One input as JavaScript gave it: bytes, left in JavaScript memory until they are read, or text.
enum JsInput {
    Bytes(js_sys::Uint8Array),
    Text(String),
}

impl JsInput {
    /// A `Uint8Array`, an `ArrayBuffer` or a string.
    fn of(value: &JsValue) -> Option<JsInput> {
        if let Some(text) = value.as_string() {
            return Some(JsInput::Text(text));
        }
        // A `Uint8Array` is used as it is: `new Uint8Array(array)` would copy it.
        if let Some(array) = value.dyn_ref::<js_sys::Uint8Array>() {
            return Some(JsInput::Bytes(array.clone()));
        }
        if value.is_instance_of::<js_sys::ArrayBuffer>() {
            return Some(JsInput::Bytes(js_sys::Uint8Array::new(value)));
        }
        None
    }

    fn len(&self) -> usize {
        match self {
            JsInput::Bytes(bytes) => bytes.length() as usize,
            JsInput::Text(text) => text.len(),
        }
    }

    fn into_vec(self) -> Vec<u8> {
        match self {
            JsInput::Bytes(bytes) => bytes.to_vec(),
            JsInput::Text(text) => text.into_bytes(),
        }
    }
}

/// One input (bytes or a string) or several named ones (`[{name, bytes}]`), named.
fn inputs_of(input: &JsValue, default_name: &str) -> Result<Vec<(String, JsInput)>, JsValue> {
    if let Some(one) = JsInput::of(input) {
        return Ok(vec![(default_name.to_string(), one)]);
    }
    if js_sys::Array::is_array(input) {
        let mut inputs = Vec::new();
        for (i, item) in js_sys::Array::from(input).iter().enumerate() {
            let get = |key: &str| js_sys::Reflect::get(&item, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
            let name = get("name").as_string().unwrap_or_else(|| format!("input {}", i + 1));
            let bytes = JsInput::of(&get("bytes")).ok_or_else(|| {
                usage_error(format!("Input {} (`{name}`) has no `bytes` (a Uint8Array or a string).", i + 1))
            })?;
            inputs.push((name, bytes));
        }
        return Ok(inputs);
    }
    Err(usage_error("analyze() takes a Uint8Array, a string, or an array of {name, bytes}.".into()))
}

/// Copies the inputs into wasm memory and analyses them. The heap is grown once, to what the
/// analysis will use, rather than step by step: each `memory.grow` costs V8 a garbage
/// collection and the memory may move, which made the growth alone most of a 100 MB analysis.
fn whole(inputs: Vec<(String, JsInput)>, options: &Options) -> Result<crate::Analysis, JsValue> {
    let size: usize = inputs.iter().map(|(_, input)| input.len()).sum();
    // The input copied in, and the calls read from it.
    drop(Vec::<u8>::with_capacity(size.min(crate::STREAM_OVER) / 4 * 5));
    let inputs: Vec<(String, Vec<u8>)> = inputs.into_iter().map(|(name, input)| (name, input.into_vec())).collect();
    let named: Vec<NamedInput> = inputs.iter().map(|(name, bytes)| NamedInput { name, bytes }).collect();
    crate::Analysis::of_inputs(&named, options).map_err(to_js_error)
}

/// The one conversion of JavaScript inputs into an analysis: every export that reads inputs
/// comes here. Large inputs given as bytes are analysed as a stream, copied into wasm memory a
/// chunk at a time, so they are never held twice (once in JavaScript, once here); small inputs
/// and strings are read whole. The calls' bodies are kept whole only with `keep_bodies`.
fn analysis_of(input: JsValue, options: JsValue, keep_bodies: bool) -> Result<crate::Analysis, JsValue> {
    let (name, options) = options_from(options)?;
    let options = Options { keep_bodies, ..options };
    let inputs = inputs_of(&input, &name)?;
    let total: usize = inputs.iter().map(|(_, input)| input.len()).sum();
    let all_bytes = inputs.iter().all(|(_, input)| matches!(input, JsInput::Bytes(_)));
    if total <= crate::STREAM_OVER || !all_bytes {
        return whole(inputs, &options);
    }
    // What calls keep is under the input (0.6–0.8× on agent HARs): half of it at once.
    drop(Vec::<u8>::with_capacity(total / 2));
    let mut stream = StreamAnalyzer::of(options, None);
    let mut buffer = vec![0; 1 << 20];
    for (name, input) in &inputs {
        let JsInput::Bytes(array) = input else { continue };
        stream.begin(name.clone())?;
        let length = array.length();
        let mut at = 0;
        while at < length {
            let end = length.min(at + buffer.len() as u32);
            let piece = &mut buffer[..(end - at) as usize];
            array.subarray(at, end).copy_to(piece);
            stream.push(piece)?;
            at = end;
        }
    }
    stream.take()?.analysis().map_err(to_js_error)
}

/// Analyses a trace and returns the report (`callstate.report/2`) as a plain object. `input` is
/// one input (a `Uint8Array` or a string) or several analysed together (`[{name, bytes}]`, listed in the report in a canonical order, by name).
/// Throws an `Error` with `location` on bad input. To ask more than the report, make an
/// `Analysis`.
#[wasm_bindgen]
pub fn analyze(input: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    to_js(analysis_of(input, options, false)?.report())
}

/// Like `analyze`, but returns the report rendered as Markdown.
#[wasm_bindgen(js_name = analyzeMarkdown)]
pub fn analyze_markdown(input: JsValue, options: JsValue) -> Result<String, JsValue> {
    Ok(analysis_of(input, options, false)?.markdown())
}

/// One call (`call` counts from 1, as `report.calls[].index`) as a person reads it: headers and
/// pretty-printed bodies with secrets masked, and the places evidence names marked (offsets in
/// UTF-16 units, for `String.prototype.slice`). Same `input` and `options` as `analyze`. It
/// analyses the inputs again: to show several calls, make one `Analysis` and ask it.
#[wasm_bindgen]
pub fn exchange(input: JsValue, call: u32, options: JsValue) -> Result<JsValue, JsValue> {
    to_js(&analysis_of(input, options, true)?.exchange(call as usize).map_err(to_js_error)?)
}

/// One analysis kept in memory: built once from the inputs (the same `input` and `options` as
/// `analyze`), then asked for its report, its Markdown and any call without analysing again.
/// It keeps every call whole, about the input's size in memory: `free()` it when done.
#[wasm_bindgen(js_name = Analysis)]
pub struct ResidentAnalysis {
    inner: crate::Analysis,
}

#[wasm_bindgen(js_class = Analysis)]
impl ResidentAnalysis {
    #[wasm_bindgen(constructor)]
    pub fn new(input: JsValue, options: JsValue) -> Result<ResidentAnalysis, JsValue> {
        Ok(ResidentAnalysis { inner: analysis_of(input, options, true)? })
    }

    /// The report (`callstate.report/2`) as a plain object.
    pub fn report(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.report())
    }

    /// The report rendered as Markdown.
    pub fn markdown(&self) -> String {
        self.inner.markdown()
    }

    /// Whether the calls were kept whole, so that `exchange` can show them (always, but for an
    /// `Analyzer` made without `keepCalls`).
    #[wasm_bindgen(getter, js_name = keepsCalls)]
    pub fn keeps_calls(&self) -> bool {
        self.inner.keeps_calls()
    }

    /// One call (from 1, as `report.calls[].index`), as the `exchange` function gives it.
    pub fn exchange(&self, call: u32) -> Result<JsValue, JsValue> {
        to_js(&self.inner.exchange(call as usize).map_err(to_js_error)?)
    }
}

/// Analysis of inputs read in pieces (`File.stream()`, a fetch body): `push` each chunk as it
/// arrives, then `finish` for the report `analyze` would give. HAR and JSON Lines inputs are
/// read entry by entry, so memory follows the calls, not the file. The first input is named by
/// the `name` option; `begin(name)` starts each further one.
#[wasm_bindgen(js_name = Analyzer)]
pub struct StreamAnalyzer {
    inner: Option<crate::Analyzer>,
    default_name: Option<String>,
    headroom: Headroom,
}

/// Grows the heap ahead of a stream's need in steps of a quarter of its size, instead of the
/// allocator's few pages at a time: each `memory.grow` costs V8 a garbage collection, and a 1 GB
/// stream grown page by page spent a quarter of its time there. Whenever the heap has grown past
/// the last step, the next step is taken at once.
#[derive(Default)]
struct Headroom {
    heap: usize,
}

impl Headroom {
    fn after_growth(&mut self) {
        let heap = || core::arch::wasm32::memory_size(0) * 65536;
        // Below this, growing costs little and a step would only waste memory.
        const SMALL: usize = 64 << 20;
        if heap() > self.heap && heap() >= SMALL {
            drop(Vec::<u8>::with_capacity(heap() / 4));
            self.heap = heap();
        }
    }
}

#[wasm_bindgen(js_class = Analyzer)]
impl StreamAnalyzer {
    /// `keepCalls`: keep every call whole, for `analysis()` to show any call (memory about the
    /// input's size); without it, calls keep only what the report needs.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, keep_calls: Option<bool>) -> Result<StreamAnalyzer, JsValue> {
        let (name, options) = options_from(options)?;
        Ok(StreamAnalyzer::of(Options { keep_bodies: keep_calls.unwrap_or(false), ..options }, Some(name)))
    }

    fn of(options: Options, default_name: Option<String>) -> StreamAnalyzer {
        StreamAnalyzer { inner: Some(crate::Analyzer::new(options)), default_name, headroom: Headroom::default() }
    }

    fn analyzer(&mut self) -> Result<&mut crate::Analyzer, JsValue> {
        self.inner.as_mut().ok_or_else(|| usage_error("This Analyzer has finished; create another.".into()))
    }

    fn take(&mut self) -> Result<crate::Analyzer, JsValue> {
        self.inner.take().ok_or_else(|| usage_error("This Analyzer has finished; create another.".into()))
    }

    /// Starts the next input.
    pub fn begin(&mut self, name: String) -> Result<(), JsValue> {
        self.default_name = None;
        self.analyzer()?.begin(&name);
        Ok(())
    }

    /// The next bytes of the current input.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        if let Some(name) = self.default_name.take() {
            self.analyzer()?.begin(&name);
        }
        let analyzer = self.analyzer()?;
        analyzer.push(chunk).map_err(to_js_error)?;
        self.headroom.after_growth();
        Ok(())
    }

    /// Bytes pushed so far.
    #[wasm_bindgen(getter)]
    pub fn bytes(&self) -> f64 {
        self.inner.as_ref().map_or(0, crate::Analyzer::bytes) as f64
    }

    /// Calls read so far.
    #[wasm_bindgen(getter)]
    pub fn calls(&self) -> u32 {
        self.inner.as_ref().map_or(0, crate::Analyzer::calls) as u32
    }

    /// The report over every input pushed.
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        to_js(&self.take()?.finish().map_err(to_js_error)?)
    }

    /// The `Analysis` of every input pushed, to ask for the report and (made with `keepCalls`)
    /// any call. This Analyzer is finished by it.
    pub fn analysis(&mut self) -> Result<ResidentAnalysis, JsValue> {
        Ok(ResidentAnalysis { inner: self.take()?.analysis().map_err(to_js_error)? })
    }
}

/// Checks options (the rules and the policy in them) without analysing anything: throws the
/// error `analyze` would throw for them, naming the rule and the field.
#[wasm_bindgen(js_name = checkOptions)]
pub fn check_options(options: JsValue) -> Result<(), JsValue> {
    options_from(options).map(|_| ())
}

/// Whether an input (bytes or a string, or their first 64 KiB) is YAML, which this module reads
/// through the YAML module: the JavaScript side loads that module first. `undefined` while it
/// is all white space.
#[wasm_bindgen(js_name = startsYaml)]
pub fn starts_yaml(input: JsValue) -> Option<bool> {
    let head = match JsInput::of(&input)? {
        JsInput::Bytes(bytes) => bytes.subarray(0, bytes.length().min(64 << 10)).to_vec(),
        JsInput::Text(text) => text.into_bytes(),
    };
    crate::formats::starts_yaml(&head)
}

/// The report schema this build writes.
#[wasm_bindgen(js_name = schemaVersion)]
pub fn schema_version() -> String {
    crate::SCHEMA.to_string()
}
