import { ecCurveInfo } from '../../pki/ec.js';
import { DEFAULT_LIMITS } from '../../limits.js';
import { OMS_DEFAULT_SHARD_SIZE, type OmsMethod } from '../../interop/oms/serialization.js';
import { loadEcPrivateKey } from '../../node/ec-keys.js';
import { signOmsModelPath } from '../../node/oms.js';
import { intOption, parseCommandArgs, pathExists, required, resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type Command } from '../types.js';
import { hashProgress } from '../progress.js';
import { writeFileChecked } from '../../node/fs.js';

const SIGN_HELP = `Usage: lineproof oms sign --model PATH --key KEY --out SIG [--method files|shards] [--shard-size N]
                        [--ignore-paths P ...] [--no-ignore-git-paths] [--allow-symlinks] [--json]

Hash a model exactly as OpenSSF model signing (model_signing) does and sign it with an ECDSA key
(P-256, P-384 or P-521) in model_signing 1.1+'s format: a Sigstore bundle v0.3 with
publicKey.hint (SHA-256 of the key's PEM), no transparency-log entry, and a DSSE envelope whose
payload is the model_signing in-toto statement. model_signing's 'verify key' and Lineproof's
'oms verify' both verify it; a P-256 bundle also verifies with sigstore-js (@sigstore/verify).

Options:
  --model PATH           the model directory, or the file itself for a single-file model
  --key KEY              EC private key: PEM PKCS#8 "PRIVATE KEY" or SEC1 "EC PRIVATE KEY" (as
                         'openssl ecparam -genkey' writes), or DER; encrypted PKCS#8 needs
                         LINEPROOF_KEY_PASSPHRASE
  --out SIG              where to write the signature (model.sig); left out of the hash and recorded
                         in ignore_paths when inside the model
  --method M             files (default) or shards
  --shard-size N         shards only: bytes per shard (default ${OMS_DEFAULT_SHARD_SIZE})
  --ignore-paths P       a path to leave out, relative to the model directory; recorded in the
                         signature; repeat for several
  --no-ignore-git-paths  also hash .git, .gitattributes, .github and .gitignore
  --allow-symlinks       model_signing's allow_symlinks: a link to a file is hashed as that file
  --json                 print {signature, digest, resources, hint} as JSON

Environment:
  LINEPROOF_KEY_PASSPHRASE   passphrase of an encrypted private key

Exit codes: 0 signed; 2 usage error, an unreadable or invalid key file or model path, a model
that cannot be hashed (e.g. a symbolic link without --allow-symlinks), or the output not writable.

Example:
  openssl ecparam -name prime256v1 -genkey -noout -out model-key.pem
  lineproof oms sign --model ./my-model --key model-key.pem --out ./my-model/model.sig
`;

/** --ignore-paths values: relative to the model directory (absolute ones are checked by the adapter). */
function ignoreFlags(cmd: string, values: string[] | undefined): string[] {
  for (const p of values ?? []) if (p === '') throw usage(`${cmd}: --ignore-paths expected a path, got ""`);
  return values ?? [];
}

export const omsSignCommand: Command = {
  name: 'oms sign',
  summary: 'sign a model in OpenSSF model_signing format with an ECDSA key',
  help: SIGN_HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('oms sign', args, {
      model: { type: 'string' },
      key: { type: 'string' },
      out: { type: 'string' },
      method: { type: 'string' },
      'shard-size': { type: 'string' },
      'ignore-paths': { type: 'string', multiple: true },
      'no-ignore-git-paths': { type: 'boolean' },
      'allow-symlinks': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const modelArg = required('oms sign', values, 'model');
    const keyArg = required('oms sign', values, 'key');
    const outArg = required('oms sign', values, 'out');
    const method = (values.method ?? 'files') as OmsMethod;
    if (method !== 'files' && method !== 'shards')
      throw usage(`oms sign: --method expected files or shards, got ${JSON.stringify(values.method)}`);
    const shardSize = intOption('oms sign', 'shard-size', values['shard-size'], 1, Number.MAX_SAFE_INTEGER);
    if (shardSize !== undefined && method !== 'shards')
      throw usage('oms sign: --shard-size applies to --method shards only');
    const ignorePaths = ignoreFlags('oms sign', values['ignore-paths']);
    const model = resolvePath(ctx, modelArg);
    const out = resolvePath(ctx, outArg);
    if (!pathExists(model)) throw usage(`oms sign: --model ${JSON.stringify(modelArg)}: no such file or directory`);
    const passphrase = ctx.io.env.LINEPROOF_KEY_PASSPHRASE;
    const key = await asExit(EXIT.USAGE, () =>
      loadEcPrivateKey(resolvePath(ctx, keyArg), {
        what: keyArg,
        onWarning: (m) => ctx.io.stderr(`lineproof: warning: ${m}\n`),
        ...(passphrase ? { passphrase } : {}),
      }),
    );
    const bar = hashProgress(ctx);
    const signed = await asExit(EXIT.USAGE, () =>
      signOmsModelPath(model, {
        ...(bar.onProgress ? { onProgress: bar.onProgress } : {}),
        key,
        method,
        ...(shardSize !== undefined ? { shardSize } : {}),
        ignorePaths,
        ignoreGitPaths: !values['no-ignore-git-paths'],
        allowSymlinks: values['allow-symlinks'] ?? false,
        signaturePath: out,
      }),
    ).finally(() => bar.done());
    if (signed.text.length > DEFAULT_LIMITS.envelopeBytes) {
      throw usage(
        `oms sign: the signature would be ${signed.text.length} bytes, more than the bundle limit of ${DEFAULT_LIMITS.envelopeBytes}; use --method files or a larger --shard-size`,
      );
    }
    await asExit(EXIT.USAGE, () => {
      writeFileChecked(out, signed.text, { what: outArg });
    });
    const hint = signed.bundle.verificationMaterial.publicKey.hint;
    if (values.json) {
      ctx.io.stdout(
        `${JSON.stringify({ signature: outArg, digest: signed.model.digest, method, resources: signed.model.manifest.resources.length, files: signed.model.files, curve: key.curve, hint }, null, 2)}\n`,
      );
    } else {
      const info = ecCurveInfo(key.curve);
      ctx.io.stdout(
        `signed: ${modelArg} -> ${outArg}\n  ${signed.model.files} file${signed.model.files === 1 ? '' : 's'}, ${signed.model.manifest.resources.length} resource${signed.model.manifest.resources.length === 1 ? '' : 's'} by ${method}; root ${signed.model.digest}\n  ECDSA ${key.curve}/${info.hashName}, key hint ${hint}\n`,
      );
    }
    return EXIT.OK;
  },
};
