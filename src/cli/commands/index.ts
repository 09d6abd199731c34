/**
 * The command table. Each command lives in its own file in this folder; add it here, in the
 * order it should appear in `lineproof --help`.
 */
import type { Command } from '../types.js';
import { canonicalCommand } from './canonical.js';
import { keygenCommand } from './keygen.js';
import { dsseSignCommand } from './dsse-sign.js';
import { dsseVerifyCommand } from './dsse-verify.js';

export const COMMANDS: Command[] = [canonicalCommand, keygenCommand, dsseSignCommand, dsseVerifyCommand];
