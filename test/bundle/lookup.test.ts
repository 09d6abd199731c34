import { beforeAll, describe, expect, it } from 'vitest';
import { bundleLine, readBundle } from '../../src/bundle/jsonl.js';
import { indexBundle, resolveSignatures } from '../../src/bundle/lookup.js';
import { toBase64, utf8 } from '../../src/bytes/index.js';
import { pae } from '../../src/dsse/pae.js';
import { signEnvelope } from '../../src/dsse/sign.js';
import { ed25519Signer } from '../../src/keys/keys.js';
import type { SignatureVerifier } from '../../src/keys/types.js';
import type { ResolvedKey } from '../../src/policy/policy.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/statements/statement.js';
import { buildWorld, key, type World } from '../helpers/world.js';

let w: World;
beforeAll(async () => {
  w = await buildWorld();
});

describe('indexBundle', () => {
  describe('when every envelope is a lifecycle attestation', () => {
    it('lists them in bundle order, each under its own payload digest', () => {
      const index = indexBundle(readBundle(w.bundle));
      const stages = ['dataset', 'training', 'evaluation', 'approval', 'promotion'] as const;
      expect(index.attestations.map((a) => a.attestation.stage)).toEqual([...stages]);
      expect(index.others).toEqual([]);
      for (const s of stages) {
        const a = index.get(w.steps[s].digest);
        expect(a?.entry.payloadDigest).toBe(w.steps[s].digest);
        expect(a?.attestation.payloadDigest).toBe(w.steps[s].digest);
        expect(index.ofStage(s).map((x) => x.entry.payloadDigest)).toEqual([w.steps[s].digest]);
      }
      expect(index.get(`sha256:${'0'.repeat(64)}`)).toBeUndefined();
    });
    it('gives every referrer of a digest, in bundle order, with the reference as written', () => {
      const index = indexBundle(readBundle(w.bundle));
      const of = (d: string) =>
        index.referrers(d).map((r) => [r.from.entry.payloadDigest, r.reference.role, r.reference.digest]);
      expect(of(w.steps.training.digest)).toEqual([
        [w.steps.evaluation.digest, 'training', w.steps.training.digest],
        [w.steps.approval.digest, 'training', w.steps.training.digest],
      ]);
      expect(of(w.steps.dataset.digest)).toEqual([[w.steps.training.digest, 'dataset', w.steps.dataset.digest]]);
      expect(of(w.steps.approval.digest)).toEqual([[w.steps.promotion.digest, 'approval', w.steps.approval.digest]]);
      expect(index.referrers(`sha256:${'0'.repeat(64)}`)).toEqual([]);
    });
    it('does not care about line order for lookups', () => {
      const reversed = Object.values(w.steps)
        .map((s) => s.line)
        .reverse()
        .join('');
      const index = indexBundle(readBundle(reversed));
      expect(index.get(w.steps.dataset.digest)?.attestation.stage).toBe('dataset');
      expect(index.referrers(w.steps.training.digest).map((r) => r.from.attestation.stage)).toEqual([
        'approval',
        'evaluation',
      ]);
    });
  });

  describe('when some envelopes are not lifecycle attestations', () => {
    it('lists an envelope of another payloadType as DSSE_PAYLOAD_TYPE_MISMATCH without reading its payload', async () => {
      const mallory = ed25519Signer(await key('mallory'));
      const text = await signEnvelope(utf8('{"not":"read'), 'text/plain', [mallory]);
      // the same bytes a lifecycle attestation has, under another type: still not an attestation
      const retyped = await signEnvelope(w.steps.dataset.payload, 'application/json', [mallory]);
      const index = indexBundle(readBundle(bundleLine(text) + bundleLine(retyped) + w.steps.training.line));
      expect(index.others.map((o) => [o.entry.lines, o.code])).toEqual([
        [[1], 'DSSE_PAYLOAD_TYPE_MISMATCH'],
        [[2], 'DSSE_PAYLOAD_TYPE_MISMATCH'],
      ]);
      expect(index.attestations.map((a) => a.entry.lines)).toEqual([[3]]);
      expect(index.get(w.steps.dataset.digest)).toBeUndefined();
    });
    it("lists an in-toto payload that is not a Statement with the parser's code", async () => {
      const mallory = ed25519Signer(await key('mallory'));
      // signEnvelope refuses to sign such a payload; an attacker writes the line by hand
      const good = await signEnvelope(w.steps.dataset.payload, IN_TOTO_PAYLOAD_TYPE, [mallory]);
      const broken = { ...good, payload: toBase64(utf8('{"_type":"x"}')) };
      const dup = { ...good, payload: toBase64(utf8('{"a":1,"a":2}')) };
      const index = indexBundle(readBundle(bundleLine(broken) + bundleLine(dup)));
      expect(index.others.map((o) => o.code)).toEqual(['STATEMENT_INVALID', 'JSON_DUPLICATE_KEY']);
      expect(index.attestations).toEqual([]);
    });
    it('parses payloads under the limits given', () => {
      const bundle = readBundle(w.bundle);
      const index = indexBundle(bundle, { limits: { jsonDepth: 2 } });
      expect(index.attestations).toEqual([]);
      expect(index.others.map((o) => o.code)).toEqual(Array(5).fill('JSON_TOO_DEEP'));
      expect(indexBundle(bundle, { limits: { jsonDepth: 64 } }).attestations).toHaveLength(5);
    });
  });
});

describe('resolveSignatures', () => {
  it('numbers the signatures and keeps their keyid hints, including none', async () => {
    const w2 = await buildWorld({ signers: { approval: ['alice', 'mallory'] } });
    const entry = readBundle(w2.steps.approval.line).entries[0]!;
    delete entry.envelope.signatures[1]!.keyid;
    const sigs = await resolveSignatures(entry.envelope, w2.policy.keys);
    expect(sigs.map((s) => [s.index, s.keyid, s.key?.name])).toEqual([
      [0, entry.envelope.signatures[0]!.keyid, 'alice'],
      [1, undefined, undefined],
    ]);
  });
  it('gives no key to any signature when no keys are given', async () => {
    const entry = readBundle(w.steps.approval.line).entries[0]!;
    expect((await resolveSignatures(entry.envelope, [])).map((s) => s.key)).toEqual([undefined, undefined]);
  });
  it('verifies over PAE of the exact payload with the verifier given, and takes the first key that verifies', async () => {
    const entry = readBundle(w.steps.promotion.line).entries[0]!;
    const seen: Array<[Uint8Array, Uint8Array]> = [];
    const acceptsAll: SignatureVerifier = {
      name: 'accepts-all',
      verify: async (_sig, message, publicKey) => {
        seen.push([message, publicKey]);
        return { valid: true };
      },
    };
    const keys: ResolvedKey[] = w.policy.keys.slice(0, 3);
    const sigs = await resolveSignatures(entry.envelope, keys, acceptsAll);
    expect(sigs.map((s) => s.key?.name)).toEqual([keys[0]!.name]);
    expect(seen).toEqual([[pae(IN_TOTO_PAYLOAD_TYPE, w.steps.promotion.payload), keys[0]!.publicKey]]);
  });
  it('tries every key until one verifies', async () => {
    const entry = readBundle(w.steps.promotion.line).entries[0]!;
    const sigs = await resolveSignatures(entry.envelope, w.policy.keys);
    expect(w.policy.keys.at(-1)?.name).not.toBe('deployer');
    expect(sigs.map((s) => s.key?.name)).toEqual(['deployer']);
  });
});
