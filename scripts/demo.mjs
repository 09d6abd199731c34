#!/usr/bin/env node
// `npm run demo`: `lineproof demo` (src/cli/commands/demo.ts) with its arguments passed on
// (`npm run demo -- --dir /tmp/lp`), building first only when dist/ is missing or older than a
// source: after `npm ci` (which builds) it starts at once.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
// The build writes the command table last (scripts/postbuild.mjs): its time is the build's.
const stamp = `${root}dist/cli/commands/table.json`;

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newest(`${path}/${f}`)));
}

const sources = ['src', 'tsconfig.json', 'tsconfig.build.json', 'scripts/postbuild.mjs'].map((p) => `${root}${p}`);
if (!existsSync(stamp) || Math.max(...sources.map(newest)) > statSync(stamp).mtimeMs) {
  console.error('demo: dist/ is missing or older than src/; building it first (npm run build)');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const built = spawnSync(npm, ['run', 'build', '--silent'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const { run, nodeIo } = await import(new URL('../dist/cli/run.js', import.meta.url).href);
process.exitCode = await run(['demo', ...process.argv.slice(2)], nodeIo());
