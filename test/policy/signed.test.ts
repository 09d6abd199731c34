/**
 * Signed policies and rotation (decisions §13, spec/policy.md "Signed policies"): each refusal
 * with its code, and the attacks of issue 13 (an outsider's key added, a gate lowered, the admin
 * set swapped without the old admins, a rollback) against a pinned root.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../src/bytes/index.js';
import { sha256 } from '../../src/digest/index.js';
import { parseEnvelope, serializeEnvelope, type Envelope } from '../../src/dsse/envelope.js';
import { signEnvelope } from '../../src/dsse/sign.js';
import { canonicalBytes } from '../../src/json/canonical.js';
import { ed25519Signer, privateKeyFromSeed, publicKeyToHex } from '../../src/keys/keys.js';
import type { PrivateKey } from '../../src/keys/types.js';
import { parsePolicy } from '../../src/policy/policy.js';
import {
  POLICY_PAYLOAD_TYPE,
  POLICY_ROOT_MARKER,
  resolvePolicy,
  type PolicyResolution,
} from '../../src/policy/signed.js';
import { signPolicy } from '../../src/policy/sign.js';
import { verifyChain } from '../../src/verify/chain.js';
import { buildWorld, MODEL, policyDoc, T } from '../helpers/world.js';

type Doc = Record<string, any>;
type Admin = 'admin1' | 'admin2' | 'admin3' | 'admin4' | 'outsider';
const adminKeys = new Map<Admin, PrivateKey>();
async function admin(n: Admin): Promise<PrivateKey> {
  let k = adminKeys.get(n);
  if (!k) adminKeys.set(n, (k = await privateKeyFromSeed(sha256(utf8(`lineproof test admin key: ${n}`)))));
  return k;
}
const signer = async (n: Admin) => ed25519Signer(await admin(n));

/** The test policy at `version` with admins `names` (threshold `threshold`). */
async function versionDoc(version: number, names: Admin[], threshold: number, edit?: (d: Doc) => void): Promise<Doc> {
  const d = await policyDoc();
  d.version = version;
  for (const n of names) {
    d.keys[n] = { publicKey: publicKeyToHex((await admin(n)).publicKey) };
    d.identities[`mailto:${n}@example.com`] = { keys: [n] };
  }
  d.admins = { keys: names, threshold };
  edit?.(d);
  return d;
}

async function signed(doc: Doc, by: Admin[]): Promise<Envelope> {
  return signPolicy(doc, await Promise.all(by.map(signer)));
}

function refused(r: PolicyResolution, code: string): void {
  expect(r.ok, JSON.stringify(r)).toBe(false);
  if (!r.ok) expect(r.code).toBe(code);
}

async function rootKeys(names: Admin[], threshold: number): Promise<Doc> {
  return {
    [POLICY_ROOT_MARKER]: 1,
    admins: { keys: await Promise.all(names.map(async (n) => publicKeyToHex((await admin(n)).publicKey))), threshold },
  };
}

describe('signed policies (decisions §13)', () => {
  it('signPolicy signs the JCS bytes as a policy envelope; its digest is the policy digest', async () => {
    const doc = await versionDoc(1, ['admin1', 'admin2'], 2);
    const env = await signed(doc, ['admin1', 'admin2']);
    const decoded = parseEnvelope(env);
    expect(decoded.payloadType).toBe(POLICY_PAYLOAD_TYPE);
    expect(decoded.payload).toEqual(canonicalBytes(doc));
    expect(decoded.signatures).toHaveLength(2);
    const r = await resolvePolicy([env]);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.policy.digest).toBe(parsePolicy(doc).digest);
      expect(r.trust).toMatchObject({ status: 'self-signed', version: 1, signers: ['admin1', 'admin2'] });
    }
    // signing again with a key that already signed adds nothing; another admin's signature adds one
    expect(parseEnvelope(await signPolicy(env, [await signer('admin1')])).signatures).toHaveLength(2);
  });

  it('a plain policy without a root loads and says it is unsigned', async () => {
    const r = await resolvePolicy([JSON.stringify(await policyDoc())]);
    expect(r.ok && r.trust.status).toBe('unsigned');
  });

  it('refuses an unsigned policy under a pinned root (POLICY_UNSIGNED)', async () => {
    const v1 = await versionDoc(1, ['admin1', 'admin2'], 2);
    refused(await resolvePolicy([v1], { root: await rootKeys(['admin1', 'admin2'], 2) }), 'POLICY_UNSIGNED');
    // the pinned root itself, given again as plain JSON, is the root: accepted
    const same = await resolvePolicy([v1], { root: v1 });
    expect(same.ok && same.trust).toMatchObject({ status: 'rooted', version: 1 });
    // a later unsigned version is refused
    const v2 = await versionDoc(2, ['admin1', 'admin2'], 2);
    refused(await resolvePolicy([v1, v2], { root: v1 }), 'POLICY_UNSIGNED');
  });

  it('refuses an under-signed policy (POLICY_THRESHOLD_NOT_MET) and accepts it at the threshold', async () => {
    const v1 = await versionDoc(1, ['admin1', 'admin2', 'admin3'], 2);
    const root = await rootKeys(['admin1', 'admin2', 'admin3'], 2);
    // the root keys are the same three, so one signature misses both thresholds: the root's first
    refused(await resolvePolicy([await signed(v1, ['admin1'])], { root }), 'POLICY_ROTATION_UNSIGNED');
    refused(await resolvePolicy([await signed(v1, ['admin1'])]), 'POLICY_THRESHOLD_NOT_MET');
    const ok = await resolvePolicy([await signed(v1, ['admin2', 'admin3'])], { root });
    expect(ok.ok && ok.trust).toMatchObject({ status: 'rooted', signers: ['admin2', 'admin3'] });
    // version 2 signed by the old admins' threshold but not its own
    const v2 = await versionDoc(2, ['admin1', 'admin2', 'admin3'], 3);
    refused(
      await resolvePolicy([v1, await signed(v2, ['admin1', 'admin2'])], { root: v1 }),
      'POLICY_THRESHOLD_NOT_MET',
    );
  });

  it('refuses a policy edited to trust an outsider, or with a gate lowered, without the admins', async () => {
    const v1 = await versionDoc(1, ['admin1', 'admin2'], 2);
    await admin('outsider');
    const outsider = await versionDoc(2, ['admin1', 'admin2'], 2, (d) => {
      d.keys.mallory = { publicKey: publicKeyToHex(adminKeys.get('outsider')!.publicKey) };
      d.identities['mailto:mallory@example.com'] = { keys: ['mallory'] };
      d.roles.approver.identities.push('mailto:mallory@example.com');
    });
    const lowered = await versionDoc(2, ['admin1', 'admin2'], 2, (d) => {
      d.riskTiers.high.approvers = 1;
    });
    for (const edited of [outsider, lowered]) {
      // the edited file as plain JSON, signed by the outsider, or by one admin: all refused
      refused(await resolvePolicy([edited], { root: v1 }), 'POLICY_UNSIGNED');
      refused(await resolvePolicy([await signed(edited, ['outsider'])], { root: v1 }), 'POLICY_ROTATION_UNSIGNED');
      refused(await resolvePolicy([await signed(edited, ['admin1'])], { root: v1 }), 'POLICY_ROTATION_UNSIGNED');
      // with both admins it is a legitimate change
      expect((await resolvePolicy([await signed(edited, ['admin1', 'admin2'])], { root: v1 })).ok).toBe(true);
    }
  });

  it('refuses an admin-swapped policy not signed by the old admins (POLICY_ROTATION_UNSIGNED), accepts a co-signed rotation', async () => {
    const v1 = await versionDoc(1, ['admin1', 'admin2'], 2);
    const v2 = await versionDoc(2, ['admin3', 'admin4'], 2);
    refused(await resolvePolicy([await signed(v2, ['admin3', 'admin4'])], { root: v1 }), 'POLICY_ROTATION_UNSIGNED');
    refused(
      await resolvePolicy([await signed(v2, ['admin1', 'admin3', 'admin4'])], { root: v1 }),
      'POLICY_ROTATION_UNSIGNED',
    );
    const rotated = await signed(v2, ['admin1', 'admin2', 'admin3', 'admin4']);
    const r = await resolvePolicy([rotated], { root: v1 });
    expect(r.ok && r.trust).toMatchObject({ status: 'rooted', version: 2, signers: ['admin3', 'admin4'] });
    // and version 3 now needs the new admins, not the old ones
    const v3 = await versionDoc(3, ['admin3', 'admin4'], 2);
    refused(
      await resolvePolicy([rotated, await signed(v3, ['admin1', 'admin2'])], { root: v1 }),
      'POLICY_ROTATION_UNSIGNED',
    );
    const r3 = await resolvePolicy([await signed(v3, ['admin3', 'admin4']), rotated], { root: v1 });
    expect(r3.ok && r3.trust.versions.map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('refuses rollback below the pinned root or --min-policy-version (POLICY_ROLLBACK)', async () => {
    const v1 = await versionDoc(1, ['admin1', 'admin2'], 2);
    const v2 = await signed(await versionDoc(2, ['admin1', 'admin2'], 2), ['admin1', 'admin2']);
    const s1 = await signed(v1, ['admin1', 'admin2']);
    refused(await resolvePolicy([s1], { root: v2 }), 'POLICY_ROLLBACK');
    refused(await resolvePolicy([s1], { minVersion: 2 }), 'POLICY_ROLLBACK');
    refused(await resolvePolicy([v1, v2], { root: v1, minVersion: 3 }), 'POLICY_ROLLBACK');
    const ok = await resolvePolicy([s1, v2], { root: await rootKeys(['admin1', 'admin2'], 2), minVersion: 2 });
    expect(ok.ok && ok.trust.version).toBe(2);
  });

  it('refuses gaps, forks and another id (POLICY_VERSION_GAP, POLICY_FORK, POLICY_ID_MISMATCH)', async () => {
    const v1 = await versionDoc(1, ['admin1', 'admin2'], 2);
    const v3 = await signed(await versionDoc(3, ['admin1', 'admin2'], 2), ['admin1', 'admin2']);
    refused(await resolvePolicy([v3], { root: v1 }), 'POLICY_VERSION_GAP');
    const v1b = await versionDoc(1, ['admin1', 'admin2'], 2, (d) => (d.description = 'a fork'));
    refused(await resolvePolicy([await signed(v1b, ['admin1', 'admin2'])], { root: v1 }), 'POLICY_FORK');
    refused(
      await resolvePolicy([await signed(v1, ['admin1', 'admin2']), await signed(v1b, ['admin1', 'admin2'])]),
      'POLICY_FORK',
    );
    const other = await versionDoc(2, ['admin1', 'admin2'], 2, (d) => (d.id = 'https://example.com/policies/other'));
    refused(await resolvePolicy([await signed(other, ['admin1', 'admin2'])], { root: v1 }), 'POLICY_ID_MISMATCH');
  });

  it('refuses malformed input with a code and never throws (property over byte edits of a signed policy)', async () => {
    const v1 = await versionDoc(1, ['admin1', 'admin2'], 2);
    const line = utf8(
      serializeEnvelope(await signed(await versionDoc(2, ['admin1', 'admin2'], 2), ['admin1', 'admin2'])),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: line.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, x) => {
        const edited = Uint8Array.from(line);
        edited[at] = edited[at]! ^ x;
        const r = await resolvePolicy([edited], { root: v1 });
        // an edit that leaves the envelope's meaning intact (e.g. in a keyid hint) may still pass;
        // whatever passes is the policy the admins signed
        if (r.ok) expect(r.policy.digest).toBe(parsePolicy(await versionDoc(2, ['admin1', 'admin2'], 2)).digest);
        else expect(r.code).toMatch(/^[A-Z0-9_]+$/);
      }),
      { numRuns: 150 },
    );
    const bad = await resolvePolicy(['{"payloadType":"x","payload":"!!","signatures":[]}']);
    expect(!bad.ok && bad.code).toMatch(/^(BASE64_|DSSE_)/);
    const wrongType = await signEnvelope(canonicalBytes(v1), 'application/json', [await signer('admin1')]);
    refused(await resolvePolicy([wrongType]), 'POLICY_INVALID');
    refused(
      await resolvePolicy([v1], { root: { [POLICY_ROOT_MARKER]: 1, admins: { keys: [], threshold: 1 } } }),
      'POLICY_ROOT_INVALID',
    );
  });

  it('refuses admins naming unknown keys or an impossible threshold at load', async () => {
    const d = await versionDoc(1, ['admin1'], 1);
    expect(() => parsePolicy({ ...d, admins: { keys: ['nobody'], threshold: 1 } })).toThrow(
      /POLICY_REFERENCE_UNKNOWN|unknown key/,
    );
    expect(() => parsePolicy({ ...d, admins: { keys: ['admin1', 'admin1'], threshold: 2 } })).toThrow(/threshold 2/);
  });

  it('names the policy, its version and signers in the chain report', async () => {
    const world = await buildWorld();
    const v1 = await versionDoc(1, ['admin1', 'admin2'], 2);
    const r = await resolvePolicy([await signed(v1, ['admin1', 'admin2'])], {
      root: await rootKeys(['admin1', 'admin2'], 2),
    });
    if (!r.ok) throw new Error(r.message);
    const run = async (policy: typeof r.policy) =>
      (await verifyChain({ bundle: world.bundle, policy, subject: MODEL, useCase: 'support-chat', asOf: T.asOf }))
        .report;
    const rooted = await run(r.policy);
    expect(rooted.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(rooted.ok).toBe(true);
    const check = rooted.checks.find((c) => c.id === 'policy.trust')!;
    expect(check).toMatchObject({ status: 'pass', code: 'OK', subject: 'https://example.com/policies/test v1' });
    expect(check.actual).toContain('admin1, admin2');
    expect(check.actual).toContain(r.policy.digest);
    const plain = await run(parsePolicy(v1));
    expect(plain.checks.find((c) => c.id === 'policy.trust')).toMatchObject({
      status: 'skip',
      code: 'POLICY_UNSIGNED',
    });
  });
});

describe('signed policies: every rule, message and path (mutation-directed)', () => {
  const hex = async (n: Admin) => publicKeyToHex((await admin(n)).publicKey);
  const rootDoc = async (extra: Doc = {}) => ({
    [POLICY_ROOT_MARKER]: 1,
    admins: { keys: [await hex('admin1'), await hex('admin2')], threshold: 2 },
    ...extra,
  });
  const refusedWith = (r: PolicyResolution, code: string, message: RegExp, path?: string) => {
    refused(r, code);
    if (!r.ok) {
      expect(r.message).toMatch(message);
      if (path !== undefined) expect(r.path).toBe(path);
    }
  };

  it('judges the root-keys document field by field (POLICY_ROOT_INVALID)', async () => {
    const v1 = await signed(await versionDoc(1, ['admin1', 'admin2'], 2), ['admin1', 'admin2']);
    const k1 = await hex('admin1');
    const cases: Array<[Doc, RegExp]> = [
      [await rootDoc({ extra: 1 }), /^root\.json: unknown field "extra"$/],
      [{ ...(await rootDoc()), [POLICY_ROOT_MARKER]: 2 }, /lineproofPolicyRoot must be 1/],
      [{ [POLICY_ROOT_MARKER]: 1 }, /admins must be \{ keys: \[public keys\], threshold \}/],
      [{ [POLICY_ROOT_MARKER]: 1, admins: 'x' }, /admins must be/],
      [{ [POLICY_ROOT_MARKER]: 1, admins: { keys: 'x', threshold: 1 } }, /admins must be/],
      [{ [POLICY_ROOT_MARKER]: 1, admins: { keys: [k1], threshold: '1' } }, /admins must be/],
      [{ [POLICY_ROOT_MARKER]: 1, admins: { keys: [], threshold: 1 } }, /admins.keys must name 1 to 64 keys/],
      [{ [POLICY_ROOT_MARKER]: 1, admins: { keys: Array(65).fill(k1), threshold: 1 } }, /1 to 64 keys/],
      [{ [POLICY_ROOT_MARKER]: 1, admins: { keys: [7], threshold: 1 } }, /admins.keys\[0\] must be a public key/],
      [{ [POLICY_ROOT_MARKER]: 1, admins: { keys: ['zz'], threshold: 1 } }, /admins.keys\[0\]: /],
      [
        { [POLICY_ROOT_MARKER]: 1, admins: { keys: [k1, k1], threshold: 2 } },
        /threshold must be a whole number from 1 to 1/,
      ],
      [{ [POLICY_ROOT_MARKER]: 1, admins: { keys: [k1], threshold: 0 } }, /from 1 to 1/],
      [{ [POLICY_ROOT_MARKER]: 1, admins: { keys: [k1], threshold: 1.5 } }, /from 1 to 1/],
      [await rootDoc({ policyId: 5 }), /policyId must be a string/],
    ];
    for (const [root, message] of cases)
      refusedWith(
        await resolvePolicy([v1], { root, rootWhat: 'root.json' }),
        'POLICY_ROOT_INVALID',
        message,
        'root.json',
      );
    // a description is allowed, and a matching policyId
    const ok = await resolvePolicy([v1], {
      root: await rootDoc({ description: 'prod admins', policyId: 'https://example.com/policies/test' }),
    });
    expect(ok.ok && ok.trust.root).toEqual({ kind: 'keys', keys: [k1, await hex('admin2')], threshold: 2 });
    refusedWith(
      await resolvePolicy([v1], { root: await rootDoc({ policyId: 'urn:other' }) }),
      'POLICY_ID_MISMATCH',
      /^policy\[0\]: policy id "https:\/\/example.com\/policies\/test" is not the pinned "urn:other"$/,
      'policy[0]',
    );
    // a pinned root that is no policy at all
    refusedWith(await resolvePolicy([v1], { root: { id: 'x' }, rootWhat: 'r' }), 'POLICY_ROOT_INVALID', /^r: /, 'r');
  });

  it('an admin key that is compromised, or revoked in that version, does not count', async () => {
    const compromised = await versionDoc(1, ['admin1', 'admin2'], 2, (d) => {
      d.keys.admin2.status = 'compromised';
      d.keys.admin2.compromisedAt = '2026-01-01T00:00:00Z';
    });
    refusedWith(
      await resolvePolicy([await signed(compromised, ['admin1', 'admin2'])]),
      'POLICY_THRESHOLD_NOT_MET',
      /^policy\[0\]: version 1 is signed by 1 of version 1's admins \(admin1\), needs 2$/,
    );
    const revoked = await versionDoc(1, ['admin1', 'admin2'], 2, (d) => {
      d.revocations = [{ kind: 'key', key: 'admin1', reason: 'compromised' }];
    });
    refusedWith(
      await resolvePolicy([await signed(revoked, ['admin1', 'admin2'])]),
      'POLICY_THRESHOLD_NOT_MET',
      /\(admin2\), needs 2$/,
    );
    // other revocations do not touch the admins
    const other = await versionDoc(1, ['admin1', 'admin2'], 2, (d) => {
      d.revocations = [{ kind: 'model', digest: `sha256:${'ab'.repeat(32)}`, reason: 'x' }];
    });
    expect((await resolvePolicy([await signed(other, ['admin1', 'admin2'])])).ok).toBe(true);
  });

  it('a version without admins cannot be signed for, nor rotated from', async () => {
    const bare = await policyDoc();
    const noAdmins = await signPolicy(bare, [await signer('admin1')]);
    refusedWith(
      await resolvePolicy([noAdmins]),
      'POLICY_THRESHOLD_NOT_MET',
      /^policy\[0\]: version 1 cannot be accepted: it names no admins$/,
    );
    const v2 = await signed(await versionDoc(2, ['admin1'], 1), ['admin1']);
    refusedWith(
      await resolvePolicy([v2], { root: bare }),
      'POLICY_ROTATION_UNSIGNED',
      /^policy\[0\]: version 2 cannot be accepted: version 1 names no admins$/,
    );
  });

  it('one version given plain and signed: the signed one is kept, in either order', async () => {
    const doc = await versionDoc(1, ['admin1'], 1);
    const env = await signed(doc, ['admin1']);
    for (const inputs of [
      [doc, env],
      [env, doc],
    ]) {
      const r = await resolvePolicy(inputs);
      expect(r.ok && r.trust.status).toBe('self-signed');
    }
    const two = await resolvePolicy([doc, doc]);
    expect(two.ok && two.trust.status).toBe('unsigned');
  });

  it('names each input in messages and paths, and states the rule broken', async () => {
    const v1 = await versionDoc(1, ['admin1', 'admin2'], 2);
    const v3 = await signed(await versionDoc(3, ['admin1', 'admin2'], 2), ['admin1', 'admin2']);
    refusedWith(
      await resolvePolicy([v3], { root: v1, what: ['v3.json'] }),
      'POLICY_VERSION_GAP',
      /^v3\.json: version 3 does not follow version 1 \(give every version in between\)$/,
      'v3.json',
    );
    const s1 = await signed(v1, ['admin1', 'admin2']);
    refusedWith(
      await resolvePolicy([s1], { minVersion: 2, what: ['a'] }),
      'POLICY_ROLLBACK',
      /^a: version 1 is below the minimum policy version 2$/,
      'a',
    );
    refusedWith(
      await resolvePolicy([s1], { root: v3, what: ['a'] }),
      'POLICY_ROLLBACK',
      /^a: version 1 is older than the pinned root's version 3$/,
    );
    refusedWith(
      await resolvePolicy([await versionDoc(2, ['admin1'], 1)], { root: v1, what: ['p'] }),
      'POLICY_UNSIGNED',
      /^p: version 2 follows version 1 but is not signed$/,
    );
    refusedWith(
      await resolvePolicy([await versionDoc(1, ['admin1'], 1)], { root: await rootDoc(), what: ['p'] }),
      'POLICY_UNSIGNED',
      /^p: a policy root is pinned, and this policy is not signed$/,
    );
    const d1 = await versionDoc(1, ['admin1', 'admin2'], 2, (d) => (d.description = 'one'));
    refusedWith(
      await resolvePolicy([v1, d1], { what: ['x', 'y'] }),
      'POLICY_FORK',
      /^y and x are two different policies that both claim version 1$/,
      'y',
    );
    const other = await versionDoc(2, ['admin1', 'admin2'], 2, (d) => (d.id = 'urn:o'));
    refusedWith(
      await resolvePolicy([s1, await signed(other, ['admin1', 'admin2'])], { what: ['a', 'b'] }),
      'POLICY_ID_MISMATCH',
      /^b: policy id "urn:o" is not "https:\/\/example.com\/policies\/test"$/,
    );
    const r = await resolvePolicy([s1]);
    expect(r.ok && r.trust).toEqual({
      status: 'self-signed',
      id: 'https://example.com/policies/test',
      version: 1,
      digest: parsePolicy(v1).digest,
      signers: ['admin1', 'admin2'],
      versions: [{ version: 1, digest: parsePolicy(v1).digest, signers: ['admin1', 'admin2'] }],
    });
  });

  it('a verifier that throws counts as no signature; misuse throws', async () => {
    const s1 = await signed(await versionDoc(1, ['admin1'], 1), ['admin1']);
    const throwing = { name: 'boom', verify: () => Promise.reject(new Error('boom')) };
    refused(await resolvePolicy([s1], { verifier: throwing }), 'POLICY_THRESHOLD_NOT_MET');
    await expect(resolvePolicy([])).rejects.toThrow(TypeError);
    await expect(resolvePolicy('x' as never)).rejects.toThrow(/"inputs" expected a non-empty array/);
    await expect(resolvePolicy([s1], { minVersion: -1 })).rejects.toThrow(/"minVersion"/);
    await expect(resolvePolicy([s1], { minVersion: 1.5 })).rejects.toThrow(/"minVersion"/);
    expect((await resolvePolicy([s1], { minVersion: 0 })).ok).toBe(true);
    await expect(signPolicy(await versionDoc(1, ['admin1'], 1), [])).rejects.toThrow(
      /"signers" expected a non-empty array/,
    );
    await expect(signPolicy('{', [await signer('admin1')])).rejects.toMatchObject({ code: 'JSON_SYNTAX' });
  });

  it("a signed policy's payload must be its JCS bytes", async () => {
    const doc = await versionDoc(1, ['admin1'], 1);
    const pretty = await signEnvelope(utf8(JSON.stringify(doc, null, 2)), POLICY_PAYLOAD_TYPE, [
      await signer('admin1'),
    ]);
    refusedWith(await resolvePolicy([pretty]), 'POLICY_INVALID', /is not the JCS \(RFC 8785\) form/);
  });
});
