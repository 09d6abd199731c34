/**
 * OpenSSF model signing on disk: EC key files, verifying a model directory (or single-file model)
 * against its signature file, and signing one. The core does the cryptography and the comparison
 * (src/interop); this adapter reads files, decrypts encrypted EC keys with node:crypto, and hashes
 * the model with `hashOmsModel`.
 */
import { createPrivateKey } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LineproofError, describeType } from '../errors.js';
import { MAX_KEY_FILE_BYTES } from '../keys/keys.js';
import { decodePem } from '../keys/pem.js';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from '../limits.js';
import { OMS_GIT_IGNORE_PATHS, type OmsHashType, type OmsMethod } from '../manifest/oms.js';
import { normalizeOmsIgnorePaths } from '../manifest/ignore.js';
import { parseEcPublicKey, type EcPrivateKey, type EcPublicKey } from '../interop/ec.js';
import { ecPrivateKeyFromDer, parseEcPrivateKey } from '../interop/ec-private.js';
import { ecdsaSigner, type EcdsaSigner } from '../interop/ecdsa.js';
import { signOmsManifest } from '../interop/oms/sign.js';
import { verifyOmsModel, type OmsModelVerification } from '../interop/oms/verify.js';
import { serializeSigstoreBundle, type SigstoreBundle } from '../interop/sigstore.js';
import { readFileLimited } from './fs.js';
import { hashOmsModel, type HashedOmsModel, type TreeProgress } from './hash-tree.js';
import { isReadableByOthers } from './keys.js';

/**
 * Read an EC public key file (PEM `PUBLIC KEY`, possibly after a text dump of the key; DER SPKI;
 * or a bare compressed point).
 * @param path the file
 * @param options `what` names it in errors (default: the path)
 * @returns the checked key
 * @throws {LineproofError} IO_ERROR, SPECIAL_FILE_REFUSED, LIMIT_EXCEEDED, and the codes of `parseEcPublicKey`
 * @example
 * ```ts
 * const key = loadEcPublicKey('signing-key-pub.pem');
 * ```
 */
export function loadEcPublicKey(path: string, options: { what?: string } = {}): EcPublicKey {
  const what = options.what ?? path;
  return parseEcPublicKey(readFileLimited(path, MAX_KEY_FILE_BYTES, what), { what });
}

/**
 * Import an EC private key, decrypting `ENCRYPTED PRIVATE KEY` (PKCS#8 PBES2, as OpenSSL and
 * `cryptography` write) with `passphrase`.
 * @param input file bytes or text
 * @param options passphrase, `what`
 * @returns the key
 * @throws {LineproofError} KEY_PASSPHRASE_REQUIRED, KEY_PASSPHRASE_WRONG, KEY_UNSUPPORTED, and the codes of `parseEcPrivateKey`
 * @example
 * ```ts
 * const key = importEcPrivateKey(pemText, { passphrase: process.env.LINEPROOF_KEY_PASSPHRASE });
 * ```
 */
export function importEcPrivateKey(
  input: string | Uint8Array,
  options: { passphrase?: string; what?: string } = {},
): EcPrivateKey {
  const what = options.what ?? 'private key';
  try {
    return parseEcPrivateKey(input, { what });
  } catch (e) {
    if (!(e instanceof LineproofError && e.code === 'KEY_PASSPHRASE_REQUIRED') || !options.passphrase) throw e;
  }
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  decodePem(text.slice(text.indexOf('-----BEGIN')), what);
  let ko;
  try {
    ko = createPrivateKey({
      key: text.slice(text.indexOf('-----BEGIN')),
      format: 'pem',
      passphrase: options.passphrase,
    });
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? '';
    if (
      /BAD_DECRYPT|DECRYPT|ERR_OSSL_EVP|INTERRUPTED_OR_CANCELLED/i.test(code) ||
      /decrypt/i.test((cause as Error).message)
    ) {
      throw new LineproofError('KEY_PASSPHRASE_WRONG', `${what}: wrong passphrase (or a corrupted key file)`, {
        path: what,
        cause,
      });
    }
    throw new LineproofError('KEY_INVALID', `${what}: cannot read the encrypted private key (${code || 'error'})`, {
      path: what,
      cause,
    });
  }
  if (ko.asymmetricKeyType !== 'ec') {
    throw new LineproofError(
      'KEY_UNSUPPORTED',
      `${what}: ${ko.asymmetricKeyType ?? 'unknown'} key; model_signing keys are ECDSA P-256, P-384 or P-521`,
      { path: what, expected: 'ec', actual: String(ko.asymmetricKeyType) },
    );
  }
  return ecPrivateKeyFromDer(new Uint8Array(ko.export({ format: 'der', type: 'pkcs8' })), what);
}

/**
 * Read an EC private key file (PKCS#8 or SEC1 PEM / DER; encrypted PKCS#8 with `passphrase`);
 * warns through `onWarning` when the file is readable by group or others.
 * @param path the file
 * @param options passphrase, onWarning, what
 * @returns the key
 * @throws {LineproofError} IO_ERROR, SPECIAL_FILE_REFUSED, LIMIT_EXCEEDED, and the codes of {@link importEcPrivateKey}
 * @example
 * ```ts
 * const key = loadEcPrivateKey('model-key.pem', { onWarning: console.warn });
 * ```
 */
export function loadEcPrivateKey(
  path: string,
  options: { passphrase?: string; what?: string; onWarning?: (message: string) => void } = {},
): EcPrivateKey {
  const what = options.what ?? path;
  const bytes = readFileLimited(path, MAX_KEY_FILE_BYTES, what);
  if (options.onWarning && isReadableByOthers(path)) {
    const mode = (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
    options.onWarning(
      `${what}: private key file is readable by group or others (mode ${mode}); run: chmod 600 ${JSON.stringify(path)}`,
    );
  }
  return importEcPrivateKey(bytes, { what, ...(options.passphrase ? { passphrase: options.passphrase } : {}) });
}

/**
 * The path of `file` relative to the model directory `modelDir` when it lies inside it (POSIX
 * separators), else undefined. Symbolic links in either are resolved; `file` need not exist.
 */
function insideModel(modelDir: string, file: string): string | undefined {
  let root: string;
  let parent: string;
  try {
    root = realpathSync(modelDir);
    parent = realpathSync(dirname(resolve(file)));
  } catch {
    return undefined;
  }
  const rel = relative(root, join(parent, basename(file)));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The ignore paths model_signing's CLI uses: the caller's (relative to the model directory; an
 * absolute path inside the model is made relative), the signature file when it lies inside the
 * model, and the git paths unless `ignoreGitPaths` is false.
 */
function omsIgnoreList(
  modelPath: string,
  user: readonly string[],
  signaturePath: string | undefined,
  ignoreGitPaths: boolean,
): string[] {
  const out: string[] = [];
  for (const p of user) {
    if (typeof p !== 'string' || p === '')
      throw new LineproofError('INVALID_ARGUMENT', `ignore path: expected a non-empty path, got ${describeType(p)}`, {
        path: 'ignorePaths',
      });
    if (isAbsolute(p)) {
      const rel = insideModel(modelPath, p);
      if (rel === undefined)
        throw new LineproofError(
          'INVALID_ARGUMENT',
          `ignore path ${JSON.stringify(p)} is not inside the model ${JSON.stringify(modelPath)}`,
          { path: 'ignorePaths', actual: p },
        );
      out.push(rel);
    } else {
      out.push(
        p
          .split(sep)
          .join('/')
          .replace(/^(\.\/)+/, ''),
      );
    }
  }
  if (signaturePath !== undefined) {
    const rel = insideModel(modelPath, signaturePath);
    if (rel !== undefined) out.push(rel);
  }
  if (ignoreGitPaths) out.push(...OMS_GIT_IGNORE_PATHS);
  return normalizeOmsIgnorePaths(out, 'ignorePaths');
}

/** Options of {@link verifyOmsModelPath}. */
export interface VerifyOmsModelPathOptions {
  /** The signature file (a Sigstore bundle); ignored when it lies inside the model. */
  signature: string;
  /** The signer's public key (`loadEcPublicKey`). */
  publicKey: EcPublicKey;
  /** More paths to ignore, relative to the model directory (model_signing's `--ignore-paths`). */
  ignorePaths?: readonly string[];
  /** Ignore `.git`, `.gitattributes`, `.github`, `.gitignore` (default true, as model_signing). */
  ignoreGitPaths?: boolean;
  /** Bundle size and depth limits (the bundle may be up to `envelopeBytes`). */
  limits?: Partial<Limits>;
  signal?: AbortSignal;
  onProgress?: (progress: TreeProgress) => void;
}

/**
 * Verify a model on disk against its model_signing signature, as model_signing's
 * `verify key` does (pipeline of `verifyOmsModel`): the signature and statement first, then the
 * model hashed with the signed serialization, ignoring the signed `ignore_paths`, the caller's
 * `ignorePaths`, the signature file when inside the model, and the git paths; every missing, extra
 * or changed file is a failed check. Never throws on untrusted input (the signature file, the
 * model's contents); an unreadable signature file is IO_ERROR thrown (an operator error).
 * @param modelPath the model directory, or the file of a single-file model
 * @param options signature file, public key, ignore paths, limits, signal, onProgress
 * @returns the report (kind `oms`), the signed and actual manifests, the diff
 * @throws {LineproofError} IO_ERROR / SPECIAL_FILE_REFUSED / LIMIT_EXCEEDED reading the signature file; INVALID_ARGUMENT for an ignore path outside the model
 * @example
 * ```ts
 * const { report } = await verifyOmsModelPath('model/', { signature: 'model.sig', publicKey: loadEcPublicKey('key.pub'), ignorePaths: ['ignore-me'] });
 * assertVerified(report);
 * ```
 */
export async function verifyOmsModelPath(
  modelPath: string,
  options: VerifyOmsModelPathOptions,
): Promise<OmsModelVerification> {
  if (!options || typeof options.signature !== 'string')
    throw new TypeError('"options.signature" expected the signature file path');
  const limits = resolveLimits(options.limits);
  const bytes = readFileLimited(
    options.signature,
    limits.envelopeBytes ?? DEFAULT_LIMITS.envelopeBytes,
    options.signature,
  );
  const directory = isDirectory(modelPath);
  const extra = directory
    ? omsIgnoreList(modelPath, options.ignorePaths ?? [], options.signature, options.ignoreGitPaths ?? true)
    : [];
  return verifyOmsModel(bytes, {
    publicKey: options.publicKey,
    what: options.signature,
    limits,
    hashModel: async (signed) => {
      const r = await hashOmsModel(modelPath, {
        method: signed.method,
        hashType: signed.hash_type,
        allowSymlinks: signed.allow_symlinks,
        ...(signed.shard_size !== undefined ? { shardSize: signed.shard_size } : {}),
        ignorePaths: directory ? [...(signed.ignore_paths ?? []), ...extra] : [],
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      return r.manifest;
    },
  });
}

/** Options of {@link signOmsModelPath}. */
export interface SignOmsModelPathOptions {
  /** The EC private key or a signer (KMS, HSM). */
  key: EcPrivateKey | EcdsaSigner;
  /** `files` (default) or `shards`. */
  method?: OmsMethod;
  /** Default sha256. */
  hashType?: OmsHashType;
  /** Shards only (default 1,000,000,000). */
  shardSize?: number;
  /** model_signing's allow_symlinks (default false). */
  allowSymlinks?: boolean;
  /** Paths to ignore, relative to the model directory; recorded in the signature. */
  ignorePaths?: readonly string[];
  /** Ignore (and record) the git paths (default true). */
  ignoreGitPaths?: boolean;
  /** Where the signature will be written: ignored (and recorded) when inside the model. */
  signaturePath?: string;
  signal?: AbortSignal;
  onProgress?: (progress: TreeProgress) => void;
}

/** The result of {@link signOmsModelPath}. */
export interface SignedOmsModel {
  bundle: SigstoreBundle;
  /** The bundle as written to a signature file (one line of JSON and LF). */
  text: string;
  /** The hashed model: manifest, root digest (`sha256:<hex>`), sizes. */
  model: HashedOmsModel;
}

/**
 * Hash a model as model_signing does and sign it with an EC key in model_signing 1.1+'s bundle
 * shape (`signOmsManifest`). The recorded `ignore_paths` are the caller's, the signature file (when
 * inside the model) and the git paths, as model_signing's CLI records them.
 * @param modelPath the model directory, or the file of a single-file model
 * @param options key or signer, method, hash type, shard size, allow_symlinks, ignore paths, signature path
 * @returns the bundle, its text and the hashed model
 * @throws {LineproofError} the codes of `hashOmsModel` (walk, symlinks, unsupported combinations), SIGNER_FAULT
 * @example
 * ```ts
 * const { text } = await signOmsModelPath('model/', { key: loadEcPrivateKey('key.pem'), signaturePath: 'model/model.sig' });
 * writeFileSync('model/model.sig', text);
 * ```
 */
export async function signOmsModelPath(modelPath: string, options: SignOmsModelPathOptions): Promise<SignedOmsModel> {
  const key = options?.key;
  const signer: EcdsaSigner = key && 'scalar' in key ? ecdsaSigner(key) : (key as EcdsaSigner);
  const directory = isDirectory(modelPath);
  const ignorePaths = directory
    ? omsIgnoreList(modelPath, options.ignorePaths ?? [], options.signaturePath, options.ignoreGitPaths ?? true)
    : [];
  const model = await hashOmsModel(modelPath, {
    method: options.method ?? 'files',
    ...(options.hashType ? { hashType: options.hashType } : {}),
    ...(options.shardSize !== undefined ? { shardSize: options.shardSize } : {}),
    allowSymlinks: options.allowSymlinks ?? false,
    ignorePaths,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const bundle = await signOmsManifest(model.manifest, signer);
  return { bundle, text: serializeSigstoreBundle(bundle), model };
}
