/**
 * Bundle identity and bounded cost (decisions §14, spec/verification.md step 3): regression tests for
 * what someone with append access to a bundle and no key could make the verifier say.
 */
import * as ed from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { toBase64, utf8 } from '../../src/bytes/index.js';
import { sha256 } from '../../src/digest/index.js';
import { canonicalJson } from '../../src/json/canonical.js';
import { keyidsOf } from '../../src/keys/keyid.js';
import type { SignatureVerifier } from '../../src/keys/types.js';
import { nodeEd25519Verifier } from '../../src/node/ed25519.js';
import type { Envelope } from '../../src/dsse/envelope.js';
import {
  buildRevocationStatement,
  buildWorld,
  IDENTITY,
  key,
  MODEL,
  sign,
  type World,
  type WorldStep,
  verifyWorld,
} from '../helpers/world.js';
import { goldenReports } from '../helpers/golden-reports.js';

const expectGolden = goldenReports(import.meta.url);

const L = 2n ** 252n + 27742317777372353535851937790883648493n;

/** Deterministic junk that passes every structural check: R a curve point of prime order, S < L. */
function junkSignatures(n: number, tag: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; out.length < n; i++) {
    const h = sha256(utf8(`junk ${tag} ${i}`));
    let s = 0n;
    for (let j = 31; j >= 0; j--) s = (s << 8n) | BigInt(h[j]!);
    const r = ed.Point.BASE.multiply((s % (L - 1n)) + 1n).toBytes();
    const sBytes = sha256(h);
    sBytes[31]! &= 0x0f; // below L
    const sig = new Uint8Array(64);
    sig.set(r, 0);
    sig.set(sBytes, 32);
    out.push(sig);
  }
  return out;
}

function line(envelope: Envelope): string {
  return `${canonicalJson(envelope)}\n`;
}

/** The step's payload with `n` junk signatures (keyid hints naming `hint`, or none). */
function junkLine(step: WorldStep, n: number, tag: string, hint = ''): string {
  return line({
    ...step.envelope,
    signatures: junkSignatures(n, tag).map((sig) => ({ keyid: hint, sig: toBase64(sig) })),
  });
}

async function revokedWorld(): Promise<{ world: World; revocation: WorldStep; bundle: string }> {
  const world = await buildWorld();
  const revocation = await sign(
    buildRevocationStatement({
      kind: 'model',
      subjects: [{ digest: MODEL }],
      reason: 'legal',
      description: 'takedown',
      effectiveAt: '2026-01-20T00:00:00Z',
      attester: IDENTITY.revoker,
      now: new Date('2026-01-20T00:00:00Z'),
    } as never),
    ['revoker'],
  );
  return { world, revocation, bundle: world.bundle + revocation.line };
}

async function run(
  world: World,
  bundle: string,
  extra: { limits?: Record<string, number>; verifier?: SignatureVerifier } = {},
) {
  const { report, failed } = await verifyWorld(world, bundle, {
    verifier: extra.verifier ?? nodeEd25519Verifier,
    ...(extra.limits ? { limits: extra.limits } : {}),
  });
  expectGolden(report);
  return { report, failed };
}

describe('a genuine revocation cannot be cancelled with append access and no key', () => {
  it('is honoured on its own (the baseline)', async () => {
    const { world, bundle } = await revokedWorld();
    expect((await run(world, bundle)).failed).toEqual(['REVOKED']);
  });

  it('a copy of its payload under another payloadType (with the genuine signature) neither merges with nor replaces it', async () => {
    const { world, revocation, bundle } = await revokedWorld();
    for (const payloadType of ['application/vnd.lineproof.other+json', 'application/vnd.in-toto+JSON', 'text/plain']) {
      const copy = line({ ...revocation.envelope, payloadType });
      for (const b of [bundle + copy, copy + bundle]) {
        const { report, failed } = await run(world, b);
        expect(failed).toEqual(['REVOKED']);
        expect(report.checks.some((c) => c.id === 'bundle.other' && c.status === 'skip')).toBe(true);
      }
    }
  });

  it('the same payload carrying junk signatures up to the limit does not turn it untrusted', async () => {
    const { world, revocation, bundle } = await revokedWorld();
    const withGenuine = line({
      ...revocation.envelope,
      signatures: [
        ...revocation.envelope.signatures,
        ...junkSignatures(15, 'a').map((s) => ({ keyid: '', sig: toBase64(s) })),
      ],
    });
    for (const b of [
      bundle + junkLine(revocation, 16, 'b'),
      junkLine(revocation, 16, 'c') + bundle,
      withGenuine + bundle,
      bundle + withGenuine,
    ]) {
      const { report, failed } = await run(world, b);
      expect(failed).toEqual(['REVOKED']);
      expect(
        report.checks.some(
          (c) => c.id === 'bundle.signature' && c.code === 'DSSE_SIGNATURE_UNVERIFIED' && c.status === 'skip',
        ),
      ).toBe(true);
    }
  });

  it('past the per-line signature limit the line is refused (LIMIT_EXCEEDED) and the revocation still holds', async () => {
    const { world, revocation, bundle } = await revokedWorld();
    const over = line({
      ...revocation.envelope,
      signatures: [
        ...revocation.envelope.signatures,
        ...junkSignatures(16, 'd').map((s) => ({ keyid: '', sig: toBase64(s) })),
      ],
    });
    for (const b of [bundle + over, over + bundle]) {
      const { report, failed } = await run(world, b);
      expect(failed).toEqual(['LIMIT_EXCEEDED', 'REVOKED']);
      expect(report.checks.find((c) => c.code === 'LIMIT_EXCEEDED')!.subject).toMatch(/^line \d+$/);
    }
  });
});

describe('junk never vetoes a valid approval, wherever it is placed', () => {
  it('junk signatures on the approval payload, or a copy under another payloadType, before or after it, leave the verdict a pass', async () => {
    const world = await buildWorld();
    const alice = keyidsOf((await key('alice')).publicKey.bytes).legacy;
    const copy = line({ ...world.steps.approval.envelope, payloadType: 'application/vnd.lineproof.other+json' });
    const twice = junkLine(world.steps.approval, 16, 'e2') + junkLine(world.steps.approval, 16, 'e3');
    for (const junk of [
      junkLine(world.steps.approval, 16, 'e'),
      junkLine(world.steps.approval, 16, 'f', alice),
      copy,
      twice,
    ]) {
      for (const b of [world.bundle + junk, junk + world.bundle]) {
        const { report, failed } = await run(world, b);
        expect(failed).toEqual([]);
        expect(report.ok).toBe(true);
      }
    }
  });
});

describe('untrusted material explains, and never changes a failed code', () => {
  it('an approval signed by an untrusted key adds a skip to SUBJECT_NOT_APPROVED, not another failure', async () => {
    const world = await buildWorld();
    const noApproval = [world.steps.dataset, world.steps.training, world.steps.evaluation].map((s) => s.line).join('');
    const mallory = await sign(world.steps.approval.statement, ['mallory']);
    const before = await run(world, noApproval);
    const after = await run(world, noApproval + mallory.line);
    expect(before.failed).toEqual(['SUBJECT_NOT_APPROVED']);
    expect(after.failed).toEqual(before.failed);
    expect(
      after.report.checks.some(
        (c) => c.status === 'skip' && c.code === 'UNTRUSTED_SIGNER' && c.id === 'chain.approval.untrusted',
      ),
    ).toBe(true);
  });

  it('a reference to a payload only an untrusted key signed fails as unresolved, with the untrusted copy named', async () => {
    const world = await buildWorld();
    const withoutEvaluation = [world.steps.dataset, world.steps.training, world.steps.approval, world.steps.promotion]
      .map((s) => s.line)
      .join('');
    const mallory = await sign(world.steps.evaluation.statement, ['mallory']);
    const before = await run(world, withoutEvaluation);
    const after = await run(world, withoutEvaluation + mallory.line);
    expect(before.failed).toContain('REFERENCE_UNRESOLVED');
    expect(after.failed).toEqual(before.failed);
    expect(after.report.checks.some((c) => c.status === 'skip' && c.code === 'REFERENCE_UNTRUSTED')).toBe(true);
  });
});

describe('cost is bounded by a budget of untrusted signature checks, failing closed', () => {
  /** Counts the verifier's calls, to show each (signature, key) pair is tried once. */
  function counting(): SignatureVerifier & { calls: number } {
    const v = {
      name: 'counting',
      calls: 0,
      verify: async (s: Uint8Array, m: Uint8Array, k: Uint8Array) => (v.calls++, nodeEd25519Verifier.verify(s, m, k)),
    };
    return v;
  }

  it('each (signature, key) pair is tried at most once, however often the junk is repeated', async () => {
    const world = await buildWorld();
    const junk = junkLine(world.steps.approval, 16, 'g');
    const keys = world.policy.keys.length;
    const once = counting();
    await run(world, world.bundle + junk, { verifier: once });
    const thrice = counting();
    await run(world, world.bundle + junk + junk + junk, { verifier: thrice });
    expect(thrice.calls).toBe(once.calls);
    // 16 junk signatures, each against every policy key, plus the genuine ones (hinted: one try each).
    expect(once.calls).toBeGreaterThanOrEqual(16 * keys);
    expect(once.calls).toBeLessThan(16 * keys + 3 * keys);
  });

  it('junk that needs no key check (bad length, S >= L, small-order R) costs nothing', async () => {
    const world = await buildWorld();
    const bad = [
      new Uint8Array(63),
      new Uint8Array(64).fill(0xff),
      (() => {
        const s = new Uint8Array(64);
        s[0] = 1;
        return s;
      })(),
    ];
    const junk = line({
      ...world.steps.approval.envelope,
      signatures: bad.map((s) => ({ keyid: '', sig: toBase64(s) })),
    });
    const base = counting();
    await run(world, world.bundle, { verifier: base });
    const v = counting();
    const { report } = await run(world, world.bundle + junk, { verifier: v, limits: { untrustedSignatureChecks: 0 } });
    expect(v.calls).toBe(base.calls);
    expect(report.ok).toBe(true);
  });

  it('past the budget verification fails closed with VERIFY_BUDGET_EXCEEDED naming the line, and no other reason', async () => {
    const world = await buildWorld();
    const keys = world.policy.keys.length;
    const junk = Array.from({ length: 4 }, (_, i) => junkLine(world.steps.approval, 16, `h${i}`)).join('');
    const need = 4 * 16 * keys;
    const within = await run(world, world.bundle + junk, { limits: { untrustedSignatureChecks: need } });
    expect(within.failed).toEqual([]);
    for (const b of [world.bundle + junk, junk + world.bundle]) {
      const past = await run(world, b, { limits: { untrustedSignatureChecks: need - 1 } });
      expect(past.failed).toEqual(['VERIFY_BUDGET_EXCEEDED']);
      expect(past.report.ok).toBe(false);
      expect(past.report.checks.find((c) => c.code === 'VERIFY_BUDGET_EXCEEDED')!.subject).toMatch(/^line \d+/);
    }
  });

  it('a failing chain stays failing past the budget', async () => {
    const { world, revocation, bundle } = await revokedWorld();
    const junk = junkLine(revocation, 16, 'i');
    const past = await run(world, bundle + junk, { limits: { untrustedSignatureChecks: 1 } });
    expect(past.report.ok).toBe(false);
    expect(past.failed).toEqual(['VERIFY_BUDGET_EXCEEDED']);
  });

  it('the line named does not depend on line order (work runs in content order)', async () => {
    const world = await buildWorld();
    const junk = Array.from({ length: 3 }, (_, i) => junkLine(world.steps.approval, 16, `j${i}`));
    const all = [...Object.values(world.steps).map((s) => s.line), ...junk];
    const named = async (lines: string[]) => {
      const { report } = await run(world, lines.join(''), { limits: { untrustedSignatureChecks: 20 } });
      const n = Number(/^line (\d+)/.exec(report.checks.find((c) => c.code === 'VERIFY_BUDGET_EXCEEDED')!.subject)![1]);
      return lines[n - 1];
    };
    const a = await named(all);
    const b = await named([...all].reverse());
    expect(a).toBe(b);
  });
});
