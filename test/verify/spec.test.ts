import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../helpers/fixtures.js';
import { expectStepOrder } from '../helpers/steps.js';
import { verifyChain } from '../../src/verify/chain.js';
import { bundleLine } from '../../src/bundle/jsonl.js';
import { signEnvelope } from '../../src/dsse/sign.js';
import { ed25519Signer } from '../../src/keys/keys.js';
import { utf8 } from '../../src/bytes/index.js';
import { buildWorld, key, MODEL, sign, T } from '../helpers/world.js';

const titles = (text: string) =>
  [...text.matchAll(/^\s*\*?\s*(\d+)\. \*\*([^*]+)\*\*/gm)].map((m) => `${m[1]}. ${m[2]}`);

describe('spec/verification.md and verifyChain', () => {
  const code = readFileSync(repoPath('src', 'verify', 'chain.ts'), 'utf8');
  const spec = readFileSync(repoPath('spec', 'verification.md'), 'utf8');
  const jsdoc = code.slice(
    code.indexOf("Verify a model's (or dataset's) chain offline"),
    code.indexOf('@returns the report and the resolved chain'),
  );
  it('list the same numbered steps', () => {
    expect(titles(jsdoc).length).toBe(13);
    expect(titles(spec)).toEqual(titles(jsdoc));
  });

  const run = (bundle: string, useCase: string | undefined = 'support-chat') =>
    verifyChain({ bundle, policy: world.policy, subject: MODEL, useCase, asOf: T.asOf });
  let world: Awaited<ReturnType<typeof buildWorld>>;

  it("a passing report's checks come out in step order, from every step that reports", async () => {
    world = await buildWorld();
    // Extras for step 12: an untrusted attestation, another payloadType, a stray signature.
    const untrusted = await sign(world.steps.dataset.statement, ['mallory']);
    const other = await signEnvelope(utf8('{}'), 'application/json', [ed25519Signer(await key('trainer'))]);
    const stray = await sign(world.steps.training.statement, ['mallory']);
    const bundle = world.bundle + untrusted.line + bundleLine(other) + stray.line;
    const { report } = await run(bundle);
    expect(report.ok).toBe(true);
    const steps = expectStepOrder(report);
    expect([...new Set(steps)]).toEqual([1, 2, 8, 9, 10, 11, 12]);
  });

  it("a failing report's checks come out in step order (steps 1, 2 and 7, 12)", async () => {
    world ??= await buildWorld();
    const { report } = await run(world.steps.dataset.line + '{not json\n', undefined);
    expect(report.ok).toBe(false);
    expect([...new Set(expectStepOrder(report))]).toEqual([1, 2, 7, 12]);
  });

  it('a check id the step table does not know fails the order check', () => {
    const report = {
      checks: [{ id: 'chain.somethingNew', code: 'OK', status: 'pass', subject: 'x', message: '' }],
      results: [{ subject: 'x', ok: true, chain: [] }],
    };
    expect(() => expectStepOrder(report as never)).toThrow(/not placed in a step/);
  });

  it('checks out of step order fail the order check', () => {
    const c = (id: string) => ({ id, code: 'OK', status: 'pass', subject: 'x', message: '' });
    const report = { checks: [c('approval.tier'), c('chain.role')], results: [{ subject: 'x', ok: true, chain: [] }] };
    expect(() => expectStepOrder(report as never)).toThrow(/comes after/);
  });
});
