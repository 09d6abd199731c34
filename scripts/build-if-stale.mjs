#!/usr/bin/env node
// Builds dist/ only when it is missing or older than a source. `prepare` runs this, so `npm ci`
// on a fresh clone builds, while `npx lineproof` in a clone (which installs the project into npx's
// cache by a link and runs its `prepare` the first time) and `npm pack` do not rebuild a dist/
// that is already current. `npm run build` always builds; `npm test` builds first (pretest).
//
//   node scripts/build-if-stale.mjs          build if stale, else say so on stderr
//   import { distIsCurrent } from './build-if-stale.mjs'
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
// The build writes the command table last (scripts/postbuild.mjs): its time is the build's.
const stamp = `${root}dist/cli/commands/table.json`;
const SOURCES = ['src', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/postbuild.mjs'];

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newest(`${path}/${f}`)));
}

/** Whether dist/ exists and was built after every source changed. */
export function distIsCurrent() {
  if (!existsSync(stamp)) return false;
  return Math.max(...SOURCES.map((p) => newest(`${root}${p}`))) <= statSync(stamp).mtimeMs;
}

/** Runs `npm run build`; returns its exit status. */
export function build() {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const built = spawnSync(npm, ['run', 'build', '--silent'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  return built.status ?? 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (distIsCurrent()) console.error('dist/ is current: not rebuilt (npm run build rebuilds it)');
  else process.exitCode = build();
}
