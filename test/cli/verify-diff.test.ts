import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateKeyToPem } from '../../src/keys/keys.js';
import { manifestBytes } from '../../src/manifest/build.js';
import { checkModelDirectory } from '../../src/node/check-model.js';
import { hashDirectory } from '../../src/node/hash-tree.js';
import { parsePolicy } from '../../src/policy/policy.js';
import { reportSchema, type Report } from '../../src/report/index.js';
import { LINEPROOF_MANIFEST_MEDIA_TYPE } from '../../src/statements/predicates/index.js';
import { cli, type CliResult } from '../helpers/cli.js';
import { buildWorld, key, KEY_NAMES, policyDoc, T } from '../helpers/world.js';

// One workspace for the file: a model directory attested through the CLI, then tampered copies.
const dir = mkdtempSync(join(tmpdir(), 'lineproof-verify-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (args: string[]): Promise<CliResult> => cli(args, { cwd: dir });
const C = ['--chain', 'chain.intoto.jsonl', '--policy', 'policy.json'];

async function ok(args: string[]): Promise<CliResult> {
  const r = await run(args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r;
}

function model(at: string): void {
  mkdirSync(join(dir, at, 'tokenizer'), { recursive: true });
  writeFileSync(join(dir, at, 'config.json'), '{"layers":2}\n');
  writeFileSync(
    join(dir, at, 'weights.bin'),
    new Uint8Array(4096).map((_, i) => (i * 31) & 0xff),
  );
  writeFileSync(join(dir, at, 'tokenizer', 'vocab.txt'), 'a\nb\nc\n');
}

/** A copy of the attested model, changed by `change`. */
function tampered(name: string, change: (root: string) => void): string {
  cpSync(join(dir, 'model'), join(dir, name), { recursive: true });
  change(join(dir, name));
  return name;
}

const flipByte = (root: string) => {
  const p = join(root, 'weights.bin');
  const b = new Uint8Array(4096).map((_, i) => (i * 31) & 0xff);
  b[100] = b[100]! ^ 1;
  writeFileSync(p, b);
};

const verify = (artifact: string, chain = 'chain.intoto.jsonl', json = false) =>
  run([
    'verify',
    '--chain',
    chain,
    '--policy',
    'policy.json',
    '--artifact',
    artifact,
    '--use-case',
    'support-chat',
    '--at',
    T.asOf,
    ...(json ? ['--json'] : []),
  ]);

const fileChecks = (r: CliResult) =>
  (JSON.parse(r.stdout) as Report).checks.filter((c) => c.id === 'artifact.file').map((c) => [c.subject, c.code]);

beforeAll(async () => {
  for (const n of KEY_NAMES) writeFileSync(join(dir, `${n}.key`), privateKeyToPem(await key(n)), { mode: 0o600 });
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(await policyDoc(), null, 2));
  model('model');
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'train.jsonl'), '{"text":"hello"}\n');
  writeFileSync(join(dir, 'heldout.jsonl'), '{"text":"held out"}\n');
  const at = (t: string) => ['--at', t, ...C];
  await ok([
    'attest',
    'dataset',
    '--subject',
    'data',
    '--name',
    'tickets',
    '--version',
    '1',
    '--owner',
    'data-team',
    '--license',
    'CC-BY-4.0',
    '--sensitivity',
    'internal',
    '--pii',
    'no',
    '--key',
    'steward.key',
    ...at(T.dataset),
  ]);
  await ok([
    'attest',
    'training',
    '--subject',
    'model',
    '--started',
    T.trainingStarted,
    '--finished',
    T.trainingFinished,
    '--code',
    'git+https://example.com/trainer',
    '--commit',
    'c0ffee'.padEnd(40, '0'),
    '--key',
    'trainer.key',
    ...at(T.training),
  ]);
  await ok([
    'attest',
    'evaluation',
    '--subject',
    'model',
    '--suite',
    'release-eval',
    '--suite-version',
    '1',
    '--evaluator',
    'evalkit',
    '--data',
    'heldout=heldout.jsonl',
    '--metric',
    'accuracy:accuracy=0.95>=0.9',
    '--metric',
    'robustness:typo_accuracy=0.9>=0.85',
    '--metric',
    'fairness:parity_gap=0.02<=0.05',
    '--metric',
    'safety:jailbreak_rate=0.004<=0.01',
    '--result',
    'PASSED',
    '--key',
    'evaluator.key',
    ...at(T.evaluation),
  ]);
  const approval = JSON.parse(
    (
      await ok([
        'attest',
        'approval',
        '--subject',
        'model',
        '--decision',
        'APPROVED',
        '--stage',
        'production',
        '--use-case',
        'support-chat',
        '--use-case-description',
        'answers customers',
        '--not-before',
        T.notBefore,
        '--expires',
        '2026-04-10T00:00:00Z',
        '--key',
        'alice.key',
        ...at(T.approval),
        '--json',
      ])
    ).stdout,
  ).payloadDigest as string;
  await ok(['attest', 'cosign', '--payload-digest', approval, '--key', 'bob.key', ...C]);
});

describe('lineproof verify --artifact DIR: the file-level diff', () => {
  it('verifies the untampered directory, with no diff check', async () => {
    const r = await verify('model', 'chain.intoto.jsonl', true);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.id.startsWith('artifact.'))).toEqual([]);
  });

  it.each([
    ['a flipped byte', flipByte, [['weights.bin', 'MANIFEST_ITEM_MISMATCH']], '1 changed, 0 missing, 0 extra'],
    [
      'an added README.md',
      (root: string) => writeFileSync(join(root, 'README.md'), '# model\n'),
      [['README.md', 'MANIFEST_ITEM_EXTRA']],
      '0 changed, 0 missing, 1 extra',
    ],
    [
      'a deleted file',
      (root: string) => rmSync(join(root, 'tokenizer', 'vocab.txt')),
      [['tokenizer/vocab.txt', 'MANIFEST_ITEM_MISSING']],
      '0 changed, 1 missing, 0 extra',
    ],
    [
      'a resized file',
      (root: string) => writeFileSync(join(root, 'config.json'), '{"layers":24}\n'),
      [['config.json', 'MANIFEST_ITEM_SIZE_MISMATCH']],
      '1 changed, 0 missing, 0 extra',
    ],
  ])('names the file after %s (exit 1, terminal and --json)', async (what, change, expected, counts) => {
    const name = tampered(`model-${what.replace(/\W+/g, '-')}`, change);
    const text = await verify(name);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^FAIL SUBJECT_NOT_APPROVED chain.approval /m);
    for (const [path, code] of expected)
      expect(text.stdout).toContain(`FAIL ${code} artifact.file (${path}): ${path} `);
    expect(text.stdout.match(/artifact\.file/g)?.length).toBe(expected.length);
    expect(text.stdout).toMatch(
      new RegExp(
        `^  ${counts} \\(vs the manifest sha256:[0-9a-f]{12}… attested by training sha256:[0-9a-f]{12}…\\)$`,
        'm',
      ),
    );
    const json = await verify(name, 'chain.intoto.jsonl', true);
    expect(json.code).toBe(1);
    expect(reportSchema.safeParse(JSON.parse(json.stdout)).success).toBe(true);
    expect(fileChecks(json)).toEqual(expected);
  });

  it('names every tampered file at once', async () => {
    const name = tampered('model-all', (root) => {
      flipByte(root);
      writeFileSync(join(root, 'README.md'), '# model\n');
    });
    const r = await verify(name);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL MANIFEST_ITEM_EXTRA artifact.file (README.md): ');
    expect(r.stdout).toContain('FAIL MANIFEST_ITEM_MISMATCH artifact.file (weights.bin): ');
    expect(r.stdout).toMatch(/^ {2}1 changed, 0 missing, 1 extra \(vs the manifest /m);
    expect(r.stdout).toMatch(/^NOT VERIFIED: model-all \(3 failed checks;/m);
  });

  it('says why there is no file-level diff for a single-file artifact', async () => {
    writeFileSync(join(dir, 'weights.bin'), 'not the model');
    const r = await verify('weights.bin');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^SKIP ARTIFACT_DIFF_UNAVAILABLE artifact.diff \(weights.bin\): /m);
  });

  describe('when the attested manifest is a sidecar next to the chain', () => {
    beforeAll(async () => {
      const hashed = await hashDirectory(join(dir, 'model'));
      const bytes = manifestBytes(hashed.manifest);
      const about = { name: 'model', digest: hashed.digest, mediaType: LINEPROOF_MANIFEST_MEDIA_TYPE };
      const w = await buildWorld({
        training: (i) => ({ ...i, subject: undefined, manifest: { bytes, inline: false, uri: 'model.manifest.json' } }),
        evaluation: (i) => ({ ...i, subject: about }),
        approval: (i) => ({ ...i, subject: about }),
        promotion: (i) => ({ ...i, subject: about }),
      });
      for (const d of ['side', 'forged', 'escape']) {
        mkdirSync(join(dir, d));
        writeFileSync(join(dir, d, 'chain.intoto.jsonl'), w.bundle);
      }
      writeFileSync(join(dir, 'side', 'model.manifest.json'), bytes);
      writeFileSync(join(dir, 'forged', 'model.manifest.json'), bytes.slice(0, -1));
      writeFileSync(join(dir, 'outside.manifest.json'), bytes);
      symlinkSync(join(dir, 'outside.manifest.json'), join(dir, 'escape', 'model.manifest.json'));
    });

    it('uses it', async () => {
      const name = tampered('model-side', flipByte);
      const r = await verify(name, 'side/chain.intoto.jsonl');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('FAIL MANIFEST_ITEM_MISMATCH artifact.file (weights.bin): ');
      expect(fileChecks(await verify(name, 'side/chain.intoto.jsonl', true))).toEqual([
        ['weights.bin', 'MANIFEST_ITEM_MISMATCH'],
      ]);
    });

    it('checkModelDirectory (lineproof/node) names the file too, reading the sidecar next to bundlePath', async () => {
      const check = await checkModelDirectory(join(dir, tampered('model-check', flipByte)), {
        bundlePath: join(dir, 'side', 'chain.intoto.jsonl'),
        policy: parsePolicy(await policyDoc()),
        useCase: 'support-chat',
        asOf: T.asOf,
      });
      expect(check.ok).toBe(false);
      expect(check.report.checks.filter((c) => c.id === 'artifact.file').map((c) => [c.subject, c.code])).toEqual([
        ['weights.bin', 'MANIFEST_ITEM_MISMATCH'],
      ]);
    });

    it.each([
      ['forged', 'MANIFEST_DIGEST_MISMATCH'],
      ['escape', 'SYMLINK_OUTSIDE_ROOT'],
    ])('refuses the sidecar in %s/ (%s: a skip, never a throw)', async (d, code) => {
      const name = tampered(`model-${d}`, flipByte);
      const r = await verify(name, `${d}/chain.intoto.jsonl`);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('');
      expect(r.stdout).not.toMatch(/MANIFEST_ITEM/);
      expect(r.stdout).toMatch(new RegExp(`^SKIP ${code} artifact.sidecar `, 'm'));
      expect(r.stdout).toMatch(/^SKIP ARTIFACT_DIFF_UNAVAILABLE artifact.diff /m);
    });
  });
});
