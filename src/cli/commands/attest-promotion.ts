/** `lineproof attest promotion`: attest a deployment of a model under an approval, signed by a deployer. */
import { approvalsOf, payloadInput } from '../../bundle/predecessors.js';
import { buildPromotionStatement } from '../../statements/builders.js';
import { parseBuilderFields, promotionFieldsSchema } from '../../statements/inputs.js';
import type { AttestEnv } from './attest-env.js';
import {
  exactlyOne,
  fileText,
  one,
  oneSubject,
  predecessorsFirst,
  requireField,
  resolveRefs,
  slotRefs,
  str,
} from './attest-inputs.js';
import { build, refNote, stageCommand, type Made } from './attest-output.js';
import { digestText } from './describe.js';

const PROMOTION_HELP = `Usage: lineproof attest promotion --subject MODEL --environment ENV [--stage S] [--endpoint URI]
                                 --key KEY (--chain CHAIN | --out FILE) [options]

Attest that a model was deployed (https://lineproof.dev/attestation/promotion/v0.1), signed by a
deployer. The APPROVED approval of this model (of --stage, when given) is looked up in --chain
unless given with --ref.

Promotion options:
  --subject PATH|sha256:HEX   the model deployed (hashed as by 'lineproof hash'), or its digest
  --name N                    the subject's name (default: the directory or file name)
  --stage S                   staging or production (default: the approval's stage)
  --environment ENV           where it runs, e.g. prod-eu-west-1
  --endpoint URI              the serving endpoint
  --ref sha256:D              the approval deployed under

Example:
  lineproof attest promotion --subject model/ --environment prod-eu-west-1 --key keys/deployer.key \\
    --chain model.intoto.jsonl
`;

async function makePromotion(env: AttestEnv): Promise<Made> {
  predecessorsFirst(env, ['approval'], 'the approval it deploys under');
  const subject = await oneSubject(env, 'model');
  const digest = subject.subject.digest;
  const refs = slotRefs(env, resolveRefs(env), ['approval'], 'a promotion refers to the approval it deploys under');
  const wanted = str(env, 'stage') ?? fileText(env, 'stage');
  const approval =
    one(env, refs.approval, 'the approval') ??
    exactlyOne(
      env,
      approvalsOf(env.lookup, digest, wanted),
      `the APPROVED approval of ${digestText(digest)}${wanted ? ` for ${wanted}` : ''}`,
    );
  const stage =
    wanted ??
    (approval.found?.attestation.stage === 'approval' ? approval.found.attestation.predicate.stage : undefined);
  const environment = str(env, 'environment') ?? fileText(env, 'environment');
  requireField(env, stage, 'stage', 'stage');
  requireField(env, environment, 'environment', 'environment');
  const endpoint = str(env, 'endpoint') ?? fileText(env, 'endpoint');
  const statement = build(env, () => {
    const fields = parseBuilderFields(
      promotionFieldsSchema,
      { stage, environment, ...(endpoint !== undefined ? { endpoint } : {}) },
      'promotion input',
    );
    return buildPromotionStatement({
      ...fields,
      subject: subject.subject,
      approval: payloadInput(approval),
      attester: env.attester,
      now: env.now,
    });
  });
  return { statement, notes: [`subject   ${digestText(digest)}  ${subject.from}`, refNote('approval', approval)] };
}

export const attestPromotionCommand = stageCommand(
  'promotion',
  'attest a deployment of a model under an approval',
  PROMOTION_HELP,
  { stage: { type: 'string' }, environment: { type: 'string' }, endpoint: { type: 'string' } },
  makePromotion,
);
