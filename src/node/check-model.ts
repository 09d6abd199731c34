/**
 * `checkModelDirectory`: the load-time check of the core (`checkArtifact`) for a model on disk — a
 * directory (its manifest digest) or a single weights file (the digest of its bytes), hashed with
 * the Node engines on all cores, its chain read from a file or given.
 * @module
 */
import { checkArtifact, type ArtifactCheck, type CheckArtifactInput } from '../verify/check-artifact.js';
import { nodeEd25519Verifier } from './ed25519.js';
import { MAX_BUNDLE_FILE_BYTES } from './bundle.js';
import { readFileLimited } from './fs.js';
import { hashPath, type HashTreeOptions } from './hash-tree.js';
import { sidecarReader } from './sidecar.js';

/** Options of {@link checkModelDirectory}. */
export interface CheckModelOptions extends Omit<CheckArtifactInput, 'artifact' | 'bundle' | 'asOf' | 'onProgress'> {
  /** The chain: `.intoto.jsonl` text, bytes or envelopes; or give `bundlePath`. */
  bundle?: CheckArtifactInput['bundle'];
  /** A `.intoto.jsonl` file to read the chain from (at most `MAX_BUNDLE_FILE_BYTES`). */
  bundlePath?: string;
  /** Verify as of this time (default: now — the Node adapter may read the clock; the core never does). */
  asOf?: Date | string;
  /** How the model is hashed (ignore patterns, symlinks, progress, signal): as `hashPath`. */
  hashing?: HashTreeOptions;
}

/**
 * Check a model on disk before loading it: hash the directory (or file), verify its chain for the
 * use case, and return the verdict with what the approval grants (see `checkArtifact`). When no
 * trusted approval is about a directory, the report names each changed, missing and extra file
 * against the closest manifest a trusted training attests (inlined, or a sidecar next to
 * `bundlePath`; `artifact.file` checks, spec/verification.md step 13).
 * @param path the model directory (hashed to its manifest digest) or weights file
 * @param options the policy, the use case, the chain (`bundle` or `bundlePath`), `asOf`…
 * @returns the verdict, the report, and — only when ok — the approval's scope and the registered model
 * @throws {LineproofError} the model or the chain cannot be read (IO_ERROR, LIMIT_EXCEEDED, …)
 * @throws {TypeError} neither `bundle` nor `bundlePath`, and the misuse `checkArtifact` refuses
 * @example
 * ```ts
 * const check = await checkModelDirectory('/models/support-bot', { bundlePath: '/models/support-bot.intoto.jsonl',
 *   policy: parsePolicy(readFileLimited('/etc/lineproof/policy.json', 1 << 24)), useCase: 'support-chat' });
 * if (!check.ok) process.exit(1);
 * ```
 */
export async function checkModelDirectory(path: string, options: CheckModelOptions): Promise<ArtifactCheck> {
  if (typeof path !== 'string' || path === '') throw new TypeError('"path" expected the model directory or file');
  if (!options || typeof options !== 'object') throw new TypeError('"options" expected an object');
  const { bundle, bundlePath, asOf, hashing, ...rest } = options;
  let chain = bundle;
  if (chain === undefined) {
    if (typeof bundlePath !== 'string')
      throw new TypeError('"options" needs the chain: "bundle" (its text, bytes or envelopes) or "bundlePath"');
    chain = readFileLimited(bundlePath, MAX_BUNDLE_FILE_BYTES, bundlePath);
  }
  const hashed = await hashPath(path, hashing ?? {});
  // without a trusted approval of it, the report names each file that differs from the attested manifest
  const artifactTree = {
    manifest: hashed.kind === 'directory' ? hashed.manifest : null,
    ...(typeof bundlePath === 'string' && bundle === undefined ? { readSidecar: sidecarReader(bundlePath) } : {}),
  };
  return checkArtifact({
    verifier: nodeEd25519Verifier,
    artifactTree,
    ...rest,
    artifact: { digest: hashed.digest },
    bundle: chain,
    asOf: asOf ?? new Date(),
    subjectName: rest.subjectName ?? hashed.subject.name ?? path,
  });
}
