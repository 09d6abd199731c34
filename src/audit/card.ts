/**
 * The AI card and the metrics of the audit document, read from the trusted attestations of the
 * verdict (the registration, the approval and the evaluations), with each metric beside the check
 * that judged it.
 */
import { shortDigestText } from '../digest/index.js';
import type { Policy } from '../policy/policy.js';
import type { Report } from '../report/index.js';
import type { ParsedAttestationPayload } from '../statements/predicates/index.js';
import { approvalLapsesAt } from '../verify/check-artifact.js';
import type { AuditCard, AuditMetric } from './types.js';

type Parsed = ParsedAttestationPayload;
type Of<S extends Parsed['stage']> = Extract<Parsed, { stage: S }>;

const latest = <T extends { issuedAt: string; payloadDigest: string }>(xs: T[]): T | undefined =>
  [...xs].sort((a, b) =>
    a.issuedAt === b.issuedAt ? (a.payloadDigest < b.payloadDigest ? -1 : 1) : a.issuedAt < b.issuedAt ? 1 : -1,
  )[0];

const ofStage = <S extends Parsed['stage']>(xs: readonly Parsed[], stage: S): Of<S>[] =>
  xs.filter((x): x is Of<S> => x.stage === stage);

/**
 * Each metric of each evaluation, with the report's `evaluation.metric.NAME` check about that
 * evaluation (its gate as `expected`, its status and code) when one ran.
 * @param attestations the trusted attestations drawn (the verdict's links first)
 * @param report the verification report
 * @returns the metrics, evaluation by evaluation, in the order each lists them
 */
export function auditMetrics(attestations: readonly Parsed[], report: Report): AuditMetric[] {
  const out: AuditMetric[] = [];
  for (const e of ofStage(attestations, 'evaluation')) {
    const about = shortDigestText(e.payloadDigest);
    for (const m of e.predicate.metrics) {
      const check = report.checks.find((c) => c.id === `evaluation.metric.${m.name}` && c.subject.includes(about));
      const declared = m.threshold === undefined ? null : `${m.higherIsBetter ? '>=' : '<='} ${String(m.threshold)}`;
      out.push({
        evaluation: e.payloadDigest,
        name: m.name,
        category: m.category,
        value: m.value,
        unit: m.unit ?? null,
        gate: check?.expected ?? declared,
        status: check?.status ?? null,
        code: check?.code ?? null,
      });
    }
  }
  return out;
}

/** The approval the verdict rests on: the chain's, else the latest trusted one. */
function approvalOf(attestations: readonly Parsed[], report: Report) {
  const approvals = ofStage(attestations, 'approval');
  const linked = report.results.flatMap((r) => r.chain).find((l) => l.stage === 'approval');
  const a = approvals.find((x) => x.payloadDigest === linked?.payloadDigest) ?? latest(approvals);
  return { a, signers: linked?.payloadDigest === a?.payloadDigest ? (linked?.signers ?? []) : [] };
}

/**
 * The AI card: owner, intended use cases and their tiers, limitations, license and contacts (the
 * latest trusted registration), the evaluation summary, and the approval's use case, window,
 * conditions and runtime scope.
 * @param attestations the trusted attestations drawn
 * @param report the verification report
 * @param policy the policy (tiers, and the approval window's maximum age)
 * @returns the card; fields the chain does not say are null or empty
 */
export function auditCard(attestations: readonly Parsed[], report: Report, policy: Policy): AuditCard {
  const reg = latest(ofStage(attestations, 'registration'));
  const metrics = auditMetrics(attestations, report);
  const { a: approval, signers } = approvalOf(attestations, report);
  const p = approval?.predicate;
  return {
    model: reg ? { name: reg.predicate.model.name, version: reg.predicate.model.version } : null,
    owner: reg?.predicate.owner ?? null,
    description: reg?.predicate.modelCard.description ?? null,
    useCases: (reg?.predicate.useCases ?? []).map((u) => ({ id: u.id, description: u.description, tier: u.riskTier })),
    limitations: [...(reg?.predicate.modelCard.limitations ?? [])],
    license: reg?.predicate.modelCard.license ?? null,
    contacts: [...(reg?.predicate.modelCard.contacts ?? [])],
    evaluations: ofStage(attestations, 'evaluation').map((e) => {
      const mine = metrics.filter((m) => m.evaluation === e.payloadDigest && m.status !== null);
      return {
        payloadDigest: e.payloadDigest,
        suite: `${e.predicate.suite.name}@${e.predicate.suite.version}`,
        result: e.predicate.result,
        passed: mine.filter((m) => m.status === 'pass').length,
        gated: mine.length,
      };
    }),
    approval:
      approval && p
        ? {
            payloadDigest: approval.payloadDigest,
            decision: p.decision,
            useCase: p.useCase.id,
            tier: policy.tierOf(p.useCase.id)?.name ?? p.riskTier,
            stage: p.stage,
            notBefore: p.notBefore,
            expires: approvalLapsesAt(policy, p),
            conditions: [...p.conditions],
            runtimeScope: {
              tools: [...p.runtimeScope.tools],
              dataClasses: [...p.runtimeScope.dataClasses],
              secretScopes: [...p.runtimeScope.secretScopes],
            },
            approvers: signers.map((s) => s.identity ?? s.keyid),
          }
        : null,
    registration: reg?.payloadDigest ?? null,
  };
}
