/**
 * Digests as multihashes and CIDs (src/digest), against the multiformats multihash vectors
 * (fixtures/multihash/test_cases.csv, github.com/multiformats/multihash at b43ec10): what a
 * content-addressed store names the bytes by, read back to `alg:hex`, strictly.
 */
import { describe, expect, it } from 'vitest';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import {
  digestFromCid,
  digestFromMultihash,
  digestSetFromText,
  digestText,
  digestToCid,
  digestToMultihash,
  parseDigest,
  shortDigestText,
} from '../src/digest/index.js';
import { fromHex, toHex, utf8 } from '../src/bytes/index.js';
import { codeOf } from './helpers/codes.js';
import { readFixtureText } from './helpers/fixtures.js';

interface Vector {
  algorithm: string;
  bits: number;
  input: string;
  multihash: string;
}

const VECTORS: Vector[] = readFixtureText('multihash', 'test_cases.csv')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [algorithm, bits, input, multihash] = line.split(',');
    return { algorithm: algorithm!, bits: Number(bits), input: input!, multihash: multihash! };
  });

const FULL: Record<string, { alg: string; bits: number; hash: (b: Uint8Array) => Uint8Array }> = {
  'sha2-256': { alg: 'sha256', bits: 256, hash: sha256 },
  'sha2-512': { alg: 'sha512', bits: 512, hash: sha512 },
};
const full = VECTORS.filter((v) => FULL[v.algorithm]?.bits === v.bits);
const refused = VECTORS.filter((v) => FULL[v.algorithm]?.bits !== v.bits);

/** RFC 4648 base32, lowercase, no padding: multibase 'b' (written here, independently of multiformats). */
function base32(bytes: Uint8Array): string {
  const A = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += A[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += A[(value << (5 - bits)) & 31];
  return out;
}

describe('multihash vectors (multiformats/multihash test_cases.csv)', () => {
  it('has the vectors: 20 full sha2-256, 20 full sha2-512, and the rest to refuse', () => {
    expect(full.filter((v) => v.algorithm === 'sha2-256')).toHaveLength(20);
    expect(full.filter((v) => v.algorithm === 'sha2-512')).toHaveLength(20);
    expect(refused.length).toBe(VECTORS.length - 40);
  });

  it('writes each full-length sha256 / sha512 digest as the vector multihash, and reads it back', () => {
    for (const v of full) {
      const { alg, hash } = FULL[v.algorithm]!;
      const hex = toHex(hash(utf8(v.input)));
      expect(toHex(digestToMultihash(alg, hex)), `${v.algorithm} ${v.input}`).toBe(v.multihash);
      expect(digestFromMultihash(fromHex(v.multihash))).toEqual({ alg, hex });
    }
  });

  it('refuses truncated digests and algorithms Lineproof does not name (sha1, sha3)', () => {
    for (const v of refused) {
      expect(
        codeOf(() => digestFromMultihash(fromHex(v.multihash))),
        `${v.algorithm}/${v.bits}`,
      ).toBe('INVALID_ARGUMENT');
    }
  });

  it('refuses bytes that are not a multihash: empty, a length past the end, bytes after the digest', () => {
    const mh = fromHex(full[0]!.multihash);
    for (const bad of [new Uint8Array(0), mh.subarray(0, mh.length - 1), new Uint8Array([...mh, 0])])
      expect(codeOf(() => digestFromMultihash(bad))).toBe('INVALID_ARGUMENT');
  });
});

describe('CIDs', () => {
  const EMPTY = toHex(sha256(new Uint8Array(0)));

  it('names the bytes as a CIDv1 of the raw codec in base32: b + base32(0x01 0x55 multihash)', () => {
    // The well-known CID of the empty block (IPFS, raw leaves).
    expect(digestToCid('sha256', EMPTY)).toBe('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku');
    for (const v of full) {
      const { alg, hash } = FULL[v.algorithm]!;
      const hex = toHex(hash(utf8(v.input)));
      const cid = digestToCid(alg, hex);
      expect(cid).toBe(`b${base32(new Uint8Array([0x01, 0x55, ...fromHex(v.multihash)]))}`);
      expect(digestFromCid(cid)).toEqual({ alg, hex });
    }
  });

  it('writes blake2b (blake2b-512) and blake3 multihashes with their multicodec codes', () => {
    expect(toHex(digestToMultihash('blake2b', 'ab'.repeat(64))).slice(0, 8)).toBe('c0e40240');
    expect(toHex(digestToMultihash('blake3', 'ab'.repeat(32))).slice(0, 4)).toBe('1e20');
    expect(digestFromCid(digestToCid('blake3', 'ab'.repeat(32)))).toEqual({ alg: 'blake3', hex: 'ab'.repeat(32) });
  });

  it('refuses what has no multihash code or a malformed digest', () => {
    expect(codeOf(() => digestToMultihash('sha256-tree-v1-1048576', EMPTY))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => digestToMultihash('gitCommit', 'ab'.repeat(20)))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => digestToCid('sha256', EMPTY.slice(2)))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => digestToCid('sha256', EMPTY.toUpperCase()))).toBe('INVALID_ARGUMENT');
  });

  it('reads only CIDv1 raw in base32: not CIDv0 or dag-pb (a DAG node, not the bytes), other bases, or junk', () => {
    const cid = digestToCid('sha256', EMPTY);
    const dagPb = `b${base32(new Uint8Array([0x01, 0x70, 0x12, 0x20, ...fromHex(EMPTY)]))}`;
    const cidV0 = 'QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH';
    const base58 = 'zb2rhmy65F3REf8SZp7De11gxtECBGgUKaLdiDj7MCGCHxbDW';
    for (const bad of [dagPb, cidV0, base58, cid.toUpperCase(), `${cid}a`, cid.slice(0, -1), 'bafy', '', 'sha256'])
      expect(
        codeOf(() => digestFromCid(bad)),
        bad,
      ).toBe('INVALID_ARGUMENT');
    expect(() => digestFromCid(42 as unknown as string)).toThrow(TypeError);
  });
});

describe('the one digest-text helper', () => {
  const A = 'a'.repeat(64);
  const cid = digestToCid('sha256', A);

  it('parseDigest reads a CID only when asked (documents carry alg:hex only)', () => {
    expect(parseDigest(cid, '--digest', { cid: true })).toEqual({ alg: 'sha256', hex: A });
    expect(parseDigest(`sha256:${A}`, '--digest', { cid: true })).toEqual({ alg: 'sha256', hex: A });
    expect(codeOf(() => parseDigest(cid, '--digest'))).toBe('INVALID_ARGUMENT');
    expect(digestSetFromText(cid, '--digest', { cid: true })).toEqual({ sha256: A });
  });

  it('parseDigest with alg accepts that algorithm only, naming the input', () => {
    expect(parseDigest(`sha256:${A}`, 'payloadDigest', { alg: 'sha256' })).toEqual({ alg: 'sha256', hex: A });
    expect(() => parseDigest(`sha512:${'a'.repeat(128)}`, 'payloadDigest', { alg: 'sha256' })).toThrow(
      'payloadDigest: expected sha256:<hex>, got sha512:…',
    );
  });

  it('digestText prefers sha256; shortDigestText keeps the algorithm and cuts the hex', () => {
    expect(digestText({ sha512: 'b'.repeat(128), sha256: A })).toBe(`sha256:${A}`);
    expect(digestText({ sha512: 'b'.repeat(128), blake2b: 'c'.repeat(128) })).toBe(`blake2b:${'c'.repeat(128)}`);
    expect(shortDigestText(`sha256:${A}`)).toBe(`sha256:${'a'.repeat(12)}…`);
    expect(shortDigestText('sha256:abcd')).toBe('sha256:abcd');
    expect(shortDigestText(A)).toBe(A);
    expect(shortDigestText(`blake2b:${'c'.repeat(128)}`)).toBe(`blake2b:${'c'.repeat(12)}…`);
  });
});
