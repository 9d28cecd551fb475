#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function, top N, and the
// same for a time window (`--from MS --to MS`, from the profile's start).
//
//   node bench/cpuprofile-top.mjs PROFILE [--top 25] [--from MS] [--to MS]

import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const file = argv[0];
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i < 0 ? dflt : Number(argv[i + 1]);
};
const top = opt('--top', 25), from = opt('--from', 0), to = opt('--to', Infinity);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
let t = 0, total = 0;
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i] / 1000;
  if (t < from || t > to) continue;
  const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
  const node = byId.get(prof.samples[i]);
  const name = node.callFrame.functionName || `(${node.callFrame.url.split('/').pop() || 'anonymous'})`;
  self.set(name, (self.get(name) || 0) + dt);
  total += dt;
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
console.log(`total ${total.toFixed(0)} ms sampled`);
for (const [name, ms] of rows) console.log(`${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${name.slice(0, 150)}`);
