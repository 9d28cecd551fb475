//! The JavaScript boundary of YAML between the two WebAssembly modules. The YAML module exports
//! `yamlToJson(text, maxTreeSize)`, which answers `{json}` or `{message, index?, line?, column?}` (the
//! parser's error); the main module, built without a YAML parser, is given that function with
//! `setYamlReader` and calls it whenever the core meets a YAML document. Both halves are here,
//! each compiled into its own module, so that the object's shape is written down once.

#[cfg(any(feature = "yaml-module", not(feature = "yaml")))]
use wasm_bindgen::prelude::*;

#[cfg(any(feature = "yaml-module", not(feature = "yaml")))]
fn key(name: &str) -> JsValue {
    JsValue::from_str(name)
}

/// A YAML text as JSON text (`{json}`), or the parser's error (`{message, index, line, column}`).
/// Of the limits, only `maxTreeSize` bears on parsing (the main module checks the others).
#[cfg(feature = "yaml-module")]
#[wasm_bindgen(js_name = yamlToJson)]
pub fn yaml_to_json(text: &str, max_tree_size: f64) -> JsValue {
    let limits = crate::limits::Limits { max_tree_size: max_tree_size as usize, ..Default::default() };
    let answer = js_sys::Object::new();
    let set = |name: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&answer, &key(name), &value);
    };
    match crate::formats::yaml::convert(text, &limits) {
        Ok(json) => set("json", json.into()),
        Err(failure) => {
            set("message", failure.message.into());
            if let Some(at) = failure.at {
                set("index", (at.index as f64).into());
                set("line", (at.line as f64).into());
                set("column", (at.column as f64).into());
            }
        }
    }
    answer.into()
}

#[cfg(not(feature = "yaml"))]
thread_local! {
    static READER: std::cell::RefCell<Option<js_sys::Function>> = const { std::cell::RefCell::new(None) };
}

/// Gives the main module the YAML module's `yamlToJson`: YAML inputs and policies are read with it.
#[cfg(not(feature = "yaml"))]
#[wasm_bindgen(js_name = setYamlReader)]
pub fn set_yaml_reader(read: js_sys::Function) {
    READER.with(|reader| *reader.borrow_mut() = Some(read));
    crate::formats::yaml::set_reader(read_yaml);
}

/// Calls the YAML module's `yamlToJson`; `None` when none was given.
#[cfg(not(feature = "yaml"))]
fn read_yaml(text: &str, limits: &crate::limits::Limits) -> Option<crate::formats::yaml::Conversion> {
    use crate::formats::yaml::{Failure, Position};
    let read = READER.with(|reader| reader.borrow().clone())?;
    let answer = match read.call2(&JsValue::NULL, &text.into(), &(limits.max_tree_size as f64).into()) {
        Ok(answer) => answer,
        // A trap or an exception in the YAML module is a bug there, reported as this input's error.
        Err(e) => return Some(Err(Failure { message: format!("the YAML module failed ({e:?})"), at: None })),
    };
    let get = |name: &str| js_sys::Reflect::get(&answer, &key(name)).unwrap_or(JsValue::UNDEFINED);
    if let Some(json) = get("json").as_string() {
        return Some(Ok(json));
    }
    let number = |name: &str| get(name).as_f64().map(|n| n as usize);
    let at = match (number("index"), number("line"), number("column")) {
        (Some(index), Some(line), Some(column)) => Some(Position { index, line, column }),
        _ => None,
    };
    let message = get("message").as_string().unwrap_or_else(|| "the YAML module gave no answer".into());
    Some(Err(Failure { message, at }))
}
