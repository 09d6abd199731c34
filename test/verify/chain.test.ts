import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/verify/chain.js';
import { buildWorld, MODEL, T } from '../helpers/world.js';

describe('verifyChain on a valid chain', () => {
  it('verifies, naming every check', async () => {
    const w = await buildWorld();
    const { report, chain } = await verifyChain({
      bundle: w.bundle,
      policy: w.policy,
      subject: MODEL,
      useCase: 'support-chat',
      asOf: T.asOf,
    });
    const failed = report.checks.filter((c) => c.status === 'fail');
    expect(failed).toEqual([]);
    expect(report.ok).toBe(true);
    expect(chain.map((l) => l.stage)).toEqual(['dataset', 'training', 'evaluation', 'approval', 'promotion']);
    expect(report.policyDigest).toBe(w.policy.digest);
  });
});
