/**
 * One answer to "does this key count" (issue 12, item 2): `keyStanding` in src/policy, and the
 * three callers that ask it — chain verification (the report), `lineproof attest`'s check of its
 * own key, and predecessor lookup (src/bundle/predecessors.ts, through `lineproof attest` looking
 * up a dataset in the chain) — give the same standing for the same key and evidence time.
 *
 * The world's chain is fixed (its dataset issued at T.dataset = 2026-01-05T09:00:00Z, signed by the
 * data steward); each case changes only what the policy says of the steward's key.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../../src/bundle/jsonl.js';
import { indexBundle } from '../../src/bundle/lookup.js';
import { leafDatasets, predecessorContext, trustedForStage } from '../../src/bundle/predecessors.js';
import { privateKeyToPem } from '../../src/keys/keys.js';
import { keyStanding } from '../../src/policy/key-standing.js';
import { ROLE_OF_STAGE } from '../../src/policy/roles.js';
import { verifyChain } from '../../src/verify/chain.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { buildWorld, IDENTITY, key, MODEL, T, type World } from '../helpers/world.js';

type Expected = 'COUNTS' | 'KEY_COMPROMISED' | 'KEY_REVOKED' | 'KEY_OUTSIDE_VALIDITY';

interface Case {
  name: string;
  policy: (doc: Record<string, any>) => void;
  expected: Expected;
}

const steward = (doc: Record<string, any>) => doc.keys.steward as Record<string, unknown>;

const CASES: Case[] = [
  { name: 'an active key', policy: () => {}, expected: 'COUNTS' },
  {
    name: 'a retired key, evidence inside its window',
    policy: (d) =>
      Object.assign(steward(d), {
        status: 'retired',
        validFrom: '2025-01-01T00:00:00Z',
        validUntil: '2026-02-01T00:00:00Z',
      }),
    expected: 'COUNTS',
  },
  {
    name: 'a retired key, evidence after its validUntil',
    policy: (d) =>
      Object.assign(steward(d), {
        status: 'retired',
        validFrom: '2025-01-01T00:00:00Z',
        validUntil: '2026-01-01T00:00:00Z',
      }),
    expected: 'KEY_OUTSIDE_VALIDITY',
  },
  {
    name: 'a key, evidence before its validFrom',
    policy: (d) => Object.assign(steward(d), { validFrom: '2026-01-06T00:00:00Z' }),
    expected: 'KEY_OUTSIDE_VALIDITY',
  },
  {
    name: 'a key retired by a policy revocation, evidence before its effectiveAt',
    policy: (d) => {
      d.revocations = [{ kind: 'key', key: 'steward', reason: 'retired', effectiveAt: '2026-01-06T00:00:00Z' }];
    },
    expected: 'COUNTS',
  },
  {
    name: 'a key retired by a policy revocation, evidence after its effectiveAt',
    policy: (d) => {
      d.revocations = [{ kind: 'key', key: 'steward', reason: 'superseded', effectiveAt: '2026-01-01T00:00:00Z' }];
    },
    expected: 'KEY_REVOKED',
  },
  {
    name: 'a compromised key',
    policy: (d) => Object.assign(steward(d), { status: 'compromised', compromisedAt: '2026-03-01T00:00:00Z' }),
    expected: 'KEY_COMPROMISED',
  },
  {
    name: 'a key revoked as compromised (whatever time the evidence claims)',
    policy: (d) => {
      d.revocations = [{ kind: 'key', key: 'steward', reason: 'compromised', effectiveAt: '2026-03-01T00:00:00Z' }];
    },
    expected: 'KEY_COMPROMISED',
  },
];

/** The standing the verifier gives the steward's key: from the chain.key checks of the report. */
async function fromVerification(w: World): Promise<Expected> {
  const { report } = await verifyChain({
    bundle: w.bundle,
    policy: w.policy,
    subject: MODEL,
    useCase: 'support-chat',
    asOf: T.asOf,
  });
  const failed = report.checks.filter((c) => c.status === 'fail' && c.id === 'chain.key' && c.actual === 'steward');
  expect(failed.length).toBeLessThanOrEqual(1);
  if (failed.length === 0) {
    expect(report.ok).toBe(true);
    return 'COUNTS';
  }
  expect(report.ok).toBe(false);
  return failed[0]!.code as Expected;
}

/** A directory with the steward's and the trainer's keys, the case's policy and the world's dataset line. */
async function workspace(w: World): Promise<string> {
  const dir = tempDir('lineproof-key-standing-');
  writeFileSync(join(dir, 'steward.key'), privateKeyToPem(await key('steward')), { mode: 0o600 });
  writeFileSync(join(dir, 'trainer.key'), privateKeyToPem(await key('trainer')), { mode: 0o600 });
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(w.doc));
  writeFileSync(join(dir, 'chain.intoto.jsonl'), w.steps.dataset.line);
  return dir;
}

function codeOf(stderr: string): string {
  return /lineproof: (?:error: )?([A-Z_]+):/.exec(stderr)?.[1] ?? stderr;
}

/** The standing `lineproof attest dataset` gives the steward's key for a dataset issued at T.dataset. */
async function fromAttestCheck(dir: string): Promise<Expected> {
  const r = await cli(
    [
      'attest',
      'dataset',
      '--subject',
      `sha256:${'5'.repeat(64)}`,
      '--name',
      'tickets',
      '--version',
      '2',
      '--owner',
      'data-team',
      '--license',
      'MIT',
      '--sensitivity',
      'internal',
      '--pii',
      'no',
      '--key',
      'steward.key',
      '--policy',
      'policy.json',
      '--at',
      T.dataset,
      '--out',
      'dataset.intoto.json',
    ],
    { cwd: dir },
  );
  if (r.code === 0) return 'COUNTS';
  expect(r.code).toBe(2);
  return codeOf(r.stderr) as Expected;
}

/**
 * Whether predecessor lookup counts the world's dataset: through `lineproof attest training`
 * (which looks the dataset up in the chain) and through src/bundle/predecessors.ts directly.
 */
async function fromLookup(w: World, dir: string): Promise<boolean> {
  const ctx = await predecessorContext(indexBundle(readBundle(w.steps.dataset.line)), w.policy);
  const dataset = ctx.index.ofStage('dataset')[0]!;
  const direct = trustedForStage(ctx, dataset);
  expect(leafDatasets(ctx).length).toBe(direct ? 1 : 0);
  const r = await cli(
    [
      'attest',
      'training',
      '--subject',
      `sha256:${'6'.repeat(64)}`,
      '--started',
      T.trainingStarted,
      '--finished',
      T.trainingFinished,
      '--code',
      'git+https://example.com/trainer',
      '--commit',
      'c0ffee'.padEnd(40, '0'),
      '--key',
      'trainer.key',
      '--policy',
      'policy.json',
      '--chain',
      'chain.intoto.jsonl',
      '--at',
      T.training,
      '--json',
    ],
    { cwd: dir },
  );
  if (direct) expect(r.code).toBe(0);
  else expect([r.code, codeOf(r.stderr)]).toEqual([2, 'PREDECESSOR_NOT_FOUND']);
  return direct;
}

describe('keyStanding: one answer for verification, attest and lookup', () => {
  const worlds = new Map<string, World>();
  beforeAll(async () => {
    for (const c of CASES) worlds.set(c.name, await buildWorld({ policy: c.policy }));
  });

  it.each(CASES)('$name: $expected from keyStanding and from all three callers', async (c) => {
    const w = worlds.get(c.name)!;
    const k = w.policy.keyByName.get('steward')!;
    const standing = keyStanding(w.policy, k, { role: ROLE_OF_STAGE.dataset, at: T.dataset });
    const fromFunction: Expected = standing.counts ? 'COUNTS' : (standing.rejected!.code as Expected);
    expect(fromFunction).toBe(c.expected);
    // the same time in every form the callers use
    expect(keyStanding(w.policy, k, { role: 'data-steward', at: new Date(T.dataset) })).toEqual(standing);
    expect(keyStanding(w.policy, k, { role: 'data-steward', at: BigInt(Date.parse(T.dataset)) * 1_000_000n })).toEqual(
      standing,
    );

    const dir = await workspace(w);
    expect(await fromVerification(w)).toBe(c.expected);
    expect(await fromAttestCheck(dir)).toBe(c.expected);
    expect(await fromLookup(w, dir)).toBe(c.expected === 'COUNTS');
  });

  it('a key out of the role is not rejected, but does not count for the role', async () => {
    const w = await buildWorld();
    const k = w.policy.keyByName.get('steward')!;
    expect(keyStanding(w.policy, k, { role: 'trainer', at: T.dataset })).toEqual({ counts: false, inRole: false });
    expect(keyStanding(w.policy, k, { at: T.dataset })).toEqual({ counts: true, inRole: true });
    const dir = await workspace(w);
    const r = await cli(
      [
        'attest',
        'training',
        '--subject',
        `sha256:${'6'.repeat(64)}`,
        '--key',
        'steward.key',
        '--policy',
        'policy.json',
        '--out',
        'x.json',
      ],
      { cwd: dir },
    );
    expect([r.code, codeOf(r.stderr)]).toEqual([2, 'SIGNER_NOT_IN_ROLE']);
  });

  it('unknown evidence time: no validity window can be checked, but revocations fail closed', async () => {
    const active = await buildWorld();
    const k = active.policy.keyByName.get('steward')!;
    expect(keyStanding(active.policy, k, { role: 'data-steward', at: undefined }).counts).toBe(true);
    expect(keyStanding(active.policy, k, { role: 'data-steward', at: 'not a time' }).counts).toBe(true);
    const revoked = worlds.get(CASES[4]!.name)!;
    expect(
      keyStanding(revoked.policy, revoked.policy.keyByName.get('steward')!, { role: 'data-steward', at: undefined })
        .rejected?.code,
    ).toBe('KEY_REVOKED');
    expect(IDENTITY.steward).toBe(k.identity);
  });
});
