/**
 * Checking signatures against a set of trusted keys, one signature at a time (decisions §4, §14).
 * Shared by {@link verifyEnvelope} and chain verification, so both try keys the same way:
 *
 * - trusted keys are deduplicated by their public-key bytes;
 * - a signature is first checked for what needs no key (length, S < L, R's encoding): a refused
 *   one costs no key check;
 * - then against every trusted key, a keyid hint only deciding the order (the hinted key first,
 *   then the keys the caller prefers — chain verification: those that verified recently): a
 *   correct hint saves the other tries, a wrong or missing one changes nothing but the cost;
 * - a signature counts for at most one key, and each (signature, key) pair is tried once.
 */
import { equalBytes, isBytes, toHex } from '../bytes/index.js';
import { describeType, shortDigest } from '../errors.js';
import { ed25519SignaturePrecheck } from '../keys/ed25519.js';
import { keyidsOf } from '../keys/keyid.js';
import { checkedPublicKey, publicKeyFromBytes } from '../keys/keys.js';
import type { PublicKey, SignatureCheck, SignatureVerifier } from '../keys/types.js';

/** A trusted key prepared for signature checks. */
export interface TrustedKey {
  readonly key: PublicKey;
  /** Hex of the public-key bytes. */
  readonly hex: string;
  /** Legacy and modern keyids, to order tries by a hint and explain it (never to pick a key). */
  readonly ids: readonly string[];
  /** A short label for messages. */
  readonly label: string;
}

/** The outcome of checking one signature against the trusted keys. */
interface SignatureOutcome {
  /** Index of the trusted key it verifies under, or -1. */
  keyIndex: number;
  /** Key checks spent (0 when the signature was refused before any key). */
  tries: number;
  /** Why it counts for no key, when it does not: the code when every key gave the same one. */
  failure?: { code: SignatureFailureCode; reason: string };
}

type SignatureFailureCode = Extract<SignatureCheck, { valid: false }>['code'];

const HINT_IDS = new WeakMap<PublicKey, string[]>();

/** The legacy and modern keyids of a key (cached per key object). */
function hintIds(key: PublicKey): string[] {
  let ids = HINT_IDS.get(key);
  if (!ids) {
    const both = keyidsOf(key.bytes);
    ids = [both.legacy, both.modern];
    HINT_IDS.set(key, ids);
  }
  return ids;
}

function keyLabel(key: PublicKey): string {
  return key.keyid !== '' ? shortDigest(key.keyid) : `ed25519:${shortDigest(toHex(key.bytes))}`;
}

/**
 * Deduplicate trusted keys by their public-key bytes (first occurrence wins); raw bytes are
 * imported and checked.
 * @param keys the keys to trust
 * @param what names the argument in errors (default `trustedKeys`)
 * @returns the prepared keys
 * @throws {TypeError} an entry that is neither a PublicKey nor bytes; {LineproofError} invalid key bytes
 * @example
 * ```ts
 * const trusted = trustedKeySet([alice.publicKey, bobBytes]);
 * ```
 */
export function trustedKeySet(keys: ReadonlyArray<PublicKey | Uint8Array>, what = 'trustedKeys'): TrustedKey[] {
  const out: TrustedKey[] = [];
  keys.forEach((k, i) => {
    let key: PublicKey;
    if (isBytes(k)) key = publicKeyFromBytes(k, { what: `${what}[${i}]` });
    else if (k && typeof k === 'object' && isBytes(k.bytes) && typeof k.keyid === 'string')
      key = checkedPublicKey(k, `${what}[${i}]`);
    else throw new TypeError(`"${what}[${i}]" expected PublicKey or Uint8Array, got ${describeType(k)}`);
    if (!out.some((t) => equalBytes(t.key.bytes, key.bytes)))
      out.push({ key, hex: toHex(key.bytes), ids: hintIds(key), label: keyLabel(key) });
  });
  return out;
}

/**
 * The order in which to try the keys for a signature with this keyid hint: keys the hint names
 * first, then the others, each once.
 */
function tryOrder(trusted: readonly TrustedKey[], keyid: string | undefined, preferred: readonly number[]): number[] {
  const all = [...trusted.keys()];
  const named = keyid === undefined || keyid === '' ? [] : all.filter((k) => trusted[k]!.ids.includes(keyid));
  if (named.length === 0 && preferred.length === 0) return all;
  const first = [...named, ...preferred.filter((k) => k >= 0 && k < trusted.length && !named.includes(k))];
  const seen = new Set(first);
  return [...first, ...all.filter((k) => !seen.has(k))];
}

/**
 * Check one signature over `message` against the trusted keys. Never throws for any signature
 * bytes: a verifier that throws counts as a failed check (code INTERNAL).
 * @param verifier the signature verifier
 * @param trusted the keys, from {@link trustedKeySet}
 * @param message the exact signed bytes (for DSSE, the PAE)
 * @param sig the raw signature
 * @param keyid the signature's keyid hint, if any
 * @param preferred key indexes to try next after the hinted ones (e.g. the keys that verified the
 *   envelopes before): like the hint, it only decides the order
 * @returns the key it verifies under (or -1), the key checks spent, and why it failed
 * @example
 * ```ts
 * const { keyIndex } = await checkSignature(verifier, trusted, pae(type, payload), sig, keyid);
 * ```
 */
export async function checkSignature(
  verifier: SignatureVerifier,
  trusted: readonly TrustedKey[],
  message: Uint8Array,
  sig: Uint8Array,
  keyid: string | undefined,
  preferred: readonly number[] = [],
): Promise<SignatureOutcome> {
  const structural = ed25519SignaturePrecheck(sig);
  if (structural) return { keyIndex: -1, tries: 0, failure: { code: structural.code, reason: structural.reason } };
  const codes = new Set<SignatureFailureCode>();
  let first: { code: SignatureFailureCode; reason: string } | undefined;
  let tries = 0;
  for (const k of tryOrder(trusted, keyid, preferred)) {
    let check: SignatureCheck;
    tries++;
    try {
      check = await verifier.verify(sig, message, trusted[k]!.key.bytes);
    } catch (e) {
      check = {
        valid: false,
        code: 'INTERNAL',
        reason: `verifier ${verifier.name} threw: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    if (check.valid) return { keyIndex: k, tries };
    codes.add(check.code);
    first ??= { code: check.code, reason: check.reason };
  }
  const failure =
    codes.size === 1 && first && first.code !== 'ED25519_SIGNATURE_INVALID'
      ? first
      : { code: 'DSSE_SIGNATURE_UNVERIFIED' as const, reason: `no trusted key verifies it (tried ${trusted.length})` };
  return { keyIndex: -1, tries, failure };
}

/**
 * A note on a signature's keyid hint for messages: names no trusted key, or names another one.
 * @returns '' when the hint named the key that verified, or there is no hint
 */
export function keyHintNote(trusted: readonly TrustedKey[], keyid: string | undefined, verifiedBy: number): string {
  if (keyid === undefined) return '';
  const named = trusted.findIndex((t) => t.ids.includes(keyid));
  if (named === -1) return `; its keyid hint ${JSON.stringify(shortDigest(keyid))} names no trusted key`;
  if (verifiedBy >= 0 && named !== verifiedBy)
    return `; its keyid hint names another trusted key (${trusted[named]!.label}), ignored`;
  return '';
}
