#!/usr/bin/env node
// Run benchmarks by name (default: all), each a separate process, and print one JSON document.
// Usage: npm run bench [-- NAME [flags...]]   e.g. npm run bench -- hash-large-file --size 512MiB
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && !['lib.mjs', 'run.mjs'].includes(f))
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
  out[b] = JSON.parse(r.stdout);
}
console.log(JSON.stringify(out, null, 2));
process.exit(failed ? 1 : 0);
