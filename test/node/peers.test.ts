/**
 * Independent implementations agree with ours: b3sum (the BLAKE3 reference, Rust) for blake3 —
 * where our node adapter and core both use noble — and OpenSSL's command line for the others.
 * The tools come from .ci/apt-packages (b3sum, openssl); a missing tool fails the test.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashFile } from '../../src/node/index.js';
import { tempDir } from '../helpers/tmp.js';

function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >> 8)) & 0xff;
  return out;
}

// Around BLAKE3's 1024-byte chunk and the adapter's 256 KiB read buffer.
const SIZES = [0, 1, 1023, 1024, 1025, 2048, 262_143, 262_144, 262_145, 1_000_003];

describe('agreement with independent tools', () => {
  it('blake3 equals b3sum', async () => {
    const dir = tempDir();
    for (const n of SIZES) {
      const f = join(dir, `f${n}`);
      writeFileSync(f, pattern(n));
      const want = execFileSync('b3sum', ['--no-names', f]).toString().trim();
      expect((await hashFile(f, { algorithms: ['blake3'] })).digests.blake3, `size ${n}`).toBe(want);
    }
  });

  it('sha256, sha512 and blake2b equal openssl dgst', async () => {
    const dir = tempDir();
    for (const n of [0, 1, 262_145]) {
      const f = join(dir, `f${n}`);
      writeFileSync(f, pattern(n));
      const r = await hashFile(f, { algorithms: ['sha256', 'sha512', 'blake2b'] });
      for (const [alg, ossl] of [
        ['sha256', 'sha256'],
        ['sha512', 'sha512'],
        ['blake2b', 'blake2b512'],
      ] as const) {
        const out = execFileSync('openssl', ['dgst', `-${ossl}`, '-r', f])
          .toString()
          .split(' ')[0];
        expect(r.digests[alg], `${alg} size ${n}`).toBe(out);
      }
    }
  });
});
