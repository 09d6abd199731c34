/**
 * `lineproof revoke add|sign|show` and `verify --revocations / --min-revocation-sequence`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../src/bytes/index.js';
import { sha256 } from '../../src/digest/index.js';
import { cli } from '../helpers/cli.js';
import { buildWorld, DATASET, MODEL, T } from '../helpers/world.js';

let dir = '';
const p = (n: string) => join(dir, n);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lineproof-revoke-cli-'));
  for (const n of ['revoker', 'mallory'])
    writeFileSync(p(`${n}.key`), `${toHex(sha256(utf8(`lineproof test key: ${n}`)))}\n`, { mode: 0o600 });
  const world = await buildWorld();
  writeFileSync(p('policy.json'), JSON.stringify(world.doc));
  writeFileSync(p('chain.intoto.jsonl'), world.bundle);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** verify the test chain as of `at` (the chain's own time unless given). */
const verifyAt = (at: string, ...extra: string[]) =>
  cli([
    'verify',
    '--chain',
    p('chain.intoto.jsonl'),
    '--policy',
    p('policy.json'),
    '--digest',
    MODEL,
    '--use-case',
    'support-chat',
    '--at',
    at,
    ...extra,
  ]);

describe('lineproof revoke', () => {
  it('add drafts a list, sign signs it, show prints it', async () => {
    const add = await cli([
      'revoke',
      'add',
      p('draft.json'),
      '--policy',
      p('policy.json'),
      '--kind',
      'dataset',
      '--digest',
      DATASET,
      '--reason',
      'consent withdrawn',
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(readFileSync(p('draft.json'), 'utf8'))).toMatchObject({
      policy: 'https://example.com/policies/test',
      sequence: 1,
      entries: [{ kind: 'dataset', digest: DATASET, reason: 'consent withdrawn' }],
    });
    const bad = await cli([
      'revoke',
      'add',
      p('draft.json'),
      '--policy',
      p('policy.json'),
      '--kind',
      'key',
      '--key',
      'nobody',
      '--reason',
      'x',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"nobody" is not a key of the policy/);
    const retired = await cli([
      'revoke',
      'add',
      p('draft.json'),
      '--policy',
      p('policy.json'),
      '--kind',
      'key',
      '--key',
      'bob',
      '--reason',
      'retired',
    ]);
    expect(retired.code).toBe(2);
    expect(retired.stderr).toMatch(/effectiveAt/);
    const sign = await cli([
      'revoke',
      'sign',
      p('draft.json'),
      '--key',
      p('revoker.key'),
      '--sequence',
      '3',
      '--out',
      p('list3.json'),
    ]);
    expect(sign.code, sign.stderr).toBe(0);
    const show = await cli(['revoke', 'show', p('list3.json')]);
    expect(show.stdout).toMatch(/^revocation list for https:\/\/example.com\/policies\/test, sequence 3$/m);
    expect(show.stdout).toMatch(/^ {2}dataset sha256:[0-9a-f]{64}: consent withdrawn$/m);
    expect(JSON.parse((await cli(['revoke', 'show', p('draft.json'), '--json'])).stdout)).toMatchObject({
      signed: false,
    });
  });

  it('verify --revocations: a revoker-signed list revokes (exit 1); a list mallory signed is ignored (exit 0); rollback refused', async () => {
    // the list is issued now, after the chain's as-of time; verify as of now + a day
    const later = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await cli([
      'revoke',
      'sign',
      p('draft.json'),
      '--key',
      p('revoker.key'),
      '--sequence',
      '3',
      '--out',
      p('list3.json'),
    ]);
    await cli([
      'revoke',
      'sign',
      p('draft.json'),
      '--key',
      p('mallory.key'),
      '--sequence',
      '9',
      '--out',
      p('mallory.json'),
    ]);
    const run = (...extra: string[]) => verifyAt(later, ...extra);
    // as of now the 2026 approval may have expired; compare with and without the list
    const without = await run();
    const revoked = await run('--revocations', p('list3.json'), '--json');
    const report = JSON.parse(revoked.stdout);
    expect(report.checks.filter((c: any) => c.code === 'REVOKED')).toHaveLength(1);
    expect(report.checks.find((c: any) => c.id === 'revocations.list')).toMatchObject({ status: 'pass' });
    const ignored = JSON.parse((await run('--revocations', p('mallory.json'), '--json')).stdout);
    expect(ignored.checks.find((c: any) => c.id === 'revocations.list')).toMatchObject({
      status: 'skip',
      code: 'REVOCATIONS_THRESHOLD_NOT_MET',
    });
    expect(ignored.checks.filter((c: any) => c.status === 'fail').map((c: any) => c.code)).toEqual(
      JSON.parse((await run('--json')).stdout)
        .checks.filter((c: any) => c.status === 'fail')
        .map((c: any) => c.code),
    );
    expect(without.code).toBe(ignored.ok ? 0 : 1);
    const rollback = await run('--revocations', p('list3.json'), '--min-revocation-sequence', '4');
    expect(rollback.code).toBe(1);
    expect(rollback.stdout).toMatch(/^FAIL REVOCATIONS_ROLLBACK revocations\.list/m);
    expect((await verifyAt(T.asOf, '--revocations', p('missing.json'))).code).toBe(2);
    // a signed policy serves as --policy; as a list, a file of another payloadType is refused by name
    expect(
      (await cli(['policy', 'sign', p('policy.json'), '--key', p('revoker.key'), '--out', p('policy.signed.json')]))
        .code,
    ).toBe(0);
    const viaSigned = await cli([
      'revoke',
      'add',
      p('draft2.json'),
      '--policy',
      p('policy.signed.json'),
      '--kind',
      'model',
      '--digest',
      MODEL,
      '--reason',
      'recall',
    ]);
    expect(viaSigned.code, viaSigned.stderr).toBe(0);
    const wrong = await cli(['revoke', 'show', p('policy.signed.json')]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/is not application\/vnd\.lineproof\.revocations\.v1\+json/);
  });

  it('every subcommand has --help', async () => {
    for (const c of ['add', 'sign', 'show']) {
      const r = await cli(['revoke', c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: lineproof revoke ${c}`));
    }
  });
});
