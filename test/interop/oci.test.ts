import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLineproofError } from '../../src/errors.js';
import {
  addReferrers,
  buildAttestationArtifact,
  checkOciContent,
  formatOciReference,
  OCI_EMPTY_BLOB,
  OCI_EMPTY_DIGEST,
  OCI_MANIFEST_MEDIA_TYPE,
  parseLinkNext,
  parseOciReference,
  parseReferrersIndex,
  parseWwwAuthenticate,
  readAttestationLayer,
  readAttestationManifest,
  referrersTag,
} from '../../src/interop/oci/index.js';
import { resolveLimits } from '../../src/limits.js';
import { readBundle } from '../../src/bundle/jsonl.js';
import { buildWorld } from '../helpers/world.js';

const D = `sha256:${'ab'.repeat(32)}`;
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const component = fc.stringMatching(/^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+){0,2}$/);
const hex = fc.stringMatching(/^[0-9a-f]{64}$/);

describe('parseOciReference', () => {
  it('parse(format(x)) = x for any valid host, port, repository and digest', () => {
    fc.assert(
      fc.property(
        fc.array(label, { minLength: 1, maxLength: 3 }),
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        fc.array(component, { minLength: 1, maxLength: 3 }),
        hex,
        (labels, port, parts, h) => {
          const registry = `${labels.join('.')}${port === undefined ? '' : `:${port}`}`;
          const text = `${registry}/${parts.join('/')}@sha256:${h}`;
          const r = parseOciReference(text);
          expect(r).toEqual({ registry, host: labels.join('.'), repository: parts.join('/'), digest: `sha256:${h}` });
          expect(formatOciReference(r)).toBe(text);
        },
      ),
    );
  });
  it('never throws anything but OCI_REFERENCE_INVALID on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        try {
          parseOciReference(s);
        } catch (e) {
          expect(isLineproofError(e, 'OCI_REFERENCE_INVALID')).toBe(true);
        }
      }),
    );
  });
  it.each([
    ['a tag', 'r.example.com/m:latest'],
    ['no registry', `m@${D}`],
    ['uppercase hex', `r.example.com/m@sha256:${'AB'.repeat(32)}`],
    ['uppercase repository', `r.example.com/Model@${D}`],
    ['port 0', `r.example.com:0/m@${D}`],
    ['sha512', `r.example.com/m@sha512:${'ab'.repeat(64)}`],
    ['a path traversal', `r.example.com/../m@${D}`],
  ])('refuses %s', (_, text) => {
    expect(() => parseOciReference(text)).toThrow(expect.objectContaining({ code: 'OCI_REFERENCE_INVALID' }));
  });
  it('takes IPv6 and localhost', () => {
    expect(parseOciReference(`[::1]:5000/m@${D}`)).toMatchObject({ host: '::1', registry: '[::1]:5000' });
    expect(parseOciReference(`localhost:5000/a/b@${D}`)).toMatchObject({ host: 'localhost', repository: 'a/b' });
  });
});

describe('HTTP headers', () => {
  it('reads a Bearer challenge', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.example.com/token',
          service: 'registry.example.com',
          scope: 'repository:a/b:pull,push',
        },
      },
    ]);
    expect(parseWwwAuthenticate('Basic realm="x", Bearer realm="y"').map((c) => c.scheme)).toEqual(['basic', 'bearer']);
  });
  it('never throws on arbitrary headers', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => void parseWwwAuthenticate(s)));
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => void parseLinkNext(s)));
  });
  it('reads Link rel="next"', () => {
    expect(parseLinkNext('</v2/a/referrers/x?n=1&last=y>; rel="next"')).toBe('/v2/a/referrers/x?n=1&last=y');
    expect(parseLinkNext('</p>; rel="prev", </q>; rel=next')).toBe('/q');
    expect(parseLinkNext('</p>; rel="prev"')).toBeUndefined();
  });
});

describe('attestation artifacts', () => {
  it('are deterministic whatever the signature order, and read back', async () => {
    const w = await buildWorld();
    const entry = readBundle(w.bundle).entries.find((e) => e.envelope.signatures.length === 2)!;
    const subject = { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest: D, size: 100 };
    const a = buildAttestationArtifact(entry.envelope, subject);
    const reversed = { ...entry.envelope, signatures: [...entry.envelope.signatures].reverse() };
    expect(buildAttestationArtifact(reversed, subject).descriptor.digest).toBe(a.descriptor.digest);
    const m = readAttestationManifest(a.manifest, D, 'm');
    expect(m).toEqual({ layer: a.layerDescriptor, payloadDigest: entry.payloadDigest });
    expect(readAttestationLayer(a.layer, m, resolveLimits(), 'l').payload).toEqual(entry.envelope.payload);
    expect(() => readAttestationManifest(a.manifest, `sha256:${'cd'.repeat(32)}`, 'm')).toThrow(
      expect.objectContaining({ code: 'OCI_SUBJECT_MISMATCH' }),
    );
  });
  it('checkOciContent: the empty blob, a changed byte, a wrong size', () => {
    checkOciContent(OCI_EMPTY_BLOB, { digest: OCI_EMPTY_DIGEST, size: 2 }, 'x');
    expect(() => checkOciContent(new Uint8Array([0x7b, 0x7c]), { digest: OCI_EMPTY_DIGEST }, 'x')).toThrow(
      expect.objectContaining({ code: 'OCI_DIGEST_MISMATCH' }),
    );
    expect(() => checkOciContent(OCI_EMPTY_BLOB, { digest: OCI_EMPTY_DIGEST, size: 3 }, 'x')).toThrow(
      expect.objectContaining({ code: 'OCI_DIGEST_MISMATCH' }),
    );
  });
});

describe('referrers lists', () => {
  it('referrersTag follows <alg>-<ref>', () => {
    expect(referrersTag(D)).toBe(`sha256-${'ab'.repeat(32)}`);
  });
  it('addReferrers adds each descriptor once and keeps what was there', () => {
    const d = { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest: D, size: 1, artifactType: 'a/b' };
    const first = addReferrers([{ keep: 'me' }], [d, d]);
    expect(first.added).toHaveLength(1);
    const again = addReferrers(parseReferrersIndex(first.bytes, 'i', 10), [d]);
    expect(again.added).toEqual([]);
    expect(parseReferrersIndex(again.bytes, 'i', 10)).toEqual([{ keep: 'me' }, d]);
  });
  it('parseReferrersIndex refuses what is not an index, and too many entries', () => {
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    for (const bad of [[], { schemaVersion: 1, manifests: [] }, { schemaVersion: 2 }, 'x'])
      expect(() => parseReferrersIndex(enc(bad), 'i', 10)).toThrow(
        expect.objectContaining({ code: 'OCI_REFERRERS_INVALID' }),
      );
    expect(() => parseReferrersIndex(enc({ schemaVersion: 2, manifests: [1, 2, 3] }), 'i', 2)).toThrow(
      expect.objectContaining({ code: 'OCI_LIMIT_EXCEEDED' }),
    );
  });
});
