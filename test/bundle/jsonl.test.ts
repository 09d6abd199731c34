import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundleLine, cosignEntry, findEntry, readBundle } from '../../src/bundle/jsonl.js';
import { indexBundle, resolveSignatures } from '../../src/bundle/lookup.js';
import { utf8 } from '../../src/bytes/index.js';
import { signEnvelope } from '../../src/dsse/sign.js';
import { isLineproofError } from '../../src/errors.js';
import { canonicalBytes } from '../../src/json/canonical.js';
import { ed25519Signer } from '../../src/keys/keys.js';
import { parseAttestationPayload } from '../../src/statements/predicates/index.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/statements/statement.js';
import { verifyChain } from '../../src/verify/chain.js';
import { buildExampleChain } from '../helpers/lifecycle.js';
import { buildWorld, key, MODEL, T } from '../helpers/world.js';

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return isLineproofError(e) ? e.code : `not a LineproofError: ${String(e)}`;
  }
  return 'no error';
}

describe('every lifecycle predicate round-trips builder -> sign -> bundle -> parse', () => {
  it('for each step of the example chain (dataset x2, training, registration, evaluation x2, approval x2, promotion, revocation)', async () => {
    const chain = buildExampleChain();
    const signer = ed25519Signer(await key('steward'));
    let text = '';
    for (const step of Object.values(chain)) {
      const env = await signEnvelope(canonicalBytes(step.statement), IN_TOTO_PAYLOAD_TYPE, [signer]);
      text += bundleLine(env);
    }
    const bundle = readBundle(text);
    expect(bundle.errors).toEqual([]);
    expect(bundle.entries).toHaveLength(10);
    for (const [i, step] of Object.values(chain).entries()) {
      const entry = bundle.entries[i]!;
      expect(entry.lines).toEqual([i + 1]);
      expect(entry.envelope.payload).toEqual(step.payload);
      const parsed = parseAttestationPayload(entry.envelope.payload);
      expect(parsed.statement).toEqual(step.statement);
      expect(parsed.payloadDigest).toBe(entry.payloadDigest);
    }
    const stages = indexBundle(bundle).attestations.map((a) => a.attestation.stage);
    expect(stages).toEqual([
      'dataset',
      'dataset',
      'training',
      'registration',
      'evaluation',
      'evaluation',
      'approval',
      'approval',
      'promotion',
      'revocation',
    ]);
  });
});

describe('readBundle', () => {
  it('accepts blank lines and CRLF, and names a malformed line by its number', async () => {
    const w = await buildWorld();
    const [a, b] = [w.steps.dataset.line, w.steps.training.line];
    const bundle = readBundle(`\n${a.replace('\n', '\r\n')}   \n{"payload":\n${b}`);
    expect(bundle.entries.map((e) => e.lines)).toEqual([[2], [5]]);
    expect(bundle.errors.map((e) => [e.line, e.code])).toEqual([[4, 'JSON_SYNTAX']]);
  });

  it('is a set: any order and any duplication of lines gives the same attestations', async () => {
    const w = await buildWorld();
    const lines = Object.values(w.steps).map((s) => s.line);
    const digests = Object.values(w.steps)
      .map((s) => s.digest)
      .sort();
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(fc.constantFrom(...lines.keys()), { minLength: 5, maxLength: 15 })
          .filter((ix) => new Set(ix).size === 5),
        async (ix) => {
          const bundle = readBundle(ix.map((i) => lines[i]).join(''));
          expect(bundle.errors).toEqual([]);
          expect(bundle.entries.map((e) => e.payloadDigest).sort()).toEqual(digests);
          for (const e of bundle.entries)
            expect(e.envelope.signatures).toHaveLength(e.payloadDigest === w.steps.approval.digest ? 2 : 1);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('merges the signatures of lines over the same payload, each signature once', async () => {
    const w = await buildWorld({ signers: { approval: ['alice'] } });
    const bob = await signEnvelope(w.steps.approval.payload, IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(await key('bob'))]);
    const bundle = readBundle(w.steps.approval.line + bundleLine(bob) + w.steps.approval.line);
    expect(bundle.entries).toHaveLength(1);
    expect(bundle.entries[0]!.lines).toEqual([1, 2, 3]);
    expect(bundle.entries[0]!.envelope.signatures).toHaveLength(2);
  });
});

describe('cosignEntry (a second approver)', () => {
  describe('when an approval signed by alice is co-signed by bob in a separate line', () => {
    it('meets the 2-approver tier; alice alone does not', async () => {
      const w = await buildWorld({ signers: { approval: ['alice'] } });
      const verify = (bundle: string) =>
        verifyChain({ bundle, policy: w.policy, subject: MODEL, useCase: 'support-chat', asOf: T.asOf });
      const alone = await verify(w.bundle);
      expect(alone.report.ok).toBe(false);
      expect(alone.report.checks.filter((c) => c.status === 'fail').map((c) => c.code)).toEqual([
        'APPROVAL_THRESHOLD_NOT_MET',
      ]);

      const r = await cosignEntry(readBundle(w.bundle), w.steps.approval.digest, ed25519Signer(await key('bob')));
      expect(r.added).toBe(true);
      expect(r.envelope.signatures).toHaveLength(2);
      const both = await verify(w.bundle + bundleLine(r.envelope));
      expect(both.report.ok).toBe(true);
      const approval = both.chain.find((l) => l.stage === 'approval')!;
      expect(approval.payloadDigest).toBe(w.steps.approval.digest); // references do not change
      expect(approval.signers.map((s) => s.identity).sort()).toEqual([
        'mailto:alice@example.com',
        'mailto:bob@example.com',
      ]);
    });

    it('a line with only the new signature merges as well', async () => {
      const w = await buildWorld({ signers: { approval: ['alice'] } });
      const onlyBob = await signEnvelope(w.steps.approval.payload, IN_TOTO_PAYLOAD_TYPE, [
        ed25519Signer(await key('bob')),
      ]);
      const { report } = await verifyChain({
        bundle: w.bundle + bundleLine(onlyBob),
        policy: w.policy,
        subject: MODEL,
        useCase: 'support-chat',
        asOf: T.asOf,
      });
      expect(report.ok).toBe(true);
    });
  });

  it('adds nothing when the key already signed', async () => {
    const w = await buildWorld();
    const r = await cosignEntry(readBundle(w.bundle), w.steps.approval.digest, ed25519Signer(await key('alice')));
    expect(r.added).toBe(false);
  });

  it('fails with BUNDLE_PAYLOAD_NOT_FOUND for a digest not in the bundle, INVALID_ARGUMENT for a malformed one', async () => {
    const w = await buildWorld();
    const bob = ed25519Signer(await key('bob'));
    expect(await codeOf(cosignEntry(readBundle(w.bundle), `sha256:${'0'.repeat(64)}`, bob))).toBe(
      'BUNDLE_PAYLOAD_NOT_FOUND',
    );
    expect(await codeOf(cosignEntry(readBundle(w.bundle), 'sha256:abc', bob))).toBe('INVALID_ARGUMENT');
  });

  it('finds the entry by sha256:<hex> or bare hex in any case', async () => {
    const w = await buildWorld();
    const bundle = readBundle(w.bundle);
    const hex = w.steps.training.digest.slice('sha256:'.length);
    expect(findEntry(bundle, hex.toUpperCase())?.payloadDigest).toBe(w.steps.training.digest);
    expect(findEntry(bundle, w.steps.training.digest)?.lines).toEqual([2]);
  });
});

describe('indexBundle', () => {
  it('indexes attestations by digest and stage, with who refers to whom', async () => {
    const w = await buildWorld();
    const index = indexBundle(readBundle(w.bundle));
    expect(index.attestations).toHaveLength(5);
    expect(index.ofStage('evaluation').map((a) => a.entry.payloadDigest)).toEqual([w.steps.evaluation.digest]);
    expect(index.get(w.steps.training.digest)?.attestation.stage).toBe('training');
    expect(index.referrers(w.steps.training.digest).map((r) => [r.from.attestation.stage, r.reference.role])).toEqual([
      ['evaluation', 'training'],
      ['approval', 'training'],
    ]);
    expect(index.referrers(w.steps.promotion.digest)).toEqual([]);
  });

  it('lists envelopes that are not lifecycle attestations with their code, and unreadable lines stay in bundle.errors', async () => {
    const w = await buildWorld();
    const alien = await signEnvelope(
      utf8(
        JSON.stringify({
          _type: 'https://in-toto.io/Statement/v1',
          subject: [{ digest: { sha256: 'a'.repeat(64) } }],
          predicateType: 'https://example.com/other/v1',
        }),
      ),
      IN_TOTO_PAYLOAD_TYPE,
      [ed25519Signer(await key('mallory'))],
    );
    const text = w.steps.dataset.line + bundleLine(alien) + 'not json\n';
    const index = indexBundle(readBundle(text));
    expect(index.attestations).toHaveLength(1);
    expect(index.others.map((o) => [o.entry.lines, o.code])).toEqual([[[2], 'PREDICATE_TYPE_UNKNOWN']]);
    expect(index.bundle.errors.map((e) => e.line)).toEqual([3]);
  });
});

describe('resolveSignatures', () => {
  it('names the policy key of each signature, whatever keyid hint it carries', async () => {
    const w = await buildWorld({ signers: { approval: ['alice', 'mallory', 'bob'] } });
    const entry = readBundle(w.steps.approval.line).entries[0]!;
    entry.envelope.signatures[0]!.keyid = 'lying-hint';
    const sigs = await resolveSignatures(entry.envelope, w.policy.keys);
    expect(sigs.map((s) => s.key?.identity)).toEqual(['mailto:alice@example.com', undefined, 'mailto:bob@example.com']);
    expect(sigs[0]!.keyid).toBe('lying-hint');
  });
});

describe('readBundle and findEntry, mutation-directed', () => {
  const payload = canonicalBytes({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'x', digest: { sha256: 'ab'.repeat(32) } }],
    predicateType: 'https://example.com/x/v1',
    predicate: {},
  });
  async function envelopeWith(keyid: string | undefined, payloadType: string = IN_TOTO_PAYLOAD_TYPE) {
    const env = await signEnvelope(payload, payloadType, [ed25519Signer(await key('steward'))]);
    const s = env.signatures[0]!;
    return { ...env, signatures: [keyid === undefined ? { sig: s.sig } : { keyid, sig: s.sig }] };
  }

  it('a merged signature keeps the least keyid hint (no hint ranks last), whatever the line order', async () => {
    for (const [x, y, kept] of [
      ['b', 'a', 'a'],
      [undefined, 'z', 'z'],
    ] as const) {
      const one = bundleLine(await envelopeWith(x));
      const two = bundleLine(await envelopeWith(y));
      for (const text of [one + two, two + one]) {
        const b = readBundle(text);
        expect(b.entries).toHaveLength(1);
        expect(b.entries[0]!.envelope.signatures).toHaveLength(1);
        expect(b.entries[0]!.envelope.signatures[0]!.keyid).toBe(kept);
        expect(b.entries[0]!.lines).toEqual([1, 2]);
        expect(b.entries[0]!.signatureLines).toEqual([[1, 2]]);
      }
    }
  });

  it('names the input in the error for unreadable bytes, and refuses a non-bundle value', () => {
    const bad = new Uint8Array([0x7b, 0xff, 0x7d]);
    const b = readBundle(bad);
    expect(b.entries).toEqual([]);
    expect(b.errors).toHaveLength(1);
    expect(b.errors[0]).toMatchObject({ line: 0, code: 'UTF8_INVALID' });
    expect(b.errors[0]!.message).toMatch(/^bundle/);
    expect(readBundle(bad, { what: 'chain.jsonl' }).errors[0]!.message).toMatch(/^chain\.jsonl/);
    expect(() => readBundle(42 as never)).toThrow(TypeError);
  });

  it('findEntry: bare or prefixed hex in any case; anything else refused; in-toto preferred', async () => {
    const other = await envelopeWith('k', 'application/json');
    const intoto = await envelopeWith('k');
    const b = readBundle(bundleLine(other) + bundleLine(intoto));
    const digest = b.entries[0]!.payloadDigest;
    const hex = digest.slice('sha256:'.length);
    for (const d of [digest, hex, hex.toUpperCase(), `sha256:${hex.toUpperCase()}`])
      expect(findEntry(b, d)!.envelope.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
    expect(findEntry(readBundle(bundleLine(other)), digest)!.envelope.payloadType).toBe('application/json');
    expect(findEntry(b, `sha256:${'0'.repeat(64)}`)).toBeUndefined();
    for (const d of [`${hex}0`, `0${hex}`, hex.slice(1), `sha512:${hex}`, `xsha256:${hex}`, `${digest} `, ''])
      expect(await codeOf(() => findEntry(b, d))).toBe('INVALID_ARGUMENT');
  });
});
