#!/usr/bin/env node
// `npm run demo`: `lineproof demo` (src/cli/commands/demo.ts) with its arguments passed on
// (`npm run demo -- --dir /tmp/lp`), building first only when dist/ is missing or older than a
// source: after `npm ci` (which builds) it starts at once.
import { build, distIsCurrent } from './build-if-stale.mjs';

if (!distIsCurrent()) {
  console.error('demo: dist/ is missing or older than src/; building it first (npm run build)');
  const status = build();
  if (status !== 0) process.exit(status);
}
const { run, nodeIo } = await import(new URL('../dist/cli/run.js', import.meta.url).href);
process.exitCode = await run(['demo', ...process.argv.slice(2)], nodeIo());
