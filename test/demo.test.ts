import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoPath } from './helpers/fixtures.js';

describe('npm run demo (scripts/demo.mjs, against dist/)', () => {
  it('attests a model from data to production through the CLI, verifies it, and shows three attacks rejected with their codes; exit 0', () => {
    // About 20 s alone on the 2-core machine; a loaded machine (parallel test files, other jobs)
    // can take several times that, so the limit is generous and a timeout is said as such.
    const r = spawnSync(process.execPath, [repoPath('scripts', 'demo.mjs')], { encoding: 'utf8', timeout: 240_000 });
    expect(r.error, `the demo did not finish: ${String(r.error)}`).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ {2}FAIL APPROVAL_THRESHOLD_NOT_MET /m); // one approver is not enough
    expect(r.stdout).toMatch(/^ {2}VERIFIED: model /m);
    expect(r.stdout).toMatch(/^ {2}FAIL SUBJECT_NOT_APPROVED .*\(model-tampered\)/m);
    expect(r.stdout).toMatch(/^ {2}FAIL REFERENCE_UNRESOLVED .*predicate\.evidence\[1\]/m);
    expect(r.stdout).toMatch(/^ {2}FAIL USE_CASE_NOT_APPROVED /m);
    expect(r.stdout).toMatch(/^ {2}└─ approval sha256:[0-9a-f]{64} {2}\(line 4, 5\)/m); // inspect: co-signed in a second line
    expect(r.stdout).toMatch(/^demo OK/m);
    expect(r.status).toBe(0);
  }, 300_000);
});
