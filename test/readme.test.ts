/**
 * README's "Three first steps": every command of its three blocks runs as written, in a folder
 * holding the demo's output, with `npx lineproof` standing for the built CLI (what npx runs in a
 * clone). A line commented `exit 1` must exit 1; every other line 0.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from './helpers/fixtures.js';

const BIN = repoPath('dist', 'cli', 'main.js');

/** The shell lines of the section, continuations joined, with the exit code each expects. */
function steps(): Array<{ line: string; exit: number }> {
  const readme = readFileSync(repoPath('README.md'), 'utf8');
  const start = readme.indexOf('### Three first steps');
  const section = readme.slice(start, readme.indexOf('\n## ', start));
  const out: Array<{ line: string; exit: number }> = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const text = block[1]!.replace(/\\\n\s*/g, ' ');
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') continue;
      const hash = raw.indexOf('   #');
      const comment = hash >= 0 ? raw.slice(hash) : '';
      out.push({ line: (hash >= 0 ? raw.slice(0, hash) : raw).trim(), exit: /exit 1/.test(comment) ? 1 : 0 });
    }
  }
  return out;
}

describe("README's three first steps", () => {
  it('run as written after the demo', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineproof-readme-'));
    const demo = spawnSync(process.execPath, [BIN, 'demo', '--dir', join(dir, 'lineproof-demo'), '--quiet'], {
      encoding: 'utf8',
    });
    expect(demo.status, demo.stderr).toBe(0);
    const found = steps();
    expect(found.length).toBeGreaterThanOrEqual(7);
    let cwd = dir;
    for (const { line, exit } of found) {
      const words = line.split(/\s+/);
      if (words[0] === 'cd') {
        cwd = join(cwd, words[1]!);
        continue;
      }
      const argv =
        words[0] === 'npx' && words[1] === 'lineproof'
          ? [BIN, ...words.slice(2)]
          : words[0] === 'node'
            ? [repoPath(words[1]!), ...words.slice(2)]
            : undefined;
      expect(argv, `unexpected command: ${line}`).toBeDefined();
      const r = spawnSync(process.execPath, argv!, { cwd, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, `${line}\n${r.stdout}\n${r.stderr}`).toBe(exit);
      if (line.includes('flipped-weight'))
        expect(r.stdout).toMatch(/MANIFEST_ITEM_MISMATCH artifact\.file \(weights\.bin\)/);
    }
  }, 120_000);
});
