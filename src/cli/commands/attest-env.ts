/**
 * What every `lineproof attest <stage>` command loads before it builds a statement: the flags,
 * the key, the policy (and the key's standing in it), the chain with its predecessor lookups, and
 * the `--predicate FILE`; and the flag helpers the stage commands share.
 */
import type { z } from 'zod';
import { toHex } from '../../bytes/index.js';
import type { Bundle } from '../../bundle/jsonl.js';
import { indexBundle } from '../../bundle/lookup.js';
import { predecessorContext, type PredecessorContext } from '../../bundle/predecessors.js';
import { LineproofError, type ErrorCode } from '../../errors.js';
import { isJsonObject, parseJson } from '../../json/strict.js';
import type { KeyidFormat, PrivateKey } from '../../keys/types.js';
import { DEFAULT_LIMITS } from '../../limits.js';
import { readBundleFile } from '../../node/bundle.js';
import { nodeEd25519Verifier } from '../../node/ed25519.js';
import { readFileLimited } from '../../node/fs.js';
import { loadPrivateKey } from '../../node/keys.js';
import { keyStanding } from '../../policy/key-standing.js';
import { parsePolicy, type Policy, type ResolvedKey } from '../../policy/policy.js';
import { ROLE_OF_STAGE } from '../../policy/roles.js';
import { unknownField } from '../../statements/inputs.js';
import type { Stage } from '../../statements/predicates/common.js';
import { parseTimestamp } from '../../time/index.js';
import { parseCommandArgs, resolvePath } from '../args.js';
import { asExit, CliError, usage } from '../errors.js';
import { EXIT, type CliContext } from '../types.js';
import { COMMON_OPTIONS } from './attest-help.js';

/** A CliError (exit 2) carrying a Lineproof error code. */
export function operatorError(code: ErrorCode, message: string): CliError {
  return new CliError(EXIT.USAGE, `${code}: ${message}`, code);
}

/** Print a warning on stderr. */
export function warn(ctx: CliContext, message: string): void {
  ctx.io.stderr(`lineproof: warning: ${message}\n`);
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
  policy: Policy | undefined;
  chainName: string | undefined;
  chainPath: string | undefined;
  /** Predecessor lookups in the chain (signatures resolved against the policy, when given). */
  lookup: PredecessorContext;
  attester: string;
  /** The --predicate file's fields (empty without one). */
  file: Record<string, unknown>;
}

/** Options of a stage command, as node:util parseArgs takes them. */
export type Options = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

function issuedAtOf(cmd: string, at: unknown): Date {
  if (typeof at !== 'string') return new Date();
  try {
    return new Date(Number(parseTimestamp(at, '--at').epochNanos / 1_000_000n));
  } catch (e) {
    throw usage(
      `${cmd}: --at ${(e as Error).message.replace(/^--at: /, '')} (RFC 3339 with Z or an offset, e.g. 2026-03-01T12:00:00Z)`,
    );
  }
}

/** `--keyid-format`: legacy (default), modern or none. */
export function keyidFormatOf(cmd: string, value: unknown): KeyidFormat {
  const f = (value as string | undefined) ?? 'legacy';
  if (f !== 'legacy' && f !== 'modern' && f !== 'none')
    throw usage(`${cmd}: --keyid-format expected legacy, modern or none, got ${JSON.stringify(f)}`);
  return f;
}

/** Load the signer's private key (`--key`; LINEPROOF_KEY_PASSPHRASE for an encrypted one). */
export async function loadSignerKey(ctx: CliContext, keyPath: string, keyidFormat: KeyidFormat): Promise<PrivateKey> {
  const passphrase = ctx.io.env.LINEPROOF_KEY_PASSPHRASE;
  return asExit(EXIT.USAGE, () =>
    loadPrivateKey(resolvePath(ctx, keyPath), {
      what: keyPath,
      keyidFormat,
      onWarning: (m) => warn(ctx, m),
      ...(passphrase ? { passphrase } : {}),
    }),
  );
}

/** Load `--policy POLICY`, when given (an operator input: exit 2). */
export async function loadPolicyFlag(ctx: CliContext, policyPath: string | undefined): Promise<Policy | undefined> {
  if (policyPath === undefined) return undefined;
  return asExit(EXIT.USAGE, () =>
    parsePolicy(readFileLimited(resolvePath(ctx, policyPath), DEFAULT_LIMITS.envelopeBytes, policyPath), {
      what: policyPath,
    }),
  );
}

/** The policy key of `key`, or UNTRUSTED_SIGNER. */
export function policyKeyOf(
  cmd: string,
  policy: Policy,
  key: PrivateKey,
  keyPath: string,
  policyPath: string,
): ResolvedKey {
  const hex = toHex(key.publicKey.bytes);
  const k = policy.keys.find((p) => p.publicKeyHex === hex);
  if (!k)
    throw operatorError(
      'UNTRUSTED_SIGNER',
      `${cmd}: the key ${keyPath} is not in the policy ${policyPath}; its signature would not count`,
    );
  return k;
}

/** Parse the arguments and load key, policy, chain and predicate file (operator errors: exit 2). */
export async function loadAttestEnv(
  cmd: string,
  stage: Stage,
  args: string[],
  ctx: CliContext,
  options: Options,
  fileSchema: z.ZodType,
): Promise<AttestEnv> {
  const { values } = parseCommandArgs(cmd, args, { ...COMMON_OPTIONS, ...options });
  const v = values as Record<string, unknown>;
  const keyPath = v.key as string | undefined;
  if (!keyPath) throw usage(`${cmd}: --key is required (see 'lineproof ${cmd} --help')`);
  if (!v.chain && !v.out)
    throw usage(`${cmd}: give --chain CHAIN (append to a bundle) or --out FILE (see 'lineproof ${cmd} --help')`);
  if (v.out === '-' && v.json) throw usage(`${cmd}: --out - and --json both write to standard output; choose one`);
  const format = keyidFormatOf(cmd, v['keyid-format']);
  const now = issuedAtOf(cmd, v.at);
  const key = await loadSignerKey(ctx, keyPath, format);
  const policyPath = v.policy as string | undefined;
  const policy = await loadPolicyFlag(ctx, policyPath);
  const chainName = v.chain as string | undefined;
  const chainPath = chainName === undefined ? undefined : resolvePath(ctx, chainName);
  const bundle: Bundle =
    chainPath === undefined
      ? { entries: [], errors: [] }
      : await asExit(EXIT.USAGE, () => readBundleFile(chainPath, { what: chainName!, allowMissing: true }));
  for (const e of bundle.errors)
    warn(ctx, `${chainName}: line ${e.line} is unreadable (${e.code}); ignored when looking up predecessors`);
  const lookup = await predecessorContext(indexBundle(bundle), policy, nodeEd25519Verifier);
  // The signer, checked against the policy.
  const policyKey = policy ? policyKeyOf(cmd, policy, key, keyPath, policyPath!) : undefined;
  const file = v.predicate === undefined ? {} : readPredicateFile(ctx, cmd, v.predicate as string, fileSchema);
  const attester = (v.attester as string | undefined) ?? (file.attester as string | undefined) ?? policyKey?.identity;
  if (attester === undefined)
    throw usage(`${cmd}: --attester ID is required (or --policy, to take the identity the policy binds to the key)`);
  if (policy && policyKey)
    checkSigner(cmd, policy, policyKey, { attester, stage, at: now, keyPath, policyPath: policyPath! });
  return { cmd, stage, ctx, values: v, now, key, policy, chainName, chainPath, lookup, attester, file };
}

/** What {@link checkSigner} checks the key for. */
export interface SignerCheck {
  /** The identity the attestation will claim; undefined: not checked (a co-signature). */
  attester: string | undefined;
  stage: Stage;
  /** The attestation's issuedAt. */
  at: Date;
  keyPath: string;
  policyPath: string;
}

/**
 * Refuse a key the policy would not count for this stage (and claimed identity) at `at`: the
 * verifier's own answer, {@link keyStanding} (role, status, revocations, validity window).
 */
export function checkSigner(cmd: string, policy: Policy, k: ResolvedKey, check: SignerCheck): void {
  const { attester, stage, at, keyPath, policyPath } = check;
  if (attester !== undefined && k.identity !== attester) {
    throw operatorError(
      'IDENTITY_MISMATCH',
      `${cmd}: the policy ${policyPath} binds the key ${keyPath} (${k.name}) to ${k.identity}, not to the attester ${attester}`,
    );
  }
  const role = ROLE_OF_STAGE[stage];
  const standing = keyStanding(policy, k, { role, at });
  if (!standing.inRole) {
    throw operatorError(
      'SIGNER_NOT_IN_ROLE',
      `${cmd}: ${k.identity} does not hold the ${role} role a ${stage} attestation needs (roles: ${k.roles.join(', ') || 'none'})`,
    );
  }
  const rejected = standing.rejected;
  if (!rejected) return;
  if (rejected.code === 'KEY_COMPROMISED' && k.spec.status === 'compromised')
    throw operatorError('KEY_COMPROMISED', `${cmd}: the policy marks the key ${k.name} compromised`);
  if (rejected.code === 'KEY_OUTSIDE_VALIDITY')
    throw operatorError(
      'KEY_OUTSIDE_VALIDITY',
      `${cmd}: the key ${k.name} is valid ${k.spec.validFrom ? `from ${k.spec.validFrom} ` : ''}${k.spec.validUntil ? `until ${k.spec.validUntil}` : ''}, not at ${at.toISOString()}`,
    );
  throw operatorError(rejected.code, `${cmd}: ${rejected.message}`);
}

function readPredicateFile(ctx: CliContext, cmd: string, file: string, schema: z.ZodType): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseJson(readFileLimited(resolvePath(ctx, file), DEFAULT_LIMITS.envelopeBytes, file), { what: file });
  } catch (e) {
    if (e instanceof LineproofError) throw operatorError(e.code, `${cmd}: --predicate ${e.message}`);
    throw e;
  }
  if (!isJsonObject(value))
    throw operatorError('INVALID_ARGUMENT', `${cmd}: --predicate ${file}: expected a JSON object`);
  const unknown = unknownField(schema, value);
  if (unknown)
    throw operatorError(
      'INVALID_ARGUMENT',
      `--predicate ${file}: ${unknown.path}: unknown field (allowed here: ${unknown.allowed.join(', ')}; references to other attestations are given with --ref)`,
    );
  return value;
}
