/**
 * The referrers API path, against the in-test registry of test/helpers/oci-server.ts (a small
 * server written for this test, not a real registry): push sees OCI-Subject and writes no
 * referrers tag; pull lists with the artifactType filter, follows Link rel="next" pages, and
 * answers a Bearer token challenge with the Basic credentials of the Docker config.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readBundle } from '../../src/bundle/jsonl.js';
import { ociPullChain, ociPushChain } from '../../src/node/oci.js';
import { LINEPROOF_ATTESTATION_ARTIFACT_TYPE, OCI_MANIFEST_MEDIA_TYPE } from '../../src/interop/oci/descriptor.js';
import { isLineproofError } from '../../src/errors.js';
import { putModel, startInTestRegistry, type InTestRegistry } from '../helpers/oci-server.js';
import { buildWorld } from '../helpers/world.js';

const running: InTestRegistry[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!.close();
});

async function start(opts: Parameters<typeof startInTestRegistry>[0] = {}) {
  const r = await startInTestRegistry(opts);
  running.push(r);
  return r;
}

async function chainAbout(digest: string) {
  const about = { name: 'model', digest };
  const w = await buildWorld({
    training: (i) => ({ ...i, subject: about }),
    evaluation: (i) => ({ ...i, subject: about }),
    approval: (i) => ({ ...i, subject: about }),
    promotion: (i) => ({ ...i, subject: about }),
  });
  return readBundle(w.bundle);
}

describe('oci against the in-test registry with the referrers API', () => {
  it('push uses the referrers API (OCI-Subject: no tag); pull filters by artifactType and pages by Link', async () => {
    const reg = await start({ pageSize: 2 });
    const digest = putModel(reg, 'a');
    const bundle = await chainAbout(digest);
    const pushed = await ociPushChain(`${reg.host}/m/bot@${digest}`, bundle);
    expect(pushed.referrers).toBe('api');
    expect(pushed.tagAdded).toBe(0);
    expect(reg.log.some((l) => l.includes('/manifests/sha256-'))).toBe(false);
    // a referrer of another artifact type (a signature) beside ours
    const sig = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST_MEDIA_TYPE,
        artifactType: 'application/vnd.example.signature.v1',
        config: {
          mediaType: 'application/vnd.oci.empty.v1+json',
          digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
          size: 2,
        },
        layers: [],
        subject: { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest, size: 1 },
      }),
    );
    await fetch(`http://${reg.host}/v2/m/bot/manifests/sig`, {
      method: 'PUT',
      body: sig,
      headers: { 'content-type': OCI_MANIFEST_MEDIA_TYPE },
    });
    const pulled = await ociPullChain(`${reg.host}/m/bot@${digest}`);
    expect(pulled.source).toBe('api');
    expect(pulled.filterApplied).toBe(true);
    expect(pulled.skipped).toEqual([]);
    expect(pulled.others).toBe(0);
    expect(pulled.lines).toHaveLength(5);
    const pages = reg.log.filter((l) => l.startsWith('GET /v2/m/bot/referrers/'));
    expect(pages).toHaveLength(3);
    expect(pages[0]).toContain(`artifactType=${encodeURIComponent(LINEPROOF_ATTESTATION_ARTIFACT_TYPE)}`);
    expect(
      readBundle(pulled.lines.join(''))
        .entries.map((e) => e.payloadDigest)
        .sort(),
    ).toEqual(bundle.entries.map((e) => e.payloadDigest).sort());
  });

  it('filters by artifactType itself when the registry does not (no OCI-Filters-Applied)', async () => {
    const reg = await start({ filter: false });
    const digest = putModel(reg, 'b');
    await ociPushChain(`${reg.host}/m/bot@${digest}`, await chainAbout(digest));
    const other = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST_MEDIA_TYPE,
        artifactType: 'application/vnd.example.sbom',
        config: {},
        layers: [],
        subject: { digest },
      }),
    );
    await fetch(`http://${reg.host}/v2/m/bot/manifests/sbom`, {
      method: 'PUT',
      body: other,
      headers: { 'content-type': OCI_MANIFEST_MEDIA_TYPE },
    });
    const pulled = await ociPullChain(`${reg.host}/m/bot@${digest}`);
    expect(pulled.filterApplied).toBe(false);
    expect(pulled.others).toBe(1);
    expect(pulled.lines).toHaveLength(5);
  });

  it('answers a Bearer challenge with a token from the realm (Basic credentials there); wrong ones: OCI_UNAUTHORIZED', async () => {
    const credentials = { username: 'ci', password: 's3cret' };
    const reg = await start({ bearer: credentials });
    const digest = putModel(reg, 'c');
    const pushed = await ociPushChain(`${reg.host}/m/bot@${digest}`, await chainAbout(digest), { credentials });
    expect(pushed.artifacts).toHaveLength(5);
    expect(reg.log.some((l) => l.startsWith('GET /token?') && l.includes('scope=repository%3Am%2Fbot'))).toBe(true);
    expect((await ociPullChain(`${reg.host}/m/bot@${digest}`, { credentials })).lines).toHaveLength(5);
    await expect(
      ociPullChain(`${reg.host}/m/bot@${digest}`, { credentials: { username: 'ci', password: 'no' } }),
    ).rejects.toSatisfy((e) => isLineproofError(e, 'OCI_UNAUTHORIZED'));
    await expect(ociPullChain(`${reg.host}/m/bot@${digest}`)).rejects.toSatisfy((e) =>
      isLineproofError(e, 'OCI_UNAUTHORIZED'),
    );
  });
});
