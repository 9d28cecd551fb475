//! The command line: `callstate analyze [--format json|md] [--expect VERDICT] FILE...`,
//! `callstate analyze --each FILE...` for one row per recording, and
//! `callstate show --call N FILE...` for one call with its evidence marked.
//! Exit codes: 0 success, 1 the `--expect`ed verdict does not hold, 2 bad input or usage.

use callstate::report::each::{self, Row, Table};
use callstate::{analyze, exchange, to_markdown, to_text, Analyzer, Help, NamedInput, Options, Policy, Report, Rules};
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

const USAGE: &str = "\
usage: callstate analyze [--format text|json|md] [--expect VERDICT] [--rules FILE] [--policy FILE] [--quiet] FILE...
       callstate analyze --each [--allow-unreadable] [--format text|json|md] [--expect VERDICT] [--policy FILE] FILE...
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
  --each             analyse every recording on its own, on all cores: one row per
                     file (a table, JSON Lines with --format json, or Markdown) and a
                     summary; exit 1 if a verdict is not the --expect'ed one, 2 if a
                     recording could not be read (its row says why; the rest go on)
  --allow-unreadable with --each: recordings that cannot be read do not make the exit
                     code 2

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
    /// `--limit` values by name (the last of a name counts), read as the options' `limits` are.
    limits: std::collections::BTreeMap<String, u64>,
    call: Option<usize>,
    /// `--each`: every recording on its own; `--allow-unreadable`: unreadable ones do not fail.
    each: bool,
    allow_unreadable: bool,
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
        each: false,
        allow_unreadable: false,
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
            Long("each") => args.each = true,
            Long("allow-unreadable") => args.allow_unreadable = true,
            Long("call") => {
                let value = parser.value().map_err(|e| e.to_string())?.string().map_err(|_| "bad --call")?;
                args.call =
                    Some(value.parse().map_err(|_| format!("--call takes a call number (from 1), not `{value}`"))?);
            }
            Long("limit") => {
                let value = parser.value().map_err(|e| e.to_string())?.string().map_err(|_| "bad --limit")?;
                let (name, n) = value.split_once('=').ok_or("--limit takes NAME=N, e.g. --limit maxCalls=5000000")?;
                let n: u64 = n.parse().map_err(|e| format!("bad --limit {name}: {e}"))?;
                args.limits.insert(name.to_string(), n);
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
    if args.allow_unreadable && !args.each {
        return Err("--allow-unreadable goes with --each".into());
    }
    if args.each && show.is_some() {
        return Err("--each goes with `analyze`, not `show`".into());
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
        let text = serde_json::to_string(&args.limits).unwrap_or_default();
        options.limits = callstate::json::de::from_str(&text).map_err(|e| format!("bad --limit: {e}"))?;
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
fn stream(options: &Options, files: &[String], progress: bool) -> Result<callstate::Result<Report>, String> {
    let mut analyzer = Analyzer::new(options.clone());
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

/// The files, read whole.
fn load(files: Vec<String>, progress: bool) -> Result<Contents, String> {
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
    Ok(contents)
}

/// An error from the library, with the line it points at when it has one and, for a limit, the
/// option that raises it.
fn describe(e: callstate::Error) -> String {
    let rendered = callstate::excerpt::render(&e);
    match e.help {
        Some(Help::RaiseLimit { limit, current }) => {
            format!("{rendered}\n  help: raise it above {current} with `--limit {}=N`", limit.as_str())
        }
        None => rendered,
    }
}

fn named(contents: &[(String, Vec<u8>)]) -> Vec<NamedInput<'_>> {
    contents.iter().map(|(name, bytes)| NamedInput { name, bytes }).collect()
}

fn show(args: Args, call: usize) -> Result<ExitCode, String> {
    let options = options(&args)?;
    let contents = load(expand(&args.files)?, false)?;
    let view = exchange(&named(&contents), &options, call).map_err(describe)?;
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&view).unwrap_or_default(),
        Format::Text | Format::Markdown => view.to_text(),
    };
    println!("{}", text.trim_end());
    Ok(ExitCode::SUCCESS)
}

/// The report over `files` analyzed together: streamed when one is large, else read whole.
/// `Err` when a file cannot be read at all; `Ok(Err)` when the library refuses its content.
fn report(options: &Options, files: Vec<String>, progress: bool) -> Result<callstate::Result<Report>, String> {
    let large =
        files.iter().any(|f| f != "-" && std::fs::metadata(f).is_ok_and(|m| m.len() > callstate::STREAM_OVER as u64));
    if large {
        return stream(options, &files, progress);
    }
    let contents = load(files, progress)?;
    if progress {
        let size: usize = contents.iter().map(|(_, bytes)| bytes.len()).sum();
        eprint!("\rcallstate: analysing {} input(s), {:.1} MB…\x1b[K", contents.len(), size as f64 / 1e6);
    }
    Ok(analyze(&named(&contents), options))
}

fn run(args: Args) -> Result<ExitCode, String> {
    let progress = std::io::stderr().is_terminal();
    let result = report(&options(&args)?, expand(&args.files)?, progress)?;
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
        eprintln!("callstate: {}", unexpected(expected, label, &report.verdict.explanation));
        code = ExitCode::from(1);
    }
    if let Some(reason) = report.policy.as_ref().and_then(callstate::report::policy_text::failure) {
        eprintln!("callstate: the policy is violated:\n  {reason}");
        code = ExitCode::from(1);
    }
    Ok(code)
}

/// Why an `--expect`ation failed.
fn unexpected(expected: &str, label: &str, explanation: &str) -> String {
    format!("expected a {expected} trace, got {label}: {explanation}")
}

/// `analyze --each`: every file on its own, on all cores, one row each in the order given,
/// printed as soon as its turn comes; then the summary.
fn run_each(args: Args) -> Result<ExitCode, String> {
    let options = options(&args)?;
    let files = expand(&args.files)?;
    let style = match args.format {
        Format::Text => each::Style::Text,
        Format::Json => each::Style::JsonLines,
        Format::Markdown => each::Style::Markdown,
    };
    let expect = args.expect.as_deref();
    let table = Table::new(style, &files, expect.is_some()).with_policy(options.policy.is_some());
    let mut stdout = std::io::stdout().lock();
    let mut print = |text: String| {
        if !args.quiet && !text.is_empty() {
            let _ = writeln!(stdout, "{text}");
        }
    };
    print(table.header());
    let mut summary = each::Summary::default();
    in_parallel(
        &files,
        |file| each_row(&options, file, expect),
        |row| {
            match &row.outcome {
                each::Outcome::Unreadable { error } => eprintln!("callstate: {}", redact(&describe(error.clone()))),
                each::Outcome::Analysed(v) if v.expected == Some(false) => eprintln!(
                    "callstate: {}: {}",
                    row.file,
                    unexpected(expect.unwrap_or_default(), v.verdict.as_str(), &v.explanation)
                ),
                _ => {}
            }
            if let each::Outcome::Analysed(v) = &row.outcome {
                if !v.violated.is_empty() {
                    eprintln!("callstate: {}: the policy is violated: {}", row.file, v.violated.join(", "));
                }
            }
            print(table.row(&row));
            summary.add(&row);
        },
    );
    print(table.footer(&summary));
    Ok(ExitCode::from(match () {
        _ if summary.unreadable > 0 && !args.allow_unreadable => 2,
        _ if summary.failed > 0 || summary.violated > 0 => 1,
        _ => 0,
    }))
}

/// The row of one file: its verdict, or why it could not be read.
fn each_row(options: &Options, file: &str, expect: Option<&str>) -> Row {
    let result = report(options, vec![file.to_string()], false)
        .unwrap_or_else(|message| Err(callstate::Error::new(callstate::ErrorKind::Usage, message).in_input(file)));
    Row::new(file, result, expect)
}

/// Runs `work` on every item on 2 to N threads (N the cores available) and hands each result to
/// `done` in the items' order, as soon as every earlier one has been handed on.
fn in_parallel<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync, mut done: impl FnMut(R)) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let threads = cores.max(2).min(items.len().max(1));
    let next = AtomicUsize::new(0);
    let (sender, results) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (sender, next, work) = (sender.clone(), &next, &work);
            scope.spawn(move || loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(index) else { break };
                if sender.send((index, work(item))).is_err() {
                    break;
                }
            });
        }
        drop(sender);
        // Results arrive in any order; each waits here until those before it are handed on.
        let mut waiting = std::collections::BTreeMap::new();
        let mut turn = 0;
        for (index, result) in results {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&turn) {
                done(result);
                turn += 1;
            }
        }
    });
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

/// A message with key-shaped strings masked, as every output is.
fn redact(message: &str) -> String {
    callstate::redact::redact_text(message).into_owned()
}

fn main() -> ExitCode {
    let result = match parse_args() {
        Ok(Command::Analyze(args)) if args.each => run_each(args),
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
            eprintln!("callstate: {}", redact(&message));
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::in_parallel;

    #[test]
    fn in_parallel_hands_results_on_in_order_from_several_threads() {
        let items: Vec<u64> = (0..40).collect();
        let mut seen = Vec::new();
        let mut threads = std::collections::HashSet::new();
        // Early items take longest, so later ones finish first and must wait their turn.
        let work = |&i: &u64| {
            std::thread::sleep(std::time::Duration::from_millis(40 - i));
            (i, std::thread::current().id())
        };
        in_parallel(&items, work, |(i, thread)| {
            seen.push(i);
            threads.insert(thread);
        });
        assert_eq!(seen, items);
        assert!(threads.len() >= 2, "{threads:?}");
    }
}
