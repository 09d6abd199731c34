/**
 * `lineproof policy init|check|schema`: writing a first policy without reading the source. `init`
 * makes a starting policy from the keys given, explained by the `description` fields the schema
 * allows; `check` reports every problem with its line and column in our own words; `schema`
 * prints the policy's JSON Schema for editors (also spec/schemas/policy.v1.schema.json).
 */
import { basename } from 'node:path';
import { keyidOf } from '../../keys/keyid.js';
import { readFileLimited, writeFileChecked } from '../../node/fs.js';
import { loadPublicKey } from '../../node/keys.js';
import { checkPolicyText, policyJsonSchema } from '../../policy/check.js';
import { ROLES, type Role } from '../../policy/schema.js';
import { publicKeyToHex } from '../../keys/keys.js';
import { parseCommandArgs, resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type CliContext, type Command } from '../types.js';

const INIT_HELP = `Usage: lineproof policy init --key NAME=PUBFILE [--key NAME=PUBFILE ...] [--role ROLE=NAME[,NAME...] ...]
                             [--identity NAME=ID ...] [--use-case ID=TIER ...] [--id URI] [--out FILE] [--force]

Write a starting policy from the public keys given: one identity per key, the roles, three risk
tiers (low, medium, high) with their evaluation gates, approvers and approval lifetimes, and the
use cases. Every part carries a "description" saying what it does and what to change. The policy
is checked before it is written ('lineproof policy check'); edit it, then check it again.

Options:
  --key NAME=PUBFILE   a public key file (as 'lineproof keygen' writes NAME.pub) under NAME (repeatable)
  --role ROLE=NAMES    the keys (by NAME) whose identities hold ROLE, comma-separated (repeatable);
                       roles: ${ROLES.join(', ')}. A key named like a role (trainer, evaluator,
                       registrar, deployer, verifier, revoker; steward or data-steward) gets it unasked
  --identity NAME=ID   the identity that holds key NAME, as attestations will name it, e.g.
                       mailto:alice@example.com or https://ci.example.com/train (default: NAME)
  --use-case ID=TIER   an allowed use case and its risk tier, low, medium or high (repeatable;
                       default: example-use=medium)
  --id URI             the policy's id (default: urn:lineproof:policy:example)
  --out FILE           where to write it (default: standard output); an existing FILE needs --force

Exit codes: 0 written; 2 usage error, an unreadable key file, or a policy that does not check.

Example:
  lineproof policy init --key steward=keys/steward.pub --key trainer=keys/trainer.pub \\
    --key evaluator=keys/evaluator.pub --key alice=keys/alice.pub --key bob=keys/bob.pub \\
    --role approver=alice,bob --identity alice=mailto:alice@example.com \\
    --use-case 'support-chat=high' --out policy.json
`;

const CHECK_HELP = `Usage: lineproof policy check FILE [--json]

Check a policy file the way a verifier loads it: strict JSON (syntax, duplicate keys), every field
against the schema, then the rules beyond it (every key held by an identity, every identity of a
role declared, thresholds that can be met, use cases naming a tier). Every problem is printed as
FILE:LINE:COLUMN: FIELD: what is expected. Editors can validate as you type with the JSON Schema
('lineproof policy schema', or spec/schemas/policy.v1.schema.json in the package).

Options:
  --json   print { ok, problems: [{ code, path, line, column, message }], summary }

Exit codes: 0 the policy loads; 1 it has problems; 2 usage error or an unreadable file.

Example:
  lineproof policy check policy.json
`;

const SCHEMA_HELP = `Usage: lineproof policy schema [--out FILE]

Print the policy's JSON Schema (draft 2020-12), for editors: point a policy's "$schema" at it, or
configure it in your editor for policy*.json.

Example:
  lineproof policy schema --out policy.schema.json
`;

/** Key names that imply a role. */
const ROLE_OF_NAME: Record<string, Role> = {
  steward: 'data-steward',
  'data-steward': 'data-steward',
  trainer: 'trainer',
  registrar: 'registrar',
  evaluator: 'evaluator',
  approver: 'approver',
  deployer: 'deployer',
  verifier: 'verifier',
  gate: 'verifier',
  revoker: 'revoker',
};

const TIERS = {
  low: {
    description: 'Low risk: one approver, one passing evaluation of accuracy; an approval lasts up to a year.',
    requiredEvaluationCategories: ['accuracy'],
    approvers: 1,
    maxApprovalAgeDays: 365,
    rank: 1,
  },
  medium: {
    description:
      'Medium risk: one approver; accuracy and robustness evaluated and passing (WARNED does not pass); an approval lasts up to 180 days.',
    requiredEvaluationCategories: ['accuracy', 'robustness'],
    approvers: 1,
    allowWarned: false,
    maxApprovalAgeDays: 180,
    rank: 2,
  },
  high: {
    description:
      'High risk: two distinct approvers; accuracy, robustness and fairness evaluated and passing; an approval lasts up to 90 days. Add metricGates ({"name": "accuracy", "min": 0.9}) to hold metrics to your own thresholds.',
    requiredEvaluationCategories: ['accuracy', 'robustness', 'fairness'],
    approvers: 2,
    allowWarned: false,
    maxApprovalAgeDays: 90,
    rank: 3,
  },
} as const;

function pairs(flag: string, values: string[] | undefined): Array<[string, string]> {
  return (values ?? []).map((v) => {
    const i = v.indexOf('=');
    if (i <= 0 || i === v.length - 1)
      throw usage(`policy init: --${flag} expected NAME=VALUE, got ${JSON.stringify(v)}`);
    return [v.slice(0, i), v.slice(i + 1)];
  });
}

/** The roles each key's identity holds, from --role and from role-like key names. */
function rolesOf(keys: string[], given: Array<[string, string]>): Map<Role, string[]> {
  const out = new Map<Role, string[]>();
  const add = (role: Role, name: string) => {
    if (!out.get(role)?.includes(name)) out.set(role, [...(out.get(role) ?? []), name]);
  };
  for (const [role, names] of given) {
    if (!(ROLES as readonly string[]).includes(role))
      throw usage(`policy init: --role ${JSON.stringify(role)} is not a role (${ROLES.join(', ')})`);
    for (const n of names.split(',')) {
      if (!keys.includes(n)) throw usage(`policy init: --role ${role}=${names}: no --key named ${JSON.stringify(n)}`);
      add(role as Role, n);
    }
  }
  for (const k of keys) if (ROLE_OF_NAME[k] && ![...out.values()].some((v) => v.includes(k))) add(ROLE_OF_NAME[k], k);
  return out;
}

async function buildInitPolicy(values: Record<string, string | string[] | boolean | undefined>, ctx: CliContext) {
  const keyPairs = pairs('key', values.key as string[] | undefined);
  if (keyPairs.length === 0)
    throw usage("policy init: give at least one --key NAME=PUBFILE (see 'lineproof policy init --help')");
  const idOf = new Map(pairs('identity', values.identity as string[] | undefined));
  const keys: Record<string, unknown> = {};
  const identities: Record<string, unknown> = {};
  const idByKey = new Map<string, string>();
  for (const [name, file] of keyPairs) {
    if (Object.hasOwn(keys, name)) throw usage(`policy init: --key ${name} given twice`);
    const pub = await asExit(EXIT.USAGE, () => loadPublicKey(resolvePath(ctx, file), { what: file }));
    keys[name] = {
      publicKey: publicKeyToHex(pub),
      description: `${name}'s Ed25519 key, from ${basename(file)} (keyid ${keyidOf(pub.bytes).slice(0, 16)}…). Add validFrom/validUntil to bound it, status "retired" or "compromised" to stop trusting it.`,
    };
    const id = idOf.get(name) ?? name;
    idByKey.set(name, id);
    identities[id] = {
      keys: [name],
      description: `Who holds key ${name}: attestations signed with it must name "${id}" as their attester. Rename it to a URI or mailto: that says who this is.`,
    };
  }
  for (const n of idOf.keys())
    if (!idByKey.has(n)) throw usage(`policy init: --identity ${n}=…: no --key named ${JSON.stringify(n)}`);
  const roleMap = rolesOf([...idByKey.keys()], pairs('role', values.role as string[] | undefined));
  const roles = Object.fromEntries(
    ROLES.filter((r) => roleMap.has(r)).map((r) => [r, { identities: roleMap.get(r)!.map((k) => idByKey.get(k)!) }]),
  );
  const useCasePairs = pairs('use-case', values['use-case'] as string[] | undefined);
  const useCases = Object.fromEntries(
    (useCasePairs.length > 0 ? useCasePairs : [['example-use', 'medium'] as [string, string]]).map(([id, tier]) => {
      if (!Object.hasOwn(TIERS, tier))
        throw usage(`policy init: --use-case ${id}=${tier}: the tier is low, medium or high`);
      return [
        id,
        {
          riskTier: tier,
          description: `What "${id}" is for; approvals name this id. Its tier, ${tier}, sets the gates.`,
        },
      ];
    }),
  );
  const missing = (['data-steward', 'trainer', 'evaluator', 'approver'] as const).filter((r) => !roleMap.has(r));
  const approvers = roleMap.get('approver')?.length ?? 0;
  if (approvers === 0)
    throw usage(
      "policy init: no key holds the approver role, and every risk tier needs an approver: give --role approver=NAME (a key's name) or name a key approver",
    );
  const riskTiers = Object.fromEntries(
    Object.entries(TIERS).map(([name, tier]) =>
      tier.approvers <= approvers
        ? [name, tier]
        : [
            name,
            {
              ...tier,
              approvers,
              description: `${tier.description} (Lowered to ${approvers} approver${approvers === 1 ? '' : 's'}: only ${approvers} identit${approvers === 1 ? 'y holds' : 'ies hold'} the approver role; add approvers and raise it.)`,
            },
          ],
    ),
  );
  return {
    policy: {
      id: (values.id as string | undefined) ?? 'urn:lineproof:policy:example',
      version: 1,
      description:
        'A starting policy from lineproof policy init. Roles say who may sign each step (a step signed by anyone else is not evidence); separationOfDuties keeps trainers and evaluators from approving; requiredStages are the steps a verified chain must hold. Raise version with every change.',
      keys,
      identities,
      roles,
      riskTiers,
      useCases,
    },
    missing,
  };
}

export const policyInitCommand: Command = {
  name: 'policy init',
  summary: 'write a starting policy from public keys, every part explained',
  help: INIT_HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('policy init', args, {
      key: { type: 'string', multiple: true },
      role: { type: 'string', multiple: true },
      identity: { type: 'string', multiple: true },
      'use-case': { type: 'string', multiple: true },
      id: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
    });
    const { policy, missing } = await buildInitPolicy(values, ctx);
    const text = `${JSON.stringify(policy, null, 2)}\n`;
    const check = checkPolicyText(text);
    if (!check.ok)
      throw usage(
        `policy init: the policy would not load: ${check.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      );
    const out = values.out;
    if (out === undefined) ctx.io.stdout(text);
    else {
      await asExit(EXIT.USAGE, () =>
        writeFileChecked(resolvePath(ctx, out), text, { what: out, atomic: true, overwrite: values.force === true }),
      );
      ctx.io.stdout(
        `wrote ${out}: ${Object.keys(policy.keys).length} key(s), roles ${Object.keys(policy.roles).join(', ') || 'none'}, use cases ${Object.keys(policy.useCases).join(', ')}\n`,
      );
    }
    if (missing.length > 0)
      ctx.io.stderr(
        `lineproof: note: no key holds ${missing.join(', ')}: a chain needs them (requiredStages); add --role ROLE=NAME\n`,
      );
    return EXIT.OK;
  },
};

export const policyCheckCommand: Command = {
  name: 'policy check',
  summary: 'check a policy file: every problem with its line, column and what is expected',
  help: CHECK_HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      'policy check',
      args,
      { json: { type: 'boolean' } },
      { min: 1, max: 1 },
    );
    const file = positionals[0]!;
    const bytes = await asExit(EXIT.USAGE, () => readFileLimited(resolvePath(ctx, file), 16 * 1024 * 1024, file));
    const check = checkPolicyText(bytes);
    const p = check.policy;
    const summary = p
      ? {
          id: p.document.id,
          version: p.document.version,
          digest: p.digest,
          keys: p.keys.length,
          identities: Object.keys(p.document.identities).length,
          roles: Object.keys(p.document.roles),
          riskTiers: Object.keys(p.document.riskTiers),
          useCases: Object.keys(p.document.useCases),
        }
      : null;
    if (values.json) ctx.io.stdout(`${JSON.stringify({ ok: check.ok, problems: check.problems, summary }, null, 2)}\n`);
    else if (summary)
      ctx.io.stdout(
        `OK: ${file}: ${summary.id} version ${summary.version} (${summary.digest}); ${summary.keys} key(s), ${summary.identities} identit${summary.identities === 1 ? 'y' : 'ies'}; roles ${summary.roles.join(', ')}; tiers ${summary.riskTiers.join(', ')}; use cases ${summary.useCases.join(', ')}\n`,
      );
    else
      ctx.io.stdout(
        `${check.problems.map((x) => `${file}:${x.line}:${x.column}: ${x.path}: ${x.message} (${x.code})`).join('\n')}\n` +
          `${check.problems.length} problem${check.problems.length === 1 ? '' : 's'} in ${file}\n`,
      );
    return check.ok ? EXIT.OK : EXIT.FAIL;
  },
};

export const policySchemaCommand: Command = {
  name: 'policy schema',
  summary: "print the policy's JSON Schema, for editors",
  help: SCHEMA_HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('policy schema', args, { out: { type: 'string' } });
    const text = `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
    const out = values.out;
    if (out === undefined) ctx.io.stdout(text);
    else await asExit(EXIT.USAGE, () => writeFileChecked(resolvePath(ctx, out), text, { what: out }));
    return EXIT.OK;
  },
};
