/**
 * The end of every `lineproof attest <stage>` command: run the builder, sign the statement,
 * append it to `--chain` and/or write `--out`, print the summary; and {@link stageCommand}, which
 * puts a stage command together.
 */
import { z } from 'zod';
import type { Predecessor } from '../../bundle/predecessors.js';
import { serializeEnvelope, type Envelope } from '../../dsse/envelope.js';
import { signEnvelope } from '../../dsse/sign.js';
import { LineproofError } from '../../errors.js';
import { canonicalBytes } from '../../json/canonical.js';
import { appendToBundle } from '../../node/bundle.js';
import { nodeEd25519Signer, nodeEd25519Verifier } from '../../node/ed25519.js';
import { writeFileChecked } from '../../node/fs.js';
import { BUILDER_FIELDS } from '../../statements/inputs.js';
import type { Stage } from '../../statements/predicates/common.js';
import { IN_TOTO_PAYLOAD_TYPE, payloadDigest, type Statement } from '../../statements/statement.js';
import { resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type CliContext, type Command, type ExitCode } from '../types.js';
import { COMMON_HELP } from './attest-help.js';
import { loadAttestEnv, operatorError, warn, type AttestEnv, type Options } from './attest-env.js';
import { describeAttestation } from './describe.js';

/** Run a builder; its errors are operator errors (exit 2) naming the field. */
export function build<T>(env: AttestEnv, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof LineproofError) throw operatorError(e.code, `${env.cmd}: ${e.message}`);
    if (e instanceof TypeError || e instanceof RangeError) throw usage(`${env.cmd}: ${e.message}`);
    throw e;
  }
}

/** Sign the statement, append it to --chain and/or write --out, and print the summary. */
export async function signAndWrite(
  env: AttestEnv,
  statement: Statement,
  notes: string[],
  json: Record<string, unknown> = {},
): Promise<ExitCode> {
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
    await asExit(EXIT.USAGE, () => writeFileChecked(path, `${line}\n`, { what: out }));
  }
  if (digest === '') digest = payloadDigest(payload);
  if (out === '-') ctx.io.stdout(`${line}\n`);
  if (env.values.json) {
    ctx.io.stdout(`${JSON.stringify({ payloadDigest: digest, stage: env.stage, line, ...json }, null, 2)}\n`);
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
  const p = st.predicate;
  if (p && typeof p.issuedAt === 'string') return p.issuedAt;
  const definition = p?.buildDefinition as Record<string, unknown> | undefined;
  const ip = (definition?.internalParameters as Record<string, unknown> | undefined)?.issuedAt;
  return typeof ip === 'string' ? ip : '?';
}

/** A short line naming a predecessor for the summary. */
export function refNote(role: string, p: Predecessor): string {
  return `${role.padEnd(9)} ${p.digest}${p.found ? `  ${describeAttestation(p.found.attestation)}` : ' (not in the chain)'}`;
}

/** What a stage command's `make` returns: the statement and the summary's lines. */
export interface Made {
  statement: Statement;
  notes: string[];
  /** More fields of the --json summary. */
  json?: Record<string, unknown>;
}

/**
 * A `lineproof attest <stage>` command: load the environment (a `--predicate` file may hold the
 * stage's builder fields, and `attester`), make the statement, sign and write it.
 */
export function stageCommand(
  stage: Stage,
  summary: string,
  help: string,
  options: Options,
  make: (env: AttestEnv) => Promise<Made>,
): Command {
  const cmd = `attest ${stage}`;
  const fileSchema = z.strictObject({ attester: z.unknown(), ...BUILDER_FIELDS[stage].shape });
  return {
    name: cmd,
    summary,
    help: `${help}\n${COMMON_HELP}\n`,
    async run(args: string[], ctx: CliContext) {
      const env = await loadAttestEnv(cmd, stage, args, ctx, options, fileSchema);
      const { statement, notes, json } = await make(env);
      return signAndWrite(env, statement, notes, json);
    },
  };
}
