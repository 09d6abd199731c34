#!/usr/bin/env node
// Question: what does a fresh `lineproof` process cost before it does anything? Against `node -e 0`
// in the same run (issue 16 targets: `--help` within 1.5x; a five-step `verify` within 2x). The build
// writes the command table (dist/cli/commands/table.json), so help loads no command module and a
// command loads only its own.
// Usage: npm run bench -- startup [--runs 15]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flags, machine, round, ROOT } from './lib.mjs';
import { benchChain } from './chain.mjs';

const opt = flags({ runs: 15 });
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'lineproof-bench-startup-'));
writeFileSync(join(dir, 'small.bin'), 'x'.repeat(4096));
writeFileSync(join(dir, 'doc.json'), '{"b":1,"a":[true]}');
const chain = await benchChain();
writeFileSync(join(dir, 'chain.intoto.jsonl'), chain.chain);
writeFileSync(join(dir, 'policy.json'), JSON.stringify(chain.policy));

function median(args) {
  const t = [];
  for (let i = 0; i < opt.runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status} ${r.stderr.slice(0, 300)}`);
  }
  return t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
}
const base = median(['-e', '0']);
const rows = [
  ['lineproof --help', [CLI, '--help'], 1.5],
  ['lineproof verify --help', [CLI, 'verify', '--help'], 1.5],
  ['lineproof hash FILE (4 KiB)', [CLI, 'hash', join(dir, 'small.bin')]],
  ['lineproof canonical FILE', [CLI, 'canonical', join(dir, 'doc.json')]],
  [
    'lineproof verify (a five-step chain)',
    [
      CLI,
      'verify',
      '--chain',
      join(dir, 'chain.intoto.jsonl'),
      '--policy',
      join(dir, 'policy.json'),
      '--digest',
      chain.model,
      '--use-case',
      'chat',
      '--at',
      '2026-02-01T00:00:00Z',
    ],
    2,
  ],
].map(([name, args, target]) => {
  const ms = median(args);
  const ratio = ms / base;
  return { name, ms: round(ms, 1), ratioToNode: round(ratio, 2), ...(target ? { target, met: ratio <= target } : {}) };
});
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify(
    {
      question: 'lineproof start-up vs node -e 0 (median ms)',
      machine: machine(),
      nodeMs: round(base, 1),
      results: rows,
    },
    null,
    2,
  ),
);
