//! The module import graph of `src/`: built from the `crate::…` and `super::…` paths each file
//! names (outside comments and test modules), it must have no cycle, and no module but the wasm
//! boundary may depend on the crate root (`lib.rs`), which assembles the stages. Names the root
//! re-exports (`crate::Error`) count as the module they come from.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("src/ is readable").flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments and without its test module (tests go last).
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines().map(|line| line.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The names right after each `prefix::` in `code`: `crate::a::b` gives `a`, and
/// `crate::{a, b::c}` gives `a` and `b`.
fn names_after(code: &str, prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        if code[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let rest = &code[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let name: String = item.trim().chars().take_while(|&c| is_ident(c)).collect();
                if !name.is_empty() {
                    names.push(name);
                }
            }
        } else {
            let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    names
}

/// What the crate root re-exports: name → the module it comes from (`pub use m::{A, B}`).
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in lib.lines() {
        let Some(path) = line.trim().strip_prefix("pub use ") else { continue };
        let module: String = path.chars().take_while(|&c| is_ident(c)).collect();
        let items = path[module.len()..].trim_start_matches("::").trim_end_matches(';');
        for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = item.trim().rsplit(" as ").next().unwrap_or("").to_string();
            if !name.is_empty() {
                out.insert(name, module.clone());
            }
        }
    }
    out
}

/// The graph of the library's top-level modules (`src/a.rs` and `src/a/…` are module `a`;
/// `lib.rs` is `lib`); the binary in `src/bin/` is not part of it.
fn graph(src: &Path) -> Graph {
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs is readable");
    let reexported = reexports(&lib);
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| f.strip_prefix(src).ok()?.components().next()?.as_os_str().to_str().map(str::to_string))
        .map(|first| first.trim_end_matches(".rs").to_string())
        .collect();
    let mut graph = Graph::new();
    for file in &files {
        let relative = file.strip_prefix(src).expect("under src/");
        let parts: Vec<&str> = relative.iter().filter_map(|p| p.to_str()).collect();
        if parts[0] == "bin" {
            continue;
        }
        let module = parts[0].trim_end_matches(".rs").to_string();
        // `super` of `src/a/b.rs` or `src/a/b/mod.rs` is `a`; of `src/a.rs` or `src/a/mod.rs`, the root.
        let nested = parts.len() > 2 || (parts.len() == 2 && parts[1] != "mod.rs");
        let code = code_of(&std::fs::read_to_string(file).expect("source is readable"));
        let mut targets: Vec<String> = names_after(&code, "crate::")
            .into_iter()
            .map(|name| match () {
                _ if modules.contains(&name) => name,
                _ => reexported.get(&name).cloned().unwrap_or_else(|| "lib".to_string()),
            })
            .collect();
        if !nested && module != "lib" && !names_after(&code, "super::").is_empty() {
            targets.push("lib".to_string());
        }
        let edges = graph.entry(module.clone()).or_default();
        edges.extend(targets.into_iter().filter(|t| *t != module));
    }
    graph
}

/// Every cycle among the modules other than the root, each as the path that closes it.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    fn visit(graph: &Graph, path: &mut Vec<String>, done: &mut BTreeSet<String>, found: &mut Vec<Vec<String>>) {
        let node = path.last().cloned().unwrap_or_default();
        for next in graph.get(&node).into_iter().flatten().filter(|n| *n != "lib") {
            if let Some(start) = path.iter().position(|n| n == next) {
                let mut cycle = path[start..].to_vec();
                cycle.push(next.clone());
                found.push(cycle);
            } else if !done.contains(next) {
                path.push(next.clone());
                visit(graph, path, done, found);
                path.pop();
            }
        }
        done.insert(node);
    }
    let mut found = Vec::new();
    let mut done = BTreeSet::new();
    for node in graph.keys().filter(|n| *n != "lib") {
        if !done.contains(node) {
            visit(graph, &mut vec![node.clone()], &mut done, &mut found);
        }
    }
    found
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn the_modules_of_src_import_each_other_without_a_cycle() {
    let graph = graph(&src());
    assert!(graph.len() > 5, "the graph has the modules of src/: {graph:?}");
    let found = cycles(&graph);
    let shown: Vec<String> = found.iter().map(|c| c.join(" -> ")).collect();
    assert!(found.is_empty(), "import cycles among the modules of src/: {shown:#?}");
}

#[test]
fn no_module_but_the_wasm_boundary_imports_the_crate_root() {
    let graph = graph(&src());
    let upward: Vec<&String> =
        graph.iter().filter(|(m, to)| *m != "lib" && *m != "wasm" && to.contains("lib")).map(|(m, _)| m).collect();
    assert!(upward.is_empty(), "modules that import lib.rs: {upward:?} (graph: {graph:#?})");
}

#[test]
fn the_graph_sees_a_cycle_when_there_is_one() {
    let mut graph = Graph::new();
    for (from, to) in [("error", "redact"), ("redact", "model"), ("model", "error"), ("lib", "error")] {
        graph.entry(from.to_string()).or_default().insert(to.to_string());
    }
    assert_eq!(cycles(&graph), vec![vec!["error", "redact", "model", "error"]]);
    let code = "use crate::{error::Location, redact};\nlet x = crate::model::Url::parse(s); // crate::report\n";
    assert_eq!(names_after(&code_of(code), "crate::"), ["error", "redact", "model"]);
}
