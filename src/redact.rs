//! The one redaction policy applied to every output: credentials are never printed, handles are
//! shown as a stable fingerprint (a short prefix and a hash) so that two mentions of the same
//! value can be matched without revealing it.

use std::borrow::Cow;

/// A stable, non-reversible name for a value: `resp_09f1…#3fa2c1d0`, or `#3fa2c1d0` for secrets
/// such as cookie values, where even a prefix is too much.
pub fn fingerprint(value: &str, secret: bool) -> String {
    let hash = fnv1a(value.as_bytes()) as u32;
    if secret || looks_secret(value) {
        return format!("#{hash:08x}");
    }
    // Keep a vendor prefix (`resp_`, `thread_`, `conv_`) and a few characters after it.
    let prefix_end = value.find(['_', '-']).filter(|&i| i <= 12).map_or(0, |i| i + 1);
    let end = floor_char_boundary(value, (prefix_end + 4).min(value.len()));
    format!("{}…#{hash:08x}", &value[..end])
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// Query parameters and header names whose values are credentials.
pub fn is_secret_name(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "x-goog-api-key",
        "cookie",
        "set-cookie",
        "key",
        "api_key",
        "apikey",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "secret",
        "password",
        "passwd",
        "sig",
        "signature",
        "x-amz-signature",
        "x-amz-security-token",
        "x-amz-credential",
        "code",
        "auth",
    ];
    let contains = |part: &str| crate::lexicon::contains_ignoring_case(name, part);
    let ends_with = |end: &str| {
        name.len() >= end.len() && name.as_bytes()[name.len() - end.len()..].eq_ignore_ascii_case(end.as_bytes())
    };
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
        || contains("password")
        || contains("secret")
        || ends_with("token")
}

/// Key-shaped strings: OpenAI/Anthropic keys, AWS access keys, Google API keys, JWTs, bearer tokens.
pub fn looks_secret(value: &str) -> bool {
    let v = value.trim();
    v.starts_with("sk-")
        || v.starts_with("sk_")
        || v.starts_with("Bearer ")
        || v.starts_with("Basic ")
        || (v.starts_with("AKIA") && v.len() == 20)
        || (v.starts_with("ASIA") && v.len() == 20)
        || (v.starts_with("AIza") && v.len() >= 35)
        || (v.starts_with("eyJ") && v.matches('.').count() == 2)
        || v.starts_with("xoxb-")
        || v.starts_with("ghp_")
        || v.starts_with("github_pat_")
}

/// A URL as reports print it: credentials in the query replaced, userinfo dropped, and handles
/// that evidence names shown by their fingerprint, as the evidence shows them.
pub fn url(url: &crate::model::Url, handles: &rustc_hash::FxHashMap<&str, String>) -> String {
    if url.host.is_empty() && url.path.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(url.scheme.len() + url.host.len() + url.path.len() + 8);
    if !url.scheme.is_empty() {
        out.extend([url.scheme.as_str(), "://", url.host.as_str()]);
    }
    for (i, segment) in url.path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        match handles.get(crate::model::percent_decode(segment).as_ref()) {
            Some(shown) => out.push_str(shown),
            None => out.push_str(&redact_text(segment)),
        }
    }
    for (i, (name, value)) in url.query.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(name);
        if !value.is_empty() {
            out.push('=');
            if is_secret_name(name) || looks_secret(value) {
                out.push_str("[redacted]");
            } else if let Some(shown) = handles.get(value.as_str()) {
                out.push_str(shown);
            } else {
                out.push_str(value);
            }
        }
    }
    out
}

/// Free text written by instrumentation (span names): key-shaped words and long random tokens,
/// which could be credentials of no known shape, are replaced.
pub fn redact_free_text(text: &str) -> String {
    let masked = redact_text(text);
    let mut out = String::with_capacity(masked.len());
    // Words keep the whitespace after them, so lines and indentation survive.
    for word in masked.split_inclusive(char::is_whitespace) {
        let token = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        if looks_random(token) {
            out.push_str(&word.replace(token, "[redacted]"));
        } else {
            out.push_str(word);
        }
    }
    out
}

/// A long token of letters and digits: an id, or a credential of no known shape.
pub fn looks_random(token: &str) -> bool {
    token.len() >= 20
        && token.bytes().any(|b| b.is_ascii_digit())
        && token.bytes().any(|b| b.is_ascii_alphabetic())
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `text` has a byte that key-shaped words hold (`.`, `-`, `_`) or the start of a cloud
/// key (`AKIA`, `ASIA`, `AIza`): one pass, where most text has neither.
fn may_hold_a_key(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        matches!(b, b'.' | b'-' | b'_')
            || (b == b'A' && matches!(bytes.get(i + 1..i + 4), Some(b"KIA" | b"SIA" | b"Iza")))
    })
}

/// Replaces key-shaped words in free text (error messages, paths) with `[redacted]`; the text
/// itself where it holds none, which is nearly always.
pub fn redact_text(text: &str) -> Cow<'_, str> {
    if !may_hold_a_key(text) {
        return Cow::Borrowed(text);
    }
    let is_word_byte = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'+' | b'=');
    let bytes = text.as_bytes();
    let (mut out, mut copied, mut at) = (String::new(), 0, 0);
    while at < bytes.len() {
        let end = at + bytes[at..].iter().take_while(|b| is_word_byte(b)).count();
        if end > at && looks_secret(&text[at..end]) {
            out.push_str(&text[copied..at]);
            out.push_str("[redacted]");
            copied = end;
        }
        at = end + 1;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// [`redact_text`] of an owned text, which is given back unless something was replaced.
pub fn redact_string(text: String) -> String {
    let redacted = match redact_text(&text) {
        Cow::Owned(redacted) => Some(redacted),
        Cow::Borrowed(_) => None,
    };
    redacted.unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_hide_values_but_match() {
        let a = fingerprint("resp_0941b08f06efed9e00697312fcce9c819080f2ec731d0d34ed", false);
        assert!(a.starts_with("resp_0941…#"));
        assert_eq!(a, fingerprint("resp_0941b08f06efed9e00697312fcce9c819080f2ec731d0d34ed", false));
        assert!(!fingerprint("RxX1eusrYsxXj1VxCMe3qcGXmrfCOHx3", true).contains("RxX1"));
        assert!(!fingerprint("sk-proj-abcdefghijklmnop", false).contains("sk-"));
    }

    #[test]
    fn urls_and_text_lose_their_credentials() {
        let u =
            crate::model::Url::parse("https://demo.example.com/v3/channel_123?api_key=VCXCEuvhGcBDP7Xh&notify_self");
        let none = rustc_hash::FxHashMap::default();
        assert_eq!(url(&u, &none), "https://demo.example.com/v3/channel_123?api_key=[redacted]&notify_self");
        let u = crate::model::Url::parse("https://a.example/v1/sessions/sess_Q3v8WmZ2kR7tY1pX/messages");
        let handles = [("sess_Q3v8WmZ2kR7tY1pX", fingerprint("sess_Q3v8WmZ2kR7tY1pX", false))].into_iter().collect();
        assert!(url(&u, &handles).starts_with("https://a.example/v1/sessions/sess_Q3v8…#"));
        assert_eq!(redact_text("bad key sk-abc123def456 here"), "bad key [redacted] here");
        assert_eq!(redact_text("token eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl!"), "token [redacted]!");
    }
}
