/**
 * The repository stands alone: every "decisions §N" cited by the code, the tests, the benches and
 * the spec names a section of spec/decisions.md, and no document outside the repository is cited.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from './helpers/fixtures.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mjs|md|json)$/.test(name) ? [p] : [];
  });
}

describe('spec/decisions.md', () => {
  const sections = new Set(
    [...readFileSync(repoPath('spec', 'decisions.md'), 'utf8').matchAll(/^## (\d+)\. /gm)].map((m) => Number(m[1])),
  );
  const all = ['src', 'test', 'spec', 'bench', 'scripts', 'examples']
    .flatMap((d) => files(repoPath(d)))
    .concat([repoPath('README.md')]);

  it('has the sixteen numbered sections', () => {
    expect([...sections].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it('every "decisions §N" reference names one of its sections', () => {
    const bad: string[] = [];
    let count = 0;
    for (const f of all) {
      for (const m of readFileSync(f, 'utf8').matchAll(/decisions(?:\.md)?\s*(?:\n\s*\*\s*)?§(\d+)/g)) {
        count++;
        if (!sections.has(Number(m[1]))) bad.push(`${relative(repoPath(), f)}: §${m[1]}`);
      }
    }
    expect(bad).toEqual([]);
    expect(count).toBeGreaterThan(100);
  });

  it('nothing cites a design document the repository does not hold', () => {
    const self = repoPath('test', 'spec-decisions.test.ts');
    const hits = all
      .filter((f) => f !== self && /\bDESIGN(?:\.md)?\b/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(repoPath(), f));
    expect(hits).toEqual([]);
  });
});
