/**
 * Step 3 (src/verify/authenticate.ts), mutation-directed: the prepared-keys cache never lets one
 * policy's keys stand in for another's, one key signing an envelope twice counts once, the
 * verification's limits reach the parsing of trusted payloads, the budget failure names every line
 * of the envelope where it ran out, and the order of an envelope's signatures changes nothing.
 */
import * as ed from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { toBase64, utf8 } from '../../src/bytes/index.js';
import { sha256 } from '../../src/digest/index.js';
import { privateKeyFromSeed, publicKeyToHex } from '../../src/keys/keys.js';
import { canonicalJson } from '../../src/json/canonical.js';
import { isParsed, isStage, type Node } from '../../src/verify/authenticate.js';
import { buildWorld, verifyWorld, type World } from '../helpers/world.js';

const run = (world: World, bundle = world.bundle, limits?: Record<string, number>) =>
  verifyWorld(world, bundle, limits ? { limits } : {});

describe('authentication edges', () => {
  it('isStage and isParsed answer false for no node', () => {
    expect(isStage(undefined, 'training')).toBe(false);
    expect(isParsed(undefined)).toBe(false);
    expect(isStage({ state: 'untrusted' } as Node, 'training')).toBe(false);
  });

  it("two policies with as many keys but other keys: each is judged by its own keys (the keys' cache)", async () => {
    const a = await buildWorld();
    expect((await run(a)).report.ok).toBe(true);
    // the same policy with one key replaced by another of the same count: the steward's key is
    // now one nobody signed with, so the dataset is no longer trusted
    const unused = publicKeyToHex((await privateKeyFromSeed(sha256(utf8('a key nobody signs with')))).publicKey);
    const b = await buildWorld({
      policy: (d) => {
        d.keys.steward = { publicKey: unused };
      },
    });
    expect(b.policy.keys.length).toBe(a.policy.keys.length);
    const r = await run({ ...b, bundle: a.bundle });
    expect(r.report.ok).toBe(false);
    // and back: the first policy still passes
    expect((await run(a)).report.ok).toBe(true);
  });

  it('one key signing an envelope twice is one signer: two approvals are still needed', async () => {
    // the high tier needs two approvers; the approval signed by alice only, her signature given twice
    const world = await buildWorld({ signers: { approval: ['alice'] } });
    const base = await run(world);
    expect(base.report.ok).toBe(false);
    const env = world.steps.approval.envelope;
    const twice = { ...env, signatures: [env.signatures[0]!, { ...env.signatures[0]!, keyid: 'another-hint' }] };
    const bundle = world.bundle.replace(world.steps.approval.line, `${canonicalJson(twice)}\n`);
    const r = await run(world, bundle);
    expect(r.report.ok).toBe(false);
    expect(r.failed).toEqual(base.failed);
  });

  it("the verification's limits apply to the trusted payloads it parses", async () => {
    const world = await buildWorld();
    expect((await run(world)).report.ok).toBe(true);
    // deep enough for every envelope line, not for the dataset's and training's payloads: those
    // trusted payloads are invalid (not parsed with the default depth)
    expect((await run(world, world.bundle, { jsonDepth: 6 })).report.ok).toBe(true);
    const r = await run(world, world.bundle, { jsonDepth: 5 });
    expect(r.report.ok).toBe(false);
    expect(r.failed).toEqual(['REFERENCE_INVALID', 'STAGE_MISSING']);
  });

  it('past the budget, the failure names every line the junk signature is on', async () => {
    const world = await buildWorld();
    // junk that costs a check: R a point of prime order, S < L
    const sig = new Uint8Array(64);
    sig.set(ed.Point.BASE.multiply(12345n).toBytes(), 0);
    sig[32] = 7;
    const junk = `${canonicalJson({ ...world.steps.approval.envelope, signatures: [{ keyid: '', sig: toBase64(sig) }] })}\n`;
    const lines = world.bundle.split('\n').filter((l) => l !== '').length;
    const r = await run(world, world.bundle + junk + junk, { untrustedSignatureChecks: 0 });
    expect(r.failed).toEqual(['VERIFY_BUDGET_EXCEEDED']);
    const c = r.report.checks.find((x) => x.code === 'VERIFY_BUDGET_EXCEEDED')!;
    expect(c.subject).toBe(`line ${lines + 1}, ${lines + 2}`);
    expect(c.expected).toBe('<= 0');
  });

  it("the order of an envelope's signatures changes nothing in the report", async () => {
    const world = await buildWorld();
    const env = world.steps.approval.envelope;
    expect(env.signatures.length).toBe(2);
    const swapped = { ...env, signatures: [...env.signatures].reverse() };
    const bundle = world.bundle.replace(world.steps.approval.line, `${canonicalJson(swapped)}\n`);
    const a = (await run(world)).report;
    const b = (await run(world, bundle)).report;
    expect(b).toEqual(a);
  });
});
