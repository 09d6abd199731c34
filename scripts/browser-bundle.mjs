// The core (`lineproof`, dist/index.js) bundled for browsers: one ES module, esbuild's browser
// platform, nothing of Node in it. test/browser/core-in-browser.test.ts serves it from 127.0.0.1 to
// headless Chromium and verifies a chain, an envelope and a chunk-tree root there.
//
//   node scripts/browser-bundle.mjs                 write dist/lineproof.browser.js
//   node scripts/browser-bundle.mjs --out FILE      write FILE
//
// Run `npm run build` first: the bundle is made from dist/, the code the package ships.
//
// The build fails, and nothing is written, when
// 1. any module imports a Node built-in (`node:fs`, `crypto`, ...): a plugin refuses it before
//    esbuild resolves it, so a dependency's package.json "browser" map cannot swap in a stand-in;
// 2. any module refers to a Node global (process, Buffer, global, setImmediate, ...) as a free
//    variable. esbuild knows the scopes: each such global is defined to a marker, only free
//    references become markers, and a marker left in the output names the global and its file.
//    The markers are then put back to the names they stand for, so the output is esbuild's own.
//    ALLOWED_GLOBALS lists the uses read and accepted, each behind a `typeof` test;
// 3. a `require` is left for run time (esbuild's `__require` helper), which a browser cannot serve.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { argv, exit, stderr, stdout } from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CORE_ENTRY = join(ROOT, 'dist', 'index.js');
export const DEFAULT_OUTFILE = join(ROOT, 'dist', 'lineproof.browser.js');

/** Globals that exist in Node and not in a browser. */
export const NODE_GLOBALS = [
  'process',
  'Buffer',
  'global',
  'setImmediate',
  'clearImmediate',
  '__dirname',
  '__filename',
];

/**
 * Free references to Node globals accepted in the bundle, by file (the path after node_modules/):
 * pkijs picks where it keeps its crypto engine with `typeof process !== "undefined" && ...` and
 * `typeof global !== "undefined"`; in a browser both tests are false and neither name is touched.
 */
export const ALLOWED_GLOBALS = { 'pkijs/build/index.js': ['process', 'global'] };

const marker = (name) => `__LINEPROOF_NODE_GLOBAL_${name}__`;
const BUILTIN = new RegExp(`^(node:.*|${builtinModules.map((m) => m.replace(/[/.]/g, '\\$&')).join('|')})(/.*)?$`);

const refuseBuiltins = {
  name: 'refuse-node-builtins',
  setup(b) {
    b.onResolve({ filter: BUILTIN }, (args) => ({
      errors: [{ text: `Node built-in "${args.path}" imported by ${args.importer}: the browser bundle has no Node` }],
    }));
  },
};

/** The file each output line came from, read from esbuild's `// path` comments (unminified output). */
function freeGlobals(text) {
  const found = [];
  let file = '?';
  for (const line of text.split('\n')) {
    const from = /^\/\/ (\S+\.[cm]?js)$/.exec(line);
    if (from)
      file = from[1].includes('node_modules/') ? from[1].slice(from[1].lastIndexOf('node_modules/') + 13) : from[1];
    for (const name of NODE_GLOBALS) if (line.includes(marker(name))) found.push({ file, name });
  }
  return found;
}

/**
 * Bundle the core for browsers.
 * @param {{ entry?: string, outfile?: string }} [options] entry: the module to bundle (default
 *   dist/index.js); outfile: where to write the bundle (default: write nothing)
 * @returns {Promise<string>} the bundle, one ES module
 * @throws {Error} dist/ is not built; a Node built-in, Node global or run-time require is in the bundle
 */
export async function bundleCore({ entry = CORE_ENTRY, outfile } = {}) {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    logLevel: 'silent',
    plugins: [refuseBuiltins],
    define: Object.fromEntries(NODE_GLOBALS.map((name) => [name, marker(name)])),
  });
  let text = result.outputFiles[0].text;
  const bad = freeGlobals(text).filter(({ file, name }) => !ALLOWED_GLOBALS[file]?.includes(name));
  if (bad.length > 0)
    throw new Error(
      `Node globals in the browser bundle: ${[...new Set(bad.map(({ file, name }) => `${name} (${file})`))].join(', ')}`,
    );
  if (/\b__require\b/.test(text)) throw new Error('a require() is left for run time in the browser bundle');
  for (const name of NODE_GLOBALS) text = text.replaceAll(marker(name), name);
  if (outfile) {
    mkdirSync(dirname(resolve(outfile)), { recursive: true });
    writeFileSync(outfile, text);
  }
  return text;
}

if (argv[1] && resolve(argv[1]) === fileURLToPath(import.meta.url)) {
  const at = argv.indexOf('--out');
  const outfile = at === -1 ? DEFAULT_OUTFILE : argv[at + 1];
  if (!outfile || argv.length > (at === -1 ? 2 : 4)) {
    stderr.write('usage: node scripts/browser-bundle.mjs [--out FILE]\n');
    exit(2);
  }
  try {
    const text = await bundleCore({ outfile });
    stdout.write(`${outfile}: ${text.length} bytes\n`);
  } catch (e) {
    stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    exit(1);
  }
}
