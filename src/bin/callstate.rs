//! The command line: `callstate analyze [--format json|md] [--expect VERDICT] FILE...`, and
//! `callstate show --call N FILE...` for one call with its evidence marked.
//! Exit codes: 0 success, 1 the `--expect`ed verdict does not hold, 2 bad input or usage.

use callstate::{analyze, exchange, to_markdown, to_text, Analyzer, NamedInput, Options, Policy, Rules};
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

const USAGE: &str = "\
usage: callstate analyze [--format text|json|md] [--expect VERDICT] [--rules FILE] [--policy FILE] [--quiet] FILE...
       callstate show --call N [--format text|json] FILE...
       callstate schema [report|exchange|error|options|rules|policy]
       callstate families

FILE may be a file, a folder (its files), a quoted glob ('captures/*.har') or - for stdin.
Reads HAR captures, VCR cassettes, nock recordings, OTLP/JSON traces and span dumps, and JSON
Lines request logs, and tells whether the traffic is stateless API calls, a stateful runtime, or
a stateful runtime built on stateless model calls (layered), with evidence. Several files are
analysed together as one trace (a front-door capture with a back-end trace, say).

options:
  --format FORMAT    text (default: the verdict and the deciding evidence, for CI
                     logs), json (the report document) or md (Markdown)
  --quiet            print no report; only the exit code and errors tell
  --expect VERDICT   exit 1 unless the verdict is VERDICT
                     (stateless, stateful, layered, mixed, inconclusive)
  --rules FILE       extra fingerprints and names (JSON, see the README)
  --policy FILE      check the traffic against a policy (JSON or YAML, see the
                     README): each rule holds, is violated, warns or does not
                     apply; exit 1 when a rule is violated
  --limit NAME=N     set a limit: maxInputBytes (default 1 GiB), maxBodyBytes
                     (64 MiB), maxInflateRatio (1000), maxCalls (1000000),
                     maxTreeSize (2 GiB); repeat for several

`callstate show` prints call N (counted from 1, as in the report) as the report sees it: headers
and pretty-printed bodies with secrets masked, and the places its evidence names marked.

`callstate schema` prints the JSON Schema of the report (default), of `show --format json`, of the errors, of the
options the library takes, of the rules format or of the policy format. `callstate families` prints the built-in fingerprint table.

exit codes: 0 success, 1 expectation failed or policy violated, 2 bad input or usage";

enum Format {
    Text,
    Json,
    Markdown,
}

enum Command {
    Analyze(Args),
    Show(Args, usize),
    Schema(String),
    Families,
}

struct Args {
    format: Format,
    expect: Option<String>,
    rules: Option<String>,
    policy: Option<String>,
    quiet: bool,
    limits: serde_json::Map<String, serde_json::Value>,
    call: Option<usize>,
    files: Vec<String>,
}

fn parse_args() -> Result<Command, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let mut args = Args {
        format: Format::Text,
        expect: None,
        rules: None,
        policy: None,
        quiet: false,
        limits: Default::default(),
        call: None,
        files: Vec::new(),
    };
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
                        "text" => Format::Text,
                        "json" => Format::Json,
                        "md" | "markdown" => Format::Markdown,
                        other => return Err(format!("unknown format `{other}`: use text, json or md")),
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
            Long("policy") => {
                args.policy = Some(parser.value().map_err(|e| e.to_string())?.string().map_err(|_| "bad --policy")?)
            }
            Short('q') | Long("quiet") => args.quiet = true,
            Long("call") => {
                let value = parser.value().map_err(|e| e.to_string())?.string().map_err(|_| "bad --call")?;
                args.call =
                    Some(value.parse().map_err(|_| format!("--call takes a call number (from 1), not `{value}`"))?);
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
    let show = match command.as_deref() {
        Some("analyze") | Some("analyse") => None,
        Some("show") => Some(args.call.ok_or("`show` needs --call N (the call's number in the report)")?),
        Some("schema") => {
            let which = match args.files.as_slice() {
                [] => "report".to_string(),
                [one] if callstate::schema(one).is_some() => one.clone(),
                _ => return Err("`schema` takes one of report, exchange, error, options, rules, policy".into()),
            };
            return Ok(Command::Schema(which));
        }
        Some("families") => return Ok(Command::Families),
        Some(other) => return Err(format!("unknown command `{other}`")),
        None => return Err("missing command".into()),
    };
    if args.files.is_empty() {
        return Err("no input files (use - for stdin)".into());
    }
    Ok(match show {
        Some(call) => Command::Show(args, call),
        None => Command::Analyze(args),
    })
}

/// The options `--limit`, `--rules` and `--policy` set.
fn options(args: &Args) -> Result<Options, String> {
    let mut options = Options::default();
    if !args.limits.is_empty() {
        options.limits = serde_json::from_value(serde_json::Value::Object(args.limits.clone()))
            .map_err(|e| format!("bad --limit: {e}"))?;
    }
    if let Some(path) = &args.rules {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read rules {path}: {e}"))?;
        options.rules = Some(Rules::with_user_rules(&bytes).map_err(|e| format!("{path}: {e}"))?);
    }
    if let Some(path) = &args.policy {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read policy {path}: {e}"))?;
        let policy = Policy::from_slice(&bytes, options.rules().as_ref()).map_err(|e| describe(e.in_input(path)))?;
        options.policy = Some(policy);
    }
    Ok(options)
}

/// Reads the files in pieces into an [`Analyzer`], with a progress line on a terminal.
fn stream(args: &Args, files: &[String], progress: bool) -> Result<callstate::Result<callstate::Report>, String> {
    let mut analyzer = Analyzer::new(options(args)?);
    let mut buffer = vec![0; 1 << 20];
    for file in files {
        let mut reader: Box<dyn Read> = if file == "-" {
            Box::new(std::io::stdin())
        } else {
            Box::new(std::fs::File::open(file).map_err(|e| format!("cannot read {file}: {e}"))?)
        };
        analyzer.begin(file);
        let mut shown = 0;
        loop {
            let n = reader.read(&mut buffer).map_err(|e| format!("cannot read {file}: {e}"))?;
            if n == 0 {
                break;
            }
            if let Err(e) = analyzer.push(&buffer[..n]) {
                return Ok(Err(e));
            }
            if progress && analyzer.bytes() >= shown + (64 << 20) {
                shown = analyzer.bytes();
                eprint!("\rcallstate: {file}: {:.0} MB read, {} calls…\x1b[K", shown as f64 / 1e6, analyzer.calls());
            }
        }
    }
    if progress {
        eprint!("\rcallstate: analysing {} calls…\x1b[K", analyzer.calls());
    }
    Ok(analyzer.finish())
}

/// Named files, read whole.
type Contents = Vec<(String, Vec<u8>)>;

/// The options, and the files.
fn load(args: &Args, files: Vec<String>, progress: bool) -> Result<(Options, Contents), String> {
    let options = options(args)?;
    let mut contents = Vec::with_capacity(files.len());
    for file in files {
        if progress {
            eprint!("\rcallstate: reading {file}…\x1b[K");
        }
        let bytes = if file == "-" {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("cannot read stdin: {e}"))?;
            buf
        } else {
            std::fs::read(&file).map_err(|e| format!("cannot read {file}: {e}"))?
        };
        contents.push((file, bytes));
    }
    Ok((options, contents))
}

/// An error from the library, with the line it points at when it has one.
fn describe(e: callstate::Error) -> String {
    match (&e.location.snippet, e.location.caret) {
        (Some(snippet), Some(caret)) => format!("{e}\n  {snippet}\n  {}^", " ".repeat(caret)),
        _ => e.to_string(),
    }
}

fn named(contents: &[(String, Vec<u8>)]) -> Vec<NamedInput<'_>> {
    contents.iter().map(|(name, bytes)| NamedInput { name, bytes }).collect()
}

fn show(args: Args, call: usize) -> Result<ExitCode, String> {
    let (options, contents) = load(&args, expand(&args.files)?, false)?;
    let view = exchange(&named(&contents), &options, call).map_err(describe)?;
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&view).unwrap_or_default(),
        Format::Text | Format::Markdown => view.to_text(),
    };
    println!("{}", text.trim_end());
    Ok(ExitCode::SUCCESS)
}

fn run(args: Args) -> Result<ExitCode, String> {
    let progress = std::io::stderr().is_terminal();
    let files = expand(&args.files)?;
    let large =
        files.iter().any(|f| f != "-" && std::fs::metadata(f).is_ok_and(|m| m.len() > callstate::STREAM_OVER as u64));
    let result = if large {
        stream(&args, &files, progress)?
    } else {
        let (options, contents) = load(&args, files, progress)?;
        let inputs = named(&contents);
        if progress {
            let size: usize = contents.iter().map(|(_, bytes)| bytes.len()).sum();
            eprint!("\rcallstate: analysing {} input(s), {:.1} MB…\x1b[K", inputs.len(), size as f64 / 1e6);
        }
        analyze(&inputs, &options)
    };
    if progress {
        eprint!("\r\x1b[K");
    }
    let report = result.map_err(describe)?;
    // Render fully before writing, so a failure never leaves half a report on stdout.
    if !args.quiet {
        let text = match args.format {
            Format::Text => to_text(&report),
            Format::Json => report.to_json(),
            Format::Markdown => to_markdown(&report),
        };
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", text.trim_end());
    }
    let label = report.verdict.label.as_str();
    let mut code = ExitCode::SUCCESS;
    if let Some(expected) = args.expect.as_ref().filter(|expected| *expected != label) {
        eprintln!("callstate: expected a {expected} trace, got {label}: {}", report.verdict.explanation);
        code = ExitCode::from(1);
    }
    if let Some(reason) = report.policy.as_ref().and_then(callstate::report::policy_text::failure) {
        eprintln!("callstate: the policy is violated:\n  {reason}");
        code = ExitCode::from(1);
    }
    Ok(code)
}

/// Files named on the command line: folders stand for the files in them, and globs the shell
/// left alone (`'captures/*.har'`) for the files they match, in name order.
fn expand(args: &[String]) -> Result<Vec<String>, String> {
    let mut files = Vec::new();
    for arg in args {
        let path = std::path::Path::new(arg);
        if arg == "-" || path.is_file() {
            files.push(arg.clone());
            continue;
        }
        let (dir, pattern) = if path.is_dir() {
            (path.to_path_buf(), String::new())
        } else if arg.contains(['*', '?']) {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            (dir.to_path_buf(), path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
        } else {
            return Err(format!("cannot read {arg}: no such file or folder"));
        };
        let mut matched: Vec<String> = std::fs::read_dir(&dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .filter(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                // A folder stands for the recordings in it, not its notes.
                if pattern.is_empty() {
                    const RECORDINGS: &[&str] = &[".har", ".json", ".jsonl", ".ndjson", ".yaml", ".yml"];
                    RECORDINGS.iter().any(|ext| name.ends_with(ext)) && !name.ends_with(".rules.json")
                } else {
                    wildcard(&pattern, &name)
                }
            })
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        if matched.is_empty() {
            return Err(format!("{arg} matches no file"));
        }
        matched.sort();
        files.extend(matched);
    }
    Ok(files)
}

/// `*` and `?` wildcards over a file name.
fn wildcard(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    go(&p, &n)
}

fn main() -> ExitCode {
    let result = match parse_args() {
        Ok(Command::Analyze(args)) => run(args),
        Ok(Command::Show(args, call)) => show(args, call),
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
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("callstate: {}", callstate::redact::redact_text(&message));
            ExitCode::from(2)
        }
    }
}
