/**
 * Key and signer shapes. Everything here is data plus two small interfaces ({@link Signer},
 * {@link SignatureVerifier}) through which a KMS, an HSM or a faster native engine plugs in.
 */
import type { ErrorCode } from '../errors.js';

/** Key algorithms Lineproof signs and verifies attestations with (decisions §4). */
export type KeyType = 'ed25519';

/**
 * How a keyid is computed (spec/keys.md):
 * - `legacy`: sha256 of the canonical JSON of the securesystemslib key *with*
 *   `keyid_hash_algorithms` (what in-toto 1.x and Debian's securesystemslib 0.26 compute);
 * - `modern`: the same without `keyid_hash_algorithms` (newer securesystemslib / python-tuf);
 * - `none`: no keyid (signatures carry no keyid hint).
 */
export type KeyidFormat = 'legacy' | 'modern' | 'none';

/** The keyid formats, default first. */
export const KEYID_FORMATS: readonly KeyidFormat[] = Object.freeze(['legacy', 'modern', 'none']);

/** A public key, checked on import (on the curve, canonical, prime order). */
export interface PublicKey {
  readonly type: KeyType;
  /** The raw 32-byte Ed25519 public key (RFC 8032 encoding of A). */
  readonly bytes: Uint8Array;
  /** Its keyid in the format chosen at import (`''` for `none`). Only a hint: never used to pick a key. */
  readonly keyid: string;
}

/** A private key with its public key. */
export interface PrivateKey {
  readonly type: KeyType;
  /** The 32-byte Ed25519 seed (RFC 8032 "private key"). Never printed or put in messages. */
  readonly seed: Uint8Array;
  /** The public key the seed derives. */
  readonly publicKey: PublicKey;
}

/**
 * Anything that can sign: the default Ed25519 signer on @noble/ed25519, the node:crypto signer of
 * the Node adapter, or a KMS / HSM behind the same three members.
 */
export interface Signer {
  /** The raw public key bytes of the signing key (32 bytes for Ed25519). */
  readonly publicKey: Uint8Array;
  /** The keyid written as a hint next to each signature (`''` for none). */
  readonly keyid: string;
  /** Sign `message` (for DSSE: the PAE bytes) and return the raw signature (64 bytes for Ed25519). */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** The outcome of one signature check: valid, or the code and reason it is not. */
export type SignatureCheck = { valid: true } | { valid: false; code: ErrorCode; reason: string };

/**
 * Verifies one signature. Never throws for any bytes: malformed keys and signatures are outcomes.
 * The core's strict verifier ({@link strictEd25519Verifier}) and the Node adapter's
 * `nodeEd25519Verifier` give identical outcomes on every input (differential-tested).
 */
export interface SignatureVerifier {
  /** A short name for reports and benchmarks, e.g. `noble-strict`. */
  readonly name: string;
  /**
   * @param signature the raw signature
   * @param message the exact signed bytes
   * @param publicKey the raw public key
   */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<SignatureCheck>;
}
