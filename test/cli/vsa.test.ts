import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, fromUtf8 } from '../../src/bytes/index.js';
import { privateKeyToPem, publicKeyToPem, publicKeyToSslib } from '../../src/keys/keys.js';
import { reportSchema } from '../../src/report/index.js';
import { cli } from '../helpers/cli.js';
import { sslib } from '../helpers/python.js';
import { GATE, gateKey, vsaWorld } from '../helpers/vsa.js';
import { key, MODEL, OTHER_MODEL, T, type World } from '../helpers/world.js';

const dir = mkdtempSync(join(tmpdir(), 'lineproof-vsa-'));
const p = (n: string) => join(dir, n);
let world: World;

beforeAll(async () => {
  world = await vsaWorld();
  writeFileSync(p('policy.json'), JSON.stringify(world.doc, null, 2));
  writeFileSync(p('chain.intoto.jsonl'), world.bundle);
  for (const n of ['gate', 'gate2', 'stranger']) {
    const k = await gateKey(n);
    writeFileSync(p(`${n}.key`), privateKeyToPem(k), { mode: 0o600 });
    writeFileSync(p(`${n}.pub`), publicKeyToPem(k.publicKey));
    writeFileSync(p(`${n}.sslib.pub`), JSON.stringify(publicKeyToSslib(k.publicKey)));
  }
  writeFileSync(p('alice.key'), privateKeyToPem(await key('alice')), { mode: 0o600 });
});

const verifyArgs = (chain: string, ...more: string[]) => [
  'verify',
  '--chain',
  p(chain),
  '--policy',
  p('policy.json'),
  '--digest',
  MODEL,
  '--at',
  T.asOf,
  ...more,
];
const failedCodes = (stdout: string) =>
  (JSON.parse(stdout) as { checks: Array<{ status: string; code: string }> }).checks
    .filter((c) => c.status === 'fail')
    .map((c) => c.code);

describe('lineproof verify --vsa-key', () => {
  it('writes a signed PASSED summary that `vsa verify` accepts (exit 0), and says so', async () => {
    const r = await cli(
      verifyArgs(
        'chain.intoto.jsonl',
        '--use-case',
        'support-chat',
        '--vsa-key',
        p('gate.key'),
        '--vsa-out',
        p('pass.vsa.json'),
      ),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^VERIFIED: /m);
    expect(r.stdout).toMatch(
      /^verification summary PASSED sha256:[0-9a-f]{64} signed by gate \(https:\/\/gate\.example\.com\/ci\); written to /m,
    );
    const env = JSON.parse(readFileSync(p('pass.vsa.json'), 'utf8'));
    const statement = JSON.parse(fromUtf8(fromBase64(env.payload)));
    expect(statement.predicateType).toBe('https://slsa.dev/verification_summary/v1');
    expect(statement.predicate.verifier).toEqual({
      id: 'https://lineproof.dev/verifier/v1',
      version: { lineproof: expect.any(String) },
    });
    expect(statement.predicate.timeVerified).toBe(T.asOf);
    expect(statement.predicate.inputAttestations).toHaveLength(5);
    const v = await cli([
      'vsa',
      'verify',
      p('pass.vsa.json'),
      '--policy',
      p('policy.json'),
      '--resource',
      MODEL,
      '--at',
      T.asOf,
      '--max-age',
      '1d',
    ]);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^VERIFIED: .*PASSED for sha256:/m);
  });

  it('writes a FAILED summary for a failing chain (exit 1); `vsa verify` fails it unless FAILED is expected', async () => {
    const r = await cli(
      verifyArgs(
        'chain.intoto.jsonl',
        '--use-case',
        'internal-search',
        '--at',
        '2027-01-01T00:00:00Z',
        '--vsa-key',
        p('gate.key'),
        '--vsa-out',
        p('fail.vsa.json'),
      ),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^verification summary FAILED /m);
    const at = ['--at', '2027-01-01T00:00:00Z'];
    const v = await cli(['vsa', 'verify', p('fail.vsa.json'), '--policy', p('policy.json'), ...at, '--json']);
    expect(v.code).toBe(1);
    expect(failedCodes(v.stdout)).toEqual(['VSA_RESULT_MISMATCH', 'VSA_LEVEL_MISSING']);
    const expected = await cli([
      'vsa',
      'verify',
      p('fail.vsa.json'),
      '--policy',
      p('policy.json'),
      ...at,
      '--expect-result',
      'FAILED',
    ]);
    expect(expected.code).toBe(0);
  });

  it('with --json prints exactly the report on stdout and names the summary on stderr', async () => {
    const r = await cli(
      verifyArgs(
        'chain.intoto.jsonl',
        '--use-case',
        'support-chat',
        '--json',
        '--vsa-key',
        p('gate.key'),
        '--vsa-out',
        p('json.vsa.json'),
      ),
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(reportSchema.safeParse(report).success).toBe(true);
    expect(report.kind).toBe('chain');
    expect(r.stderr).toMatch(/^lineproof: verification summary PASSED sha256:/);
  });

  it('refuses a key outside the verifier role before verifying (exit 2, VSA_SIGNER_NOT_VERIFIER), writing nothing', async () => {
    for (const k of ['alice.key', 'stranger.key']) {
      const r = await cli(
        verifyArgs(
          'chain.intoto.jsonl',
          '--use-case',
          'support-chat',
          '--vsa-key',
          p(k),
          '--vsa-out',
          p(`${k}.vsa.json`),
        ),
      );
      expect(r.code, k).toBe(2);
      expect(r.stderr).toMatch(/VSA_SIGNER_NOT_VERIFIER/);
      expect(r.stdout).toBe('');
      expect(existsSync(p(`${k}.vsa.json`))).toBe(false);
    }
  });

  it('refuses flags that do not hang together (exit 2)', async () => {
    const base = verifyArgs('chain.intoto.jsonl', '--use-case', 'support-chat');
    for (const extra of [
      ['--vsa-out', p('x.json')],
      ['--vsa-append'],
      ['--vsa-key', p('gate.key')],
      ['--vsa-key', p('gate.key'), '--vsa-out', p('chain.intoto.jsonl')],
      ['--vsa-key', p('missing.key'), '--vsa-out', p('x.json')],
    ]) {
      const r = await cli([...base, ...extra]);
      expect(r.code, extra.join(' ')).toBe(2);
    }
  });

  it('--vsa-append adds the summary to the chain, which still verifies (the summary listed as a skip)', async () => {
    writeFileSync(p('appended.intoto.jsonl'), world.bundle);
    const r = await cli(
      verifyArgs(
        'appended.intoto.jsonl',
        '--use-case',
        'support-chat',
        '--vsa-key',
        p('gate.key'),
        '--vsa-append',
        '--vsa-resource-uri',
        'support-triage',
      ),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/appended to /);
    const lines = readFileSync(p('appended.intoto.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    const again = await cli(verifyArgs('appended.intoto.jsonl', '--use-case', 'support-chat', '--json'));
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report.ok).toBe(true);
    const skips = report.checks.filter((c: any) => c.id === 'bundle.unreferenced');
    expect(skips).toEqual([expect.objectContaining({ status: 'skip', code: 'PREDICATE_TYPE_UNKNOWN' })]);
    // The appended line is the summary itself: `vsa verify` reads it.
    writeFileSync(p('appended.vsa.json'), `${lines[5]}\n`);
    const v = await cli([
      'vsa',
      'verify',
      p('appended.vsa.json'),
      '--policy',
      p('policy.json'),
      '--resource',
      'support-triage',
      '--resource',
      MODEL,
      '--at',
      T.asOf,
    ]);
    expect(v.code).toBe(0);
  });
});

describe('lineproof vsa verify', () => {
  it('fails another artifact, another policy digest, an old summary, a future one (exit 1, with codes)', async () => {
    const f = p('pass.vsa.json');
    const base = ['vsa', 'verify', f, '--policy', p('policy.json'), '--json'];
    const cases: Array<[string[], string[]]> = [
      [['--resource', OTHER_MODEL, '--at', T.asOf], ['VSA_RESOURCE_MISMATCH']],
      [['--resource', 'another-model', '--at', T.asOf], ['VSA_RESOURCE_MISMATCH']],
      [['--policy-digest', `sha256:${'ab'.repeat(32)}`, '--at', T.asOf], ['VSA_POLICY_MISMATCH']],
      [['--max-age', '30d', '--at', '2026-04-01T00:00:00Z'], ['VSA_STALE']],
      [['--at', '2026-01-01T00:00:00Z'], ['EVIDENCE_FROM_FUTURE']],
    ];
    for (const [extra, codes] of cases) {
      const r = await cli([...base, ...extra]);
      expect(r.code, extra.join(' ')).toBe(1);
      expect(failedCodes(r.stdout), extra.join(' ')).toEqual(codes);
    }
  });

  it('takes --key instead of a policy; a key that did not sign fails', async () => {
    const ok = await cli(['vsa', 'verify', p('pass.vsa.json'), '--key', p('gate.pub'), '--at', T.asOf]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/NOTE: not matched to an artifact/);
    const other = await cli(['vsa', 'verify', p('pass.vsa.json'), '--key', p('gate2.pub'), '--at', T.asOf, '--json']);
    expect(other.code).toBe(1);
    expect(failedCodes(other.stdout)).toEqual(['DSSE_NO_TRUSTED_SIGNATURE']);
  });

  it('fails junk, a non-summary envelope and an oversize file with exit 1; usage errors exit 2', async () => {
    writeFileSync(p('junk.json'), 'not json');
    writeFileSync(p('huge.json'), Buffer.alloc(17 * 1024 * 1024, 0x20));
    writeFileSync(p('approval.json'), world.steps.approval.line);
    const policy = ['--policy', p('policy.json'), '--at', T.asOf, '--json'];
    for (const [f, code] of [
      ['junk.json', 'JSON_SYNTAX'],
      ['huge.json', 'LIMIT_EXCEEDED'],
      ['approval.json', 'VSA_INVALID'],
    ] as const) {
      const r = await cli(['vsa', 'verify', p(f), ...policy]);
      expect(r.code, f).toBe(1);
      expect(failedCodes(r.stdout)[0], f).toBe(code);
    }
    for (const args of [
      ['vsa', 'verify', p('pass.vsa.json')],
      ['vsa', 'verify', p('pass.vsa.json'), '--policy', p('policy.json'), '--key', p('gate.pub')],
      ['vsa', 'verify', p('pass.vsa.json'), '--policy', p('policy.json'), '--max-age', '30 days'],
      ['vsa', 'verify', p('pass.vsa.json'), '--policy', p('policy.json'), '--expect-result', 'ok'],
      ['vsa', 'verify', p('missing.json'), '--policy', p('policy.json')],
      ['vsa', 'verify', p('pass.vsa.json'), '--key', p('gate.pub'), '--threshold', '2'],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
    }
  });

  it('--help documents the command', async () => {
    const r = await cli(['vsa', 'verify', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: lineproof vsa verify \(SUMMARY \| --from-html PAGE\)/);
    expect((await cli(['vsa', 'show', '--help'])).stdout).toMatch(/^Usage: lineproof vsa show SUMMARY/);
    expect((await cli(['verify', '--help'])).stdout).toMatch(/--vsa-key KEY/);
  });
});

describe('lineproof vsa show', () => {
  it('prints the fields without verifying, and the statement with --json', async () => {
    const r = await cli(['vsa', 'show', p('pass.vsa.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/not verified/);
    expect(r.stdout).toMatch(/^ {2}result {9}PASSED \[LINEPROOF_CHAIN_V1\]$/m);
    expect(r.stdout).toMatch(/^ {2}inputs {9}5 attestation\(s\)$/m);
    const j = await cli(['vsa', 'show', p('pass.vsa.json'), '--json']);
    const out = JSON.parse(j.stdout);
    expect(out.statement.predicate.resourceUri).toBe(MODEL);
    expect(out.payloadDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const bad = await cli(['vsa', 'show', p('approval.json')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/VSA_INVALID/);
  });
});

describe('interop: a summary is an ordinary DSSE envelope', () => {
  it('verifies with `lineproof dsse verify` under the verifier key, not under another', async () => {
    const ok = await cli([
      'dsse',
      'verify',
      '--key',
      p('gate.pub'),
      '--type',
      'application/vnd.in-toto+json',
      '--in',
      p('pass.vsa.json'),
    ]);
    expect(ok.code).toBe(0);
    const other = await cli(['dsse', 'verify', '--key', p('gate2.pub'), '--in', p('pass.vsa.json')]);
    expect(other.code).toBe(1);
  });

  it("verifies with Debian's securesystemslib (a missing peer fails, never skips)", () => {
    const ok = sslib('verify', p('gate.sslib.pub'), p('pass.vsa.json'));
    expect(ok.status).toBe(0);
    expect(ok.json.verified).toBe(true);
    const other = sslib('verify', p('gate2.sslib.pub'), p('pass.vsa.json'));
    expect(other.status).toBe(1);
    expect(other.json.verified).toBe(false);
  });

  it('names the gate identity in the signer check', async () => {
    const r = await cli(['vsa', 'verify', p('pass.vsa.json'), '--policy', p('policy.json'), '--at', T.asOf, '--json']);
    const signer = JSON.parse(r.stdout).checks.find((c: any) => c.id === 'vsa.signer');
    expect(signer.message).toContain(GATE);
  });
});
