/**
 * Streaming hashing (spec/hashing.md): pluggable engines, digests over any byte source with byte
 * counts, fixed-size shards.
 * @module
 */
export * from './types.js';
export { hashEngine, isHashAlgorithm, assertHashAlgorithm, assertHashEngine } from './engines.js';
export {
  StreamDigest,
  hashBytes,
  hashSource,
  chunksOf,
  resolveEngines,
  type EngineSpec,
  type StreamDigestOptions,
  type HashSourceOptions,
} from './stream.js';
export { ShardDigest, shardRanges, type ShardDigestEntry } from './shards.js';
