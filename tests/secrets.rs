//! Secrets never leak: a property test generates traces with credentials in every position a
//! recording can hold them, in every format's shape, and checks that no output — the JSON report,
//! the Markdown, error messages and their snippets — contains any of them.

mod common;

use callstate::{analyze_bytes, exchange, to_markdown, NamedInput, Options};
use common::rng::Rng;
use serde_json::{json, Value};

/// Generated credentials, on the shared deterministic generator.
trait Secrets {
    fn token(&mut self, len: usize) -> String;
    fn secret(&mut self) -> String;
}

impl Secrets for Rng {
    fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len).map(|_| ALPHABET[self.below(ALPHABET.len())] as char).collect()
    }

    /// A credential in one of the shapes providers issue.
    fn secret(&mut self) -> String {
        match self.below(7) {
            0 => format!("sk-proj-{}", self.token(40)),
            1 => format!("sk-ant-api03-{}", self.token(40)),
            2 => format!("AKIA{}", self.token(16).to_ascii_uppercase()),
            3 => format!("AIza{}", self.token(35)),
            4 => format!("eyJ{}.eyJ{}.{}", self.token(20), self.token(30), self.token(43)),
            5 => format!("ghp_{}", self.token(36)),
            _ => self.token(32),
        }
    }
}

/// One trace with secrets in the positions recordings keep them; returns it and the secrets.
fn trace(rng: &mut Rng) -> (Vec<u8>, Vec<String>) {
    let mut secrets = Vec::new();
    let mut take = |rng: &mut Rng| {
        let s = rng.secret();
        secrets.push(s.clone());
        s
    };
    let header_names =
        ["Authorization", "Proxy-Authorization", "api-key", "x-api-key", "x-goog-api-key", "X-Amz-Security-Token"];
    let mut entries = Vec::new();
    for i in 0..1 + rng.below(4) {
        let name = header_names[rng.below(header_names.len())];
        let value = if name.ends_with("uthorization") { format!("Bearer {}", take(rng)) } else { take(rng) };
        let cookie = take(rng);
        let query_name = ["key", "api_key", "access_token", "token", "sig"][rng.below(5)];
        let url = format!("https://user:{}@api.example.com/v1/items/{i}?{query_name}={}&limit=5", take(rng), take(rng));
        let body = json!({
            "model": "m",
            "password": take(rng),
            "api_key": take(rng),
            "messages": [{"role": "user", "content": format!("my key is {} please keep it", take(rng))}],
            "client_secret": take(rng),
        });
        let minted = take(rng);
        entries.push(json!({
            "request": {"method": "POST", "url": url, "headers": [{"name": name, "value": value}, {"name": "Cookie", "value": format!("session={cookie}; theme=dark")}],
                "postData": {"mimeType": "application/json", "text": body.to_string()}},
            "response": {"status": 200, "headers": [{"name": "Set-Cookie", "value": format!("session={cookie}; HttpOnly")}],
                "content": {"mimeType": "application/json", "text": json!({"access_token": minted, "id": format!("r_{i}0000001")}).to_string()}},
        }));
        // The minted token comes back as a credential in the next request.
        entries.push(json!({
            "request": {"method": "GET", "url": format!("https://api.example.com/v1/me?access_token={minted}"), "headers": [{"name": "Authorization", "value": format!("Bearer {minted}")}]},
            "response": {"status": 200, "content": {"mimeType": "application/json", "text": "{}"}},
        }));
    }
    let har = json!({"log": {"version": "1.2", "creator": {"name": "t"}, "entries": entries}});
    (serde_json::to_vec_pretty(&har).unwrap(), secrets)
}

/// The same secrets in a cassette and in OTLP span attributes.
fn other_formats(rng: &mut Rng) -> Vec<(Vec<u8>, Vec<String>)> {
    let (a, b, c) = (rng.secret(), rng.secret(), rng.secret());
    let yaml = format!(
        "interactions:\n- request:\n    method: POST\n    uri: https://api.example.com/v1/x?api_key={a}\n    headers:\n      authorization: [Bearer {b}]\n    body: '{{\"password\": \"{c}\"}}'\n  response:\n    status: {{code: 200}}\n    headers:\n      set-cookie: ['sid={c}; Path=/']\n    body: {{string: '{{}}'}}\n"
    );
    let (d, e) = (rng.secret(), rng.secret());
    let otlp = json!({"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "name": format!("GET {d}"),
        "attributes": [{"key": "http.request.method", "value": {"stringValue": "GET"}}, {"key": "url.full", "value": {"stringValue": format!("https://api.example.com/x?token={d}")}},
                       {"key": "http.request.header.authorization", "value": {"arrayValue": {"values": [{"stringValue": format!("Bearer {e}")}]}}}]}]}]}]});
    vec![(yaml.into_bytes(), vec![a, b, c]), (otlp.to_string().into_bytes(), vec![d, e])]
}

fn assert_clean(what: &str, output: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(!output.contains(secret.as_str()), "{what} leaks {secret}:\n{output}");
    }
}

#[test]
fn no_output_contains_a_secret() {
    let mut rng = Rng(0x5EC2_E75A_FE00_0001);
    for round in 0..150 {
        let mut traces = vec![trace(&mut rng)];
        traces.extend(other_formats(&mut rng));
        for (bytes, secrets) in traces {
            let report =
                analyze_bytes("t", &bytes, &Options::default()).unwrap_or_else(|e| panic!("round {round}: {e}"));
            assert_clean("the JSON report", &report.to_json(), &secrets);
            assert_clean("the Markdown report", &to_markdown(&report), &secrets);
            // The call view shows headers and bodies: every secret in them is masked.
            let input = [NamedInput { name: "t", bytes: &bytes }];
            for call in 1..=report.calls.len() {
                let view = exchange(&input, &Options::default(), call).unwrap();
                assert_clean("a call view", &serde_json::to_string(&view).unwrap(), &secrets);
                assert_clean("a call view as text", &view.to_text(), &secrets);
            }
            // Cut the input anywhere: the error message and its snippet keep the secrets too.
            let cut = 1 + rng.below(bytes.len() - 1);
            if let Err(error) = analyze_bytes("t", &bytes[..cut], &Options::default()) {
                assert_clean("an error message", &error.to_string(), &secrets);
                assert_clean("an error snippet", error.location.snippet.as_deref().unwrap_or(""), &secrets);
                assert_clean("an error as JSON", &serde_json::to_string(&error).unwrap(), &secrets);
            }
        }
    }
}

#[test]
fn handles_show_as_fingerprints_that_match() {
    let value: Value = serde_json::to_value(
        analyze_bytes(
            "t",
            json!({"log": {"entries": [
                {"request": {"method": "POST", "url": "https://api.openai.com/v1/responses", "postData": {"mimeType": "application/json", "text": "{\"input\": \"a\"}"}},
                 "response": {"status": 200, "content": {"mimeType": "application/json", "text": "{\"id\": \"resp_9f8e7d6c5b4a39281706\"}"}}},
                {"request": {"method": "POST", "url": "https://api.openai.com/v1/responses", "postData": {"mimeType": "application/json", "text": "{\"input\": \"b\", \"previous_response_id\": \"resp_9f8e7d6c5b4a39281706\"}"}},
                 "response": {"status": 200, "content": {"mimeType": "application/json", "text": "{\"id\": \"resp_2\"}"}}}]}})
            .to_string()
            .as_bytes(),
            &Options::default(),
        )
        .unwrap(),
    )
    .unwrap();
    let text = value.to_string();
    assert!(!text.contains("resp_9f8e7d6c5b4a39281706"));
    let shown = value["evidence"][0]["handle"].as_str().unwrap();
    assert!(shown.starts_with("resp_9f8e…#"), "{shown}");
    assert_eq!(value["sessions"][0]["handles"][0]["handle"], shown, "two mentions of one value match");
}
