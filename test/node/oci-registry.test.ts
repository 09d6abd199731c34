/**
 * Chains beside the model in a REAL registry: Debian's docker-registry 2.8 (.ci/apt-packages),
 * started here on 127.0.0.1 and stopped after. It has no referrers API, so push and pull go
 * through the referrers tag (distribution spec v1.1 "Unavailable Referrers API"). A small model
 * is pushed as an OCI image manifest, a chain is built about its manifest digest, pushed, pulled
 * and verified; a second registry requires Basic auth (htpasswd, fixtures/oci/htpasswd) with
 * credentials from a Docker config file. A missing binary fails the test, never skips it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { repoPath } from '../helpers/fixtures.js';
import { pushModel, startRegistry, type RunningRegistry } from '../helpers/registry.js';
import { buildWorld, T } from '../helpers/world.js';
import { readBundle } from '../../src/bundle/jsonl.js';
import { ociPullChain, ociPushChain } from '../../src/node/oci.js';
import { referrersTag } from '../../src/interop/oci/referrers.js';
import { isLineproofError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'lineproof-oci-'));
const p = (n: string) => join(dir, n);
const open: RunningRegistry[] = [];
let reg: RunningRegistry;
let model: { digest: string };

/** A chain whose model stages are about `digest`. */
async function chainAbout(digest: string) {
  const about = { name: 'model', digest };
  return buildWorld({
    training: (i) => ({ ...i, subject: about }),
    evaluation: (i) => ({ ...i, subject: about }),
    approval: (i) => ({ ...i, subject: about }),
    promotion: (i) => ({ ...i, subject: about }),
  });
}

beforeAll(async () => {
  reg = await startRegistry();
  open.push(reg);
  model = await pushModel(reg.host, 'models/support-bot', 'v1');
  const world = await chainAbout(model.digest);
  writeFileSync(p('policy.json'), JSON.stringify(world.doc));
  writeFileSync(p('chain.intoto.jsonl'), world.bundle);
  const other = await chainAbout(`sha256:${'ab'.repeat(32)}`);
  writeFileSync(p('other.intoto.jsonl'), other.bundle);
}, 60_000);

afterAll(() => {
  for (const r of open) r.stop();
});

const ref = () => `${reg.host}/models/support-bot@${model.digest}`;

describe('oci push / pull against docker-registry 2.8 (no referrers API: the referrers tag)', () => {
  it('pushes the chain, pulls it back, and verify passes on the pulled bundle', async () => {
    const push = await cli(['oci', 'push', ref(), '--chain', p('chain.intoto.jsonl'), '--json']);
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);
    const pushed = JSON.parse(push.stdout);
    expect(pushed.referrers).toBe('tag');
    expect(pushed.artifacts).toHaveLength(5);
    expect(pushed.tagAdded).toBe(5);
    expect(pushed.subject).toMatchObject({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: model.digest,
    });

    const pull = await cli(['oci', 'pull', ref(), '--out', p('pulled.intoto.jsonl'), '--json']);
    expect(pull.stderr).toBe('');
    expect(pull.code).toBe(0);
    expect(JSON.parse(pull.stdout)).toMatchObject({ source: 'tag', skipped: [] });
    const original = readBundle(readFileSync(p('chain.intoto.jsonl')))
      .entries.map((e) => e.payloadDigest)
      .sort();
    const pulled = readBundle(readFileSync(p('pulled.intoto.jsonl')));
    expect(pulled.errors).toEqual([]);
    expect(pulled.entries.map((e) => e.payloadDigest).sort()).toEqual(original);

    const verify = await cli([
      'verify',
      '--chain',
      p('pulled.intoto.jsonl'),
      '--policy',
      p('policy.json'),
      '--digest',
      model.digest,
      '--use-case',
      'support-chat',
      '--at',
      T.asOf,
    ]);
    expect(verify.stdout).toMatch(/^VERIFIED: /m);
    expect(verify.code).toBe(0);
  });

  it('pushing the same chain twice gives the same manifest digests and no duplicate referrers', async () => {
    const bundle = readBundle(readFileSync(p('chain.intoto.jsonl')));
    const first = await ociPushChain(ref(), bundle);
    const second = await ociPushChain(ref(), bundle);
    expect(second.artifacts.map((a) => a.manifestDigest)).toEqual(first.artifacts.map((a) => a.manifestDigest));
    expect(second.artifacts.every((a) => a.existed)).toBe(true);
    expect(second.tagAdded).toBe(0);
    const tag = await fetch(`http://${reg.host}/v2/models/support-bot/manifests/${referrersTag(model.digest)}`, {
      headers: { accept: 'application/vnd.oci.image.index.v1+json' },
    });
    const index = (await tag.json()) as { manifests: Array<{ digest: string; artifactType: string }> };
    expect(index.manifests).toHaveLength(5);
    expect(new Set(index.manifests.map((m) => m.digest)).size).toBe(5);
    expect(index.manifests.every((m) => m.artifactType === 'application/vnd.lineproof.attestation.v1+json')).toBe(true);
    const pulled = await ociPullChain(ref());
    expect(pulled.lines).toHaveLength(5);
  });

  it('refuses a chain about another digest (OCI_CHAIN_NOT_ABOUT_SUBJECT, exit 1) before any request', async () => {
    const r = await cli(['oci', 'push', ref(), '--chain', p('other.intoto.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/OCI_CHAIN_NOT_ABOUT_SUBJECT/);
    await expect(ociPushChain(ref(), readBundle(readFileSync(p('other.intoto.jsonl'))))).rejects.toSatisfy((e) =>
      isLineproofError(e, 'OCI_CHAIN_NOT_ABOUT_SUBJECT'),
    );
  });

  it('refuses to push beside a manifest the repository does not have (OCI_SUBJECT_NOT_FOUND, exit 2)', async () => {
    const missing = `sha256:${'ab'.repeat(32)}`;
    const r = await cli([
      'oci',
      'push',
      `${reg.host}/models/support-bot@${missing}`,
      '--chain',
      p('other.intoto.jsonl'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/OCI_SUBJECT_NOT_FOUND/);
  });

  it('pull of a model with no attestations writes nothing and exits 1', async () => {
    const bare = await pushModel(reg.host, 'models/bare', 'bare');
    const r = await cli(['oci', 'pull', `${reg.host}/models/bare@${bare.digest}`, '--out', p('none.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no attestation/);
  });
});

describe('oci push / pull with Basic auth (htpasswd) and a Docker config file', () => {
  let authed: RunningRegistry;
  const basic = `Basic ${Buffer.from('lineproof:lineproof-registry-test').toString('base64')}`;
  beforeAll(async () => {
    authed = await startRegistry({ htpasswd: repoPath('fixtures', 'oci', 'htpasswd') });
    open.push(authed);
  }, 30_000);

  it('pushes and pulls with the auths entry of $DOCKER_CONFIG/config.json; without it, OCI_UNAUTHORIZED', async () => {
    const m = await pushModel(authed.host, 'models/secret', 'secret', { authorization: basic });
    const world = await chainAbout(m.digest);
    writeFileSync(p('secret.intoto.jsonl'), world.bundle);
    const config = mkdtempSync(join(tmpdir(), 'lineproof-docker-'));
    writeFileSync(
      join(config, 'config.json'),
      JSON.stringify({
        auths: { [authed.host]: { auth: Buffer.from('lineproof:lineproof-registry-test').toString('base64') } },
      }),
    );
    const reference = `${authed.host}/models/secret@${m.digest}`;
    const env = { DOCKER_CONFIG: config };
    const denied = await cli(['oci', 'push', reference, '--chain', p('secret.intoto.jsonl')], { env: {} });
    expect(denied.code).toBe(2);
    expect(denied.stderr).toMatch(/OCI_UNAUTHORIZED/);
    const push = await cli(['oci', 'push', reference, '--chain', p('secret.intoto.jsonl')], { env });
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);
    const pull = await cli(['oci', 'pull', reference, '--out', p('secret-pulled.jsonl')], { env });
    expect(pull.code).toBe(0);
    expect(readBundle(readFileSync(p('secret-pulled.jsonl'))).entries).toHaveLength(5);
    const wrong = mkdtempSync(join(tmpdir(), 'lineproof-docker-'));
    writeFileSync(
      join(wrong, 'config.json'),
      JSON.stringify({
        auths: { [`https://${authed.host}`]: { auth: Buffer.from('lineproof:nope').toString('base64') } },
      }),
    );
    const bad = await cli(['oci', 'pull', reference, '--out', p('x.jsonl')], { env: { DOCKER_CONFIG: wrong } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/OCI_UNAUTHORIZED/);
  });

  it('notes a credential helper it does not run', async () => {
    const config = mkdtempSync(join(tmpdir(), 'lineproof-docker-'));
    writeFileSync(join(config, 'config.json'), JSON.stringify({ credHelpers: { [authed.host]: 'secretservice' } }));
    const r = await cli(
      ['oci', 'pull', `${authed.host}/models/secret@sha256:${'cd'.repeat(32)}`, '--out', p('y.jsonl')],
      {
        env: { DOCKER_CONFIG: config },
      },
    );
    expect(r.stderr).toMatch(/credential helper/);
    expect(r.code).toBe(2);
  });
});
