import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { fromBase64, toBase64, utf8 } from '../../src/bytes/index.js';
import { sha256Hex } from '../../src/digest/index.js';
import { serializeEnvelope, type Envelope } from '../../src/dsse/envelope.js';
import { signEnvelope } from '../../src/dsse/sign.js';
import { canonicalBytes } from '../../src/json/canonical.js';
import { ed25519Signer } from '../../src/keys/keys.js';
import { parsePolicy } from '../../src/policy/policy.js';
import { reportSchema } from '../../src/report/index.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/statements/statement.js';
import { verifyChain, type ChainVerification } from '../../src/verify/chain.js';
import {
  buildVerificationSummary,
  signVerificationSummary,
  verifierKeyOf,
  type VerificationSummaryStatement,
} from '../../src/verify/vsa/build.js';
import { LINEPROOF_VERIFIER_ID, VSA_PREDICATE_TYPE, readVsaStatement } from '../../src/verify/vsa/predicate.js';
import { verifyVerificationSummary, type VerifySummaryOptions } from '../../src/verify/vsa/verify.js';
import { codeOf } from '../helpers/codes.js';
import { repoPath } from '../helpers/fixtures.js';
import { GATE, gateKey, vsaWorld } from '../helpers/vsa.js';
import { key, MODEL, OTHER_MODEL, T, type World } from '../helpers/world.js';
import { goldenReports } from '../helpers/golden-reports.js';

const expectGolden = goldenReports(import.meta.url);

let world: World;
let passed: ChainVerification;
let failed: ChainVerification;
let statement: VerificationSummaryStatement;
let envelope: Envelope;

const verify = (input: unknown, options: Partial<VerifySummaryOptions> = {}) =>
  verifyVerificationSummary(input as Envelope, { policy: world.policy, subject: MODEL, asOf: T.asOf, ...options });
const failedCodes = (r: { report: { checks: Array<{ status: string; code: string }> } }) =>
  r.report.checks.filter((c) => c.status === 'fail').map((c) => c.code);

/** Re-sign a statement edited by `edit` with `signers` (no builder checks: what an attacker could sign). */
async function resign(edit: (s: any) => void, signers = ['gate']): Promise<Envelope> {
  const s = structuredClone(statement) as any;
  edit(s);
  return signEnvelope(
    canonicalBytes(s),
    IN_TOTO_PAYLOAD_TYPE,
    await Promise.all(signers.map(async (n) => ed25519Signer(await gateKey(n)))),
  );
}

// Rebuilt before each test, not once in beforeAll: code a hook runs is "static" to Stryker's
// per-test coverage, and a mutant that makes a beforeAll throw was counted as surviving with no
// test run. The world (keys and signed chain, no src/verify code) is built once.
let worldOnce: Promise<World> | undefined;
beforeEach(async () => {
  world = await (worldOnce ??= vsaWorld());
  passed = await verifyChain({
    bundle: world.bundle,
    policy: world.policy,
    subject: MODEL,
    useCase: 'support-chat',
    asOf: T.asOf,
  });
  failed = await verifyChain({
    bundle: world.bundle,
    policy: world.policy,
    subject: MODEL,
    useCase: 'internal-search',
    asOf: '2027-01-01T00:00:00Z',
  });
  statement = buildVerificationSummary({ verification: passed, policy: world.policy, subject: MODEL });
  envelope = await signVerificationSummary(statement, [ed25519Signer(await gateKey('gate'))], {
    policy: world.policy,
  });
});

describe('buildVerificationSummary', () => {
  it('writes exactly the SLSA VSA v1 fields of decisions §9 for a passing chain', () => {
    expect(passed.report.ok).toBe(true);
    expect(statement).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ digest: { sha256: MODEL.slice(7) } }],
      predicateType: 'https://slsa.dev/verification_summary/v1',
      predicate: {
        verifier: { id: 'https://lineproof.dev/verifier/v1' },
        timeVerified: T.asOf,
        resourceUri: MODEL,
        policy: { uri: world.doc.id, digest: { sha256: world.policy.digest.slice(7) } },
        inputAttestations: passed.chain.map((l) => ({ digest: { sha256: l.payloadDigest.slice(7) } })),
        verificationResult: 'PASSED',
        verifiedLevels: ['LINEPROOF_CHAIN_V1'],
      },
    });
    // The payload digests of the five links the verdict relied on, in chain order.
    expect(statement.predicate.inputAttestations.map((a) => `sha256:${a.digest.sha256}`)).toEqual(
      Object.values(world.steps).map((s) => s.digest),
    );
  });

  it('writes FAILED with verifiedLevels [FAILED] for a failing chain (a failed verdict is evidence too)', () => {
    expect(failed.report.ok).toBe(false);
    const s = buildVerificationSummary({
      verification: failed,
      policy: world.policy,
      subject: { sha256: MODEL.slice(7) },
      subjectName: 'model',
      resourceUri: 'support-triage',
      verifierVersion: { lineproof: '0.1.0' },
      attestationsUri: 'https://models.example.com/model.intoto.jsonl',
    });
    expect(s.subject).toEqual([{ name: 'model', digest: { sha256: MODEL.slice(7) } }]);
    expect(s.predicate).toMatchObject({
      verifier: { id: LINEPROOF_VERIFIER_ID, version: { lineproof: '0.1.0' } },
      timeVerified: '2027-01-01T00:00:00Z',
      resourceUri: 'support-triage',
      verificationResult: 'FAILED',
      verifiedLevels: ['FAILED'],
    });
    for (const a of s.predicate.inputAttestations) expect(a.uri).toBe('https://models.example.com/model.intoto.jsonl');
  });

  it('writes timeVerified in the written form, from an injected time, rounded down to the second', () => {
    const s = buildVerificationSummary({
      verification: passed,
      policy: world.policy,
      subject: MODEL,
      timeVerified: new Date('2026-02-01T00:00:00.999Z'),
    });
    expect(s.predicate.timeVerified).toBe('2026-02-01T00:00:00Z');
    const offset = buildVerificationSummary({
      verification: passed,
      policy: world.policy,
      subject: MODEL,
      timeVerified: '2026-02-01T01:00:00+01:00',
    });
    expect(offset.predicate.timeVerified).toBe('2026-02-01T00:00:00Z');
  });

  it('refuses misuse: another policy, not a chain report, a resourceUri that cannot be written', async () => {
    const other = parsePolicy({ ...world.doc, version: 2 });
    expect(() => buildVerificationSummary({ verification: passed, policy: other, subject: MODEL })).toThrow(RangeError);
    const dsse = { ...passed, report: { ...passed.report, kind: 'dsse' } };
    expect(() => buildVerificationSummary({ verification: dsse, policy: world.policy, subject: MODEL })).toThrow(
      TypeError,
    );
    expect(
      codeOf(() =>
        buildVerificationSummary({ verification: passed, policy: world.policy, subject: MODEL, resourceUri: 'a\nb' }),
      ),
    ).toBe('VSA_INVALID');
    expect(codeOf(() => buildVerificationSummary({ verification: passed, policy: world.policy, subject: 'x' }))).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('lists the base models’ links too when the verdict relied on them (ChainVerification.used)', () => {
    const extra = `sha256:${sha256Hex(utf8('a base model link'))}`;
    const s = buildVerificationSummary({
      verification: { ...passed, used: [...passed.used, extra] },
      policy: world.policy,
      subject: MODEL,
    });
    expect(s.predicate.inputAttestations.at(-1)).toEqual({ digest: { sha256: extra.slice(7) } });
    expect(s.predicate.inputAttestations).toHaveLength(passed.chain.length + 1);
  });
});

describe('signVerificationSummary', () => {
  it('signs the JCS bytes of the statement as an in-toto envelope', () => {
    expect(envelope.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
    expect(fromBase64(envelope.payload)).toEqual(canonicalBytes(statement));
  });

  it('refuses a key outside the verifier role (VSA_SIGNER_NOT_VERIFIER), naming it', async () => {
    const err = await signVerificationSummary(statement, [ed25519Signer(await key('alice'))], {
      policy: world.policy,
    }).catch((e: unknown) => e);
    expect((err as { code: string }).code).toBe('VSA_SIGNER_NOT_VERIFIER');
    expect(codeOf(() => verifierKeyOf(world.policy, new Uint8Array(32).fill(7), T.asOf))).toBe(
      'VSA_SIGNER_NOT_VERIFIER',
    );
    expect(verifierKeyOf(world.policy, (await gateKey('gate')).publicKey, T.asOf).identity).toBe(GATE);
  });

  it('refuses a verifier key that does not stand at timeVerified (compromised)', async () => {
    const w = await vsaWorld({
      edit: (d) => ((d.keys.gate.status = 'compromised'), (d.keys.gate.compromisedAt = T.dataset)),
    });
    const v = await verifyChain({
      bundle: w.bundle,
      policy: w.policy,
      subject: MODEL,
      useCase: 'support-chat',
      asOf: T.asOf,
    });
    const s = buildVerificationSummary({ verification: v, policy: w.policy, subject: MODEL });
    const err = await signVerificationSummary(s, [ed25519Signer(await gateKey('gate'))], { policy: w.policy }).catch(
      (e: unknown) => e,
    );
    expect((err as { code: string }).code).toBe('KEY_COMPROMISED');
  });

  it('refuses to sign a statement that is not exactly what the builder writes', async () => {
    const edited = { ...statement, predicate: { ...statement.predicate, extra: 1 } } as never;
    const err = await signVerificationSummary(edited, [ed25519Signer(await gateKey('gate'))]).catch((e: unknown) => e);
    expect((err as { code: string }).code).toBe('VSA_INVALID');
  });
});

describe('verifyVerificationSummary', () => {
  it('verifies a summary signed by the verifier role: every step passes', async () => {
    const r = await verify(envelope, { resourceUri: MODEL, maxAgeSeconds: 86400 });
    expect(failedCodes(r)).toEqual([]);
    expectGolden(r.report);
    expect(r.ok).toBe(true);
    expect(reportSchema.safeParse(r.report).success).toBe(true);
    expect(r.report.kind).toBe('vsa');
    expect(r.report.policyDigest).toBe(world.policy.digest);
    const vsaChecks = r.report.checks.filter((c) => c.id.startsWith('vsa.'));
    expect(vsaChecks.map((c) => [c.id, c.status])).toEqual([
      ['vsa.predicate', 'pass'],
      ['vsa.signer', 'pass'],
      ['vsa.verifier', 'pass'],
      ['vsa.policy', 'pass'],
      ['vsa.subject', 'pass'],
      ['vsa.resourceUri', 'pass'],
      ['vsa.result', 'pass'],
      ['vsa.levels', 'pass'],
      ['vsa.time', 'pass'],
    ]);
    expect(r.summary?.predicate.verificationResult).toBe('PASSED');
    expect(r.signers).toEqual([expect.objectContaining({ name: 'gate', identity: GATE })]);
    expect(r.payloadDigest).toBe(`sha256:${sha256Hex(fromBase64(envelope.payload))}`);
  });

  it('accepts bytes, text and a parsed value alike, and given keys instead of a policy', async () => {
    const text = serializeEnvelope(envelope);
    for (const input of [utf8(text), text, JSON.parse(text)]) expect((await verify(input)).ok).toBe(true);
    const byKey = await verifyVerificationSummary(text, { trustedKeys: [(await gateKey('gate')).publicKey] });
    expect(byKey.ok).toBe(true);
    const skipped = byKey.report.checks.filter((c) => c.status === 'skip' && c.id.startsWith('vsa.')).map((c) => c.id);
    expect(skipped).toEqual(['vsa.policy', 'vsa.subject', 'vsa.resourceUri', 'vsa.time']);
  });

  describe('when the summary is not what the consumer needs, one code says why', () => {
    const cases: Array<[string, () => Promise<{ report: any }>, string[]]> = [
      [
        'signed by a policy key of another role',
        async () => verify(await resign(() => {}, ['alice'])),
        ['VSA_SIGNER_NOT_VERIFIER'],
      ],
      [
        'signed by a key the policy does not know',
        async () => verify(await resign(() => {}, ['stranger'])),
        ['DSSE_NO_TRUSTED_SIGNATURE'],
      ],
      [
        'a swapped policy digest',
        async () => verify(await resign((s) => (s.predicate.policy.digest.sha256 = 'ab'.repeat(32)))),
        ['VSA_POLICY_MISMATCH'],
      ],
      [
        'another policy uri',
        async () => verify(await resign((s) => (s.predicate.policy.uri = 'https://example.com/other'))),
        ['VSA_POLICY_MISMATCH'],
      ],
      ['another artifact', async () => verify(envelope, { subject: OTHER_MODEL }), ['VSA_RESOURCE_MISMATCH']],
      [
        'another resourceUri',
        async () => verify(envelope, { resourceUri: 'another-model' }),
        ['VSA_RESOURCE_MISMATCH'],
      ],
      [
        'a FAILED verdict',
        async () =>
          verify(
            await resign(
              (s) => ((s.predicate.verificationResult = 'FAILED'), (s.predicate.verifiedLevels = ['FAILED'])),
            ),
          ),
        ['VSA_RESULT_MISMATCH', 'VSA_LEVEL_MISSING'],
      ],
      [
        'PASSED without the level',
        async () => verify(await resign((s) => (s.predicate.verifiedLevels = ['SLSA_BUILD_LEVEL_3']))),
        ['VSA_LEVEL_MISSING'],
      ],
      [
        'another verifier id',
        async () => verify(await resign((s) => (s.predicate.verifier.id = 'https://evil.example.com/v1'))),
        ['VSA_VERIFIER_MISMATCH'],
      ],
      [
        'too old for maxAge',
        async () => verify(envelope, { asOf: '2026-03-01T00:00:00Z', maxAgeSeconds: 86400 }),
        ['VSA_STALE'],
      ],
      [
        'no timeVerified with a maxAge',
        async () => verify(await resign((s) => delete s.predicate.timeVerified), { maxAgeSeconds: 60 }),
        ['VSA_STALE'],
      ],
      ['from the future', async () => verify(envelope, { asOf: '2026-01-31T23:54:59Z' }), ['EVIDENCE_FROM_FUTURE']],
      [
        'another predicate type',
        async () => verify(await resign((s) => (s.predicateType = 'https://lineproof.dev/attestation/approval/v0.1'))),
        ['VSA_INVALID'],
      ],
      [
        'a predicate without resourceUri',
        async () => verify(await resign((s) => delete s.predicate.resourceUri)),
        ['VSA_INVALID'],
      ],
      [
        'a result that is neither PASSED nor FAILED',
        async () => verify(await resign((s) => (s.predicate.verificationResult = 'passed'))),
        ['VSA_INVALID'],
      ],
      [
        'a timeVerified not in UTC',
        async () => verify(await resign((s) => (s.predicate.timeVerified = '2026-02-01T01:00:00+01:00'))),
        ['VSA_INVALID'],
      ],
    ];
    for (const [name, run, codes] of cases)
      it(name, async () => {
        const r = await run();
        expect(failedCodes(r)).toEqual(codes);
        expect(r.report.ok).toBe(false);
        expectGolden(r.report);
      });
  });

  it('ignores unknown fields of the predicate (in-toto parsing rules), and reads SLSA’s optional ones', async () => {
    const env = await resign((s) => {
      s.predicate['https://example.com/ext'] = { anything: true };
      s.predicate.dependencyLevels = { SLSA_BUILD_LEVEL_3: 2 };
      s.predicate.slsaVersion = '1.1';
    });
    const r = await verify(env);
    expect(r.ok).toBe(true);
    expect(r.summary?.predicate.slsaVersion).toBe('1.1');
  });

  it('with expectResult FAILED, a FAILED summary passes and a PASSED one fails', async () => {
    const failing = buildVerificationSummary({ verification: failed, policy: world.policy, subject: MODEL });
    const env = await signVerificationSummary(failing, [ed25519Signer(await gateKey('gate'))]);
    expect((await verify(env, { expectResult: 'FAILED', asOf: '2027-01-01T00:00:00Z' })).ok).toBe(true);
    expect(failedCodes(await verify(envelope, { expectResult: 'FAILED' }))).toEqual(['VSA_RESULT_MISMATCH']);
  });

  it('counts the verifier role threshold in distinct identities', async () => {
    const w = await vsaWorld({ threshold: 2 });
    const v = await verifyChain({
      bundle: w.bundle,
      policy: w.policy,
      subject: MODEL,
      useCase: 'support-chat',
      asOf: T.asOf,
    });
    const s = buildVerificationSummary({ verification: v, policy: w.policy, subject: MODEL });
    const one = await signVerificationSummary(s, [ed25519Signer(await gateKey('gate'))], { policy: w.policy });
    const both = await signVerificationSummary(s, [
      ed25519Signer(await gateKey('gate')),
      ed25519Signer(await gateKey('gate2')),
    ]);
    const opts = { policy: w.policy, subject: MODEL, asOf: T.asOf };
    expect(failedCodes(await verifyVerificationSummary(one, opts))).toEqual(['ROLE_THRESHOLD_NOT_MET']);
    expect((await verifyVerificationSummary(both, opts)).ok).toBe(true);
  });

  it('rejects a summary by a compromised verifier key whatever timeVerified it claims', async () => {
    const w = await vsaWorld({
      edit: (d) => ((d.keys.gate.status = 'compromised'), (d.keys.gate.compromisedAt = T.asOf)),
    });
    const r = await verifyVerificationSummary(envelope, { policy: w.policy, policyDigest: world.policy.digest });
    expect(failedCodes(r)).toEqual(['KEY_COMPROMISED']);
  });

  it('judges a retired verifier key at timeVerified, and at asOf (or not at all) when the summary says no time', async () => {
    const w = await vsaWorld({
      edit: (d) => {
        d.keys.gate.status = 'retired';
        d.keys.gate.validFrom = '2025-01-01T00:00:00Z';
        d.keys.gate.validUntil = '2026-01-20T00:00:00Z';
      },
    });
    const opts = { policy: w.policy, policyDigest: world.policy.digest };
    const inside = await resign((s) => (s.predicate.timeVerified = '2026-01-15T00:00:00Z'));
    expect(failedCodes(await verifyVerificationSummary(inside, { ...opts, asOf: T.asOf }))).toEqual([]);
    expect(failedCodes(await verifyVerificationSummary(envelope, { ...opts, asOf: T.asOf }))).toEqual([
      'KEY_OUTSIDE_VALIDITY',
    ]);
    const timeless = await resign((s) => delete s.predicate.timeVerified);
    expect(failedCodes(await verifyVerificationSummary(timeless, { ...opts, asOf: T.asOf }))).toEqual([
      'KEY_OUTSIDE_VALIDITY',
    ]);
    expect(failedCodes(await verifyVerificationSummary(timeless, opts))).toEqual(['KEY_OUTSIDE_VALIDITY']);
    // The same timeless summary by a key without a window counts.
    expect(failedCodes(await verify(timeless))).toEqual([]);
  });

  describe('never throws on untrusted input: a coded failure', () => {
    const cases: Array<[string, unknown, string]> = [
      ['junk bytes', utf8('\u0000\u0001 not json'), 'JSON_SYNTAX'],
      ['an empty input', new Uint8Array(0), 'JSON_SYNTAX'],
      ['a JSON array', '[]', 'DSSE_ENVELOPE_INVALID'],
      ['a huge input', new Uint8Array(17 * 1024 * 1024).fill(0x20), 'JSON_TOO_LARGE'],
      ['deep nesting', '['.repeat(100_000), 'JSON_TOO_DEEP'],
      ['null', null, 'DSSE_ENVELOPE_INVALID'],
    ];
    for (const [name, input, code] of cases)
      it(name, async () => {
        const r = await verify(input);
        expect(r.ok).toBe(false);
        expect(failedCodes(r)[0]).toBe(code);
        expectGolden(r.report);
      });

    it('a tampered payload (DSSE_NO_TRUSTED_SIGNATURE)', async () => {
      const p = fromBase64(envelope.payload);
      p[p.length - 10] = p[p.length - 10]! ^ 1;
      const r = await verify({ ...envelope, payload: toBase64(p) });
      expect(failedCodes(r)).toContain('DSSE_NO_TRUSTED_SIGNATURE');
    });

    it('property: any single-byte change to the envelope text never verifies, never throws', async () => {
      const text = utf8(serializeEnvelope(envelope));
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: text.length - 1 }), fc.integer({ min: 1, max: 255 }), async (i, x) => {
          const mutated = Uint8Array.from(text);
          mutated[i] = mutated[i]! ^ x;
          const r = await verify(mutated);
          if (r.ok) {
            // Only a change that decodes to the same envelope may pass (e.g. a keyid hint).
            const same = JSON.parse(new TextDecoder().decode(mutated));
            expect([same.payload, same.payloadType, same.signatures[0].sig]).toEqual([
              envelope.payload,
              envelope.payloadType,
              envelope.signatures[0]!.sig,
            ]);
          } else expect(failedCodes(r).length).toBeGreaterThan(0);
        }),
        { numRuns: 150 },
      );
    });
  });

  it('refuses misuse: neither or both trust sources, a maxAge without asOf', async () => {
    await expect(verifyVerificationSummary(envelope, {})).rejects.toThrow(TypeError);
    await expect(verifyVerificationSummary(envelope, { policy: world.policy, trustedKeys: [] })).rejects.toThrow(
      TypeError,
    );
    await expect(verifyVerificationSummary(envelope, { policy: world.policy, maxAgeSeconds: 5 })).rejects.toThrow(
      TypeError,
    );
  });
});

describe('misuse, each refused with a TypeError or RangeError naming the argument', () => {
  it('buildVerificationSummary', () => {
    const ok = { verification: passed, policy: world.policy, subject: MODEL };
    const cases: Array<[string, unknown, RegExp]> = [
      ['no input', null, /"input" expected object/],
      ['an array', [], /"input" expected object/],
      ['no verification', { ...ok, verification: null }, /"verification" expected the outcome of verifyChain/],
      ['a verification without report', { ...ok, verification: { chain: [] } }, /"verification" expected/],
      ['a report that is an array', { ...ok, verification: { report: [], chain: [] } }, /"verification" expected/],
      ['a verification without chain', { ...ok, verification: { report: passed.report } }, /"verification" expected/],
      ['no policy', { ...ok, policy: null }, /"policy" expected a loaded Policy/],
      ['a policy without digest', { ...ok, policy: { document: world.doc } }, /"policy" expected a loaded Policy/],
      ['a subject that is not a digest', { ...ok, subject: 'sha256:xyz' }, /subject/],
      ['a subject digest set of nothing', { ...ok, subject: {} }, /subject/],
      [
        'a report without asOf and no time',
        { ...ok, verification: { ...passed, report: { ...passed.report, asOf: undefined } } },
        /"timeVerified" expected/,
      ],
      ['a timeVerified that is not a time', { ...ok, timeVerified: 'yesterday' }, /timeVerified/],
    ];
    for (const [name, input, message] of cases)
      expect(() => buildVerificationSummary(input as never), name).toThrow(message);
  });

  it('the verdict is recomputed from the checks: ok without a pass, or with a failure, is FAILED', () => {
    const base = { policy: world.policy, subject: MODEL };
    const pass = passed.report.checks.find((c) => c.status === 'pass')!;
    const fail = { ...pass, status: 'fail' as const, code: 'SUBJECT_MISMATCH' as const };
    const skip = { ...pass, status: 'skip' as const };
    const forged = (checks: unknown[]) => ({ ...passed, report: { ...passed.report, ok: true, checks } }) as never;
    expect(buildVerificationSummary({ ...base, verification: forged([pass]) }).predicate.verificationResult).toBe(
      'PASSED',
    );
    for (const checks of [[], [skip], [pass, fail], [fail]])
      expect(
        buildVerificationSummary({ ...base, verification: forged(checks) }).predicate.verificationResult,
        JSON.stringify(checks.map((c) => c.status)),
      ).toBe('FAILED');
    const notOk = { ...passed, report: { ...passed.report, ok: false } } as never;
    expect(buildVerificationSummary({ ...base, verification: notOk }).predicate.verificationResult).toBe('FAILED');
  });

  it('the links listed: the chain, then what else the verdict used, once each, with the uri when given', () => {
    const extra = `sha256:${'cd'.repeat(32)}`;
    const used = { ...passed, used: [passed.chain[0]!.payloadDigest, extra] };
    const s = buildVerificationSummary({
      verification: used,
      policy: world.policy,
      subject: MODEL,
      attestationsUri: 'https://x.example/c.jsonl',
    });
    expect(s.predicate.inputAttestations.map((a) => a.digest.sha256)).toEqual([
      ...passed.chain.map((l) => l.payloadDigest.slice(7)),
      'cd'.repeat(32),
    ]);
    expect(s.predicate.inputAttestations.every((a) => a.uri === 'https://x.example/c.jsonl')).toBe(true);
    const bad = { ...passed, used: ['sha512:' + 'ab'.repeat(64)] };
    expect(() => buildVerificationSummary({ verification: bad, policy: world.policy, subject: MODEL })).toThrow(
      /verification\.used\[\d+\]/,
    );
  });

  it('signVerificationSummary and verifierKeyOf', async () => {
    const gate = ed25519Signer(await gateKey('gate'));
    await expect(signVerificationSummary(statement, gate as never, { policy: world.policy })).rejects.toThrow(
      /"signers" expected an array/,
    );
    await expect(signVerificationSummary({ ...statement, predicateType: 'x' }, [gate])).rejects.toMatchObject({
      code: 'VSA_INVALID',
    });
    expect(() => verifierKeyOf(world.policy, 'abcd' as never, T.asOf)).toThrow(
      /"publicKey" expected PublicKey or Uint8Array/,
    );
    expect(() => verifierKeyOf(world.policy, undefined as never, T.asOf)).toThrow(/"publicKey" expected/);
    expect(verifierKeyOf(world.policy, gate.publicKey, T.asOf).name).toBe('gate');
    const trainer = (await key('trainer')).publicKey;
    let err: any;
    try {
      verifierKeyOf(world.policy, trainer, T.asOf);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'VSA_SIGNER_NOT_VERIFIER',
      expected: 'a key of the verifier role',
      actual: 'trainer',
    });
    expect(err.message).toMatch(/: it is trainer, held by https:\/\/ci\.example\.com\/train \(trainer\)$/);
    const unknown = (await key('mallory')).publicKey;
    expect(() => verifierKeyOf(world.policy, unknown, T.asOf)).toThrow(/\(the policy does not know it\)$/);
  });

  it('verifyVerificationSummary', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['no options', null, /"options" expected object/],
      ['options that are text', 'policy', /"options" expected object/],
      ['trustedKeys not an array', { trustedKeys: 'k' }, /"options.trustedKeys" expected array/],
      [
        'a threshold with a policy',
        { policy: world.policy, threshold: 2 },
        /"options.threshold" applies to trustedKeys/,
      ],
      ['an asOf that is not a time', { policy: world.policy, asOf: 'soon' }, /"asOf"/],
      ['an asOf that is an invalid Date', { policy: world.policy, asOf: new Date('x') }, /"asOf" is an invalid Date/],
      ['an asOf of another type', { policy: world.policy, asOf: 5 }, /"asOf" expected a Date or RFC 3339 text/],
      [
        'a negative maxAge',
        { policy: world.policy, asOf: T.asOf, maxAgeSeconds: -1 },
        /"options.maxAgeSeconds" expected/,
      ],
      [
        'a maxAge that is not a number',
        { policy: world.policy, asOf: T.asOf, maxAgeSeconds: '60' },
        /"options.maxAgeSeconds" expected/,
      ],
      [
        'an infinite maxAge',
        { policy: world.policy, asOf: T.asOf, maxAgeSeconds: Infinity },
        /"options.maxAgeSeconds" expected/,
      ],
      ['a subject that is not a digest', { policy: world.policy, subject: 'sha256:12' }, /subject/],
    ];
    for (const [name, options, message] of cases)
      await expect(verifyVerificationSummary(envelope, options as never), name).rejects.toThrow(message);
    // a maxAge of 0 is allowed, and an asOf as a Date is read to the millisecond
    const r = await verifyVerificationSummary(envelope, {
      policy: world.policy,
      asOf: new Date(T.asOf),
      maxAgeSeconds: 0,
    });
    expect(r.report.asOf).toBe(T.asOf);
  });
});

describe('readVsaStatement', () => {
  it('reads the predicate and rejects another type with VSA_INVALID', () => {
    expect(readVsaStatement(statement).predicate.resourceUri).toBe(MODEL);
    expect(codeOf(() => readVsaStatement({ ...statement, predicateType: 'x' }))).toBe('VSA_INVALID');
    expect(VSA_PREDICATE_TYPE).toBe('https://slsa.dev/verification_summary/v1');
  });
});

describe('spec/vsa.md and verifyVerificationSummary', () => {
  it('list the same numbered steps', () => {
    const titles = (text: string) =>
      [...text.matchAll(/^\s*\*?\s*(\d+)\. \*\*([^*]+)\*\*/gm)].map((m) => `${m[1]}. ${m[2]}`);
    const code = readFileSync(repoPath('src', 'verify', 'vsa', 'verify.ts'), 'utf8');
    const jsdoc = code.slice(code.indexOf('Verify a SLSA verification summary'), code.indexOf('@param input'));
    const spec = readFileSync(repoPath('spec', 'vsa.md'), 'utf8');
    const section = spec.slice(spec.indexOf('## Verifying a summary'), spec.indexOf('## In the bundle'));
    expect(titles(jsdoc)).toHaveLength(8);
    expect(titles(section)).toEqual(titles(jsdoc));
  });
});
