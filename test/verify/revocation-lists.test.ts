/**
 * Signed revocation lists at verification (decisions §13, issue 13): the highest valid sequence
 * wins; a stale, expired, missing or rolled-back list fails with its own code when the policy or
 * the caller requires it; a list no trusted revoker signed changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { ed25519Signer } from '../../src/keys/keys.js';
import { nodeEd25519Verifier } from '../../src/node/ed25519.js';
import { judgeRevocationList, signRevocationList, REVOCATIONS_PAYLOAD_TYPE } from '../../src/policy/revocation-list.js';
import type { Check, Report } from '../../src/report/index.js';
import { verifyChain } from '../../src/verify/chain.js';
import type { Envelope } from '../../src/dsse/envelope.js';
import { expectStepOrder } from '../helpers/steps.js';
import { buildWorld, DATASET, key, MODEL, T, type KeyName, type World } from '../helpers/world.js';
import { goldenReports } from '../helpers/golden-reports.js';

const expectGolden = goldenReports(import.meta.url);

const ID = 'https://example.com/policies/test';
const day = (d: number) => new Date(Date.parse(T.asOf) + d * 86_400_000).toISOString().replace('.000Z', 'Z');

async function list(
  sequence: number,
  entries: any[],
  opts: { issuedAt?: string; expires?: string; by?: KeyName[]; policy?: string } = {},
): Promise<Envelope> {
  return signRevocationList(
    {
      policy: opts.policy ?? ID,
      sequence,
      issuedAt: opts.issuedAt ?? day(-1),
      expires: opts.expires ?? day(30),
      entries,
    },
    await Promise.all((opts.by ?? ['revoker']).map(async (n) => ed25519Signer(await key(n)))),
  );
}

const revokeDataset = { kind: 'dataset', digest: DATASET, reason: 'consent withdrawn' };

async function run(world: World, lists: Envelope[], minSequence?: number) {
  const { report } = await verifyChain({
    bundle: world.bundle,
    policy: world.policy,
    subject: MODEL,
    useCase: 'support-chat',
    asOf: T.asOf,
    revocations: { lists, ...(minSequence === undefined ? {} : { minSequence }) },
  });
  expectStepOrder(report);
  expectGolden(report);
  return report;
}
const failed = (r: Report) => r.checks.filter((c) => c.status === 'fail').map((c) => `${c.id} ${c.code}`);
const listChecks = (r: Report): Check[] => r.checks.filter((c) => c.id === 'revocations.list');

describe('signed revocation lists', () => {
  it('a valid list revoking the dataset fails the chain (REVOKED), naming the list', async () => {
    const world = await buildWorld();
    const r = await run(world, [await list(1, [revokeDataset])]);
    expect(failed(r)).toEqual(['chain.revocation REVOKED']);
    const revoked = r.checks.find((c) => c.code === 'REVOKED')!;
    expect(revoked.message).toContain('revocation list 1: consent withdrawn');
    // the revoked ancestor and the path from it to the approval
    const short = (d: string) => `${d.slice(0, 19)}…`;
    expect(revoked.message).toContain(
      `the approval depends on it: dataset ${short(world.steps.dataset.digest)} -> training ${short(world.steps.training.digest)} -> approval ${short(world.steps.approval.digest)}`,
    );
    expect(listChecks(r)).toEqual([expect.objectContaining({ status: 'pass', actual: 'sequence 1' })]);
  });

  it('the highest valid sequence wins, in any order: a later list without the entry lifts it', async () => {
    const world = await buildWorld();
    const r = await run(world, [await list(3, []), await list(2, [revokeDataset])]);
    expect(failed(r)).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('a list no trusted revoker signed, or for another policy, is listed and changes nothing', async () => {
    const world = await buildWorld();
    for (const [env, code] of [
      [await list(9, [revokeDataset], { by: ['mallory'] }), 'REVOCATIONS_THRESHOLD_NOT_MET'],
      [await list(9, [revokeDataset], { by: ['alice'] }), 'REVOCATIONS_THRESHOLD_NOT_MET'],
      [await list(9, [revokeDataset], { policy: 'urn:other' }), 'REVOCATIONS_INVALID'],
    ] as const) {
      const r = await run(world, [env]);
      expect(failed(r), code).toEqual([]);
      expect(listChecks(r)).toEqual([expect.objectContaining({ status: 'skip', code })]);
    }
  });

  it('refuses rollback below --min-revocation-sequence (REVOCATIONS_ROLLBACK), and a fork (REVOCATIONS_FORK)', async () => {
    const world = await buildWorld();
    expect(failed(await run(world, [await list(3, [])], 5))).toEqual(['revocations.list REVOCATIONS_ROLLBACK']);
    expect(failed(await run(world, [], 1))).toEqual(['revocations.list REVOCATIONS_ROLLBACK']);
    expect(failed(await run(world, [await list(5, [])], 5))).toEqual([]);
    const fork = await run(world, [await list(4, []), await list(4, [revokeDataset])]);
    expect(failed(fork)).toContain('revocations.list REVOCATIONS_FORK');
  });

  it('with revocationLists.maxAgeDays: a missing, stale or expired list fails with its code; a fresh one passes', async () => {
    const world = await buildWorld({ policy: (d) => (d.revocationLists = { maxAgeDays: 7 }) });
    expect(failed(await run(world, []))).toEqual(['revocations.list REVOCATIONS_MISSING']);
    expect(failed(await run(world, [await list(1, [], { issuedAt: day(-10) })]))).toEqual([
      'revocations.list REVOCATIONS_STALE',
    ]);
    expect(failed(await run(world, [await list(1, [], { issuedAt: day(-3), expires: day(-1) })]))).toEqual([
      'revocations.list REVOCATIONS_EXPIRED',
    ]);
    expect((await run(world, [await list(1, [])])).ok).toBe(true);
    // an under-signed fresh list does not meet the rule
    expect(failed(await run(world, [await list(1, [], { by: ['mallory'] })]))).toEqual([
      'revocations.list REVOCATIONS_MISSING',
    ]);
  });

  it('a list from the future is not used', async () => {
    const world = await buildWorld();
    const r = await run(world, [await list(1, [revokeDataset], { issuedAt: day(2), expires: day(40) })]);
    expect(failed(r)).toEqual([]);
    expect(listChecks(r)).toEqual([expect.objectContaining({ status: 'skip', code: 'EVIDENCE_FROM_FUTURE' })]);
  });

  it('a key revoked by the list no longer signs (KEY_COMPROMISED)', async () => {
    const world = await buildWorld();
    const r = await run(world, [await list(1, [{ kind: 'key', key: 'evaluator', reason: 'compromised' }])]);
    expect(r.ok).toBe(false);
    expect(r.checks.some((c) => c.status === 'fail' && c.code === 'KEY_COMPROMISED')).toBe(true);
  });

  it('judgeRevocationList refuses malformed lists with a code and never throws', async () => {
    const world = await buildWorld();
    const bad = [
      '{',
      '{"payloadType":"x","payload":"","signatures":[]}',
      { payloadType: REVOCATIONS_PAYLOAD_TYPE, payload: 'e30', signatures: [] },
    ];
    for (const b of bad) {
      const j = await judgeRevocationList(b, world.policy);
      expect(j.ok, JSON.stringify(b)).toBe(false);
      if (!j.ok) expect(j.code).toBe('REVOCATIONS_INVALID');
    }
    const unknownKey = await list(1, [{ kind: 'key', key: 'nobody', reason: 'x' }]);
    const j = await judgeRevocationList(unknownKey, world.policy);
    expect(!j.ok && j.message).toMatch(/"nobody"/);
    await expect(
      signRevocationList({ policy: ID, sequence: 0, issuedAt: day(0), expires: day(1), entries: [] }, [
        ed25519Signer(await key('revoker')),
      ]),
    ).rejects.toMatchObject({
      code: 'REVOCATIONS_INVALID',
      message: expect.stringMatching(/^revocation list: sequence/),
    });
  });
});

describe('revocation list judgements, exactly (mutation-directed)', () => {
  it('names why a list is refused', async () => {
    const world = await buildWorld();
    const judge = async (env: unknown, what = 'l.json') => {
      const j = await judgeRevocationList(env as Envelope, world.policy, { what });
      return j.ok ? 'ok' : `${j.code}: ${j.message}`;
    };
    expect(await judge(await list(1, [], { policy: 'urn:x' }))).toBe(
      'REVOCATIONS_INVALID: l.json: the list is for policy "urn:x", not "https://example.com/policies/test"',
    );
    expect(await judge(await list(1, [], { by: ['mallory'] }))).toBe(
      'REVOCATIONS_THRESHOLD_NOT_MET: l.json: signed by 0 revoker identities (none), the policy needs 1',
    );
    expect(await judge(await list(1, [{ kind: 'key', key: 'ghost', reason: 'x' }]))).toBe(
      'REVOCATIONS_INVALID: l.json: entry revokes key "ghost", which the policy does not name',
    );
    expect(await judge(await list(1, [], { issuedAt: day(1), expires: day(1) }))).toBe(
      `REVOCATIONS_INVALID: l.json: expires ${day(1)} is not after issuedAt ${day(1)}`,
    );
    const other = await signRevocationList(
      { policy: ID, sequence: 1, issuedAt: day(0), expires: day(1), entries: [] },
      [ed25519Signer(await key('revoker'))],
    );
    const retyped = { ...other, payloadType: 'application/json' };
    expect(await judge(retyped)).toBe(
      `REVOCATIONS_INVALID: l.json: payloadType "application/json" is not a revocation list (${REVOCATIONS_PAYLOAD_TYPE})`,
    );
    // the default name, and the envelope's own errors under the list's name, with their code
    const unnamed = await judgeRevocationList(retyped, world.policy);
    expect(!unnamed.ok && unnamed.message).toMatch(/^revocation list: payloadType /);
    expect(await judge('{"payloadType":"x"}')).toMatch(/^REVOCATIONS_INVALID: DSSE_ENVELOPE_INVALID: l\.json/);
    const notJson = { payloadType: REVOCATIONS_PAYLOAD_TYPE, payload: 'bm90IGpzb24=', signatures: [] };
    expect(await judge(notJson)).toMatch(/^REVOCATIONS_INVALID: JSON_[A-Z_]+: l\.json: payload/);
    const ok = await judgeRevocationList(other, world.policy);
    expect(ok.ok && ok.list).toMatchObject({ signers: ['mailto:security@example.com'], document: { sequence: 1 } });
    expect(ok.ok && ok.list.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('needs the revoker threshold of distinct identities, each standing for the role', async () => {
    const two = await buildWorld({
      policy: (d) =>
        (d.roles.revoker = { identities: [d.roles.revoker.identities[0], 'mailto:alice@example.com'], threshold: 2 }),
    });
    const one = await list(1, [revokeDataset]);
    const j1 = await judgeRevocationList(one, two.policy);
    expect(!j1.ok && j1.message).toMatch(
      /signed by 1 revoker identity \(mailto:security@example.com\), the policy needs 2/,
    );
    const both = await list(1, [revokeDataset], { by: ['revoker', 'alice'] });
    expect((await judgeRevocationList(both, two.policy)).ok).toBe(true);
    const three = await buildWorld({
      policy: (d) =>
        (d.roles.revoker = {
          identities: [d.roles.revoker.identities[0], 'mailto:alice@example.com', 'mailto:bob@example.com'],
          threshold: 3,
        }),
    });
    const j3 = await judgeRevocationList(both, three.policy);
    expect(!j3.ok && j3.message).toBe(
      'revocation list: signed by 2 revoker identities (mailto:alice@example.com, mailto:security@example.com), the policy needs 3',
    );
    // the caller's signature verifier is the one used
    let calls = 0;
    const counting = {
      ...nodeEd25519Verifier,
      verify: (...a: Parameters<typeof nodeEd25519Verifier.verify>) => {
        calls++;
        return nodeEd25519Verifier.verify(...a);
      },
    };
    expect((await judgeRevocationList(both, two.policy, { verifier: counting })).ok).toBe(true);
    expect(calls).toBeGreaterThan(0);
    // a revoker key outside its window at the list's issuedAt does not count
    const retired = await buildWorld({
      policy: (d) => {
        d.keys.revoker.status = 'retired';
        d.keys.revoker.validUntil = '2026-01-15T00:00:00Z';
      },
    });
    const j2 = await judgeRevocationList(one, retired.policy);
    expect(!j2.ok && j2.code).toBe('REVOCATIONS_THRESHOLD_NOT_MET');
    // a policy without revokers accepts no list
    const none = await buildWorld({ policy: (d) => delete d.roles.revoker });
    expect((await judgeRevocationList(one, none.policy)).ok).toBe(false);
  });

  it('reports the winner with its sequence, digest, signers and entries', async () => {
    const world = await buildWorld();
    const r = await run(world, [await list(2, [revokeDataset])]);
    const pass = listChecks(r)[0]!;
    expect(pass.message).toMatch(
      /^revocation list 2 \(sha256:[0-9a-f]{12}…, issued .*, expires .*\) signed by mailto:security@example.com: 1 entry$/,
    );
    const many = await run(world, Array.from({ length: 65 }, () => '{}') as never);
    expect(failed(many)).toEqual(['revocations.list LIMIT_EXCEEDED']);
  });
});
