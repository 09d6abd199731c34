/** One-line descriptions of attestations and digests, for `attest` summaries and the `inspect` tree. */
import type { BundleAttestation } from '../../bundle/lookup.js';
import { digestText } from '../../digest/index.js';

export { digestText };
import { describeAttestation } from '../../statements/describe.js';

export { describeAttestation };

/** One candidate predecessor, as listed in PREDECESSOR_AMBIGUOUS errors. */
export function candidateLine(a: BundleAttestation): string {
  return `  ${a.entry.payloadDigest}  ${a.attestation.stage} ${describeAttestation(a.attestation)}, issued ${a.attestation.issuedAt} by ${a.attestation.attester.id} (line ${a.entry.lines.join(', ')})`;
}

/** Several candidates listed, one a line. */
export function listCandidates(found: readonly BundleAttestation[]): string {
  return found.map(candidateLine).join('\n');
}
