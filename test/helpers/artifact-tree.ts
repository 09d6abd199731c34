/**
 * Model directories as path -> bytes, their manifests, and worlds whose training attests one, for
 * the tests of verifyChain's step 13 (the file-level diff of the artifact).
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { toHex, utf8 } from '../../src/bytes/index.js';
import { sha256Hex } from '../../src/digest/index.js';
import type { Limits } from '../../src/limits.js';
import { buildManifest, manifestBytes, manifestDigestText } from '../../src/manifest/build.js';
import type { Manifest } from '../../src/manifest/types.js';
import type { Check, Report } from '../../src/report/index.js';
import { buildTrainingStatement, type TrainingStatementInput } from '../../src/statements/builders.js';
import { LINEPROOF_MANIFEST_MEDIA_TYPE } from '../../src/statements/predicates/index.js';
import type { ArtifactTree } from '../../src/verify/artifact-diff.js';
import { verifyChain } from '../../src/verify/chain.js';
import { buildWorld, sign, T, type KeyName, type World, type WorldStep } from './world.js';

export type Tree = Record<string, Uint8Array>;

export function manifestOfTree(tree: Tree, algorithms: string[] = ['sha256']): Manifest {
  return buildManifest(
    Object.entries(tree).map(([path, bytes]) => ({
      path,
      size: bytes.length,
      digest: Object.fromEntries(algorithms.map((a) => [a, a === 'sha512' ? toHex(sha512(bytes)) : sha256Hex(bytes)])),
    })),
    { algorithms },
  );
}

export const MODEL_TREE: Tree = {
  'config.json': utf8('{"layers":2}\n'),
  'weights.bin': new Uint8Array(4096).map((_, i) => (i * 31) & 0xff),
  'tokenizer/vocab.txt': utf8('a\nb\nc\n'),
};

export interface TreeWorldOptions {
  inline?: boolean;
  trainingSigners?: KeyName[];
  policy?: (doc: Record<string, any>) => void;
  algorithms?: string[];
}

/** A world whose model is `tree`'s manifest, inlined in the training (or a sidecar `model.manifest.json`). */
export async function treeWorld(
  tree: Tree,
  o: TreeWorldOptions = {},
): Promise<World & { model: string; manifest: Manifest; bytes: Uint8Array }> {
  const manifest = manifestOfTree(tree, o.algorithms);
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

export interface VerifyTreeOptions {
  algorithms?: string[];
  limits?: Partial<Limits>;
}

export async function verifyTree(
  w: World,
  local: Tree | null,
  extra: Partial<ArtifactTree> = {},
  bundle = w.bundle,
  o: VerifyTreeOptions = {},
): Promise<Report> {
  const manifest = local === null ? null : manifestOfTree(local, o.algorithms);
  const subject = manifest ? manifestDigestText(manifest) : `sha256:${'00'.repeat(32)}`;
  const { report } = await verifyChain({
    bundle,
    policy: w.policy,
    subject,
    useCase: 'support-chat',
    asOf: T.asOf,
    subjectName: 'model',
    artifactTree: { manifest, ...extra },
    ...(o.limits ? { limits: o.limits } : {}),
  });
  return report;
}

export const files = (r: Report): Array<[string, string]> =>
  r.checks.filter((c) => c.id === 'artifact.file').map((c) => [c.subject, c.code]);
export const diffCheck = (r: Report): Check | undefined => r.checks.find((c) => c.id === 'artifact.diff');
export const sidecarChecks = (r: Report): Check[] => r.checks.filter((c) => c.id === 'artifact.sidecar');

export const flip = (b: Uint8Array, at = 0): Uint8Array => {
  const c = b.slice();
  c[at] = c[at]! ^ 1;
  return c;
};

/** A training input like the world's, for a second training of the same pipeline. */
export function trainingInput(w: World) {
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

/** Another training of the world's pipeline, signed by `signers` (default: the trainer). */
export async function otherTraining(
  w: World,
  over: Partial<TrainingStatementInput>,
  signers: KeyName[] = ['trainer'],
): Promise<WorldStep> {
  return sign(buildTrainingStatement({ ...trainingInput(w), ...over }), signers);
}

/** A training attesting `tree`'s manifest (inlined), issued at `now`. */
export async function trainingOf(w: World, tree: Tree, now = T.training, algorithms?: string[]): Promise<WorldStep> {
  return otherTraining(w, { manifest: { bytes: manifestBytes(manifestOfTree(tree, algorithms)) }, now: new Date(now) });
}

/** `T.training` plus `minutes`. */
export const after = (minutes: number): string => new Date(Date.parse(T.training) + minutes * 60_000).toISOString();
