#!/usr/bin/env node
// Run benchmarks by name (default: all), each a separate process, and print one JSON document.
// Usage: npm run bench [-- NAME [flags...]]   e.g. npm run bench -- hash-large-file --size 512MiB
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  // shared modules, not benchmarks
  .filter(
    (f) =>
      f.endsWith('.mjs') && !['lib.mjs', 'run.mjs', 'chain.mjs', 'inventory-world.mjs', 'postgres.mjs'].includes(f),
  )
  .map((f) => f.slice(0, -4));
const [name, ...rest] = process.argv.slice(2);
if (name === '--help' || name === '-h') {
  console.log(`Usage: npm run bench [-- NAME [flags]]\nBenchmarks: ${all.join(', ')}`);
  process.exit(0);
}
const chosen = name ? [name] : all;
const out = {};
let failed = false;
for (const b of chosen) {
  if (!all.includes(b)) {
    console.error(`unknown benchmark ${b}; one of: ${all.join(', ')}`);
    process.exit(2);
  }
  console.error(`== ${b}`);
  const r = spawnSync(process.execPath, [join(here, `${b}.mjs`), ...(name ? rest : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) {
    failed = true;
    out[b] = { error: `exit ${r.status}` };
    continue;
  }
  try {
    out[b] = JSON.parse(r.stdout);
  } catch {
    failed = true;
    out[b] = { error: 'no JSON on standard output' };
  }
}
console.log(JSON.stringify({ ...out, summary: summary(out) }, null, 2));
process.exit(failed ? 1 : 0);

/**
 * Every target of every benchmark, in one list: {bench, name, ratio | value, goal, met}. A
 * benchmark states a target either in a `targets` array or on a result row (`target`, `met`).
 */
function summary(all) {
  const rows = [];
  for (const [bench, r] of Object.entries(all)) {
    if (r.error) {
      rows.push({ bench, name: 'benchmark failed', value: r.error, met: false });
      continue;
    }
    const targets = Array.isArray(r.targets)
      ? r.targets
      : Object.entries(r.targets ?? {}).map(([name, v]) =>
          typeof v === 'boolean' ? { name, met: v } : { name, ratio: v },
        );
    for (const t of targets)
      rows.push({ bench, name: t.name, ratio: t.ratio, value: t.value, goal: t.goal ?? t.target, met: t.met });
    const results = Array.isArray(r.results) ? r.results : [];
    for (const x of results)
      if (x.target !== undefined || x.met !== undefined)
        rows.push({
          bench,
          name: x.name,
          ratio: x.ratioToOpenssl ?? x.ratioToNode ?? x.ratioToNativeVerify ?? x.ratio,
          goal: x.target,
          met: x.met,
        });
  }
  return rows;
}
