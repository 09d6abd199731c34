import { generateKeyPair, publicKeyToHex } from '../../keys/keys.js';
import { keyidsOf } from '../../keys/keyid.js';
import { writeKeyPair } from '../../node/keys.js';
import { parseCommandArgs, required, resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type Command } from '../types.js';

const HELP = `Usage: lineproof keygen --out PREFIX [--keyid-format legacy|modern|none] [--force] [--json]

Generate an Ed25519 key pair:
  PREFIX.key  the private key, PKCS#8 PEM, mode 0600; when LINEPROOF_KEY_PASSPHRASE is set and
              not empty, encrypted with it (PBES2: PBKDF2-HMAC-SHA256 x 600,000, AES-256-CBC)
  PREFIX.pub  the public key, SPKI PEM (give it to verifiers)
and print both keyids: legacy (securesystemslib 0.26 / in-toto 1.x, the default) and modern
(without keyid_hash_algorithms).

Options:
  --out PREFIX           where to write (PREFIX.key and PREFIX.pub); the folder must exist
  --keyid-format F       the keyid reported as "keyid" in --json: legacy (default), modern, none
  --force                overwrite existing files (refused otherwise)
  --json                 print {privateKey, publicKey, encrypted, publicKeyHex, keyidFormat, keyid, keyids}

Environment:
  LINEPROOF_KEY_PASSPHRASE   encrypt the private key with this passphrase

Exit codes: 0 written; 2 usage error, an existing file without --force, or an unwritable path.

Example:
  LINEPROOF_KEY_PASSPHRASE=… lineproof keygen --out keys/alice
`;

export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'generate an Ed25519 key pair (PKCS#8 PEM private key, SPKI PEM public key)',
  help: HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('keygen', args, {
      out: { type: 'string' },
      'keyid-format': { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const out = required('keygen', values, 'out');
    const format = values['keyid-format'] ?? 'legacy';
    if (format !== 'legacy' && format !== 'modern' && format !== 'none')
      throw usage(`keygen: --keyid-format expected legacy, modern or none, got ${JSON.stringify(format)}`);
    const prefix = resolvePath(ctx, out);
    const passphrase = ctx.io.env.LINEPROOF_KEY_PASSPHRASE;
    const key = await generateKeyPair({ keyidFormat: format });
    const written = await asExit(EXIT.USAGE, () =>
      writeKeyPair(prefix, key, { force: values.force === true, ...(passphrase ? { passphrase } : {}) }),
    );
    const keyids = keyidsOf(key.publicKey.bytes);
    if (values.json) {
      const result = {
        privateKey: written.privateKeyPath,
        publicKey: written.publicKeyPath,
        encrypted: written.encrypted,
        publicKeyHex: publicKeyToHex(key.publicKey),
        keyidFormat: format,
        keyid: key.publicKey.keyid,
        keyids,
      };
      ctx.io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      return EXIT.OK;
    }
    ctx.io.stdout(
      [
        `private key: ${written.privateKeyPath} (PKCS#8 PEM, mode 0600, ${written.encrypted ? 'encrypted with LINEPROOF_KEY_PASSPHRASE' : 'NOT encrypted: set LINEPROOF_KEY_PASSPHRASE to encrypt'})`,
        `public key:  ${written.publicKeyPath} (SPKI PEM)`,
        `keyid (legacy): ${keyids.legacy}`,
        `keyid (modern): ${keyids.modern}`,
        '',
      ].join('\n'),
    );
    return EXIT.OK;
  },
};
