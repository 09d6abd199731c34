/**
 * Which role signs which stage of a chain: the one table the verifier, the attest CLI and
 * predecessor lookup share.
 * @module
 */
import type { Stage } from '../statements/predicates/common.js';
import type { Role } from './schema.js';

/** The role that must sign each stage. */
export const ROLE_OF_STAGE: Readonly<Record<Stage, Role>> = Object.freeze({
  dataset: 'data-steward',
  training: 'trainer',
  registration: 'registrar',
  evaluation: 'evaluator',
  approval: 'approver',
  promotion: 'deployer',
  revocation: 'revoker',
});
