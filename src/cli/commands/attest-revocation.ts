/** `lineproof attest revocation`: attest a revocation of attestations, keys, datasets or models. */
import { payloadInput, type Predecessor } from '../../bundle/predecessors.js';
import { sha256Hex } from '../../digest/index.js';
import { spkiDer } from '../../keys/der.js';
import { loadPublicKey } from '../../node/keys.js';
import { buildRevocationStatement, type SubjectInput } from '../../statements/builders.js';
import { parseBuilderFields, revocationFieldsSchema } from '../../statements/inputs.js';
import { resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT } from '../types.js';
import { operatorError, type AttestEnv } from './attest-env.js';
import {
  fileField,
  fileText,
  list,
  requireField,
  resolveRefs,
  resolveSubject,
  str,
  timeFlag,
} from './attest-inputs.js';
import { build, refNote, stageCommand, type Made } from './attest-output.js';
import { digestText } from './describe.js';

const REVOCATION_HELP = `Usage: lineproof attest revocation --kind attestation|key|dataset|model --reason R --description TEXT
                                  (--ref sha256:D ... | --revoke-key PUB ... | --subject PATH|sha256:HEX ...)
                                  --key KEY (--chain CHAIN | --out FILE) [options]

Attest a revocation (https://lineproof.dev/attestation/revocation/v0.1), signed by a revoker: of
attestations (by payload digest), keys (by their public key file), datasets or models (by path or
digest). A revocation in a bundle is honoured by verification, but its absence proves nothing:
revocations that must hold belong in the policy.

Revocation options:
  --kind K                    attestation, key, dataset or model
  --reason R                  compromised, retired, superseded, erroneous, legal or other
  --description TEXT          why, in words
  --effective-at TIME         from when it applies (default: issuedAt)
  --ref sha256:D              an attestation revoked (kind attestation; repeatable)
  --revoke-key PUB            a public key file revoked (kind key; repeatable); --subject sha256:HEX
                              names a key by the sha256 of its DER SubjectPublicKeyInfo instead
  --subject PATH|sha256:HEX   a dataset or model revoked (kinds dataset, model; repeatable)

Example:
  lineproof attest revocation --kind attestation --reason erroneous --description "evaluated the wrong checkpoint" \\
    --ref sha256:9f2c... --key keys/security.key --chain model.intoto.jsonl
`;

/** The keys, datasets or models revoked: `--revoke-key`, `--subject`, or the file's `subjects`. */
async function revokedSubjects(env: AttestEnv, kind: string, refs: Predecessor[]): Promise<unknown[]> {
  if (refs.length > 0)
    throw operatorError(
      'REFERENCE_STAGE_MISMATCH',
      `${env.cmd}: --ref names attestations; a revocation of kind ${kind} names ${kind === 'key' ? 'keys (--revoke-key PUB)' : `${kind}s (--subject)`}`,
    );
  const keys = list(env, 'revoke-key') ?? [];
  if (keys.length > 0 && kind !== 'key') throw usage(`${env.cmd}: --revoke-key is for kind key`);
  const out: SubjectInput[] = [];
  for (const k of keys) {
    const pub = await asExit(EXIT.USAGE, () => loadPublicKey(resolvePath(env.ctx, k), { what: k }));
    out.push({ name: pub.keyid || k, digest: { sha256: sha256Hex(spkiDer(pub.bytes)) } });
  }
  for (const s of list(env, 'subject') ?? []) out.push((await resolveSubject(env, s, undefined, undefined)).subject);
  const fromFile = fileField(env, 'subjects');
  const all = out.length > 0 ? out : fromFile === undefined ? [] : fromFile;
  if (Array.isArray(all) && all.length === 0)
    throw usage(
      `${env.cmd}: name what is revoked: ${kind === 'key' ? '--revoke-key PUB or --subject sha256:<SPKI digest>' : '--subject PATH|sha256:HEX'}`,
    );
  return all as unknown[];
}

async function makeRevocation(env: AttestEnv): Promise<Made> {
  const kind = str(env, 'kind') ?? fileText(env, 'kind');
  const reason = str(env, 'reason') ?? fileText(env, 'reason');
  const description = str(env, 'description') ?? fileText(env, 'description');
  requireField(env, kind, 'kind', 'kind');
  requireField(env, reason, 'reason', 'reason');
  requireField(env, description, 'description', 'description');
  if (!['attestation', 'key', 'dataset', 'model'].includes(kind!))
    throw usage(`${env.cmd}: --kind expected attestation, key, dataset or model, got ${JSON.stringify(kind)}`);
  const effectiveAt = timeFlag(env, 'effective-at', str(env, 'effective-at')) ?? fileText(env, 'effectiveAt');
  const refs = resolveRefs(env);
  let subjects: unknown[] | undefined;
  if (kind === 'attestation') {
    if (list(env, 'subject') || list(env, 'revoke-key') || fileField(env, 'subjects') !== undefined)
      throw usage(`${env.cmd}: a revocation of kind attestation names what it revokes with --ref`);
    if (refs.length === 0)
      throw usage(
        `${env.cmd}: --ref sha256:D is required for kind attestation (the payload digest of each attestation revoked)`,
      );
  } else {
    subjects = await revokedSubjects(env, kind!, refs);
  }
  const notes: string[] = [];
  const statement = build(env, () => {
    const fields = parseBuilderFields(
      revocationFieldsSchema,
      { kind, reason, description, ...(effectiveAt !== undefined ? { effectiveAt } : {}), subjects },
      'revocation input',
    );
    const { kind: k, subjects: revoked, ...rest } = fields;
    const base = { ...rest, attester: env.attester, now: env.now };
    if (k === 'attestation') {
      notes.push(...refs.map((r) => refNote('revokes', r)));
      return buildRevocationStatement({ ...base, kind: k, attestations: refs.map(payloadInput) });
    }
    const list = revoked ?? [];
    notes.push(
      ...list.map(
        (s) =>
          `revokes   ${typeof s.digest === 'string' ? s.digest : digestText(s.digest)}${s.name ? `  ${s.name}` : ''}`,
      ),
    );
    return buildRevocationStatement({ ...base, kind: k, subjects: list });
  });
  return { statement, notes };
}

export const attestRevocationCommand = stageCommand(
  'revocation',
  'attest a revocation of attestations, keys, datasets or models',
  REVOCATION_HELP,
  {
    kind: { type: 'string' },
    reason: { type: 'string' },
    description: { type: 'string' },
    'effective-at': { type: 'string' },
    'revoke-key': { type: 'string', multiple: true },
  },
  makeRevocation,
);
