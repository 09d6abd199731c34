/**
 * `lineproof key info FILE`: what a key file holds — its kind (private or public, Ed25519), the
 * public key in hex, both keyids (securesystemslib's legacy and modern forms; a policy and an
 * envelope's keyid hint use them) and the public key as PEM. Never prints private material.
 */
import { readFileLimited } from '../../node/fs.js';
import { importPrivateKey } from '../../node/keys.js';
import { fromUtf8 } from '../../bytes/index.js';
import { keyidsOf } from '../../keys/keyid.js';
import { parsePublicKey } from '../../keys/keys.js';
import { publicKeyToHex, publicKeyToPem } from '../../keys/export.js';
import type { PublicKey } from '../../keys/types.js';
import { parseCommandArgs, resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type Command } from '../types.js';

const HELP = `Usage: lineproof key info FILE [--private | --public] [--json]

Print what a key file holds: its kind (an Ed25519 private or public key), the public key as 64 hex
digits (what a policy's keys.NAME.publicKey takes), its keyids (securesystemslib legacy and modern:
what envelopes name as keyid hints) and the public key as PEM. A private key's secret is never
printed. Encrypted private keys need LINEPROOF_KEY_PASSPHRASE.

A file is read as private when it is a PEM "PRIVATE KEY", securesystemslib JSON with a private
part, or named *.key; otherwise as public. 64 hex digits alone could be either: --private or
--public says which.

Options:
  --private | --public   how to read the file
  --json                 print { kind, type, publicKey, keyid, keyidModern, pem }

Exit codes: 0 read; 2 usage error, an unreadable or invalid key file.

Example:
  lineproof key info keys/alice.pub
  lineproof key info keys/alice.key --json
`;

export const keyInfoCommand: Command = {
  name: 'key info',
  summary: "print a key file's kind, hex public key, keyids and PEM",
  help: HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      'key info',
      args,
      { private: { type: 'boolean' }, public: { type: 'boolean' }, json: { type: 'boolean' } },
      { min: 1, max: 1 },
    );
    if (values.private && values.public) throw usage('key info: give --private or --public, not both');
    const file = positionals[0]!;
    const bytes = await asExit(EXIT.USAGE, () => readFileLimited(resolvePath(ctx, file), 64 * 1024, file));
    let text: string;
    try {
      text = fromUtf8(bytes, file);
    } catch {
      text = ''; // a binary (DER or raw) key: judged by --private/--public or the file name
    }
    const looksPrivate =
      /PRIVATE KEY-----/.test(text) || /"private"\s*:\s*"[0-9a-f]/i.test(text) || /\.key$/i.test(file);
    const isPrivate = values.private === true || (values.public !== true && looksPrivate);
    const passphrase = ctx.io.env.LINEPROOF_KEY_PASSPHRASE;
    const pub: PublicKey = await asExit(EXIT.USAGE, async () =>
      isPrivate
        ? (await importPrivateKey(bytes, { what: file, ...(passphrase ? { passphrase } : {}) })).publicKey
        : parsePublicKey(bytes, { what: file }),
    );
    const ids = keyidsOf(pub.bytes);
    const info = {
      kind: isPrivate ? 'private' : 'public',
      type: 'ed25519',
      publicKey: publicKeyToHex(pub),
      keyid: ids.legacy,
      keyidModern: ids.modern,
      pem: publicKeyToPem(pub),
    };
    if (values.json) ctx.io.stdout(`${JSON.stringify(info, null, 2)}\n`);
    else
      ctx.io.stdout(
        [
          `${file}: Ed25519 ${info.kind} key`,
          `  public key    ${info.publicKey}`,
          `  keyid         ${info.keyid}   (securesystemslib legacy: sha256 of the key's canonical JSON)`,
          `  keyid modern  ${info.keyidModern}`,
          '',
          info.pem.trimEnd(),
          '',
        ].join('\n'),
      );
    return EXIT.OK;
  },
};
