import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assertDigestSet, digestSetFromText, matchDigestSets, parseDigest, sha256Hex } from '../src/digest/index.js';
import { utf8 } from '../src/bytes/index.js';
import { codeOf } from './helpers/codes.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(128);

describe('digest text form', () => {
  it('parses sha256:<hex> and refuses bad forms', () => {
    expect(parseDigest(`sha256:${A}`)).toEqual({ alg: 'sha256', hex: A });
    expect(digestSetFromText(`sha256-tree-v1-1048576:${A}`)).toEqual({ 'sha256-tree-v1-1048576': A });
    for (const bad of [
      A,
      `sha256:${A.slice(1)}`,
      `SHA256:${A}`,
      `sha256:${A.toUpperCase()}`,
      'sha256:',
      ':aa',
      `sha512:${A}`,
    ]) {
      expect(
        codeOf(() => parseDigest(bad)),
        bad,
      ).toBe('INVALID_ARGUMENT');
    }
  });
  it('hashes like the known SHA-256 of "abc"', () => {
    expect(sha256Hex(utf8('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('checks DigestSet shapes', () => {
    expect(() => assertDigestSet({ sha256: A, sha512: C, gitCommit: 'abc123' })).not.toThrow();
    expect(codeOf(() => assertDigestSet({}))).toBe('SCHEMA_INVALID');
    expect(codeOf(() => assertDigestSet({ sha256: 'xyz' }))).toBe('SCHEMA_INVALID');
    expect(codeOf(() => assertDigestSet({ sha256: A.slice(2) }))).toBe('SCHEMA_INVALID');
    expect(codeOf(() => assertDigestSet([A]))).toBe('SCHEMA_INVALID');
  });
});

describe('matchDigestSets (decisions §3)', () => {
  it('matches on a common accepted algorithm', () => {
    expect(matchDigestSets({ sha256: A }, { sha256: A })).toEqual({ match: true, algorithms: ['sha256'] });
  });
  it('fails when any common algorithm disagrees, even one the policy does not accept', () => {
    expect(matchDigestSets({ sha256: A, md5x: 'aa' }, { sha256: A, md5x: 'bb' })).toMatchObject({
      match: false,
      reason: 'mismatch',
      algorithm: 'md5x',
    });
    expect(matchDigestSets({ sha256: A, sha512: C }, { sha256: B, sha512: C })).toMatchObject({
      match: false,
      reason: 'mismatch',
      algorithm: 'sha256',
    });
  });
  it('fails when no accepted algorithm is common', () => {
    expect(matchDigestSets({ sha256: A }, { sha512: C })).toMatchObject({
      match: false,
      reason: 'no-common-accepted-algorithm',
    });
    expect(matchDigestSets({ sha256: A }, { sha256: A }, ['sha512'])).toMatchObject({
      match: false,
      reason: 'no-common-accepted-algorithm',
    });
  });
  it('is symmetric in its verdict', () => {
    const hex = fc.constantFrom(A, B);
    const set = fc.record({ sha256: hex, sha512: fc.constantFrom(C, 'd'.repeat(128)) }, { requiredKeys: [] });
    fc.assert(
      fc.property(set, set, (x, y) => {
        expect(matchDigestSets(x, y).match).toBe(matchDigestSets(y, x).match);
      }),
    );
  });
});
