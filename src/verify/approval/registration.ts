/**
 * Step 11, the registration (decisions §13): with the policy's `requireRegistration`, the approval
 * refers to a trusted registration of the model (MODEL_NOT_REGISTERED); whenever it refers to
 * one, the approval's use case is registered there (USE_CASE_NOT_REGISTERED) with the tier the
 * policy gives that use case (REGISTRATION_TIER_MISMATCH: the policy's tier wins).
 */
import { shortDigestText } from '../../digest/index.js';
import type { ReportBuilder } from '../../report/index.js';
import type { ParsedNode } from '../authenticate.js';
import type { Tier } from '../context.js';

/** The registration gate for one anchor approval. */
export function checkRegistration(
  report: ReportBuilder,
  anchor: ParsedNode<'approval'>,
  registration: ParsedNode<'registration'> | undefined,
  subject: string,
  tier: NonNullable<Tier>,
  required: boolean,
): void {
  const ref = anchor.parsed.references.find((r) => r.role === 'registration');
  const useCase = anchor.parsed.predicate.useCase.id;
  if (ref === undefined) {
    if (required)
      report.fail(
        'approval.registration',
        'MODEL_NOT_REGISTERED',
        subject,
        'the policy requires registration before approval, and the approval refers to no registration (approval v0.2 `registration`)',
        { expected: 'a registration reference', actual: 'none' },
      );
    return;
  }
  if (registration === undefined) {
    // Step 8 already failed the reference; say what it means for the gate.
    report.fail(
      'approval.registration',
      'MODEL_NOT_REGISTERED',
      subject,
      `the approval's registration ${shortDigestText(ref.digest)} is not a trusted registration in the chain`,
      { expected: 'a trusted registration', actual: ref.digest },
    );
    return;
  }
  const p = registration.parsed.predicate;
  const name = `${p.model.name}@${p.model.version}`;
  const at = `registration ${shortDigestText(registration.digest)}`;
  const entry = p.useCases.find((u) => u.id === useCase);
  if (entry === undefined) {
    report.fail(
      'approval.registration',
      'USE_CASE_NOT_REGISTERED',
      at,
      `${name} is not registered for the approved use case ${JSON.stringify(useCase)}`,
      { expected: useCase, actual: p.useCases.map((u) => u.id).join(', ') },
    );
    return;
  }
  if (entry.riskTier !== tier.name) {
    report.fail(
      'approval.registration',
      'REGISTRATION_TIER_MISMATCH',
      at,
      `${name} registers use case ${useCase} as tier ${entry.riskTier}, but the policy puts it in ${tier.name} (the policy's tier wins)`,
      { expected: tier.name, actual: entry.riskTier },
    );
    return;
  }
  report.pass(
    'approval.registration',
    at,
    `${name}, owned by ${p.owner}, is registered for ${useCase} as tier ${tier.name}`,
    { expected: tier.name, actual: entry.riskTier },
  );
}
