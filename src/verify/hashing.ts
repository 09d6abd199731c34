/**
 * The policy's `hashing` rule (spec/policy.md): the configuration a chain's subjects were hashed
 * with must be the one the policy requires. Step 10 of chain verification.
 *
 * Where the configuration is recorded:
 * - A manifest subject (decisions §3, §5: a directory; subject digest = sha256 of the manifest's JCS
 *   bytes) records it inside the manifest, `hashing.algorithms` (item digest algorithms, a chunk
 *   tree named `sha256-tree-v1-<leafBytes>`). No predicate field restates it: it is established
 *   only from the manifest bytes, which a training carries as its `manifest` byproduct and a
 *   dataset as its `manifest` field — inlined (`content`) or as a sidecar (`uri`). Inlined bytes
 *   are content-addressed (their sha256 is the subject digest, checked when the predicate is
 *   parsed and again here). A sidecar is not in the bundle, so offline verification cannot read
 *   it: such a subject fails closed (HASHING_UNKNOWN) when the policy has a `hashing` rule.
 * - A file subject (no manifest mediaType, and no inlined manifest with its digest) is hashed by
 *   the algorithms of its DigestSet, which are self-describing (decisions §3: a chunk-tree digest
 *   names its leaf size).
 *
 * Which subjects: the model (the subjects of each training of the chain that match the artifact;
 * without a training, the anchor approval's) and every subject of each dataset of the chain.
 *
 * The rule: every algorithm of `hashing.algorithms` is among the subject's algorithms, and every
 * chunk-tree algorithm the subject uses has `hashing.treeLeafBytes` as its leaf size
 * (HASHING_MISMATCH).
 * @module
 */
import { fromBase64 } from '../bytes/index.js';
import { matchDigestSets, sha256Hex, shortDigestText, type DigestSet } from '../digest/index.js';
import { isLineproofError } from '../errors.js';
import type { Limits } from '../limits.js';
import { parseManifest } from '../manifest/build.js';
import type { PolicyDocument } from '../policy/schema.js';
import type { ReportBuilder } from '../report/index.js';
import { LINEPROOF_MANIFEST_MEDIA_TYPE, type ParsedAttestationPayload } from '../statements/predicates/index.js';

/** The policy's hashing rule. */
export type HashingRule = NonNullable<PolicyDocument['hashing']>;

/** What the hashing check needs of a chain link. */
export interface HashedLink {
  digest: string;
  parsed: ParsedAttestationPayload;
}

const TREE_PREFIX = 'sha256-tree-v1-';

/** Inlined manifests (base64 content) a link carries, by the sha256 they declare. */
function inlinedManifests(p: ParsedAttestationPayload): Array<{ sha256: string; content: string }> {
  if (p.stage === 'dataset') {
    const m = p.predicate.manifest;
    return m?.content !== undefined ? [{ sha256: m.digest.sha256, content: m.content }] : [];
  }
  if (p.stage === 'training') {
    const out: Array<{ sha256: string; content: string }> = [];
    for (const b of p.predicate.runDetails.byproducts ?? []) {
      const sha = b.digest?.sha256;
      if (
        b.name === 'manifest' &&
        b.mediaType === LINEPROOF_MANIFEST_MEDIA_TYPE &&
        typeof b.content === 'string' &&
        typeof sha === 'string'
      )
        out.push({ sha256: sha, content: b.content });
    }
    return out;
  }
  return [];
}

type ManifestRead = { algorithms: readonly string[] } | { problem: string };

/**
 * Reads of inlined manifests, per content text: each anchor candidate checks the same links, and
 * a manifest (up to the inline limit) is parsed once per verification, not once per candidate.
 */
const reads = new WeakMap<ParsedAttestationPayload, Map<string, ManifestRead>>();

/** The algorithms of a manifest `owner` inlines, or why they cannot be read. */
function manifestAlgorithms(
  owner: ParsedAttestationPayload,
  content: string,
  sha256: string,
  limits: Limits,
): ManifestRead {
  let cache = reads.get(owner);
  if (!cache) reads.set(owner, (cache = new Map<string, ManifestRead>()));
  const hit = cache.get(sha256);
  if (hit) return hit;
  const read = readManifest(content, sha256, limits);
  cache.set(sha256, read);
  return read;
}

function readManifest(content: string, sha256: string, limits: Limits): ManifestRead {
  try {
    const bytes = fromBase64(content, 'manifest.content');
    if (sha256Hex(bytes) !== sha256) return { problem: 'the inlined manifest bytes do not hash to the subject digest' };
    return { algorithms: parseManifest(bytes, { what: 'inlined manifest', limits }).hashing.algorithms };
  } catch (e) {
    return { problem: `the inlined manifest cannot be read (${isLineproofError(e) ? e.code : 'invalid'})` };
  }
}

/** What is wrong with a configuration, per the rule (empty: nothing). */
export function hashingProblems(algorithms: readonly string[], rule: HashingRule): string[] {
  const problems: string[] = [];
  for (const a of rule.algorithms ?? [])
    if (!algorithms.includes(a)) problems.push(`lacks the required algorithm ${a}`);
  if (rule.treeLeafBytes !== undefined) {
    for (const a of algorithms) {
      if (a.startsWith(TREE_PREFIX) && a !== `${TREE_PREFIX}${rule.treeLeafBytes}`)
        problems.push(`uses the chunk tree ${a}, not leaf size ${rule.treeLeafBytes}`);
    }
  }
  return problems;
}

function describeRule(rule: HashingRule): string {
  const parts: string[] = [];
  if (rule.algorithms) parts.push(`algorithms ${rule.algorithms.join(', ')}`);
  if (rule.treeLeafBytes !== undefined) parts.push(`tree leaf ${rule.treeLeafBytes} bytes`);
  return parts.join('; ') || 'any';
}

/**
 * Check the chain's subjects against the policy's hashing rule (nothing to check without one).
 * @param report the report to add checks to
 * @param rule the policy's `hashing`, or undefined
 * @param linked the chain's links
 * @param anchor the anchor approval
 * @param artifact the artifact verified
 * @param accepted digest algorithms accepted for matching
 * @param limits limits (manifest items)
 */
export function checkHashing(
  report: ReportBuilder,
  rule: HashingRule | undefined,
  linked: readonly HashedLink[],
  anchor: HashedLink,
  artifact: DigestSet,
  accepted: readonly string[],
  limits: Limits,
): void {
  if (!rule || (rule.algorithms === undefined && rule.treeLeafBytes === undefined)) return;
  const manifests = new Map<string, { owner: ParsedAttestationPayload; content: string }>();
  for (const n of linked)
    for (const m of inlinedManifests(n.parsed))
      if (!manifests.has(m.sha256)) manifests.set(m.sha256, { owner: n.parsed, content: m.content });
  const trainings = linked.filter((n) => n.parsed.stage === 'training');
  const subjects: Array<{ what: string; descriptor: { digest: DigestSet; mediaType?: string | undefined } }> = [];
  for (const n of trainings.length > 0 ? trainings : [anchor]) {
    for (const s of n.parsed.statement.subject) {
      if (matchDigestSets(s.digest, artifact, accepted).match)
        subjects.push({ what: `model in ${n.parsed.stage} ${shortDigestText(n.digest)}`, descriptor: s });
    }
  }
  for (const n of linked) {
    if (n.parsed.stage !== 'dataset') continue;
    for (const s of n.parsed.statement.subject)
      subjects.push({ what: `dataset ${shortDigestText(n.digest)}`, descriptor: s });
  }
  const want = describeRule(rule);
  for (const { what, descriptor } of subjects) {
    const sha = descriptor.digest.sha256;
    const inlined = sha !== undefined ? manifests.get(sha) : undefined;
    let algorithms: readonly string[];
    let source: string;
    if (inlined !== undefined) {
      const read = manifestAlgorithms(inlined.owner, inlined.content, sha!, limits);
      if ('problem' in read) {
        report.fail('chain.hashing', 'HASHING_UNKNOWN', what, `${read.problem}; the policy requires ${want}`, {
          expected: want,
          actual: 'unreadable manifest',
        });
        continue;
      }
      algorithms = read.algorithms;
      source = 'its manifest';
    } else if (descriptor.mediaType === LINEPROOF_MANIFEST_MEDIA_TYPE) {
      report.fail(
        'chain.hashing',
        'HASHING_UNKNOWN',
        what,
        `a manifest subject whose manifest no trusted attestation of the chain inlines (a sidecar cannot be read offline); the policy requires ${want}`,
        { expected: want, actual: 'unknown' },
      );
      continue;
    } else {
      algorithms = Object.keys(descriptor.digest).sort();
      source = 'its digest';
    }
    const problems = hashingProblems(algorithms, rule);
    if (problems.length > 0)
      report.fail(
        'chain.hashing',
        'HASHING_MISMATCH',
        what,
        `hashed with ${algorithms.join(', ')} (${source}): ${problems.join('; ')}`,
        { expected: want, actual: algorithms.join(', ') },
      );
    else
      report.pass(
        'chain.hashing',
        what,
        `hashed with ${algorithms.join(', ')} (${source}), as the policy requires (${want})`,
        { expected: want, actual: algorithms.join(', ') },
      );
  }
}
