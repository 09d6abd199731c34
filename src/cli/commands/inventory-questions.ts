/**
 * `lineproof inventory unapproved|expiring|unevidenced|failing`: the governance questions of the
 * inventory (spec/inventory.md). Exit 1 when the answer lists a problem, so a scheduled job fails.
 */
import { expiring, failing, unapproved, unevidenced } from '../../inventory/index.js';
import { nodeEd25519Verifier } from '../../node/ed25519.js';
import type { Policy } from '../../policy/policy.js';
import { atOption, intOption, parseCommandArgs } from '../args.js';
import { CliError, usage } from '../errors.js';
import { EXIT, type Command } from '../types.js';
import { DB_HELP, DB_OPTION, json, short, withInventory } from './inventory.js';
import { loadPolicies, POLICY_OPTIONS, POLICY_OPTIONS_HELP, refusalExit } from './policy-load.js';

const UNAPPROVED_HELP = `Usage: lineproof inventory unapproved [--at TIME] [--db DIR|URL] [--json]

Promotions whose model has no approval valid at TIME (default now): no trusted approval for the
use case and stage (SUBJECT_NOT_APPROVED), only expired ones (APPROVAL_EXPIRED: past expires or
the tier's maxApprovalAgeDays), not yet valid (APPROVAL_NOT_YET_VALID), voided by a later
REJECTED one (APPROVAL_VOIDED), or the promotion's approval is not a trusted one
(REFERENCE_UNRESOLVED). An index query over trusted approvals; 'inventory failing' applies every
rule of the verifier.

Options:
  --at TIME          judge at this time (RFC 3339), e.g. the date of an audit
${DB_HELP}
  --json             print the list as JSON

Exit codes: 0 none found; 1 some promotion is unapproved; 2 usage error, database error.

Examples:
  lineproof inventory unapproved --at 2026-06-30T00:00:00Z
`;

export const inventoryUnapprovedCommand: Command = {
  name: 'inventory unapproved',
  summary: 'promotions without an approval valid at a given time',
  help: UNAPPROVED_HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('inventory unapproved', args, { ...DB_OPTION, at: { type: 'string' } });
    const at = atOption('inventory unapproved', values.at);
    const list = await withInventory(ctx, values.db, (inv) => unapproved(inv.db, { at: new Date(at) }));
    if (values.json) json(ctx, { at, unapproved: list });
    else {
      ctx.io.stdout(`${list.length} promotion${list.length === 1 ? '' : 's'} without an approval valid at ${at}\n`);
      for (const u of list)
        ctx.io.stdout(`  ${u.environment} (${u.stage}) ${u.subjects.join(', ')}  ${u.code}: ${u.reason}\n`);
    }
    return list.length > 0 ? EXIT.FAIL : EXIT.OK;
  },
};

const EXPIRING_HELP = `Usage: lineproof inventory expiring --days N [--at TIME] [--db DIR|URL] [--json]

Trusted approvals whose validity window (expires, or issuedAt + the tier's maxApprovalAgeDays,
whichever comes first) closes within N days of TIME (default now), soonest first, with the
environments promoted under each.

Options:
  --days N           the horizon in days (0..36600)
  --at TIME          count from this time (RFC 3339)
${DB_HELP}
  --json             print the list as JSON

Exit codes: 0 answered; 2 usage error, database error.

Examples:
  lineproof inventory expiring --days 30
`;

export const inventoryExpiringCommand: Command = {
  name: 'inventory expiring',
  summary: 'approvals whose window closes within N days',
  help: EXPIRING_HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('inventory expiring', args, {
      ...DB_OPTION,
      at: { type: 'string' },
      days: { type: 'string' },
    });
    if (values.days === undefined)
      throw usage("inventory expiring: --days N is required (see 'lineproof inventory expiring --help')");
    const days = intOption('inventory expiring', 'days', values.days, 0, 36_600)!;
    const at = atOption('inventory expiring', values.at);
    const list = await withInventory(ctx, values.db, (inv) => expiring(inv.db, { now: new Date(at), days }));
    if (values.json) json(ctx, { at, days, expiring: list });
    else {
      ctx.io.stdout(`${list.length} approval${list.length === 1 ? '' : 's'} ending within ${days} days of ${at}\n`);
      for (const e of list)
        ctx.io.stdout(
          `  ${e.endsAt}  ${e.useCase} (${e.stage}) ${e.subjects.join(', ')}${e.environments.length ? `  in ${e.environments.join(', ')}` : ''}\n`,
        );
    }
    return EXIT.OK;
  },
};

const UNEVIDENCED_HELP = `Usage: lineproof inventory unevidenced [--db DIR|URL] [--json]

Registered models (trusted registrations) with no trusted training, evaluation or approval about
them, each with what is missing.

Options:
${DB_HELP}
  --json             print the list as JSON

Exit codes: 0 none found; 1 some registered model lacks evidence; 2 usage error, database error.

Example:
  lineproof inventory unevidenced --db .lineproof/inventory --json
`;

export const inventoryUnevidencedCommand: Command = {
  name: 'inventory unevidenced',
  summary: 'registered models with no training, evaluation or approval evidence',
  help: UNEVIDENCED_HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('inventory unevidenced', args, DB_OPTION);
    const list = await withInventory(ctx, values.db, (inv) => unevidenced(inv.db));
    if (values.json) json(ctx, { unevidenced: list });
    else {
      ctx.io.stdout(`${list.length} registered model${list.length === 1 ? '' : 's'} missing evidence\n`);
      for (const u of list)
        ctx.io.stdout(
          `  ${u.model.name} ${u.model.version} ${u.subjects.join(', ')}  missing: ${u.missing.join(', ')}\n`,
        );
    }
    return list.length > 0 ? EXIT.FAIL : EXIT.OK;
  },
};

const FAILING_HELP = `Usage: lineproof inventory failing [DIGEST...] [--at TIME] [--policy POLICY ...] [--db DIR|URL] [--json]

What fails the policy now: every promoted model (for its approval's use case, the promotion's
stage and environment) and every registered model not promoted (for each registered use case),
verified as 'lineproof verify --digest' would, over its chain rebuilt from the inventory (every
envelope about the model and its base models, what they refer to, every revocation). Prints each
failure with the verifier's codes. Given DIGESTs (alg:hex), only those models are checked.

Options:
  --at TIME          verify as of this time (default now)
${POLICY_OPTIONS_HELP}
                     (default: the policy ingested last)
${DB_HELP}
  --json             print {policyDigest, asOf, checked, failing: [{subject, useCase, codes, report}]}

Exit codes: 0 nothing fails; 1 some model fails; 2 usage error, database error.

Examples:
  lineproof inventory failing
  lineproof inventory failing --at 2026-09-01T00:00:00Z --json
`;

export const inventoryFailingCommand: Command = {
  name: 'inventory failing',
  summary: 'what fails the current policy now, and why (the verifier’s codes)',
  help: FAILING_HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      'inventory failing',
      args,
      { ...DB_OPTION, ...POLICY_OPTIONS, at: { type: 'string' } },
      { min: 0, max: Infinity },
    );
    const at = atOption('inventory failing', values.at);
    let policy: Policy | undefined;
    if ((values.policy ?? []).length > 0) {
      const resolved = await loadPolicies(
        'inventory failing',
        ctx,
        values.policy!,
        values['policy-root'],
        values['min-policy-version'],
      );
      if (!resolved.ok)
        throw new CliError(refusalExit(resolved), `${resolved.code}: ${resolved.message}`, resolved.code);
      policy = resolved.policy;
    }
    const tty = ctx.io.isTTY && !values.json;
    const result = await withInventory(ctx, values.db, (inv) =>
      failing(inv.db, {
        now: new Date(at),
        verifier: nodeEd25519Verifier,
        ...(policy ? { policy } : {}),
        ...(positionals.length > 0 ? { subjects: positionals } : {}),
        ...(tty
          ? {
              onProgress: (done: number, total: number) =>
                (ctx.rawStderr ?? ctx.io.stderr)(`\r  verified ${done}/${total}${done === total ? '\n' : ''}`),
            }
          : {}),
      }),
    );
    if (values.json) json(ctx, result);
    else {
      ctx.io.stdout(
        `${result.failing.length} of ${result.checked} model${result.checked === 1 ? '' : 's'} fail${result.failing.length === 1 ? 's' : ''} policy ${short(result.policyDigest)} as of ${result.asOf}\n`,
      );
      for (const f of result.failing)
        ctx.io.stdout(
          `  ${f.subject}  ${f.useCase || 'any use case'}${f.environment ? ` in ${f.environment}` : ''}: ${f.codes.join(', ')}\n`,
        );
    }
    return result.failing.length > 0 ? EXIT.FAIL : EXIT.OK;
  },
};
