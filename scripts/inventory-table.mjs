// Regenerate README's inventory table from the JSON bench/inventory.mjs printed:
//   node bench/inventory.mjs > inv.json && node scripts/inventory-table.mjs inv.json [--date YYYY-MM-DD]
// Writes between <!-- inventory-table:begin --> and <!-- inventory-table:end --> in README.md, and
// copies the run into bench/results/DATE-inventory-CPU-NCORE.json, so every figure has its JSON.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/inventory-table.mjs RUN.json [--date YYYY-MM-DD]');
  process.exit(2);
}
const date = rest[0] === '--date' ? rest[1] : new Date().toISOString().slice(0, 10);
const run = JSON.parse(readFileSync(file, 'utf8'));
if (run.bench !== 'inventory' || !Array.isArray(run.results)) throw new Error(`${file}: not a bench/inventory.mjs run`);
const m = run.machine;
const slug = `${String(m.cpu)
  .toLowerCase()
  .replace(/[^a-z0-9]+/g, '-')}-${m.cores}core`;
const saved = `bench/results/${date}-inventory-${slug}.json`;
copyFileSync(file, new URL(`../${saved}`, import.meta.url));

const dbs = [...new Set(run.results.map((r) => r.db))];
const questions = [...new Set(run.results.map((r) => r.question))];
const cell = (r) => {
  if (!r) return '';
  if (r.envelopesPerSecond !== undefined)
    return `${(r.ms / 1000).toFixed(1)} s (${r.envelopesPerSecond.toLocaleString('en-US')}/s; ${r.ratioToFloor}× a bare insert)`;
  if (r.msPerVerification !== undefined) return `${(r.ms / 1000).toFixed(1)} s (${r.msPerVerification} ms each)`;
  return r.ms >= 1000 ? `${(r.ms / 1000).toFixed(2)} s` : `${r.ms} ms`;
};
const target = (q) => (q.startsWith('blast radius of a poisoned') ? ' (target < 1 s)' : '');
const lines = [
  `One \`node bench/inventory.mjs\` run (${date}; ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}; raw`,
  `JSON: [${saved}](${saved})): ${run.envelopes.toLocaleString('en-US')} signed envelopes of ${run.models.toLocaleString('en-US')}`,
  'generated models, ingested with a policy, then each question (median of 5). Regenerate with',
  '`node bench/inventory.mjs > inv.json && node scripts/inventory-table.mjs inv.json`.',
  '',
  `| question | ${dbs.join(' | ')} |`,
  `| --- | ${dbs.map(() => '---').join(' | ')} |`,
  ...questions.map(
    (q) =>
      `| ${q}${target(q)} | ${dbs.map((d) => cell(run.results.find((r) => r.db === d && r.question === q))).join(' | ')} |`,
  ),
];
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const re = /<!-- inventory-table:begin -->[\s\S]*<!-- inventory-table:end -->/;
if (!re.test(readme)) throw new Error('README.md has no inventory-table markers');
writeFileSync(
  new URL('../README.md', import.meta.url),
  readme.replace(re, `<!-- inventory-table:begin -->\n${lines.join('\n')}\n<!-- inventory-table:end -->`),
);
console.error(`README.md updated; run saved as ${saved}`);
