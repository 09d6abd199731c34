/** `lineproof attest approval`: attest an approval of a model for a use case, signed by an approver. */
import {
  evaluationsOf,
  payloadInput,
  registrationsOf,
  trainingOfEvaluations,
  trainingsOf,
  type Predecessor,
} from '../../bundle/predecessors.js';
import type { DigestSet } from '../../digest/index.js';
import { buildApprovalStatement } from '../../statements/builders.js';
import { approvalFieldsSchema, parseBuilderFields } from '../../statements/inputs.js';
import { operatorError, warn, type AttestEnv } from './attest-env.js';
import {
  exactlyOne,
  fileField,
  fileFields,
  fileText,
  list,
  mergeFields,
  one,
  oneSubject,
  predecessorsFirst,
  policyTierOf,
  requireField,
  resolveRefs,
  slotRefs,
  str,
  timeFlag,
} from './attest-inputs.js';
import { checkApprovalAtSigning, checkNotes } from './attest-approval-check.js';
import { build, refNote, stageCommand, type Made } from './attest-output.js';
import { digestText, listCandidates } from './describe.js';

const APPROVAL_HELP = `Usage: lineproof attest approval --subject MODEL --decision APPROVED|REJECTED --stage staging|production
                                --use-case ID --use-case-description TEXT [--risk-tier T] --expires TIME
                                --key KEY (--chain CHAIN | --out FILE) [options]

Attest an approval of a model for one use case (https://lineproof.dev/attestation/approval/v0.1, or
v0.2 when it refers to a registration), signed by an approver. A second approver co-signs it with
'lineproof attest cosign'. Its evidence — the model's training attestation, the evaluations of that
training, and the model's registration when there is one — is looked up in --chain unless given
with --ref; two evaluations of the same suite and version, or two registrations, are an error
listing them.

With --policy, the approval is checked before it is signed as a verifier would check it (at its
notBefore): evaluations below the tier's gates or with findings over its caps, an approver barred
by separation of duties, a use case not registered (or no registration when the policy requires
one), an expiry past the tier's maximum age... Any of these refuses the approval (exit 2) unless
--force, which signs it anyway and says so. Co-signatures the tier still needs and a promotion
the policy requires are listed as later steps, not refused.

Approval options:
  --subject PATH|sha256:HEX   the model approved (hashed as by 'lineproof hash'), or its digest
  --name N                    the subject's name (default: the directory or file name)
  --decision D                APPROVED or REJECTED
  --stage S                   staging or production
  --use-case ID               the use case approved; --use-case-description TEXT what it is
  --risk-tier T               the policy's tier of the use case (default with --policy: the policy's)
  --not-before TIME           start of validity (default: issuedAt)
  --expires TIME              end of validity: RFC 3339, or +Nd / +Nh after issuedAt
  --condition TEXT            a condition of the approval (repeatable)
  --tool T, --data-class C, --secret-scope S   the runtime scope granted (repeatable; default none)
  --ref sha256:D              the training, evaluation and registration attestations relied on
                              (repeatable)
  --force                     with --policy: sign even what a verifier would refuse (said in the output)
  --predicate FILE            other fields (conditions, runtimeScope, useCase...)

Example:
  lineproof attest approval --subject model/ --decision APPROVED --stage production --use-case support-chat \\
    --use-case-description "answers customers" --expires +90d --key keys/alice.key --policy policy.json \\
    --chain model.intoto.jsonl
`;

/** The training, evaluations and registration relied on: `--ref`, or looked up in the chain. */
function evidence(
  env: AttestEnv,
  digest: DigestSet,
): { training: Predecessor; evaluations: Predecessor[]; registration: Predecessor | undefined } {
  const refs = slotRefs(
    env,
    resolveRefs(env),
    ['training', 'evaluation', 'registration'],
    'an approval relies on the training and the evaluations of the model, and its registration',
  );
  let training = one(env, refs.training, 'the training');
  let evaluations = refs.evaluation;
  if (!training) {
    const fromEvaluations = trainingOfEvaluations(env.lookup, evaluations);
    if (fromEvaluations && !fromEvaluations.ok)
      throw operatorError(
        fromEvaluations.code,
        `${env.cmd}: the evaluations given rely on ${fromEvaluations.trainings.length} different trainings (${fromEvaluations.trainings.join(', ')}); an approval relies on one`,
      );
    training = fromEvaluations?.training;
  }
  training ??= exactlyOne(env, trainingsOf(env.lookup, digest), `the training attestation of ${digestText(digest)}`);
  if (evaluations.length === 0) {
    const found = evaluationsOf(env.lookup, digest, training.digest);
    if (!found.ok && found.code === 'PREDECESSOR_NOT_FOUND')
      exactlyOne(env, [], `the evaluations of training ${training.digest}`);
    if (!found.ok)
      throw operatorError(
        found.code,
        `${env.cmd}: ${found.candidates.length} evaluations of the same suite in ${env.chainName}; choose the ones relied on with --ref:\n${listCandidates(found.candidates)}`,
      );
    evaluations = found.evaluations;
  }
  for (const e of evaluations) {
    const r = e.found?.attestation.stage === 'evaluation' ? e.found.attestation.predicate.result : undefined;
    if (r === 'FAILED' || r === 'WARNED') warn(env.ctx, `evidence ${e.digest} has result ${r}`);
  }
  const registration = one(env, refs.registration, 'the registration') ?? registrationOf(env, digest);
  return { training, evaluations, registration };
}

/** The model's registration in the chain: none, or exactly one (several are an error listing them). */
function registrationOf(env: AttestEnv, digest: DigestSet): Predecessor | undefined {
  const found = registrationsOf(env.lookup, digest);
  if (found.length === 0) {
    if (env.policy?.document.requireRegistration)
      throw operatorError(
        'MODEL_NOT_REGISTERED',
        `${env.cmd}: the policy requires registration before approval, and ${env.chainName ?? 'the chain'} holds no registration of ${digestText(digest)} signed by a registrar ('lineproof attest registration', or --ref registration=sha256:…)`,
      );
    return undefined;
  }
  return exactlyOne(env, found, `the registration of ${digestText(digest)}`);
}

async function makeApproval(env: AttestEnv): Promise<Made> {
  predecessorsFirst(env, ['training', 'evaluation'], 'the evidence of the model');
  const subject = await oneSubject(env, 'model');
  const digest = subject.subject.digest;
  const { training, evaluations, registration } = evidence(env, digest);
  const useCase = mergeFields(fileField(env, 'useCase'), {
    id: str(env, 'use-case'),
    description: str(env, 'use-case-description'),
  });
  requireField(env, useCase.id, 'use-case', 'useCase.id');
  requireField(env, useCase.description, 'use-case-description', 'useCase.description');
  const riskTier = policyTierOf(
    env,
    useCase.id as string,
    str(env, 'risk-tier') ?? fileText(env, 'riskTier'),
    'RISK_TIER_MISMATCH',
  );
  requireField(env, riskTier, 'risk-tier', 'riskTier');
  const decision = str(env, 'decision')?.toUpperCase() ?? fileText(env, 'decision');
  const stage = str(env, 'stage') ?? fileText(env, 'stage');
  const expires = timeFlag(env, 'expires', str(env, 'expires')) ?? fileText(env, 'expires');
  const notBefore = timeFlag(env, 'not-before', str(env, 'not-before')) ?? fileText(env, 'notBefore');
  requireField(env, decision, 'decision', 'decision');
  requireField(env, stage, 'stage', 'stage');
  requireField(env, expires, 'expires', 'expires');
  const runtimeScope = mergeFields(fileField(env, 'runtimeScope'), {
    tools: list(env, 'tool'),
    dataClasses: list(env, 'data-class'),
    secretScopes: list(env, 'secret-scope'),
  });
  const conditions = list(env, 'condition') ?? fileField(env, 'conditions');
  const statement = build(env, () => {
    const fields = parseBuilderFields(
      approvalFieldsSchema,
      {
        ...fileFields(env),
        decision,
        stage,
        useCase,
        riskTier,
        ...(conditions !== undefined ? { conditions } : {}),
        runtimeScope,
        ...(notBefore !== undefined ? { notBefore } : {}),
        expires,
      },
      'approval input',
    );
    return buildApprovalStatement({
      ...fields,
      subject: subject.subject,
      training: payloadInput(training),
      evaluations: evaluations.map(payloadInput),
      ...(registration ? { registration: payloadInput(registration) } : {}),
      attester: env.attester,
      now: env.now,
    });
  });
  const checked = await checkApprovalAtSigning(env, statement);
  return {
    statement,
    notes: [
      `subject   ${digestText(digest)}  ${subject.from}`,
      refNote('training', training),
      ...evaluations.map((e) => refNote('evaluation', e)),
      ...(registration ? [refNote('registered', registration)] : []),
      ...(checked ? checkNotes(checked) : []),
    ],
    ...(checked ? { json: { checked } } : {}),
  };
}

export const attestApprovalCommand = stageCommand(
  'approval',
  'attest an approval of a model for a use case (evidence, scope, validity window)',
  APPROVAL_HELP,
  {
    decision: { type: 'string' },
    stage: { type: 'string' },
    'use-case': { type: 'string' },
    'use-case-description': { type: 'string' },
    'risk-tier': { type: 'string' },
    'not-before': { type: 'string' },
    expires: { type: 'string' },
    condition: { type: 'string', multiple: true },
    tool: { type: 'string', multiple: true },
    'data-class': { type: 'string', multiple: true },
    'secret-scope': { type: 'string', multiple: true },
    force: { type: 'boolean' },
  },
  makeApproval,
);
