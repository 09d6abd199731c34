/**
 * A world for verification-summary tests: the chain world of ./world.ts with a verifier role held
 * by two gate identities (keys `gate` and `gate2`, from fixed seeds) added to its policy.
 */
import { utf8 } from '../../src/bytes/index.js';
import { sha256 } from '../../src/digest/index.js';
import { privateKeyFromSeed, publicKeyToHex } from '../../src/keys/keys.js';
import type { PrivateKey } from '../../src/keys/types.js';
import { buildWorld, type World, type WorldOptions } from './world.js';

export const GATE = 'https://gate.example.com/ci';
export const GATE2 = 'https://gate2.example.com/ci';

const cache = new Map<string, PrivateKey>();
/** A verifier-side key from a fixed seed (`gate`, `gate2`, or any other label). */
export async function gateKey(label: string): Promise<PrivateKey> {
  let k = cache.get(label);
  if (!k) {
    k = await privateKeyFromSeed(sha256(utf8(`lineproof test key: ${label}`)));
    cache.set(label, k);
  }
  return k;
}

/** The chain world whose policy also has the verifier role. */
export async function vsaWorld(
  opts: WorldOptions & { edit?: (doc: Record<string, any>) => void; threshold?: number } = {},
): Promise<World> {
  const gate = publicKeyToHex((await gateKey('gate')).publicKey);
  const gate2 = publicKeyToHex((await gateKey('gate2')).publicKey);
  return buildWorld({
    ...opts,
    policy: (doc) => {
      doc.keys.gate = { publicKey: gate };
      doc.keys.gate2 = { publicKey: gate2 };
      doc.identities[GATE] = { keys: ['gate'] };
      doc.identities[GATE2] = { keys: ['gate2'] };
      doc.roles.verifier = { identities: [GATE, GATE2], threshold: opts.threshold ?? 1 };
      opts.policy?.(doc);
      opts.edit?.(doc);
    },
  });
}
