import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../src/bytes/index.js';
import { manifestBytes, manifestDigestText } from '../../src/manifest/build.js';
import { buildTrainingStatement } from '../../src/statements/builders.js';
import { MAX_LISTED_FILES } from '../../src/verify/artifact-diff.js';
import { verifyChain } from '../../src/verify/chain.js';
import {
  diffCheck,
  files,
  flip,
  manifestOfTree,
  MODEL_TREE,
  trainingInput,
  treeWorld,
  verifyTree,
  type Tree,
} from '../helpers/artifact-tree.js';
import { expectStepOrder } from '../helpers/steps.js';
import { sign, T, type KeyName } from '../helpers/world.js';

describe('verifyChain step 13: the artifact diff', () => {
  describe('when the files are the attested ones', () => {
    it('verifies, and adds no artifact check', async () => {
      const w = await treeWorld(MODEL_TREE);
      const r = await verifyTree(w, MODEL_TREE);
      expect(r.ok).toBe(true);
      expect(r.checks.filter((c) => c.id.startsWith('artifact.'))).toEqual([]);
    });
  });

  describe('when files were tampered with', () => {
    it('names the changed, resized, missing and extra files with their codes, sorted by path', async () => {
      const w = await treeWorld(MODEL_TREE);
      const { 'config.json': _gone, ...rest } = MODEL_TREE;
      const local: Tree = {
        ...rest,
        'weights.bin': flip(MODEL_TREE['weights.bin']!, 100),
        'tokenizer/vocab.txt': utf8('a\nb\nc\nd\n'),
        'README.md': utf8('# hi\n'),
      };
      const r = await verifyTree(w, local);
      expect(r.ok).toBe(false);
      expect(files(r)).toEqual([
        ['README.md', 'MANIFEST_ITEM_EXTRA'],
        ['config.json', 'MANIFEST_ITEM_MISSING'],
        ['tokenizer/vocab.txt', 'MANIFEST_ITEM_SIZE_MISMATCH'],
        ['weights.bin', 'MANIFEST_ITEM_MISMATCH'],
      ]);
      expect(r.checks.find((c) => c.code === 'SUBJECT_NOT_APPROVED')?.status).toBe('fail');
      expect([...new Set(expectStepOrder(r))]).toEqual([1, 2, 7, 12, 13]);
      const weights = r.checks.find((c) => c.subject === 'weights.bin')!;
      expect(weights.status).toBe('fail');
      expect(weights.expected).toMatch(/^sha256:[0-9a-f]{12}…, 4096 bytes$/);
      expect(weights.actual).not.toBe(weights.expected);
      const fields = (path: string) => {
        const c = r.checks.find((x) => x.id === 'artifact.file' && x.subject === path)!;
        return [c.expected, c.actual];
      };
      expect(fields('config.json')).toEqual([expect.stringMatching(/^sha256:[0-9a-f]{12}…, 13 bytes$/), 'absent']);
      expect(fields('README.md')).toEqual(['absent', expect.stringMatching(/^sha256:[0-9a-f]{12}…, 5 bytes$/)]);
      const d = diffCheck(r)!;
      expect(d.status).toBe('skip');
      expect(d.code).toBe('OK');
      expect(d.message).toMatch(
        /^2 changed, 1 missing, 1 extra \(vs the manifest sha256:[0-9a-f]{12}… attested by training sha256:/,
      );
      expect(d.message).not.toMatch(/no trusted approval/);
      expect(d.expected).toBe(w.model);
      expect(d.message).toContain(w.steps.training.digest.slice(0, 19));
    });

    it('lists nothing without artifactTree (the report is as before)', async () => {
      const w = await treeWorld(MODEL_TREE);
      const local = { ...MODEL_TREE, 'README.md': utf8('x') };
      const { report } = await verifyChain({
        bundle: w.bundle,
        policy: w.policy,
        subject: manifestDigestText(manifestOfTree(local)),
        useCase: 'support-chat',
        asOf: T.asOf,
      });
      expect(report.checks.filter((c) => c.id.startsWith('artifact.'))).toEqual([]);
    });

    it(`lists the first ${MAX_LISTED_FILES} files by path, and counts them all`, async () => {
      const w = await treeWorld(MODEL_TREE);
      const local: Tree = { ...MODEL_TREE };
      for (let i = 0; i < 150; i++) local[`extra/${String(i).padStart(3, '0')}.txt`] = utf8(String(i));
      const r = await verifyTree(w, local);
      const listed = files(r);
      expect(listed.length).toBe(MAX_LISTED_FILES);
      expect(listed[0]).toEqual(['extra/000.txt', 'MANIFEST_ITEM_EXTRA']);
      expect(diffCheck(r)!.message).toMatch(/^0 changed, 0 missing, 150 extra .*the first 100 of 150 listed/);
    });

    it(`says nothing of a cut when exactly ${MAX_LISTED_FILES} files differ`, async () => {
      const w = await treeWorld(MODEL_TREE);
      const local: Tree = { ...MODEL_TREE };
      for (let i = 0; i < MAX_LISTED_FILES; i++) local[`extra/${String(i).padStart(3, '0')}.txt`] = utf8(String(i));
      const r = await verifyTree(w, local);
      expect(files(r).length).toBe(MAX_LISTED_FILES);
      expect(diffCheck(r)!.message).toMatch(/^0 changed, 0 missing, 100 extra /);
      expect(diffCheck(r)!.message).not.toMatch(/listed/);
    });

    it('gives every digest of a file hashed with several algorithms', async () => {
      const algorithms = ['sha256', 'sha512'];
      const w = await treeWorld(MODEL_TREE, { algorithms });
      const local = { ...MODEL_TREE, 'weights.bin': flip(MODEL_TREE['weights.bin']!) };
      const r = await verifyTree(w, local, {}, w.bundle, { algorithms });
      const c = r.checks.find((x) => x.id === 'artifact.file')!;
      expect([c.subject, c.code]).toEqual(['weights.bin', 'MANIFEST_ITEM_MISMATCH']);
      for (const f of [c.expected, c.actual])
        expect(f).toMatch(/^sha256:[0-9a-f]{12}… sha512:[0-9a-f]{12}…, 4096 bytes$/);
    });
  });

  describe('when the manifest is carried only by material the policy does not trust', () => {
    it.each([
      ['a key outside the policy', ['mallory'] as KeyName[]],
      ['a policy key of another role', ['evaluator'] as KeyName[]],
    ])('never uses it (%s): a skip, no MANIFEST_ITEM check', async (_what, trainingSigners) => {
      const w = await treeWorld(MODEL_TREE, { trainingSigners });
      const r = await verifyTree(w, { ...MODEL_TREE, 'README.md': utf8('x') });
      expect(r.ok).toBe(false);
      expect(r.checks.filter((c) => c.code.startsWith('MANIFEST_ITEM'))).toEqual([]);
      expect(diffCheck(r)).toMatchObject({ status: 'skip', code: 'ARTIFACT_DIFF_UNAVAILABLE' });
    });

    it('never uses one signed only by a trainer key that does not count (compromised)', async () => {
      const w = await treeWorld(MODEL_TREE, {
        policy: (doc) => void Object.assign(doc.keys.trainer, { status: 'compromised', compromisedAt: T.dataset }),
      });
      const r = await verifyTree(w, { ...MODEL_TREE, 'README.md': utf8('x') });
      expect(r.checks.filter((c) => c.code.startsWith('MANIFEST_ITEM'))).toEqual([]);
      expect(diffCheck(r)).toMatchObject({ status: 'skip', code: 'ARTIFACT_DIFF_UNAVAILABLE' });
    });
  });

  describe('when several trusted manifests are candidates', () => {
    it('compares against the closest one, and names its training', async () => {
      const w = await treeWorld(MODEL_TREE);
      const v2tree: Tree = { ...MODEL_TREE, 'weights.bin': flip(MODEL_TREE['weights.bin']!, 7) };
      const v2 = manifestOfTree(v2tree);
      const training2 = await sign(
        buildTrainingStatement({ ...trainingInput(w), manifest: { bytes: manifestBytes(v2) } }),
        ['trainer'],
      );
      const bundle = w.bundle + training2.line;
      // v2 with a README: closest to v2 (every v2 file equal)
      const r2 = await verifyTree(w, { ...v2tree, 'README.md': utf8('x') }, {}, bundle);
      expect(files(r2)).toEqual([['README.md', 'MANIFEST_ITEM_EXTRA']]);
      expect(diffCheck(r2)!.expected).toBe(manifestDigestText(v2));
      expect(diffCheck(r2)!.message).toContain(training2.digest.slice(0, 19));
      // v1 with a README: closest to v1
      const r1 = await verifyTree(w, { ...MODEL_TREE, 'README.md': utf8('x') }, {}, bundle);
      expect(files(r1)).toEqual([['README.md', 'MANIFEST_ITEM_EXTRA']]);
      expect(diffCheck(r1)!.expected).toBe(w.model);
      // v2 exactly: it is attested (by the second training) but not approved
      const r3 = await verifyTree(w, v2tree, {}, bundle);
      expect(files(r3)).toEqual([]);
      expect(diffCheck(r3)!.message).toMatch(/^0 changed, 0 missing, 0 extra .*no trusted approval is about them/);
    });

    it('breaks a tie by the newest training, whatever the line order', async () => {
      const w = await treeWorld(MODEL_TREE);
      const alt = manifestOfTree({ ...MODEL_TREE, 'weights.bin': flip(MODEL_TREE['weights.bin']!, 9) });
      const later = await sign(
        buildTrainingStatement({
          ...trainingInput(w),
          manifest: { bytes: manifestBytes(alt) },
          now: new Date('2026-01-11T03:00:00Z'),
        }),
        ['trainer'],
      );
      const local = { ...MODEL_TREE, 'weights.bin': flip(MODEL_TREE['weights.bin']!, 11) };
      for (const bundle of [w.bundle + later.line, later.line + w.bundle]) {
        const r = await verifyTree(w, local, {}, bundle);
        expect(diffCheck(r)!.expected).toBe(manifestDigestText(alt));
        expect(files(r)).toEqual([['weights.bin', 'MANIFEST_ITEM_MISMATCH']]);
      }
    });
  });

  describe('when no file-level diff is possible', () => {
    it('says so for a single-file artifact', async () => {
      const w = await treeWorld(MODEL_TREE);
      const r = await verifyTree(w, null);
      expect(diffCheck(r)).toMatchObject({ status: 'skip', code: 'ARTIFACT_DIFF_UNAVAILABLE' });
    });

    it('says so when the files here were hashed with other algorithms than the attested manifest', async () => {
      const w = await treeWorld(MODEL_TREE);
      const manifest = manifestOfTree(MODEL_TREE, ['sha256', 'sha512']);
      const { report } = await verifyChain({
        bundle: w.bundle,
        policy: w.policy,
        subject: manifestDigestText(manifest),
        useCase: 'support-chat',
        asOf: T.asOf,
        artifactTree: { manifest },
      });
      expect(files(report)).toEqual([]);
      expect(diffCheck(report)).toMatchObject({
        status: 'skip',
        code: 'MANIFEST_HASHING_MISMATCH',
        expected: 'sha256',
        actual: 'sha256,sha512',
      });
    });

    it.each([
      ['null', null, /"artifactTree" expected an object/],
      ['a string', 'tree', /"artifactTree" expected an object/],
      [
        'a reader that is not a function',
        { manifest: null, readSidecar: 'model.manifest.json' },
        /"artifactTree.readSidecar"/,
      ],
    ])('refuses %s as artifactTree (misuse)', async (_what, artifactTree, named) => {
      const w = await treeWorld(MODEL_TREE);
      await expect(
        verifyChain({
          bundle: w.bundle,
          policy: w.policy,
          subject: w.model,
          useCase: 'support-chat',
          asOf: T.asOf,
          artifactTree: artifactTree as never,
        }),
      ).rejects.toThrow(named);
    });

    it('refuses a manifest that is not one of the library (misuse)', async () => {
      const w = await treeWorld(MODEL_TREE);
      await expect(
        verifyChain({
          bundle: w.bundle,
          policy: w.policy,
          subject: w.model,
          useCase: 'support-chat',
          asOf: T.asOf,
          artifactTree: { manifest: { ...manifestOfTree(MODEL_TREE) } },
        }),
      ).rejects.toThrow(TypeError);
    });
  });

  describe('invariant: the reported paths are exactly the tampered ones', () => {
    const name = fc.stringMatching(/^[a-z]{1,6}(\/[a-z]{1,6})?\.(bin|txt)$/);
    const content = fc.uint8Array({ minLength: 1, maxLength: 16 });
    const op = fc.constantFrom('flip', 'resize', 'remove', 'keep');
    const CODE_OF: Record<string, string> = {
      flip: 'MANIFEST_ITEM_MISMATCH',
      resize: 'MANIFEST_ITEM_SIZE_MISMATCH',
      remove: 'MANIFEST_ITEM_MISSING',
    };
    it('for random trees and random flips, resizes, removals and additions', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(name, fc.tuple(content, op), { minKeys: 1, maxKeys: 8 }),
          fc.dictionary(name, content, { maxKeys: 3 }),
          async (entries, added) => {
            const tree: Tree = {};
            const local: Tree = {};
            const expected = new Map<string, string>();
            // file names end in .bin or .txt, directories never do: no path is both
            for (const [p, [c, o]] of Object.entries(entries)) {
              tree[p] = c;
              if (o === 'keep') local[p] = c;
              if (o === 'flip') local[p] = flip(c);
              if (o === 'resize') local[p] = new Uint8Array([...c, 0]);
              if (o !== 'keep') expected.set(p, CODE_OF[o]!);
            }
            for (const [p, c] of Object.entries(added)) {
              if (p in tree) continue;
              local[p] = c;
              expected.set(p, 'MANIFEST_ITEM_EXTRA');
            }
            fc.pre(Object.keys(local).length > 0);
            const w = await treeWorld(tree);
            const r = await verifyTree(w, local);
            expect(r.ok).toBe(expected.size === 0);
            expect(new Map(files(r))).toEqual(expected);
          },
        ),
        { numRuns: 25 },
      );
    });
  });
});
