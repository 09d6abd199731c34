import { utf8 } from '../../bytes/index.js';
import { serializeEnvelope } from '../../dsse/envelope.js';
import { signEnvelope } from '../../dsse/sign.js';
import { DEFAULT_LIMITS } from '../../limits.js';
import { nodeEd25519Signer, nodeEd25519Verifier } from '../../node/ed25519.js';
import { readFileLimited } from '../../node/fs.js';
import { readStdinLimited } from '../../node/stdin.js';
import { loadPrivateKey } from '../../node/keys.js';
import { parseCommandArgs, required, resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type Command } from '../types.js';
import { writeFileChecked } from '../../node/fs.js';

const HELP = `Usage: lineproof dsse sign --key KEY --type PAYLOADTYPE --in PAYLOAD [--out ENVELOPE] [--keyid-format F]

Sign the exact bytes of PAYLOAD as a DSSE envelope (PAE, Ed25519) and write the envelope as one
line of canonical JSON (RFC 8785) with a final newline. For the in-toto payloadType
application/vnd.in-toto+json the payload must be a valid in-toto Statement v1 (strictly parsed).

Options:
  --key KEY            private key file: PKCS#8 PEM (encrypted ones need LINEPROOF_KEY_PASSPHRASE)
                       or DER, securesystemslib key JSON (plain or encrypted), hex or raw seed
  --type PAYLOADTYPE   the payloadType, ASCII only (e.g. application/vnd.in-toto+json)
  --in PAYLOAD         the payload file (- for standard input)
  --out ENVELOPE       where to write the envelope (default: standard output)
  --keyid-format F     the keyid hint written with the signature: legacy (default), modern, none

Environment:
  LINEPROOF_KEY_PASSPHRASE   passphrase of an encrypted private key

A warning is printed when the key file is readable by group or others.

Exit codes: 0 signed; 2 usage error, unreadable or invalid key or payload file.

Example:
  lineproof dsse sign --key keys/alice.key --type application/vnd.in-toto+json --in statement.json --out statement.intoto.json
`;

export const dsseSignCommand: Command = {
  name: 'dsse sign',
  summary: 'sign a payload as a DSSE envelope with an Ed25519 key',
  help: HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('dsse sign', args, {
      key: { type: 'string' },
      type: { type: 'string' },
      in: { type: 'string' },
      out: { type: 'string' },
      'keyid-format': { type: 'string' },
    });
    const keyPath = required('dsse sign', values, 'key');
    const payloadType = values.type;
    if (payloadType === undefined) throw usage(`dsse sign: --type is required (see 'lineproof dsse sign --help')`);
    const input = required('dsse sign', values, 'in');
    const format = values['keyid-format'] ?? 'legacy';
    if (format !== 'legacy' && format !== 'modern' && format !== 'none')
      throw usage(`dsse sign: --keyid-format expected legacy, modern or none, got ${JSON.stringify(format)}`);

    const passphrase = ctx.io.env.LINEPROOF_KEY_PASSPHRASE;
    const key = await asExit(EXIT.USAGE, () =>
      loadPrivateKey(resolvePath(ctx, keyPath), {
        what: keyPath,
        keyidFormat: format,
        onWarning: (m) => ctx.io.stderr(`lineproof: warning: ${m}\n`),
        ...(passphrase ? { passphrase } : {}),
      }),
    );
    const payload = await asExit(EXIT.USAGE, () =>
      input === '-'
        ? readStdinLimited(DEFAULT_LIMITS.envelopeBytes)
        : readFileLimited(resolvePath(ctx, input), DEFAULT_LIMITS.envelopeBytes, input),
    );
    const envelope = await asExit(EXIT.USAGE, () =>
      signEnvelope(payload, payloadType, [nodeEd25519Signer(key)], { verifier: nodeEd25519Verifier }),
    );
    const text = `${serializeEnvelope(envelope)}\n`;
    if (utf8(text).length > DEFAULT_LIMITS.envelopeBytes + 1) {
      throw usage(
        `dsse sign: the envelope would be ${utf8(text).length} bytes, more than the envelope limit of ${DEFAULT_LIMITS.envelopeBytes}`,
      );
    }
    if (values.out === undefined || values.out === '-') {
      ctx.io.stdout(text);
    } else {
      const outArg = values.out;
      const out = resolvePath(ctx, outArg);
      await asExit(EXIT.USAGE, () => writeFileChecked(out, text, { what: outArg }));
    }
    return EXIT.OK;
  },
};
