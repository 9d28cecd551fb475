//! The command line: `callstate analyze [--format json|md] [--expect VERDICT] FILE...`.
//! Exit codes: 0 success, 1 the `--expect`ed verdict does not hold, 2 bad input or usage.

use callstate::{analyze, to_markdown, NamedInput, Options, Rules};
use std::io::{Read, Write};
use std::process::ExitCode;

const USAGE: &str = "\
usage: callstate analyze [--format json|md] [--expect VERDICT] [--rules FILE] FILE... (- for stdin)
       callstate schema [report|error|options|rules]
       callstate families

Reads HAR captures, VCR cassettes, nock recordings, OTLP/JSON traces and span dumps, and JSON
Lines request logs, and tells whether the traffic is stateless API calls, a stateful runtime, or
a stateful runtime built on stateless model calls (layered), with evidence. Several files are
analysed together as one trace (a front-door capture with a back-end trace, say).

options:
  --format json|md   report format (default md)
  --expect VERDICT   exit 1 unless the verdict is VERDICT
                     (stateless, stateful, layered, mixed, inconclusive)
  --rules FILE       extra fingerprints and names (JSON, see the README)
  --limit NAME=N     set a limit: maxInputBytes (default 1 GiB), maxBodyBytes
                     (64 MiB), maxInflateRatio (1000), maxCalls (1000000),
                     maxTreeSize (2 GiB); repeat for several

`callstate schema` prints the JSON Schema of the report (default), of the errors, of the
options the library takes, or of the rules format. `callstate families` prints the built-in fingerprint table.

exit codes: 0 success, 1 expectation failed, 2 bad input or usage";

enum Format {
    Json,
    Markdown,
}

enum Command {
    Analyze(Args),
    Schema(String),
    Families,
}

struct Args {
    format: Format,
    expect: Option<String>,
    rules: Option<String>,
    limits: serde_json::Map<String, serde_json::Value>,
    files: Vec<String>,
}

fn parse_args() -> Result<Command, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let mut args =
        Args { format: Format::Markdown, expect: None, rules: None, limits: Default::default(), files: Vec::new() };
    let mut command = None;
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Short('h') | Long("help") => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            Long("version") => {
                println!("callstate {}", env!("CARGO_PKG_VERSION"));
                std::process::exit(0);
            }
            Long("format") => {
                args.format =
                    match parser.value().map_err(|e| e.to_string())?.string().map_err(|_| "bad --format")?.as_str() {
                        "json" => Format::Json,
                        "md" | "markdown" => Format::Markdown,
                        other => return Err(format!("unknown format `{other}`: use json or md")),
                    }
            }
            Long("expect") => {
                let v = parser.value().map_err(|e| e.to_string())?.string().map_err(|_| "bad --expect")?;
                if !["stateless", "stateful", "mixed", "layered", "inconclusive"].contains(&v.as_str()) {
                    return Err(format!(
                        "unknown verdict `{v}`: use stateless, stateful, mixed, layered or inconclusive"
                    ));
                }
                args.expect = Some(v);
            }
            Long("rules") => {
                args.rules = Some(parser.value().map_err(|e| e.to_string())?.string().map_err(|_| "bad --rules")?)
            }
            Long("limit") => {
                let value = parser.value().map_err(|e| e.to_string())?.string().map_err(|_| "bad --limit")?;
                let (name, n) = value.split_once('=').ok_or("--limit takes NAME=N, e.g. --limit maxCalls=5000000")?;
                let n: u64 = n.parse().map_err(|e| format!("bad --limit {name}: {e}"))?;
                args.limits.insert(name.to_string(), n.into());
            }
            Value(v) if command.is_none() => command = Some(v.string().map_err(|_| "bad command")?),
            Value(v) => args.files.push(v.string().map_err(|_| "file names must be UTF-8")?),
            _ => return Err(arg.unexpected().to_string()),
        }
    }
    match command.as_deref() {
        Some("analyze") | Some("analyse") => {}
        Some("schema") => {
            let which = match args.files.as_slice() {
                [] => "report".to_string(),
                [one] if callstate::schema(one).is_some() => one.clone(),
                _ => return Err("`schema` takes one of report, error, options, rules".into()),
            };
            return Ok(Command::Schema(which));
        }
        Some("families") => return Ok(Command::Families),
        Some(other) => return Err(format!("unknown command `{other}`")),
        None => return Err("missing command".into()),
    }
    if args.files.is_empty() {
        return Err("no input files (use - for stdin)".into());
    }
    Ok(Command::Analyze(args))
}

fn run(args: Args) -> Result<ExitCode, String> {
    let mut options = Options::default();
    if !args.limits.is_empty() {
        options.limits = serde_json::from_value(serde_json::Value::Object(args.limits.clone()))
            .map_err(|e| format!("bad --limit: {e}"))?;
    }
    if let Some(path) = &args.rules {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read rules {path}: {e}"))?;
        options.rules = Some(Rules::with_user_rules(&bytes).map_err(|e| format!("{path}: {e}"))?);
    }
    let mut contents = Vec::with_capacity(args.files.len());
    for file in &args.files {
        let bytes = if file == "-" {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("cannot read stdin: {e}"))?;
            buf
        } else {
            std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))?
        };
        contents.push(bytes);
    }
    let inputs: Vec<NamedInput> =
        args.files.iter().zip(&contents).map(|(name, bytes)| NamedInput { name, bytes }).collect();
    let report = analyze(&inputs, &options).map_err(|e| match (&e.location.snippet, e.location.caret) {
        (Some(snippet), Some(caret)) => format!("{e}\n  {snippet}\n  {}^", " ".repeat(caret)),
        _ => e.to_string(),
    })?;
    // Render fully before writing, so a failure never leaves half a report on stdout.
    let text = match args.format {
        Format::Json => report.to_json(),
        Format::Markdown => to_markdown(&report),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
    let label = report.verdict.label.as_str();
    match &args.expect {
        Some(expected) if expected != label => {
            eprintln!("callstate: expected a {expected} trace, got {label}: {}", report.verdict.explanation);
            Ok(ExitCode::from(1))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Command::Analyze(args)) => args,
        Ok(Command::Families) => {
            print!("{}", Rules::builtin().to_markdown());
            return ExitCode::SUCCESS;
        }
        Ok(Command::Schema(which)) => {
            println!("{}", callstate::schema(&which).unwrap_or_default());
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("callstate: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("callstate: {}", callstate::redact::redact_text(&message));
            ExitCode::from(2)
        }
    }
}
