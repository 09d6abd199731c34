/**
 * Step 12 of chain verification (spec/verification.md): the rest of the bundle — unreferenced
 * attestations, untrusted envelopes, envelopes of other payloadTypes and signatures no policy
 * key verifies — listed as skipped, never failed.
 */
import { shortDigestText } from '../digest/index.js';
import type { BundleEntry } from '../bundle/jsonl.js';
import type { ReportBuilder } from '../report/index.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../statements/statement.js';
import type { Node } from './authenticate.js';

/** Step 12: a skip for everything the chain did not use. */
export function listRest(
  report: ReportBuilder,
  nodes: Map<string, Node>,
  others: readonly BundleEntry[],
  used: ReadonlySet<string>,
): void {
  for (const node of nodes.values()) {
    const where = `${shortDigestText(node.digest)} (line ${node.lines.join(', ')})`;
    if (node.state !== 'untrusted' && node.unverified.length > 0) {
      const lines = [...new Set(node.unverified.flatMap((u) => u.lines))].sort((a, b) => a - b);
      report.skip(
        'bundle.signature',
        'DSSE_SIGNATURE_UNVERIFIED',
        where,
        `${node.unverified.length} signature(s) verified by no policy key (line ${lines.join(', ')}); not counted`,
      );
    }
    if (used.has(node.digest)) continue;
    if (node.state === 'untrusted') {
      // why each certificate on the envelope's lines did not count, so the auditor sees it
      const why = node.unverified.filter((u) => u.message !== undefined).map((u) => `${u.code}: ${u.message}`);
      report.skip(
        'bundle.untrusted',
        'UNTRUSTED_SIGNER',
        where,
        `signed by no key the policy trusts${why.length > 0 ? ` (certificate ${why.join('; ')})` : ''}; not part of the lineage graph`,
      );
    } else if (node.state === 'invalid')
      report.skip('bundle.unreferenced', node.error.code, where, `not referenced by the chain: ${node.error.message}`);
    else
      report.skip(
        'bundle.unreferenced',
        'UNREFERENCED',
        where,
        `${node.parsed.stage} attestation not referenced by the chain`,
      );
  }
  for (const other of others) {
    report.skip(
      'bundle.other',
      'DSSE_PAYLOAD_TYPE_MISMATCH',
      `${shortDigestText(other.payloadDigest)} (line ${other.lines.join(', ')})`,
      `payloadType ${JSON.stringify(other.envelope.payloadType)} is not ${JSON.stringify(IN_TOTO_PAYLOAD_TYPE)}: not an attestation, not checked`,
    );
  }
}
