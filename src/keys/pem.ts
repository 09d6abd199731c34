/**
 * PEM (RFC 7468) reading and writing for key files. Text outside the block is ignored (OpenSSL's
 * `-text` output and model_signing's key dumps put a description before it); exactly one block
 * is allowed, its label must match on BEGIN and END, and its body is strict base64 split over lines.
 */
import { fromBase64, toBase64 } from '../bytes/index.js';
import { LineproofError } from '../errors.js';

/** One PEM block: its label (e.g. `PUBLIC KEY`) and the decoded DER bytes. */
interface PemBlock {
  label: string;
  der: Uint8Array;
}

const BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g;

/**

 * True when `text` holds a PEM BEGIN line.
 * @param text any text
 * @returns true when a BEGIN line is present
 * @example
 * ```ts
 * looksLikePem('-----BEGIN PUBLIC KEY-----\n...'); // true
 * ```
 */
export function looksLikePem(text: string): boolean {
  return /-----BEGIN [A-Z0-9 ]+-----/.test(text);
}

/**
 * Decode the one PEM block in `text`.
 * @param what names the input in errors (a file name)
 * @throws {LineproofError} KEY_INVALID when there is no block, more than one, mismatched labels,
 *   headers (RFC 1421 `Proc-Type`, not supported) or bad base64
 * @example
 * ```ts
 * const { label, der } = decodePem(text); // label === 'PUBLIC KEY'
 * ```
 */
export function decodePem(text: string, what = 'PEM'): PemBlock {
  const begins = [...text.matchAll(BEGIN)];
  if (begins.length === 0)
    throw new LineproofError('KEY_INVALID', `${what}: no PEM block (-----BEGIN ...-----)`, { path: what });
  if (begins.length > 1)
    throw new LineproofError('KEY_INVALID', `${what}: expected one PEM block, found ${begins.length}`, { path: what });
  const m = begins[0]!;
  const label = m[1]!;
  const bodyStart = m.index + m[0].length;
  const endMarker = `-----END ${label}-----`;
  const endAt = text.indexOf(endMarker, bodyStart);
  if (endAt === -1) {
    throw new LineproofError('KEY_INVALID', `${what}: no matching "${endMarker}"`, { path: what, expected: endMarker });
  }
  const body = text.slice(bodyStart, endAt);
  if (body.includes(':')) {
    throw new LineproofError(
      'KEY_INVALID',
      `${what}: PEM headers (legacy encrypted PEM) are not supported; use PKCS#8`,
      { path: what },
    );
  }
  const b64 = body.replace(/[ \t]*\r?\n[ \t]*/g, '').trim();
  let der: Uint8Array;
  try {
    der = fromBase64(b64, `${what} (PEM body)`);
  } catch (cause) {
    throw new LineproofError('KEY_INVALID', `${what}: the PEM body is not valid base64`, { path: what, cause });
  }
  if (der.length === 0) throw new LineproofError('KEY_INVALID', `${what}: empty PEM body`, { path: what });
  return { label, der };
}

/**
 * Encode DER as PEM the way OpenSSL does: 64-column base64 lines, LF line ends, a final LF.
 * @example
 * ```ts
 * encodePem('PUBLIC KEY', spkiDer(publicKey));
 * ```
 */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = toBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
