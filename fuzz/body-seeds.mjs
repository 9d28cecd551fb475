#!/usr/bin/env node
// Seeds body_facts with what it reads in real traffic: each JSON request and response body of
// the HAR files among the test inputs, one file per body (a few KB each, so the fuzzer mutates
// bodies, not whole captures).
//
//   node fuzz/body-seeds.mjs OUT_DIR FILE...

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [out, ...files] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
let written = 0;
for (const file of files) {
  let har;
  try {
    har = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    continue;
  }
  for (const entry of har?.log?.entries ?? []) {
    for (const text of [entry?.request?.postData?.text, entry?.response?.content?.text]) {
      if (typeof text !== 'string' || !/^\s*[[{]/.test(text) || text.length > 64 * 1024) continue;
      const name = createHash('sha256').update(text).digest('hex').slice(0, 16);
      writeFileSync(path.join(out, `seed-body-${name}`), text);
      written++;
    }
  }
}
console.log(`${written} bodies in ${out}`);
