/**
 * verifyChain's inputs (src/verify/inputs.ts), mutation-directed: every misuse is a TypeError naming
 * the input it is about (never a verdict), `asOf` as a Date or RFC 3339 text means the same
 * instant, a DigestSet subject is the digest text's equal, the use case check's three outcomes, and
 * the policy.trust check's four forms (rooted by root keys, rooted by a pinned version,
 * self-signed, unsigned), each with its message.
 */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../src/bytes/index.js';
import { sha256 } from '../../src/digest/index.js';
import { ed25519Signer, privateKeyFromSeed, publicKeyToHex } from '../../src/keys/keys.js';
import type { PrivateKey } from '../../src/keys/types.js';
import { parsePolicy, type Policy } from '../../src/policy/policy.js';
import { signPolicy } from '../../src/policy/sign.js';
import { POLICY_ROOT_MARKER, resolvePolicy } from '../../src/policy/signed.js';
import { verifyChain, type VerifyChainInput } from '../../src/verify/chain.js';
import { buildWorld, MODEL, policyDoc, T, type World } from '../helpers/world.js';

let world: World | undefined;
async function w(): Promise<World> {
  return (world ??= await buildWorld());
}
async function run(over: Partial<VerifyChainInput> = {}): Promise<Awaited<ReturnType<typeof verifyChain>>['report']> {
  const x = await w();
  return (
    await verifyChain({
      bundle: x.bundle,
      policy: x.policy,
      subject: MODEL,
      useCase: 'support-chat',
      asOf: T.asOf,
      ...over,
    })
  ).report;
}
async function misuse(over: unknown, message: string | RegExp): Promise<void> {
  const x = await w();
  const base = { bundle: x.bundle, policy: x.policy, subject: MODEL, useCase: 'support-chat', asOf: T.asOf };
  const input = typeof over === 'function' ? (over as (b: object) => unknown)(base) : { ...base, ...(over as object) };
  await expect(verifyChain(input as VerifyChainInput)).rejects.toThrow(TypeError);
  await expect(verifyChain(input as VerifyChainInput)).rejects.toThrow(message);
}
const useCaseCheck = (r: Awaited<ReturnType<typeof run>>) => r.checks.find((c) => c.id === 'chain.useCase')!;

describe('verifyChain inputs: misuse is a TypeError naming the input', () => {
  it('the input and the policy', async () => {
    await misuse(() => null, '"input" expected an object');
    await misuse(() => 'support-chat', '"input" expected an object');
    await misuse({ policy: null }, '"policy" expected a loaded policy');
    await misuse({ policy: { keys: 'k', digest: 'sha256:x' } }, '"policy" expected a loaded policy');
    await misuse({ policy: { keys: [], digest: 7 } }, '"policy" expected a loaded policy');
    await misuse({ policy: { digest: 'sha256:x' } }, '"policy" expected a loaded policy');
  });

  it('asOf: an invalid Date, text that is not RFC 3339, another type', async () => {
    await misuse({ asOf: new Date('not a date') }, '"asOf" is an invalid Date');
    await misuse({ asOf: '2026-02-30 noon' }, '"asOf" expected an RFC 3339 time with Z or an offset');
    await misuse({ asOf: 1767225600000 }, '"asOf" expected an RFC 3339 string or a Date');
  });

  it('subject: an empty DigestSet, null, a number', async () => {
    await misuse({ subject: {} }, '"subject" expected sha256:<hex> or a DigestSet');
    await misuse({ subject: null }, '"subject" expected sha256:<hex> or a DigestSet');
    await misuse({ subject: 5 }, '"subject" expected sha256:<hex> or a DigestSet');
  });

  it('useCase of another type; { any } other than true', async () => {
    await misuse({ useCase: 5 }, '"useCase" expected a string or { any: true }');
    await misuse({ useCase: { any: 'yes' } }, '"useCase" expected a string or { any: true }');
  });

  it('stage, environment and minTier', async () => {
    await misuse({ stage: 'dev' }, '"stage" expected staging or production, got "dev"');
    await misuse({ environment: '' }, '"environment" expected a non-empty string');
    await misuse({ environment: 3 }, '"environment" expected a non-empty string');
    await misuse({ minTier: 'extreme' }, /"minTier" expected a risk tier of the policy \(low, high\)/);
    await misuse({ minTier: 7 }, '"minTier" expected a risk tier of the policy');
    await misuse({ minTier: 'low' }, '"minTier": tier "low" has no rank in the policy');
  });
});

describe('verifyChain inputs: what they mean', () => {
  it('asOf as a Date is the same instant as its RFC 3339 text, and it decides', async () => {
    const text = await run();
    const date = await run({ asOf: new Date(T.asOf) });
    expect(text.ok).toBe(true);
    expect(date.ok).toBe(true);
    expect(date.asOf).toBe(new Date(T.asOf).toISOString());
    expect(date.checks.map((c) => [c.id, c.status, c.code])).toEqual(text.checks.map((c) => [c.id, c.status, c.code]));
    // a Date ten years on is past the approval's validity: the Date's value is what is judged
    const later = await run({ asOf: new Date(Date.parse(T.asOf) + 10 * 365 * 86_400_000) });
    expect(later.ok).toBe(false);
  });

  it('a DigestSet subject is the same as its text; another digest is not the chain', async () => {
    const hex = MODEL.slice('sha256:'.length);
    const r = await run({ subject: { sha256: hex } });
    expect(r.ok).toBe(true);
    expect(r.results[0]!.subject).toBe(MODEL);
    expect((await run({ subject: { sha256: 'ab'.repeat(32) } })).ok).toBe(false);
    expect((await run({ subject: { sha256: hex }, subjectName: 'the model' })).results[0]!.subject).toBe('the model');
  });

  it('the use case: required (missing, null, empty), explicitly any, allowed with its tier, not allowed', async () => {
    for (const useCase of [undefined, null, ''] as const) {
      const r = await run({ useCase: useCase as never });
      expect(useCaseCheck(r)).toMatchObject({ status: 'fail', code: 'USE_CASE_REQUIRED', subject: MODEL });
      expect(r.ok).toBe(false);
    }
    const any = await run({ useCase: { any: true } });
    expect(useCaseCheck(any)).toMatchObject({
      status: 'skip',
      code: 'OK',
      message: 'any allowed use case accepted (explicitly)',
    });
    const ok = await run();
    expect(useCaseCheck(ok)).toMatchObject({ status: 'pass', actual: 'support-chat' });
    expect(useCaseCheck(ok).message).toBe('use case "support-chat" is allowed, risk tier "high"');
    const no = await run({ useCase: 'weather' });
    expect(useCaseCheck(no)).toMatchObject({
      status: 'fail',
      code: 'USE_CASE_NOT_ALLOWED',
      actual: 'weather',
      message: 'use case "weather" is not allowed by the policy',
    });
    expect(useCaseCheck(no).expected).toBe(Object.keys((await w()).doc.useCases).join(', '));
    expect(no.ok).toBe(false);
  });

  it('stage, environment and a ranked minTier are accepted and passed on', async () => {
    const ranked = await buildWorld({
      policy: (d) => {
        d.riskTiers.low.rank = 1;
        d.riskTiers.high.rank = 2;
      },
    });
    const r = await verifyChain({
      bundle: ranked.bundle,
      policy: ranked.policy,
      subject: MODEL,
      useCase: 'support-chat',
      asOf: T.asOf,
      minTier: 'high',
    });
    expect(r.report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    const env = await run({ environment: 'prod-eu' });
    expect(
      env.checks.some(
        (c) => c.message.includes('prod-eu') || c.expected?.includes('prod-eu') || c.actual?.includes('prod-eu'),
      ),
    ).toBe(true);
  });
});

describe('the policy.trust check', () => {
  const keys = new Map<string, PrivateKey>();
  const admin = async (n: string): Promise<PrivateKey> => {
    let k = keys.get(n);
    if (!k) keys.set(n, (k = await privateKeyFromSeed(sha256(utf8(`lineproof test admin key: ${n}`)))));
    return k;
  };
  const hex = async (n: string) => publicKeyToHex((await admin(n)).publicKey);
  async function adminsDoc(): Promise<Record<string, any>> {
    const d = await policyDoc();
    for (const n of ['admin1', 'admin2']) {
      d.keys[n] = { publicKey: await hex(n) };
      d.identities[`mailto:${n}@example.com`] = { keys: [n] };
    }
    d.admins = { keys: ['admin1', 'admin2'], threshold: 2 };
    return d;
  }
  const trustOf = async (policy: Policy) => (await run({ policy })).checks.find((c) => c.id === 'policy.trust')!;
  const signedBy = async (d: Record<string, any>) =>
    signPolicy(d, await Promise.all(['admin1', 'admin2'].map(async (n) => ed25519Signer(await admin(n)))));

  it('rooted by pinned root keys: names the threshold, the versions and the signers', async () => {
    const d = await adminsDoc();
    const root = {
      [POLICY_ROOT_MARKER]: 1,
      admins: { keys: [await hex('admin1'), await hex('admin2')], threshold: 2 },
    };
    const r = await resolvePolicy([await signedBy(d)], { root });
    if (!r.ok) throw new Error(r.message);
    const c = await trustOf(r.policy);
    expect(c).toMatchObject({ status: 'pass', code: 'OK', subject: `${d.id} v${d.version}` });
    expect(c.message).toBe(
      `policy ${d.id} v${d.version} chains from the pinned root keys (2 of 2) through 1 version(s), each signed by its admins and the previous version's`,
    );
    expect(c.actual).toBe(`${r.policy.digest} signed by admin1, admin2`);
  });

  it('rooted by a pinned version: names that version; the root itself signed by no one', async () => {
    const d = await adminsDoc();
    const r = await resolvePolicy([d], { root: d });
    if (!r.ok) throw new Error(r.message);
    const c = await trustOf(r.policy);
    expect(c.status).toBe('pass');
    expect(c.message).toContain(`chains from the pinned root, version ${d.version} through`);
    expect(c.actual).toBe(`${r.policy.digest} signed by (the pinned root itself)`);
  });

  it('self-signed without a pinned root, and unsigned: skips saying it is trusted as given', async () => {
    const d = await adminsDoc();
    const r = await resolvePolicy([await signedBy(d)]);
    if (!r.ok) throw new Error(r.message);
    const self = await trustOf(r.policy);
    expect(self).toMatchObject({ status: 'skip', code: 'OK', actual: r.policy.digest });
    expect(self.message).toBe(
      `policy ${d.id} v${d.version} is signed by its own admins (admin1, admin2), but no root is pinned: it is trusted as given`,
    );
    const plain = parsePolicy(d);
    const none = await trustOf(plain);
    expect(none).toMatchObject({ status: 'skip', code: 'POLICY_UNSIGNED', actual: plain.digest });
    expect(none.message).toBe(`policy ${d.id} v${d.version} is unsigned and no root is pinned: it is trusted as given`);
  });
});
