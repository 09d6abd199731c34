/**
 * The command table. Each command lives in its own file in this folder; add it here, one line
 * each (merge-friendly), in the order it should appear in `lineproof --help`.
 */
import type { Command } from '../types.js';
import { canonicalCommand } from './canonical.js';
import { demoCommand } from './demo.js';
import { keygenCommand } from './keygen.js';
import { keyInfoCommand } from './key-info.js';
import { policyCheckCommand, policyInitCommand, policySchemaCommand } from './policy-author.js';
import { dsseSignCommand } from './dsse-sign.js';
import { dsseVerifyCommand } from './dsse-verify.js';
import { hashCommand } from './hash.js';
import { hashProveCommand } from './hash-proof.js';
import { hashMergeCommand } from './hash-part.js';
import { hashCheckProofCommand } from './hash-check-proof.js';
import { verifyCommand } from './verify.js';
import { reportCommand } from './report.js';
import { vsaShowCommand, vsaVerifyCommand } from './vsa.js';
import { revokeAddCommand, revokeShowCommand, revokeSignCommand } from './revoke.js';
import { policyDiffCommand, policyShowCommand, policySignCommand, policyVerifyCommand } from './policy.js';
import { attestDatasetCommand } from './attest-dataset.js';
import { attestTrainingCommand } from './attest-training.js';
import { attestRegistrationCommand } from './attest-registration.js';
import { attestEvaluationCommand } from './attest-evaluation.js';
import { attestApprovalCommand } from './attest-approval.js';
import { attestPromotionCommand } from './attest-promotion.js';
import { attestRevocationCommand } from './attest-revocation.js';
import { attestCosignCommand } from './attest-cosign.js';
import { inspectCommand } from './inspect.js';
import { omsSignCommand } from './oms.js';
import { omsVerifyCommand } from './oms-verify.js';
import { bundleFromSigstoreCommand, bundleToSigstoreCommand } from './bundle-sigstore.js';
import { bundleTimestampAttachCommand, bundleTimestampQueryCommand } from './bundle-timestamp.js';
import { inventoryDownstreamCommand, inventoryIngestCommand, inventoryUpstreamCommand } from './inventory.js';
import {
  inventoryExpiringCommand,
  inventoryFailingCommand,
  inventoryUnapprovedCommand,
  inventoryUnevidencedCommand,
} from './inventory-questions.js';
import { ociPullCommand, ociPushCommand } from './oci.js';

export const COMMANDS: Command[] = [
  demoCommand,
  keygenCommand,
  keyInfoCommand,
  hashCommand,
  hashMergeCommand,
  hashProveCommand,
  hashCheckProofCommand,
  verifyCommand,
  reportCommand,
  vsaVerifyCommand,
  vsaShowCommand,
  policyInitCommand,
  policyCheckCommand,
  policySchemaCommand,
  policySignCommand,
  policyVerifyCommand,
  policyShowCommand,
  policyDiffCommand,
  revokeAddCommand,
  revokeSignCommand,
  revokeShowCommand,
  attestDatasetCommand,
  attestTrainingCommand,
  attestRegistrationCommand,
  attestEvaluationCommand,
  attestApprovalCommand,
  attestPromotionCommand,
  attestRevocationCommand,
  attestCosignCommand,
  inspectCommand,
  inventoryIngestCommand,
  inventoryUpstreamCommand,
  inventoryDownstreamCommand,
  inventoryUnapprovedCommand,
  inventoryExpiringCommand,
  inventoryUnevidencedCommand,
  inventoryFailingCommand,
  dsseSignCommand,
  dsseVerifyCommand,
  canonicalCommand,
  omsVerifyCommand,
  omsSignCommand,
  bundleToSigstoreCommand,
  bundleFromSigstoreCommand,
  bundleTimestampQueryCommand,
  bundleTimestampAttachCommand,
  ociPushCommand,
  ociPullCommand,
];
