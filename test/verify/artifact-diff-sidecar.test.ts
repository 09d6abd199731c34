import { describe, expect, it } from 'vitest';
import { utf8 } from '../../src/bytes/index.js';
import { sha256Hex, shortDigestText } from '../../src/digest/index.js';
import { shortDigest } from '../../src/errors.js';
import { manifestBytes } from '../../src/manifest/build.js';
import {
  diffCheck,
  files,
  flip,
  manifestOfTree,
  MODEL_TREE,
  otherTraining,
  sidecarChecks,
  treeWorld,
  verifyTree,
} from '../helpers/artifact-tree.js';
import type { World } from '../helpers/world.js';

const LOCAL = { ...MODEL_TREE, 'a.txt': utf8('a') };

/** The world's bundle with its training replaced by one whose manifest is `bytes` (at `uri`, or inlined). */
async function withManifest(w: World, bytes: Uint8Array, uri?: string) {
  const training = await otherTraining(w, {
    manifest: uri === undefined ? { bytes } : { bytes, inline: false, uri },
  });
  return { training, bundle: w.bundle.replace(w.steps.training.line, training.line) };
}

describe('verifyChain step 13: reading the attested manifest', () => {
  describe('when the attested manifest is a sidecar', () => {
    it('reads it through readSidecar and diffs against it', async () => {
      const w = await treeWorld(MODEL_TREE, { inline: false });
      const asked: string[] = [];
      const r = await verifyTree(
        w,
        { ...MODEL_TREE, 'weights.bin': flip(MODEL_TREE['weights.bin']!) },
        {
          readSidecar: (uri) => {
            asked.push(uri);
            return w.bytes;
          },
        },
      );
      expect(asked).toEqual(['model.manifest.json']);
      expect(files(r)).toEqual([['weights.bin', 'MANIFEST_ITEM_MISMATCH']]);
    });

    it('refuses sidecar bytes that do not hash to the attested digest (a skip, never a throw)', async () => {
      const w = await treeWorld(MODEL_TREE, { inline: false });
      const forged = manifestBytes(manifestOfTree({ ...MODEL_TREE, 'weights.bin': utf8('other') }));
      const r = await verifyTree(w, { ...MODEL_TREE, 'weights.bin': utf8('other') }, { readSidecar: () => forged });
      expect(files(r)).toEqual([]);
      expect(r.checks.find((c) => c.id === 'artifact.sidecar')).toMatchObject({
        status: 'skip',
        code: 'MANIFEST_DIGEST_MISMATCH',
      });
      expect(diffCheck(r)).toMatchObject({ status: 'skip', code: 'ARTIFACT_DIFF_UNAVAILABLE' });
    });

    it.each([
      ['absent', () => undefined, 'ARTIFACT_DIFF_UNAVAILABLE'],
      [
        'refused by the reader',
        () => {
          throw Object.assign(new Error('x'), { code: 'EACCES' });
        },
        'IO_ERROR',
      ],
    ])('says why when the sidecar is %s', async (_what, readSidecar, code) => {
      const w = await treeWorld(MODEL_TREE, { inline: false });
      const r = await verifyTree(w, { ...MODEL_TREE, 'a.txt': utf8('a') }, { readSidecar });
      expect(files(r)).toEqual([]);
      expect(r.checks.find((c) => c.id === 'artifact.sidecar')?.code).toBe(code);
      expect(diffCheck(r)).toMatchObject({ status: 'skip', code: 'ARTIFACT_DIFF_UNAVAILABLE' });
    });

    it.each([
      ['../model.manifest.json', 'MANIFEST_PATH_ESCAPE'],
      ['/etc/model.manifest.json', 'MANIFEST_PATH_ABSOLUTE'],
      ['a/./b.json', 'MANIFEST_PATH_DOT_SEGMENT'],
      ['https://example.com/m.json', 'ARTIFACT_DIFF_UNAVAILABLE'],
      ['file:model.manifest.json', 'ARTIFACT_DIFF_UNAVAILABLE'],
      ['git+ssh:model.manifest.json', 'ARTIFACT_DIFF_UNAVAILABLE'],
      ['s3:bucket/model.manifest.json', 'ARTIFACT_DIFF_UNAVAILABLE'],
    ])('never asks the reader for %s (%s)', async (uri, code) => {
      const w = await treeWorld(MODEL_TREE, { inline: false });
      const { bundle } = await withManifest(w, w.bytes, uri);
      const asked: string[] = [];
      const readSidecar = (u: string) => void asked.push(u);
      const r = await verifyTree(w, LOCAL, { readSidecar }, bundle);
      expect(asked).toEqual([]);
      expect(files(r)).toEqual([]);
      expect(sidecarChecks(r).map((c) => [c.status, c.code, c.subject])).toEqual([['skip', code, uri]]);
    });

    it.each(['1a:model.manifest.json', 'v1/a:model.manifest.json'])(
      'reads %s: a relative path with a colon, but no URI scheme',
      async (uri) => {
        const w = await treeWorld(MODEL_TREE, { inline: false });
        const { bundle } = await withManifest(w, w.bytes, uri);
        const asked: string[] = [];
        const r = await verifyTree(w, LOCAL, { readSidecar: (u) => (asked.push(u), w.bytes) }, bundle);
        expect(asked).toEqual([uri]);
        expect(files(r)).toEqual([['a.txt', 'MANIFEST_ITEM_EXTRA']]);
      },
    );

    it('reads no sidecar without readSidecar (and says nothing could be read)', async () => {
      const w = await treeWorld(MODEL_TREE, { inline: false });
      const r = await verifyTree(w, LOCAL);
      expect(sidecarChecks(r)).toEqual([]);
      expect(files(r)).toEqual([]);
      expect(diffCheck(r)).toMatchObject({ status: 'skip', code: 'ARTIFACT_DIFF_UNAVAILABLE' });
      expect(diffCheck(r)!.message).toMatch(/no manifest a trusted training attests could be read/);
    });

    it('names the sidecar, the attested digest and the digest of the bytes read when they differ', async () => {
      const w = await treeWorld(MODEL_TREE, { inline: false });
      const forged = manifestBytes(manifestOfTree(LOCAL));
      const r = await verifyTree(w, LOCAL, { readSidecar: () => forged });
      expect(sidecarChecks(r)).toMatchObject([
        {
          status: 'skip',
          code: 'MANIFEST_DIGEST_MISMATCH',
          subject: 'model.manifest.json',
          expected: `sha256:${shortDigest(sha256Hex(w.bytes))}`,
          actual: `sha256:${shortDigest(sha256Hex(forged))}`,
        },
      ]);
    });
  });

  describe('when the attested bytes are not a manifest', () => {
    const notManifest = utf8('{"not":"a manifest"}');

    it('skips an inlined one, naming its training', async () => {
      const w = await treeWorld(MODEL_TREE);
      const { training, bundle } = await withManifest(w, notManifest);
      const r = await verifyTree(w, LOCAL, {}, bundle);
      expect(sidecarChecks(r)).toMatchObject([
        { status: 'skip', code: 'SCHEMA_INVALID', subject: `inlined in training ${shortDigestText(training.digest)}` },
      ]);
      expect(files(r)).toEqual([]);
      expect(diffCheck(r)).toMatchObject({ status: 'skip', code: 'ARTIFACT_DIFF_UNAVAILABLE' });
      expect(diffCheck(r)!.message).toMatch(/no manifest a trusted training attests could be read/);
    });

    it('skips a sidecar one, naming the sidecar', async () => {
      const w = await treeWorld(MODEL_TREE);
      const { bundle } = await withManifest(w, notManifest, 'model.manifest.json');
      const r = await verifyTree(w, LOCAL, { readSidecar: () => notManifest }, bundle);
      expect(sidecarChecks(r)).toMatchObject([
        { status: 'skip', code: 'SCHEMA_INVALID', subject: 'model.manifest.json' },
      ]);
      expect(files(r)).toEqual([]);
    });

    it("skips one over the caller's manifest limits", async () => {
      const w = await treeWorld(MODEL_TREE);
      const r = await verifyTree(w, LOCAL, {}, w.bundle, { limits: { manifestItems: 2 } });
      expect(sidecarChecks(r)).toMatchObject([{ status: 'skip', code: 'LIMIT_EXCEEDED' }]);
      expect(files(r)).toEqual([]);
      // within the limits, the same chain is diffed
      const within = await verifyTree(w, LOCAL, {}, w.bundle, { limits: { manifestItems: 3 } });
      expect(files(within)).toEqual([['a.txt', 'MANIFEST_ITEM_EXTRA']]);
    });
  });
});
