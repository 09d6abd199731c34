/**
 * The model behind `lineproof inspect`: each attestation of a chain with what it says, its
 * signatures (resolved against the policy, when given), its references and referrers, and the
 * problems found (dangling or mis-staged references, untrusted signers); inspect.ts renders it.
 */
import {
  indexBundle,
  resolveSignatures,
  type BundleAttestation,
  type BundleIndex,
  type ResolvedSignature,
} from '../../bundle/lookup.js';
import type { ErrorCode } from '../../errors.js';
import type { readBundleFile } from '../../node/bundle.js';
import { nodeEd25519Verifier } from '../../node/ed25519.js';
import type { Policy } from '../../policy/policy.js';
import { keyStanding } from '../../policy/key-standing.js';
import { ROLE_OF_STAGE } from '../../policy/roles.js';
import type { Stage } from '../../statements/predicates/common.js';
import { shortDigestText } from '../../digest/index.js';
import { describeAttestation, digestText } from './describe.js';

export interface InspectSignature {
  keyid: string | null;
  /** With --policy: the policy key name, identity and roles, or null when no policy key verifies it. */
  key?: string | null;
  identity?: string | null;
  roles?: string[];
}

export interface InspectReference {
  role: string;
  stage: string | null;
  digest: string;
  path: string;
  inChain: boolean;
}

export interface InspectAttestation {
  payloadDigest: string;
  stage: Stage;
  summary: string;
  predicateType: string;
  issuedAt: string;
  attester: string;
  lines: number[];
  subjects: Array<{ name: string | null; digest: string }>;
  signatures: InspectSignature[];
  references: InspectReference[];
  referencedBy: string[];
  revokedBy: string[];
  /** With --policy: whether a policy key of the stage's role that counts at issuedAt verifies a signature. */
  trusted?: boolean;
}

export interface Problem {
  code: ErrorCode;
  subject: string;
  message: string;
}

export interface Inspection {
  chain: string;
  policyDigest: string | null;
  ok: boolean;
  attestations: InspectAttestation[];
  roots: string[];
  others: Array<{ payloadDigest: string; lines: number[]; code: ErrorCode; message: string }>;
  unreadable: Array<{ line: number; code: ErrorCode; message: string }>;
  problems: Problem[];
}

const STAGE_ORDER: Stage[] = [
  'promotion',
  'approval',
  'evaluation',
  'registration',
  'training',
  'dataset',
  'revocation',
];

/** A digest shortened for the inspect tree (src/digest's one form). */
export const short = shortDigestText;

/** The references of an attestation, each problem with them added to `problems`. */
function referencesOf(index: BundleIndex, a: BundleAttestation, at: string, problems: Problem[]): InspectReference[] {
  return a.attestation.references.map((r) => {
    const target = index.get(r.digest);
    const other = target ? undefined : index.others.find((o) => o.entry.payloadDigest === r.digest);
    if (r.role !== 'revokes') {
      if (other)
        problems.push({
          code: 'REFERENCE_INVALID',
          subject: at,
          message: `${r.path} refers to ${short(r.digest)} (line ${other.entry.lines.join(', ')}), which is not a lifecycle attestation (${other.code})`,
        });
      else if (!target)
        problems.push({
          code: 'REFERENCE_UNRESOLVED',
          subject: at,
          message: `${r.path} refers to ${short(r.digest)} (${r.role}), which is not in the chain`,
        });
      else if (r.stage !== undefined && target.attestation.stage !== r.stage)
        problems.push({
          code: 'REFERENCE_STAGE_MISMATCH',
          subject: at,
          message: `${r.path} refers to a ${target.attestation.stage} attestation where a ${r.stage} is required`,
        });
    }
    return {
      role: r.role,
      stage: r.stage ?? null,
      digest: r.digest,
      path: r.path,
      inChain: target !== undefined || other !== undefined,
    };
  });
}

export async function inspect(
  chainName: string,
  bundle: ReturnType<typeof readBundleFile>,
  policy: Policy | undefined,
): Promise<Inspection> {
  const index = indexBundle(bundle);
  const problems: Problem[] = [];
  const sigs = new Map<string, ResolvedSignature[]>();
  if (policy)
    for (const a of index.attestations)
      sigs.set(a.entry.payloadDigest, await resolveSignatures(a.entry.envelope, policy.keys, nodeEd25519Verifier));
  const revokedBy = new Map<string, string[]>();
  for (const r of index.ofStage('revocation')) {
    for (const ref of r.attestation.references)
      revokedBy.set(ref.digest, [...(revokedBy.get(ref.digest) ?? []), r.entry.payloadDigest]);
  }
  const attestations: InspectAttestation[] = index.attestations.map((a) => {
    const p = a.attestation;
    const at = `${p.stage} ${short(a.entry.payloadDigest)} (line ${a.entry.lines.join(', ')})`;
    const references = referencesOf(index, a, at, problems);
    const signatures: InspectSignature[] = a.entry.envelope.signatures.map((s, i) => {
      const base: InspectSignature = { keyid: s.keyid ?? null };
      if (!policy) return base;
      const k = sigs.get(a.entry.payloadDigest)?.[i]?.key;
      return { ...base, key: k?.name ?? null, identity: k?.identity ?? null, roles: k?.roles ?? [] };
    });
    const out: InspectAttestation = {
      payloadDigest: a.entry.payloadDigest,
      stage: p.stage,
      summary: describeAttestation(p),
      predicateType: p.predicateType,
      issuedAt: p.issuedAt,
      attester: p.attester.id,
      lines: a.entry.lines,
      subjects: p.statement.subject.map((s) => ({ name: s.name ?? null, digest: digestText(s.digest) })),
      signatures,
      references,
      referencedBy: index
        .referrers(a.entry.payloadDigest)
        .filter((r) => r.reference.role !== 'revokes')
        .map((r) => r.from.entry.payloadDigest),
      revokedBy: revokedBy.get(a.entry.payloadDigest) ?? [],
    };
    if (policy) {
      const role = ROLE_OF_STAGE[p.stage];
      const keys = (sigs.get(a.entry.payloadDigest) ?? []).filter((s) => s.key);
      // The one answer to "does this key count" (validity window, status, policy revocations).
      const standings = keys.map((s) => keyStanding(policy, s.key!, { role, at: p.issuedAt }));
      out.trusted = standings.some((k) => k.counts);
      const rejected = standings.find((k) => k.inRole && k.rejected)?.rejected;
      if (keys.length === 0)
        problems.push({
          code: 'UNTRUSTED_SIGNER',
          subject: at,
          message: 'no signature verifies under a key of the policy',
        });
      else if (!out.trusted && rejected) problems.push({ code: rejected.code, subject: at, message: rejected.message });
      else if (!out.trusted)
        problems.push({
          code: 'SIGNER_NOT_IN_ROLE',
          subject: at,
          message: `signed by ${[...new Set(keys.map((s) => s.key!.identity))].join(', ')}, none holding the ${role} role`,
        });
    }
    return out;
  });
  for (const e of bundle.errors)
    problems.push({
      code: e.code === 'LIMIT_EXCEEDED' ? 'LIMIT_EXCEEDED' : 'BUNDLE_LINE_INVALID',
      subject: `line ${e.line}`,
      message: e.message,
    });
  const rank = (a: InspectAttestation) => STAGE_ORDER.indexOf(a.stage);
  const roots = attestations
    .filter((a) => a.stage !== 'revocation' && a.referencedBy.length === 0)
    .sort((x, y) => rank(x) - rank(y) || (x.issuedAt < y.issuedAt ? 1 : x.issuedAt > y.issuedAt ? -1 : 0))
    .map((a) => a.payloadDigest);
  return {
    chain: chainName,
    policyDigest: policy?.digest ?? null,
    ok: problems.length === 0,
    attestations,
    roots,
    others: index.others.map((o) => ({
      payloadDigest: o.entry.payloadDigest,
      lines: o.entry.lines,
      code: o.code,
      message: o.message,
    })),
    unreadable: bundle.errors.map((e) => ({ line: e.line, code: e.code, message: e.message })),
    problems,
  };
}
