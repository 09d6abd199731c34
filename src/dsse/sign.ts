/**
 * Signing DSSE envelopes through the {@link Signer} interface (decisions §6).
 *
 * Every signature is verified under the signer's own public key right after signing
 * (sign-then-verify), so a faulty signer, KMS or HSM cannot produce an envelope that fails later.
 */
import { assertBytes, equalBytes, isBytes } from '../bytes/index.js';
import { LineproofError, describeType } from '../errors.js';
import type { JsonValue } from '../json/strict.js';
import { resolveLimits, type Limits } from '../limits.js';
import { strictEd25519Verifier } from '../keys/ed25519.js';
import type { SignatureVerifier, Signer } from '../keys/types.js';
import { IN_TOTO_PAYLOAD_TYPE, parseStatement } from '../statements/statement.js';
import { parseJson } from '../json/strict.js';
import { encodeEnvelope, parseEnvelope, type DecodedSignature, type Envelope } from './envelope.js';
import { assertAsciiPayloadType, pae } from './pae.js';

/** Array.isArray without narrowing a typed array parameter to `any[]`. */
const isArray: (value: unknown) => boolean = Array.isArray;

/** Options for {@link signEnvelope} and {@link addSignature}. */
export interface SignOptions {
  /** Verifier used for sign-then-verify and for spotting an existing signature (default: strict Ed25519). */
  verifier?: SignatureVerifier;
  /** Limits (signatures per envelope, JSON depth, envelope size). */
  limits?: Partial<Limits>;
}

function assertSigner(s: unknown, name: string): asserts s is Signer {
  const o = s as Signer;
  if (
    !o ||
    typeof o !== 'object' ||
    typeof o.sign !== 'function' ||
    !isBytes(o.publicKey) ||
    typeof o.keyid !== 'string'
  ) {
    throw new TypeError(
      `"${name}" expected a Signer { publicKey: Uint8Array, keyid: string, sign() }, got ${describeType(s)}`,
    );
  }
}

async function signOne(
  signer: Signer,
  message: Uint8Array,
  verifier: SignatureVerifier,
  name: string,
): Promise<DecodedSignature> {
  const sig = await signer.sign(message);
  if (!isBytes(sig)) throw new TypeError(`${name}.sign() expected to return Uint8Array, got ${describeType(sig)}`);
  const check = await verifier.verify(sig, message, signer.publicKey);
  if (!check.valid) {
    throw new LineproofError(
      'SIGNER_FAULT',
      `${name}: the signature it returned does not verify under its own public key (${check.code}: ${check.reason})`,
      { path: name },
    );
  }
  const copy = Uint8Array.from(sig);
  return signer.keyid === '' ? { sig: copy } : { keyid: signer.keyid, sig: copy };
}

function checkStatement(payload: Uint8Array, payloadType: string, limits: Limits): void {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) return;
  parseStatement(
    parseJson(payload, { what: 'payload', maxDepth: limits.jsonDepth, maxBytes: limits.envelopeBytes }),
    'payload',
  );
}

/**
 * Sign `payload` as a DSSE envelope with one or more signers (one signature each).
 *
 * 1. check the arguments: an ASCII payloadType, 1..16 signers with distinct public keys;
 * 2. for `application/vnd.in-toto+json`, parse the payload strictly as an in-toto Statement v1;
 * 3. compute PAE(payloadType, payload);
 * 4. have each signer sign the PAE bytes and verify its signature under its public key.
 *
 * @param payload the exact payload bytes
 * @param payloadType e.g. `application/vnd.in-toto+json`
 * @param signers who signs, in order
 * @returns the envelope in wire form (standard base64); serialize with `serializeEnvelope`
 * @throws {LineproofError} DSSE_PAYLOAD_TYPE_NOT_ASCII, STATEMENT_INVALID / JSON_* (in-toto
 *   payloads), DSSE_TOO_MANY_SIGNATURES, SIGNER_FAULT
 * @throws {TypeError|RangeError} no signers, a malformed signer, two signers with the same key
 * @example
 * ```ts
 * const env = await signEnvelope(utf8(JSON.stringify(statement)), IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(key)]);
 * ```
 */
export async function signEnvelope(
  payload: Uint8Array,
  payloadType: string,
  signers: readonly Signer[],
  options: SignOptions = {},
): Promise<Envelope> {
  assertBytes(payload, 'payload');
  assertAsciiPayloadType(payloadType);
  const limits = resolveLimits(options.limits);
  const verifier = options.verifier ?? strictEd25519Verifier;
  if (!isArray(signers) || signers.length === 0) throw new RangeError('"signers" expected a non-empty array of Signer');
  signers.forEach((s, i) => assertSigner(s, `signers[${i}]`));
  if (signers.length > limits.signaturesPerEnvelope) {
    throw new LineproofError(
      'DSSE_TOO_MANY_SIGNATURES',
      `${signers.length} signers is more than the limit of ${limits.signaturesPerEnvelope} signatures`,
      {
        path: 'signers',
        expected: `<= ${limits.signaturesPerEnvelope}`,
        actual: String(signers.length),
      },
    );
  }
  for (let i = 1; i < signers.length; i++) {
    for (let j = 0; j < i; j++) {
      if (equalBytes(signers[i]!.publicKey, signers[j]!.publicKey))
        throw new RangeError(`"signers[${i}]" has the same public key as signers[${j}]; a key signs once`);
    }
  }
  checkStatement(payload, payloadType, limits);
  const message = pae(payloadType, payload);
  const signatures: DecodedSignature[] = [];
  for (const [i, signer] of signers.entries())
    signatures.push(await signOne(signer, message, verifier, `signers[${i}]`));
  return encodeEnvelope({ payloadType, payload, signatures });
}

/**
 * Add one signature to an existing envelope (a second approver): same payload and payloadType,
 * signatures merged. When a signature in the envelope already verifies under the signer's key,
 * the envelope is returned unchanged (re-encoded), so adding twice is harmless.
 *
 * The existing signatures are not verified here (the envelope may carry signatures of keys you
 * do not hold); verify the result with `verifyEnvelope`.
 * @param envelope bytes, text, parsed value or wire form
 * @param signer the new signer
 * @returns the envelope in wire form
 * @throws {LineproofError} any parse error of `envelope`, STATEMENT_INVALID for an in-toto
 *   payload that is not a Statement, DSSE_TOO_MANY_SIGNATURES, SIGNER_FAULT
 * @example
 * ```ts
 * const both = await addSignature(signedByAlice, ed25519Signer(bob));
 * ```
 */
export async function addSignature(
  envelope: Uint8Array | string | JsonValue | Envelope,
  signer: Signer,
  options: SignOptions = {},
): Promise<Envelope> {
  assertSigner(signer, 'signer');
  const limits = resolveLimits(options.limits);
  const verifier = options.verifier ?? strictEd25519Verifier;
  const env = parseEnvelope(envelope, { limits });
  checkStatement(env.payload, env.payloadType, limits);
  const message = pae(env.payloadType, env.payload);
  for (const s of env.signatures) {
    if ((await verifier.verify(s.sig, message, signer.publicKey)).valid) return encodeEnvelope(env);
  }
  if (env.signatures.length + 1 > limits.signaturesPerEnvelope) {
    throw new LineproofError(
      'DSSE_TOO_MANY_SIGNATURES',
      `the envelope already holds ${env.signatures.length} signatures, the limit is ${limits.signaturesPerEnvelope}`,
      {
        path: 'signatures',
        expected: `<= ${limits.signaturesPerEnvelope}`,
        actual: String(env.signatures.length + 1),
      },
    );
  }
  const added = await signOne(signer, message, verifier, 'signer');
  return encodeEnvelope({ ...env, signatures: [...env.signatures, added] });
}
