/**
 * Lineproof core: zero-I/O (no Node built-ins, no Buffer, no clock unless injected); runs in
 * browsers and edge runtimes. The Node adapter is `lineproof/node`.
 * @module
 */
export * from './errors.js';
export * from './limits.js';
export * from './bytes/index.js';
export * from './json/strict.js';
export * from './json/canonical.js';
export * from './report/index.js';
export * from './digest/index.js';
export * from './json/schema.js';
export * from './statements/statement.js';
export * from './time/index.js';
export * from './statements/predicates/index.js';
export * from './statements/builders.js';
export * from './keys/index.js';
export * from './dsse/index.js';
export * from './hashing/index.js';
export * from './manifest/index.js';
export * from './hashing/tree.js';
export * from './hashing/tree-webcrypto.js';
export * from './policy/schema.js';
export * from './policy/policy.js';
export * from './bundle/jsonl.js';
export * from './verify/chain.js';
export * from './bundle/lookup.js';
export * from './interop/index.js';
