/**
 * The audit document (decisions §12, spec/audit.md): a verification report with what an auditor
 * reads beside it — the lineage as nodes and edges, each stage's signers and times, the metrics
 * against their gates, the policy, an AI card from the registration and the approval, and the
 * signed verification summary when one was produced. It is built from trusted material only
 * (attestations a policy key verifies), and every renderer (HTML, Markdown, DOT, Mermaid) is a
 * pure function of it.
 */
import type { Check, Report } from '../report/index.js';

/** Version of the audit document; bumped only for incompatible changes. */
export const AUDIT_VERSION = 1 as const;

/**
 * A lineage node's standing in the verdict: `verified` (a link the verdict rests on), `failing`
 * (a failed check is about it), `revoked`, `missing` (referred to, but no trusted envelope
 * carries it), or `outside` (trusted, in the bundle, not part of the verdict).
 */
export type NodeStatus = 'verified' | 'failing' | 'revoked' | 'missing' | 'outside';

/** One signer of a node, as the policy names it. */
export interface AuditSigner {
  /** The keyid of the policy key (lowercase hex of the securesystemslib keyid), when known. */
  keyid: string | null;
  identity: string | null;
  /** The role it signed in (a verified link), or the roles the identity holds. */
  roles: string[];
}

/** One node of the lineage graph: an attestation, or the artifact that was verified. */
export interface AuditNode {
  /** The payload digest (`sha256:<hex>`) of an attestation, or `artifact`. */
  id: string;
  /** A lifecycle stage, or `artifact`. */
  stage: string;
  /** One line saying what it is (a dataset's name and version, a suite and its result, ...). */
  label: string;
  status: NodeStatus;
  /** Part of a base model's chain (an ancestor of a fine-tune). */
  baseModel: boolean;
  issuedAt: string | null;
  /** The identity the statement claims as its author. */
  attester: string | null;
  signers: AuditSigner[];
  subjects: Array<{ name: string | null; digest: string }>;
  /** Codes of the failed checks about this node. */
  codes: string[];
}

/** A reference: `from` (the later step) refers to `to` (the earlier one) in `role`. */
export interface AuditEdge {
  from: string;
  to: string;
  role: string;
}

/** One metric of a trusted evaluation of the chain, beside the gate it was checked against. */
export interface AuditMetric {
  /** Payload digest of the evaluation. */
  evaluation: string;
  name: string;
  category: string;
  value: number;
  unit: string | null;
  /** The gate checked, e.g. `>= 0.9` (the policy's, or the evaluator's declared threshold). */
  gate: string | null;
  /** The check's status, or null when no check ran for it. */
  status: 'pass' | 'fail' | 'skip' | null;
  code: string | null;
}

/** The AI card: what the registration and the approval say about the model, and its evaluation. */
export interface AuditCard {
  model: { name: string; version: string } | null;
  owner: string | null;
  description: string | null;
  useCases: Array<{ id: string; description: string; tier: string }>;
  limitations: string[];
  license: string | null;
  contacts: string[];
  /** Each trusted evaluation: suite, result, and metrics passed of those gated. */
  evaluations: Array<{ payloadDigest: string; suite: string; result: string; passed: number; gated: number }>;
  approval: {
    payloadDigest: string;
    decision: string;
    useCase: string;
    tier: string;
    stage: string;
    notBefore: string;
    expires: string;
    conditions: string[];
    runtimeScope: { tools: string[]; dataClasses: string[]; secretScopes: string[] };
    approvers: string[];
  } | null;
  registration: string | null;
}

/** The policy the verdict was reached under. */
export interface AuditPolicy {
  id: string;
  version: number;
  digest: string;
  /** How it is trusted: the `policy.trust` check (code and message), when the report has one. */
  trust: { code: string; status: string; message: string } | null;
  /** Names of the admin keys whose signatures verified (a signed policy); empty when unsigned. */
  signers: string[];
  keys: Array<{ name: string; keyid: string; identity: string; roles: string[] }>;
}

/** The embedded verification summary: the envelope exactly as signed, and what it says. */
export interface AuditVsa {
  /** The envelope as written by `verify --vsa-out` (one JSON line). */
  envelope: string;
  payloadDigest: string;
  verificationResult: string;
  resourceUri: string;
}

/** The audit document, version 1. */
export interface Audit {
  auditVersion: typeof AUDIT_VERSION;
  /** What produced it, e.g. `lineproof 0.1.0`. */
  generator: string;
  verdict: 'PASSED' | 'FAILED';
  subject: { name: string; digest: string };
  useCase: string | null;
  asOf: string | null;
  policy: AuditPolicy;
  nodes: AuditNode[];
  edges: AuditEdge[];
  /** Envelopes of the bundle left out of the graph: signed by no policy key, or past the cap. */
  hidden: { untrusted: number; overCap: number; unreadable: number };
  /** Payload digests of every attestation the verdict relied on (a VSA's inputAttestations). */
  inputs: string[];
  metrics: AuditMetric[];
  card: AuditCard;
  /** The failed checks, for a reader who starts there (the full list is in `report`). */
  failed: Check[];
  report: Report;
  vsa: AuditVsa | null;
}
