import { readBundleFile } from '../../node/bundle.js';
import { writeFileChecked } from '../../node/fs.js';
import { ociPullChain, ociPushChain } from '../../node/oci.js';
import { loadDockerCredentials } from '../../node/oci-credentials.js';
import type { OciClientOptions } from '../../node/oci-http.js';
import { parseOciReference } from '../../interop/oci/reference.js';
import { LineproofError, type ErrorCode } from '../../errors.js';
import { intOption, parseCommandArgs, required, resolvePath } from '../args.js';
import { asExit, CliError } from '../errors.js';
import { EXIT, type CliContext, type Command, type ExitCode } from '../types.js';
import { join } from 'node:path';

const COMMON_HELP = `  --plain-http       use http:// for a registry that is not this machine (localhost and
                     127.0.0.1 always use it; every other registry uses https://)
  --timeout S        seconds one request may take, its body included (default 30)
  --json             print the result as JSON

Credentials come from the Docker config file ($DOCKER_CONFIG/config.json, else
~/.docker/config.json): auths[REGISTRY].auth, base64 of user:password. Basic and Bearer token
authentication are answered; credential helpers (credHelpers, credsStore) are not run.`;

const PUSH_HELP = `Usage: lineproof oci push REGISTRY/REPO@sha256:<hex> --chain BUNDLE [--plain-http] [--timeout S] [--json]

Store each attestation of the chain beside the model in an OCI registry: one OCI artifact per
envelope (artifactType ${'application/vnd.lineproof.attestation.v1+json'}), whose subject is the model's
manifest, listed by the referrers API or, on a registry without it, by the referrers tag
sha256-<hex> (spec/oci.md). The chain must attest the manifest digest (an in-toto statement with
it as a subject sha256), so that 'lineproof verify --digest sha256:<hex>' works on what is pulled.
Pushing the same chain again changes nothing.

Options:
  --chain BUNDLE     the .intoto.jsonl bundle
${COMMON_HELP}

Exit codes: 0 pushed; 1 the chain is not about the manifest, or cannot be carried (an unreadable
line, Sigstore material), or the registry sent content that does not match its digest; 2 usage
error, an unreadable bundle or Docker config, no such manifest, or the registry refused,
timed out or could not be reached.

Example:
  lineproof oci push registry.example.com/models/support-bot@sha256:4f1c… --chain model.intoto.jsonl
`;

const PULL_HELP = `Usage: lineproof oci pull REGISTRY/REPO@sha256:<hex> --out FILE [--plain-http] [--timeout S] [--json]

Fetch the attestations stored beside a model (the referrers API, else the referrers tag) and write
them as a bundle (.intoto.jsonl). Every manifest and layer is checked against its digest and size
before it is read; a referrer that is not a Lineproof attestation is skipped and reported. Nothing
pulled is trusted: 'lineproof verify' decides.

Options:
  --out FILE         where to write the bundle (replaced)
${COMMON_HELP}

Exit codes: 0 written (skipped referrers are listed on standard error); 1 no attestation could
be pulled, or the registry's referrers list is invalid or over the limits; 2 usage error, the
output not writable, a bad Docker config, or the registry refused, timed out or could not be
reached.

Example:
  lineproof oci pull registry.example.com/models/support-bot@sha256:4f1c… --out pulled.intoto.jsonl
  lineproof verify --chain pulled.intoto.jsonl --policy policy.json --digest sha256:4f1c… --use-case support-chat
`;

/** Codes that mean the evidence (the chain, the registry's content) fails: exit 1. */
const EVIDENCE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'OCI_CHAIN_NOT_ABOUT_SUBJECT',
  'OCI_CHAIN_UNSUPPORTED',
  'OCI_DIGEST_MISMATCH',
  'OCI_MANIFEST_INVALID',
  'OCI_REFERRERS_INVALID',
  'OCI_LIMIT_EXCEEDED',
  'OCI_RESPONSE_TOO_LARGE',
  'OCI_SUBJECT_MISMATCH',
]);

async function registryCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof LineproofError) {
      const exit: ExitCode = EVIDENCE_CODES.has(e.code) ? EXIT.FAIL : EXIT.USAGE;
      throw new CliError(exit, `${e.code}: ${e.message}`, e.code);
    }
    throw e;
  }
}

const OPTIONS = {
  'plain-http': { type: 'boolean' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Reference, credentials and client options shared by push and pull. */
function clientOptions(
  command: string,
  ctx: CliContext,
  reference: string,
  values: { 'plain-http'?: boolean; timeout?: string },
): Promise<OciClientOptions> {
  return asExit(EXIT.USAGE, () => {
    const ref = parseOciReference(reference);
    const env = ctx.io.env;
    const configDir = env.DOCKER_CONFIG ?? (env.HOME ? join(env.HOME, '.docker') : undefined);
    const found = loadDockerCredentials(ref.registry, configDir ? { configDir, env } : { env });
    for (const n of found.notes) ctx.io.stderr(`lineproof: note: ${n}\n`);
    const timeout = intOption(command, 'timeout', values.timeout, 1, 3600);
    return {
      plainHttp: values['plain-http'] === true,
      ...(found.credentials ? { credentials: found.credentials } : {}),
      ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
    };
  });
}

export const ociPushCommand: Command = {
  name: 'oci push',
  summary: 'store a chain beside the model in an OCI registry (one artifact per attestation)',
  help: PUSH_HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      'oci push',
      args,
      { ...OPTIONS, chain: { type: 'string' } },
      { min: 1, max: 1 },
    );
    const chain = required('oci push', values, 'chain');
    const options = await clientOptions('oci push', ctx, positionals[0]!, values);
    const bundle = await asExit(EXIT.USAGE, () => readBundleFile(resolvePath(ctx, chain), { what: chain }));
    const r = await registryCall(() => ociPushChain(positionals[0]!, bundle, options));
    if (values.json) ctx.io.stdout(`${JSON.stringify(r, null, 2)}\n`);
    else {
      for (const a of r.artifacts)
        ctx.io.stdout(
          `${a.existed ? 'had   ' : 'pushed'} ${a.manifestDigest}  payload ${a.payloadDigest.slice(0, 19)}…\n`,
        );
      ctx.io.stdout(
        `${r.artifacts.length} attestation(s) beside ${r.reference} (${r.referrers === 'api' ? 'referrers API' : `referrers tag, ${r.tagAdded} added`})\n`,
      );
    }
    return EXIT.OK;
  },
};

export const ociPullCommand: Command = {
  name: 'oci pull',
  summary: 'fetch the chain stored beside a model in an OCI registry into a bundle',
  help: PULL_HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      'oci pull',
      args,
      { ...OPTIONS, out: { type: 'string' } },
      { min: 1, max: 1 },
    );
    const out = required('oci pull', values, 'out');
    const options = await clientOptions('oci pull', ctx, positionals[0]!, values);
    const r = await registryCall(() => ociPullChain(positionals[0]!, options));
    for (const s of r.skipped) ctx.io.stderr(`lineproof: skipped ${s.at}: ${s.code}: ${s.message}\n`);
    if (r.lines.length === 0) {
      if (values.json) ctx.io.stdout(`${JSON.stringify(r, null, 2)}\n`);
      ctx.io.stderr(`lineproof: no attestation beside ${r.reference}; nothing written\n`);
      return EXIT.FAIL;
    }
    await asExit(EXIT.USAGE, () =>
      writeFileChecked(resolvePath(ctx, out), r.lines.join(''), { what: out, atomic: true }),
    );
    if (values.json) ctx.io.stdout(`${JSON.stringify(r, null, 2)}\n`);
    else
      ctx.io.stdout(
        `wrote ${out}: ${r.lines.length} attestation(s) from the ${r.source === 'api' ? 'referrers API' : 'referrers tag'}${r.skipped.length ? `, ${r.skipped.length} skipped` : ''}\n`,
      );
    return EXIT.OK;
  },
};
