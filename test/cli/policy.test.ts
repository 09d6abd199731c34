/**
 * `lineproof policy sign|verify|show|diff` and `verify --policy-root` (decisions §13): a signed
 * rotation accepted, the attacks refused with their codes and exit 1, malformed files exit 2.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../src/bytes/index.js';
import { sha256 } from '../../src/digest/index.js';
import { privateKeyFromSeed, publicKeyToHex } from '../../src/keys/keys.js';
import { reportSchema } from '../../src/report/index.js';
import { cli } from '../helpers/cli.js';
import { buildWorld, MODEL, policyDoc, T } from '../helpers/world.js';

let dir = '';
const p = (n: string) => join(dir, n);
type Doc = Record<string, any>;

async function withAdmins(version: number, names: string[], threshold: number, edit?: (d: Doc) => void): Promise<Doc> {
  const d = await policyDoc();
  d.version = version;
  for (const n of names) {
    const seed = sha256(utf8(`lineproof cli admin ${n}`));
    d.keys[n] = { publicKey: publicKeyToHex((await privateKeyFromSeed(seed)).publicKey) };
    d.identities[`mailto:${n}@example.com`] = { keys: [n] };
  }
  d.admins = { keys: names, threshold };
  edit?.(d);
  return d;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lineproof-policy-cli-'));
  for (const n of ['a1', 'a2', 'a3', 'a4'])
    writeFileSync(p(`${n}.key`), `${toHex(sha256(utf8(`lineproof cli admin ${n}`)))}\n`, { mode: 0o600 });
  const world = await buildWorld();
  writeFileSync(p('chain.intoto.jsonl'), world.bundle);
  writeFileSync(p('v1.json'), JSON.stringify(await withAdmins(1, ['a1', 'a2'], 2)));
  writeFileSync(
    p('v2.json'),
    JSON.stringify(await withAdmins(2, ['a1', 'a2'], 2, (d) => (d.riskTiers.high.approvers = 1))),
  );
  writeFileSync(p('v2-swap.json'), JSON.stringify(await withAdmins(2, ['a3', 'a4'], 2)));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sign = (file: string, keys: string[], out: string) =>
  cli(['policy', 'sign', p(file), ...keys.flatMap((k) => ['--key', p(`${k}.key`)]), '--out', p(out)]);

describe('lineproof policy', () => {
  it('sign writes a policy envelope; admins can sign one after another', async () => {
    expect((await sign('v2.json', ['a1'], 'v2.signed.json')).code).toBe(0);
    const r = await sign('v2.signed.json', ['a2'], 'v2.signed.json');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/2 signature\(s\)/);
    const env = JSON.parse(readFileSync(p('v2.signed.json'), 'utf8'));
    expect(env.payloadType).toBe('application/vnd.lineproof.policy.v1+json');
  });

  it('verify accepts a co-signed version under the pinned root, and refuses the attacks (exit 1)', async () => {
    await sign('v2.json', ['a1', 'a2'], 'v2.ok.json');
    const ok = await cli(['policy', 'verify', '--policy-root', p('v1.json'), '--policy', p('v2.ok.json')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ACCEPTED: https:\/\/example.com\/policies\/test version 2 .*rooted; signed by a1, a2/);
    const cases: Array<[string[], string]> = [
      [['--policy', p('v2.json')], 'POLICY_UNSIGNED'],
      [['--policy', p('v2.half.json')], 'POLICY_ROTATION_UNSIGNED'],
      [['--policy', p('v2-swap.signed.json')], 'POLICY_ROTATION_UNSIGNED'],
      [['--policy', p('v2.ok.json'), '--min-policy-version', '3'], 'POLICY_ROLLBACK'],
    ];
    await sign('v2.json', ['a1'], 'v2.half.json');
    await sign('v2-swap.json', ['a3', 'a4'], 'v2-swap.signed.json');
    for (const [args, code] of cases) {
      const r = await cli(['policy', 'verify', '--policy-root', p('v1.json'), ...args, '--json']);
      expect(r.code, code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code });
    }
    // rolled back: the root is version 2, the policy given version 1
    const back = await cli(['policy', 'verify', '--policy-root', p('v2.ok.json'), '--policy', p('v1.json')]);
    expect(back.code).toBe(1);
    expect(back.stderr).toMatch(/REFUSED: POLICY_ROLLBACK/);
  });

  it('verify --policy-root refuses an unsigned policy with a report naming policy.trust (exit 1); without a root it loads', async () => {
    const args = [
      'verify',
      '--chain',
      p('chain.intoto.jsonl'),
      '--digest',
      MODEL,
      '--use-case',
      'support-chat',
      '--at',
      T.asOf,
    ];
    const refused = await cli([...args, '--policy-root', p('v1.json'), '--policy', p('v2.json'), '--json']);
    expect(refused.code).toBe(1);
    const report = JSON.parse(refused.stdout);
    expect(reportSchema.safeParse(report).success).toBe(true);
    expect(report.checks).toEqual([
      expect.objectContaining({ id: 'policy.trust', code: 'POLICY_UNSIGNED', status: 'fail' }),
    ]);
    const rooted = await cli([...args, '--policy-root', p('v1.json'), '--policy', p('v2.ok.json'), '--json']);
    expect(rooted.code).toBe(0);
    expect(JSON.parse(rooted.stdout).checks[0]).toMatchObject({ id: 'policy.trust', status: 'pass' });
    const plain = await cli([...args, '--policy', p('v2.json')]);
    expect(plain.code).toBe(0);
    // a malformed root is an operator error
    writeFileSync(p('bad-root.json'), '{"lineproofPolicyRoot": 2}');
    const bad = await cli([...args, '--policy-root', p('bad-root.json'), '--policy', p('v2.ok.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/POLICY_ROOT_INVALID/);
  });

  it('show prints id, version, digest, admins and signatures', async () => {
    const r = await cli(['policy', 'show', p('v2.ok.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^policy https:\/\/example.com\/policies\/test version 2$/m);
    expect(r.stdout).toMatch(/^signed: 2 signature\(s\)/m);
    expect(r.stdout).toMatch(/^admins: 2 of a1, a2$/m);
    const j = JSON.parse((await cli(['policy', 'show', p('v1.json'), '--json'])).stdout);
    expect(j).toMatchObject({ version: 1, signed: false, admins: { keys: ['a1', 'a2'], threshold: 2 } });
    expect(j.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('diff lists the lowered gate and the admin swap as trust changes (exit 1), nothing for the same policy (exit 0)', async () => {
    const r = await cli(['policy', 'diff', p('v1.json'), p('v2.ok.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^! ~ riskTiers\.high\.approvers: 2 -> 1$/m);
    expect(r.stdout).toMatch(/^ {2}~ version: 1 -> 2$/m);
    const swap = JSON.parse((await cli(['policy', 'diff', p('v1.json'), p('v2-swap.json'), '--json'])).stdout);
    expect(swap.changes).toContainEqual(
      expect.objectContaining({ path: 'admins.keys[0]', kind: 'changed', old: 'a1', new: 'a3', trust: true }),
    );
    expect((await cli(['policy', 'diff', p('v1.json'), p('v1.json')])).code).toBe(0);
    expect((await cli(['policy', 'diff', p('v1.json'), p('missing.json')])).code).toBe(2);
  });

  it('every subcommand has --help', async () => {
    for (const c of ['sign', 'verify', 'show', 'diff']) {
      const r = await cli(['policy', c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: lineproof policy ${c}`));
    }
  });
});
