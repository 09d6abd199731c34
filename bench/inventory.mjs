#!/usr/bin/env node
// Question: does the inventory answer at organisation scale? A generated inventory of --models
// models (default 10,000: ten envelopes each, plus shared source datasets — about 100,000 signed
// envelopes), ingested with a policy (every signature checked against the policy's keys) into
// PGlite (embedded, a temporary directory) and into a PostgreSQL server started here on 127.0.0.1;
// then each question, the median of --runs runs. Peer in the same run: the same lines bulk-inserted
// into a bare table by the same database (the floor any ingest pays). Target (issue 17): the blast
// radius of a poisoned dataset under 1 s. Runs against dist/ (npm run build first).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  downstream,
  expiring,
  failing,
  ingestBundle,
  unapproved,
  unevidenced,
  upstream,
} from '../dist/inventory/index.js';
import { nodeEd25519Verifier, openInventory, parsePolicy } from '../dist/node/index.js';
import { datasetDigest, generateInventory, modelDigest, sourceDigest } from './inventory-world.mjs';
import { flags, machine } from './lib.mjs';
import { startPostgres } from './postgres.mjs';

const opt = flags({ models: 10000, runs: 5, failing: 200, db: 'both', batch: 500 });
const DAY = 86_400_000;
const day = (n) => new Date(Date.parse('2026-01-01T00:00:00Z') + n * DAY);

const t0 = performance.now();
const world = generateInventory({ models: opt.models });
const generateMs = performance.now() - t0;
const policy = parsePolicy(world.policy);
const envelopes = world.sources.length + world.models.reduce((n, m) => n + m.lines.length, 0);
console.error(`generated ${envelopes} envelopes (${opt.models} models) in ${(generateMs / 1000).toFixed(1)} s`);

/** The ingest unit: --batch models' bundles in one call (one transaction). */
const batches = [world.sources.join('')];
for (let i = 0; i < world.models.length; i += opt.batch)
  batches.push(
    world.models
      .slice(i, i + opt.batch)
      .flatMap((m) => m.lines)
      .join(''),
  );

async function median(fn) {
  const times = [];
  let last;
  for (let i = 0; i < opt.runs; i++) {
    const s = performance.now();
    last = await fn();
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  return {
    ms: +times[Math.floor(times.length / 2)].toFixed(1),
    min: +times[0].toFixed(1),
    max: +times.at(-1).toFixed(1),
    last,
  };
}

async function measure(name, db) {
  console.error(`== ${name}`);
  const results = [];
  const s = performance.now();
  let stored = 0;
  for (const text of batches) {
    const r = await ingestBundle(db, text, { source: 'bench', now: day(10), policy, verifier: nodeEd25519Verifier });
    stored += r.newEnvelopes;
  }
  const ingestMs = performance.now() - s;
  if (stored !== envelopes) throw new Error(`${name}: stored ${stored} of ${envelopes} envelopes`);
  // the floor: the same lines into a bare table, in the same batches
  await db.exec('create table bench_floor (line_digest text primary key, line text not null)');
  const f = performance.now();
  let n = 0;
  for (const text of batches) {
    const lines = text.split('\n').filter(Boolean);
    await db.transaction((tx) =>
      tx.query('insert into bench_floor select * from unnest($1::text[], $2::text[]) on conflict do nothing', [
        lines.map(() => String(n++)),
        lines,
      ]),
    );
  }
  const floorMs = performance.now() - f;
  results.push({
    db: name,
    question: 'ingest (parse, index, check every signature against the policy)',
    envelopes,
    ms: Math.round(ingestMs),
    envelopesPerSecond: Math.round(envelopes / (ingestMs / 1000)),
    floorMs: Math.round(floorMs),
    ratioToFloor: +(ingestMs / floorMs).toFixed(1),
  });
  const again = performance.now();
  const re = await ingestBundle(db, world.models[7].lines.join(''), { source: 'again', now: day(10), policy });
  results.push({
    db: name,
    question: 're-ingest one model (nothing new)',
    ms: +(performance.now() - again).toFixed(1),
    newEnvelopes: re.newEnvelopes,
  });

  const fineTune = world.models.find((m) => m.base !== undefined);
  const questions = [
    ['upstream of a fine-tune', () => upstream(db, fineTune.digest), (r) => ({ nodes: r.nodes.length })],
    [
      'blast radius of a poisoned model dataset (through the fine-tune)',
      () => downstream(db, datasetDigest(fineTune.base)),
      (r) => ({ nodes: r.nodes.length, models: r.models.length, environments: r.environments.length }),
    ],
    [
      'blast radius of a shared source dataset',
      () => downstream(db, sourceDigest(0)),
      (r) => ({ nodes: r.nodes.length, models: r.models.length, environments: r.environments.length }),
    ],
    ['downstream of a model', () => downstream(db, modelDigest(fineTune.base)), (r) => ({ nodes: r.nodes.length })],
    [
      "a key's reach (the evaluator's: every evaluation and all that rests on it)",
      () => downstream(db, { key: 'evaluator' }),
      (r) => ({ nodes: r.nodes.length, models: r.models.length }),
    ],
    ['unapproved at day 250', () => unapproved(db, { at: day(250) }), (r) => ({ found: r.length })],
    [
      'expiring within 30 days of day 300',
      () => expiring(db, { now: day(300), days: 30 }),
      (r) => ({ found: r.length }),
    ],
    ['unevidenced', () => unevidenced(db), (r) => ({ found: r.length })],
  ];
  for (const [question, fn, describe] of questions) {
    const m = await median(fn);
    results.push({ db: name, question, ms: m.ms, min: m.min, max: m.max, ...describe(m.last) });
  }
  const sample = world.models.slice(0, opt.failing).map((m) => m.digest);
  const fs = performance.now();
  const fr = await failing(db, { now: day(100), verifier: nodeEd25519Verifier, subjects: sample });
  const failingMs = performance.now() - fs;
  results.push({
    db: name,
    question: `failing (the verifier over ${fr.checked} promotions of ${sample.length} models)`,
    ms: Math.round(failingMs),
    msPerVerification: +(failingMs / fr.checked).toFixed(1),
    failing: fr.failing.length,
  });
  return results;
}

const results = [];
if (opt.db === 'both' || opt.db === 'pglite') {
  const dir = mkdtempSync(join(tmpdir(), 'lineproof-bench-inventory-'));
  const inv = await openInventory(dir);
  try {
    results.push(...(await measure('PGlite 0.5 (embedded)', inv.db)));
  } finally {
    await inv.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
if (opt.db === 'both' || opt.db === 'postgres') {
  const server = await startPostgres();
  const inv = await openInventory(await server.createDatabase('bench'));
  try {
    results.push(...(await measure('PostgreSQL 15 (server on 127.0.0.1)', inv.db)));
  } finally {
    await inv.close();
    await server.stop();
  }
}
const blast = results.filter((r) => r.question.startsWith('blast radius of a poisoned'));
console.log(
  JSON.stringify(
    {
      bench: 'inventory',
      machine: machine(),
      models: opt.models,
      envelopes,
      generateMs: Math.round(generateMs),
      results,
      targets: blast.map((r) => ({
        name: `inventory blast radius, ${envelopes} envelopes (${r.db})`,
        value: r.ms,
        goal: '< 1000 ms',
        met: r.ms < 1000,
      })),
    },
    null,
    2,
  ),
);
