/**
 * The DER reader and writer of the interop layer is the one in src/keys/der.ts (a lower layer,
 * shared with the Ed25519 key structures); this module keeps its names at their old path.
 */
export { DerReader, TAG, derOid, derTlv, derUnsignedInteger, type Tlv } from '../keys/der.js';
