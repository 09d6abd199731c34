/**
 * `lineproof inventory …`: ingest bundles into an inventory database (embedded PGlite in a
 * directory, or a PostgreSQL server) and ask it questions — upstream, downstream (blast radius),
 * unapproved, expiring, unevidenced, failing. spec/inventory.md.
 */
import {
  downstream,
  ingestBundle,
  indexTrust,
  upstream,
  type IngestResult,
  type Lineage,
} from '../../inventory/index.js';
import { nodeEd25519Verifier } from '../../node/ed25519.js';
import { readFileLimited } from '../../node/fs.js';
import { openInventory, isPostgresUrl, redactUrl, type Inventory } from '../../node/inventory.js';
import { fromUtf8 } from '../../bytes/index.js';
import type { Policy } from '../../policy/policy.js';
import { parseCommandArgs, resolvePath } from '../args.js';
import { asExit, CliError, usage } from '../errors.js';
import { EXIT, type CliContext, type Command } from '../types.js';
import { loadPolicies, POLICY_OPTIONS, POLICY_OPTIONS_HELP, refusalExit } from './policy-load.js';

/** The largest bundle file `inventory ingest` reads. */
const MAX_BUNDLE_BYTES = 1024 * 1024 * 1024;

export const DB_HELP = `  --db DIR|URL       the inventory: a directory for the embedded database (PGlite; created if
                     absent), or postgres://USER:PASS@HOST:PORT/DB for a PostgreSQL server.
                     Default: $LINEPROOF_INVENTORY, else ./lineproof-inventory`;

export const DB_OPTION = { db: { type: 'string' }, json: { type: 'boolean' } } as const;

/** The --db target: flag, environment, default; a directory resolved against the working directory. */
function dbTarget(ctx: CliContext, value: string | undefined): string {
  const t = value ?? ctx.io.env.LINEPROOF_INVENTORY ?? 'lineproof-inventory';
  if (t === '') throw usage('inventory: --db is empty');
  return isPostgresUrl(t) || t === 'memory://' ? t : resolvePath(ctx, t);
}

/** Open the inventory, run `fn`, close it; database failures are exit 2 with their code. */
export async function withInventory<T>(
  ctx: CliContext,
  db: string | undefined,
  fn: (inv: Inventory) => Promise<T>,
): Promise<T> {
  const inv = await asExit(EXIT.USAGE, () => openInventory(dbTarget(ctx, db)));
  try {
    return await asExit(EXIT.USAGE, () => fn(inv));
  } finally {
    await inv.close();
  }
}

export const json = (ctx: CliContext, value: unknown) => ctx.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
export const short = (d: string) => (d.length > 23 ? `${d.slice(0, 19)}…${d.slice(-4)}` : d);

const INGEST_HELP = `Usage: lineproof inventory ingest [BUNDLE...] [--policy POLICY ...] [--db DIR|URL] [--json]

Record bundles (.intoto.jsonl files, or '-' for standard input) in the inventory: every line, its
envelope, the statement's subjects and references, and the file it came from. Idempotent: a
line or envelope already there is not added again (set semantics, as bundles), so re-ingesting
after a pipeline appends to a chain adds only what is new.

With --policy, which of its keys verify each envelope is recorded too: the inventory's questions
use only envelopes a policy key verifies; the others are stored as untrusted and never used as
evidence. Given without bundles, --policy records its trust over everything already ingested (a
new policy version). The questions use the policy ingested last.

Options:
${POLICY_OPTIONS_HELP}
${DB_HELP}
  --json             print the counts as JSON

Exit codes: 0 ingested; 1 some lines could not be read (they are listed; the rest is stored);
2 usage error, unreadable file, database error.

Examples:
  lineproof inventory ingest models/*/chain.intoto.jsonl --policy policy.json
  lineproof inventory ingest chain.intoto.jsonl --db postgres://lineproof@db.internal/inventory
`;

export const inventoryIngestCommand: Command = {
  name: 'inventory ingest',
  summary: 'record bundles (and a policy’s trust in them) in the inventory database',
  help: INGEST_HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      'inventory ingest',
      args,
      { ...DB_OPTION, ...POLICY_OPTIONS },
      { min: 0, max: Infinity },
    );
    const policyPaths = values.policy ?? [];
    if (positionals.length === 0 && policyPaths.length === 0)
      throw usage("inventory ingest: give bundle files, --policy, or both (see 'lineproof inventory ingest --help')");
    let policy: Policy | undefined;
    if (policyPaths.length > 0) {
      const resolved = await loadPolicies(
        'inventory ingest',
        ctx,
        policyPaths,
        values['policy-root'],
        values['min-policy-version'],
      );
      if (!resolved.ok)
        throw new CliError(refusalExit(resolved), `${resolved.code}: ${resolved.message}`, resolved.code);
      policy = resolved.policy;
    }
    const bundles: Array<{ source: string; text: string }> = [];
    for (const p of positionals) {
      const bytes = await asExit(EXIT.USAGE, async () =>
        p === '-' ? await readStdin() : readFileLimited(resolvePath(ctx, p), MAX_BUNDLE_BYTES, p),
      );
      bundles.push({ source: p === '-' ? 'stdin' : p, text: await asExit(EXIT.USAGE, () => fromUtf8(bytes, p)) });
    }
    const results: IngestResult[] = [];
    const trust = await withInventory(ctx, values.db, async (inv) => {
      for (const b of bundles) {
        results.push(
          await ingestBundle(inv.db, b.text, {
            source: b.source,
            now: new Date(),
            verifier: nodeEd25519Verifier,
            ...(policy ? { policy } : {}),
          }),
        );
      }
      return bundles.length === 0 && policy
        ? await indexTrust(inv.db, policy, { now: new Date(), verifier: nodeEd25519Verifier })
        : undefined;
    });
    const errors = results.reduce((n, r) => n + r.errors.length, 0);
    if (values.json)
      json(ctx, {
        db: describeDb(ctx, values.db),
        policy: policy?.digest ?? null,
        bundles: results,
        trust: trust ?? null,
      });
    else {
      for (const r of results) {
        const t =
          r.trusted === undefined ? '' : `; ${r.trusted} trusted, ${r.untrusted} untrusted (stored, never evidence)`;
        ctx.io.stdout(
          `${r.source}: ${r.lines} line${r.lines === 1 ? '' : 's'} (${r.newLines} new), ${r.envelopes} envelope${r.envelopes === 1 ? '' : 's'} (${r.newEnvelopes} new)${t}\n`,
        );
        for (const e of r.errors) ctx.io.stdout(`  not read: ${e.code}: ${e.message}\n`);
      }
      if (trust)
        ctx.io.stdout(`policy ${trust.policyDigest}: ${trust.trusted} of ${trust.envelopes} envelopes trusted\n`);
    }
    return errors > 0 ? EXIT.FAIL : EXIT.OK;
  },
};

function describeDb(ctx: CliContext, db: string | undefined): string {
  const t = dbTarget(ctx, db);
  return isPostgresUrl(t) ? redactUrl(t) : t;
}

async function readStdin(): Promise<Uint8Array> {
  const { readStdinLimited } = await import('../../node/stdin.js');
  return readStdinLimited(MAX_BUNDLE_BYTES, 'stdin');
}

/** Print a lineage as a table, stage by stage. */
function printLineage(ctx: CliContext, title: string, l: Lineage): void {
  ctx.io.stdout(
    `${title}: ${l.nodes.length} trusted attestation${l.nodes.length === 1 ? '' : 's'} (policy ${short(l.policyDigest)})\n`,
  );
  for (const n of l.nodes) {
    const what = n.subjects.map((s) => s.name || short(s.digest)).join(', ');
    const extra = [n.useCase, n.decision, n.deployStage, n.environment].filter((x) => x !== undefined).join(' ');
    ctx.io.stdout(
      `  ${n.stage.padEnd(12)} ${short(n.payloadDigest)}  ${what}${extra ? ` [${extra}]` : ''}  ${n.issuedAt}  by ${n.signers.map((s) => s.key).join(', ')}\n`,
    );
  }
}

const UPSTREAM_HELP = `Usage: lineproof inventory upstream DIGEST [--db DIR|URL] [--json]

What a model rests on: every trusted attestation about the artifact DIGEST (alg:hex, as
'lineproof hash' prints), or the attestation with that payload digest, and everything they refer
to, transitively — datasets and their sources, trainings, base models' trainings and data,
registrations, evaluations, approvals. Only envelopes a key of the policy ingested last verifies.

Options:
${DB_HELP}
  --json             print {policyDigest, start, roots, nodes, edges}

Exit codes: 0 answered (an empty answer too); 2 usage error, database error.

Examples:
  lineproof inventory upstream sha256:3f1c…
`;

export const inventoryUpstreamCommand: Command = {
  name: 'inventory upstream',
  summary: 'what a model rests on: datasets, trainings, evaluations, approvals, base models',
  help: UPSTREAM_HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('inventory upstream', args, DB_OPTION, { min: 1, max: 1 });
    const digest = positionals[0]!;
    const l = await withInventory(ctx, values.db, (inv) => upstream(inv.db, digest));
    if (values.json) json(ctx, l);
    else printLineage(ctx, `upstream of ${digest}`, l);
    return EXIT.OK;
  },
};

const DOWNSTREAM_HELP = `Usage: lineproof inventory downstream (DIGEST | --key KEY) [--db DIR|URL] [--json]

The blast radius: every trusted attestation that refers, transitively, to the dataset, model or
attestation DIGEST — derived datasets, trainings on it, fine-tunes of those models, their
evaluations, approvals and promotions — or, with --key, to anything that key signed (a stolen or
compromised key's reach). Prints the models affected and the environments they are promoted to.

Options:
  --key KEY          start from what this policy key signed (its name in the policy, or the
                     64 hex digits of its public key)
${DB_HELP}
  --json             print {models, environments, nodes, edges, roots, policyDigest, start}

Exit codes: 0 answered (an empty answer too); 2 usage error, unknown key, database error.

Examples:
  lineproof inventory downstream sha256:…   # the poisoned dataset's manifest digest
  lineproof inventory downstream --key trainer --json
`;

export const inventoryDownstreamCommand: Command = {
  name: 'inventory downstream',
  summary: 'the blast radius of a dataset, model or key: models, promotions, environments',
  help: DOWNSTREAM_HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      'inventory downstream',
      args,
      { ...DB_OPTION, key: { type: 'string' } },
      { min: 0, max: 1 },
    );
    if ((positionals.length === 1) === (values.key !== undefined))
      throw usage(
        "inventory downstream: give exactly one of DIGEST or --key KEY (see 'lineproof inventory downstream --help')",
      );
    const target = values.key !== undefined ? { key: values.key } : positionals[0]!;
    const b = await withInventory(ctx, values.db, (inv) => downstream(inv.db, target));
    if (values.json) {
      json(ctx, b);
      return EXIT.OK;
    }
    const start = typeof target === 'string' ? target : `key ${target.key}`;
    ctx.io.stdout(
      `downstream of ${start}: ${b.models.length} model${b.models.length === 1 ? '' : 's'}, promoted to ${b.environments.length} environment${b.environments.length === 1 ? '' : 's'}${b.environments.length ? ` (${b.environments.join(', ')})` : ''}\n`,
    );
    for (const m of b.models) {
      const envs = [...new Set(m.promotions.map((p) => p.environment))].sort();
      ctx.io.stdout(
        `  model ${m.subject.name || '?'} ${m.subject.digest}${envs.length ? `  in ${envs.join(', ')}` : '  (not promoted)'}\n`,
      );
    }
    printLineage(ctx, '\nattestations', b);
    return EXIT.OK;
  },
};
