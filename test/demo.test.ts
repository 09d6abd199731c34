import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate, readModel, syntheticRows, train, weightsBytes } from '../src/cli/demo/model.js';
import { repoPath } from './helpers/fixtures.js';

const BIN = repoPath('dist', 'cli', 'main.js');
const root = join(tmpdir(), `lineproof-demo-test-${process.pid}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

// About 1 s alone on the 2-core machine; a loaded machine (parallel test files) can take several
// times that, so the limits are generous and a timeout is said as such.
function demo(args: string[], cwd = repoPath()) {
  const r = spawnSync(process.execPath, [BIN, 'demo', ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  expect(r.error, `the demo did not finish: ${String(r.error)}`).toBeUndefined();
  return r;
}

const LAYOUT = [
  ...['steward', 'trainer', 'registrar', 'evaluator', 'alice', 'bob', 'deployer'].flatMap((n) => [
    `keys/${n}.key`,
    `keys/${n}.pub`,
  ]),
  'policy.json',
  'dataset/train.csv',
  'dataset/test.csv',
  'model/weights.bin',
  'model/config.json',
  'chain.intoto.jsonl',
  'report.html',
  'rejected/flipped-weight/model/weights.bin',
  'rejected/flipped-weight/model/config.json',
  'rejected/flipped-weight/report.html',
  'rejected/approval-by-trainer/chain.intoto.jsonl',
  'rejected/expired-approval/chain.intoto.jsonl',
  'COMMANDS.sh',
];

describe('lineproof demo (dist/)', () => {
  const dir = join(root, 'demo');
  let stdout = '';

  it('runs the lifecycle in DIR and leaves the fixed layout, the audit pages and the rejections; exit 0', () => {
    const r = demo(['--dir', dir]);
    stdout = r.stdout;
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^demo OK \(\d+(\.\d)? s\)/m);
    expect(r.status).toBe(0);
    for (const f of LAYOUT) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(r.stdout).toContain(`  cd ${dir}\n`);
    expect(r.stdout).toMatch(/^ {3}FAIL APPROVAL_THRESHOLD_NOT_MET /m); // one approver is not enough
    expect(r.stdout).toMatch(/^ {3}VERIFIED: model\/ /m);
    expect(r.stdout).toMatch(/^ {3}FAIL SUBJECT_NOT_APPROVED .*\(rejected\/flipped-weight\/model\/\)/m);
    expect(r.stdout).toMatch(/^ {3}FAIL MANIFEST_ITEM_MISMATCH artifact\.file \(weights\.bin\)/m);
    expect(r.stdout).toMatch(/^ {3}FAIL SIGNER_NOT_IN_ROLE approval\.signers /m);
    expect(r.stdout).toMatch(/^ {3}FAIL APPROVAL_EXPIRED approval\.window /m);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('data-lp-verdict="PASSED"');
    expect(readFileSync(join(dir, 'rejected/flipped-weight/report.html'), 'utf8')).toContain('MANIFEST_ITEM_MISMATCH');
    const a = readFileSync(join(dir, 'model/weights.bin'));
    const b = readFileSync(join(dir, 'rejected/flipped-weight/model/weights.bin'));
    expect(b.length).toBe(a.length);
    expect([...a].filter((x, i) => x !== b[i]).length).toBe(1);
  }, 180_000);

  it('prints each lineproof command in npx form (with --prefix outside the project), as COMMANDS.sh holds them', () => {
    const printed = [...stdout.matchAll(/^ {3}\$ (.*)$/gm)].map((m) => m[1]!);
    const lineproof = printed.filter((c) => c.includes(' lineproof '));
    expect(lineproof.length).toBeGreaterThan(15);
    for (const c of lineproof)
      expect(c.startsWith(`npx --prefix ${repoPath().replace(/\/$/, '')} lineproof `), c).toBe(true);
    const script = readFileSync(join(dir, 'COMMANDS.sh'), 'utf8');
    for (const c of printed) expect(script, c).toContain(c);
  });

  it('COMMANDS.sh, run by sh with npx standing for this CLI, redoes the chain byte for byte and its verify passes', () => {
    const before = readFileSync(join(dir, 'chain.intoto.jsonl'), 'utf8');
    const bin = join(root, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, 'npx'),
      `#!/bin/sh\n[ "$1" = --prefix ] && shift 2\n[ "$1" = lineproof ] && shift\nexec "${process.execPath}" "${BIN}" "$@"\n`,
    );
    chmodSync(join(bin, 'npx'), 0o755);
    const r = spawnSync('sh', [join(dir, 'COMMANDS.sh')], {
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
    });
    expect(r.error).toBeUndefined();
    // the one error: attest refusing, under the policy, to sign an approval with the trainer's key
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^lineproof: SIGNER_NOT_IN_ROLE: attest approval: /),
    ]);
    expect(r.status).toBe(0); // set -e: every command, the final verify included, did as expected
    expect(r.stdout).toMatch(/^VERIFIED: model\/ /m);
    expect(r.stdout).toMatch(/^FAIL APPROVAL_EXPIRED /m);
    expect(readFileSync(join(dir, 'chain.intoto.jsonl'), 'utf8')).toBe(before);
  }, 300_000);

  it('--json, on a previous demo folder: steps, rejections with their codes, files', () => {
    const r = demo(['--dir', dir, '--json']);
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.ok).toBe(true);
    expect(s.problems).toEqual([]);
    expect(s.rejections.map((x: any) => [x.name, x.exit, x.codes])).toEqual([
      ['flipped-weight', 1, ['SUBJECT_NOT_APPROVED', 'MANIFEST_ITEM_MISMATCH']],
      ['approval-by-trainer', 1, ['SIGNER_NOT_IN_ROLE', 'APPROVAL_THRESHOLD_NOT_MET']],
      ['expired-approval', 1, ['APPROVAL_EXPIRED']],
    ]);
    expect(s.files).toEqual(expect.arrayContaining(LAYOUT));
    const verify = s.steps.find((x: any) => x.id === 'verify');
    expect(verify).toMatchObject({ exit: 0, ok: true });
    // the final verify's arguments, run again in DIR: verified
    const again = spawnSync(process.execPath, [BIN, ...verify.args], { cwd: dir, encoding: 'utf8' });
    expect(again.stdout).toMatch(/^VERIFIED: model\/ /m);
    expect(again.status).toBe(0);
  }, 180_000);

  it('refuses a folder that is not empty and holds no demo (exit 2, nothing written); --force uses it', () => {
    const other = join(root, 'other');
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, 'notes.txt'), 'mine\n');
    const r = demo(['--dir', other]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not empty/);
    expect(existsSync(join(other, 'keys'))).toBe(false);
    const forced = demo(['--dir', other, '--force', '--quiet']);
    expect(forced.status).toBe(0);
    expect(readFileSync(join(other, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(other, 'chain.intoto.jsonl'))).toBe(true);
  }, 180_000);

  it('npm run demo (scripts/demo.mjs) runs it without building when dist/ is current', () => {
    const r = spawnSync(process.execPath, [repoPath('scripts', 'demo.mjs'), '--dir', join(root, 'npm'), '--quiet'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stderr).toBe(''); // no "building it first"
    expect(r.stdout).toMatch(/^demo OK/m);
    expect(r.status).toBe(0);
  }, 180_000);

  it('prepare (scripts/build-if-stale.mjs) leaves a current dist/ alone, so npx lineproof in a clone starts at once', () => {
    // npx links the clone into its cache and runs its prepare the first time; npm ci already built.
    const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prepare).toBe('node scripts/build-if-stale.mjs');
    const stamp = repoPath('dist', 'cli', 'commands', 'table.json');
    const before = statSync(stamp).mtimeMs;
    const r = spawnSync(process.execPath, [repoPath('scripts', 'build-if-stale.mjs')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/dist\/ is current: not rebuilt/);
    expect(statSync(stamp).mtimeMs).toBe(before);
  });
});

describe('the demo model (src/cli/demo/model.ts)', () => {
  const rows = syntheticRows(2000, 2026);
  const model = train(rows.slice(0, 1500));
  const test = rows.slice(1500);

  it('is deterministic: the same seed gives the same weights bytes', () => {
    expect(weightsBytes(train(syntheticRows(2000, 2026).slice(0, 1500)))).toEqual(weightsBytes(model));
  });

  it('learns: held-out accuracy well above chance, robust to noise, a small parity gap', () => {
    const m = evaluate(readModel(model, weightsBytes(model)), test);
    expect(m.accuracy).toBeGreaterThan(0.8);
    expect(m.noisyAccuracy).toBeGreaterThan(0.75);
    expect(m.parityGap).toBeLessThan(0.1);
  });

  it('a flipped sign byte of a weight changes what the model does', () => {
    const bytes = weightsBytes(model);
    bytes[7]! ^= 0x80;
    expect(evaluate(readModel(model, bytes), test).accuracy).toBeLessThan(0.7);
  });
});
