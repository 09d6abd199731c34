import { build, type BuildOptions } from 'esbuild';
import * as vm from 'node:vm';
import { repoPath } from './fixtures.js';

/** esbuild options for the core as a browser or edge runtime sees it: no Node built-in resolves. */
export const NEUTRAL_BUILD: BuildOptions = {
  bundle: true,
  write: false,
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['browser', 'import', 'default'],
  logLevel: 'silent',
  target: 'es2022',
};

/**
 * Bundle the core entry for the neutral platform and run it in a fresh V8 context holding only web
 * globals (no process, Buffer or require); returns that context, with the core at `lineproof`.
 */
export async function coreInWebContext(): Promise<vm.Context> {
  const result = await build({
    ...NEUTRAL_BUILD,
    entryPoints: [repoPath('src', 'index.ts')],
    format: 'iife',
    globalName: 'lineproof',
  });
  const context = vm.createContext({
    TextEncoder,
    TextDecoder,
    crypto: globalThis.crypto,
    console,
    Uint8Array,
    ArrayBuffer,
    DataView,
  });
  vm.runInContext(`${result.outputFiles![0]!.text};globalThis.lineproof = lineproof;`, context);
  return context;
}
