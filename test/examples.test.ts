import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoPath } from './helpers/fixtures.js';

describe('examples/ (the README quick start runs as written)', () => {
  it('lifecycle.mjs verifies a chain and shows a coded failure', () => {
    const r = spawnSync(process.execPath, [repoPath('examples', 'lifecycle.mjs')], {
      encoding: 'utf8',
      cwd: repoPath(),
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^verified: \d+ checks passed; chain dataset -> training -> evaluation -> approval$/m);
    expect(r.stdout).toMatch(/^another model: ok=false, SUBJECT_NOT_APPROVED$/m);
  });
});
