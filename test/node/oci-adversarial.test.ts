/**
 * A hostile registry (the in-test registry of test/helpers/oci-server.ts, with answers replaced):
 * wrong digests, oversized bodies, a referrers list of junk, a slow answer, a Link to another
 * host. Pull fails closed or skips the referrer with a code; it never throws anything but a
 * LineproofError and never hangs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readBundle } from '../../src/bundle/jsonl.js';
import { LineproofError } from '../../src/errors.js';
import { ociPullChain, ociPushChain } from '../../src/node/oci.js';
import {
  putModel,
  startInTestRegistry,
  type InTestRegistry,
  type InTestRegistryOptions,
} from '../helpers/oci-server.js';
import { buildWorld } from '../helpers/world.js';

const running: InTestRegistry[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!.close();
});

/** A registry holding a pushed chain, whose answers `override` may then replace. */
async function seeded(override?: InTestRegistryOptions['override']) {
  let hook: InTestRegistryOptions['override'] = undefined;
  const reg = await startInTestRegistry({ override: (...a) => (hook ? hook(...a) : false) });
  running.push(reg);
  const digest = putModel(reg, 'x');
  const about = { name: 'model', digest };
  const w = await buildWorld({
    training: (i) => ({ ...i, subject: about }),
    evaluation: (i) => ({ ...i, subject: about }),
    approval: (i) => ({ ...i, subject: about }),
    promotion: (i) => ({ ...i, subject: about }),
  });
  const pushed = await ociPushChain(`${reg.host}/m/bot@${digest}`, readBundle(w.bundle));
  hook = override;
  return { reg, ref: `${reg.host}/m/bot@${digest}`, digest, pushed };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(LineproofError);
    return (e as LineproofError).code;
  }
  return 'none';
}

const index = (manifests: unknown[]) =>
  JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });

describe('oci pull from a hostile registry', () => {
  it('a manifest that is not the bytes of its digest is skipped (OCI_DIGEST_MISMATCH)', async () => {
    const { ref, pushed } = await seeded((req, res, url) => {
      if (!url.pathname.includes(`/manifests/${pushed.artifacts[0]!.manifestDigest}`)) return false;
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end('{"schemaVersion":2}');
      return true;
    });
    const r = await ociPullChain(ref);
    expect(r.lines).toHaveLength(4);
    expect(r.skipped.map((s) => s.code)).toEqual(['OCI_DIGEST_MISMATCH']);
  });

  it('a layer blob with other bytes is skipped (OCI_DIGEST_MISMATCH)', async () => {
    const { ref } = await seeded((req, res, url) => {
      if (!url.pathname.includes('/blobs/')) return false;
      res.writeHead(200).end('{"payloadType":"x","payload":"","signatures":[]}');
      return true;
    });
    const r = await ociPullChain(ref);
    expect(r.lines).toHaveLength(0);
    expect(new Set(r.skipped.map((s) => s.code))).toEqual(new Set(['OCI_DIGEST_MISMATCH']));
  });

  it('an endless body is cut at the limit (OCI_RESPONSE_TOO_LARGE), the referrers list fails closed', async () => {
    const { ref } = await seeded((req, res, url) => {
      if (!url.pathname.includes('/referrers/')) return false;
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      const pump = () => {
        while (res.write(chunk));
        res.once('drain', pump);
      };
      pump();
      res.on('close', () => res.removeAllListeners('drain'));
      return true;
    });
    expect(await codeOf(ociPullChain(ref))).toBe('OCI_RESPONSE_TOO_LARGE');
  });

  it('a referrers list of junk: bad entries skipped with codes, non-index fails closed', async () => {
    const { ref, digest } = await seeded((req, res, url) => {
      if (!url.pathname.includes('/referrers/')) return false;
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' }).end(
        index([
          null,
          { mediaType: 'x', digest: 'nope', size: -1 },
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest,
            size: 10,
            artifactType: 'application/vnd.lineproof.attestation.v1+json',
          },
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: `sha256:${'1'.repeat(64)}`,
            size: 1e12,
            artifactType: 'application/vnd.lineproof.attestation.v1+json',
          },
        ]),
      );
      return true;
    });
    const r = await ociPullChain(ref);
    expect(r.lines).toEqual([]);
    expect(r.skipped.map((s) => s.code)).toEqual([
      'OCI_MANIFEST_INVALID',
      'OCI_MANIFEST_INVALID',
      'OCI_RESPONSE_TOO_LARGE', // the model's manifest is larger than the 10 bytes its descriptor claims
      'OCI_RESPONSE_TOO_LARGE', // 1e12 bytes: never asked for
    ]);
    const { ref: ref2 } = await seeded((req, res, url) => {
      if (!url.pathname.includes('/referrers/')) return false;
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' }).end('[1,2,3]');
      return true;
    });
    expect(await codeOf(ociPullChain(ref2))).toBe('OCI_REFERRERS_INVALID');
  });

  it('a referrer about another subject is skipped (OCI_SUBJECT_MISMATCH)', async () => {
    const { reg, ref, digest } = await seeded();
    const other = putModel(reg, 'other');
    const about = { name: 'model', digest: other };
    const w = await buildWorld({ training: (i) => ({ ...i, subject: about }) });
    const p2 = await ociPushChain(`${reg.host}/m/bot@${other}`, readBundle(w.bundle));
    const theirs = p2.artifacts[0]!.manifestDigest;
    const mf = reg.manifests.get(theirs)!;
    const r = await ociPullChain(ref, {
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (!(input instanceof Request ? input.url : input.toString()).includes('/referrers/')) return res;
        const body = (await res.json()) as { manifests: unknown[] };
        body.manifests.push({
          mediaType: mf.type,
          digest: theirs,
          size: mf.bytes.length,
          artifactType: 'application/vnd.lineproof.attestation.v1+json',
        });
        return new Response(JSON.stringify({ ...body }), { status: 200, headers: res.headers });
      },
    });
    expect(digest).not.toBe(other);
    expect(r.lines).toHaveLength(5);
    expect(r.skipped.map((s) => s.code)).toEqual(['OCI_SUBJECT_MISMATCH']);
  });

  it('a registry that never finishes answering times out (OCI_TIMEOUT), never hangs', async () => {
    const { ref } = await seeded((req, res, url) => {
      if (!url.pathname.includes('/referrers/')) return false;
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' });
      res.write('{"schemaVersion":2,');
      return true; // and never end
    });
    const t0 = Date.now();
    expect(await codeOf(ociPullChain(ref, { timeoutMs: 300 }))).toBe('OCI_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a slow artifact is skipped on its own timeout; the whole pull stops at the deadline', async () => {
    const { ref } = await seeded((req, res, url) => {
      if (!url.pathname.includes('/blobs/')) return false;
      return true; // never answer
    });
    const r = await ociPullChain(ref, { timeoutMs: 100 });
    expect(r.lines).toEqual([]);
    expect(new Set(r.skipped.map((s) => s.code))).toEqual(new Set(['OCI_TIMEOUT']));
    expect(await codeOf(ociPullChain(ref, { timeoutMs: 200, deadlineMs: 250 }))).toBe('OCI_TIMEOUT');
  });

  it('a Link rel="next" to another origin, or back to itself, fails closed (OCI_REFERRERS_INVALID)', async () => {
    for (const link of ['<http://127.0.0.2:1/v2/m/bot/referrers/x>; rel="next"', '<?page=0>; rel="next"']) {
      const { ref } = await seeded((req, res, url) => {
        if (!url.pathname.includes('/referrers/')) return false;
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json', link }).end(index([]));
        return true;
      });
      expect(await codeOf(ociPullChain(ref, { maxPages: 5 }))).toMatch(/OCI_REFERRERS_INVALID|OCI_LIMIT_EXCEEDED/);
    }
  });

  it('a referrers list over the count limit fails closed (OCI_LIMIT_EXCEEDED)', async () => {
    const { ref } = await seeded();
    expect(await codeOf(ociPullChain(ref, { maxReferrers: 3 }))).toBe('OCI_LIMIT_EXCEEDED');
  });

  it('a connection refused is OCI_REGISTRY_UNREACHABLE', async () => {
    expect(await codeOf(ociPullChain(`127.0.0.1:1/m/bot@sha256:${'a'.repeat(64)}`))).toBe('OCI_REGISTRY_UNREACHABLE');
  });
});
