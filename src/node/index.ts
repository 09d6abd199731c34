// The declarations below use Node's types (node:fs, node:crypto, node:worker_threads, and Buffer in
// @sigstore's): say so in the emitted index.d.ts, so a consumer's compiler loads @types/node even
// where it no longer includes @types by itself (TypeScript 7: `types` defaults to []). `preserve`
// keeps the directive in the declaration output (TypeScript 5.5+). The core entry has none.
/// <reference types="node" preserve="true" />
/**
 * Lineproof Node adapter: files, threads, node:crypto and processes. Re-exports the core.
 *
 * Like the core's entry, this is the public surface named export by export; the one star
 * re-exports `lineproof` itself, whose list is explicit (src/index.ts), so `lineproof/node` is a
 * superset of `lineproof` and no internal can leak through it. `api/lineproof.api.md` lists both.
 * @module
 */
export * from '../index.js';
export { readFileLimited, openRegularFile } from './fs.js';
export { checkModelDirectory, type CheckModelOptions } from './check-model.js';
export { checkEd25519Node, nodeEd25519Verifier, nodeEd25519Signer } from './ed25519.js';
export {
  importPrivateKey,
  loadPrivateKey,
  loadPublicKey,
  encryptPrivateKeyPem,
  DEFAULT_PBKDF2_ITERATIONS,
  writeKeyPair,
  MAX_SSLIB_PBKDF2_ITERATIONS,
  type PrivateKeyOptions,
  type WrittenKeyPair,
} from './keys.js';
export { nativeBlake3Available, nodeHashEngine, nodeHashEngines, nodeTreeHashEngine } from './hash-engine.js';
export { walkTree, type SymlinkPolicy, type WalkOptions, type WalkFile, type WalkResult } from './walk.js';
export {
  hashFile,
  readFileChunks,
  type HashFileOptions,
  type HashedFile,
  type ReadFileOptions,
  type ReadFileResult,
} from './hash-file.js';
export {
  defaultTreeIgnore,
  hashDirectory,
  hashPath,
  rehashDirectory,
  type HashTreeOptions,
  type HfSnapshotInfo,
  type HashedTree,
  type HashedSingleFile,
  type RehashedTree,
} from './hash-tree.js';
export { detectHfSnapshot, type HfSnapshot } from './hf-cache.js';
export {
  // What the directory-hashing workers run (src/node/file-pool.ts). They load dist/node/file-pool.js
  // themselves; it stays on the surface for a `workerModule` that points at this entry.
  hashFileBatch,
  type FileTask,
  type FileBatchOptions,
  type TreeProgress,
} from './file-pool.js';
export { hashFileTree, type FileTreeOptions, type FileTreeResult } from './tree-pool.js';
export {
  appendToBundle,
  readBundleFile,
  cosignBundleFile,
  MAX_BUNDLE_FILE_BYTES,
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_STALE_LOCK_MS,
  type AppendToBundleOptions,
  type AppendResult,
  type ReadBundleFileOptions,
  type CosignFileResult,
} from './bundle.js';
export { loadEcPublicKey, importEcPrivateKey, loadEcPrivateKey, loadCertificates } from './ec-keys.js';
export {
  DEFAULT_TRUSTED_ROOT_PATH,
  loadSigstoreTrustedRoot,
  sigstoreOmsVerifier,
  verifyOmsSigstoreModelPath,
  type SigstoreTrustedRoot,
  type SigstoreOmsVerifierOptions,
  type VerifyOmsSigstoreModelPathOptions,
} from './oms-sigstore.js';
export { sigstoreLineVerifier } from './sigstore-lines.js';
export { nodeVerifyEcdsa } from './ecdsa.js';
export { hashPart, type HashPartOptions } from './hash-part.js';
export { hashDirectoryCached, MAX_HASH_CACHE_BYTES, type CachedHash, type HashCacheOptions } from './hash-cache.js';
export {
  hashOmsModel,
  type HashOmsModelOptions,
  type HashedOmsModel,
  verifyOmsModelPath,
  signOmsModelPath,
  type VerifyOmsModelPathOptions,
  type SignOmsModelPathOptions,
  type SignedOmsModel,
} from './oms.js';
export {
  openInventory,
  isPostgresUrl,
  INVENTORY_LOCK_FILE,
  type Inventory,
  type OpenInventoryOptions,
} from './inventory.js';
export {
  ociPushChain,
  ociPullChain,
  DEFAULT_OCI_MAX_REFERRERS,
  DEFAULT_OCI_MAX_PAGES,
  DEFAULT_OCI_MAX_TOTAL_BYTES,
  type OciPushOptions,
  type OciPushResult,
  type OciPushedArtifact,
  type OciPullOptions,
  type OciPullResult,
  type OciPulledArtifact,
  type ReferrerProblem,
} from './oci.js';
export {
  DEFAULT_OCI_TIMEOUT_MS,
  DEFAULT_OCI_DEADLINE_MS,
  type OciClientOptions,
  type OciCredentials,
} from './oci-http.js';
export {
  loadDockerCredentials,
  type LoadDockerCredentialsOptions,
  type DockerCredentialsResult,
} from './oci-credentials.js';
export {
  parseOciReference,
  formatOciReference,
  LINEPROOF_ATTESTATION_ARTIFACT_TYPE,
  DSSE_ENVELOPE_MEDIA_TYPE,
  buildAttestationArtifact,
  referrersTag,
  type OciReference,
  type OciDescriptor,
  type AttestationArtifact,
} from '../interop/oci/index.js';
