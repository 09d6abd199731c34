/**
 * RFC 3161 timestamp tokens (src/interop/rfc3161.ts) against OpenSSL's `openssl ts` as the
 * timestamp authority and as the differential verifier: tokens it makes verify, at the time it
 * stamped; tokens over another signature, from another authority, with a certificate that may not
 * timestamp, or tampered anywhere, fail with their own code; nothing throws.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { utf8 } from '../../src/bytes/index.js';
import { certificatesFromPem, parseCertificate } from '../../src/pki/x509.js';
import {
  MAX_TIMESTAMP_TOKEN_BYTES,
  timestampRequest,
  timestampTokenFromResponse,
  verifyTimestampToken,
} from '../../src/pki/rfc3161.js';
import { CA_EXT, Pki } from '../helpers/pki.js';
import { Tsa } from '../helpers/tsa.js';

const AT = '2026-01-14T17:00:00Z';
const sig = utf8('a DSSE signature, as bytes');

describe('RFC 3161 timestamp tokens, made by openssl ts', () => {
  const pki = new Pki('2025-06-01T00:00:00Z');
  const tsa = new Tsa(pki);
  const anchors = certificatesFromPem(tsa.root.pem);
  const stamp = tsa.stamp(sig, { at: AT });

  it('a token OpenSSL made and verifies is ours too, at its genTime', async () => {
    expect(tsa.opensslVerifies(sig, stamp.response)).toBe(true);
    const r = await verifyTimestampToken({ token: stamp.token, signature: sig, anchors });
    expect(r).toMatchObject({ ok: true, hash: 'sha256' });
    if (!r.ok) return;
    expect(r.genTime.toISOString()).toBe('2026-01-14T17:00:00.000Z');
    expect(r.genTimeNanos).toBe(BigInt(Date.parse(AT)) * 1_000_000n);
    expect(r.tsa.subject).toBe('CN=tsa-leaf');
    expect(r.path.map((c) => c.subject)).toEqual(['CN=tsa-leaf', 'CN=tsa-root']);
  });

  it('the token inside a response is the one OpenSSL extracts', () => {
    const t = timestampTokenFromResponse(stamp.response);
    expect(t.ok && Buffer.from(t.token).equals(Buffer.from(stamp.token))).toBe(true);
  });

  it('SHA-384 and SHA-512 imprints, and our own request, verify', async () => {
    for (const hash of ['sha384', 'sha512'] as const) {
      const s = tsa.stamp(sig, { at: AT, hash });
      expect(await verifyTimestampToken({ token: s.token, signature: sig, anchors })).toMatchObject({ ok: true, hash });
    }
    const s = tsa.stamp(sig, {
      at: AT,
      request: timestampRequest(sig, { hash: 'sha384', nonce: new Uint8Array([1, 2, 3]) }),
    });
    expect(tsa.opensslVerifies(sig, s.response)).toBe(true);
    expect(await verifyTimestampToken({ token: s.token, signature: sig, anchors })).toMatchObject({
      ok: true,
      hash: 'sha384',
    });
  });

  it('a token without the certificate verifies when the anchors hold the leaf; else it is untrusted', async () => {
    const s = tsa.stamp(sig, { at: AT, certReq: false });
    expect(await verifyTimestampToken({ token: s.token, signature: sig, anchors })).toMatchObject({
      ok: false,
      code: 'TIMESTAMP_UNTRUSTED',
    });
    const leaf = parseCertificate(tsa.leaf.der);
    expect(
      await verifyTimestampToken({ token: s.token, signature: sig, anchors, intermediates: [leaf] }),
    ).toMatchObject({ ok: true });
  });

  it('a token over another signature is TIMESTAMP_MISMATCH (OpenSSL agrees it fails)', async () => {
    const other = utf8('another signature');
    expect(tsa.opensslVerifies(other, stamp.response)).toBe(false);
    expect(await verifyTimestampToken({ token: stamp.token, signature: other, anchors })).toMatchObject({
      ok: false,
      code: 'TIMESTAMP_MISMATCH',
    });
  });

  it('a token from another authority is TIMESTAMP_UNTRUSTED', async () => {
    const rogue = new Tsa(pki, 'rogue');
    const s = rogue.stamp(sig, { at: AT });
    expect(rogue.opensslVerifies(sig, s.response)).toBe(true);
    const r = await verifyTimestampToken({ token: s.token, signature: sig, anchors });
    expect(r).toMatchObject({ ok: false, code: 'TIMESTAMP_UNTRUSTED' });
  });

  it('a token made before the authority was certified is TIMESTAMP_UNTRUSTED (its path is judged at genTime)', async () => {
    const s = tsa.stamp(sig, { at: '2025-01-01T00:00:00Z' });
    const r = await verifyTimestampToken({ token: s.token, signature: sig, anchors });
    expect(r).toMatchObject({ ok: false, code: 'TIMESTAMP_UNTRUSTED' });
    if (!r.ok) expect(r.message).toMatch(/valid from/);
  });

  it('an intermediate the anchors do not know cannot help a token', async () => {
    const ca = pki.root('tsa-other-root', { ext: CA_EXT });
    const r = await verifyTimestampToken({ token: stamp.token, signature: sig, anchors: certificatesFromPem(ca.pem) });
    expect(r).toMatchObject({ ok: false, code: 'TIMESTAMP_UNTRUSTED' });
  });

  it('garbage, trailing bytes, a response in place of a token and oversize input are TIMESTAMP_INVALID', async () => {
    const cases = [
      new Uint8Array(0),
      utf8('not a token'),
      new Uint8Array([...stamp.token, 0]),
      stamp.response,
      new Uint8Array(MAX_TIMESTAMP_TOKEN_BYTES + 1),
    ];
    for (const token of cases)
      expect(await verifyTimestampToken({ token, signature: sig, anchors })).toMatchObject({
        ok: false,
        code: 'TIMESTAMP_INVALID',
      });
    expect(timestampTokenFromResponse(stamp.token)).toMatchObject({ ok: false, code: 'TIMESTAMP_INVALID' });
  });

  it('every single-byte change of a token fails or still names the same time (never throws, never another time)', async () => {
    const base = await verifyTimestampToken({ token: stamp.token, signature: sig, anchors });
    if (!base.ok) throw new Error('base');
    await fc.assert(
      fc.asyncProperty(fc.nat(stamp.token.length - 1), fc.integer({ min: 1, max: 255 }), async (i, x) => {
        const t = stamp.token.slice();
        t[i] = t[i]! ^ x;
        const r = await verifyTimestampToken({ token: t, signature: sig, anchors });
        // a change in an unsigned part (the certificate set, the unsigned attributes) may still verify
        if (r.ok) expect(r.genTimeNanos).toBe(base.genTimeNanos);
        else expect(['TIMESTAMP_INVALID', 'TIMESTAMP_MISMATCH', 'TIMESTAMP_UNTRUSTED']).toContain(r.code);
      }),
      { numRuns: 300 },
    );
  });
});
