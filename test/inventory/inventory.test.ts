/**
 * The inventory (decisions §16) on both databases it runs on — embedded PGlite and a real
 * PostgreSQL server started here — over one generated multi-model inventory: every question,
 * a poisoned dataset's blast radius through a fine-tune, a key's reach, idempotent and concurrent
 * ingest, untrusted envelopes stored but never evidence.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../../src/bytes/index.js';
import { LineproofError } from '../../src/errors.js';
import {
  downstream,
  expiring,
  failing,
  indexTrust,
  ingestBundle,
  unapproved,
  unevidenced,
  upstream,
  type SqlClient,
} from '../../src/inventory/index.js';
import { nodeEd25519Verifier } from '../../src/node/ed25519.js';
import { openInventory, type Inventory } from '../../src/node/inventory.js';
import { parsePolicy, type Policy } from '../../src/policy/policy.js';
import { buildRegistrationStatement, buildTrainingStatement } from '../../src/statements/builders.js';
import {
  ENVIRONMENTS,
  datasetDigest,
  generateInventory,
  keyOf,
  modelDigest,
  signStatement,
  sourceDigest,
  ROLES,
} from '../../bench/inventory-world.mjs';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';

const MODELS = 10;
const world = generateInventory({ models: MODELS, sources: 3 });
const policy: Policy = parsePolicy(world.policy);
const day = (n: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + n * 86_400_000);
const now = new Date('2026-03-01T00:00:00Z');

/** A training signed by mallory (no key of the policy) claiming model 0 was trained on dataset 3. */
const forged = signStatement(
  buildTrainingStatement({
    subject: { name: 'forged', digest: modelDigest(0) },
    builder: { id: 'https://evil.example.com' },
    startedOn: '2026-01-02T00:00:00Z',
    finishedOn: '2026-01-03T00:00:00Z',
    code: { uri: 'git+https://evil.example.com/x', digest: { gitCommit: 'b'.repeat(40) } },
    hyperparameters: {},
    datasets: [fromBase64((JSON.parse(world.models[3]!.lines[0]!) as { payload: string }).payload)],
    attester: ROLES.trainer,
    now: day(3),
  }),
  ['mallory'],
);
/** A registered model with no evidence at all. */
const ORPHAN = `sha256:${'0'.repeat(63)}1`;
const orphan = signStatement(
  buildRegistrationStatement({
    subject: { name: 'orphan', digest: ORPHAN },
    model: { name: 'orphan', version: '0.1.0' },
    owner: 'mailto:ml-team@example.com',
    useCases: [{ id: 'internal-search', description: 'finds documents', riskTier: 'low' }],
    modelCard: {
      description: 'never trained',
      limitations: [],
      license: 'Apache-2.0',
      contacts: ['mailto:x@example.com'],
    },
    attester: ROLES.registrar,
    now: day(3),
  }),
  ['registrar'],
);

/** One bundle per model (its own lines), the sources, and the extras. */
const bundles = [
  { source: 'sources.intoto.jsonl', text: world.sources.join('') },
  ...world.models.map((m) => ({ source: `model-${m.index}.intoto.jsonl`, text: m.lines.join('') })),
  { source: 'extras.intoto.jsonl', text: forged.line + orphan.line },
];
const TOTAL_LINES = bundles.reduce((n, b) => n + b.text.split('\n').filter(Boolean).length, 0);

async function ingestAll(db: SqlClient, p: Policy | null = policy) {
  const out = [];
  for (const b of bundles)
    out.push(
      await ingestBundle(db, b.text, {
        source: b.source,
        now,
        verifier: nodeEd25519Verifier,
        ...(p ? { policy: p } : {}),
      }),
    );
  return out;
}

const names = (l: { nodes: Array<{ stage: string; subjects: Array<{ name: string }> }> }, stage: string) =>
  l.nodes
    .filter((n) => n.stage === stage)
    .flatMap((n) => n.subjects.map((s) => s.name))
    .sort();

const backends: Array<[string, () => Promise<{ inv: Inventory; fresh: () => Promise<Inventory> }>]> = [
  [
    'PGlite (embedded)',
    async () => ({ inv: await openInventory('memory://'), fresh: () => openInventory('memory://') }),
  ],
  [
    'PostgreSQL 15 (a real server on 127.0.0.1)',
    async () => {
      server = await startPostgres();
      let n = 0;
      return {
        inv: await openInventory(await server.createDatabase('inventory')),
        fresh: async () => openInventory(await server!.createDatabase(`fresh${n++}`)),
      };
    },
  ],
];
let server: PostgresServer | undefined;

describe.each(backends)('inventory on %s', (_name, open) => {
  let inv: Inventory;
  let fresh: () => Promise<Inventory>;
  beforeAll(async () => {
    ({ inv, fresh } = await open());
    await ingestAll(inv.db);
  }, 120_000);
  afterAll(async () => {
    await inv?.close();
    await server?.stop();
    server = undefined;
  });

  it('ingest records every line once, and again adds nothing (set semantics)', async () => {
    const again = await ingestAll(inv.db);
    expect(again.reduce((n, r) => n + r.newLines + r.newEnvelopes, 0)).toBe(0);
    const { rows } = await inv.db.query<{ n: string }>('select count(*)::text as n from lineproof_envelopes');
    expect(Number(rows[0]!.n)).toBe(TOTAL_LINES);
    const extras = again.at(-1)!;
    expect(extras).toMatchObject({ envelopes: 2, trusted: 1, untrusted: 1, errors: [] });
  });

  it('a keyid hint names no key: the key that verifies is recorded, whatever the hint says', async () => {
    const other = await fresh();
    try {
      const line = JSON.parse(world.models[2]!.lines[1]!) as { signatures: Array<{ keyid?: string; sig: string }> };
      line.signatures[0]!.keyid = keyOf('evaluator').keyid; // a trainer's signature claiming to be the evaluator's
      const r = await ingestBundle(other.db, `${JSON.stringify(line)}\n`, { source: 'hint', now, policy });
      expect(r).toMatchObject({ trusted: 1, untrusted: 0 });
      const { rows } = await other.db.query<{ key_name: string }>('select key_name from lineproof_signers');
      expect(rows.map((x) => x.key_name)).toEqual(['trainer']);
    } finally {
      await other.close();
    }
  });

  it('upstream of a fine-tune reaches its base model, their datasets and the shared source', async () => {
    const up = await upstream(inv.db, modelDigest(4));
    expect(names(up, 'training')).toEqual(['model-3', 'model-4']);
    expect(names(up, 'dataset')).toEqual(['dataset-3', 'dataset-4', 'source-0', 'source-1'].sort());
    expect(names(up, 'registration')).toEqual(['model-4']);
    expect(names(up, 'evaluation')).toEqual(['model-4', 'model-4']);
    expect(names(up, 'approval')).toEqual(['model-4', 'model-4']);
    expect(up.edges.some((e) => e.role === 'base-model')).toBe(true);
    // every edge joins two nodes of the answer
    const digests = new Set(up.nodes.map((n) => n.payloadDigest));
    for (const e of up.edges) expect(digests.has(e.from) && digests.has(e.to)).toBe(true);
  });

  it("a poisoned dataset's blast radius runs through the fine-tune to its promotions and environments", async () => {
    const hit = await downstream(inv.db, datasetDigest(3));
    expect(hit.models.map((m) => m.subject.name).sort()).toEqual(['model-3', 'model-4']);
    const envs = [3, 4].flatMap((i) => ['staging', ENVIRONMENTS[i % 7]!, ENVIRONMENTS[(i + 3) % 7]!]);
    expect(hit.environments).toEqual([...new Set(envs)].sort());
    for (const m of hit.models) expect(m.promotions).toHaveLength(3);
    // the forged training (mallory) names model 0 but is never evidence
    expect(hit.nodes.some((n) => n.subjects.some((s) => s.name === 'forged'))).toBe(false);
    expect(hit.nodes.every((n) => n.signers.length > 0)).toBe(true);
  });

  it('a shared source dataset reaches every model derived from it (and the fine-tunes of those)', async () => {
    const hit = await downstream(inv.db, sourceDigest(1));
    // models on source 1: i % 3 === 1 -> 1, 4, 7; fine-tunes of those: 4 is itself one of 3; 9 of 8 (source 2); 5? no.
    const expected = world.models
      .filter((m) => m.index % 3 === 1 || (m.base !== undefined && m.base % 3 === 1))
      .map((m) => `model-${m.index}`);
    expect(hit.models.map((m) => m.subject.name).sort()).toEqual([...new Set(expected)].sort());
  });

  it("a key's reach: everything the trainer signed and all that rests on it; a key outside the policy is refused", async () => {
    const hit = await downstream(inv.db, { key: 'trainer' });
    expect(hit.models).toHaveLength(MODELS);
    expect(hit.roots).toHaveLength(MODELS);
    const evaluator = await downstream(inv.db, { key: 'evaluator' });
    expect(evaluator.models.map((m) => m.subject.digest).sort()).toEqual(world.models.map((m) => m.digest).sort());
    const byHex = await downstream(inv.db, { key: policy.keyByName.get('trainer')!.publicKeyHex });
    expect(byHex.nodes.length).toBe(hit.nodes.length);
    await expect(downstream(inv.db, { key: 'mallory' })).rejects.toMatchObject({ code: 'INVENTORY_KEY_UNKNOWN' });
  });

  it('unapproved: none at day 100; at day 250 every production promotion (approvals end day 200 + i)', async () => {
    expect(await unapproved(inv.db, { at: day(100) })).toEqual([]);
    const late = await unapproved(inv.db, { at: day(250) });
    expect(late).toHaveLength(MODELS * 2);
    expect(new Set(late.map((u) => u.code))).toEqual(new Set(['APPROVAL_EXPIRED']));
    expect(late.every((u) => u.stage === 'production')).toBe(true);
    const early = await unapproved(inv.db, { at: day(4) });
    expect(new Set(early.map((u) => u.code))).toEqual(new Set(['APPROVAL_NOT_YET_VALID']));
  });

  it('expiring: the production approvals whose window ends within the horizon, soonest first', async () => {
    const soon = await expiring(inv.db, { now: day(195), days: 10 });
    // windows end at day 200 + i: i in 0..4 within [195, 205)
    expect(soon.map((e) => e.endsAt)).toEqual([0, 1, 2, 3, 4].map((i) => day(200 + i).toISOString()));
    expect(soon[0]!.environments).toEqual([ENVIRONMENTS[0], ENVIRONMENTS[3]].sort());
    expect(await expiring(inv.db, { now: day(100), days: 10 })).toEqual([]);
  });

  it('unevidenced: the registered model nothing was trained, evaluated or approved for', async () => {
    const list = await unevidenced(inv.db);
    expect(list).toEqual([
      {
        registration: orphan.digest,
        model: { name: 'orphan', version: '0.1.0' },
        subjects: [ORPHAN],
        missing: ['training', 'evaluation', 'approval'],
      },
    ]);
  });

  it("failing: the verifier's codes, now and after the approvals end", async () => {
    const ok = await failing(inv.db, { now: day(100), verifier: nodeEd25519Verifier });
    expect(ok.checked).toBe(MODELS * 3 + 1);
    expect(ok.failing.map((f) => f.subject)).toEqual([ORPHAN]);
    expect(ok.failing[0]!.codes.length).toBeGreaterThan(0);
    const late = await failing(inv.db, { now: day(250), verifier: nodeEd25519Verifier });
    const expired = late.failing.filter((f) => f.subject !== ORPHAN);
    expect(expired).toHaveLength(MODELS * 2);
    for (const f of expired) expect(f.codes).toContain('APPROVAL_EXPIRED');
  }, 120_000);

  it('without a policy nothing is evidence; a policy given later records its trust over what is there', async () => {
    const other = await fresh();
    try {
      await ingestAll(other.db, null);
      await expect(upstream(other.db, modelDigest(1))).rejects.toMatchObject({ code: 'INVENTORY_POLICY_UNKNOWN' });
      const t = await indexTrust(other.db, policy, { now, verifier: nodeEd25519Verifier });
      expect(t).toMatchObject({ envelopes: TOTAL_LINES, trusted: TOTAL_LINES - 1 });
      const a = await upstream(other.db, modelDigest(4));
      const b = await upstream(inv.db, modelDigest(4));
      expect(a.nodes.map((n) => n.payloadDigest)).toEqual(b.nodes.map((n) => n.payloadDigest));
    } finally {
      await other.close();
    }
  }, 60_000);

  it('untrusted lines never change an answer (monotone, decisions §14), and never throw', async () => {
    const before = await downstream(inv.db, sourceDigest(0));
    const sample = world.models[0]!.lines[1]!;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(sample.length - 1), fc.integer({ min: 0x20, max: 0x7e })), {
          minLength: 1,
          maxLength: 4,
        }),
        async (edits) => {
          const chars = [...sample.trimEnd()];
          for (const [i, c] of edits) chars[i % chars.length] = String.fromCharCode(c);
          const r = await ingestBundle(inv.db, `${chars.join('')}\n`, {
            source: 'fuzz',
            now,
            policy,
            verifier: nodeEd25519Verifier,
          });
          expect(r.lines).toBe(1);
          expect(r.errors.length + r.envelopes).toBe(1);
          const after = await downstream(inv.db, sourceDigest(0));
          expect(after.nodes.map((n) => n.payloadDigest)).toEqual(before.nodes.map((n) => n.payloadDigest));
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it('concurrent ingests of overlapping bundles store each envelope once', async () => {
    const other = await fresh();
    try {
      const all = bundles.map((b) => b.text).join('');
      const results = await Promise.all([
        ingestBundle(other.db, all, { source: 'a', now, policy }),
        ingestBundle(other.db, all, { source: 'b', now, policy }),
        ingestBundle(other.db, bundles[1]!.text, { source: 'c', now, policy }),
      ]);
      expect(results[0].newEnvelopes + results[1].newEnvelopes + results[2].newEnvelopes).toBe(TOTAL_LINES);
      const { rows } = await other.db.query<{ n: string }>('select count(*)::text as n from lineproof_envelopes');
      expect(Number(rows[0]!.n)).toBe(TOTAL_LINES);
    } finally {
      await other.close();
    }
  }, 60_000);

  it('refuses a database of a newer schema rather than misread it', async () => {
    const other = await fresh();
    try {
      await other.db.query("insert into lineproof_schema (version, description) values (99, 'from the future')");
      const { migrate } = await import('../../src/inventory/db.js');
      await expect(migrate(other.db)).rejects.toMatchObject({ code: 'INVENTORY_SCHEMA_NEWER' });
    } finally {
      await other.close();
    }
  });

  it('a malformed digest is INVALID_ARGUMENT', async () => {
    await expect(upstream(inv.db, 'sha256:xyz')).rejects.toBeInstanceOf(LineproofError);
  });
});
