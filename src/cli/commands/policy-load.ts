/**
 * Loading the policy a command verifies against (decisions §13): one or more `--policy` files
 * (plain policies or signed policy envelopes), an optional pinned root (`--policy-root`) and an
 * optional `--min-policy-version`. Unreadable or malformed files are operator errors (exit 2);
 * a policy the rotation rule refuses is a failed verification (exit 1), reported with its code.
 */
import { parseEnvelope } from '../../dsse/envelope.js';
import { parseJson, type JsonValue } from '../../json/strict.js';
import { DEFAULT_LIMITS } from '../../limits.js';
import { nodeEd25519Verifier } from '../../node/ed25519.js';
import { readFileLimited } from '../../node/fs.js';
import { resolvePolicy, type PolicyResolution } from '../../policy/signed.js';
import { intOption, resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type CliContext } from '../types.js';

/** Codes of a refusal by the rotation rule: the files are well formed, the trust is not there. */
const TRUST_CODES: ReadonlySet<string> = new Set([
  'POLICY_UNSIGNED',
  'POLICY_THRESHOLD_NOT_MET',
  'POLICY_ROTATION_UNSIGNED',
  'POLICY_ROLLBACK',
  'POLICY_VERSION_GAP',
  'POLICY_FORK',
  'POLICY_ID_MISMATCH',
]);

/** The options every policy-taking command accepts, for parseCommandArgs. */
export const POLICY_OPTIONS = {
  policy: { type: 'string', multiple: true },
  'policy-root': { type: 'string' },
  'min-policy-version': { type: 'string' },
} as const;

/** Help text lines for {@link POLICY_OPTIONS}. */
export const POLICY_OPTIONS_HELP = `  --policy POLICY    the policy: plain JSON or a signed policy envelope (spec/policy.md). Repeat it
                     to give the versions from the pinned root up to the one to use, in any order
  --policy-root ROOT pin the trust root: a policy version you trust as given, or a root-keys
                     document { "lineproofPolicyRoot": 1, "admins": { "keys": [...], "threshold": N } }.
                     Each later version must be signed by the threshold of the admins of the version
                     before it and of its own; an unsigned policy is refused
  --min-policy-version N
                     refuse a policy older than version N (pass the highest version you have seen)`;

/** A refusal is exit 1 (the trust fails) unless the files themselves are bad (exit 2). */
export function refusalExit(r: Extract<PolicyResolution, { ok: false }>): typeof EXIT.FAIL | typeof EXIT.USAGE {
  return TRUST_CODES.has(r.code) ? EXIT.FAIL : EXIT.USAGE;
}

/**
 * Read and resolve the policy files of a command.
 * @throws {CliError} exit 2 for an unreadable file or a bad `--min-policy-version`
 */
export async function loadPolicies(
  command: string,
  ctx: CliContext,
  paths: readonly string[],
  rootPath: string | undefined,
  minVersionText: string | undefined,
): Promise<PolicyResolution> {
  const minVersion = intOption(command, 'min-policy-version', minVersionText, 0, Number.MAX_SAFE_INTEGER);
  const read = (p: string) =>
    asExit(EXIT.USAGE, () => readFileLimited(resolvePath(ctx, p), DEFAULT_LIMITS.envelopeBytes, p));
  const inputs = [];
  for (const p of paths) inputs.push(await read(p));
  const root = rootPath === undefined ? undefined : await read(rootPath);
  return resolvePolicy(inputs, {
    what: paths,
    verifier: nodeEd25519Verifier,
    ...(root === undefined ? {} : { root, rootWhat: rootPath! }),
    ...(minVersion === undefined ? {} : { minVersion }),
  });
}

/**
 * The document a file holds: the file itself when plain JSON, or the payload of a DSSE envelope
 * of `payloadType` (with its signatures' keyid hints, listed, not verified). An envelope of
 * another payloadType is a usage error naming both.
 * @throws {LineproofError} JSON_* and DSSE_* for a malformed file; {CliError} exit 2 for another payloadType
 */
export function readSignedDocument(
  ctx: CliContext,
  path: string,
  payloadType: string,
): { document: JsonValue; signatures?: Array<{ keyid?: string }> } {
  const raw = parseJson(readFileLimited(resolvePath(ctx, path), DEFAULT_LIMITS.envelopeBytes, path), { what: path });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !Object.hasOwn(raw, 'payloadType'))
    return { document: raw };
  const env = parseEnvelope(raw, { what: path });
  if (env.payloadType !== payloadType)
    throw usage(`${path}: payloadType ${JSON.stringify(env.payloadType)} is not ${payloadType}`);
  return {
    document: parseJson(env.payload, { what: `${path}: payload` }),
    signatures: env.signatures.map((s) => (s.keyid === undefined ? {} : { keyid: s.keyid })),
  };
}
