/**
 * keyStanding at its edges: each cut-off at the exact nanosecond, every form of `at`, unreadable
 * times failing closed, and several revocations of one key (the compromise wins).
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy, type Policy } from '../../src/policy/policy.js';
import {
  addKeyRevocation,
  keyStanding,
  policyKeyRevocations,
  type KeyRevocations,
} from '../../src/policy/key-standing.js';
import { parseTimestamp } from '../../src/time/index.js';
import { policyDoc } from '../helpers/world.js';

async function policyWith(change: (d: Record<string, any>) => void): Promise<Policy> {
  const d = await policyDoc();
  change(d);
  return parsePolicy(d);
}
const ns = (t: string) => parseTimestamp(t).epochNanos;
const codeOf = (p: Policy, at: bigint | Date | string | undefined, revocations?: KeyRevocations) => {
  const s = keyStanding(p, p.keyByName.get('steward')!, {
    role: 'data-steward',
    at,
    ...(revocations ? { revocations } : {}),
  });
  return s.counts ? 'COUNTS' : (s.rejected?.code ?? 'NOT_IN_ROLE');
};

describe('keyStanding at its edges', () => {
  it('validFrom is inclusive and validUntil exclusive, to the nanosecond', async () => {
    const p = await policyWith((d) =>
      Object.assign(d.keys.steward, { validFrom: '2026-01-01T00:00:00Z', validUntil: '2026-02-01T00:00:00Z' }),
    );
    const from = ns('2026-01-01T00:00:00Z');
    const until = ns('2026-02-01T00:00:00Z');
    expect(codeOf(p, from - 1n)).toBe('KEY_OUTSIDE_VALIDITY');
    expect(codeOf(p, from)).toBe('COUNTS');
    expect(codeOf(p, until - 1n)).toBe('COUNTS');
    expect(codeOf(p, until)).toBe('KEY_OUTSIDE_VALIDITY');
  });

  it('a retired or superseded key is rejected from effectiveAt on, inclusive', async () => {
    for (const reason of ['retired', 'superseded']) {
      const p = await policyWith((d) => {
        d.revocations = [{ kind: 'key', key: 'steward', reason, effectiveAt: '2026-01-06T00:00:00Z' }];
      });
      const cut = ns('2026-01-06T00:00:00Z');
      expect(codeOf(p, cut - 1n), reason).toBe('COUNTS');
      expect(codeOf(p, cut), reason).toBe('KEY_REVOKED');
    }
  });

  it('`at` as nanoseconds, Date or text gives one answer; an invalid Date or text is an unknown time', async () => {
    const p = await policyWith((d) => Object.assign(d.keys.steward, { validFrom: '2026-01-01T00:00:00Z' }));
    for (const at of [ns('2026-01-02T00:00:00Z'), new Date('2026-01-02T00:00:00Z'), '2026-01-02T00:00:00Z'])
      expect(codeOf(p, at)).toBe('COUNTS');
    for (const at of [ns('2025-12-31T00:00:00Z'), new Date('2025-12-31T00:00:00Z'), '2025-12-31T00:00:00Z'])
      expect(codeOf(p, at)).toBe('KEY_OUTSIDE_VALIDITY');
    // unknown time: a key with a validity window fails closed; a key without one counts
    for (const at of [undefined, new Date('nope'), 'yesterday'])
      expect(codeOf(p, at), String(at)).toBe('KEY_OUTSIDE_VALIDITY');
    const plain = await policyWith(() => {});
    for (const at of [undefined, new Date('nope'), 'yesterday']) expect(codeOf(plain, at), String(at)).toBe('COUNTS');
  });

  it('an unknown time against a time-bounded revocation fails closed', async () => {
    const p = await policyWith((d) => {
      d.revocations = [{ kind: 'key', key: 'steward', reason: 'retired', effectiveAt: '2026-01-06T00:00:00Z' }];
    });
    expect(codeOf(p, undefined)).toBe('KEY_REVOKED');
    expect(codeOf(p, 'not a time')).toBe('KEY_REVOKED');
  });

  it('a revocation or a window whose time cannot be read rejects every signature', async () => {
    const p = await policyWith(() => {});
    const hex = p.keyByName.get('steward')!.publicKeyHex;
    const unreadable: KeyRevocations = new Map();
    addKeyRevocation(unreadable, hex, { reason: 'retired', effectiveAt: 'soon', source: 'test' });
    expect(codeOf(p, ns('2026-01-02T00:00:00Z'), unreadable)).toBe('KEY_REVOKED');
    // a window the policy schema would refuse, on a key resolved by hand
    const k = p.keyByName.get('steward')!;
    for (const spec of [{ validFrom: 'soon' }, { validUntil: 'later' }]) {
      const odd = { ...k, spec: { ...k.spec, ...spec } };
      expect(keyStanding(p, odd, { at: ns('2026-01-02T00:00:00Z') }).rejected?.code, JSON.stringify(spec)).toBe(
        'KEY_OUTSIDE_VALIDITY',
      );
    }
  });

  it('several revocations of one key are all kept, and a compromise among them wins whatever their order', async () => {
    const p = await policyWith((d) => {
      d.revocations = [
        { kind: 'key', key: 'steward', reason: 'retired', effectiveAt: '2026-06-01T00:00:00Z' },
        { kind: 'key', key: 'steward', reason: 'key-leaked' },
        { kind: 'payload', digest: `sha256:${'ab'.repeat(32)}`, reason: 'withdrawn' },
      ];
    });
    const hex = p.keyByName.get('steward')!.publicKeyHex;
    expect(policyKeyRevocations(p)).toStrictEqual(
      new Map([
        [
          hex,
          [
            { reason: 'retired', effectiveAt: '2026-06-01T00:00:00Z', source: 'policy' },
            { reason: 'key-leaked', source: 'policy' },
          ],
        ],
      ]),
    );
    expect(codeOf(p, ns('2026-01-02T00:00:00Z'))).toBe('KEY_COMPROMISED');
    const own: KeyRevocations = new Map();
    addKeyRevocation(own, hex, { reason: 'retired', effectiveAt: '2026-06-01T00:00:00Z', source: 'a' });
    expect(codeOf(p, ns('2026-01-02T00:00:00Z'), own)).toBe('COUNTS');
    addKeyRevocation(own, hex, { reason: 'stolen', source: 'b' });
    expect(own.get(hex)).toHaveLength(2);
    expect(codeOf(p, ns('2026-01-02T00:00:00Z'), own)).toBe('KEY_COMPROMISED');
  });

  it('a key outside the role does not count, and says so without a rejection', async () => {
    const p = await policyWith(() => {});
    const s = keyStanding(p, p.keyByName.get('steward')!, { role: 'approver', at: ns('2026-01-02T00:00:00Z') });
    expect(s).toStrictEqual({ counts: false, inRole: false });
    expect(keyStanding(p, p.keyByName.get('steward')!, { at: undefined })).toStrictEqual({
      counts: true,
      inRole: true,
    });
  });
});
