/**
 * Keys: Ed25519 import/export, keyids, strict verification, signers (spec/keys.md).
 * @module
 */
export * from './types.js';
export * from './ed25519.js';
export * from './keyid.js';
export * from './keys.js';
export { decodePem, encodePem } from './pem.js';
export {
  parseSpkiDer,
  parsePkcs8Der,
  spkiDer,
  pkcs8Der,
  ED25519_SPKI_PREFIX,
  ED25519_PKCS8_PREFIX,
  type Pkcs8Parts,
} from './der.js';
