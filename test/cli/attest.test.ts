import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../src/bundle/jsonl.js';
import { hashDirectory } from '../../src/node/hash-tree.js';
import { encryptPrivateKeyPem } from '../../src/node/keys.js';
import { privateKeyToPem } from '../../src/keys/keys.js';
import { manifestBytes } from '../../src/manifest/build.js';
import { buildDatasetStatement } from '../../src/statements/builders.js';
import { parseAttestationPayload } from '../../src/statements/predicates/index.js';
import { parsePolicy } from '../../src/policy/policy.js';
import { verifyChain } from '../../src/verify/chain.js';
import { cli, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { IDENTITY, key, KEY_NAMES, policyDoc, T } from '../helpers/world.js';

const COMMIT = 'c0ffee'.padEnd(40, '0');

/** A working directory with key files (world seeds), the world policy, a model and two datasets. */
async function workspace(): Promise<{
  dir: string;
  run: (args: string[], env?: Record<string, string>) => Promise<CliResult>;
  chain: () => string;
}> {
  const dir = tempDir('lineproof-attest-');
  for (const n of KEY_NAMES) writeFileSync(join(dir, `${n}.key`), privateKeyToPem(await key(n)), { mode: 0o600 });
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(await policyDoc(), null, 2));
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'model', 'config.json'), '{"layers":2}\n');
  writeFileSync(
    join(dir, 'model', 'weights.bin'),
    new Uint8Array(4096).map((_, i) => (i * 31) & 0xff),
  );
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'train.jsonl'), '{"text":"hello"}\n');
  mkdirSync(join(dir, 'data2'));
  writeFileSync(join(dir, 'data2', 'train.jsonl'), '{"text":"other"}\n');
  writeFileSync(join(dir, 'heldout.jsonl'), '{"text":"held out"}\n');
  return {
    dir,
    run: (args, env = {}) => cli(args, { cwd: dir, env }),
    chain: () => readFileSync(join(dir, 'chain.intoto.jsonl'), 'utf8'),
  };
}

const C = ['--chain', 'chain.intoto.jsonl', '--policy', 'policy.json'];
/** Within the high tier's 90 days of the approval's issuedAt (attest approval --policy refuses a later expiry). */
const EXPIRES = '2026-04-10T00:00:00Z';
const DATASET = [
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
  '--at',
  T.dataset,
  ...C,
];
const TRAINING = [
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
  COMMIT,
  '--param',
  'epochs=3',
  '--param',
  'optimizer=adamw',
  '--key',
  'trainer.key',
  '--at',
  T.training,
  ...C,
];
const EVALUATION = [
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
  '--at',
  T.evaluation,
  ...C,
];
const APPROVAL = [
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
  EXPIRES,
  '--key',
  'alice.key',
  '--at',
  T.approval,
  ...C,
];
const PROMOTION = [
  'attest',
  'promotion',
  '--subject',
  'model',
  '--environment',
  'prod',
  '--key',
  'deployer.key',
  '--at',
  T.promotion,
  ...C,
];

function code(r: CliResult): string | undefined {
  return /lineproof: ([A-Z][A-Z0-9_]+):/.exec(r.stderr)?.[1];
}

async function ok(r: Promise<CliResult>): Promise<CliResult> {
  const res = await r;
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return res;
}

async function digestOf(run: (a: string[]) => Promise<CliResult>, args: string[]): Promise<string> {
  const r = await ok(run([...args, '--json']));
  return JSON.parse(r.stdout).payloadDigest;
}

/** The whole chain through the CLI; returns the payload digests. */
async function fullChain(w: Awaited<ReturnType<typeof workspace>>) {
  const dataset = await digestOf(w.run, DATASET);
  const training = await digestOf(w.run, TRAINING);
  const evaluation = await digestOf(w.run, EVALUATION);
  const approval = await digestOf(w.run, APPROVAL);
  await ok(w.run(['attest', 'cosign', '--payload-digest', approval, '--key', 'bob.key', ...C]));
  const promotion = await digestOf(w.run, PROMOTION);
  return { dataset, training, evaluation, approval, promotion };
}

async function modelDigest(dir: string): Promise<string> {
  return (await hashDirectory(join(dir, 'model'))).digest;
}

describe('lineproof attest', () => {
  describe('when every stage is attested through the CLI, predecessors looked up in the chain', () => {
    it('links each step to the right predecessors, and the chain verifies against the policy', async () => {
      const w = await workspace();
      const d = await fullChain(w);
      const index = readBundle(w.chain());
      expect(index.errors).toEqual([]);
      const parsed = new Map(index.entries.map((e) => [e.payloadDigest, parseAttestationPayload(e.envelope.payload)]));
      const refs = (digest: string) => parsed.get(digest)!.references.map((r) => [r.role, r.digest]);
      expect(refs(d.training)).toEqual([['dataset', d.dataset]]);
      expect(refs(d.evaluation)).toEqual([['training', d.training]]);
      expect(refs(d.approval)).toEqual([
        ['training', d.training],
        ['evaluation', d.evaluation],
      ]);
      expect(refs(d.promotion)).toEqual([['approval', d.approval]]);
      expect(index.entries.find((e) => e.payloadDigest === d.approval)!.lines).toEqual([4, 5]);
      const { report } = await verifyChain({
        bundle: w.chain(),
        policy: parsePolicy(await policyDoc()),
        subject: await modelDigest(w.dir),
        useCase: 'support-chat',
        asOf: T.asOf,
      });
      expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
      expect(report.ok).toBe(true);
      // and through the CLI
      const v = await w.run([
        'verify',
        '--chain',
        'chain.intoto.jsonl',
        '--policy',
        'policy.json',
        '--artifact',
        'model',
        '--use-case',
        'support-chat',
        '--at',
        T.asOf,
      ]);
      expect(v.code).toBe(0);
      expect(v.stdout).toMatch(/^VERIFIED: model/m);
    });

    it('a dataset round-trips flags -> builder -> sign -> bundle -> parse, equal to the library builder', async () => {
      const w = await workspace();
      const r = await ok(
        w.run([...DATASET, '--json', '--tag', 'support', '--source', 'https://helpdesk.example.com/export']),
      );
      const out = JSON.parse(r.stdout);
      expect(Object.keys(out).sort()).toEqual(['line', 'payloadDigest', 'stage']);
      expect(out.stage).toBe('dataset');
      expect(`${out.line}\n`).toBe(w.chain());
      const entry = readBundle(w.chain()).entries[0]!;
      expect(entry.payloadDigest).toBe(out.payloadDigest);
      const parsed = parseAttestationPayload(entry.envelope.payload);
      const manifest = manifestBytes((await hashDirectory(join(w.dir, 'data'))).manifest);
      const expected = buildDatasetStatement({
        subject: {
          name: 'tickets',
          digest: (await hashDirectory(join(w.dir, 'data'))).subject.digest,
          mediaType: 'application/vnd.lineproof.manifest.v1+json',
        },
        manifest: { bytes: manifest },
        name: 'tickets',
        version: '1',
        owner: 'data-team',
        license: 'CC-BY-4.0',
        classification: { sensitivity: 'internal', pii: false, tags: ['support'] },
        sources: [{ uri: 'https://helpdesk.example.com/export' }],
        attester: IDENTITY.steward,
        now: new Date(T.dataset),
      });
      expect(parsed.statement).toEqual(expected);
      expect(parsed.attester.id).toBe(IDENTITY.steward); // taken from the policy's binding of the key
    });

    it('a dataset derived from another (--ref) is the one training finds: the leaf of the derivation', async () => {
      const w = await workspace();
      const raw = await digestOf(w.run, DATASET);
      const clean = await digestOf(w.run, [
        ...DATASET.map((x) => (x === 'data' ? 'data2' : x === 'tickets' ? 'tickets-clean' : x)),
        '--ref',
        raw,
      ]);
      const training = await digestOf(w.run, TRAINING);
      const entries = readBundle(w.chain()).entries;
      const refs = (d: string) =>
        parseAttestationPayload(entries.find((e) => e.payloadDigest === d)!.envelope.payload).references.map((r) => [
          r.role,
          r.digest,
        ]);
      expect(refs(clean)).toEqual([['derived-from', raw]]);
      expect(refs(training)).toEqual([['dataset', clean]]);
    });

    it('--predicate supplies the other fields, and flags override it', async () => {
      const w = await workspace();
      writeFileSync(
        join(w.dir, 'dataset.json'),
        JSON.stringify({
          name: 'from-file',
          version: '9',
          owner: 'o',
          license: 'MIT',
          description: 'd',
          classification: { sensitivity: 'public', pii: true },
          processing: [{ name: 'dedup', parameters: { t: 0.9 } }],
        }),
      );
      await ok(
        w.run([
          'attest',
          'dataset',
          '--subject',
          'data',
          '--predicate',
          'dataset.json',
          '--version',
          '2',
          '--pii',
          'no',
          '--key',
          'steward.key',
          ...C,
        ]),
      );
      const p = parseAttestationPayload(readBundle(w.chain()).entries[0]!.envelope.payload);
      expect(p.stage === 'dataset' && p.predicate).toMatchObject({
        name: 'from-file',
        version: '2',
        description: 'd',
        classification: { sensitivity: 'public', pii: false },
        processing: [{ name: 'dedup', parameters: { t: 0.9 } }],
      });
    });

    it('--out writes the envelope without a chain; STAGE=sha256:… refers to an attestation kept elsewhere', async () => {
      const w = await workspace();
      const training = `sha256:${'ab'.repeat(32)}`;
      const r = await ok(
        w.run([
          ...EVALUATION.filter((a) => !C.includes(a)),
          '--ref',
          `training=${training}`,
          '--attester',
          IDENTITY.evaluator,
          '--out',
          'eval.intoto.json',
        ]),
      );
      expect(r.stdout).toMatch(/^evaluation sha256:[0-9a-f]{64}$/m);
      const p = parseAttestationPayload(
        readBundle(readFileSync(join(w.dir, 'eval.intoto.json'))).entries[0]!.envelope.payload,
      );
      expect(p.references.map((x) => x.digest)).toEqual([training]);
    });

    it('a revocation revokes an evaluation, and verification then fails with REVOKED', async () => {
      const w = await workspace();
      const d = await fullChain(w);
      await ok(
        w.run([
          'attest',
          'revocation',
          '--kind',
          'attestation',
          '--reason',
          'erroneous',
          '--description',
          'wrong checkpoint',
          '--ref',
          d.evaluation,
          '--key',
          'revoker.key',
          '--at',
          '2026-01-20T00:00:00Z',
          ...C,
        ]),
      );
      const v = await w.run([
        'verify',
        '--chain',
        'chain.intoto.jsonl',
        '--policy',
        'policy.json',
        '--artifact',
        'model',
        '--use-case',
        'support-chat',
        '--at',
        T.asOf,
      ]);
      expect(v.code).toBe(1);
      expect(v.stdout).toMatch(/^FAIL REVOKED /m);
    });

    it('a key revocation names the key by the sha256 of its SPKI', async () => {
      const w = await workspace();
      writeFileSync(
        join(w.dir, 'mallory.pub'),
        (await import('../../src/keys/keys.js')).publicKeyToPem((await key('mallory')).publicKey),
      );
      await ok(
        w.run([
          'attest',
          'revocation',
          '--kind',
          'key',
          '--reason',
          'compromised',
          '--description',
          'leaked',
          '--revoke-key',
          'mallory.pub',
          '--key',
          'revoker.key',
          ...C,
        ]),
      );
      const p = parseAttestationPayload(readBundle(w.chain()).entries[0]!.envelope.payload);
      const { sha256Hex } = await import('../../src/digest/index.js');
      const { spkiDer } = await import('../../src/keys/der.js');
      expect(p.statement.subject[0]!.digest.sha256).toBe(sha256Hex(spkiDer((await key('mallory')).publicKey.bytes)));
    });
  });

  describe('adversarial and operator errors (exit 2, nothing written)', () => {
    it('a --ref of the wrong stage: REFERENCE_STAGE_MISMATCH', async () => {
      const w = await workspace();
      const dataset = await digestOf(w.run, DATASET);
      const before = w.chain();
      for (const args of [
        [...EVALUATION, '--ref', `training=${dataset}`],
        [...PROMOTION, '--ref', dataset],
        [...APPROVAL, '--ref', dataset],
        [...TRAINING, '--ref', `evaluation=${dataset}`],
      ]) {
        const r = await w.run(args);
        expect(r.code).toBe(2);
        expect(code(r)).toBe('REFERENCE_STAGE_MISMATCH');
      }
      expect(w.chain()).toBe(before);
    });

    it('a --ref not in the chain: REFERENCE_UNRESOLVED; a malformed one: usage error', async () => {
      const w = await workspace();
      await ok(w.run(DATASET));
      const r = await w.run([...TRAINING, '--ref', `sha256:${'0'.repeat(64)}`]);
      expect(r.code).toBe(2);
      expect(code(r)).toBe('REFERENCE_UNRESOLVED');
      const bad = await w.run([...TRAINING, '--ref', 'sha256:1234']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--ref expected/);
    });

    it('an ambiguous lookup lists the candidates; --ref chooses', async () => {
      const w = await workspace();
      const a = await digestOf(w.run, DATASET);
      const b = await digestOf(w.run, [
        ...DATASET.map((x) => (x === 'data' ? 'data2' : x === 'tickets' ? 'tickets-2' : x)),
      ]);
      const before = w.chain();
      const r = await w.run(TRAINING);
      expect(r.code).toBe(2);
      expect(code(r)).toBe('PREDECESSOR_AMBIGUOUS');
      expect(r.stderr).toContain(a);
      expect(r.stderr).toContain(b);
      expect(w.chain()).toBe(before);
      await ok(w.run([...TRAINING, '--ref', b]));
    });

    it('two evaluations of the same suite make the approval lookup ambiguous', async () => {
      const w = await workspace();
      await ok(w.run(DATASET));
      await ok(w.run(TRAINING));
      const e1 = await digestOf(w.run, EVALUATION);
      const e2 = await digestOf(
        w.run,
        EVALUATION.map((x) => (x === 'accuracy:accuracy=0.95>=0.9' ? 'accuracy:accuracy=0.96>=0.9' : x)),
      );
      const r = await w.run(APPROVAL);
      expect(code(r)).toBe('PREDECESSOR_AMBIGUOUS');
      expect(r.stderr).toContain(e1);
      expect(r.stderr).toContain(e2);
      const chosen = await w.run([...APPROVAL, '--ref', e2]);
      expect(chosen.code).toBe(0);
    });

    it('a predecessor not in the chain: PREDECESSOR_NOT_FOUND', async () => {
      const w = await workspace();
      await ok(w.run(DATASET));
      const r = await w.run(EVALUATION);
      expect(r.code).toBe(2);
      expect(code(r)).toBe('PREDECESSOR_NOT_FOUND');
    });

    it('with --policy, only predecessors signed by a trusted key of their role are found', async () => {
      const w = await workspace();
      // mallory (not in the policy) attests a dataset without --policy
      await ok(
        w.run(
          DATASET.filter((x) => x !== '--policy' && x !== 'policy.json')
            .map((x) => (x === 'steward.key' ? 'mallory.key' : x))
            .concat(['--attester', IDENTITY.steward]),
        ),
      );
      const r = await w.run(TRAINING);
      expect(code(r)).toBe('PREDECESSOR_NOT_FOUND');
    });

    it.each([
      ['a missing key file', ['--key', 'nope.key'], 'IO_ERROR'],
      ['a key file that is not a key', ['--key', 'policy.json'], 'KEY_INVALID'],
    ])('an unreadable key: %s', async (_n, extra, expected) => {
      const w = await workspace();
      const r = await w.run([...DATASET, ...extra]);
      expect(r.code).toBe(2);
      expect(code(r)).toBe(expected);
    });

    it('an encrypted key without its passphrase: KEY_PASSPHRASE_REQUIRED; with it: signed', async () => {
      const w = await workspace();
      writeFileSync(
        join(w.dir, 'steward-enc.key'),
        encryptPrivateKeyPem(await key('steward'), 'pw', { iterations: 1000 }),
        { mode: 0o600 },
      );
      const args = DATASET.map((x) => (x === 'steward.key' ? 'steward-enc.key' : x));
      const r = await w.run(args);
      expect(r.code).toBe(2);
      expect(code(r)).toBe('KEY_PASSPHRASE_REQUIRED');
      expect((await w.run(args, { LINEPROOF_KEY_PASSPHRASE: 'pw' })).code).toBe(0);
    });

    it('an unreadable chain file (a directory) exits 2', async () => {
      const w = await workspace();
      const r = await w.run([
        ...DATASET.filter((x) => x !== 'chain.intoto.jsonl' && x !== '--chain'),
        '--chain',
        'data',
      ]);
      expect(r.code).toBe(2);
      expect(code(r)).toBe('IO_ERROR');
    });

    describe('a key the policy does not allow for the stage', () => {
      it.each([
        ['a key outside the policy', ['--key', 'mallory.key'], 'UNTRUSTED_SIGNER'],
        ['a key bound to another identity than --attester', ['--attester', IDENTITY.bob], 'IDENTITY_MISMATCH'],
        ['an identity without the role', ['--key', 'evaluator.key'], 'SIGNER_NOT_IN_ROLE'],
        ['a retired key', ['--key', 'aliceOld.key'], 'KEY_OUTSIDE_VALIDITY'],
      ])('%s', async (_n, extra, expected) => {
        const w = await workspace();
        await ok(w.run(DATASET));
        await ok(w.run(TRAINING));
        await ok(w.run(EVALUATION));
        const before = w.chain();
        const r = await w.run([...APPROVAL, ...extra]);
        expect(r.code).toBe(2);
        expect(code(r)).toBe(expected);
        expect(w.chain()).toBe(before);
      });
      it('a use case the policy does not allow, or another risk tier', async () => {
        const w = await workspace();
        await ok(w.run(DATASET));
        await ok(w.run(TRAINING));
        await ok(w.run(EVALUATION));
        expect(code(await w.run([...APPROVAL.map((x) => (x === 'support-chat' ? 'trading' : x))]))).toBe(
          'USE_CASE_NOT_ALLOWED',
        );
        expect(code(await w.run([...APPROVAL, '--risk-tier', 'low']))).toBe('RISK_TIER_MISMATCH');
      });
    });

    describe('--predicate FILE is read strictly', () => {
      it.each([
        ['an unknown field', { name: 'x', colour: 'red' }, 'INVALID_ARGUMENT'],
        [
          'an unknown nested field',
          { classification: { sensitivity: 'public', pii: false, secret: 1 } },
          'INVALID_ARGUMENT',
        ],
        ['a reference (given with --ref instead)', { derivedFrom: [] }, 'INVALID_ARGUMENT'],
        ['an invalid value', { classification: { sensitivity: 'top-secret', pii: false } }, 'PREDICATE_INVALID'],
      ])('%s', async (_n, body, expected) => {
        const w = await workspace();
        writeFileSync(join(w.dir, 'p.json'), JSON.stringify(body));
        const r = await w.run([
          'attest',
          'dataset',
          '--subject',
          'data',
          '--name',
          'n',
          '--version',
          '1',
          '--owner',
          'o',
          '--license',
          'MIT',
          '--predicate',
          'p.json',
          '--key',
          'steward.key',
          ...C,
        ]);
        expect(r.code).toBe(2);
        expect(code(r)).toBe(expected);
      });
      it('duplicate keys fail with JSON_DUPLICATE_KEY; a metric with an unknown field names its path', async () => {
        const w = await workspace();
        writeFileSync(join(w.dir, 'p.json'), '{"name":"a","name":"b"}');
        expect(code(await w.run([...DATASET, '--predicate', 'p.json']))).toBe('JSON_DUPLICATE_KEY');
        writeFileSync(
          join(w.dir, 'e.json'),
          JSON.stringify({ metrics: [{ name: 'a', category: 'accuracy', value: 1, higherIsBetter: true, weight: 2 }] }),
        );
        const r = await w.run([
          'attest',
          'evaluation',
          '--subject',
          `sha256:${'1'.repeat(64)}`,
          '--predicate',
          'e.json',
          '--key',
          'evaluator.key',
          '--ref',
          `training=sha256:${'2'.repeat(64)}`,
          '--out',
          'e.intoto.json',
          '--attester',
          IDENTITY.evaluator,
        ]);
        expect(code(r)).toBe('INVALID_ARGUMENT');
        expect(r.stderr).toContain('metrics[0].weight');
      });
    });

    it.each([
      ['an unknown flag', ['--colour', 'red']],
      ['a time without an offset', ['--at', '2026-01-01T00:00:00']],
      ['--pii maybe', ['--pii', 'maybe']],
    ])('bad flags: %s', async (_n, extra) => {
      const w = await workspace();
      const r = await w.run([...DATASET, ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });

    it('missing flags name what is required', async () => {
      const w = await workspace();
      expect((await w.run(['attest', 'dataset', '--subject', 'data', '--key', 'steward.key', ...C])).stderr).toMatch(
        /--name is required/,
      );
      expect(
        (await w.run(['attest', 'dataset', '--subject', 'data', '--name', 'x', '--key', 'steward.key'])).stderr,
      ).toMatch(/--chain CHAIN .* or --out FILE/);
      expect(
        (await w.run(['attest', 'dataset', '--subject', 'data', '--name', 'x', '--chain', 'c.jsonl'])).stderr,
      ).toMatch(/--key is required/);
      expect(
        (
          await w.run([
            'attest',
            'dataset',
            '--subject',
            'data',
            '--name',
            'x',
            '--key',
            'steward.key',
            '--chain',
            'c.jsonl',
          ])
        ).stderr,
      ).toMatch(/--attester ID is required/);
    });
  });

  describe('attest cosign', () => {
    it('adds a signature once; a digest not in the chain is BUNDLE_PAYLOAD_NOT_FOUND', async () => {
      const w = await workspace();
      const d = await fullChain(w);
      const again = await ok(
        w.run(['attest', 'cosign', '--payload-digest', d.approval, '--key', 'bob.key', ...C, '--json']),
      );
      expect(JSON.parse(again.stdout)).toMatchObject({ payloadDigest: d.approval, stage: 'approval', added: false });
      const r = await w.run([
        'attest',
        'cosign',
        '--payload-digest',
        `sha256:${'0'.repeat(64)}`,
        '--key',
        'bob.key',
        ...C,
      ]);
      expect(r.code).toBe(2);
      expect(code(r)).toBe('BUNDLE_PAYLOAD_NOT_FOUND');
    });
    it('refuses, with --policy, a co-signer without the role of the stage', async () => {
      const w = await workspace();
      const d = await fullChain(w);
      const r = await w.run(['attest', 'cosign', '--payload-digest', d.approval, '--key', 'trainer.key', ...C]);
      expect(code(r)).toBe('SIGNER_NOT_IN_ROLE');
    });
  });

  describe('--help', () => {
    it.each(['dataset', 'training', 'evaluation', 'approval', 'promotion', 'revocation', 'cosign'])(
      'attest %s --help',
      async (stage) => {
        const r = await cli(['attest', stage, '--help']);
        expect(r.code).toBe(0);
        expect(r.stdout.startsWith(`Usage: lineproof attest ${stage} `)).toBe(true);
        expect(r.stdout).toMatch(/Exit codes:/);
        expect(r.stdout).toMatch(/Example/);
      },
    );
    it('attest alone lists the sub-commands', async () => {
      const r = await cli(['attest', '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/attest cosign/);
    });
  });
});

describe('lineproof inspect', () => {
  it('prints the chain as a tree with signers (named with --policy); exit 0', async () => {
    const w = await workspace();
    const d = await fullChain(w);
    const r = await ok(w.run(['inspect', '--chain', 'chain.intoto.jsonl', '--policy', 'policy.json']));
    expect(r.stdout).toContain(`promotion ${d.promotion}`);
    expect(r.stdout).toMatch(/└─ approval sha256:[0-9a-f]{64} {2}\(line 4, 5\)/);
    expect(r.stdout).toContain('mailto:bob@example.com (key bob; approver)');
    expect(r.stdout).toMatch(/training sha256:[0-9a-f]{12}… \(shown above\)/);
    expect(r.stdout).toMatch(/^OK: /m);
    const plain = await ok(w.run(['inspect', '--chain', 'chain.intoto.jsonl']));
    expect(plain.stdout).toMatch(/unverified: no --policy/);
    expect(r.stdout).not.toMatch(/unreferenced/);
    const json = JSON.parse((await ok(w.run(['inspect', '--chain', 'chain.intoto.jsonl', '--json']))).stdout);
    expect(json.ok).toBe(true);
    expect(json.roots).toEqual([d.promotion]);
    expect(json.attestations.find((a: { stage: string }) => a.stage === 'training').referencedBy.sort()).toEqual(
      [d.evaluation, d.approval].sort(),
    );
  });

  describe('when a chain line is tampered with', () => {
    it('an unparseable line is listed with its line number; exit 1', async () => {
      const w = await workspace();
      await fullChain(w);
      const lines = w.chain().split('\n');
      lines[2] = lines[2]!.slice(0, 40);
      writeFileSync(join(w.dir, 'chain.intoto.jsonl'), lines.join('\n'));
      const r = await w.run(['inspect', '--chain', 'chain.intoto.jsonl', '--json']);
      expect(r.code).toBe(1);
      const json = JSON.parse(r.stdout);
      expect(json.unreadable.map((u: { line: number }) => u.line)).toEqual([3]);
      expect(json.problems.map((p: { code: string }) => p.code).sort()).toEqual([
        'BUNDLE_LINE_INVALID',
        'REFERENCE_UNRESOLVED',
      ]); // the approval's evidence
      const text = await w.run(['inspect', '--chain', 'chain.intoto.jsonl']);
      expect(text.stdout).toMatch(/Unreadable lines:\n {2}line 3: JSON_SYNTAX/);
      expect(text.stdout).toMatch(/MISSING sha256:/);
      // every attestation that remains is still relied on by another
      expect(text.stdout).not.toMatch(/unreferenced/);
    });
    it('a changed payload no longer verifies (UNTRUSTED with --policy) and its referrers dangle', async () => {
      const w = await workspace();
      const d = await fullChain(w);
      const lines = w.chain().split('\n');
      const env = JSON.parse(lines[2]!);
      const payload = Buffer.from(env.payload, 'base64')
        .toString('utf8')
        .replace('"PASSED"', '"FAILED"')
        .replace(/"value":0.95/, '"value":0.5');
      env.payload = Buffer.from(payload).toString('base64');
      lines[2] = JSON.stringify(env);
      writeFileSync(join(w.dir, 'chain.intoto.jsonl'), lines.join('\n'));
      const r = await w.run(['inspect', '--chain', 'chain.intoto.jsonl', '--policy', 'policy.json', '--json']);
      expect(r.code).toBe(1);
      const json = JSON.parse(r.stdout);
      const tampered = json.attestations.find((a: { lines: number[] }) => a.lines.includes(3));
      expect(tampered.trusted).toBe(false);
      expect(tampered.signatures[0].identity).toBeNull();
      expect(json.problems.map((p: { code: string }) => p.code).sort()).toEqual([
        'REFERENCE_UNRESOLVED',
        'UNTRUSTED_SIGNER',
      ]);
      expect(json.problems.find((p: { code: string }) => p.code === 'REFERENCE_UNRESOLVED').message).toContain(
        d.evaluation.slice(0, 19),
      );
    });
  });

  it('with --policy, an attestation signed only by a key that no longer counts is not trusted (keyStanding)', async () => {
    const w = await workspace();
    await fullChain(w);
    const doc = JSON.parse(readFileSync(join(w.dir, 'policy.json'), 'utf8'));
    doc.keys.evaluator.status = 'compromised';
    doc.keys.evaluator.compromisedAt = '2025-06-01T00:00:00Z';
    writeFileSync(join(w.dir, 'policy.json'), JSON.stringify(doc));
    const r = await w.run(['inspect', '--chain', 'chain.intoto.jsonl', '--policy', 'policy.json', '--json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    const evaluation = json.attestations.find((a: { stage: string }) => a.stage === 'evaluation');
    expect(evaluation.trusted).toBe(false);
    expect(evaluation.signatures[0].identity).toBe(IDENTITY.evaluator);
    expect(json.problems.map((p: { code: string }) => p.code)).toEqual(['KEY_COMPROMISED']);
    expect(json.attestations.filter((a: { trusted: boolean }) => !a.trusted)).toHaveLength(1);
  });

  it('marks attestations nothing relies on as unreferenced', async () => {
    const w = await workspace();
    const d = await digestOf(w.run, DATASET);
    const r = await ok(w.run(['inspect', '--chain', 'chain.intoto.jsonl']));
    expect(r.stdout).toContain(`dataset ${d}  (line 1)  unreferenced`);
  });

  it('exits 2 for a missing chain file or a bad policy', async () => {
    const w = await workspace();
    expect((await w.run(['inspect', '--chain', 'nope.jsonl'])).code).toBe(2);
    writeFileSync(join(w.dir, 'chain.intoto.jsonl'), '');
    writeFileSync(join(w.dir, 'bad.json'), '{"id":1,"id":2}');
    expect((await w.run(['inspect', '--chain', 'chain.intoto.jsonl', '--policy', 'bad.json'])).code).toBe(2);
    expect((await w.run(['inspect'])).code).toBe(2);
  });
});

describe('governed promotion through the CLI (issue 14)', () => {
  const REGISTRATION = [
    'attest',
    'registration',
    '--subject',
    'model',
    '--model-name',
    'support-bot',
    '--model-version',
    '3.0.0',
    '--owner',
    'mailto:ml-team@example.com',
    '--use-case',
    'support-chat:answers customers',
    '--description',
    'A support assistant',
    '--limitation',
    'English only',
    '--license',
    'Apache-2.0',
    '--contact',
    'mailto:ml-team@example.com',
    '--key',
    'registrar.key',
    '--at',
    '2026-01-11T09:00:00Z',
    ...C,
  ];
  const withPolicy = (w: { dir: string }, f: (d: Record<string, any>) => void) => {
    const path = join(w.dir, 'policy.json');
    const d = JSON.parse(readFileSync(path, 'utf8'));
    f(d);
    writeFileSync(path, JSON.stringify(d));
  };
  const verify = (w: Awaited<ReturnType<typeof workspace>>) =>
    w.run([
      'verify',
      '--chain',
      'chain.intoto.jsonl',
      '--policy',
      'policy.json',
      '--artifact',
      'model',
      '--use-case',
      'support-chat',
      '--at',
      T.asOf,
      '--json',
    ]);

  it('registers the model; the approval refers to it (v0.2) and verifies under requireRegistration', async () => {
    const w = await workspace();
    withPolicy(w, (d) => {
      d.requireRegistration = true;
    });
    await ok(w.run(DATASET));
    await ok(w.run(TRAINING));
    const reg = await ok(w.run(REGISTRATION));
    expect(reg.stdout).toContain('support-bot@3.0.0 owned by mailto:ml-team@example.com');
    expect(reg.stdout).toContain('support-chat (high)'); // the tier taken from the policy
    await ok(w.run(EVALUATION));
    const approval = await ok(w.run([...APPROVAL, '--json']));
    const out = JSON.parse(approval.stdout);
    expect(out.checked.refused).toEqual([]);
    expect(out.checked.later.map((l: any) => l.code)).toEqual(['APPROVAL_THRESHOLD_NOT_MET']);
    const parsed = parseAttestationPayload(
      readBundle(w.chain()).entries.find((e) => e.payloadDigest === out.payloadDigest)!.envelope.payload,
    );
    expect(parsed.predicateType).toBe('https://lineproof.dev/attestation/approval/v0.2');
    expect(parsed.references.map((r) => r.role)).toContain('registration');
    await ok(w.run(['attest', 'cosign', '--payload-digest', out.payloadDigest, '--key', 'bob.key', ...C]));
    await ok(w.run(PROMOTION));
    const v = await verify(w);
    expect(v.code).toBe(0);
    const report = JSON.parse(v.stdout);
    expect(report.checks.find((c: any) => c.id === 'approval.registration').status).toBe('pass');
  });

  it('refuses to approve an unregistered model when the policy requires registration: MODEL_NOT_REGISTERED', async () => {
    const w = await workspace();
    withPolicy(w, (d) => {
      d.requireRegistration = true;
    });
    for (const step of [DATASET, TRAINING, EVALUATION]) await ok(w.run(step));
    const r = await w.run(APPROVAL);
    expect(r.code).toBe(2);
    expect(code(r)).toBe('MODEL_NOT_REGISTERED');
  });

  it('refuses a registration whose tier is not the policy’s: REGISTRATION_TIER_MISMATCH', async () => {
    const w = await workspace();
    const r = await w.run([...REGISTRATION, '--risk-tier', 'support-chat=low']);
    expect(r.code).toBe(2);
    expect(code(r)).toBe('REGISTRATION_TIER_MISMATCH');
  });

  it('refuses to sign an approval of a below-gate evaluation; --force signs it and says so', async () => {
    const w = await workspace();
    await ok(w.run(DATASET));
    await ok(w.run(TRAINING));
    const below = EVALUATION.map((a) => (a === 'accuracy:accuracy=0.95>=0.9' ? 'accuracy:accuracy=0.85>=0.8' : a));
    await ok(w.run(below));
    const before = w.chain();
    const r = await w.run(APPROVAL);
    expect(r.code).toBe(2);
    expect(code(r)).toBe('METRIC_GATE_FAILED');
    expect(r.stderr).toContain('not signed (--force signs anyway)');
    expect(r.stderr).toContain('evaluation.metric.accuracy');
    expect(w.chain()).toBe(before); // nothing appended
    const forced = await w.run([...APPROVAL, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain('--force: signing an approval a verifier would refuse');
    expect(forced.stdout).toContain('(signed anyway: --force)');
    expect(forced.stdout).toContain('refused METRIC_GATE_FAILED');
  });

  it('refuses an expiry past the tier’s maximum age: APPROVAL_EXPIRES_BEYOND_MAX_AGE', async () => {
    const w = await workspace();
    for (const step of [DATASET, TRAINING, EVALUATION]) await ok(w.run(step));
    const late = APPROVAL.map((a) => (a === EXPIRES ? '2026-07-15T00:00:00Z' : a));
    const r = await w.run(late);
    expect(r.code).toBe(2);
    expect(code(r)).toBe('APPROVAL_EXPIRES_BEYOND_MAX_AGE');
  });

  it('refuses an approver barred by separation of duties: SEPARATION_OF_DUTIES', async () => {
    const w = await workspace();
    withPolicy(w, (d) => {
      d.roles.evaluator.identities.push(IDENTITY.alice);
    });
    await ok(w.run(DATASET));
    await ok(w.run(TRAINING));
    await ok(w.run(EVALUATION.map((a) => (a === 'evaluator.key' ? 'alice.key' : a))));
    const r = await w.run(APPROVAL);
    expect(r.code).toBe(2);
    expect(code(r)).toBe('SEPARATION_OF_DUTIES');
  });

  it('attests red-teaming findings (v0.2), and refuses an approval over the tier’s cap', async () => {
    const w = await workspace();
    withPolicy(w, (d) => {
      d.riskTiers.high.findingCaps = { 'red-teaming': { critical: 0 } };
    });
    await ok(w.run(DATASET));
    await ok(w.run(TRAINING));
    const ev = await ok(w.run([...EVALUATION, '--finding', 'red-teaming=1,0,2,5', '--json']));
    const payload = readBundle(w.chain()).entries.find((e) => e.payloadDigest === JSON.parse(ev.stdout).payloadDigest)!
      .envelope.payload;
    const parsed = parseAttestationPayload(payload);
    expect(parsed.predicateType).toBe('https://lineproof.dev/attestation/evaluation/v0.2');
    if (parsed.stage === 'evaluation')
      expect(parsed.predicate.findings).toEqual([
        {
          category: 'red-teaming',
          suite: { name: 'release-eval', version: '1' },
          critical: 1,
          high: 0,
          medium: 2,
          low: 5,
        },
      ]);
    const r = await w.run(APPROVAL);
    expect(r.code).toBe(2);
    expect(code(r)).toBe('FINDINGS_CAP_EXCEEDED');
    const bad = await w.run([...EVALUATION, '--finding', 'red-teaming=1,0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--finding expected CATEGORY=CRITICAL,HIGH,MEDIUM,LOW');
  });
});
