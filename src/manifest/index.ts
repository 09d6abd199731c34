/**
 * Manifests (spec/manifests.md): Lineproof v1 manifests of trees (path rules, canonical bytes,
 * subject digest, diff, verification, incremental re-hash). The OpenSSF model signing `files` /
 * `shards` manifests are in src/interop/oms/.
 * @module
 */
export * from './types.js';
export { checkManifestPath, checkPathSet, comparePaths, compareCodePoints, type PathRuleOptions } from './path.js';
export {
  DEFAULT_IGNORE,
  HF_LOCAL_DIR_IGNORE,
  defaultIgnoreFor,
  normalizeIgnore,
  ignoreMatcher,
  type IgnoreMatcher,
} from './ignore.js';
export {
  buildManifest,
  parseManifest,
  manifestBytes,
  manifestDigest,
  manifestDigestText,
  manifestSubject,
  isCheckedManifest,
  type ManifestOptions,
  type ManifestItemInput,
  type ParseManifestOptions,
} from './build.js';
export { hashManifest, type HashManifestOptions, type HashManifestResult } from './hash.js';
export {
  diffManifests,
  verifyManifest,
  isVerifiedManifest,
  type ManifestDiff,
  type VerifiedManifest,
  type VerifyManifestOptions,
  type ManifestVerification,
} from './verify.js';
export {
  planRehash,
  completeRehash,
  assertVerifiedManifest,
  type RehashPlan,
  type RehashResult,
} from './incremental.js';
