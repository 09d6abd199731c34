/**
 * The inventory's questions (decisions §16). Each reads only what a policy's keys verify: an
 * envelope is trusted under a policy when the ingest recorded a policy key whose public key
 * verifies one of its signatures; everything else in the database is never evidence.
 *
 * - {@link upstream}: what a model (or any attestation) rests on — datasets, trainings,
 *   registrations, evaluations, approvals, base models, transitively.
 * - {@link downstream}: the blast radius of a dataset, model, attestation or key — everything that
 *   refers to it, transitively through derived datasets and fine-tunes, down to the models,
 *   promotions and environments.
 * - {@link unapproved}: trusted promotions with no approval in its validity window at a time.
 * - {@link expiring}: trusted approvals whose window closes within N days.
 * - {@link unevidenced}: registered models missing training, evaluation or approval evidence.
 * - {@link failing}: the verifier itself, run as of now over each promoted or registered model's
 *   chain rebuilt from the inventory; the report's failed checks with their codes.
 *
 * `unapproved`, `expiring` and `unevidenced` are index queries over trusted rows (signed by a key
 * whose identity holds the stage's role, the approval window rule of the verifier's step 11);
 * only `failing` applies every rule, and it is the verdict.
 * @module
 */
import { readBundle } from '../bundle/jsonl.js';
import type { ErrorCode } from '../errors.js';
import { LineproofError } from '../errors.js';
import type { SignatureVerifier } from '../keys/types.js';
import type { Limits } from '../limits.js';
import type { Policy } from '../policy/policy.js';
import { REVOCATIONS_PAYLOAD_TYPE } from '../policy/revocation-list.js';
import type { Report } from '../report/index.js';
import { parseAttestationPayload } from '../statements/predicates/index.js';
import { verifyChain } from '../verify/chain.js';
import { dbCall, type SqlClient } from './db.js';
import {
  DAY_MS,
  digestArgument,
  policyOf,
  sortBy,
  stageRows,
  timeOption,
  windowEnd,
  type QuestionOptions,
  type StageRow,
} from './common.js';

/** A promotion without an approval valid at the time asked about. */
export interface UnapprovedPromotion {
  promotion: string;
  subjects: string[];
  environment: string;
  stage: string;
  useCase: string | undefined;
  /** SUBJECT_NOT_APPROVED, APPROVAL_EXPIRED, APPROVAL_NOT_YET_VALID, APPROVAL_VOIDED or REFERENCE_UNRESOLVED (the verifier's codes). */
  code: ErrorCode;
  reason: string;
}

/** Options of {@link unapproved}. */
export interface UnapprovedOptions extends QuestionOptions {
  /** The time to judge at. */
  at: Date;
}

/**
 * Trusted promotions whose model has no trusted APPROVED approval for the promotion's use case
 * and stage valid at `at` (notBefore <= at < min(expires, issuedAt + maxApprovalAgeDays), not
 * voided by a later REJECTED one): each with the verifier's code for why. An index query:
 * `failing` applies every rule.
 * @example
 * ```ts
 * for (const p of await unapproved(db, { at: new Date() })) console.log(p.environment, p.code);
 * ```
 */
export async function unapproved(db: SqlClient, options: UnapprovedOptions): Promise<UnapprovedPromotion[]> {
  const at = timeOption(options.at, 'at');
  return dbCall(db, 'unapproved', async () => {
    const policy = await policyOf(db, options.policy);
    const [promotions, approvals] = await Promise.all([
      stageRows(db, policy, 'promotion'),
      stageRows(db, policy, 'approval'),
    ]);
    const byDigest = new Map(approvals.map((a) => [a.payloadDigest, a]));
    const bySubject = new Map<string, StageRow[]>();
    for (const a of approvals) for (const s of a.subjects) bySubject.set(s, [...(bySubject.get(s) ?? []), a]);
    const out: UnapprovedPromotion[] = [];
    for (const p of promotions) {
      const referred = p.approvalRefs.map((d) => byDigest.get(d)).find((a) => a !== undefined);
      const base = {
        promotion: p.payloadDigest,
        subjects: p.subjects,
        environment: p.environment ?? '',
        stage: p.deployStage ?? '',
        useCase: referred?.useCase,
      };
      if (!referred) {
        out.push({
          ...base,
          code: 'REFERENCE_UNRESOLVED',
          reason: 'the approval it refers to is not a trusted approval',
        });
        continue;
      }
      const candidates = [...new Set(p.subjects.flatMap((s) => bySubject.get(s) ?? []))].filter(
        (a) => a.useCase === referred.useCase && a.deployStage === p.deployStage,
      );
      const approved = candidates.filter((a) => a.decision === 'APPROVED');
      if (approved.length === 0) {
        out.push({
          ...base,
          code: 'SUBJECT_NOT_APPROVED',
          reason: `no trusted approval of the model for ${referred.useCase}`,
        });
        continue;
      }
      const rejectedAt = candidates.filter((a) => a.decision === 'REJECTED').map((a) => Date.parse(a.issuedAt));
      const standing = approved.filter((a) => !rejectedAt.some((r) => r > Date.parse(a.issuedAt)));
      if (standing.length === 0) {
        out.push({ ...base, code: 'APPROVAL_VOIDED', reason: 'every approval is voided by a later REJECTED one' });
        continue;
      }
      const valid = standing.filter((a) => Date.parse(a.notBefore ?? '') <= at && at < windowEnd(policy, a));
      if (valid.length > 0) continue;
      const notYet = standing.some((a) => Date.parse(a.notBefore ?? '') > at);
      out.push({
        ...base,
        code: notYet ? 'APPROVAL_NOT_YET_VALID' : 'APPROVAL_EXPIRED',
        reason: notYet
          ? `no approval is valid yet at ${new Date(at).toISOString()}`
          : `the last approval expired at ${new Date(Math.max(...standing.map((a) => windowEnd(policy, a)))).toISOString()}`,
      });
    }
    return sortBy(out, (u) => `${u.environment}\u0000${u.promotion}`);
  });
}

/** An approval whose window closes soon. */
export interface ExpiringApproval {
  approval: string;
  subjects: string[];
  useCase: string;
  stage: string;
  /** When its window closes: min(expires, issuedAt + maxApprovalAgeDays). */
  endsAt: string;
  /** Environments trusted promotions under it run in. */
  environments: string[];
}

/** Options of {@link expiring}. */
export interface ExpiringOptions extends QuestionOptions {
  now: Date;
  days: number;
}

/**
 * Trusted APPROVED approvals whose validity window closes in [now, now + days), soonest first, with
 * the environments promoted under each.
 */
export async function expiring(db: SqlClient, options: ExpiringOptions): Promise<ExpiringApproval[]> {
  const now = timeOption(options.now, 'now');
  if (!Number.isFinite(options.days) || options.days < 0 || options.days > 36_600)
    throw new LineproofError('INVALID_ARGUMENT', `days: expected 0 to 36600, got ${String(options.days)}`);
  const until = now + options.days * DAY_MS;
  return dbCall(db, 'expiring', async () => {
    const policy = await policyOf(db, options.policy);
    const [approvals, promotions] = await Promise.all([
      stageRows(db, policy, 'approval'),
      stageRows(db, policy, 'promotion'),
    ]);
    const envs = new Map<string, Set<string>>();
    for (const p of promotions)
      for (const a of p.approvalRefs) envs.set(a, (envs.get(a) ?? new Set()).add(p.environment ?? ''));
    const out: ExpiringApproval[] = [];
    for (const a of approvals) {
      if (a.decision !== 'APPROVED') continue;
      const end = windowEnd(policy, a);
      if (!(end >= now && end < until)) continue;
      out.push({
        approval: a.payloadDigest,
        subjects: a.subjects,
        useCase: a.useCase ?? '',
        stage: a.deployStage ?? '',
        endsAt: new Date(end).toISOString(),
        environments: [...(envs.get(a.payloadDigest) ?? [])].sort(),
      });
    }
    return sortBy(out, (e) => `${e.endsAt}\u0000${e.approval}`);
  });
}

/** A registered model missing evidence. */
export interface UnevidencedModel {
  registration: string;
  model: { name: string; version: string };
  subjects: string[];
  /** The evidence stages with no trusted attestation about the model. */
  missing: Array<'training' | 'evaluation' | 'approval'>;
}

/** Trusted registrations whose model has no trusted training, evaluation or approval. */
export async function unevidenced(db: SqlClient, options: QuestionOptions = {}): Promise<UnevidencedModel[]> {
  return dbCall(db, 'unevidenced', async () => {
    const policy = await policyOf(db, options.policy);
    const [registrations, trainings, evaluations, approvals] = await Promise.all(
      (['registration', 'training', 'evaluation', 'approval'] as const).map((s) => stageRows(db, policy, s)),
    );
    const covered = (rows: StageRow[]) => new Set(rows.flatMap((r) => r.subjects));
    const have = { training: covered(trainings!), evaluation: covered(evaluations!), approval: covered(approvals!) };
    const out: UnevidencedModel[] = [];
    for (const r of registrations!) {
      const missing = (['training', 'evaluation', 'approval'] as const).filter(
        (stage) => !r.subjects.some((s) => have[stage].has(s)),
      );
      if (missing.length === 0) continue;
      out.push({
        registration: r.payloadDigest,
        model: { name: r.modelName ?? '', version: r.modelVersion ?? '' },
        subjects: r.subjects,
        missing,
      });
    }
    return sortBy(out, (u) => `${u.model.name}\u0000${u.model.version}\u0000${u.registration}`);
  });
}

/** One model checked by {@link failing}. */
export interface FailingModel {
  subject: string;
  useCase: string;
  stage?: string;
  environment?: string;
  /** The promotion or registration it was found by. */
  from: string;
  /** The failed checks' codes, in report order. */
  codes: string[];
  report: Report;
}

/** Options of {@link failing}. */
export interface FailingOptions {
  /** The policy to verify against (default: the policy ingested last, loaded from the inventory). */
  policy?: Policy;
  now: Date;
  verifier?: SignatureVerifier;
  limits?: Partial<Limits>;
  /** Check only these models (`alg:hex` of each; default: every promoted or registered model). */
  subjects?: readonly string[];
  /** Called after each model is checked. */
  onProgress?: (done: number, total: number) => void;
}

/** The answer of {@link failing}. */
export interface FailingResult {
  policyDigest: string;
  asOf: string;
  checked: number;
  failing: FailingModel[];
}

/**
 * Every promoted model (for its approval's use case, the promotion's stage and environment) and
 * every registered model not promoted (for each registered use case), verified as of `now` by
 * the verifier over its chain rebuilt from the inventory — every envelope about the model or its
 * base models, what they refer to, and every revocation — under the policy. The models that fail,
 * with their codes and reports.
 */
export async function failing(db: SqlClient, options: FailingOptions): Promise<FailingResult> {
  const now = timeOption(options.now, 'now');
  return dbCall(db, 'failing', async () => {
    const policy = await policyOf(db, options.policy);
    const [promotions, registrations, approvals] = await Promise.all([
      stageRows(db, policy, 'promotion'),
      stageRows(db, policy, 'registration'),
      stageRows(db, policy, 'approval'),
    ]);
    const approvalByDigest = new Map(approvals.map((a) => [a.payloadDigest, a]));
    const targets: Array<Omit<FailingModel, 'codes' | 'report'>> = [];
    const seen = new Set<string>();
    for (const p of promotions) {
      const a = p.approvalRefs.map((d) => approvalByDigest.get(d)).find((x) => x !== undefined);
      for (const subject of p.subjects) {
        const key = `${subject} ${a?.useCase} ${p.deployStage} ${p.environment}`;
        if (seen.has(key)) continue;
        seen.add(key);
        targets.push({
          subject,
          useCase: a?.useCase ?? '',
          ...(p.deployStage ? { stage: p.deployStage } : {}),
          ...(p.environment ? { environment: p.environment } : {}),
          from: p.payloadDigest,
        });
      }
    }
    const promoted = new Set(targets.map((t) => `${t.subject} ${t.useCase}`));
    const registered = await db.query<{ envelope_id: string; payload_digest: string }>(
      `select e.payload_digest, e.envelope_id from lineproof_envelopes e where e.payload_digest = any($1::text[])`,
      [registrations.map((r) => r.payloadDigest)],
    );
    const useCasesOf = await registrationUseCases(
      db,
      registered.rows.map((r) => r.envelope_id),
    );
    for (const r of registrations) {
      const id = registered.rows.find((x) => x.payload_digest === r.payloadDigest)?.envelope_id;
      for (const useCase of (id && useCasesOf.get(id)) || []) {
        for (const subject of r.subjects) {
          if (promoted.has(`${subject} ${useCase}`) || seen.has(`${subject} ${useCase}`)) continue;
          seen.add(`${subject} ${useCase}`);
          targets.push({ subject, useCase, from: r.payloadDigest });
        }
      }
    }
    if (options.subjects !== undefined) {
      const wanted = new Set(options.subjects.map((d) => digestArgument(d).text));
      targets.splice(0, targets.length, ...targets.filter((t) => wanted.has(t.subject)));
    }
    const revocations = await db.query<{ line: string; payload_type: string }>(
      `select l.line, e.payload_type from lineproof_lines l join lineproof_envelopes e on e.envelope_id = l.envelope_id
        where e.stage = 'revocation' or e.payload_type = $1 order by l.line_digest`,
      [REVOCATIONS_PAYLOAD_TYPE],
    );
    const revocationStatements = revocations.rows
      .filter((r) => r.payload_type !== REVOCATIONS_PAYLOAD_TYPE)
      .map((r) => r.line);
    const revocationLists = revocations.rows
      .filter((r) => r.payload_type === REVOCATIONS_PAYLOAD_TYPE)
      .map((r) => r.line);
    const out: FailingModel[] = [];
    let done = 0;
    for (const t of sortBy(targets, (x) => `${x.subject} ${x.useCase} ${x.environment ?? ''}`)) {
      const lines = await chainLines(db, t.subject);
      const { report } = await verifyChain({
        bundle: [...lines, ...revocationStatements],
        policy,
        subject: t.subject,
        useCase: t.useCase === '' ? { any: true } : t.useCase,
        asOf: new Date(now),
        ...(t.stage === 'staging' || t.stage === 'production' ? { stage: t.stage } : {}),
        ...(t.environment !== undefined ? { environment: t.environment } : {}),
        ...(revocationLists.length > 0 ? { revocations: { lists: revocationLists } } : {}),
        ...(options.verifier ? { verifier: options.verifier } : {}),
        ...(options.limits ? { limits: options.limits } : {}),
      });
      done++;
      options.onProgress?.(done, targets.length);
      if (report.ok) continue;
      const codes = [...new Set(report.checks.filter((c) => c.status === 'fail').map((c) => c.code))];
      out.push({ ...t, codes, report });
    }
    return { policyDigest: policy.digest, asOf: new Date(now).toISOString(), checked: targets.length, failing: out };
  });
}

/** Registered use cases per registration envelope, read from its payload's line. */
async function registrationUseCases(db: SqlClient, ids: string[]): Promise<Map<string, string[]>> {
  const { rows } = await db.query<{ envelope_id: string; line: string }>(
    'select distinct on (envelope_id) envelope_id, line from lineproof_lines where envelope_id = any($1::text[]) order by envelope_id, line_digest',
    [ids],
  );
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const entry = readBundle(r.line).entries[0];
    if (!entry) continue;
    try {
      const a = parseAttestationPayload(entry.envelope.payload);
      if (a.stage === 'registration')
        out.set(
          r.envelope_id,
          a.predicate.useCases.map((u) => u.id),
        );
    } catch {
      // stored only when it parsed; nothing to add
    }
  }
  return out;
}

/**
 * The lines of a model's chain: every envelope (trusted or not: the verifier decides) about the
 * model, what they refer to transitively, and the same for each base model a training names.
 */
export async function chainLines(db: SqlClient, subject: string): Promise<string[]> {
  const { alg, hex } = digestArgument(subject);
  const ids = new Set<string>();
  const subjects = [[alg, hex]] as Array<[string, string]>;
  const seenSubjects = new Set<string>([`${alg}:${hex}`]);
  for (let level = 0; level < 9 && subjects.length > 0; level++) {
    const batch = subjects.splice(0);
    const { rows } = await db.query<{ envelope_id: string }>(
      `with recursive walk(envelope_id) as (
         select s.envelope_id from lineproof_subjects s
           join unnest($1::text[], $2::text[]) as q(alg, value) on s.alg = q.alg and s.value = q.value
         union
         select e.envelope_id from walk w join lineproof_refs r on r.envelope_id = w.envelope_id
           join lineproof_envelopes e on e.payload_digest = r.target
       ) select envelope_id from walk`,
      [batch.map((b) => b[0]), batch.map((b) => b[1])],
    );
    const fresh = rows.map((r) => r.envelope_id).filter((id) => !ids.has(id));
    for (const id of fresh) ids.add(id);
    // Base models: the subjects of trainings a base-model reference reaches.
    const base = await db.query<{ alg: string; value: string }>(
      `select distinct s.alg, s.value from lineproof_refs r
         join lineproof_envelopes t on t.payload_digest = r.target
         join lineproof_subjects s on s.envelope_id = t.envelope_id
        where r.envelope_id = any($1::text[]) and r.role = 'base-model'`,
      [fresh],
    );
    for (const b of base.rows) {
      const k = `${b.alg}:${b.value}`;
      if (seenSubjects.has(k)) continue;
      seenSubjects.add(k);
      subjects.push([b.alg, b.value]);
    }
  }
  const { rows } = await db.query<{ line: string }>(
    'select line from lineproof_lines where envelope_id = any($1::text[]) order by line_digest',
    [[...ids]],
  );
  return rows.map((r) => r.line);
}
