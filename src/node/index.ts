/**
 * Lineproof Node adapter: files, threads, node:crypto and processes. Re-exports the core.
 * @module
 */
export * from '../index.js';
export { readFileLimited } from './fs.js';
export { checkEd25519Node, nodeEd25519Verifier, nodeEd25519Signer } from './ed25519.js';
export {
  importPrivateKey,
  loadPrivateKey,
  loadPublicKey,
  encryptPrivateKeyPem,
  writeKeyPair,
  isReadableByOthers,
  MAX_SSLIB_PBKDF2_ITERATIONS,
  type PrivateKeyOptions,
  type WrittenKeyPair,
} from './keys.js';
