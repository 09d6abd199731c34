/**
 * Certificate identities and trusted time for tests (spec/policy.md "Certificate identities and
 * trusted time"): a private CI certificate authority and timestamp authorities made with OpenSSL (the
 * peer) under libfaketime, the world's steps re-signed with a CI certificate or stamped by `openssl
 * ts`, as Sigstore bundle lines, and the policy edits that trust them. Made once per test file, on
 * first use.
 */
import { readFileSync } from 'node:fs';
import { fromBase64 } from '../../src/bytes/index.js';
import { sigstoreBundleLine } from '../../src/bundle/sigstore-line.js';
import { signEnvelope } from '../../src/dsse/sign.js';
import type { Envelope } from '../../src/dsse/envelope.js';
import { parseEcPrivateKey } from '../../src/pki/ec-private.js';
import { ecdsaSigner, ecdsaVerifier } from '../../src/pki/ecdsa.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/statements/statement.js';
import { Pki, type MadeCert } from './pki.js';
import { Tsa } from './tsa.js';
import { IDENTITY, type World } from './world.js';

/** The extensions of a CI signing certificate naming `san`. */
export const leafExt = (san: string) => [
  'basicConstraints=CA:FALSE',
  'keyUsage=critical,digitalSignature',
  `subjectAltName=${san}`,
];

export const TRAIN_SAN = 'https://ci.example.com/train';

export interface CiAuthorities {
  pki: Pki;
  /** The CI root (a month older than the leaves: a leaf is judged at its notBefore, the root too). */
  ca: MadeCert;
  /** Another root, trusted by nobody. */
  otherCa: MadeCert;
  /** A leaf for TRAIN_SAN, and one for another subject. */
  trainerCert: MadeCert;
  otherCert: MadeCert;
  tsa: Tsa;
  rogue: Tsa;
}

let made: CiAuthorities | undefined;

/** The authorities (made on first call). */
export function ciAuthorities(): CiAuthorities {
  if (made) return made;
  const pki = new Pki('2026-01-01T00:00:00Z');
  const older = new Pki('2025-12-01T00:00:00Z');
  const ca = older.root('ci-root', { key: 'ec:P-256' });
  const otherCa = older.root('other-root', { key: 'ec:P-256' });
  made = {
    pki,
    ca,
    otherCa,
    trainerCert: pki.issue('ci-train', ca, { ext: leafExt(`URI:${TRAIN_SAN}`), days: 30 }),
    otherCert: pki.issue('ci-other', ca, { ext: leafExt('URI:https://ci.example.com/other'), days: 30 }),
    tsa: new Tsa(pki),
    rogue: new Tsa(pki, 'rogue'),
  };
  return made;
}

/** The world's training envelope re-signed by the certificate's key, as a Sigstore bundle line. */
export async function certificateLine(w: World, cert: MadeCert): Promise<string> {
  const key = parseEcPrivateKey(readFileSync(cert.keyPath, 'utf8'));
  const s = ecdsaSigner(key);
  const env = await signEnvelope(
    w.steps.training.payload,
    IN_TOTO_PAYLOAD_TYPE,
    [{ publicKey: key.publicKey.point, keyid: '', sign: (m) => s.sign(m) }],
    { verifier: ecdsaVerifier('P-256') },
  );
  return sigstoreBundleLine(env, { certificates: [cert.der] });
}

/** The trainer identity bound to TRAIN_SAN under the CI root (authority `ci`) instead of a key. */
export function certificatePolicy(doc: Record<string, any>): void {
  delete doc.keys.trainer;
  doc.identities[IDENTITY.trainer] = { certificate: { authority: 'ci', subject: TRAIN_SAN } };
  doc.certificateAuthorities = { ci: { type: 'x509', certificates: ciAuthorities().ca.pem } };
}

/** An envelope's signatures, one Sigstore line each, stamped by `by` at `at` (none when `by` is null). */
export function stampedLines(env: Envelope, by: Tsa | null, at: string): string {
  return env.signatures
    .map((sig) => {
      const one: Envelope = { ...env, signatures: [sig] };
      const timestamps = by ? [by.stamp(fromBase64(sig.sig), { at }).token] : [];
      return sigstoreBundleLine(one, { timestamps });
    })
    .join('');
}

/** Approver signatures require a timestamp of the trusted authority `tsa`. */
export function timestampPolicy(doc: Record<string, any>): void {
  doc.roles.approver.requireTimestamp = true;
  trustTsa(doc);
}

/** The policy trusts the authority `tsa`. */
export function trustTsa(doc: Record<string, any>): void {
  doc.timestampAuthorities = { tsa: { certificates: ciAuthorities().tsa.root.pem } };
}

/** The bundle with one step's line replaced. */
export const swap = (w: World, step: keyof World['steps'], lines: string) =>
  w.bundle.replace(w.steps[step]!.line, lines);
