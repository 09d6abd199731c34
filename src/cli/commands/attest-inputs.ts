/**
 * Reading a stage command's inputs: flag values, `--predicate` fields, times, `--subject` paths
 * (hashed), and predecessors — `--ref` or looked up in the chain (src/bundle/predecessors.ts
 * answers; this file turns its results into messages and exit codes).
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { BundleAttestation } from '../../bundle/lookup.js';
import { candidates, exactlyOne as oneOf, resolveReference, type Predecessor } from '../../bundle/predecessors.js';
import { digestSetFromText, type DigestSet } from '../../digest/index.js';
import { isJsonObject } from '../../json/strict.js';
import { DEFAULT_LIMITS } from '../../limits.js';
import { manifestBytes } from '../../manifest/build.js';
import { withProgress } from '../progress.js';
import { hashPath } from '../../node/hash-tree.js';
import { ROLE_OF_STAGE } from '../../policy/roles.js';
import type { StatementManifestInput, SubjectInput } from '../../statements/builders.js';
import { STAGES, type Stage } from '../../statements/predicates/common.js';
import { LINEPROOF_MANIFEST_MEDIA_TYPE } from '../../statements/predicates/index.js';
import { parseTimestamp } from '../../time/index.js';
import { resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT } from '../types.js';
import { operatorError, warn, type AttestEnv } from './attest-env.js';
import { listCandidates } from './describe.js';

/** A string flag's value. */
export function str(env: AttestEnv, name: string): string | undefined {
  return env.values[name] as string | undefined;
}
/** A repeatable flag's values, or undefined when it was not given. */
export function list(env: AttestEnv, name: string): string[] | undefined {
  const v = env.values[name] as string[] | undefined;
  return v && v.length > 0 ? v : undefined;
}
/** A field of the --predicate file (its type is checked by the builder's schema). */
export function fileField(env: AttestEnv, name: string): unknown {
  return env.file[name];
}
/** A text field of the --predicate file (a value of another type is left for the schema to refuse). */
export function fileText(env: AttestEnv, name: string): string | undefined {
  return env.file[name] as string | undefined;
}
/** The --predicate file's fields but `attester` (which the command sets). */
export function fileFields(env: AttestEnv): Record<string, unknown> {
  return Object.fromEntries(Object.entries(env.file).filter(([k]) => k !== 'attester'));
}

/** `{...fromFile, ...fromFlags}` for a nested object, where flags left undefined do not override. */
export function mergeFields(fromFile: unknown, fromFlags: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = isJsonObject(fromFile) ? { ...(fromFile as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(fromFlags)) if (v !== undefined) out[k] = v;
  return out;
}

/** Fail with a usage error when a required field is missing from flags and file. */
export function requireField(env: AttestEnv, value: unknown, flag: string, field: string): void {
  if (value === undefined || value === null || value === '')
    throw usage(`${env.cmd}: --${flag} is required (or ${field} in --predicate)`);
}

/** `--expires`-style value: RFC 3339, or `+N[dhm]` after issuedAt. */
export function timeFlag(env: AttestEnv, flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const rel = /^\+([0-9]{1,6})([dhm])$/.exec(value);
  if (rel) {
    const ms = Number(rel[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[2] as 'd' | 'h' | 'm'];
    return new Date(Math.floor(env.now.getTime() / 1000) * 1000 + ms).toISOString().replace(/\.000Z$/, 'Z');
  }
  try {
    parseTimestamp(value, `--${flag}`);
  } catch (e) {
    throw usage(
      `${env.cmd}: --${flag} ${(e as Error).message.replace(new RegExp(`^--${flag}: `), '')} (RFC 3339 with Z or an offset, or +Nd / +Nh / +Nm after issuedAt)`,
    );
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// subjects

/** A resolved subject: the descriptor, and for a directory its manifest (inlined when it fits). */
export interface ResolvedSubject {
  subject: SubjectInput & { digest: DigestSet };
  manifest?: StatementManifestInput;
  /** How it was obtained, for the summary. */
  from: string;
}

const DIGEST_TEXT = /^[A-Za-z0-9_-]+:[0-9a-fA-F]+$/;

/**
 * `--subject PATH|ALG:HEX`: a path is hashed now (a directory's digest is its manifest's, decisions
 * §3); digest text (that names no existing file) is taken as is. `name`: the subject's name.
 */
export async function resolveSubject(
  env: AttestEnv,
  text: string,
  name: string | undefined,
  defaultName: string | undefined,
): Promise<ResolvedSubject> {
  if (DIGEST_TEXT.test(text) && !existsSync(resolvePath(env.ctx, text))) {
    let digest: DigestSet;
    try {
      digest = digestSetFromText(text.toLowerCase(), '--subject');
    } catch (e) {
      throw usage(`${env.cmd}: ${(e as Error).message}`);
    }
    const n = name ?? defaultName;
    return { subject: n === undefined ? { digest } : { name: n, digest }, from: text };
  }
  const hashed = await withProgress(env.ctx, (onProgress) =>
    asExit(EXIT.USAGE, () =>
      hashPath(resolvePath(env.ctx, text), { algorithms: ['sha256'], ...(onProgress ? { onProgress } : {}) }),
    ),
  );
  if (hashed.kind === 'directory') {
    const bytes = manifestBytes(hashed.manifest);
    const subject = {
      name: name ?? hashed.subject.name,
      digest: { ...hashed.subject.digest },
      mediaType: LINEPROOF_MANIFEST_MEDIA_TYPE,
    };
    if (bytes.length > DEFAULT_LIMITS.inlineManifestBytes) {
      warn(
        env.ctx,
        `${text}: its manifest (${bytes.length} bytes) is over the inline limit; only its digest is attested (keep the manifest as a sidecar: lineproof hash --json)`,
      );
      return { subject, from: `${text} (${hashed.files} files)` };
    }
    return { subject, manifest: { bytes }, from: `${text} (${hashed.files} files, manifest inlined)` };
  }
  return { subject: { name: name ?? basename(text), digest: { ...hashed.subject.digest } }, from: text };
}

/** The one `--subject` of a stage that takes exactly one (required), named by `--name`. */
export async function oneSubject(env: AttestEnv, defaultName: string | undefined): Promise<ResolvedSubject> {
  const subjects = list(env, 'subject') ?? [];
  if (subjects.length === 0)
    throw usage(`${env.cmd}: --subject PATH|sha256:HEX is required (see 'lineproof ${env.cmd} --help')`);
  if (subjects.length > 1) throw usage(`${env.cmd}: one --subject, got ${subjects.length}`);
  return resolveSubject(env, subjects[0]!, str(env, 'name'), defaultName);
}

// ---------------------------------------------------------------------------------------------
// predecessors

/** Resolve every `--ref`: looked up in the chain, or taken as `STAGE=sha256:<hex>`. */
export function resolveRefs(env: AttestEnv): Predecessor[] {
  const out: Predecessor[] = [];
  for (const text of list(env, 'ref') ?? []) {
    const r = resolveReference(env.lookup, text, env.stage === 'revocation');
    if (r.ok) {
      const found = r.predecessor.found;
      if (found && r.trusted === false)
        warn(
          env.ctx,
          `--ref ${r.predecessor.digest}: no trusted key of the ${ROLE_OF_STAGE[found.attestation.stage]} role in ${str(env, 'policy')} signed it; verification will not accept it`,
        );
      out.push(r.predecessor);
      continue;
    }
    switch (r.code) {
      case 'INVALID_ARGUMENT':
        throw usage(
          r.problem === 'syntax'
            ? `${env.cmd}: --ref expected sha256:<64 hex digits> or STAGE=sha256:<64 hex digits>, got ${JSON.stringify(text.slice(0, 100))}`
            : `${env.cmd}: --ref ${r.named}=…: not a stage (${STAGES.join(', ')})`,
        );
      case 'REFERENCE_STAGE_MISMATCH':
        throw operatorError(
          r.code,
          `${env.cmd}: --ref ${text}: the chain holds it as a ${r.actual} attestation, not a ${r.named}`,
        );
      case 'REFERENCE_INVALID':
        throw operatorError(
          r.code,
          `${env.cmd}: --ref ${r.digest}: the chain's envelope (line ${r.lines.join(', ')}) is not a lifecycle attestation (${r.why})`,
        );
      case 'REFERENCE_UNRESOLVED':
        throw operatorError(
          r.code,
          `${env.cmd}: --ref ${r.digest} is not in ${env.chainName ?? 'a chain (no --chain given)'}; to refer to an attestation kept elsewhere write STAGE=${r.digest}`,
        );
    }
  }
  return out;
}

/**
 * Sort `--ref` predecessors into the slots of a stage, e.g. approval: `{training: [..], evaluation: [..]}`.
 * A predecessor of a stage with no slot is a REFERENCE_STAGE_MISMATCH.
 */
export function slotRefs<K extends Stage>(
  env: AttestEnv,
  refs: Predecessor[],
  slots: readonly K[],
  what: string,
): Record<K, Predecessor[]> {
  const out = Object.fromEntries(slots.map((s) => [s, [] as Predecessor[]])) as Record<K, Predecessor[]>;
  for (const r of refs) {
    if (r.stage === undefined || !(slots as readonly string[]).includes(r.stage)) {
      throw operatorError(
        'REFERENCE_STAGE_MISMATCH',
        `${env.cmd}: --ref ${r.digest} is a ${r.stage ?? 'revoked'} attestation; ${what}`,
      );
    }
    out[r.stage as K].push(r);
  }
  return out;
}

/** At most one `--ref` for a slot. */
export function one(env: AttestEnv, refs: Predecessor[], what: string): Predecessor | undefined {
  if (refs.length > 1) throw usage(`${env.cmd}: one --ref for ${what}, got ${refs.length}`);
  return refs[0];
}

/**
 * Before hashing the subject (a model can be gigabytes): without --ref, the chain must hold at
 * least one trusted attestation of each stage the step refers to, else PREDECESSOR_NOT_FOUND now.
 */
export function predecessorsFirst(env: AttestEnv, stages: readonly Stage[], what: string): void {
  if ((list(env, 'ref') ?? []).length > 0) return;
  for (const stage of stages)
    if (candidates(env.lookup, stage).length === 0) exactlyOne(env, [], `${what} (a ${stage} attestation)`);
}

/** Exactly one candidate, or PREDECESSOR_NOT_FOUND / PREDECESSOR_AMBIGUOUS listing what was found. */
export function exactlyOne(env: AttestEnv, found: readonly BundleAttestation[], what: string): Predecessor {
  const r = oneOf(found);
  if (r.ok) return r.predecessor;
  if (r.code === 'PREDECESSOR_NOT_FOUND') {
    const where =
      env.chainName === undefined
        ? 'no --chain was given'
        : `none in ${env.chainName}${env.policy ? ' signed by a trusted key of its role' : ''}`;
    throw operatorError(r.code, `${env.cmd}: needs ${what}: ${where}; name it with --ref`);
  }
  throw operatorError(
    r.code,
    `${env.cmd}: ${r.candidates.length} attestations in ${env.chainName} could be ${what}; choose with --ref:\n${listCandidates(r.candidates)}`,
  );
}

/**
 * A use case's risk tier: `given` (a flag or the --predicate file), checked against — and by
 * default taken from — the policy's tier for the use case, when there is a policy.
 * @throws {CliError} USE_CASE_NOT_ALLOWED, or `mismatch` when `given` is not the policy's tier
 */
export function policyTierOf(
  env: AttestEnv,
  useCase: string,
  given: string | undefined,
  mismatch: 'RISK_TIER_MISMATCH' | 'REGISTRATION_TIER_MISMATCH',
): string | undefined {
  if (!env.policy) return given;
  const tier = env.policy.tierOf(useCase);
  if (!tier)
    throw operatorError(
      'USE_CASE_NOT_ALLOWED',
      `${env.cmd}: the policy ${str(env, 'policy')} does not allow the use case ${JSON.stringify(useCase)} (allowed: ${Object.keys(env.policy.document.useCases).join(', ') || 'none'})`,
    );
  if (given !== undefined && given !== tier.name)
    throw operatorError(
      mismatch,
      `${env.cmd}: the policy puts ${useCase} in tier ${tier.name}, not ${given}${mismatch === 'REGISTRATION_TIER_MISMATCH' ? " (the policy's tier wins; a registration that names another fails verification)" : ''}`,
    );
  return tier.name;
}
