import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8 } from '../../src/bytes/index.js';
import { privateKeyFromSeed } from '../../src/keys/keys.js';
import type { PrivateKey } from '../../src/keys/types.js';

/** A deterministic test key: seed = [n, n, ..., n]. */
export function testKey(n: number): Promise<PrivateKey> {
  return privateKeyFromSeed(new Uint8Array(32).fill(n));
}

/** A small valid in-toto Statement v1. */
export function statement(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'model.safetensors', digest: { sha256: 'ab'.repeat(32) } }],
    predicateType: 'https://lineproof.dev/attestation/test/v0.1',
    predicate: { note: 'héllo' },
    ...extra,
  };
}

export function statementBytes(extra: Record<string, unknown> = {}): Uint8Array {
  return utf8(JSON.stringify(statement(extra)));
}

/** The order of the Ed25519 prime-order subgroup, and little-endian scalar helpers. */
export const L = 2n ** 252n + 27742317777372353535851937790883648493n;
export function leToBig(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}
export function bigToLe32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 255n);
    n >>= 8n;
  }
  return out;
}

/**
 * A valid Ed25519 signature with a chosen nonce r (not the deterministic RFC 8032 one), so one key
 * can produce many distinct valid signatures over the same message — what an attacker holding one
 * key would try in order to pad a threshold.
 */
export async function signWithNonce(key: PrivateKey, message: Uint8Array, r: bigint): Promise<Uint8Array> {
  const { scalar } = await ed.utils.getExtendedPublicKeyAsync(key.seed);
  const rr = (r % (L - 1n)) + 1n;
  const R = ed.Point.BASE.multiply(rr).toBytes();
  const k = leToBig(sha512(concatBytes(R, key.publicKey.bytes, message))) % L;
  const S = (rr + k * scalar) % L;
  return concatBytes(R, bigToLe32(S));
}
