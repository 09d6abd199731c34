/**
 * Step 13 of chain verification (spec/verification.md): when no trusted approval is about the
 * artifact (SUBJECT_NOT_APPROVED) and the caller gave the artifact's files (a directory's
 * manifest as hashed now), say which files differ from the closest manifest a trusted training
 * attests — one `artifact.file` check per changed, missing or extra file, and an `artifact.diff`
 * check that sums them up or says why no file-level diff was possible.
 *
 * Only trusted material is compared against: a training signed by a key of the trainer role that
 * counts (step 6), its `manifest` byproduct whose digest is a subject of that training, whose
 * bytes (inlined, or a sidecar the caller reads) hash to that digest. The step never changes a
 * verdict: it runs only after the anchor step already failed, adds no pass, and never throws on
 * untrusted input. Its cost is bounded: at most {@link MAX_DIFF_CANDIDATES} manifests are read,
 * each within the manifest limits, and at most {@link MAX_LISTED_FILES} files are listed.
 * @module
 */
import { fromBase64 } from '../bytes/index.js';
import { sha256Hex, shortDigestText } from '../digest/index.js';
import { isLineproofError, shortDigest, type ErrorCode } from '../errors.js';
import type { Limits } from '../limits.js';
import { isCheckedManifest, manifestDigestText, parseManifest } from '../manifest/build.js';
import { diffManifests, sameAlgorithms, type ItemFacts, type ManifestDiff } from '../manifest/diff.js';
import { checkManifestPath, comparePaths } from '../manifest/path.js';
import type { Manifest } from '../manifest/types.js';
import type { ReportBuilder } from '../report/index.js';
import { LINEPROOF_MANIFEST_MEDIA_TYPE } from '../statements/predicates/common.js';
import { ROLE_OF_STAGE } from '../policy/roles.js';
import { isStage, type Node, type ParsedNode } from './authenticate.js';

/** Most trusted manifests read and compared (the most recent trainings first). */
export const MAX_DIFF_CANDIDATES = 64;
/** Most `artifact.file` checks listed (the first by path); `artifact.diff` gives the counts. */
export const MAX_LISTED_FILES = 100;

/**
 * The artifact's files, for step 13 of `verifyChain` (the file-level diff against the attested
 * manifest when no trusted approval is about the artifact).
 */
export interface ArtifactTree {
  /**
   * The manifest of the artifact's files as they are now, hashed with the policy's algorithms
   * (as the digest given as `subject`); `null` when the artifact is a single file, which has no
   * file-level diff (said in the report).
   */
  manifest: Manifest | null;
  /**
   * Reads a sidecar manifest a trusted training names by `uri` (a relative POSIX path, checked
   * by the core: no `..`, not absolute, no scheme), e.g. next to the chain file; returns
   * undefined when it is not there. It may throw a LineproofError (its code is reported as a
   * skip). Without it, sidecar manifests are not read.
   */
  readSidecar?: (uri: string) => Uint8Array | undefined | Promise<Uint8Array | undefined>;
}

/**
 * Misuse of {@link ArtifactTree}: a manifest that did not come from this library's builders or
 * parser (hashDirectory, buildManifest, parseManifest), or a reader that is not a function.
 * @throws {TypeError} naming the field
 */
export function checkArtifactTree(tree: ArtifactTree): void {
  if (!tree || typeof tree !== 'object') throw new TypeError('"artifactTree" expected an object');
  if (tree.manifest !== null && !isCheckedManifest(tree.manifest))
    throw new TypeError(
      '"artifactTree.manifest" expected a manifest from hashDirectory, buildManifest or parseManifest, or null',
    );
  if (tree.readSidecar !== undefined && typeof tree.readSidecar !== 'function')
    throw new TypeError('"artifactTree.readSidecar" expected a function');
}

/** A trusted manifest and the training that attests it. */
interface Candidate {
  manifest: Manifest;
  digest: string;
  training: ParsedNode<'training'>;
}

/** A manifest byproduct of a training whose digest is one of its subjects. */
interface Named {
  sha256: string;
  content?: string;
  uri?: string;
  training: ParsedNode<'training'>;
}

const ID_DIFF = 'artifact.diff';
const ID_FILE = 'artifact.file';
const ID_SIDECAR = 'artifact.sidecar';

/** A training some key of the trainer role that counts signed. */
function trustedTraining(n: Node): n is ParsedNode<'training'> {
  return (
    isStage(n, 'training') &&
    n.signers.some((s) => s.rejected === undefined && s.key.roles.includes(ROLE_OF_STAGE.training))
  );
}

const newestFirst = (a: ParsedNode, b: ParsedNode): number =>
  a.issuedAtNanos > b.issuedAtNanos ? -1 : a.issuedAtNanos < b.issuedAtNanos ? 1 : a.digest < b.digest ? -1 : 1;

/** The manifests trusted trainings name, one per manifest digest (its newest training), newest first. */
function namedManifests(nodes: Iterable<Node>): Named[] {
  const trainings = [...nodes].filter(trustedTraining).sort(newestFirst);
  const byDigest = new Map<string, Named>();
  for (const t of trainings) {
    const subjects = new Set(t.parsed.statement.subject.map((s) => s.digest.sha256));
    for (const b of t.parsed.predicate.runDetails.byproducts ?? []) {
      const sha = b.digest?.sha256;
      if (b.name !== 'manifest' || b.mediaType !== LINEPROOF_MANIFEST_MEDIA_TYPE || typeof sha !== 'string') continue;
      if (!subjects.has(sha) || byDigest.has(sha)) continue;
      const content = typeof b.content === 'string' ? b.content : undefined;
      const uri = typeof b.uri === 'string' ? b.uri : undefined;
      byDigest.set(sha, { sha256: sha, training: t, ...(content ? { content } : {}), ...(uri ? { uri } : {}) });
    }
  }
  return [...byDigest.values()];
}

const origin = (t: ParsedNode<'training'>): string => `training ${shortDigestText(t.digest)}`;

/** A sidecar uri the core lets the caller read: a relative POSIX path, no scheme. */
function sidecarProblem(uri: string): { code: ErrorCode; message: string } | undefined {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri))
    return { code: 'ARTIFACT_DIFF_UNAVAILABLE', message: 'is a URI, not a file next to the chain' };
  try {
    checkManifestPath(uri, 'manifest uri');
    return undefined;
  } catch (e) {
    return {
      code: isLineproofError(e) ? e.code : 'INVALID_ARGUMENT',
      message: 'is not a relative path inside the chain directory',
    };
  }
}

/** The bytes of a named manifest: inlined, or its sidecar; undefined (with a skip) when not usable. */
async function manifestBytesOf(report: ReportBuilder, n: Named, tree: ArtifactTree): Promise<Uint8Array | undefined> {
  const where = `${origin(n.training)} manifest sha256:${shortDigest(n.sha256)}`;
  if (n.content !== undefined) {
    try {
      return fromBase64(n.content, 'manifest.content');
    } catch (e) {
      report.skip(
        ID_SIDECAR,
        isLineproofError(e) ? e.code : 'BASE64_INVALID_CHAR',
        where,
        'the inlined manifest is not base64',
      );
      return undefined;
    }
  }
  if (n.uri === undefined || tree.readSidecar === undefined) return undefined;
  const problem = sidecarProblem(n.uri);
  if (problem) {
    report.skip(ID_SIDECAR, problem.code, n.uri, `the sidecar of ${where} ${problem.message}; not read`);
    return undefined;
  }
  try {
    const bytes = await tree.readSidecar(n.uri);
    if (bytes instanceof Uint8Array) return bytes;
    report.skip(ID_SIDECAR, 'ARTIFACT_DIFF_UNAVAILABLE', n.uri, `the sidecar of ${where} is not present`);
    return undefined;
  } catch (e) {
    const code = isLineproofError(e) ? e.code : 'IO_ERROR';
    report.skip(ID_SIDECAR, code, n.uri, `the sidecar of ${where} cannot be read (${code}); not used`);
    return undefined;
  }
}

/** Read the trusted manifests (at most MAX_DIFF_CANDIDATES), each checked against its attested digest. */
async function readCandidates(
  report: ReportBuilder,
  nodes: Iterable<Node>,
  tree: ArtifactTree,
  limits: Limits,
): Promise<{ candidates: Candidate[]; named: number }> {
  const named = namedManifests(nodes);
  const candidates: Candidate[] = [];
  for (const n of named.slice(0, MAX_DIFF_CANDIDATES)) {
    const bytes = await manifestBytesOf(report, n, tree);
    if (bytes === undefined) continue;
    const where = n.content !== undefined ? `inlined in ${origin(n.training)}` : n.uri!;
    if (sha256Hex(bytes) !== n.sha256) {
      report.skip(
        ID_SIDECAR,
        'MANIFEST_DIGEST_MISMATCH',
        where,
        `the manifest bytes do not hash to the digest ${origin(n.training)} attests; not used`,
        {
          expected: `sha256:${shortDigest(n.sha256)}`,
          actual: `sha256:${shortDigest(sha256Hex(bytes))}`,
        },
      );
      continue;
    }
    try {
      const manifest = parseManifest(bytes, { what: where, limits });
      candidates.push({ manifest, digest: `sha256:${n.sha256}`, training: n.training });
    } catch (e) {
      report.skip(
        ID_SIDECAR,
        isLineproofError(e) ? e.code : 'SCHEMA_INVALID',
        where,
        `the attested manifest cannot be read; not used`,
      );
    }
  }
  return { candidates, named: named.length };
}

/** How close a candidate is to the local tree: files equal, then paths in common (higher is closer). */
function closeness(c: Candidate, local: Manifest, localPaths: ReadonlySet<string>): { equal: number; common: number } {
  if (sameAlgorithms(c.manifest, local)) {
    const diff = diffManifests(c.manifest, local);
    return { equal: diff.matched.length, common: diff.matched.length + diff.mismatched.length };
  }
  return { equal: 0, common: c.manifest.items.filter((i) => localPaths.has(i.path)).length };
}

type Scored = { c: Candidate; equal: number; common: number };

/** Negative when `a` is closer than `b`: more files equal, more paths in common, newer, smaller digest. */
function compareScored(a: Scored, b: Scored): number {
  const at = a.c.training.issuedAtNanos;
  const bt = b.c.training.issuedAtNanos;
  if (a.equal !== b.equal) return b.equal - a.equal;
  if (a.common !== b.common) return b.common - a.common;
  if (at !== bt) return at > bt ? -1 : 1;
  return a.c.digest < b.c.digest ? -1 : a.c.digest > b.c.digest ? 1 : 0;
}

/**
 * The candidate closest to the local tree (one diff held at a time) and its diff, undefined when
 * its algorithms are not the local tree's.
 */
function closest(candidates: readonly Candidate[], local: Manifest): { c: Candidate; diff?: ManifestDiff } | undefined {
  const localPaths = new Set(local.items.map((i) => i.path));
  let best: Scored | undefined;
  for (const c of candidates) {
    const s = { c, ...closeness(c, local, localPaths) };
    if (best === undefined || compareScored(s, best) < 0) best = s;
  }
  if (!best) return undefined;
  const same = sameAlgorithms(best.c.manifest, local);
  return { c: best.c, ...(same ? { diff: diffManifests(best.c.manifest, local) } : {}) };
}

const shortFacts = (f: ItemFacts): string =>
  `${Object.entries(f.digest)
    .map(([a, h]) => `${a}:${shortDigest(h)}`)
    .join(' ')}, ${f.size} bytes`;

type FileCheck = { path: string; code: ErrorCode; expected: string; actual: string; message: string };

/** One entry per changed, missing or extra file, sorted by path. */
function fileChecks(diff: ManifestDiff): FileCheck[] {
  const out: FileCheck[] = [];
  for (const m of diff.mismatched) {
    const size = m.reason === 'size';
    out.push({
      path: m.path,
      code: size ? 'MANIFEST_ITEM_SIZE_MISMATCH' : 'MANIFEST_ITEM_MISMATCH',
      expected: shortFacts(m.expected),
      actual: shortFacts(m.actual),
      message: size
        ? `${m.path} changed size: ${m.expected.size} bytes attested, ${m.actual.size} here`
        : `${m.path} changed: its bytes differ from the attested file (same size, ${m.actual.size} bytes)`,
    });
  }
  for (const m of diff.missing)
    out.push({
      path: m.path,
      code: 'MANIFEST_ITEM_MISSING',
      expected: shortFacts(m.expected),
      actual: 'absent',
      message: `${m.path} is missing: the attested manifest lists it (${m.expected.size} bytes)`,
    });
  for (const m of diff.extra)
    out.push({
      path: m.path,
      code: 'MANIFEST_ITEM_EXTRA',
      expected: 'absent',
      actual: shortFacts(m.actual),
      message: `${m.path} is extra: the attested manifest does not list it (${m.actual.size} bytes)`,
    });
  return out.sort((a, b) => comparePaths(a.path, b.path));
}

/** The `artifact.diff` sentence: counts, and the attestation compared against. */
export function diffSummary(diff: ManifestDiff, c: { digest: string; training: ParsedNode<'training'> }): string {
  const changed = diff.mismatched.length;
  return `${changed} changed, ${diff.missing.length} missing, ${diff.extra.length} extra (vs the manifest ${shortDigestText(c.digest)} attested by ${origin(c.training)})`;
}

/**
 * Step 13: the file-level diff of the artifact against the closest trusted manifest.
 * @param report the report (already failed with SUBJECT_NOT_APPROVED)
 * @param nodes the bundle's attestations after steps 3–6
 * @param tree the artifact's files as the caller hashed them
 * @param subject names the artifact in the report
 * @param limits manifest limits
 */
export async function diffArtifact(
  report: ReportBuilder,
  nodes: Iterable<Node>,
  tree: ArtifactTree,
  subject: string,
  limits: Limits,
): Promise<void> {
  if (tree.manifest === null) {
    report.skip(
      ID_DIFF,
      'ARTIFACT_DIFF_UNAVAILABLE',
      subject,
      'the artifact is a single file: there is no file-level diff',
    );
    return;
  }
  const local = tree.manifest;
  const { candidates, named } = await readCandidates(report, nodes, tree, limits);
  const best = closest(candidates, local);
  if (!best) {
    const why =
      named === 0
        ? 'no trusted training attests a manifest'
        : 'no manifest a trusted training attests could be read (inlined, or a sidecar next to the chain)';
    report.skip(ID_DIFF, 'ARTIFACT_DIFF_UNAVAILABLE', subject, `no file-level diff: ${why}`);
    return;
  }
  const { c, diff } = best;
  if (!diff) {
    const want = c.manifest.hashing.algorithms.join(',');
    const got = local.hashing.algorithms.join(',');
    report.skip(
      ID_DIFF,
      'MANIFEST_HASHING_MISMATCH',
      subject,
      `no file-level diff: the manifest attested by ${origin(c.training)} was hashed with ${want}, the files here with ${got} (the policy's hashing)`,
      { expected: want, actual: got },
    );
    return;
  }
  const files = fileChecks(diff);
  for (const f of files.slice(0, MAX_LISTED_FILES))
    report.fail(ID_FILE, f.code, f.path, f.message, { expected: f.expected, actual: f.actual });
  const listed = files.length > MAX_LISTED_FILES ? `; the first ${MAX_LISTED_FILES} of ${files.length} listed` : '';
  const same = files.length === 0 ? '; the files are the attested ones, but no trusted approval is about them' : '';
  report.skip(ID_DIFF, 'OK', subject, `${diffSummary(diff, c)}${listed}${same}`, {
    expected: c.digest,
    actual: manifestDigestText(local),
  });
}
