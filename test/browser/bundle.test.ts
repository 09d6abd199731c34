/**
 * scripts/browser-bundle.mjs: the core bundled for browsers, and the build failing on anything of
 * Node — a built-in import (bare or `node:`), a free Node global, a require left for run time —
 * while a local variable that merely shares a global's name is left alone.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOWED_GLOBALS, bundleCore } from '../../scripts/browser-bundle.mjs';
import { tempDir } from '../helpers/tmp.js';

/** Bundle a one-file entry with `source`. */
function bundleOf(source: string): Promise<string> {
  const entry = join(tempDir(), 'entry.js');
  writeFileSync(entry, source);
  return bundleCore({ entry });
}

describe('the browser bundle of the core', () => {
  it('bundles dist/index.js into one ES module with no import left', async () => {
    const text = await bundleCore();
    expect(text.length).toBeGreaterThan(100_000);
    expect(text).toMatch(/\nexport \{/);
    expect(text).not.toMatch(/^import\s|\bimport\s*\(\s*['"`]/m);
  });

  it('keeps only the accepted guarded uses of Node globals (pkijs, behind typeof)', () => {
    expect(ALLOWED_GLOBALS).toEqual({ 'pkijs/build/index.js': ['process', 'global'] });
  });

  describe('when something of Node sneaks in, the build fails', () => {
    it.each([
      ['a node: import', "import { createHash } from 'node:crypto';\nexport const h = createHash;", /node:crypto/],
      ['a bare built-in import', "import fs from 'fs/promises';\nexport { fs };", /"fs\/promises"/],
      ['a dynamic built-in import', "export const m = () => import('worker_threads');", /worker_threads/],
      ['Buffer', "export const b = Buffer.from('x');", /Buffer/],
      ['process, even guarded', "export const p = typeof process === 'object' && process.env.DEBUG;", /process/],
      ['global', 'export const g = global;', /global/],
      ['setImmediate', 'export const s = (f) => setImmediate(f);', /setImmediate/],
      ['a run-time require', 'export const r = (name) => require(name);', /require/],
    ])('%s', async (_, source, message) => {
      await expect(bundleOf(source)).rejects.toThrow(message);
    });
  });

  it('a local binding named like a global is not a Node global, and is output as written', async () => {
    const text = await bundleOf('export function pid(process) {\n  return process.pid;\n}\n');
    expect(text).toContain('return process.pid;');
    expect(text).not.toContain('LINEPROOF_NODE_GLOBAL');
  });
});
