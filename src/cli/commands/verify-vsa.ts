/**
 * `lineproof verify --vsa-key K --vsa-out F [--vsa-append]`: after a chain verification, sign its
 * verdict (PASSED or FAILED) as a SLSA verification summary (decisions §9, spec/vsa.md) with a key
 * of the policy's verifier role, and write it to F and/or append it to the chain. The key is
 * checked before verifying, so a key outside the role is refused (exit 2) before any work.
 */
import { resolve } from 'node:path';
import { fromBase64 } from '../../bytes/index.js';
import type { DigestSet } from '../../digest/index.js';
import { serializeEnvelope } from '../../dsse/envelope.js';
import type { PrivateKey } from '../../keys/types.js';
import { appendToBundle } from '../../node/bundle.js';
import { nodeEd25519Signer, nodeEd25519Verifier } from '../../node/ed25519.js';
import { writeFileChecked } from '../../node/fs.js';
import { loadPrivateKey } from '../../node/keys.js';
import type { Policy, ResolvedKey } from '../../policy/policy.js';
import { payloadDigest } from '../../statements/statement.js';
import type { ChainVerification } from '../../verify/chain.js';
import { buildVerificationSummary, signVerificationSummary, verifierKeyOf } from '../../verify/vsa/build.js';
import { resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type CliContext } from '../types.js';
import { cliVersion } from '../version.js';

/** The flags, for parseCommandArgs. */
export const VSA_OPTIONS = {
  'vsa-key': { type: 'string' },
  'vsa-out': { type: 'string' },
  'vsa-append': { type: 'boolean' },
  'vsa-resource-uri': { type: 'string' },
} as const;

/** Help text lines for {@link VSA_OPTIONS}. */
export const VSA_OPTIONS_HELP = `  --vsa-key KEY      after verifying, sign the verdict (PASSED or FAILED) as a SLSA verification
                     summary (spec/vsa.md) with KEY, a private key of the policy's verifier role;
                     a key outside the role is refused before verifying (VSA_SIGNER_NOT_VERIFIER)
  --vsa-out FILE     write the summary's envelope (one JSON line) to FILE
  --vsa-append       append the summary to the --chain bundle (an unreferenced statement there)
  --vsa-resource-uri URI
                     the summary's resourceUri, e.g. the model's name (default: its sha256:<hex>)`;

interface VsaValues {
  'vsa-key'?: string | undefined;
  'vsa-out'?: string | undefined;
  'vsa-append'?: boolean | undefined;
  'vsa-resource-uri'?: string | undefined;
}

/** What {@link planVsa} settled before verifying. */
export interface VsaPlan {
  key: PrivateKey;
  signer: ResolvedKey;
  out?: string;
  outArg?: string;
  append: boolean;
  resourceUri?: string;
}

/**
 * The flags hang together (exit 2 otherwise); true when a summary is asked for.
 * @param embedded the command embeds the summary in its output (`report`): --vsa-key needs no destination
 */
export function vsaAsked(values: VsaValues, chainPath: string, ctx: CliContext, embedded = false): boolean {
  const cmd = embedded ? 'report' : 'verify';
  const key = values['vsa-key'];
  const wants = values['vsa-out'] !== undefined || values['vsa-append'] === true;
  if (key === undefined) {
    if (wants || values['vsa-resource-uri'] !== undefined)
      throw usage(`${cmd}: --vsa-out, --vsa-append and --vsa-resource-uri need --vsa-key KEY`);
    return false;
  }
  if (!wants && !embedded)
    throw usage('verify: --vsa-key needs --vsa-out FILE or --vsa-append (where the summary goes)');
  const out = values['vsa-out'];
  if (out !== undefined && resolve(resolvePath(ctx, out)) === resolve(resolvePath(ctx, chainPath)))
    throw usage(`${cmd}: --vsa-out is the --chain bundle; use --vsa-append to add the summary to it`);
  if (values['vsa-resource-uri'] === '') throw usage(`${cmd}: --vsa-resource-uri expected a URI or name`);
  return true;
}

/**
 * Before verifying: load the key (exit 2 when unreadable) and check it is a key of the policy's
 * verifier role that stands at `asOf` (exit 2, VSA_SIGNER_NOT_VERIFIER or the key's standing code).
 */
export async function planVsa(ctx: CliContext, values: VsaValues, policy: Policy, asOf: string): Promise<VsaPlan> {
  const keyPath = values['vsa-key']!;
  const passphrase = ctx.io.env.LINEPROOF_KEY_PASSPHRASE;
  const key = await asExit(EXIT.USAGE, () =>
    loadPrivateKey(resolvePath(ctx, keyPath), {
      what: keyPath,
      onWarning: (m) => ctx.io.stderr(`lineproof: warning: ${m}\n`),
      ...(passphrase ? { passphrase } : {}),
    }),
  );
  const signer = await asExit(EXIT.USAGE, () => {
    try {
      return verifierKeyOf(policy, key.publicKey, asOf);
    } catch (e) {
      if (e instanceof Error) e.message = `--vsa-key ${keyPath}: ${e.message}`;
      throw e;
    }
  });
  const out = values['vsa-out'];
  const uri = values['vsa-resource-uri'];
  return {
    key,
    signer,
    append: values['vsa-append'] === true,
    ...(out === undefined ? {} : { out: resolvePath(ctx, out), outArg: out }),
    ...(uri === undefined ? {} : { resourceUri: uri }),
  };
}

/** What {@link emitVsa} needs from the verification. */
export interface VsaSource {
  verification: ChainVerification;
  policy: Policy;
  subject: DigestSet;
  asOf: string;
  chainPath: string;
  json: boolean;
  /** Standard output carries a document (`report --format … ` without --out): say where on standard error. */
  quietStdout?: boolean;
}

/** The summary signed: its envelope as written (one JSON line) and what it says. */
export interface EmittedVsa {
  envelope: string;
  payloadDigest: string;
  verificationResult: string;
  resourceUri: string;
}

/**
 * After verifying: build and sign the summary, write it and/or append it to the chain, and say so
 * (on standard output, or on standard error with --json, whose output stays exactly the report).
 * @throws {CliError} exit 2 when the summary cannot be written
 */
export async function emitVsa(ctx: CliContext, plan: VsaPlan, src: VsaSource): Promise<EmittedVsa> {
  const statement = buildVerificationSummary({
    verification: src.verification,
    policy: src.policy,
    subject: src.subject,
    timeVerified: src.asOf,
    verifierVersion: { lineproof: cliVersion() },
    ...(plan.resourceUri === undefined ? {} : { resourceUri: plan.resourceUri }),
  });
  const envelope = await asExit(EXIT.USAGE, () =>
    signVerificationSummary(statement, [nodeEd25519Signer(plan.key)], {
      policy: src.policy,
      verifier: nodeEd25519Verifier,
    }),
  );
  const where: string[] = [];
  if (plan.out !== undefined) {
    const text = `${serializeEnvelope(envelope)}\n`;
    await asExit(EXIT.USAGE, () => writeFileChecked(plan.out!, text, { what: plan.outArg! }));
    where.push(`written to ${plan.outArg}`);
  }
  if (plan.append) {
    const chain = resolvePath(ctx, src.chainPath);
    await asExit(EXIT.USAGE, () => appendToBundle(chain, envelope, { what: src.chainPath }));
    where.push(`appended to ${src.chainPath}`);
  }
  const line =
    `verification summary ${statement.predicate.verificationResult} ${payloadDigest(fromBase64(envelope.payload))}` +
    ` signed by ${plan.signer.name} (${plan.signer.identity}); ${where.join(', ')}\n`;
  if (where.length > 0) {
    if (src.json || src.quietStdout) ctx.io.stderr(`lineproof: ${line}`);
    else ctx.io.stdout(line);
  }
  return {
    envelope: serializeEnvelope(envelope),
    payloadDigest: payloadDigest(fromBase64(envelope.payload)),
    verificationResult: statement.predicate.verificationResult,
    resourceUri: statement.predicate.resourceUri,
  };
}
