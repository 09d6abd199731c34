import { serializeEnvelope } from '../../dsse/envelope.js';
import { LineproofError } from '../../errors.js';
import { fromSigstoreBundle, serializeSigstoreBundle, toSigstoreBundle } from '../../interop/sigstore.js';
import { DEFAULT_LIMITS } from '../../limits.js';
import { readFileLimited } from '../../node/fs.js';
import { readStdinLimited } from '../../node/stdin.js';
import { parseCommandArgs, required, resolvePath } from '../args.js';
import { CliError, asExit, usage } from '../errors.js';
import { EXIT, type CliContext, type Command } from '../types.js';
import { writeFileChecked } from '../../node/fs.js';

const TO_HELP = `Usage: lineproof bundle to-sigstore --in ENVELOPE [--out BUNDLE] [--hint TEXT]

Wrap a DSSE envelope with one signature (e.g. from 'lineproof dsse sign') in a Sigstore bundle
v0.3 (application/vnd.dev.sigstore.bundle.v0.3+json) with a public-key hint, no transparency-log
entry and no certificate: the shape Sigstore verifiers check offline against a public key looked
up by the hint (sigstore-js @sigstore/verify verifies it with log thresholds at 0). The payload,
payloadType, signature and keyid are carried unchanged; 'bundle from-sigstore' gives the same
envelope back. A bundle carries one signature: split a multi-signature envelope per signer.

Options:
  --in ENVELOPE   the envelope file (- for standard input)
  --out BUNDLE    where to write the bundle (default: standard output)
  --hint TEXT     the public-key hint (default: the signature's keyid); unauthenticated, it only
                  tells a verifier which of its keys to use

Exit codes: 0 converted; 1 the envelope cannot be read or converted (malformed, no signature,
several signatures: SIGSTORE_MULTIPLE_SIGNATURES); 2 usage error, an unreadable input, no hint
available, or the output not writable.

Example:
  lineproof bundle to-sigstore --in statement.intoto.json --hint alice --out statement.sigstore.json
`;

const FROM_HELP = `Usage: lineproof bundle from-sigstore --in BUNDLE [--out ENVELOPE]

Read a Sigstore bundle v0.3 holding one DSSE envelope and a public-key hint, strictly (unknown
fields, certificates, transparency-log entries, timestamps and several signatures are refused),
and write its DSSE envelope as one line of canonical JSON. Nothing is verified: verify the
envelope with 'lineproof dsse verify'.

Options:
  --in BUNDLE       the bundle file (- for standard input)
  --out ENVELOPE    where to write the envelope (default: standard output)

Exit codes: 0 converted; 1 the bundle cannot be read (SIGSTORE_BUNDLE_INVALID,
SIGSTORE_BUNDLE_UNSUPPORTED, SIGSTORE_MULTIPLE_SIGNATURES, JSON or base64 codes); 2 usage error,
an unreadable input, or the output not writable.

Example:
  lineproof bundle from-sigstore --in statement.sigstore.json --out statement.intoto.json
`;

async function readInput(ctx: CliContext, input: string): Promise<Uint8Array> {
  try {
    return input === '-'
      ? await readStdinLimited(DEFAULT_LIMITS.envelopeBytes)
      : readFileLimited(resolvePath(ctx, input), DEFAULT_LIMITS.envelopeBytes, input);
  } catch (e) {
    if (e instanceof LineproofError && e.code === 'LIMIT_EXCEEDED')
      throw new CliError(EXIT.FAIL, `${e.code}: ${e.message}`, e.code);
    return asExit(EXIT.USAGE, () => {
      throw e;
    });
  }
}

async function writeOutput(ctx: CliContext, out: string | undefined, text: string): Promise<void> {
  if (out === undefined || out === '-') {
    ctx.io.stdout(text);
    return;
  }
  await asExit(EXIT.USAGE, () => {
    writeFileChecked(resolvePath(ctx, out), text, { what: out });
  });
}

export const bundleToSigstoreCommand: Command = {
  name: 'bundle to-sigstore',
  summary: 'wrap a one-signature DSSE envelope in a Sigstore bundle v0.3 (public-key hint)',
  help: TO_HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('bundle to-sigstore', args, {
      in: { type: 'string' },
      out: { type: 'string' },
      hint: { type: 'string' },
    });
    const input = required('bundle to-sigstore', values, 'in');
    const bytes = await readInput(ctx, input);
    let bundle;
    try {
      bundle = toSigstoreBundle(bytes, values.hint === undefined ? {} : { hint: values.hint });
    } catch (e) {
      if (e instanceof LineproofError && e.code === 'INVALID_ARGUMENT')
        throw usage(`bundle to-sigstore: ${e.message}${values.hint === undefined ? ' (give --hint)' : ''}`);
      return asExit(EXIT.FAIL, () => {
        throw e;
      });
    }
    await writeOutput(ctx, values.out, serializeSigstoreBundle(bundle));
    return EXIT.OK;
  },
};

export const bundleFromSigstoreCommand: Command = {
  name: 'bundle from-sigstore',
  summary: 'extract the DSSE envelope of a Sigstore bundle v0.3 (strict)',
  help: FROM_HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('bundle from-sigstore', args, {
      in: { type: 'string' },
      out: { type: 'string' },
    });
    const input = required('bundle from-sigstore', values, 'in');
    const bytes = await readInput(ctx, input);
    const { envelope } = await asExit(EXIT.FAIL, () => fromSigstoreBundle(bytes, { what: input }));
    await writeOutput(ctx, values.out, `${serializeEnvelope(envelope)}\n`);
    return EXIT.OK;
  },
};
