/**
 * OpenSSF model signing on disk: hashing a model directory (or single-file model) as model_signing
 * does, verifying it against its signature file, and signing it. The core does the hashing of
 * files and shards, the manifest, the cryptography and the comparison (src/interop/oms/); this
 * adapter walks the model, reads its files and the signature file, and resolves ignore paths.
 * EC key files are read by ec-keys.ts.
 */
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LineproofError, describeType } from '../errors.js';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from '../limits.js';
import type { EcPrivateKey, EcPublicKey } from '../pki/ec.js';
import type { Certificate } from '../pki/x509.js';
import { ecdsaSigner, type EcdsaSigner } from '../pki/ecdsa.js';
import { omsFileDigest } from '../interop/oms/hash.js';
import { omsCliIgnorePaths, omsIgnores } from '../interop/oms/ignore.js';
import { buildOmsManifest } from '../interop/oms/manifest.js';
import {
  omsHashOptions,
  omsSerialization,
  type OmsHashType,
  type OmsItem,
  type OmsManifest,
  type OmsMethod,
  type OmsSerialization,
  type OmsSerializationOptions,
} from '../interop/oms/serialization.js';
import { signOmsManifest } from '../interop/oms/sign.js';
import { verifyOmsModel, type OmsModelVerification, type OmsSignatureVerifier } from '../interop/oms/verify.js';
import { serializeSigstoreBundle, type SigstoreBundle } from '../interop/sigstore.js';
import type { TreeProgress } from './file-pool.js';
import { readFileLimited } from './fs.js';
import { nodeVerifyEcdsa } from './ecdsa.js';
import { nodeHashEngine } from './hash-engine.js';
import { READ_BUFFER_BYTES, readFileChunks } from './hash-file.js';
import { walkTree, type WalkResult } from './walk.js';

/** Options of {@link hashOmsModel}. */
export interface HashOmsModelOptions extends OmsSerializationOptions {
  /** Subject name (default: the model path's base name, as model_signing). */
  modelName?: string;
  /**
   * Hash only these files (POSIX paths relative to the model), as model_signing's
   * `--ignore-unsigned-files`: every other file is left out unread and unchecked.
   */
  onlyFiles?: ReadonlySet<string>;
  signal?: AbortSignal;
  onProgress?: (progress: TreeProgress) => void;
}

/** A model hashed in model_signing mode. */
export interface HashedOmsModel {
  manifest: OmsManifest;
  /** `sha256:<root>`: the subject digest. */
  digest: string;
  root: string;
  kind: 'file' | 'directory';
  size: number;
  files: number;
  ignored: string[];
  /** Entries model_signing leaves out without error (links to directories). */
  skipped: { path: string; reason: string }[];
}

/**
 * Walk a model as model_signing does (its symlink rules, lenient path rules, ignore paths,
 * `onlyFiles`): the walk {@link hashOmsModel} hashes, and hash parts (hash-part.ts) cut.
 * @internal
 */
export function walkOmsModel(
  path: string,
  serialization: OmsSerialization,
  options: Pick<HashOmsModelOptions, 'onlyFiles' | 'signal'>,
): Promise<WalkResult> {
  const ignorePaths = serialization.ignore_paths ?? [];
  const only = options.onlyFiles;
  const onlyDirs = only ? parentFolders(only) : undefined;
  return walkTree(path, {
    symlinks: serialization.allow_symlinks ? 'oms' : 'refuse',
    rootSymlink: serialization.allow_symlinks ? 'follow' : 'refuse',
    pathRules: 'lenient',
    ignore: (p, isDir) =>
      omsIgnores(ignorePaths, p) || (only !== undefined && (isDir ? !onlyDirs!.has(p) : !only.has(p))),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/**
 * Hash a model exactly as OpenSSF model_signing does (`files` or `shards`), giving its manifest
 * and root digest — the subject digest of its signature.
 *
 * Symlinks: without `allowSymlinks` every symbolic link (the model path too) fails with
 * SYMLINK_REFUSED; with it, model_signing's semantics: a link to a file is hashed as that file
 * wherever it points, a link to a directory is not descended (listed in `skipped`).
 * Ignore paths are relative to the model and ignore everything below them; pass model_signing's
 * defaults yourself ({@link OMS_GIT_IGNORE_PATHS} and the signature file) to hash what its CLI
 * hashes.
 *
 * @throws {LineproofError} OMS_UNSUPPORTED_COMBINATION, OMS_PATH_UNSUPPORTED, the codes of
 *   {@link walkTree}, FILE_CHANGED_WHILE_HASHING
 * @example
 * ```ts
 * const m = await hashOmsModel('model/', { method: 'shards', allowSymlinks: true });
 * m.digest; // 'sha256:…' = the subject digest model_signing signs
 * ```
 * @param path the model directory, or the file of a single-file model
 * @param options method, hash type, shard size, allowSymlinks, ignore paths, model name, signal, onProgress
 * @returns the manifest, its root digest (`sha256:<hex>`), sizes, ignored and skipped entries
 */
export async function hashOmsModel(path: string, options: HashOmsModelOptions): Promise<HashedOmsModel> {
  const serialization = omsSerialization(options);
  const walk = await walkOmsModel(path, serialization, options);
  const engine = nodeHashEngine(serialization.hash_type);
  const buffer = new Uint8Array(READ_BUFFER_BYTES);
  const items: OmsItem[] = [];
  let bytesDone = 0;
  let filesDone = 0;
  for (const f of walk.files) {
    const name = walk.kind === 'file' ? '.' : f.path;
    const what = walk.kind === 'file' ? path : f.path;
    // The core hashes the file (or cuts it into shards); this reads it, once, with the walk's checks.
    const d = omsFileDigest(serialization, engine, { path: name, size: f.size, what });
    await readFileChunks(f.absPath, (c) => d.update(c), {
      what,
      follow: f.viaSymlink || walk.kind === 'file',
      expect: { size: f.size, ino: f.hint.ino, dev: f.hint.dev },
      buffer,
      // model_signing with allow_symlinks follows links anywhere; otherwise nothing may resolve outside.
      ...(serialization.allow_symlinks || walk.kind === 'file' ? {} : { within: walk.root }),
      ...(options.signal ? { signal: options.signal } : {}),
      onBytes: (n: number) => {
        bytesDone += n;
        options.onProgress?.({
          path: name,
          bytesDone,
          bytesTotal: walk.size,
          filesDone,
          filesTotal: walk.files.length,
        });
      },
    });
    items.push(...d.finish());
    filesDone++;
  }
  const manifest = buildOmsManifest({ modelName: options.modelName ?? walk.name, serialization, items });
  return {
    manifest,
    digest: `sha256:${manifest.rootDigest}`,
    root: walk.root,
    kind: walk.kind,
    size: bytesDone,
    files: walk.files.length,
    ignored: walk.ignored,
    skipped: walk.skipped,
  };
}

/** Every folder above the given paths (`a/b/c` gives `a` and `a/b`). */
function parentFolders(paths: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) out.add(parts.slice(0, i).join('/'));
  }
  return out;
}

/** The files a signed manifest lists (a shard `path:start:end` names its file). */
export function signedFiles(manifest: OmsManifest): Set<string> {
  const out = new Set<string>();
  for (const r of manifest.resources)
    out.add(manifest.serialization.method === 'shards' ? r.name.replace(/:\d+:\d+$/, '') : r.name);
  return out;
}

/**
 * The path of `file` relative to the model directory `modelDir` when it lies inside it (POSIX
 * separators), else undefined. Symbolic links in either are resolved; `file` need not exist, nor
 * its folder (then it is judged as written).
 */
export function insideModel(modelDir: string, file: string): string | undefined {
  let root: string;
  try {
    root = realpathSync(modelDir);
  } catch {
    return undefined;
  }
  let parent: string;
  try {
    parent = realpathSync(dirname(resolve(file)));
  } catch {
    parent = dirname(resolve(file));
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
      out.push(p.split(sep).join('/'));
    }
  }
  const signature = signaturePath === undefined ? undefined : insideModel(modelPath, signaturePath);
  return omsCliIgnorePaths(out, { ...(signature === undefined ? {} : { signature }), gitPaths: ignoreGitPaths });
}

/** Options of {@link verifyOmsModelPath}. */
export interface VerifyOmsModelPathOptions {
  /** The signature file (a Sigstore bundle); ignored when it lies inside the model. */
  signature: string;
  /** The signer's public key (`loadEcPublicKey`); or give `certificateChain` or `signatureVerifier`. */
  publicKey?: EcPublicKey;
  /** Verifies the signature another way (`sigstoreOmsVerifier`: Sigstore keyless). */
  signatureVerifier?: OmsSignatureVerifier;
  /** Trust anchors for a certificate bundle (model_signing's `--certificate_chain`; `loadCertificates`). */
  certificateChain?: readonly Certificate[];
  /** Hash only the files the signature lists (model_signing's `--ignore-unsigned-files`). */
  ignoreUnsignedFiles?: boolean;
  /** Follow links model_signing's way even when the signature does not record allow_symlinks (its `--allow_symlinks`). */
  allowSymlinks?: boolean;
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
    ...(options.publicKey ? { publicKey: options.publicKey } : {}),
    ...(options.certificateChain ? { certificateChain: options.certificateChain } : {}),
    ...(options.signatureVerifier ? { signatureVerifier: options.signatureVerifier } : {}),
    // OpenSSL behind the core's strict checks (the same outcomes as noble's, faster)
    ecdsaVerify: nodeVerifyEcdsa,
    what: options.signature,
    limits,
    hashModel: async (signed, manifest) => {
      const r = await hashOmsModel(modelPath, {
        ...omsHashOptions(signed),
        ...(options.allowSymlinks ? { allowSymlinks: true } : {}),
        ...(options.ignoreUnsignedFiles && directory ? { onlyFiles: signedFiles(manifest) } : {}),
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
  const signer: EcdsaSigner = key && 'scalar' in key ? ecdsaSigner(key) : key;
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
