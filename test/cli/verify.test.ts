import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, beforeAll } from 'vitest';
import { cli } from '../helpers/cli.js';
import { buildWorld, MODEL, T } from '../helpers/world.js';
import { reportSchema } from '../../src/report/index.js';
import { digestToCid, digestToMultihash } from '../../src/digest/index.js';
import { CID } from 'multiformats/cid';
import * as Multihash from 'multiformats/hashes/digest';

const dir = mkdtempSync(join(tmpdir(), 'lineproof-verify-'));
const p = (n: string) => join(dir, n);

beforeAll(async () => {
  const good = await buildWorld();
  writeFileSync(p('policy.json'), JSON.stringify(good.doc, null, 2));
  writeFileSync(p('good.intoto.jsonl'), good.bundle);
  const warned = await buildWorld({ evaluation: (i) => ({ ...i, result: 'WARNED' }) });
  writeFileSync(p('warned.intoto.jsonl'), warned.bundle);
  writeFileSync(p('junk.intoto.jsonl'), `${good.bundle}not json\n`);
  // A file whose sha256 is MODEL (the world's model digest is sha256 of this text).
  writeFileSync(p('model.bin'), 'lineproof test model manifest');
  writeFileSync(p('bad-policy.json'), '{"id":"urn:x","id":"urn:y"}');
});

const base = (bundle: string) => ['verify', '--chain', p(bundle), '--policy', p('policy.json'), '--at', T.asOf];

describe('lineproof verify', () => {
  it('verifies a valid chain by digest (exit 0) and prints the chain', async () => {
    const r = await cli([...base('good.intoto.jsonl'), '--digest', MODEL, '--use-case', 'support-chat']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^VERIFIED: /m);
    expect(r.stdout).toMatch(/approval/);
  });
  it('takes --digest as the CID lineproof hash --cid prints, and refuses a CID that is not of the bytes', async () => {
    const hashed = JSON.parse((await cli(['hash', p('model.bin'), '--cid', '--json'])).stdout) as { cid: string };
    expect(hashed.cid).toBe(digestToCid('sha256', MODEL.slice(7)));
    const r = await cli([...base('good.intoto.jsonl'), '--digest', hashed.cid, '--use-case', 'support-chat']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^VERIFIED: /m);
    // The same digest under the dag-pb codec names a UnixFS node, not these bytes.
    const dagPb = CID.createV1(0x70, Multihash.decode(digestToMultihash('sha256', MODEL.slice(7)))).toString();
    const bad = await cli([...base('good.intoto.jsonl'), '--digest', dagPb, '--use-case', 'support-chat']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--digest: expected a CIDv1 of raw bytes \(codec 0x55\)/);
  });
  it('hashes --artifact itself', async () => {
    const r = await cli([...base('good.intoto.jsonl'), '--artifact', p('model.bin'), '--use-case', 'support-chat']);
    expect(r.code).toBe(0);
  });
  it('--json prints exactly the report', async () => {
    const r = await cli([...base('good.intoto.jsonl'), '--digest', MODEL, '--use-case', 'support-chat', '--json']);
    const report = JSON.parse(r.stdout);
    expect(reportSchema.safeParse(report).success).toBe(true);
    expect(report.ok).toBe(true);
    expect(report.kind).toBe('chain');
  });
  it('exits 1 with one line per failed check when the evidence fails', async () => {
    const r = await cli([...base('warned.intoto.jsonl'), '--digest', MODEL, '--use-case', 'support-chat']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL EVALUATION_WARNED /m);
    expect(r.stdout).toMatch(/^NOT VERIFIED/m);
  });
  it('exits 1 for a bundle with a malformed line, naming the line', async () => {
    const r = await cli([...base('junk.intoto.jsonl'), '--digest', MODEL, '--use-case', 'support-chat']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/BUNDLE_LINE_INVALID bundle.line \(line 6\)/);
  });
  it('exits 1 for another artifact', async () => {
    const r = await cli([
      ...base('good.intoto.jsonl'),
      '--digest',
      `sha256:${'00'.repeat(32)}`,
      '--use-case',
      'support-chat',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/SUBJECT_NOT_APPROVED/);
  });
  it('--max-untrusted-checks sets the budget: junk within it passes, past it fails closed (exit 1, VERIFY_BUDGET_EXCEEDED)', async () => {
    const good = await buildWorld();
    const junk = JSON.parse(good.steps.approval.line) as { signatures: Array<{ keyid: string; sig: string }> };
    // 64 zero bytes but R = the base point's encoding and S = 1: structurally valid, verifies under no key.
    const sig = Buffer.alloc(64);
    Buffer.from('5866666666666666666666666666666666666666666666666666666666666666', 'hex').copy(sig);
    sig[32] = 1;
    junk.signatures = [{ keyid: '', sig: sig.toString('base64') }];
    writeFileSync(p('flood.intoto.jsonl'), `${good.bundle}${JSON.stringify(junk)}\n`);
    const keys = good.policy.keys.length;
    const ok = await cli([
      ...base('flood.intoto.jsonl'),
      '--digest',
      MODEL,
      '--use-case',
      'support-chat',
      '--max-untrusted-checks',
      String(keys),
    ]);
    expect(ok.code).toBe(0);
    const past = await cli([
      ...base('flood.intoto.jsonl'),
      '--digest',
      MODEL,
      '--use-case',
      'support-chat',
      '--max-untrusted-checks',
      String(keys - 1),
      '--json',
    ]);
    expect(past.code).toBe(1);
    expect(
      JSON.parse(past.stdout)
        .checks.filter((c: { status: string }) => c.status === 'fail')
        .map((c: { code: string }) => c.code),
    ).toEqual(['VERIFY_BUDGET_EXCEEDED']);
    for (const bad of ['-1', 'many', '1e3', '100000001']) {
      const r = await cli([
        ...base('good.intoto.jsonl'),
        '--digest',
        MODEL,
        '--use-case',
        'support-chat',
        '--max-untrusted-checks',
        bad,
      ]);
      expect(r.code, bad).toBe(2);
    }
  });
  it('exits 1 as of a time after the approval expired, 0 before', async () => {
    const args = [
      'verify',
      '--chain',
      p('good.intoto.jsonl'),
      '--policy',
      p('policy.json'),
      '--digest',
      MODEL,
      '--use-case',
      'support-chat',
    ];
    expect((await cli([...args, '--at', '2026-06-01T00:00:00+02:00'])).code).toBe(1);
    expect((await cli([...args, '--at', '2026-03-01T00:00:00.5-05:00'])).code).toBe(0);
  });
  describe('usage and operator errors exit 2', () => {
    it.each([
      ['no use case', ['--digest', MODEL], /USE_CASE_REQUIRED/],
      ['both use-case flags', ['--digest', MODEL, '--use-case', 'x', '--any-use-case'], /not both/],
      ['no artifact', ['--use-case', 'support-chat'], /exactly one of --artifact/],
      ['bad digest', ['--digest', 'sha256:xyz', '--use-case', 'support-chat'], /hex/],
      ['missing artifact path', ['--artifact', '/nonexistent/model', '--use-case', 'support-chat'], /nonexistent/],
    ])('%s', async (_n, extra, msg) => {
      const r = await cli([...base('good.intoto.jsonl'), ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
    });
    it('--at without an offset', async () => {
      const r = await cli([
        'verify',
        '--chain',
        p('good.intoto.jsonl'),
        '--policy',
        p('policy.json'),
        '--digest',
        MODEL,
        '--use-case',
        'support-chat',
        '--at',
        '2026-03-01T00:00:00',
      ]);
      expect(r.code).toBe(2);
    });
    describe('a policy that breaks a load-time rule exits 2 (POLICY_INVALID and the field path), whatever the chain', () => {
      const rows: Array<[string, (d: Record<string, any>) => void, string]> = [
        [
          'validFrom in words',
          (d) => {
            d.keys.bob.validFrom = 'yesterday';
          },
          'keys.bob.validFrom',
        ],
        [
          'validUntil without a time zone',
          (d) => {
            d.keys.aliceOld.validUntil = '2026-01-01T00:00:00';
          },
          'keys.aliceOld.validUntil',
        ],
        [
          'a compromised key with compromisedAt in words',
          (d) => {
            d.keys.bob.status = 'compromised';
            d.keys.bob.compromisedAt = 'soon';
          },
          'keys.bob.compromisedAt',
        ],
        [
          'a revocation effectiveAt in words',
          (d) => {
            d.revocations = [{ kind: 'model', digest: MODEL, reason: 'recalled', effectiveAt: 'next monday' }];
          },
          'revocations[0].effectiveAt',
        ],
        [
          'a key retired by a revocation without effectiveAt',
          (d) => {
            d.revocations = [{ kind: 'key', key: 'aliceOld', reason: 'retired' }];
          },
          'revocations[0].effectiveAt',
        ],
      ];
      it.each(rows)('%s', async (name, mutate, path) => {
        const d = JSON.parse(readFileSync(p('policy.json'), 'utf8'));
        mutate(d);
        const file = p(`bad-${name.replace(/\W+/g, '-')}.json`);
        writeFileSync(file, JSON.stringify(d));
        const r = await cli([
          'verify',
          '--chain',
          p('good.intoto.jsonl'),
          '--policy',
          file,
          '--digest',
          MODEL,
          '--use-case',
          'support-chat',
          '--at',
          T.asOf,
          '--json',
        ]);
        expect(r.code).toBe(2);
        // --json: the error as JSON on standard output, the exit code unchanged
        expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'POLICY_INVALID', exitCode: 2 } });
        expect(r.stderr).toMatch(/^lineproof: POLICY_INVALID: /);
        expect(r.stderr).toContain(`: ${path}: `);
      });
      it('"__proto__" as an identity in the policy text', async () => {
        const file = p('bad-proto.json');
        writeFileSync(
          file,
          readFileSync(p('policy.json'), 'utf8').replace(
            '"identities": {',
            '"identities": {"__proto__": {"keys": ["bob"]},',
          ),
        );
        expect(readFileSync(file, 'utf8')).toContain('__proto__');
        const r = await cli([
          'verify',
          '--chain',
          p('good.intoto.jsonl'),
          '--policy',
          file,
          '--digest',
          MODEL,
          '--use-case',
          'support-chat',
          '--at',
          T.asOf,
        ]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^lineproof: POLICY_INVALID: .*: identities\.__proto__: /);
      });
    });
    it('an invalid policy file and a missing bundle file', async () => {
      const bad = await cli([
        'verify',
        '--chain',
        p('good.intoto.jsonl'),
        '--policy',
        p('bad-policy.json'),
        '--digest',
        MODEL,
        '--use-case',
        'support-chat',
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/JSON_DUPLICATE_KEY/);
      const missing = await cli([
        'verify',
        '--chain',
        p('nope.jsonl'),
        '--policy',
        p('policy.json'),
        '--digest',
        MODEL,
        '--use-case',
        'support-chat',
      ]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/nope\.jsonl/);
    });
  });
});

describe('lineproof verify --stage, --environment, --min-tier', () => {
  const run = (...extra: string[]) =>
    cli([...base('good.intoto.jsonl'), '--digest', MODEL, '--use-case', 'support-chat', ...extra]);
  it('pass for what the chain holds, fail (exit 1) for what it does not, each with its code', async () => {
    expect((await run('--stage', 'production', '--environment', 'prod')).code).toBe(0);
    const staging = await run('--stage', 'staging');
    expect(staging.code).toBe(1);
    expect(staging.stdout).toMatch(/^FAIL STAGE_NOT_APPROVED chain\.approval/m);
    const env = await run('--environment', 'prod-eu-west-1');
    expect(env.code).toBe(1);
    expect(env.stdout).toMatch(/^FAIL ENVIRONMENT_NOT_PROMOTED chain\.promotion\.environment/m);
  });
  it('refuse a stage, an environment or a tier that cannot apply (exit 2)', async () => {
    for (const [args, message] of [
      [['--stage', 'prod'], /--stage expected staging or production/],
      [['--environment', ''], /--environment expected a name/],
      [['--min-tier', 'nope'], /--min-tier "nope" is not a risk tier of the policy \(low, high\)/],
      [['--min-tier', 'high'], /the policy gives this tier no rank/],
    ] as const) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('lineproof verify --artifact with a chunk-tree policy', () => {
  it('computes sha256-tree-v1-N when the policy names it (on all cores), and a changed byte fails', async () => {
    const { treeRoot } = await import('../../src/hashing/tree.js');
    const { toHex } = await import('../../src/bytes/index.js');
    const L = 65536;
    const bytes = new Uint8Array(6 * L + 5).map((_, i) => (i * 7 + 3) % 251);
    const digest = `sha256-tree-v1-${L}:${toHex(treeRoot(bytes, L))}`;
    const about = { name: 'weights.bin', digest };
    const w = await buildWorld({
      training: (i) => ({ ...i, subject: about }),
      evaluation: (i) => ({ ...i, subject: about }),
      approval: (i) => ({ ...i, subject: about }),
      promotion: (i) => ({ ...i, subject: about }),
      policy: (d) => {
        d.digestAlgorithms = [`sha256-tree-v1-${L}`];
      },
    });
    const d = mkdtempSync(join(tmpdir(), 'lineproof-verify-tree-'));
    writeFileSync(join(d, 'policy.json'), JSON.stringify(w.doc));
    writeFileSync(join(d, 'chain.intoto.jsonl'), w.bundle);
    writeFileSync(join(d, 'weights.bin'), bytes);
    const args = [
      'verify',
      '--chain',
      join(d, 'chain.intoto.jsonl'),
      '--policy',
      join(d, 'policy.json'),
      '--at',
      T.asOf,
    ];
    const ok = await cli([...args, '--artifact', join(d, 'weights.bin'), '--use-case', 'support-chat']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    bytes[3 * L] = bytes[3 * L]! ^ 1;
    writeFileSync(join(d, 'weights.bin'), bytes);
    const bad = await cli([...args, '--artifact', join(d, 'weights.bin'), '--use-case', 'support-chat']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('SUBJECT_NOT_APPROVED');
  });
});
