// Regenerate README's "every target, one run" table from the JSON `npm run bench` printed:
//   npm run bench > run.json && node scripts/speed-table.mjs run.json [--date YYYY-MM-DD]
// Writes between <!-- speed-table:begin --> and <!-- speed-table:end --> in README.md, and copies
// the run into bench/results/DATE-full-CPU-NCORE.json, so every figure in the table has its JSON.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/speed-table.mjs RUN.json [--date YYYY-MM-DD]');
  process.exit(2);
}
const date = rest[0] === '--date' ? rest[1] : new Date().toISOString().slice(0, 10);
const run = JSON.parse(readFileSync(file, 'utf8'));
if (!Array.isArray(run.summary)) throw new Error(`${file}: no summary (not the output of npm run bench)`);
const machines = Object.values(run)
  .filter((b) => b && b.machine)
  .map((b) => b.machine);
const machine = machines.find((m) => m.memoryGiB !== undefined) ?? machines[0] ?? {};
const slug = `${String(machine.cpu ?? 'machine')
  .toLowerCase()
  .replace(/[^a-z0-9]+/g, '-')}-${machine.cores ?? '?'}core`;
const saved = `bench/results/${date}-full-${slug}.json`;
copyFileSync(file, new URL(`../${saved}`, import.meta.url));

const fmt = (v) => (typeof v === 'number' ? `${Number(v.toPrecision(3))}` : v === undefined ? '' : String(v));
const cell = (s) => s.replace(/\|/g, '\\|');
const rows = run.summary.map((t) => {
  const measured = t.ratio !== undefined ? `${fmt(t.ratio)}×` : fmt(t.value);
  // A target is a floor (throughput) or a ceiling (time, cost): which one its verdict shows.
  const side =
    typeof t.goal === 'number' &&
    typeof t.ratio === 'number' &&
    t.met === t.ratio <= t.goal &&
    t.met !== t.ratio >= t.goal
      ? '≤ '
      : '≥ ';
  const goal =
    t.goal === undefined
      ? ''
      : typeof t.goal === 'number' && t.ratio !== undefined
        ? `${side}${fmt(t.goal)}×`
        : fmt(t.goal);
  const met = t.met === undefined ? '' : t.met ? 'yes' : '**no**';
  return `| ${t.bench} | ${cell(t.name)} | ${measured} | ${cell(goal)} | ${met} |`;
});
const failed = run.summary.filter((t) => t.met === false).length;
const table = [
  `Every target of one \`npm run bench\` run (${date}; ${machine.cpu ?? '?'}, ${machine.cores ?? '?'} cores,`,
  `${machine.memoryGiB ?? '?'} GiB, Node ${machine.node ?? '?'}; raw JSON: [${saved}](${saved})). Each ratio is`,
  `against its peer measured in the same run: ≥ marks a throughput ratio, ≤ a time or cost ratio; ${failed} of`,
  `${run.summary.filter((t) => t.met !== undefined).length} targets not met. Regenerate with`,
  '`npm run bench > run.json && node scripts/speed-table.mjs run.json`.',
  '',
  '| benchmark | target | measured | goal | met |',
  '| --- | --- | --- | --- | --- |',
  ...rows,
].join('\n');
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const re = /<!-- speed-table:begin -->[\s\S]*<!-- speed-table:end -->/;
if (!re.test(readme)) throw new Error('README.md has no speed-table markers');
writeFileSync(
  new URL('../README.md', import.meta.url),
  readme.replace(re, `<!-- speed-table:begin -->\n${table}\n<!-- speed-table:end -->`),
);
console.log(`README.md: ${rows.length} rows; ${saved}`);
