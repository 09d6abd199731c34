/**
 * The layering of src/ (README "Layout"): each module imports only modules of a lower layer, or
 * its own files; every folder and top-level file of src/ is in the table; no file of src/ is
 * over 450 lines (ESLint's max-lines says the same, and max-lines-per-function keeps functions
 * under 100). The table is read from README.md, so the documentation is the rule.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from './helpers/fixtures.js';

const SRC = repoPath('src');

function layerTable(): Map<string, number> {
  const readme = readFileSync(repoPath('README.md'), 'utf8');
  const layout = readme.slice(readme.indexOf('## Layout'));
  const rows = [...layout.matchAll(/^\| (\d+) \| `src\/([^`]+)` \|/gm)];
  return new Map(rows.map((m) => [m[2]!.replace(/\.ts$/, ''), Number(m[1])]));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The module of a file under src/: its top folder, or the file itself for a top-level file. */
const moduleOf = (file: string): string => {
  const parts = relative(SRC, file).split(sep);
  return parts.length === 1 ? parts[0]!.replace(/\.ts$/, '') : parts[0]!;
};

/** Relative imports of a source file: static, re-exports, dynamic and `new URL(…)` worker paths. */
function importsOf(text: string): string[] {
  const specs = [
    ...text.matchAll(/\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g),
    ...text.matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g),
    ...text.matchAll(/^import\s+['"](\.{1,2}\/[^'"]+)['"]/gm),
  ];
  return specs.map((m) => m[1]!);
}

describe('src/ layering (README "Layout")', () => {
  const table = layerTable();
  const files = sourceFiles(SRC);

  it('the table lists every folder and top-level file of src/, and nothing else', () => {
    const present = new Set(readdirSync(SRC).map((f) => f.replace(/\.ts$/, '')));
    expect([...table.keys()].sort()).toEqual([...present].sort());
    expect(table.size).toBeGreaterThan(15);
  });

  it('each module imports only modules of a lower layer (or its own files)', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = moduleOf(file);
      const layer = table.get(from)!;
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        if (!target.startsWith(SRC + sep)) {
          violations.push(`${relative(SRC, file)} imports ${spec}, outside src/`);
          continue;
        }
        const to = moduleOf(target);
        if (to === from) continue;
        const toLayer = table.get(to);
        if (toLayer === undefined || toLayer >= layer)
          violations.push(`${relative(SRC, file)} (${from}, layer ${layer}) imports ${to} (layer ${toLayer ?? '?'})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('the check sees an import that goes up', () => {
    // A core module importing the Node adapter would be a violation: the rule can fail.
    expect(table.get('node')!).toBeGreaterThan(table.get('verify')!);
    expect(importsOf("import { x } from '../node/index.js';\nexport * from './a.js';")).toEqual([
      '../node/index.js',
      './a.js',
    ]);
  });

  it('no file of src/ is over 450 lines', () => {
    const long = files
      .map((f) => ({ f: relative(SRC, f), n: readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter((x) => x.n > 450);
    expect(long).toEqual([]);
  });
});
