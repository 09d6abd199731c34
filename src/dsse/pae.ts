/**
 * DSSE v1 Pre-Authentication Encoding (github.com/secure-systems-lab/dsse, protocol.md):
 *
 * ```
 * PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * ```
 *
 * where SP is one space (0x20) and LEN is the length **in bytes** (UTF-8 for the type) written in
 * ASCII decimal without leading zeros. Lineproof additionally refuses a non-ASCII payloadType when
 * signing and verifying (decisions §6), so byte and character counts of the type always agree.
 */
import { assertBytes, isAscii, utf8 } from '../bytes/index.js';
import { LineproofError, describeType } from '../errors.js';

const PREFIX = utf8('DSSEv1 ');
const SP = 0x20;

/**
 * Throw unless `payloadType` is an ASCII string.
 * @throws {TypeError} when not a string
 * @throws {LineproofError} DSSE_PAYLOAD_TYPE_NOT_ASCII
 * @param payloadType the value to check
 * @param what names it in errors
 * @example
 * ```ts
 * assertAsciiPayloadType('application/vnd.in-toto+json'); // ok; 'tëxt' throws
 * ```
 */
export function assertAsciiPayloadType(payloadType: unknown, what = 'payloadType'): asserts payloadType is string {
  if (typeof payloadType !== 'string')
    throw new TypeError(`"${what}" expected string, got ${describeType(payloadType)}`);
  if (!isAscii(payloadType)) {
    throw new LineproofError('DSSE_PAYLOAD_TYPE_NOT_ASCII', `${what}: must be ASCII, got a non-ASCII character`, {
      path: what,
      expected: 'ASCII',
    });
  }
}

/**
 * The PAE bytes DSSE signs: `DSSEv1 <len(type)> <type> <len(payload)> <payload>`.
 * @param payloadType the envelope's payloadType (ASCII)
 * @param payload the exact payload bytes
 * @returns the bytes to sign or verify
 * @throws {LineproofError} DSSE_PAYLOAD_TYPE_NOT_ASCII
 * @throws {TypeError} for a non-string type or non-Uint8Array payload
 * @example
 * ```ts
 * new TextDecoder().decode(pae('http://example.com/HelloWorld', new TextEncoder().encode('hello world')));
 * // 'DSSEv1 29 http://example.com/HelloWorld 11 hello world'
 * ```
 */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  assertAsciiPayloadType(payloadType);
  assertBytes(payload, 'payload');
  const type = utf8(payloadType);
  const typeLen = utf8(String(type.length));
  const bodyLen = utf8(String(payload.length));
  const out = new Uint8Array(
    PREFIX.length + typeLen.length + 1 + type.length + 1 + bodyLen.length + 1 + payload.length,
  );
  let o = 0;
  out.set(PREFIX, o);
  o += PREFIX.length;
  out.set(typeLen, o);
  o += typeLen.length;
  out[o++] = SP;
  out.set(type, o);
  o += type.length;
  out[o++] = SP;
  out.set(bodyLen, o);
  o += bodyLen.length;
  out[o++] = SP;
  out.set(payload, o);
  return out;
}
