/**
 * Manifests (spec/manifests.md): Lineproof v1 manifests of trees (path rules, canonical bytes,
 * subject digest, diff, verification, incremental re-hash) and the OpenSSF model signing
 * `files` / `shards` compatibility mode.
 * @module
 */
export * from './types.js';
export { checkManifestPath, checkPathSet, comparePaths, compareCodePoints, type PathRuleOptions } from './path.js';
export {
  DEFAULT_IGNORE,
  normalizeIgnore,
  ignoreMatcher,
  normalizeOmsIgnorePaths,
  omsIgnores,
  type IgnoreMatcher,
} from './ignore.js';
export {
  buildManifest,
  hashManifest,
  parseManifest,
  manifestBytes,
  manifestDigest,
  manifestDigestText,
  manifestSubject,
  isCheckedManifest,
  type ManifestOptions,
  type ManifestItemInput,
  type HashManifestOptions,
  type HashManifestResult,
  type ParseManifestOptions,
} from './build.js';
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
export * from './oms.js';
