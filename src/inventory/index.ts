/**
 * The inventory (decisions §16): a PostgreSQL database of what bundles say — envelopes, their
 * trusted signers under a policy, subjects and references — and the questions an organisation
 * asks of it: lineage, blast radius, unapproved promotions, expiring approvals, registered models
 * without evidence, and what fails the policy now. An index, never evidence by itself: every answer
 * about trust comes from the verifier's rules over the stored envelopes.
 *
 * The package entry `lineproof/inventory` (zero-I/O, like `lineproof`: give it any PostgreSQL
 * client as a {@link SqlClient}); `lineproof/node` opens PGlite or a server (`openInventory`).
 * @module
 */
export { MIGRATIONS, SCHEMA_VERSION, type Migration } from './schema.js';
export { migrate, type SqlClient, type SqlQueryable, type Row } from './db.js';
export {
  ingestBundle,
  indexTrust,
  envelopeId,
  type IngestOptions,
  type IngestResult,
  type IngestLineError,
  type IndexTrustResult,
} from './ingest.js';
export {
  upstream,
  downstream,
  type InventoryNode,
  type InventoryEdge,
  type InventorySubject,
  type InventorySigner,
  type Lineage,
  type BlastRadius,
  type AffectedModel,
  type DownstreamTarget,
} from './lineage.js';
export type { QuestionOptions } from './common.js';
export {
  unapproved,
  expiring,
  unevidenced,
  failing,
  chainLines,
  type UnapprovedPromotion,
  type UnapprovedOptions,
  type ExpiringApproval,
  type ExpiringOptions,
  type UnevidencedModel,
  type FailingModel,
  type FailingOptions,
  type FailingResult,
} from './governance.js';
