#!/usr/bin/env node
// Summarise a Stryker JSON report (reports/mutation/mutation.json) as markdown: counts and score per
// file and folder, then every surviving and uncovered mutant (file:line:column, mutator,
// replacement), grouped by file. Mutants that only change error-message text (what
// test/mutation/ignore-messages.mjs ignores) are marked "msg", and a second score leaves them out,
// so a report of a run without the ignorer gives both numbers.
//
//   node scripts/mutation-survivors.mjs [reports/mutation/mutation.json ...] > survivors.md
//
// Several reports (e.g. one per folder) are merged; a file in more than one keeps the last.
import { readFileSync } from 'node:fs';
import { Instrumenter } from '@stryker-mutator/instrumenter';
import { ignoreMessages } from '../test/mutation/ignore-messages.mjs';

const inputs = process.argv.slice(2);
if (inputs.length === 0) inputs.push('reports/mutation/mutation.json');
const files = {};
for (const p of inputs) Object.assign(files, JSON.parse(readFileSync(p, 'utf8')).files);

// Which mutants the ignore-plugin would mark: instrument the same sources with it.
const quiet = {
  isDebugEnabled: () => false,
  isTraceEnabled: () => false,
  debug() {},
  trace() {},
  info() {},
  warn() {},
  error: console.error,
};
const instrumented = await new Instrumenter(quiet).instrument(
  Object.entries(files).map(([name, f]) => ({ name, content: f.source, mutate: true })),
  { plugins: null, excludedMutations: [], noHeader: false, ignorers: [ignoreMessages] },
);
const keyOf = (file, m) =>
  `${file}:${m.location.start.line}:${m.location.start.column}:${m.mutatorName}:${m.replacement}`;
const messageOnly = new Set(
  instrumented.mutants
    .filter((m) => m.status === 'Ignored')
    // the instrumenter counts lines from 0 and columns from 0; reports count both from 1
    .map((m) =>
      keyOf(m.fileName, {
        ...m,
        location: { start: { line: m.location.start.line + 1, column: m.location.start.column + 1 } },
      }),
    ),
);

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
function tally(mutants, file) {
  const t = { mutants: 0, killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0, msg: 0, msgDetected: 0 };
  for (const m of mutants) {
    if (m.status === 'Ignored') continue;
    t.mutants++;
    if (m.status === 'Killed') t.killed++;
    else if (m.status === 'Timeout') t.timeout++;
    else if (m.status === 'Survived') t.survived++;
    else if (m.status === 'NoCoverage') t.noCoverage++;
    else t.errors++;
    if (messageOnly.has(keyOf(file, m))) {
      t.msg++;
      if (DETECTED.has(m.status)) t.msgDetected++;
    }
  }
  return t;
}
const add = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k] + b[k]]));
const score = (t) => {
  const valid = t.killed + t.timeout + t.survived + t.noCoverage;
  return valid === 0 ? 'n/a' : ((100 * (t.killed + t.timeout)) / valid).toFixed(2);
};
const scoreNoMsg = (t) => {
  const valid = t.killed + t.timeout + t.survived + t.noCoverage - t.msg;
  return valid === 0 ? 'n/a' : ((100 * (t.killed + t.timeout - t.msgDetected)) / valid).toFixed(2);
};

const names = Object.keys(files).sort();
const perFile = Object.fromEntries(names.map((f) => [f, tally(files[f].mutants, f)]));
const folders = {};
for (const f of names) {
  const d = f.split('/').slice(0, 2).join('/');
  folders[d] = folders[d] ? add(folders[d], perFile[f]) : perFile[f];
}
const total = Object.values(perFile).reduce(add);

const row = (name, t) =>
  `| ${name} | ${t.mutants} | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | ${score(t)} | ${t.msg} | ${scoreNoMsg(t)} |`;
const out = [];
out.push(
  '| | mutants | killed | timeout | survived | no coverage | score % | of them message text | score % without message text |',
);
out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const f of names) out.push(row(`\`${f}\``, perFile[f]));
for (const [d, t] of Object.entries(folders)) out.push(row(`**${d}/**`, t));
out.push(row('**total**', total));
out.push('');
for (const f of names) {
  const list = files[f].mutants
    .filter((m) => UNDETECTED.has(m.status))
    .sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column);
  if (list.length === 0) continue;
  out.push(`### \`${f}\` (${list.length})`, '');
  out.push('| line:col | status | mutator | replacement | msg |', '|---|---|---|---|---|');
  for (const m of list) {
    const rep = m.replacement.replace(/\s+/g, ' ');
    const shown = rep.length > 90 ? `${rep.slice(0, 87)}...` : rep;
    out.push(
      `| ${m.location.start.line}:${m.location.start.column} | ${m.status === 'NoCoverage' ? 'no cov' : 'survived'} | ${m.mutatorName} | \`${shown.replace(/\|/g, '\\|').replace(/`/g, "'")}\` | ${messageOnly.has(keyOf(f, m)) ? 'msg' : ''} |`,
    );
  }
  out.push('');
}
process.stdout.write(out.join('\n'));
