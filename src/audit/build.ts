/**
 * {@link buildAudit}: the audit document of one verification (spec/audit.md). Only trusted
 * material is drawn: the links the verifier resolved (from the report), and attestations of the
 * bundle a policy key verifies; an envelope no policy key verifies is counted, never shown. The
 * work is bounded: at most {@link AUDIT_NODE_CAP} attestations outside the verdict are
 * authenticated, each signature against each policy key once, as `resolveSignatures` does.
 */
import { indexBundle, resolveSignatures, type BundleAttestation, type BundleIndex } from '../bundle/lookup.js';
import { readBundle } from '../bundle/jsonl.js';
import { digestText, shortDigestText } from '../digest/index.js';
import { keyidOf } from '../keys/keyid.js';
import type { SignatureVerifier } from '../keys/types.js';
import type { Limits } from '../limits.js';
import type { Policy } from '../policy/policy.js';
import type { ChainLink, Check, Report } from '../report/index.js';
import { describeAttestation } from '../statements/describe.js';
import type { ParsedAttestationPayload } from '../statements/predicates/index.js';
import { auditCard, auditMetrics } from './card.js';
import { AUDIT_VERSION, type Audit, type AuditEdge, type AuditNode, type AuditSigner, type AuditVsa } from './types.js';

/** Attestations outside the verdict drawn at most (the rest are counted in `hidden.overCap`). */
export const AUDIT_NODE_CAP = 64;

/** Inputs of {@link buildAudit}. */
export interface BuildAuditInput {
  /** The verification report (`verifyChain(...).report`). */
  report: Report;
  /** The bundle that was verified: `.intoto.jsonl` text or bytes, or its envelopes. */
  bundle: Parameters<typeof readBundle>[0];
  /** The policy it was verified against. */
  policy: Policy;
  /** The artifact: the name it was verified under and its digest (`sha256:<hex>`). */
  subject: { name: string; digest: string };
  /** The use case asked for, or null for "any". */
  useCase?: string | null;
  /** Payload digests the verdict relied on (`verifyChain(...).used`); default: the report's chain. */
  used?: readonly string[];
  /** The signed verification summary of this verdict, with what it says. */
  vsa?: AuditVsa;
  /** What produced the document, e.g. `lineproof 0.1.0`. */
  generator?: string;
  /** Signature verifier for attestations outside the verdict (default: the core's strict Ed25519). */
  verifier?: SignatureVerifier;
  limits?: Partial<Limits>;
}

const mentions = (check: Check, digest: string): boolean => check.subject.includes(shortDigestText(digest));

/** The node of one attestation, its status judged from the report's failed checks. */
function nodeOf(
  a: ParsedAttestationPayload,
  signers: AuditSigner[],
  status: AuditNode['status'],
  failed: readonly Check[],
  baseModel: boolean,
): AuditNode {
  const about = failed.filter((c) => mentions(c, a.payloadDigest));
  const codes = [...new Set(about.map((c) => c.code))];
  let judged = status;
  if (codes.some((c) => c === 'REVOKED' || c === 'KEY_REVOKED')) judged = 'revoked';
  else if (codes.length > 0) judged = 'failing';
  return {
    id: a.payloadDigest,
    stage: a.stage,
    label: describeAttestation(a),
    status: judged,
    baseModel,
    issuedAt: a.issuedAt,
    attester: a.attester.id,
    signers,
    subjects: a.statement.subject.map((s) => ({ name: s.name ?? null, digest: digestText(s.digest) })),
    codes,
  };
}

const linkSigners = (l: ChainLink): AuditSigner[] =>
  l.signers.map((s) => ({ keyid: s.keyid, identity: s.identity ?? null, roles: s.role ? [s.role] : [] }));

/** Signers of an attestation outside the verdict, resolved against the policy's keys. */
async function resolvedSigners(a: BundleAttestation, policy: Policy, verifier?: SignatureVerifier) {
  const sigs = await resolveSignatures(a.entry.envelope, policy.keys, verifier);
  const out: AuditSigner[] = [];
  for (const s of sigs)
    if (s.key) out.push({ keyid: keyidOf(s.key.publicKey), identity: s.key.identity, roles: [...s.key.roles] });
  return out;
}

/** The artifact's node: verified when a verified link is about its digest. */
function artifactNode(input: BuildAuditInput, nodes: AuditNode[], failed: readonly Check[]): AuditNode {
  const d = input.subject.digest;
  const attested = nodes.some((n) => n.status === 'verified' && n.subjects.some((s) => s.digest === d));
  // The artifact's own checks: which approved subject it is (chain.approval, chain.subject) and,
  // for a directory, its files against the attested manifest (artifact.*).
  const about = failed.filter(
    (c) => c.id === 'chain.approval' || c.id === 'chain.subject' || c.id.startsWith('artifact.'),
  );
  return {
    id: 'artifact',
    stage: 'artifact',
    label: input.subject.name,
    status: attested && about.length === 0 ? 'verified' : 'failing',
    baseModel: false,
    issuedAt: null,
    attester: null,
    signers: [],
    subjects: [{ name: input.subject.name, digest: d }],
    codes: [...new Set(about.map((c) => c.code))],
  };
}

/** Edges among drawn nodes (and to missing ones), and from the artifact to what attests it. */
function edgesOf(index: BundleIndex, nodes: Map<string, AuditNode>, artifact: AuditNode): AuditEdge[] {
  const edges: AuditEdge[] = [];
  const missing: AuditNode[] = [];
  for (const n of nodes.values()) {
    const a = index.get(n.id);
    for (const r of a?.attestation.references ?? []) {
      if (r.role === 'revokes' && !nodes.has(r.digest)) continue;
      if (!nodes.has(r.digest) && !missing.some((m) => m.id === r.digest))
        missing.push({
          id: r.digest,
          stage: r.stage ?? 'unknown',
          label: `${r.stage ?? 'attestation'} referred to as ${r.path}, carried by no trusted envelope`,
          status: 'missing',
          baseModel: n.baseModel,
          issuedAt: null,
          attester: null,
          signers: [],
          subjects: [],
          codes: [],
        });
      edges.push({ from: n.id, to: r.digest, role: r.role });
    }
  }
  for (const m of missing) nodes.set(m.id, m);
  const producers = [...nodes.values()].filter(
    (n) => n.stage === 'training' && n.subjects.some((s) => s.digest === artifact.subjects[0]!.digest),
  );
  for (const p of producers) edges.push({ from: 'artifact', to: p.id, role: 'produced-by' });
  return edges;
}

/**
 * Build the audit document of a verification: pure, bounded, never throws on untrusted input
 * (an unreadable bundle gives a document with no attestation nodes).
 * @param input the report, the bundle, the policy, the artifact (see {@link BuildAuditInput})
 * @returns the audit document (spec/audit.md), ready for the renderers
 * @example
 * ```ts
 * const v = await verifyChain({ bundle, policy, subject, useCase: 'support-chat', asOf });
 * const audit = await buildAudit({ report: v.report, used: v.used, bundle, policy,
 *   subject: { name: 'model/', digest: 'sha256:…' }, useCase: 'support-chat' });
 * const html = renderAuditHtml(audit);
 * ```
 */
export async function buildAudit(input: BuildAuditInput): Promise<Audit> {
  const { report, policy } = input;
  const failed = report.checks.filter((c) => c.status === 'fail');
  const bundle = readBundle(input.bundle, input.limits ? { limits: input.limits } : {});
  const index = indexBundle(bundle, input.limits ? { limits: input.limits } : {});
  const chain = report.results.flatMap((r) => r.chain);
  const inputs = [...new Set(input.used ?? chain.map((l) => l.payloadDigest))];
  const nodes = new Map<string, AuditNode>();
  for (const l of chain) {
    const a = index.get(l.payloadDigest);
    if (a && !nodes.has(l.payloadDigest))
      nodes.set(l.payloadDigest, nodeOf(a.attestation, linkSigners(l), 'verified', failed, false));
  }
  const base = policy.baseModelPolicy ?? policy;
  for (const d of inputs) {
    const a = index.get(d);
    if (!a || nodes.has(d)) continue;
    nodes.set(d, nodeOf(a.attestation, await resolvedSigners(a, base, input.verifier), 'verified', failed, true));
  }
  let untrusted = 0;
  let overCap = 0;
  let drawn = 0;
  for (const a of index.attestations) {
    if (nodes.has(a.entry.payloadDigest)) continue;
    if (drawn >= AUDIT_NODE_CAP) {
      overCap++;
      continue;
    }
    drawn++;
    const signers = await resolvedSigners(a, policy, input.verifier);
    if (signers.length === 0) untrusted++;
    else nodes.set(a.entry.payloadDigest, nodeOf(a.attestation, signers, 'outside', failed, false));
  }
  const artifact = artifactNode(input, [...nodes.values()], failed);
  const edges = edgesOf(index, nodes, artifact);
  const trusted = [...nodes.values()].filter((n) => n.status !== 'missing' && n.status !== 'outside');
  const verifiedAttestations = trusted.map((n) => index.get(n.id)!.attestation);
  const trust = report.checks.find((c) => c.id === 'policy.trust');
  return {
    auditVersion: AUDIT_VERSION,
    generator: input.generator ?? 'lineproof',
    verdict: report.ok ? 'PASSED' : 'FAILED',
    subject: { ...input.subject },
    useCase: input.useCase ?? null,
    asOf: report.asOf,
    policy: {
      id: policy.document.id,
      version: policy.document.version,
      digest: report.policyDigest ?? policy.digest,
      trust: trust ? { code: trust.code, status: trust.status, message: trust.message } : null,
      signers: [...(policy.trust?.signers ?? [])],
      keys: policy.keys.map((k) => ({
        name: k.name,
        keyid: keyidOf(k.publicKey),
        identity: k.identity,
        roles: [...k.roles],
      })),
    },
    nodes: [artifact, ...nodes.values()],
    edges,
    hidden: { untrusted, overCap, unreadable: bundle.errors.length },
    inputs,
    metrics: auditMetrics(verifiedAttestations, report),
    card: auditCard(verifiedAttestations, report, policy),
    failed,
    report,
    vsa: input.vsa ?? null,
  };
}
