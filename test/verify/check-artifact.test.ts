/**
 * The load-time check (issue 14): checkArtifact hashes what is about to be loaded, verifies its
 * chain for the use case and returns what the approval grants — only when the verdict is ok;
 * runtimeScopeAllows compares identifiers exactly. checkModelDirectory does the same from disk.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/digest/index.js';
import { checkModelDirectory } from '../../src/node/check-model.js';
import { hashDirectory } from '../../src/node/hash-tree.js';
import { checkArtifact, runtimeScopeAllows } from '../../src/verify/check-artifact.js';
import { tempDir } from '../helpers/tmp.js';
import { STATEMENT_TYPE_V1 } from '../../src/statements/statement.js';
import { buildWorld, sign, T, type World } from '../helpers/world.js';

const WEIGHTS = new Uint8Array(100_000).map((_, i) => (i * 7 + 3) & 0xff);
const SCOPE = { tools: ['ticket-api:read', 'kb-search'], dataClasses: ['internal'], secretScopes: [] };

/** A registered world about `digest`, whose approval grants SCOPE. */
async function worldAbout(digest: string): Promise<World> {
  const about = { name: 'model', digest };
  return buildWorld({
    training: (i) => ({ ...i, subject: about }),
    registration: (i) => ({ ...i, subject: about }),
    evaluation: (i) => ({ ...i, subject: about }),
    approval: (i) => ({ ...i, subject: about, runtimeScope: SCOPE, conditions: ['a human reviews replies'] }),
    promotion: (i) => ({ ...i, subject: about }),
    policy: (d) => {
      d.requireRegistration = true;
    },
  });
}

const weightsDigest = `sha256:${sha256Hex(WEIGHTS)}`;
const world = worldAbout(weightsDigest);

describe('checkArtifact', () => {
  it('hashes the bytes, verifies, and returns the approval’s scope and the registered model', async () => {
    const w = await world;
    const check = await checkArtifact({
      artifact: WEIGHTS,
      bundle: w.bundle,
      policy: w.policy,
      useCase: 'support-chat',
      asOf: T.asOf,
    });
    expect(check.ok).toBe(true);
    expect(check.digest).toBe(weightsDigest);
    expect(check.approval).toEqual({
      payloadDigest: w.steps.approval.digest,
      useCase: 'support-chat',
      tier: 'high',
      stage: 'production',
      notBefore: T.notBefore,
      // The approval says 2026-07-15, but the high tier lets it live 90 days after issuedAt.
      expires: '2026-04-14T16:45:00Z',
      runtimeScope: SCOPE,
      conditions: ['a human reviews replies'],
    });
    expect(check.model).toEqual({
      name: 'support-bot',
      version: '3.0.0',
      owner: 'mailto:ml-team@example.com',
      payloadDigest: w.steps.registration!.digest,
    });
  });

  it('takes an async iterable, a web stream or a digest, and reports progress', async () => {
    const w = await world;
    const base = { bundle: w.bundle, policy: w.policy, useCase: 'support-chat', asOf: T.asOf };
    async function* chunks() {
      for (let i = 0; i < WEIGHTS.length; i += 4096) yield WEIGHTS.subarray(i, i + 4096);
    }
    const seen: number[] = [];
    const a = await checkArtifact({ ...base, artifact: chunks(), onProgress: (p) => seen.push(p.bytes) });
    expect(a.ok).toBe(true);
    expect(seen.at(-1)).toBe(WEIGHTS.length);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(WEIGHTS.subarray(0, 10));
        c.enqueue(WEIGHTS.subarray(10));
        c.close();
      },
    });
    expect((await checkArtifact({ ...base, artifact: stream })).ok).toBe(true);
    expect((await checkArtifact({ ...base, artifact: { digest: weightsDigest } })).ok).toBe(true);
  });

  it('fails closed: tampered bytes, another use case or a lapsed approval give no approval and no scope', async () => {
    const w = await world;
    const base = { bundle: w.bundle, policy: w.policy, useCase: 'support-chat', asOf: T.asOf };
    const flipped = WEIGHTS.slice();
    flipped[5000] = flipped[5000]! ^ 1;
    const tampered = await checkArtifact({ ...base, artifact: flipped });
    expect(tampered.ok).toBe(false);
    expect(tampered.approval).toBeUndefined();
    expect(tampered.model).toBeUndefined();
    expect(tampered.report.checks.some((c) => c.code === 'SUBJECT_NOT_APPROVED')).toBe(true);
    const other = await checkArtifact({ ...base, artifact: WEIGHTS, useCase: 'internal-search' });
    expect(other.ok).toBe(false);
    expect(other.approval).toBeUndefined();
    const late = await checkArtifact({ ...base, artifact: WEIGHTS, asOf: '2026-04-15T00:00:00Z' });
    expect(late.ok).toBe(false);
    expect(late.report.checks.some((c) => c.code === 'APPROVAL_EXPIRED')).toBe(true);
    // a failing verdict grants nothing, even when its chain resolves to an approval
    for (const r of [tampered, other, late]) expect(['approval' in r, 'model' in r]).toEqual([false, false]);
  });

  it('lines it does not rely on never break it: an unknown predicate, junk, an untrusted copy', async () => {
    const w = await world;
    const unknown = await sign(
      {
        _type: STATEMENT_TYPE_V1,
        subject: [{ name: 'x', digest: { sha256: 'ab'.repeat(32) } }],
        predicateType: 'https://example.com/unknown/v1',
        predicate: { a: 1 },
      },
      ['steward'],
    );
    const forged = await sign(w.steps.approval.statement, ['mallory']);
    const bundle = unknown.line + w.bundle + '{"payload":"e30=","payloadType":"x","signatures":[]}\n' + forged.line;
    const check = await checkArtifact({
      artifact: WEIGHTS,
      bundle,
      policy: w.policy,
      useCase: 'support-chat',
      asOf: T.asOf,
    });
    expect(check.ok).toBe(true);
    expect(check.approval?.payloadDigest).toBe(w.steps.approval.digest);
  });

  it('names the artifact when it cannot be read, and stops when aborted', async () => {
    const w = await world;
    const base = { bundle: w.bundle, policy: w.policy, useCase: 'support-chat', asOf: T.asOf };
    await expect(checkArtifact({ ...base, artifact: 42 as never })).rejects.toThrow(/artifact/);
    const signal = AbortSignal.abort();
    await expect(checkArtifact({ ...base, artifact: WEIGHTS, signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('takes a digest as a DigestSet too, and refuses a digest of another type or a non-object input', async () => {
    const w = await world;
    const base = { bundle: w.bundle, policy: w.policy, useCase: 'support-chat', asOf: T.asOf };
    const set = await checkArtifact({ ...base, artifact: { digest: { sha256: weightsDigest.slice(7) } } });
    expect([set.ok, set.digest]).toEqual([true, weightsDigest]);
    for (const digest of [42, null, undefined])
      await expect(checkArtifact({ ...base, artifact: { digest } as never }), String(digest)).rejects.toThrow(
        /"artifact.digest" expected/,
      );
    for (const input of [null, undefined, 'weights.bin', 7])
      await expect(checkArtifact(input as never), String(input)).rejects.toThrow(/"input" expected an object/);
  });

  it("the approval's own expires, when it comes before the tier's age limit; no registration, no model", async () => {
    const about = { name: 'model', digest: weightsDigest };
    const w = await buildWorld({
      training: (i) => ({ ...i, subject: about }),
      evaluation: (i) => ({ ...i, subject: about }),
      approval: (i) => ({ ...i, subject: about, expires: '2026-03-01T00:00:00Z' }),
      promotion: (i) => ({ ...i, subject: about }),
    });
    const check = await checkArtifact({
      artifact: WEIGHTS,
      bundle: w.bundle,
      policy: w.policy,
      useCase: 'support-chat',
      asOf: T.asOf,
    });
    expect(check.ok).toBe(true);
    expect(check.approval).toMatchObject({ payloadDigest: w.steps.approval.digest, expires: '2026-03-01T00:00:00Z' });
    expect(check.model).toBeUndefined();
    expect('model' in check).toBe(false);
  });

  it('always takes one use case (never "any")', async () => {
    const w = await world;
    await expect(
      checkArtifact({ artifact: WEIGHTS, bundle: w.bundle, policy: w.policy, useCase: '', asOf: T.asOf }),
    ).rejects.toThrow(TypeError);
    await expect(
      checkArtifact({
        artifact: WEIGHTS,
        bundle: w.bundle,
        policy: w.policy,
        useCase: { any: true } as unknown as string,
        asOf: T.asOf,
      }),
    ).rejects.toThrow(TypeError);
  });
});

describe('runtimeScopeAllows', () => {
  it('grants exactly the identifiers listed, of the kind asked', () => {
    expect(runtimeScopeAllows(SCOPE, { tool: 'ticket-api:read' })).toBe(true);
    expect(runtimeScopeAllows(SCOPE, { dataClass: 'internal' })).toBe(true);
    for (const id of ['Ticket-API:read', 'ticket-api:read ', 'ticket-api', 'ticket-api:*', 'ticket-api:read\u0000', ''])
      expect(runtimeScopeAllows(SCOPE, { tool: id })).toBe(false);
    expect(runtimeScopeAllows(SCOPE, { dataClass: 'kb-search' })).toBe(false); // a tool, not a data class
    expect(runtimeScopeAllows(SCOPE, { secretScope: 'internal' })).toBe(false);
    expect(runtimeScopeAllows(SCOPE, {} as never)).toBe(false);
    expect(runtimeScopeAllows(SCOPE, { tool: 42 } as never)).toBe(false);
  });

  it('a malformed scope or request grants nothing and never throws', () => {
    for (const scope of [null, undefined, 'kb-search', { tools: 'kb-search' }, { tools: null }] as never[])
      expect(runtimeScopeAllows(scope, { tool: 'kb-search' }), JSON.stringify(scope)).toBe(false);
    for (const request of [null, undefined, 'kb-search', { tool: null }] as never[])
      expect(runtimeScopeAllows(SCOPE, request), JSON.stringify(request)).toBe(false);
    expect(runtimeScopeAllows({ ...SCOPE, secretScopes: ['vault:support'] }, { secretScope: 'vault:support' })).toBe(
      true,
    );
  });

  it('property: allows iff the list holds the identical string (no normalisation)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary' }), { maxLength: 8 }),
        fc.string({ unit: 'binary' }),
        (tools, id) => {
          const scope = { tools, dataClasses: [], secretScopes: [] };
          expect(runtimeScopeAllows(scope, { tool: id })).toBe(tools.includes(id));
          expect(runtimeScopeAllows(scope, { tool: id.normalize('NFKC') })).toBe(tools.includes(id.normalize('NFKC')));
        },
      ),
    );
  });
});

describe('checkModelDirectory (lineproof/node)', () => {
  it('hashes a model directory to its manifest digest and checks it; a changed file is refused', async () => {
    const dir = tempDir('lineproof-check-model-');
    const model = join(dir, 'model');
    mkdirSync(model);
    writeFileSync(join(model, 'config.json'), '{"layers":2}\n');
    writeFileSync(join(model, 'weights.bin'), WEIGHTS);
    const { digest } = await hashDirectory(model);
    const w = await worldAbout(digest);
    writeFileSync(join(dir, 'chain.intoto.jsonl'), w.bundle);
    const opts = {
      bundlePath: join(dir, 'chain.intoto.jsonl'),
      policy: w.policy,
      useCase: 'support-chat',
      asOf: T.asOf,
    };
    const ok = await checkModelDirectory(model, opts);
    expect(ok.ok).toBe(true);
    expect(ok.digest).toBe(digest);
    expect(ok.approval?.runtimeScope).toEqual(SCOPE);
    writeFileSync(join(model, 'config.json'), '{"layers":3}\n');
    const changed = await checkModelDirectory(model, opts);
    expect(changed.ok).toBe(false);
    expect(changed.approval).toBeUndefined();
    await expect(checkModelDirectory(model, { policy: w.policy, useCase: 'support-chat' })).rejects.toThrow(TypeError);
  });
});
