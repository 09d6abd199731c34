/**
 * What the `lineproof attest ...` commands share: loading the key, the policy and the chain,
 * hashing subjects, resolving `--ref` and looking up predecessors in the chain, reading
 * `--predicate FILE` strictly, checking the key against the policy, signing and writing.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { toHex } from '../../bytes/index.js';
import { type Bundle } from '../../bundle/jsonl.js';
import {
  indexBundle,
  resolveSignatures,
  type BundleAttestation,
  type BundleIndex,
  type ResolvedSignature,
} from '../../bundle/lookup.js';
import { digestSetFromText, matchDigestSets, type DigestSet } from '../../digest/index.js';
import { serializeEnvelope, type Envelope } from '../../dsse/envelope.js';
import { signEnvelope } from '../../dsse/sign.js';
import { LineproofError, type ErrorCode } from '../../errors.js';
import { canonicalBytes } from '../../json/canonical.js';
import { isJsonObject, parseJson } from '../../json/strict.js';
import type { KeyidFormat, PrivateKey } from '../../keys/types.js';
import { DEFAULT_LIMITS } from '../../limits.js';
import { manifestBytes } from '../../manifest/build.js';
import { appendToBundle, readBundleFile } from '../../node/bundle.js';
import { nodeEd25519Signer, nodeEd25519Verifier } from '../../node/ed25519.js';
import { readFileLimited } from '../../node/fs.js';
import { hashPath } from '../../node/hash-tree.js';
import { loadPrivateKey } from '../../node/keys.js';
import { parsePolicy, type Policy, type ResolvedKey } from '../../policy/policy.js';
import type { StatementManifestInput, SubjectInput } from '../../statements/builders.js';
import { STAGES, type Stage } from '../../statements/predicates/common.js';
import { LINEPROOF_MANIFEST_MEDIA_TYPE, type ParsedAttestationPayload } from '../../statements/predicates/index.js';
import { IN_TOTO_PAYLOAD_TYPE, payloadDigest, type Statement } from '../../statements/statement.js';
import { parseTimestamp } from '../../time/index.js';
import { ROLE_OF_STAGE } from '../../verify/chain.js';
import { parseCommandArgs, resolvePath } from '../args.js';
import { asExit, CliError, usage } from '../errors.js';
import { EXIT, type CliContext, type ExitCode } from '../types.js';

/** Options every `attest <stage>` command takes. */
export const COMMON_OPTIONS = {
  key: { type: 'string' },
  chain: { type: 'string' },
  out: { type: 'string' },
  at: { type: 'string' },
  json: { type: 'boolean' },
  predicate: { type: 'string' },
  subject: { type: 'string', multiple: true },
  ref: { type: 'string', multiple: true },
  attester: { type: 'string' },
  policy: { type: 'string' },
  name: { type: 'string' },
  'keyid-format': { type: 'string' },
} as const;

/** Help text of the common options. */
export const COMMON_HELP = `Common options:
  --key KEY              the signer's private key: PKCS#8 PEM (encrypted ones need
                         LINEPROOF_KEY_PASSPHRASE) or DER, securesystemslib key JSON, hex or raw seed
  --chain CHAIN          the .intoto.jsonl bundle: predecessors are looked up in it, and the new
                         attestation is appended to it as one line (created if missing)
  --out FILE             write the envelope to FILE (one JCS line) instead of, or as well as, --chain
  --attester ID          the signer's identity as the policy names it (default with --policy: the
                         identity the policy binds to the key)
  --policy POLICY        check before signing that the key is in the policy, bound to --attester and
                         holds the stage's role (refused otherwise); look up only predecessors signed
                         by trusted keys of their role
  --predicate FILE       JSON object with the builder's other fields (see spec/predicates.md); strictly
                         read: duplicate keys and unknown fields fail. Flags override its fields
  --ref REF              a predecessor: sha256:<payload digest> found in --chain, or STAGE=sha256:<hex>
                         for one kept elsewhere (repeatable); without --ref, predecessors are looked
                         up in --chain, and more than one candidate is an error listing them
  --at TIME              issuedAt (RFC 3339 with Z or an offset); default: now
  --keyid-format F       keyid hint written with the signature: legacy (default), modern, none
  --json                 print {"payloadDigest", "stage", "line"} (line: the envelope's JCS line)

Environment: LINEPROOF_KEY_PASSPHRASE   passphrase of an encrypted private key

Exit codes: 0 attested; 2 usage error: bad or missing flags, an unreadable key, chain, policy or
predicate file, a predecessor not found or ambiguous, a reference of the wrong stage, a key the
policy does not allow for this stage, a predicate that does not validate.`;

/** A CliError (exit 2) carrying a Lineproof error code. */
export function operatorError(code: ErrorCode, message: string): CliError {
  return new CliError(EXIT.USAGE, `${code}: ${message}`, code);
}

/** Everything loaded before a statement is built. */
export interface AttestEnv {
  cmd: string;
  stage: Stage;
  ctx: CliContext;
  values: Record<string, unknown>;
  /** issuedAt: --at or now (the CLI reads the clock; the core never does). */
  now: Date;
  key: PrivateKey;
  /** The key as the policy resolves it, when --policy was given. */
  policyKey: ResolvedKey | undefined;
  policy: Policy | undefined;
  chainPath: string | undefined;
  chainName: string | undefined;
  index: BundleIndex;
  /** Signatures of each attestation resolved against the policy (only with --policy). */
  signatures: Map<string, ResolvedSignature[]>;
  attester: string;
  /** The --predicate file's fields (empty without one). */
  file: Record<string, unknown>;
  /** Digest algorithms accepted when matching subjects. */
  accepted: readonly string[];
}

/** Print a warning on stderr. */
export function warn(ctx: CliContext, message: string): void {
  ctx.io.stderr(`lineproof: warning: ${message}\n`);
}

function shortDigest(d: string): string {
  return d.length > 26 ? `${d.slice(0, 19)}…` : d;
}

/** A one-line description of an attestation, for lists of candidates and the inspect tree. */
export function describeAttestation(a: ParsedAttestationPayload): string {
  switch (a.stage) {
    case 'dataset':
      return `${a.predicate.name}@${a.predicate.version}`;
    case 'training':
      return `${a.statement.subject.map((s) => s.name ?? shortDigest(digestText(s.digest))).join(', ')} by ${a.predicate.runDetails.builder.id}`;
    case 'evaluation':
      return `${a.predicate.suite.name}@${a.predicate.suite.version} ${a.predicate.result}`;
    case 'approval':
      return `${a.predicate.decision} ${a.predicate.useCase.id} for ${a.predicate.stage} (tier ${a.predicate.riskTier})`;
    case 'promotion':
      return `${a.predicate.stage} ${a.predicate.environment}`;
    case 'revocation':
      return `${a.predicate.kind} ${a.predicate.reason}`;
    default: {
      const never: never = a;
      return String((never as ParsedAttestationPayload).stage);
    }
  }
}

/** `alg:hex` of a DigestSet's preferred algorithm. */
export function digestText(set: DigestSet): string {
  const alg = Object.hasOwn(set, 'sha256') ? 'sha256' : Object.keys(set).sort()[0]!;
  return `${alg}:${set[alg]}`;
}

function candidateLine(a: BundleAttestation): string {
  return `  ${a.entry.payloadDigest}  ${a.attestation.stage} ${describeAttestation(a.attestation)}, issued ${a.attestation.issuedAt} by ${a.attestation.attester.id} (line ${a.entry.lines.join(', ')})`;
}

/** Parse the arguments and load key, policy, chain and predicate file (operator errors: exit 2). */
export async function loadAttestEnv(
  cmd: string,
  stage: Stage,
  args: string[],
  ctx: CliContext,
  options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>,
  shape: Shape,
): Promise<AttestEnv> {
  const { values } = parseCommandArgs(cmd, args, { ...COMMON_OPTIONS, ...options });
  const v = values as Record<string, unknown>;
  const keyPath = v.key as string | undefined;
  if (!keyPath) throw usage(`${cmd}: --key is required (see 'lineproof ${cmd} --help')`);
  if (!v.chain && !v.out)
    throw usage(`${cmd}: give --chain CHAIN (append to a bundle) or --out FILE (see 'lineproof ${cmd} --help')`);
  if (v.out === '-' && v.json) throw usage(`${cmd}: --out - and --json both write to standard output; choose one`);
  const format = (v['keyid-format'] as string | undefined) ?? 'legacy';
  if (format !== 'legacy' && format !== 'modern' && format !== 'none')
    throw usage(`${cmd}: --keyid-format expected legacy, modern or none, got ${JSON.stringify(format)}`);
  let now: Date;
  if (typeof v.at === 'string') {
    try {
      now = new Date(Number(parseTimestamp(v.at, '--at').epochNanos / 1_000_000n));
    } catch (e) {
      throw usage(
        `${cmd}: --at ${(e as Error).message.replace(/^--at: /, '')} (RFC 3339 with Z or an offset, e.g. 2026-03-01T12:00:00Z)`,
      );
    }
  } else {
    now = new Date();
  }
  const passphrase = ctx.io.env.LINEPROOF_KEY_PASSPHRASE;
  const key = await asExit(EXIT.USAGE, () =>
    loadPrivateKey(resolvePath(ctx, keyPath), {
      what: keyPath,
      keyidFormat: format as KeyidFormat,
      onWarning: (m) => warn(ctx, m),
      ...(passphrase ? { passphrase } : {}),
    }),
  );
  const policyPath = v.policy as string | undefined;
  const policy =
    policyPath === undefined
      ? undefined
      : await asExit(EXIT.USAGE, () =>
          parsePolicy(readFileLimited(resolvePath(ctx, policyPath), DEFAULT_LIMITS.envelopeBytes, policyPath), {
            what: policyPath,
          }),
        );
  const chainName = v.chain as string | undefined;
  const chainPath = chainName === undefined ? undefined : resolvePath(ctx, chainName);
  const bundle: Bundle =
    chainPath === undefined
      ? { entries: [], errors: [] }
      : await asExit(EXIT.USAGE, () => readBundleFile(chainPath, { what: chainName!, allowMissing: true }));
  for (const e of bundle.errors)
    warn(ctx, `${chainName}: line ${e.line} is unreadable (${e.code}); ignored when looking up predecessors`);
  const index = indexBundle(bundle);
  const signatures = new Map<string, ResolvedSignature[]>();
  if (policy) {
    for (const a of index.attestations)
      signatures.set(
        a.entry.payloadDigest,
        await resolveSignatures(a.entry.envelope, policy.keys, nodeEd25519Verifier),
      );
  }
  // The signer, checked against the policy.
  let policyKey: ResolvedKey | undefined;
  if (policy) {
    const hex = toHex(key.publicKey.bytes);
    policyKey = policy.keys.find((k) => k.publicKeyHex === hex);
    if (!policyKey)
      throw operatorError(
        'UNTRUSTED_SIGNER',
        `${cmd}: the key ${keyPath} is not in the policy ${policyPath}; its signature would not count`,
      );
  }
  const file = v.predicate === undefined ? {} : readPredicateFile(ctx, cmd, v.predicate as string, shape);
  const attester = (v.attester as string | undefined) ?? (file.attester as string | undefined) ?? policyKey?.identity;
  if (attester === undefined)
    throw usage(`${cmd}: --attester ID is required (or --policy, to take the identity the policy binds to the key)`);
  if (policy && policyKey) checkSigner(cmd, policyKey, attester, stage, now, keyPath, policyPath!);
  return {
    cmd,
    stage,
    ctx,
    values: v,
    now,
    key,
    policyKey,
    policy,
    chainPath,
    chainName,
    index,
    signatures,
    attester,
    file,
    accepted: policy?.document.digestAlgorithms ?? ['sha256'],
  };
}

/** Refuse a key the policy would not count for this stage (and claimed identity) at `now`. */
export function checkSigner(
  cmd: string,
  k: ResolvedKey,
  attester: string | undefined,
  stage: Stage,
  now: Date,
  keyPath: string,
  policyPath: string,
): void {
  if (attester !== undefined && k.identity !== attester) {
    throw operatorError(
      'IDENTITY_MISMATCH',
      `${cmd}: the policy ${policyPath} binds the key ${keyPath} (${k.name}) to ${k.identity}, not to the attester ${attester}`,
    );
  }
  const role = ROLE_OF_STAGE[stage];
  if (!k.roles.includes(role)) {
    throw operatorError(
      'SIGNER_NOT_IN_ROLE',
      `${cmd}: ${k.identity} does not hold the ${role} role a ${stage} attestation needs (roles: ${k.roles.join(', ') || 'none'})`,
    );
  }
  if (k.spec.status === 'compromised')
    throw operatorError('KEY_COMPROMISED', `${cmd}: the policy marks the key ${k.name} compromised`);
  const t = BigInt(now.getTime()) * 1_000_000n;
  if (
    (k.spec.validFrom !== undefined && t < parseTimestamp(k.spec.validFrom).epochNanos) ||
    (k.spec.validUntil !== undefined && t >= parseTimestamp(k.spec.validUntil).epochNanos)
  ) {
    throw operatorError(
      'KEY_OUTSIDE_VALIDITY',
      `${cmd}: the key ${k.name} is valid ${k.spec.validFrom ? `from ${k.spec.validFrom} ` : ''}${k.spec.validUntil ? `until ${k.spec.validUntil}` : ''}, not at ${now.toISOString()}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// --predicate FILE

/** The allowed shape of a --predicate file: '*' any value; an object of allowed keys; [shape] an array. */
export type Shape = '*' | { readonly [key: string]: Shape } | readonly [Shape];

function checkShape(value: unknown, shape: Shape, path: string, file: string): void {
  if (shape === '*' || value === null) return;
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return; // types are the builder's and the schema's business
    value.forEach((v, i) => checkShape(v, shape[0] as Shape, `${path}[${i}]`, file));
    return;
  }
  if (!isJsonObject(value)) return;
  const allowed = shape as Record<string, Shape>;
  for (const [k, v] of Object.entries(value)) {
    const p = path === '' ? k : `${path}.${k}`;
    if (!Object.hasOwn(allowed, k)) {
      throw operatorError(
        'INVALID_ARGUMENT',
        `--predicate ${file}: ${p}: unknown field (allowed here: ${Object.keys(allowed).join(', ')}; references to other attestations are given with --ref)`,
      );
    }
    checkShape(v, allowed[k]!, p, file);
  }
}

function readPredicateFile(ctx: CliContext, cmd: string, file: string, shape: Shape): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseJson(readFileLimited(resolvePath(ctx, file), DEFAULT_LIMITS.envelopeBytes, file), { what: file });
  } catch (e) {
    if (e instanceof LineproofError) throw operatorError(e.code, `${cmd}: --predicate ${e.message}`);
    throw e;
  }
  if (!isJsonObject(value))
    throw operatorError('INVALID_ARGUMENT', `${cmd}: --predicate ${file}: expected a JSON object`);
  checkShape(value, shape, '', file);
  return value as Record<string, unknown>;
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
 * §3); digest text (that names no existing file) is taken as is.
 */
export async function resolveSubject(
  env: AttestEnv,
  text: string,
  defaultName: string | undefined,
): Promise<ResolvedSubject> {
  const name = env.values.name as string | undefined;
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
  const hashed = await asExit(EXIT.USAGE, () => hashPath(resolvePath(env.ctx, text), { algorithms: ['sha256'] }));
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

/** The one `--subject` of a stage that takes exactly one (required). */
export async function oneSubject(env: AttestEnv, defaultName: string | undefined): Promise<ResolvedSubject> {
  const list = (env.values.subject as string[] | undefined) ?? [];
  if (list.length === 0)
    throw usage(`${env.cmd}: --subject PATH|sha256:HEX is required (see 'lineproof ${env.cmd} --help')`);
  if (list.length > 1) throw usage(`${env.cmd}: one --subject, got ${list.length}`);
  return resolveSubject(env, list[0]!, defaultName);
}

// ---------------------------------------------------------------------------------------------
// predecessors

/** A predecessor: its payload digest, its stage (when known), and its payload bytes when in the chain. */
export interface Predecessor {
  digest: string;
  stage: Stage | undefined;
  payload?: Uint8Array;
  /** The attestation, when it is in the chain. */
  found?: BundleAttestation;
}

/** The builder input of a predecessor: its payload bytes (stage re-checked by the builder) or its digest. */
export function payloadInput(p: Predecessor): Uint8Array | string {
  return p.payload ?? p.digest;
}

/** True when a trusted key holding the role of the attestation's stage signed it (always true without --policy). */
export function trustedForStage(env: AttestEnv, a: BundleAttestation): boolean {
  if (!env.policy) return true;
  const role = ROLE_OF_STAGE[a.attestation.stage];
  return (env.signatures.get(a.entry.payloadDigest) ?? []).some(
    (s) => s.key !== undefined && s.key.roles.includes(role) && s.key.spec.status !== 'compromised',
  );
}

/** Resolve every `--ref`: looked up in the chain, or taken as `STAGE=sha256:<hex>`. */
export function resolveRefs(env: AttestEnv): Predecessor[] {
  const out: Predecessor[] = [];
  for (const text of (env.values.ref as string[] | undefined) ?? []) {
    const m = /^(?:([a-z-]+)=)?sha256:([0-9a-fA-F]{64})$/.exec(text);
    if (!m)
      throw usage(
        `${env.cmd}: --ref expected sha256:<64 hex digits> or STAGE=sha256:<64 hex digits>, got ${JSON.stringify(text.slice(0, 100))}`,
      );
    const named = m[1];
    if (
      named !== undefined &&
      !(STAGES as readonly string[]).includes(named) &&
      !(env.stage === 'revocation' && named === 'attestation')
    ) {
      throw usage(`${env.cmd}: --ref ${named}=…: not a stage (${STAGES.join(', ')})`);
    }
    const digest = `sha256:${m[2]!.toLowerCase()}`;
    const found = env.index.get(digest);
    if (found) {
      if (named !== undefined && named !== 'attestation' && named !== found.attestation.stage) {
        throw operatorError(
          'REFERENCE_STAGE_MISMATCH',
          `${env.cmd}: --ref ${text}: the chain holds it as a ${found.attestation.stage} attestation, not a ${named}`,
        );
      }
      if (!trustedForStage(env, found))
        warn(
          env.ctx,
          `--ref ${digest}: no trusted key of the ${ROLE_OF_STAGE[found.attestation.stage]} role in ${env.values.policy} signed it; verification will not accept it`,
        );
      out.push({ digest, stage: found.attestation.stage, payload: found.entry.envelope.payload, found });
      continue;
    }
    const other = env.index.others.find((o) => o.entry.payloadDigest === digest);
    if (other)
      throw operatorError(
        'REFERENCE_INVALID',
        `${env.cmd}: --ref ${digest}: the chain's envelope (line ${other.entry.lines.join(', ')}) is not a lifecycle attestation (${other.code})`,
      );
    if (named === undefined) {
      throw operatorError(
        'REFERENCE_UNRESOLVED',
        `${env.cmd}: --ref ${digest} is not in ${env.chainName ?? 'a chain (no --chain given)'}; to refer to an attestation kept elsewhere write STAGE=${digest}`,
      );
    }
    out.push({ digest, stage: named === 'attestation' ? undefined : (named as Stage) });
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

/** Predecessor candidates of a stage in the chain (only trusted ones with --policy), filtered. */
export function candidates<S extends Stage>(
  env: AttestEnv,
  stage: S,
  filter: (a: BundleAttestation & { attestation: Extract<ParsedAttestationPayload, { stage: S }> }) => boolean,
): Array<BundleAttestation & { attestation: Extract<ParsedAttestationPayload, { stage: S }> }> {
  return env.index.ofStage(stage).filter((a) => trustedForStage(env, a) && filter(a));
}

/** Exactly one candidate, or PREDECESSOR_NOT_FOUND / PREDECESSOR_AMBIGUOUS listing what was found. */
export function exactlyOne(env: AttestEnv, found: BundleAttestation[], what: string): Predecessor {
  if (found.length === 0) {
    const where =
      env.chainName === undefined
        ? 'no --chain was given'
        : `none in ${env.chainName}${env.policy ? ' signed by a trusted key of its role' : ''}`;
    throw operatorError('PREDECESSOR_NOT_FOUND', `${env.cmd}: needs ${what}: ${where}; name it with --ref`);
  }
  if (found.length > 1) {
    throw operatorError(
      'PREDECESSOR_AMBIGUOUS',
      `${env.cmd}: ${found.length} attestations in ${env.chainName} could be ${what}; choose with --ref:\n${found.map(candidateLine).join('\n')}`,
    );
  }
  const a = found[0]!;
  return { digest: a.entry.payloadDigest, stage: a.attestation.stage, payload: a.entry.envelope.payload, found: a };
}

/** Is the attestation about this subject (decisions §3 matching)? */
export function isAbout(env: AttestEnv, a: BundleAttestation, subject: DigestSet): boolean {
  return a.attestation.statement.subject.some((s) => matchDigestSets(s.digest, subject, env.accepted).match);
}

/** Several candidates listed (for ambiguity errors elsewhere). */
export function listCandidates(found: BundleAttestation[]): string {
  return found.map(candidateLine).join('\n');
}

// ---------------------------------------------------------------------------------------------
// times

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
// build, sign, write

/** Run a builder; its errors are operator errors (exit 2) naming the field. */
export async function build<T>(env: AttestEnv, fn: () => T): Promise<T> {
  try {
    return fn();
  } catch (e) {
    if (e instanceof LineproofError) throw operatorError(e.code, `${env.cmd}: ${e.message}`);
    if (e instanceof TypeError || e instanceof RangeError) throw usage(`${env.cmd}: ${e.message}`);
    throw e;
  }
}

/** Sign the statement, append it to --chain and/or write --out, and print the summary. */
export async function signAndWrite(env: AttestEnv, statement: Statement, notes: string[]): Promise<ExitCode> {
  const { ctx } = env;
  const payload = canonicalBytes(statement);
  const envelope: Envelope = await asExit(EXIT.USAGE, () =>
    signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, [nodeEd25519Signer(env.key)], { verifier: nodeEd25519Verifier }),
  );
  const line = serializeEnvelope(envelope);
  let digest = '';
  if (env.chainPath !== undefined) {
    const r = await asExit(EXIT.USAGE, () => appendToBundle(env.chainPath!, envelope, { what: env.chainName! }));
    for (const b of r.brokenLocks) warn(ctx, `${env.chainName}: ${b}`);
    digest = r.payloadDigests[0]!;
  }
  const out = env.values.out as string | undefined;
  if (out !== undefined && out !== '-') {
    const path = resolvePath(ctx, out);
    await asExit(EXIT.USAGE, () => {
      try {
        writeFileSync(path, `${line}\n`);
      } catch (cause) {
        throw new LineproofError(
          'IO_ERROR',
          `${out}: cannot write (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
          { path: out, cause },
        );
      }
    });
  }
  if (digest === '') digest = payloadDigest(payload);
  if (out === '-') ctx.io.stdout(`${line}\n`);
  if (env.values.json) {
    ctx.io.stdout(`${JSON.stringify({ payloadDigest: digest, stage: env.stage, line }, null, 2)}\n`);
  } else {
    const target = [
      env.chainName !== undefined ? `appended to ${env.chainName}` : undefined,
      out !== undefined && out !== '-' ? `written to ${out}` : undefined,
    ]
      .filter(Boolean)
      .join('; ');
    const text = [
      `${env.stage} ${digest}`,
      `  issuedAt  ${statementIssuedAt(statement)}  attester ${env.attester}`,
      ...notes.map((n) => `  ${n}`),
      target ? `  ${target}` : undefined,
    ].filter((l) => l !== undefined);
    (out === '-' ? ctx.io.stderr : ctx.io.stdout)(`${text.join('\n')}\n`);
  }
  return EXIT.OK;
}

function statementIssuedAt(st: Statement): string {
  const p = st.predicate as Record<string, unknown> | undefined;
  if (p && typeof p.issuedAt === 'string') return p.issuedAt;
  const ip = (
    (p?.buildDefinition as Record<string, unknown> | undefined)?.internalParameters as
      Record<string, unknown> | undefined
  )?.issuedAt;
  return typeof ip === 'string' ? ip : '?';
}

/** A short line naming a predecessor for the summary. */
export function refNote(role: string, p: Predecessor): string {
  return `${role.padEnd(9)} ${p.digest}${p.found ? `  ${describeAttestation(p.found.attestation)}` : ' (not in the chain)'}`;
}
