import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha512 } from '@noble/hashes/sha2.js';
import { toHex, utf8 } from '../../src/bytes/index.js';
import { sha256Hex } from '../../src/digest/index.js';
import { buildManifest, manifestBytes, manifestDigestText } from '../../src/manifest/build.js';
import type { Manifest } from '../../src/manifest/types.js';
import type { Check, Report } from '../../src/report/index.js';
import { LINEPROOF_MANIFEST_MEDIA_TYPE } from '../../src/statements/predicates/index.js';
import { buildTrainingStatement } from '../../src/statements/builders.js';
import { MAX_LISTED_FILES, type ArtifactTree } from '../../src/verify/artifact-diff.js';
import { verifyChain } from '../../src/verify/chain.js';
import { expectStepOrder } from '../helpers/steps.js';
import { buildWorld, sign, T, type KeyName, type World } from '../helpers/world.js';

type Tree = Record<string, Uint8Array>;

function manifestOfTree(tree: Tree, algorithms: string[] = ['sha256']): Manifest {
  return buildManifest(
    Object.entries(tree).map(([path, bytes]) => ({
      path,
      size: bytes.length,
      digest: Object.fromEntries(algorithms.map((a) => [a, a === 'sha512' ? toHex(sha512(bytes)) : sha256Hex(bytes)])),
    })),
    { algorithms },
  );
}

const MODEL_TREE: Tree = {
  'config.json': utf8('{"layers":2}\n'),
  'weights.bin': new Uint8Array(4096).map((_, i) => (i * 31) & 0xff),
  'tokenizer/vocab.txt': utf8('a\nb\nc\n'),
};

/** A world whose model is `tree`'s manifest, inlined in the training (or a sidecar `model.manifest.json`). */
async function treeWorld(
  tree: Tree,
  o: { inline?: boolean; trainingSigners?: KeyName[]; policy?: (doc: Record<string, any>) => void } = {},
): Promise<World & { model: string; manifest: Manifest; bytes: Uint8Array }> {
  const manifest = manifestOfTree(tree);
  const bytes = manifestBytes(manifest);
  const model = manifestDigestText(manifest);
  const about = { name: 'model', digest: model, mediaType: LINEPROOF_MANIFEST_MEDIA_TYPE };
  const w = await buildWorld({
    training: (i) => ({
      ...i,
      subject: undefined,
      manifest: o.inline === false ? { bytes, inline: false, uri: 'model.manifest.json' } : { bytes },
    }),
    evaluation: (i) => ({ ...i, subject: about }),
    approval: (i) => ({ ...i, subject: about }),
    promotion: (i) => ({ ...i, subject: about }),
    ...(o.trainingSigners ? { signers: { training: o.trainingSigners } } : {}),
    ...(o.policy ? { policy: o.policy } : {}),
  });
  return { ...w, model, manifest, bytes };
}

async function verifyTree(w: World, local: Tree | null, extra: Partial<ArtifactTree> = {}, bundle = w.bundle) {
  const manifest = local === null ? null : manifestOfTree(local);
  const subject = manifest ? manifestDigestText(manifest) : `sha256:${'00'.repeat(32)}`;
  const { report } = await verifyChain({
    bundle,
    policy: w.policy,
    subject,
    useCase: 'support-chat',
    asOf: T.asOf,
    subjectName: 'model',
    artifactTree: { manifest, ...extra },
  });
  return report;
}

const files = (r: Report): Array<[string, string]> =>
  r.checks.filter((c) => c.id === 'artifact.file').map((c) => [c.subject, c.code]);
const diffCheck = (r: Report): Check | undefined => r.checks.find((c) => c.id === 'artifact.diff');

const flip = (b: Uint8Array, at = 0): Uint8Array => {
  const c = b.slice();
  c[at] = c[at]! ^ 1;
  return c;
};

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
      const d = diffCheck(r)!;
      expect(d.status).toBe('skip');
      expect(d.code).toBe('OK');
      expect(d.message).toMatch(
        /^2 changed, 1 missing, 1 extra \(vs the manifest sha256:[0-9a-f]{12}… attested by training sha256:/,
      );
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
  });

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

    it.each(['../model.manifest.json', '/etc/model.manifest.json', 'https://example.com/m.json', 'a/./b.json'])(
      'never asks the reader for %s',
      async (uri) => {
        const w = await treeWorld(MODEL_TREE, { inline: false });
        const manifest = manifestOfTree(MODEL_TREE);
        const training = await sign(
          buildTrainingStatement({
            ...trainingInput(w),
            manifest: { bytes: manifestBytes(manifest), inline: false, uri },
          }),
          ['trainer'],
        );
        const asked: string[] = [];
        const r = await verifyTree(
          w,
          { ...MODEL_TREE, 'a.txt': utf8('a') },
          {
            readSidecar: (u) => {
              asked.push(u);
              return undefined;
            },
          },
          w.bundle.replace(w.steps.training.line, training.line),
        );
        expect(asked).toEqual([]);
        expect(files(r)).toEqual([]);
        expect(r.checks.find((c) => c.id === 'artifact.sidecar')?.status).toBe('skip');
      },
    );
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

/** A training input like the world's, for a second training of the same pipeline. */
function trainingInput(w: World) {
  return {
    builder: { id: 'https://ci.example.com/train' },
    startedOn: T.trainingStarted,
    finishedOn: T.trainingFinished,
    code: { uri: 'git+https://example.com/trainer', digest: { gitCommit: 'a'.repeat(40) } },
    hyperparameters: { epochs: 3 },
    datasets: [w.steps.dataset.payload],
    attester: 'https://ci.example.com/train',
    now: new Date(T.training),
  };
}
