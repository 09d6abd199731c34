// Types of bench/inventory-world.mjs for the TypeScript tests that import it.
import type { KeyObject } from 'node:crypto';

export declare const ROLES: Record<
  'steward' | 'trainer' | 'registrar' | 'evaluator' | 'alice' | 'deployer' | 'mallory',
  string
>;
export declare function keyOf(name: string): { privateKey: KeyObject; publicKeyHex: string; keyid: string };
export declare function signStatement(
  statement: unknown,
  names: string[],
): { payload: Uint8Array; digest: string; line: string };
export declare function inventoryPolicy(): import('../src/json/strict.js').JsonObject;
export declare const modelDigest: (i: number) => string;
export declare const sourceDigest: (j: number) => string;
export declare const datasetDigest: (i: number) => string;
export declare const ENVIRONMENTS: string[];
export interface GeneratedModel {
  index: number;
  digest: string;
  dataset: string;
  source: string;
  base?: number;
  training: string;
  approval: string;
  promotions: string[];
  lines: string[];
}
export declare function generateInventory(options: {
  models: number;
  sources?: number;
  onModel?: (i: number, lines: string[]) => void;
}): { policy: import('../src/json/strict.js').JsonObject; sources: string[]; models: GeneratedModel[] };
