//! Body decoding shared by every reader: base64 as recordings mark it, and gzip/deflate as the
//! `Content-Encoding` header or the gzip magic says, bounded so that a small body cannot expand
//! without limit.

use crate::limits::Limits;
use base64::Engine;
use std::io::Read;

/// Decodes a recorded body. `base64` says the recording stored it base64-encoded; `encoding` is
/// the `Content-Encoding` header, if any. Returns the bytes and, when something could not be
/// decoded, a sentence saying why (the body is then kept as recorded).
pub fn decode_body(raw: Vec<u8>, base64: bool, encoding: Option<&str>, limits: &Limits) -> (Vec<u8>, Option<String>) {
    let mut bytes = raw;
    if base64 {
        match decode_base64(&bytes) {
            Some(decoded) => bytes = decoded,
            None => return (bytes, Some("its body is marked base64 but is not valid base64".into())),
        }
    }
    let gzip_magic = bytes.starts_with(&[0x1f, 0x8b]);
    let declared = encoding.map(|e| e.trim().to_ascii_lowercase());
    let inflate = match declared.as_deref() {
        _ if gzip_magic => Some(Codec::Gzip),
        Some("deflate") => Some(Codec::Deflate),
        _ => None,
    };
    if inflate.is_none() && matches!(declared.as_deref(), Some("br" | "zstd")) && std::str::from_utf8(&bytes).is_err() {
        let codec = declared.unwrap_or_default();
        return (
            Vec::new(),
            Some(format!("its body is `{codec}`-compressed, which callstate does not decode; the body is left out")),
        );
    }
    if let Some(codec) = inflate {
        match inflate_bounded(&bytes, codec, limits) {
            Ok(decoded) => bytes = decoded,
            Err(why) => return (Vec::new(), Some(why)),
        }
    }
    if bytes.len() > limits.max_body_bytes {
        let why = format!(
            "its body is {} bytes, over the {} byte limit for a body (the limit `maxBodyBytes`); only the first part is analysed",
            bytes.len(),
            limits.max_body_bytes
        );
        bytes.truncate(limits.max_body_bytes);
        return (bytes, Some(why));
    }
    (bytes, None)
}

/// Standard or URL-safe base64, with or without padding, ignoring line breaks.
pub fn decode_base64(text: &[u8]) -> Option<Vec<u8>> {
    let compact: Vec<u8> = text.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
    let engines = [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    engines.iter().find_map(|engine| engine.decode(&compact).ok())
}

#[derive(Clone, Copy)]
enum Codec {
    Gzip,
    Deflate,
}

/// The decoder of a codec. An enum, not a `Box<dyn Read>`: a trait object would compile every
/// method of `Read` into the wasm for both decoders (1.5 KB).
enum Inflater<'a> {
    Gzip(flate2::read::MultiGzDecoder<&'a [u8]>),
    Deflate(flate2::read::ZlibDecoder<&'a [u8]>),
}

impl Read for Inflater<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Inflater::Gzip(decoder) => decoder.read(buf),
            Inflater::Deflate(decoder) => decoder.read(buf),
        }
    }
}

fn inflate_bounded(bytes: &[u8], codec: Codec, limits: &Limits) -> Result<Vec<u8>, String> {
    let cap = limits.max_body_bytes.min(bytes.len().saturating_mul(limits.max_inflate_ratio).max(64 * 1024));
    let mut out = Vec::new();
    let reader = match codec {
        Codec::Gzip => Inflater::Gzip(flate2::read::MultiGzDecoder::new(bytes)),
        Codec::Deflate => Inflater::Deflate(flate2::read::ZlibDecoder::new(bytes)),
    };
    // Read one byte past the cap to tell "exactly at the cap" from "over it".
    match reader.take(cap as u64 + 1).read_to_end(&mut out) {
        Ok(_) if out.len() > cap => Err(format!(
            "its compressed body of {} bytes expands beyond {} bytes (a decompression bomb?); raising the limit `maxInflateRatio` or `maxBodyBytes` reads it",
            bytes.len(),
            cap
        )),
        Ok(_) => Ok(out),
        Err(e) => Err(format!("its body is marked compressed but does not decompress ({e})")),
    }
}
