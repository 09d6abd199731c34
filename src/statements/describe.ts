/** One-line descriptions of attestations: for `attest` summaries, the `inspect` tree and the audit report. */
import { digestText } from '../digest/index.js';
import type { ParsedAttestationPayload } from './predicates/index.js';

function shortDigest(d: string): string {
  return d.length > 26 ? `${d.slice(0, 19)}…` : d;
}

/** A one-line description of an attestation, for lists of candidates and the inspect tree. */
export function describeAttestation(a: ParsedAttestationPayload): string {
  switch (a.stage) {
    case 'dataset':
      return `${a.predicate.name}@${a.predicate.version}`;
    case 'training':
      return `${a.statement.subject.map((s) => s.name ?? shortDigest(digestText(s.digest))).join(', ')} by ${a.predicate.runDetails.builder.id}`;
    case 'registration':
      return `${a.predicate.model.name}@${a.predicate.model.version} owned by ${a.predicate.owner} (${a.predicate.useCases.map((u) => `${u.id}: ${u.riskTier}`).join(', ')})`;
    case 'evaluation':
      return `${a.predicate.suite.name}@${a.predicate.suite.version} ${a.predicate.result}`;
    case 'approval':
      return `${a.predicate.decision} ${a.predicate.useCase.id} for ${a.predicate.stage} (tier ${a.predicate.riskTier})`;
    case 'promotion':
      return `${a.predicate.stage} ${a.predicate.environment}`;
    case 'revocation':
      return `${a.predicate.kind} ${a.predicate.reason}`;
    default: {
      const never: never = a;
      return String((never as ParsedAttestationPayload).stage);
    }
  }
}
