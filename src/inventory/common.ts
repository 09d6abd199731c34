/**
 * What the inventory's questions share: the policy whose trust they read, digest arguments,
 * trusted rows of a stage, the approval window rule, ordering.
 * @module
 */
import { formatDigest, parseDigest } from '../digest/index.js';
import { LineproofError } from '../errors.js';
import { parsePolicy, type Policy } from '../policy/policy.js';
import { ROLE_OF_STAGE } from '../policy/roles.js';
import { STAGES, type Stage } from '../statements/predicates/common.js';
import type { SqlClient } from './db.js';

/** Options every question takes. */
export interface QuestionOptions {
  /**
   * Whose trust: a loaded policy, or the digest of one ingested. Default: the policy ingested
   * last. A policy that was never ingested has no trust recorded (INVENTORY_POLICY_UNKNOWN).
   */
  policy?: Policy | string;
}

export const SAFE_NAME = /^[\x21-\x7e]{1,256}$/;

/** The policy a question uses. */
export async function policyOf(db: SqlClient, option: QuestionOptions['policy']): Promise<Policy> {
  const wanted = typeof option === 'string' ? option : option?.digest;
  const { rows } = await db.query<{ policy_digest: string; document: string }>(
    wanted === undefined
      ? 'select policy_digest, document from lineproof_policies order by seq desc limit 1'
      : 'select policy_digest, document from lineproof_policies where policy_digest = $1',
    wanted === undefined ? [] : [wanted],
  );
  const row = rows[0];
  if (!row) {
    throw new LineproofError(
      'INVENTORY_POLICY_UNKNOWN',
      wanted === undefined
        ? `${db.description}: no policy ingested yet: run 'lineproof inventory ingest --policy POLICY' first`
        : `${db.description}: policy ${wanted} was never ingested: run 'lineproof inventory ingest --policy POLICY' to record its trust`,
    );
  }
  if (typeof option === 'object') return option;
  const policy = parsePolicy(row.document, { what: `inventory policy ${row.policy_digest}` });
  if (policy.digest !== row.policy_digest)
    throw new LineproofError(
      'INVENTORY_DB_ERROR',
      `${db.description}: the stored policy ${row.policy_digest} reloads with digest ${policy.digest}: the database was altered`,
    );
  return policy;
}

/** `alg:hex` of a question's argument, or INVALID_ARGUMENT naming it. */
export function digestArgument(text: string): { alg: string; hex: string; text: string } {
  const { alg, hex } = parseDigest(text, 'digest');
  return { alg, hex, text: formatDigest(alg, hex) };
}

/** Stages in chain order (the predicates' own list). */
export const STAGE_ORDER: readonly Stage[] = STAGES;

export function sortBy<T>(list: T[], key: (t: T) => string): T[] {
  return list
    .map((t) => [key(t), t] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, t]) => t);
}

/** A driver's timestamp (a Date, or text) as RFC 3339 UTC with milliseconds. */
export function isoOf(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return new Date(v).toISOString();
  return '';
}

/** Trusted rows of one stage whose signers include an identity holding the stage's role. */
export async function stageRows(db: SqlClient, policy: Policy, stage: Stage): Promise<StageRow[]> {
  // Three flat queries grouped here: correlated sub-selects per row cost seconds at 100,000 envelopes.
  const [envelopes, signers, subjects, refs] = await Promise.all([
    db.query(
      `select e.envelope_id, e.payload_digest, e.issued_at, e.use_case, e.decision, e.deploy_stage, e.environment,
              e.not_before, e.expires, e.model_name, e.model_version
         from lineproof_envelopes e where e.stage = $1`,
      [stage],
    ),
    db.query<{ envelope_id: string; identity: string }>(
      `select t.envelope_id, t.identity from lineproof_signers t join lineproof_envelopes e on e.envelope_id = t.envelope_id
        where e.stage = $1 and t.policy_digest = $2`,
      [stage, policy.digest],
    ),
    db.query<{ envelope_id: string; digest: string }>(
      `select s.envelope_id, s.alg || ':' || s.value as digest from lineproof_subjects s
         join lineproof_envelopes e on e.envelope_id = s.envelope_id where e.stage = $1`,
      [stage],
    ),
    db.query<{ envelope_id: string; target: string }>(
      `select r.envelope_id, r.target from lineproof_refs r join lineproof_envelopes e on e.envelope_id = r.envelope_id
        where e.stage = $1 and r.role = 'approval'`,
      [stage],
    ),
  ]);
  const group = (rows: Array<{ envelope_id: string }>, value: (r: never) => string) => {
    const m = new Map<string, string[]>();
    for (const r of rows) {
      const list = m.get(r.envelope_id);
      if (list) list.push(value(r as never));
      else m.set(r.envelope_id, [value(r as never)]);
    }
    return m;
  };
  const identitiesOf = group(signers.rows, (r: { identity: string }) => r.identity);
  const subjectsOf = group(subjects.rows, (r: { digest: string }) => r.digest);
  const refsOf = group(refs.rows, (r: { target: string }) => r.target);
  const role = ROLE_OF_STAGE[stage];
  const out: StageRow[] = [];
  for (const r of envelopes.rows) {
    const id = r.envelope_id as string;
    const identities = identitiesOf.get(id) ?? [];
    if (!identities.some((who) => (policy.rolesOf.get(who) ?? []).includes(role))) continue;
    out.push({
      payloadDigest: r.payload_digest as string,
      issuedAt: isoOf(r.issued_at),
      useCase: (r.use_case as string | null) ?? undefined,
      decision: (r.decision as string | null) ?? undefined,
      deployStage: (r.deploy_stage as string | null) ?? undefined,
      environment: (r.environment as string | null) ?? undefined,
      notBefore: r.not_before == null ? undefined : isoOf(r.not_before),
      expires: r.expires == null ? undefined : isoOf(r.expires),
      modelName: (r.model_name as string | null) ?? undefined,
      modelVersion: (r.model_version as string | null) ?? undefined,
      subjects: [...new Set(subjectsOf.get(id) ?? [])].sort(),
      approvalRefs: refsOf.get(id) ?? [],
    });
  }
  return out;
}

export interface StageRow {
  payloadDigest: string;
  issuedAt: string;
  useCase: string | undefined;
  decision: string | undefined;
  deployStage: string | undefined;
  environment: string | undefined;
  notBefore: string | undefined;
  expires: string | undefined;
  modelName: string | undefined;
  modelVersion: string | undefined;
  subjects: string[];
  approvalRefs: string[];
}

export const DAY_MS = 86_400_000;

/** The end of an approval's window: min(expires, issuedAt + the tier's maxApprovalAgeDays) (verifier step 11). */
export function windowEnd(policy: Policy, a: StageRow): number {
  const expires = Date.parse(a.expires ?? '');
  const tier = a.useCase === undefined ? undefined : policy.tierOf(a.useCase);
  const maxAge = tier?.tier.maxApprovalAgeDays;
  return maxAge === undefined ? expires : Math.min(expires, Date.parse(a.issuedAt) + maxAge * DAY_MS);
}

export function timeOption(value: Date, what: string): number {
  const t = value instanceof Date ? value.getTime() : NaN;
  if (!Number.isFinite(t)) throw new TypeError(`"${what}" expected a valid Date`);
  return t;
}
