/**
 * The core is zero-I/O (decisions §1): no Node built-in, no Buffer, no process, outside src/node and
 * src/cli. Enforced twice: by scanning imports, and by bundling the core entry for esbuild's
 * `neutral` platform, which cannot resolve any built-in. The bundle is then run in a fresh V8
 * context that has only web globals, as a browser would.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import * as vm from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { repoPath } from './helpers/fixtures.js';
import { NEUTRAL_BUILD, coreInWebContext } from './helpers/neutral.js';

const SRC = repoPath('src');
const ADAPTER_DIRS = ['node', 'cli'];
// multiformats/hashes/sha2 imports node:crypto through its package "exports" conditions.
const FORBIDDEN_PACKAGE_PATHS = [/^multiformats\/hashes\/sha2/, /^multiformats\/hashes\/identity$/];

function coreFiles(dir = SRC): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (dir === SRC && ADAPTER_DIRS.includes(name)) continue;
      out.push(...coreFiles(p));
    } else if (/\.(ts|mts|js)$/.test(name)) out.push(p);
  }
  return out;
}

function specifiers(source: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

const neutral = NEUTRAL_BUILD;

describe('zero-I/O core', () => {
  const files = coreFiles();

  it('finds the core files', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('no core file imports a Node built-in or a forbidden package path', () => {
    const bad: string[] = [];
    for (const f of files) {
      for (const s of specifiers(readFileSync(f, 'utf8'))) {
        if (builtins.has(s) || s.startsWith('node:') || FORBIDDEN_PACKAGE_PATHS.some((re) => re.test(s)))
          bad.push(`${relative(SRC, f)}: ${s}`);
        if (s.startsWith('.') && /\/(node|cli)\//.test(join(f, '..', s).replace(SRC, '')))
          bad.push(`${relative(SRC, f)}: ${s} (adapter import)`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('no core file uses Buffer or process', () => {
    const bad: string[] = [];
    for (const f of files) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
          if (/\bBuffer\b|\bprocess\s*\./.test(code)) bad.push(`${relative(SRC, f)}:${i + 1}`);
        });
    }
    expect(bad).toEqual([]);
  });

  it('the scanner catches a built-in import (it can fail)', () => {
    expect(specifiers("import { readFileSync } from 'node:fs';\nconst x = await import('crypto');")).toEqual([
      'node:fs',
      'crypto',
    ]);
  });

  it('bundles for the neutral platform (no built-in can resolve)', async () => {
    const result = await build({ ...neutral, entryPoints: [join(SRC, 'index.ts')], format: 'esm' });
    expect(result.errors).toEqual([]);
    expect(result.outputFiles![0]!.text.length).toBeGreaterThan(1000);
  });

  it('the neutral build fails when the core imports a built-in', async () => {
    const attempt = build({
      ...neutral,
      stdin: {
        contents:
          "export * from './src/index.ts';\nimport { createHash } from 'node:crypto';\nexport const h = createHash;",
        resolveDir: repoPath(),
        loader: 'ts',
      },
      format: 'esm',
    });
    await expect(attempt).rejects.toThrow(/node:crypto/);
  });

  it('the neutral bundle runs in a context with web globals only (no process, no Buffer)', async () => {
    const context = await coreInWebContext();
    const core = context.lineproof as typeof import('../src/index.js');
    expect(vm.runInContext('typeof process + typeof Buffer + typeof require', context)).toBe(
      'undefinedundefinedundefined',
    );
    expect(core.canonicalJson({ b: [1, 'é'], a: null })).toBe('{"a":null,"b":[1,"é"]}');
    expect(() => core.parseJson('{"a":1,"a":2}')).toThrow(/duplicate key/);
  });
});
