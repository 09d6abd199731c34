import { describe, expect, it } from 'vitest';
import { toBase64, utf8 } from '../../src/bytes/index.js';
import { sha256Hex } from '../../src/digest/index.js';
import { manifestBytes, manifestDigestText } from '../../src/manifest/build.js';
import { LINEPROOF_MANIFEST_MEDIA_TYPE } from '../../src/statements/predicates/index.js';
import { MAX_DIFF_CANDIDATES } from '../../src/verify/artifact-diff.js';
import {
  after,
  diffCheck,
  files,
  manifestOfTree,
  MODEL_TREE,
  otherTraining,
  sidecarChecks,
  trainingOf,
  treeWorld,
  verifyTree,
  type Tree,
} from '../helpers/artifact-tree.js';
import type { WorldStep } from '../helpers/world.js';

// A world whose own training attests a manifest sharing no path with the trees below, so that it
// is never the closest candidate.
const FAR: Tree = { 'far/away.bin': utf8('far') };
const digestOf = (t: Tree, algorithms?: string[]): string => manifestDigestText(manifestOfTree(t, algorithms));
const withExtra = (k: number): Tree => ({ ...MODEL_TREE, 'extra.txt': utf8(`extra ${k}`) });
const lines = (...steps: WorldStep[]): string => steps.map((s) => s.line).join('');

describe('verifyChain step 13: which trusted manifest the artifact is compared against', () => {
  describe('when a training is signed by a trainer key and a key of another role', () => {
    it('counts it: one trainer signature is enough', async () => {
      const w = await treeWorld(MODEL_TREE, { trainingSigners: ['trainer', 'evaluator'] });
      const r = await verifyTree(w, { ...MODEL_TREE, 'README.md': utf8('x') });
      expect(files(r)).toEqual([['README.md', 'MANIFEST_ITEM_EXTRA']]);
      expect(diffCheck(r)).toMatchObject({ code: 'OK', expected: w.model });
    });
  });

  describe('when a training carries byproducts that are not its manifest', () => {
    it('uses none of them, even one with the manifest media type and a subject digest', async () => {
      const w = await treeWorld(FAR);
      const bytes = manifestBytes(manifestOfTree(MODEL_TREE));
      const sha256 = sha256Hex(bytes);
      const training = await otherTraining(w, {
        subject: { name: 'model', digest: `sha256:${sha256}` },
        byproducts: [
          { name: 'log', uri: 'logs/train.txt' },
          {
            name: 'model-manifest',
            digest: { sha256 },
            mediaType: LINEPROOF_MANIFEST_MEDIA_TYPE,
            content: toBase64(bytes),
          },
        ],
      });
      const bundle = w.bundle.replace(w.steps.training.line, training.line);
      const r = await verifyTree(w, { ...MODEL_TREE, 'README.md': utf8('x') }, {}, bundle);
      expect(files(r)).toEqual([]);
      expect(diffCheck(r)).toMatchObject({ status: 'skip', code: 'ARTIFACT_DIFF_UNAVAILABLE' });
      expect(diffCheck(r)!.message).toMatch(/no trusted training attests a manifest/);
    });
  });

  describe('when candidates share the most equal files', () => {
    it('takes the one with more paths in common, though older', async () => {
      const w = await treeWorld(FAR);
      const older = await trainingOf(
        w,
        { 'config.json': MODEL_TREE['config.json']!, 'weights.bin': utf8('w') },
        after(10),
      );
      const newer = await trainingOf(
        w,
        { 'config.json': MODEL_TREE['config.json']!, 'other.txt': utf8('o') },
        after(20),
      );
      const r = await verifyTree(w, MODEL_TREE, {}, w.bundle + lines(older, newer));
      expect(diffCheck(r)!.expected).toBe(
        manifestDigestText(manifestOfTree({ 'config.json': MODEL_TREE['config.json']!, 'weights.bin': utf8('w') })),
      );
      expect(files(r)).toEqual([
        ['tokenizer/vocab.txt', 'MANIFEST_ITEM_EXTRA'],
        ['weights.bin', 'MANIFEST_ITEM_SIZE_MISMATCH'],
      ]);
    });
  });

  describe('when candidates are equally close', () => {
    it('takes the newest training, though its manifest digest is the larger', async () => {
      const w = await treeWorld(FAR);
      // two trees as close as each other; the newer one gets the larger digest
      const [a, b] = [withExtra(0), withExtra(1)].sort((x, y) => (digestOf(x) < digestOf(y) ? -1 : 1));
      const r = await verifyTree(
        w,
        MODEL_TREE,
        {},
        w.bundle + lines(await trainingOf(w, b!, after(20)), await trainingOf(w, a!, after(10))),
      );
      expect(diffCheck(r)!.expected).toBe(digestOf(b!));
      expect(files(r)).toEqual([['extra.txt', 'MANIFEST_ITEM_MISSING']]);
    });

    it('takes the smallest manifest digest among trainings issued at the same time', async () => {
      const w = await treeWorld(FAR);
      // three trainings read in training-digest order, the smallest manifest digest in the middle
      let picked: Array<{ t: WorldStep; digest: string }> | undefined;
      for (let k = 0; !picked; k += 3) {
        const three = await Promise.all(
          [k, k + 1, k + 2].map(async (i) => ({
            t: await trainingOf(w, withExtra(i), after(10)),
            digest: digestOf(withExtra(i)),
          })),
        );
        three.sort((x, y) => (x.t.digest < y.t.digest ? -1 : 1));
        const least = three.reduce((m, x) => (x.digest < m.digest ? x : m));
        if (least === three[1]) picked = three;
      }
      const r = await verifyTree(w, MODEL_TREE, {}, w.bundle + lines(...picked.map((p) => p.t)));
      expect(diffCheck(r)!.expected).toBe(picked[1]!.digest);
    });
  });

  describe('when one manifest is attested by several trainings', () => {
    it('counts it as attested by the newest of them', async () => {
      const w = await treeWorld(FAR);
      const v1 = withExtra(1);
      const v2 = withExtra(2);
      // v1 by trainings at +10 and +30 minutes, v2 (as close) by one at +20: v1 is the newer
      const steps = [
        await trainingOf(w, v1, after(10)),
        await trainingOf(w, v2, after(20)),
        await trainingOf(w, v1, after(30)),
      ];
      const r = await verifyTree(w, MODEL_TREE, {}, w.bundle + lines(...steps));
      expect(diffCheck(r)!.expected).toBe(digestOf(v1));
      expect(diffCheck(r)!.message).toContain(steps[2]!.digest.slice(0, 19));
    });
  });

  describe('when candidates were hashed with other algorithms than the files here', () => {
    it('takes the one with the most paths in common, and says the algorithms differ', async () => {
      const w = await treeWorld(FAR);
      const near = await trainingOf(w, MODEL_TREE, after(10), ['sha256', 'sha512']);
      const far = await trainingOf(
        w,
        { 'a.bin': utf8('a'), 'b.bin': utf8('b'), 'c.bin': utf8('c'), 'd.bin': utf8('d') },
        after(20),
        ['sha512'],
      );
      const r = await verifyTree(w, MODEL_TREE, {}, w.bundle + lines(near, far));
      expect(files(r)).toEqual([]);
      expect(diffCheck(r)).toMatchObject({
        status: 'skip',
        code: 'MANIFEST_HASHING_MISMATCH',
        expected: 'sha256,sha512',
        actual: 'sha256',
      });
    });
  });

  describe(`when more than ${MAX_DIFF_CANDIDATES} trusted manifests are named`, () => {
    it(`reads the ${MAX_DIFF_CANDIDATES} of the newest trainings, newest first (ties by training digest), and no more`, async () => {
      const w = await treeWorld(FAR);
      // the oldest training attests the files exactly (inlined); the newer ones name absent sidecars,
      // two trainings at each time
      const oldest = await trainingOf(w, MODEL_TREE, after(1));
      const sidecars: Array<{ t: WorldStep; uri: string; at: string }> = [];
      for (let i = 0; i < MAX_DIFF_CANDIDATES; i++) {
        const uri = `m${i}.manifest.json`;
        const at = after(10 + Math.floor(i / 2));
        const bytes = manifestBytes(manifestOfTree(withExtra(i)));
        sidecars.push({
          t: await otherTraining(w, { manifest: { bytes, inline: false, uri }, now: new Date(at) }),
          uri,
          at,
        });
      }
      const asked: string[] = [];
      const readSidecar = (uri: string) => void asked.push(uri);
      const r = await verifyTree(w, MODEL_TREE, { readSidecar }, w.bundle + lines(oldest, ...sidecars.map((s) => s.t)));
      const order = [...sidecars].sort((x, y) =>
        x.at !== y.at ? (x.at > y.at ? -1 : 1) : x.t.digest < y.t.digest ? -1 : 1,
      );
      expect(asked).toEqual(order.map((s) => s.uri));
      expect(sidecarChecks(r).map((c) => [c.subject, c.code])).toEqual(
        order.map((s) => [s.uri, 'ARTIFACT_DIFF_UNAVAILABLE']),
      );
      expect(diffCheck(r)).toMatchObject({ status: 'skip', code: 'ARTIFACT_DIFF_UNAVAILABLE' });
      expect(diffCheck(r)!.message).toMatch(/no manifest a trusted training attests could be read/);
    });
  });
});
