import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoPath } from './helpers/fixtures.js';

describe('npm run demo (scripts/demo.mjs, against dist/)', () => {
  it('signs, verifies, and shows the one-byte change rejected with its code; exit 0', () => {
    const r = spawnSync(process.execPath, [repoPath('scripts', 'demo.mjs')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/FAIL dsse\.threshold DSSE_NO_TRUSTED_SIGNATURE/);
    expect(r.stdout).toMatch(/demo OK/);
    expect(r.status).toBe(0);
  });
});
