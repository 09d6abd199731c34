/**
 * @internal Step 2 of the model_signing verification (verify.ts) for key bundles: the key the
 * bundle names (v1.0 `publicKey.rawBytes`, v1.1 `publicKey.hint`) is the key the user gave —
 * compared, never trusted.
 */
import { fromUtf8 } from '../../bytes/index.js';
import { LineproofError, shortDigest } from '../../errors.js';
import { decodePem, encodePem } from '../../keys/pem.js';
import type { ReportBuilder } from '../../report/index.js';
import {
  ecCurveInfo,
  ecPublicKeyFromSpki,
  equalEcPublicKeys,
  omsKeyHints,
  parseEcPublicKey,
  type EcPublicKey,
} from '../../pki/ec.js';
import type { BundleKeyMaterial } from '../../pki/bundle-read.js';

function keyFromRawBytes(raw: Uint8Array, what: string): EcPublicKey {
  // model_signing 1.0.x stored the PEM text here (protobuf-specs means DER): accept either.
  let text: string | undefined;
  try {
    text = fromUtf8(raw, what);
  } catch {
    text = undefined;
  }
  if (text !== undefined && text.trimStart().startsWith('-----BEGIN')) {
    // The field is unsigned, so it is held to one exact text: a single PEM block in the layout
    // OpenSSL and cryptography write (64-column base64, LF endings), nothing before or after —
    // otherwise two different byte strings would both "hold the given key".
    const { label, der } = decodePem(text, what);
    if (encodePem(label, der) !== text) {
      throw new LineproofError(
        'OMS_BUNDLE_INVALID',
        `${what}: not exactly one PEM block in the standard layout (extra or misplaced text)`,
        { path: what },
      );
    }
    return parseEcPublicKey(text, { what });
  }
  return ecPublicKeyFromSpki(raw, what);
}

/** Check a key bundle's named key against the given key (the check `oms.key`). */
export function checkKey(
  rb: ReportBuilder,
  material: Exclude<BundleKeyMaterial, { kind: 'x509CertificateChain' }>,
  key: EcPublicKey,
  subject: string,
): void {
  const info = ecCurveInfo(key.curve);
  const b = { key: material };
  if (b.key.kind === 'rawBytes') {
    let named: EcPublicKey;
    try {
      named = keyFromRawBytes(b.key.rawBytes, 'verificationMaterial.publicKey.rawBytes');
    } catch (e) {
      rb.failFrom('oms.key', subject, e);
      return;
    }
    if (!equalEcPublicKeys(named, key)) {
      rb.fail(
        'oms.key',
        'OMS_KEY_MISMATCH',
        subject,
        `the bundle's publicKey.rawBytes holds another key (${named.curve}) than the one given (${key.curve}); it is never trusted, only compared`,
        {
          expected: `the given ${key.curve} key`,
          actual: `another ${named.curve} key`,
        },
      );
      return;
    }
    if (b.key.keyDetails !== undefined && b.key.keyDetails !== info.keyDetails) {
      rb.fail(
        'oms.key',
        'OMS_KEY_MISMATCH',
        subject,
        `the bundle's keyDetails ${JSON.stringify(b.key.keyDetails.slice(0, 60))} does not describe the given ${key.curve} key`,
        {
          expected: info.keyDetails,
          actual: b.key.keyDetails.slice(0, 60),
        },
      );
      return;
    }
    rb.pass(
      'oms.key',
      subject,
      `publicKey.rawBytes (model_signing 1.0.x) is the given ${key.curve} key`,
      b.key.keyDetails === undefined ? {} : { expected: info.keyDetails, actual: b.key.keyDetails },
    );
    return;
  }
  const hint = b.key.hint;
  if (hint === '') {
    rb.skip('oms.key', 'OK', subject, 'the bundle names no key (empty hint); the signature decides');
    return;
  }
  const hints = omsKeyHints(key);
  if (!hints.includes(hint.toLowerCase())) {
    rb.fail(
      'oms.key',
      'OMS_KEY_MISMATCH',
      subject,
      `publicKey.hint ${shortDigest(hint.slice(0, 80))} is not the SHA-256 of the given key's PEM (${shortDigest(hints[0]!)}); the signature was made for another key`,
      {
        expected: hints[0]!,
        actual: hint.slice(0, 80),
      },
    );
    return;
  }
  rb.pass('oms.key', subject, `publicKey.hint is the SHA-256 of the given ${key.curve} key's PEM`, {
    expected: hints[0]!,
    actual: hint.toLowerCase(),
  });
}
