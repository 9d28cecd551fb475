// The benchmark's trace generator: the same seed gives the same bytes, and what it writes parses
// as the format it names with the calls it counted (both mixes; small sizes, so this is quick).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate, MIXES } from '../../bench/gen.mjs';

test('bench generator: deterministic, and parses with the count it reports', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-gen-'));
  try {
    assert.deepEqual(MIXES, ['mixed', 'history']);
    for (const mix of MIXES) {
      const a = path.join(dir, `${mix}-a.har`), b = path.join(dir, `${mix}-b.har`);
      const ra = generate({ format: 'har', size: 2e6, seed: 7, out: a, mix });
      generate({ format: 'har', size: 2e6, seed: 7, out: b, mix });
      const bytes = readFileSync(a);
      assert.ok(bytes.equals(readFileSync(b)), `${mix}: same seed, same bytes`);
      const entries = JSON.parse(bytes.toString('utf8')).log.entries;
      assert.equal(entries.length, ra.calls, mix);
      const o = path.join(dir, `${mix}.otlp.jsonl`);
      const ro = generate({ format: 'otlp', size: 1e6, seed: 7, out: o, mix });
      const lines = readFileSync(o, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.ok(lines.length > 0 && ro.calls > 0, mix);
    }
    // The history mix is history-heavy: most of its bytes are chat requests resending messages.
    const h = JSON.parse(readFileSync(path.join(dir, 'history-a.har'), 'utf8')).log.entries;
    const chat = h.filter((e) => /\/v1\/(chat\/completions|messages|responses)$/.test(e.request.url));
    const chatBytes = chat.reduce((n, e) => n + e.request.postData.text.length, 0);
    assert.ok(chatBytes > 0.5 * 2e6, `chat requests hold ${chatBytes} of 2 MB`);
    assert.ok(chat.every((e) => !JSON.parse(e.request.postData.text).previous_response_id), 'histories are resent, not chained');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
