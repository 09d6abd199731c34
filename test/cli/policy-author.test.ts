/**
 * Writing a first policy without reading the source (issue 19): `policy init` from keygen's keys,
 * an edit with a typo that `policy check` names by line and column, the fix, then a chain attested
 * and verified under it. Also `policy check`'s words for each kind of problem, `policy schema`
 * (the published JSON Schema, and a real validator agreeing with it), and `key info`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { policyJsonSchema } from '../../src/policy/check.js';
import { cli, type CliResult } from '../helpers/cli.js';
import { repoPath } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';
import { policyDoc, T } from '../helpers/world.js';

const PEOPLE = ['steward', 'trainer', 'evaluator', 'alice', 'bob', 'deployer'];

async function ok(r: Promise<CliResult>): Promise<CliResult> {
  const res = await r;
  expect(res.stderr, res.stdout).toBe('');
  expect(res.code).toBe(0);
  return res;
}

describe('policy init -> edit -> policy check -> verify', () => {
  it('walks a newcomer from keys to a verified chain', async () => {
    const dir = tempDir('lineproof-policy-walk-');
    const run = (args: string[]) => cli(args, { cwd: dir });
    mkdirSync(join(dir, 'keys'));
    for (const n of PEOPLE) await ok(run(['keygen', '--out', `keys/${n}`]).then((r) => ({ ...r, stdout: '' })));
    const init = await run([
      'policy',
      'init',
      ...PEOPLE.flatMap((n) => ['--key', `${n}=keys/${n}.pub`]),
      '--role',
      'approver=alice,bob',
      '--identity',
      'alice=mailto:alice@example.com',
      '--identity',
      'bob=mailto:bob@example.com',
      '--use-case',
      'support-chat=high',
      '--id',
      'https://example.com/policies/first',
      '--out',
      'policy.json',
    ]);
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(
      /^wrote policy.json: 6 key\(s\), roles data-steward, trainer, evaluator, approver, deployer/,
    );
    const doc = JSON.parse(readFileSync(join(dir, 'policy.json'), 'utf8'));
    expect(doc.riskTiers.high.description).toMatch(/two distinct approvers/);
    expect(doc.keys.alice.description).toMatch(/keyid [0-9a-f]{16}…/);

    // The edit, with a typo: policy check names the line, the column and what is allowed.
    doc.riskTiers.high.metricGates = [{ name: 'accuracy', min: 0.9 }];
    doc.riskTiers.high.aprovers = 2;
    const text = JSON.stringify(doc, null, 2);
    writeFileSync(join(dir, 'policy.json'), text);
    const bad = await run(['policy', 'check', 'policy.json']);
    expect(bad.code).toBe(1);
    const line = text.split('\n').findIndex((l) => l.includes('"aprovers"')) + 1;
    expect(bad.stdout).toContain(
      `policy.json:${line}:7: riskTiers.high.aprovers: unknown field "aprovers"; allowed here: `,
    );
    expect(bad.stdout).toMatch(/allowed here: .*approvers/);
    delete doc.riskTiers.high.aprovers;
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(doc, null, 2));
    expect((await ok(run(['policy', 'check', 'policy.json']))).stdout).toMatch(
      /^OK: policy.json: https:\/\/example.com\/policies\/first version 1/,
    );

    // A chain under it, through the CLI, verifies.
    mkdirSync(join(dir, 'model'));
    writeFileSync(
      join(dir, 'model', 'weights.bin'),
      new Uint8Array(4096).map((_, i) => (i * 7) & 0xff),
    );
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'train.csv'), 'x,y\n1,0\n');
    writeFileSync(join(dir, 'heldout.csv'), 'x,y\n2,1\n');
    const C = ['--chain', 'chain.intoto.jsonl', '--policy', 'policy.json'];
    await ok(
      run([
        'attest',
        'dataset',
        '--subject',
        'data',
        '--name',
        'd',
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
        'keys/steward.key',
        '--at',
        T.dataset,
        ...C,
      ]),
    );
    await ok(
      run([
        'attest',
        'training',
        '--subject',
        'model',
        '--started',
        T.trainingStarted,
        '--finished',
        T.trainingFinished,
        '--code',
        'git+https://example.com/t',
        '--builder-id',
        'https://ci.example.com/train',
        '--commit',
        'c'.repeat(40),
        '--key',
        'keys/trainer.key',
        '--at',
        T.training,
        ...C,
      ]),
    );
    await ok(
      run([
        'attest',
        'evaluation',
        '--subject',
        'model',
        '--suite',
        's',
        '--suite-version',
        '1',
        '--evaluator',
        'e',
        '--data',
        'heldout=heldout.csv',
        '--metric',
        'accuracy:accuracy=0.95>=0.9',
        '--metric',
        'robustness:noisy_accuracy=0.9>=0.85',
        '--metric',
        'fairness:parity_gap=0.02<=0.05',
        '--result',
        'PASSED',
        '--key',
        'keys/evaluator.key',
        '--at',
        T.evaluation,
        ...C,
      ]),
    );
    const approval = JSON.parse(
      (
        await ok(
          run([
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
            'keys/alice.key',
            '--at',
            T.approval,
            '--json',
            ...C,
          ]),
        )
      ).stdout,
    ).payloadDigest;
    await ok(run(['attest', 'cosign', '--payload-digest', approval, '--key', 'keys/bob.key', ...C]));
    const verify = await run(['verify', ...C, '--artifact', 'model', '--use-case', 'support-chat', '--at', T.asOf]);
    expect(verify.stdout).toMatch(/^VERIFIED: /m);
    expect(verify.code).toBe(0);
  });
});

describe('policy check', () => {
  let dir = '';
  beforeEach(() => {
    dir = tempDir('lineproof-policy-check-');
  });
  const check = async (text: string) => {
    writeFileSync(join(dir, 'p.json'), text);
    return cli(['policy', 'check', 'p.json', '--json'], { cwd: dir });
  };
  const problems = async (text: string) =>
    (
      JSON.parse((await check(text)).stdout) as {
        problems: Array<{ path: string; line: number; column: number; message: string; code: string }>;
      }
    ).problems;

  it('says line and column of a JSON syntax error and of a duplicate key', async () => {
    expect(await problems('{\n  "id": "urn:x:y",\n  "version": ,\n}')).toEqual([
      expect.objectContaining({ code: 'JSON_SYNTAX', line: 3, column: 14 }),
    ]);
    expect(await problems('{"id": "urn:x:y",\n "id": "urn:x:z"}')).toEqual([
      expect.objectContaining({ code: 'JSON_DUPLICATE_KEY', path: 'id', line: 2 }),
    ]);
  });

  it('lists every schema problem in our words, each at its field', async () => {
    const text =
      '{\n "id": "not a uri",\n "version": 1.5,\n "keys": {},\n "identities": {},\n "roles": {"boss": {"identities": ["x"]}},\n "riskTiers": {"low": {}},\n "useCases": {"u": {"riskTier": 3}}\n}';
    const found = await problems(text);
    const by = Object.fromEntries(found.map((p) => [p.path, p]));
    expect(by.id).toMatchObject({
      line: 2,
      message: expect.stringMatching(/^expected a URI, got the string "not a uri": a URI naming the policy/),
    });
    expect(by.version).toMatchObject({
      line: 3,
      message: expect.stringMatching(/^expected a whole number, got the number 1.5/),
    });
    expect(by['riskTiers.low.maxApprovalAgeDays']).toMatchObject({
      line: 7,
      message: expect.stringMatching(/^is required: expected a number: the most days/),
    });
    expect(by['useCases.u.riskTier']).toMatchObject({
      line: 8,
      message: expect.stringMatching(/^expected a string, got the number 3/),
    });
    expect(found.some((p) => p.path.startsWith('roles') && /expected one of|unknown field/.test(p.message))).toBe(true);
    expect(found.every((p) => !/Invalid input/.test(p.message))).toBe(true);
  });

  it('reports the rules beyond the schema at the field, and exits 0 with a summary when the policy loads', async () => {
    const good = await policyDoc();
    const r = await check(JSON.stringify(good, null, 2));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary.id).toBe(good.id);
    const firstRole = Object.keys(good.roles)[0]!;
    good.roles[firstRole].identities = ['nobody@example.com'];
    const text = JSON.stringify(good, null, 2);
    const [p] = await problems(text);
    expect(p).toMatchObject({ code: 'POLICY_REFERENCE_UNKNOWN' });
    expect(text.split('\n')[p!.line - 1]).toMatch(/identities|nobody/);
    const plain = await cli(['policy', 'check', 'p.json'], { cwd: dir });
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(
      /^p\.json:\d+:\d+: roles\[?.*names unknown identity "nobody@example.com" \(POLICY_REFERENCE_UNKNOWN\)\n1 problem in p\.json\n$/,
    );
  });
});

describe('policy schema', () => {
  it('is published as spec/schemas/policy.v1.schema.json (UPDATE_GOLDENS=1 rewrites it)', async () => {
    const path = repoPath('spec', 'schemas', 'policy.v1.schema.json');
    const generated = `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
    if (process.env.UPDATE_GOLDENS === '1') writeFileSync(path, generated);
    expect(readFileSync(path, 'utf8')).toBe(generated);
    expect((await cli(['policy', 'schema'])).stdout).toBe(generated);
  });

  it('agrees with a real JSON Schema validator (Debian python3-jsonschema, .ci/apt-packages) on an init policy and a broken one', async () => {
    const dir = tempDir('lineproof-policy-schema-');
    await cli(['keygen', '--out', 'a'], { cwd: dir });
    expect((await cli(['policy', 'init', '--key', 'approver=a.pub', '--out', 'p.json'], { cwd: dir })).code).toBe(0);
    const good = readFileSync(join(dir, 'p.json'), 'utf8');
    const bad = JSON.stringify({ ...JSON.parse(good), version: 0, extra: true });
    writeFileSync(join(dir, 'bad.json'), bad);
    writeFileSync(join(dir, 'schema.json'), JSON.stringify(policyJsonSchema()));
    const py = `import json,sys,jsonschema
s=json.load(open('schema.json'))
for f in sys.argv[1:]:
  errs=sorted(e.json_path for e in jsonschema.Draft202012Validator(s).iter_errors(json.load(open(f))))
  print(f, errs)`;
    const out = execFileSync('/usr/bin/python3', ['-c', py, 'p.json', 'bad.json'], { cwd: dir, encoding: 'utf8' });
    expect(out).toContain('p.json []');
    expect(out).toMatch(/bad\.json \[.*'\$'.*'\$\.version'.*\]|bad\.json \[.*'\$\.version'.*'\$'.*\]/);
  });
});

describe('key info', () => {
  it("prints a key's kind, hex, both keyids and PEM, the same for the private and the public file", async () => {
    const dir = tempDir('lineproof-key-info-');
    const gen = await cli(['keygen', '--out', 'k', '--json'], { cwd: dir });
    const made = JSON.parse(gen.stdout) as { keyid?: string };
    const pub = JSON.parse((await ok(cli(['key', 'info', 'k.pub', '--json'], { cwd: dir }))).stdout);
    const priv = JSON.parse((await ok(cli(['key', 'info', 'k.key', '--json'], { cwd: dir }))).stdout);
    expect(pub.kind).toBe('public');
    expect(priv.kind).toBe('private');
    for (const f of ['publicKey', 'keyid', 'keyidModern', 'pem']) expect(priv[f]).toBe(pub[f]);
    expect(pub.publicKey).toMatch(/^[0-9a-f]{64}$/);
    if (made.keyid) expect(pub.keyid).toBe(made.keyid);
    expect(pub.pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const text = await ok(cli(['key', 'info', 'k.key'], { cwd: dir }));
    expect(text.stdout).toMatch(/^k\.key: Ed25519 private key\n {2}public key {4}[0-9a-f]{64}\n/);
    expect(text.stdout).not.toMatch(/PRIVATE/);
    const missing = await cli(['key', 'info', 'nope.pub'], { cwd: dir });
    expect(missing.code).toBe(2);
  });
});
