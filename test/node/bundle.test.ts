import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../src/bundle/jsonl.js';
import { utf8 } from '../../src/bytes/index.js';
import { signEnvelope } from '../../src/dsse/sign.js';
import { isLineproofError } from '../../src/errors.js';
import { ed25519Signer, privateKeyFromSeed } from '../../src/keys/keys.js';
import { canonicalBytes } from '../../src/json/canonical.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/statements/statement.js';
import { appendToBundle, cosignBundleFile, readBundleFile } from '../../src/node/bundle.js';
import { repoPath } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';
import { key } from '../helpers/world.js';

async function envelope(n: number, pad = 0) {
  const k = await privateKeyFromSeed(new Uint8Array(32).fill(7));
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: `a${n}`, digest: { sha256: '0'.repeat(63) + (n % 10) } }],
    predicateType: 'https://example.com/test/v1',
    predicate: { n, pad: 'x'.repeat(pad) },
  };
  return signEnvelope(canonicalBytes(statement), IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(k)]);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isLineproofError(e) ? e.code : `not a LineproofError: ${String(e)}`;
  }
  return 'no error';
}

describe('appendToBundle', () => {
  it('creates the bundle and appends one JCS line + LF per envelope, removing its lock', async () => {
    const dir = tempDir();
    const path = join(dir, 'chain.intoto.jsonl');
    const a = await appendToBundle(path, await envelope(1));
    expect(a.created).toBe(true);
    expect(a.offset).toBe(0);
    const b = await appendToBundle(path, [await envelope(2), await envelope(3)]);
    expect(b.created).toBe(false);
    expect(b.lines).toHaveLength(2);
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(4);
    expect(readBundle(text).entries.map((e) => e.lines[0])).toEqual([1, 2, 3]);
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(statSync(path).mode & 0o777).toBe(0o644 & ~process.umask());
  });

  it('ends an earlier partial line first, so the new line stays whole', async () => {
    const dir = tempDir();
    const path = join(dir, 'chain.intoto.jsonl');
    writeFileSync(path, '{"payload":"trunc');
    await appendToBundle(path, await envelope(1));
    const bundle = readBundleFile(path);
    expect(bundle.errors.map((e) => e.line)).toEqual([1]);
    expect(bundle.entries).toHaveLength(1);
    expect(bundle.entries[0]!.lines).toEqual([2]);
  });

  describe('when the envelope is not fit for a bundle', () => {
    it('refuses it before touching the file', async () => {
      const dir = tempDir();
      const path = join(dir, 'chain.intoto.jsonl');
      const env = await envelope(1);
      expect(await codeOf(appendToBundle(path, { ...env, payload: '!!' }))).toBe('BASE64_INVALID_CHAR');
      expect(await codeOf(appendToBundle(path, { ...env, payloadType: 'text/plain' }))).toBe(
        'DSSE_PAYLOAD_TYPE_MISMATCH',
      );
      expect(await codeOf(appendToBundle(path, await envelope(2, 4096), { limits: { envelopeBytes: 4096 } }))).toBe(
        'LIMIT_EXCEEDED',
      );
      expect(existsSync(path)).toBe(false);
      expect(existsSync(`${path}.lock`)).toBe(false);
    });

    it('names an unwritable path with IO_ERROR', async () => {
      const dir = tempDir();
      expect(await codeOf(appendToBundle(join(dir, 'missing-dir', 'chain.intoto.jsonl'), await envelope(1)))).toBe(
        'IO_ERROR',
      );
      expect(await codeOf(appendToBundle(dir, await envelope(1)))).toBe('IO_ERROR');
    });
  });

  describe('the lock', () => {
    it('waits for a live holder and fails with BUNDLE_LOCK_TIMEOUT, writing nothing', async () => {
      const dir = tempDir();
      const path = join(dir, 'chain.intoto.jsonl');
      writeFileSync(
        `${path}.lock`,
        JSON.stringify({ pid: process.pid, hostname: hostname(), createdAt: new Date().toISOString(), token: 'other' }),
      );
      const t0 = Date.now();
      expect(await codeOf(appendToBundle(path, await envelope(1), { lockTimeoutMs: 150 }))).toBe('BUNDLE_LOCK_TIMEOUT');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      expect(existsSync(path)).toBe(false);
      // the live holder's lock is left alone
      expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).token).toBe('other');
    });

    it('breaks the lock of a writer that no longer exists on this host', async () => {
      const dir = tempDir();
      const path = join(dir, 'chain.intoto.jsonl');
      const dead = await new Promise<number>((resolve) => {
        const c = spawn(process.execPath, ['-e', '0']);
        c.on('exit', () => resolve(c.pid!));
      });
      writeFileSync(
        `${path}.lock`,
        JSON.stringify({ pid: dead, hostname: hostname(), createdAt: new Date().toISOString(), token: 'dead' }),
      );
      const r = await appendToBundle(path, await envelope(1), { lockTimeoutMs: 100 });
      expect(r.brokenLocks).toHaveLength(1);
      expect(readBundleFile(path).entries).toHaveLength(1);
      expect(readdirSync(dir)).toEqual(['chain.intoto.jsonl']);
    });

    it('breaks a lock older than staleLockMs, even of an unknown writer, but not a fresh one', async () => {
      const dir = tempDir();
      const path = join(dir, 'chain.intoto.jsonl');
      writeFileSync(`${path}.lock`, '');
      expect(await codeOf(appendToBundle(path, await envelope(1), { lockTimeoutMs: 50, staleLockMs: 60_000 }))).toBe(
        'BUNDLE_LOCK_TIMEOUT',
      );
      const old = new Date(Date.now() - 120_000);
      utimesSync(`${path}.lock`, old, old);
      const r = await appendToBundle(path, await envelope(1), { lockTimeoutMs: 50, staleLockMs: 60_000 });
      expect(r.brokenLocks).toHaveLength(1);
      expect(existsSync(`${path}.lock`)).toBe(false);
    });

    it('a FIFO in place of the lock file is not read (it would block): it counts as a fresh lock of an unknown writer (checked in a child process)', async () => {
      const dir = tempDir();
      const path = join(dir, 'chain.intoto.jsonl');
      execFileSync('mkfifo', [`${path}.lock`]);
      const script = `
        const { appendToBundle } = await import(${JSON.stringify(repoPath('dist', 'node', 'index.js'))});
        try { await appendToBundle(process.argv[1], JSON.parse(process.argv[2]), { lockTimeoutMs: 100, staleLockMs: 60000 }); console.log('appended'); }
        catch (e) { console.log(e.code); }
      `;
      const r = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', script, path, JSON.stringify(await envelope(1))],
        { encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL' },
      );
      expect(r.signal, 'appendToBundle blocked reading the FIFO as lock info').toBeNull();
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('BUNDLE_LOCK_TIMEOUT');
      expect(existsSync(path)).toBe(false);
    });

    it('serializes appends of one process that overlap in time', async () => {
      const dir = tempDir();
      const path = join(dir, 'chain.intoto.jsonl');
      const envs = await Promise.all(Array.from({ length: 40 }, (_, i) => envelope(i, (i * 997) % 9000)));
      await Promise.all(envs.map((e) => appendToBundle(path, e, { fsync: false })));
      const bundle = readBundleFile(path);
      expect(bundle.errors).toEqual([]);
      expect(bundle.entries).toHaveLength(40);
    });
  });

  describe('when several processes append to one bundle at the same time', () => {
    it('every line is whole and every envelope is there', async () => {
      const dir = tempDir();
      const path = join(dir, 'chain.intoto.jsonl');
      const dist = repoPath('dist', 'node', 'index.js');
      expect(existsSync(dist)).toBe(true); // npm test builds first
      const WRITERS = 4;
      const LINES = 150;
      // Each writer signs its own envelopes (some far larger than PIPE_BUF) and appends them one
      // by one as fast as it can, all writers starting together.
      const script = `
        const lp = await import(${JSON.stringify(new URL(`file://${dist}`).href)});
        const [who, n, path, startAt] = process.argv.slice(1);
        const key = await lp.privateKeyFromSeed(new Uint8Array(32).fill(Number(who) + 1));
        const signer = lp.nodeEd25519Signer(key);
        const envs = [];
        for (let i = 0; i < Number(n); i++) {
          const st = { _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'w' + who + '-' + i, digest: { sha256: '${'a'.repeat(64)}' } }],
            predicateType: 'https://example.com/concurrency/v1', predicate: { who: Number(who), i, pad: 'p'.repeat((i * 7919) % 20000) } };
          envs.push(await lp.signEnvelope(lp.canonicalBytes(st), lp.IN_TOTO_PAYLOAD_TYPE, [signer]));
        }
        while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 1));
        for (const e of envs) await lp.appendToBundle(path, e, { fsync: Number(who) % 2 === 0 });
      `;
      const startAt = Date.now() + 1500;
      const runs = Array.from(
        { length: WRITERS },
        (_, w) =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const c = spawn(process.execPath, [
              '--input-type=module',
              '-e',
              script,
              String(w),
              String(LINES),
              path,
              String(startAt),
            ]);
            let stderr = '';
            c.stderr.on('data', (d) => (stderr += d));
            c.on('exit', (code) => resolve({ code, stderr }));
          }),
      );
      const results = await Promise.all(runs);
      expect(results).toEqual(Array.from({ length: WRITERS }, () => ({ code: 0, stderr: '' })));
      const bytes = readFileSync(path);
      const text = bytes.toString('utf8');
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.slice(0, -1).split('\n');
      expect(lines).toHaveLength(WRITERS * LINES);
      const bundle = readBundle(new Uint8Array(bytes));
      expect(bundle.errors).toEqual([]);
      expect(bundle.entries).toHaveLength(WRITERS * LINES);
      const seen = new Set(
        bundle.entries.map((e) => {
          const p = JSON.parse(new TextDecoder().decode(e.envelope.payload));
          return `${p.predicate.who}/${p.predicate.i}`;
        }),
      );
      expect(seen.size).toBe(WRITERS * LINES);
      expect(existsSync(`${path}.lock`)).toBe(false);
    }, 60_000);
  });
});

describe('cosignBundleFile', () => {
  it('appends the payload again with the new signature; readers merge the lines; twice is a no-op', async () => {
    const dir = tempDir();
    const path = join(dir, 'chain.intoto.jsonl');
    const payload = utf8(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ digest: { sha256: 'b'.repeat(64) } }],
        predicateType: 'https://example.com/x/v1',
      }),
    );
    await appendToBundle(path, await signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(await key('alice'))]));
    const digest = readBundleFile(path).entries[0]!.payloadDigest;
    const r = await cosignBundleFile(path, digest, ed25519Signer(await key('bob')));
    expect(r.added).toBe(true);
    const again = await cosignBundleFile(path, digest, ed25519Signer(await key('bob')));
    expect(again.added).toBe(false);
    expect(again.appended).toBeUndefined();
    const bundle = readBundleFile(path);
    expect(bundle.entries).toHaveLength(1);
    expect(bundle.entries[0]!.lines).toEqual([1, 2]);
    expect(bundle.entries[0]!.envelope.signatures).toHaveLength(2);
    expect(await codeOf(cosignBundleFile(path, `sha256:${'c'.repeat(64)}`, ed25519Signer(await key('bob'))))).toBe(
      'BUNDLE_PAYLOAD_NOT_FOUND',
    );
  });
});
