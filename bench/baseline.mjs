// The JavaScript baselines, shared by the Node and the Chromium benchmark: `JSON.parse` of the
// document, then `JSON.parse` of every JSON body in it, the work a JS tool must do before it can
// look at a trace's requests.

/** `JSON.parse` of the file, or of each line for JSON Lines (and OTLP written a line each). */
export function parseDocument(text, lines) {
  if (!lines) return JSON.parse(text);
  const docs = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) docs.push(JSON.parse(text.slice(start, end)));
    start = end + 1;
  }
  return docs;
}

/**
 * Parses every string in the document that holds JSON (HAR `postData.text` and `content.text`,
 * WebSocket frames, OTLP attributes carrying messages or bodies) and every `data:` line of a
 * server-sent-event stream, as a reader of the trace must. Parsed bodies are not searched again.
 * Returns how many bodies it parsed.
 */
export function parseAllBodies(doc) {
  let count = 0;
  const stack = [doc];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      const c = v.charCodeAt(0);
      if (c === 123 /* { */ || c === 91 /* [ */) {
        try {
          JSON.parse(v);
          count++;
        } catch {
          // text that only starts like JSON
        }
      } else if (v.startsWith('data:') || v.startsWith('event:')) {
        for (const line of v.split('\n')) {
          if (!line.startsWith('data:')) continue;
          const data = line.slice(5).trim();
          if (data.charCodeAt(0) !== 123 && data.charCodeAt(0) !== 91) continue;
          try {
            JSON.parse(data);
            count++;
          } catch {
            // not JSON
          }
        }
      }
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (v !== null && typeof v === 'object') {
      for (const k in v) stack.push(v[k]);
    }
  }
  return count;
}

/** Whether a file (by its name) is written a JSON document a line. */
export const isLines = (name) => /\.jsonl$/.test(name);
