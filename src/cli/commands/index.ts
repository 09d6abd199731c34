/**
 * The command table. Each command lives in its own file in this folder; add it here, in the
 * order it should appear in `lineproof --help`.
 */
import type { Command } from '../types.js';
import { canonicalCommand } from './canonical.js';
import { hashCheckProofCommand, hashProveCommand } from './hash-proof.js';

export const COMMANDS: Command[] = [canonicalCommand, hashProveCommand, hashCheckProofCommand];
