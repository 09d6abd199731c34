import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, renameSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  hashDirectory,
  hashFile,
  hashPath,
  rehashDirectory,
  readFileChunks,
  type TreeProgress,
} from '../../src/node/index.js';
import {
  hashManifest,
  manifestDigestText,
  utf8,
  verifyManifest,
  manifestBytes,
  type VerifiedManifest,
} from '../../src/index.js';
import { tempTree as tree } from '../helpers/tmp.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sha = (b: string | Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function errorOf(p: Promise<unknown>): Promise<{ code?: string; path?: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; path?: string };
  }
  throw new Error('expected a failure');
}

const FILES = {
  'config.json': '{}',
  'weights/model.safetensors': 'abc',
  '.git/HEAD': 'ref: main',
  'chain.intoto.jsonl': '{}\n',
  'model.sig': 'sig',
};

describe('hashDirectory', () => {
  it('gives the spec example digest and the same manifest as the pure core', async () => {
    const root = tree(FILES);
    const t = await hashDirectory(root);
    // spec/manifests.md example (config.json + weights/model.safetensors; default ignores)
    expect(t.digest).toBe('sha256:11c59fcde820585a728777a3271cc985b4727cdacfc9d97f53f910e384059d9e');
    expect(t.subject).toEqual({
      name: 'model',
      digest: { sha256: t.digest.slice(7) },
      mediaType: 'application/vnd.lineproof.manifest.v1+json',
    });
    expect(t.ignored).toEqual(['.git', 'chain.intoto.jsonl', 'model.sig']);
    expect(t.files).toBe(2);
    expect(t.size).toBe(5);
    const core = await hashManifest(Object.entries(FILES).map(([path, c]) => ({ path, source: utf8(c) })));
    expect(manifestDigestText(core.manifest)).toBe(t.digest);
  });

  it('agrees with the pure core for every algorithm', async () => {
    const files = { a: 'x'.repeat(1000), 'b/c': 'y', e: '' };
    const root = tree(files);
    for (const alg of ['sha256', 'sha512', 'blake2b', 'blake3'] as const) {
      const t = await hashDirectory(root, { algorithms: [alg] });
      const core = await hashManifest(
        Object.entries(files).map(([path, c]) => ({ path, source: utf8(c) })),
        { algorithms: alg },
      );
      expect(t.digest).toBe(manifestDigestText(core.manifest));
      expect(t.manifest.hashing.algorithms).toEqual([alg]);
    }
  });

  it('records --ignore patterns and leaves the matching files out', async () => {
    const root = tree({ 'a.bin': '1', 'tmp/x': '2', 'logs/y.log': '3' });
    const t = await hashDirectory(root, { ignore: ['tmp/', 'logs/*.log'] });
    expect(t.manifest.items.map((i) => i.path)).toEqual(['a.bin']);
    expect(t.manifest.ignore).toEqual(['logs/*.log', 'tmp/']);
  });

  it('reports progress up to the total', async () => {
    const root = tree({ a: new Uint8Array(600_000), b: new Uint8Array(10) });
    const seen: TreeProgress[] = [];
    await hashDirectory(root, { onProgress: (p) => seen.push(p) });
    const last = seen.at(-1)!;
    expect(last.bytesDone).toBe(600_010);
    expect(last.bytesTotal).toBe(600_010);
    expect(seen.length).toBeGreaterThanOrEqual(3); // 256 KiB reads
  });

  it('stops with ABORTED in the middle of a file', async () => {
    const root = tree({ a: new Uint8Array(2_000_000) });
    const ac = new AbortController();
    const e = await errorOf(hashDirectory(root, { signal: ac.signal, onProgress: () => ac.abort() }));
    expect(e.code).toBe('ABORTED');
  });

  it('refuses a file root (INVALID_ARGUMENT) but hashPath takes it', async () => {
    const root = tree({ f: 'abc' });
    expect((await errorOf(hashDirectory(join(root, 'f')))).code).toBe('INVALID_ARGUMENT');
    const r = await hashPath(join(root, 'f'));
    expect(r).toMatchObject({
      kind: 'file',
      digest: `sha256:${sha('abc')}`,
      size: 3,
      subject: { name: 'f', digest: { sha256: sha('abc') } },
    });
    const r2 = await hashPath(join(root, 'f'), { algorithms: ['sha512'] });
    expect(r2.digest).toBe(`sha512:${createHash('sha512').update('abc').digest('hex')}`);
  });
});

describe('hashFile', () => {
  it('hashes with several algorithms in one read', async () => {
    const root = tree({ f: 'abc' });
    const r = await hashFile(join(root, 'f'), { algorithms: ['sha256', 'blake2b'] });
    expect(r.digests.sha256).toBe(sha('abc'));
    expect(r.digests.blake2b).toBe(createHash('blake2b512').update('abc').digest('hex'));
    expect(r.size).toBe(3);
  });

  it('refuses a symbolic link unless asked to follow', async () => {
    const root = tree({ f: 'abc' });
    symlinkSync('f', join(root, 'l'));
    expect((await errorOf(hashFile(join(root, 'l')))).code).toBe('SYMLINK_REFUSED');
    expect((await hashFile(join(root, 'l'), { follow: true })).digests.sha256).toBe(sha('abc'));
  });
});

describe('when a file changes while it is hashed', () => {
  const big = (): Uint8Array => new Uint8Array(1_000_000).fill(7);

  it('a file that grows fails with FILE_CHANGED_WHILE_HASHING, naming it', async () => {
    const root = tree({ 'w.bin': big() });
    let done = false;
    const e = await errorOf(
      hashDirectory(root, {
        onProgress: () => {
          if (!done) appendFileSync(join(root, 'w.bin'), 'more');
          done = true;
        },
      }),
    );
    expect(e).toMatchObject({ code: 'FILE_CHANGED_WHILE_HASHING', path: 'w.bin' });
  });

  it('a file that shrinks fails with FILE_CHANGED_WHILE_HASHING', async () => {
    const root = tree({ 'w.bin': big() });
    let done = false;
    const e = await errorOf(
      hashDirectory(root, {
        onProgress: () => {
          if (!done) truncateSync(join(root, 'w.bin'), 10);
          done = true;
        },
      }),
    );
    expect(e.code).toBe('FILE_CHANGED_WHILE_HASHING');
  });

  it('a file rewritten in place (same size) fails with FILE_CHANGED_WHILE_HASHING', async () => {
    const root = tree({ 'w.bin': big() });
    let done = false;
    const e = await errorOf(
      readFileChunks(join(root, 'w.bin'), () => {
        if (!done) {
          // same size, new bytes: only the times reveal it
          const later = new Date(Date.now() + 5000);
          writeFileSync(join(root, 'w.bin'), new Uint8Array(1_000_000).fill(9));
          utimesSync(join(root, 'w.bin'), later, later);
        }
        done = true;
      }),
    );
    expect(e.code).toBe('FILE_CHANGED_WHILE_HASHING');
  });

  it('a directory swapped for a link out of the root after the walk fails with SYMLINK_OUTSIDE_ROOT', async () => {
    const root = tree({ 'a.bin': big(), 'sub/secret.txt': 'inside' });
    const outside = join(root, '..', 'elsewhere');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'outside');
    let done = false;
    const e = await errorOf(
      hashDirectory(root, {
        onProgress: (p) => {
          if (!done && p.path === 'a.bin') {
            renameSync(join(root, 'sub'), join(root, '..', 'sub.old'));
            symlinkSync(outside, join(root, 'sub'));
          }
          done = true;
        },
      }),
    );
    expect(e).toMatchObject({ code: 'SYMLINK_OUTSIDE_ROOT', path: 'sub/secret.txt' });
  });

  it('a file replaced between the walk and the read fails with FILE_CHANGED_WHILE_HASHING', async () => {
    const root = tree({ 'a.bin': big(), 'b.bin': 'original' });
    let done = false;
    const e = await errorOf(
      hashDirectory(root, {
        onProgress: (p) => {
          if (!done && p.path === 'a.bin') {
            writeFileSync(join(root, 'b.new'), 'replaced');
            renameSync(join(root, 'b.new'), join(root, 'b.bin'));
          }
          done = true;
        },
      }),
    );
    expect(e).toMatchObject({ code: 'FILE_CHANGED_WHILE_HASHING', path: 'b.bin' });
  });
});

describe('rehashDirectory', () => {
  async function verifiedTree(
    files: Record<string, string>,
    racyWindowMs?: number,
  ): Promise<{ root: string; verified: VerifiedManifest }> {
    const root = tree(files);
    await sleep(30); // let the clock move past the files' ctime
    const local = await hashDirectory(root, racyWindowMs === undefined ? {} : { racyWindowMs });
    const { report, verified } = verifyManifest(manifestBytes(local.manifest), local, {
      expectedDigest: local.digest,
      payloadDigest: `sha256:${sha('payload')}`,
    });
    expect(report.ok).toBe(true);
    return { root, verified: verified! };
  }

  it('reuses every verified digest when nothing changed, reading no byte', async () => {
    const { root, verified } = await verifiedTree({ a: 'alpha', 'b/c': 'charlie' }, 0);
    const r = await rehashDirectory(root, verified, { racyWindowMs: 0 });
    expect(r.reused).toEqual(['a', 'b/c']);
    expect(r.hashed).toEqual([]);
    expect(r.bytesHashed).toBe(0);
    expect(r.digest).toBe(verified.manifestDigest);
    expect(r.reusedFrom).toEqual({
      manifestDigest: verified.manifestDigest,
      payloadDigest: `sha256:${sha('payload')}`,
    });
  });

  it('handles a file named __proto__ like any other (hints are keyed without a prototype)', async () => {
    const { root, verified } = await verifiedTree({ ['__proto__']: 'p', constructor: 'c' }, 0);
    expect(Object.keys(verified.hints).sort()).toEqual(['__proto__', 'constructor']);
    const r = await rehashDirectory(root, verified, { racyWindowMs: 0 });
    expect(r.reused).toEqual(['__proto__', 'constructor']);
  });

  it('re-hashes exactly the files whose stat changed, and gives the digest of a full hash', async () => {
    const { root, verified } = await verifiedTree({ a: 'alpha', 'b/c': 'charlie', d: 'delta' }, 0);
    writeFileSync(join(root, 'b/c'), 'CHARLIE');
    writeFileSync(join(root, 'e'), 'echo');
    const r = await rehashDirectory(root, verified, { racyWindowMs: 0 });
    expect(r.reused).toEqual(['a', 'd']);
    expect(r.hashed).toEqual(['b/c', 'e']);
    expect(r.bytesHashed).toBe(11);
    expect(r.digest).toBe((await hashDirectory(root)).digest);
  });

  it('re-hashes a file whose mtime was reset to the old value (ctime still moved)', async () => {
    const { root, verified } = await verifiedTree({ a: 'alpha' }, 0);
    const before = verified.hints.a!;
    await sleep(20);
    writeFileSync(join(root, 'a'), 'ALPHA'); // same size
    const t = new Date(Number(before.mtimeNs / 1_000_000n));
    utimesSync(join(root, 'a'), t, t);
    const r = await rehashDirectory(root, verified, { racyWindowMs: 0 });
    expect(r.hashed).toEqual(['a']);
    expect(r.digest).not.toBe(verified.manifestDigest);
  });

  it('does not trust stats of files changed just before they were hashed (racy window)', async () => {
    const root = tree({ a: 'alpha' });
    const local = await hashDirectory(root); // default 2 s window: the file is brand new
    const { verified } = verifyManifest(local.manifest, local, { expectedDigest: local.digest });
    expect(verified!.hints).toEqual({});
    const r = await rehashDirectory(root, verified!);
    expect(r.reused).toEqual([]);
    expect(r.hashed).toEqual(['a']);
  });

  it('refuses a manifest that was not verified (MANIFEST_NOT_VERIFIED), reading nothing', async () => {
    const root = tree({ a: 'alpha' });
    const local = await hashDirectory(root, { racyWindowMs: 0 });
    const forged = {
      manifest: local.manifest,
      manifestDigest: local.digest,
      payloadDigest: null,
      verifiedPaths: ['a'],
      hints: local.hints,
    };
    expect((await errorOf(rehashDirectory(root, forged as unknown as VerifiedManifest))).code).toBe(
      'MANIFEST_NOT_VERIFIED',
    );
    const { verified } = verifyManifest(local.manifest, await hashDirectory(tree({ a: 'other' })), {
      expectedDigest: local.digest,
    });
    expect(verified).toBeNull();
  });
});
