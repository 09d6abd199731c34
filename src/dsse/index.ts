/**
 * DSSE: PAE, envelopes, signing and verification (spec/envelopes.md).
 * @module
 */
export * from './pae.js';
export * from './envelope.js';
export * from './sign.js';
export * from './verify.js';
