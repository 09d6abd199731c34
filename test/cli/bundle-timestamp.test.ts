/**
 * `lineproof bundle timestamp-query` and `timestamp-attach` (issue 15 item 5): the requests we write
 * are answered by `openssl ts -reply` (the peer, as a private timestamp authority), the answers go
 * back beside their signatures, and a policy whose approver role requires a timestamp then verifies
 * the chain it refused before. A response over another signature, a response of an authority the
 * given roots do not trust, and a request for a bundle with no signature each fail. As a property,
 * attaching tokens never changes which (payload, signature) pairs a bundle holds.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attachTimestamps, bundleSignatures } from '../../src/bundle/timestamps.js';
import { toBase64 } from '../../src/bytes/index.js';
import { buildWorld, MODEL, T } from '../helpers/world.js';
import { ciAuthorities, timestampPolicy } from '../helpers/certificates.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const { tsa, rogue } = ciAuthorities();
const AT = '2026-01-14T17:00:00Z';

async function setup() {
  const w = await buildWorld({ policy: timestampPolicy });
  const dir = tempDir();
  writeFileSync(join(dir, 'chain.intoto.jsonl'), w.bundle);
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(w.doc));
  writeFileSync(join(dir, 'tsa-root.pem'), tsa.root.pem);
  return { w, dir };
}

const verifyArgs = ['verify', '--chain', 'chain.intoto.jsonl', '--policy', 'policy.json', '--digest', MODEL];
const verify = (dir: string, chain = 'chain.intoto.jsonl') =>
  cli(
    [
      ...verifyArgs.map((a) => (a === 'chain.intoto.jsonl' ? chain : a)),
      '--use-case',
      'support-chat',
      '--at',
      T.asOf,
      '--json',
    ],
    {
      cwd: dir,
    },
  );

/** Answer every request in DIR/tsq with `by`, writing .tsr files; returns their names. */
function answer(dir: string, by = tsa): string[] {
  return readdirSync(join(dir, 'tsq'))
    .filter((f) => f.endsWith('.tsq'))
    .map((f) => {
      const request = new Uint8Array(readFileSync(join(dir, 'tsq', f)));
      const out = join('tsq', f.replace(/\.tsq$/, '.tsr'));
      writeFileSync(join(dir, out), by.stamp(new Uint8Array(0), { at: AT, request }).response);
      return out;
    });
}

describe('lineproof bundle timestamp-query / timestamp-attach (openssl ts as the authority)', () => {
  it('stamped approvals pass a policy that requires a timestamp on approvals; unstamped ones fail', async () => {
    const { w, dir } = await setup();
    const before = await verify(dir);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('TIMESTAMP_MISSING');
    const approval = w.steps.approval.digest;
    const q = await cli(
      [
        'bundle',
        'timestamp-query',
        '--chain',
        'chain.intoto.jsonl',
        '--out-dir',
        'tsq',
        '--payload',
        approval,
        '--json',
      ],
      {
        cwd: dir,
      },
    );
    expect(q.stderr).toBe('');
    expect(q.code).toBe(0);
    const requests = JSON.parse(q.stdout).requests as Array<{ file: string; payloadDigest: string }>;
    expect(requests.length).toBe(w.steps.approval.envelope.signatures.length);
    expect(requests.every((r) => r.payloadDigest === approval)).toBe(true);
    const responses = answer(dir);
    const a = await cli(
      [
        'bundle',
        'timestamp-attach',
        '--chain',
        'chain.intoto.jsonl',
        ...responses.flatMap((r) => ['--response', r]),
        '--tsa-roots',
        'tsa-root.pem',
        '--out',
        'stamped.intoto.jsonl',
      ],
      { cwd: dir },
    );
    expect(a.code).toBe(0);
    expect(a.stderr).toContain('attached');
    const after = await verify(dir, 'stamped.intoto.jsonl');
    expect(JSON.parse(after.stdout).checks.filter((c: { status: string }) => c.status === 'fail')).toEqual([]);
    expect(after.code).toBe(0);
  });

  it('a response over no signature of the bundle is refused (exit 1), and the bundle is not written', async () => {
    const { dir } = await setup();
    const stray = tsa.stamp(new TextEncoder().encode('another signature'), { at: AT });
    writeFileSync(join(dir, 'stray.tsr'), stray.response);
    const a = await cli(
      ['bundle', 'timestamp-attach', '--chain', 'chain.intoto.jsonl', '--response', 'stray.tsr', '--out', 'out.jsonl'],
      {
        cwd: dir,
      },
    );
    expect(a.code).toBe(1);
    expect(a.stderr).toContain('TIMESTAMP_MISMATCH');
    expect(readdirSync(dir)).not.toContain('out.jsonl');
  });

  it('with --tsa-roots, a token of another authority is refused (TIMESTAMP_UNTRUSTED)', async () => {
    const { dir } = await setup();
    await cli(['bundle', 'timestamp-query', '--chain', 'chain.intoto.jsonl', '--out-dir', 'tsq'], { cwd: dir });
    const responses = answer(dir, rogue).slice(0, 1);
    const a = await cli(
      [
        'bundle',
        'timestamp-attach',
        '--chain',
        'chain.intoto.jsonl',
        '--response',
        responses[0]!,
        '--tsa-roots',
        'tsa-root.pem',
      ],
      { cwd: dir },
    );
    expect(a.code).toBe(1);
    expect(a.stderr).toContain('TIMESTAMP_UNTRUSTED');
  });

  it('usage errors: no signature, a bad hash, no response', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.jsonl'), '\n');
    const none = await cli(['bundle', 'timestamp-query', '--chain', 'empty.jsonl', '--out-dir', 'q'], { cwd: dir });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no signature to stamp');
    const hash = await cli(['bundle', 'timestamp-query', '--chain', 'empty.jsonl', '--out-dir', 'q', '--hash', 'md5'], {
      cwd: dir,
    });
    expect(hash.code).toBe(2);
    const noResp = await cli(['bundle', 'timestamp-attach', '--chain', 'empty.jsonl'], { cwd: dir });
    expect(noResp.code).toBe(2);
  });
});

describe('attachTimestamps', () => {
  it('never changes the (payload, signature) pairs a bundle holds, whichever signatures are stamped', async () => {
    const w = await buildWorld();
    const sigs = bundleSignatures(w.bundle);
    const pairs = (b: string) =>
      bundleSignatures(b)
        .map((s) => `${s.payloadDigest}|${toBase64(s.sig)}`)
        .sort();
    const tokens = sigs.map((s) => tsa.stamp(s.sig, { at: AT }).token);
    await fc.assert(
      fc.asyncProperty(fc.subarray(tokens.map((_, i) => i)), async (chosen) => {
        const r = attachTimestamps(
          w.bundle,
          chosen.map((i) => tokens[i]!),
        );
        expect(r.unmatched).toEqual([]);
        expect(r.attached.length).toBe(chosen.length);
        expect(pairs(r.bundle)).toEqual(pairs(w.bundle));
        // attaching the same tokens again changes nothing (idempotent)
        expect(
          attachTimestamps(
            r.bundle,
            chosen.map((i) => tokens[i]!),
          ).bundle,
        ).toBe(r.bundle);
      }),
      { numRuns: 20 },
    );
  });
});
