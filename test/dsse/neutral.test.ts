/**
 * The core's keys and DSSE run without Node: bundled for esbuild's neutral platform and run in a
 * V8 context holding only web globals (TextEncoder, crypto.getRandomValues / crypto.subtle), as in
 * a browser or an edge runtime.
 */
import * as vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { coreInWebContext } from '../helpers/neutral.js';

describe('keys and DSSE in a web-only context (neutral bundle of the core)', () => {
  it('generates a key, signs an in-toto statement, verifies it, and rejects the 01||0 trap', async () => {
    const context = await coreInWebContext();
    const out = (await vm.runInContext(
      `(async () => {
        const lp = globalThis.lineproof;
        const key = await lp.generateKeyPair();
        const st = { _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'm', digest: { sha256: 'ab'.repeat(32) } }], predicateType: 'https://x/y' };
        const env = await lp.signEnvelope(lp.utf8(JSON.stringify(st)), lp.IN_TOTO_PAYLOAD_TYPE, [lp.ed25519Signer(key)]);
        const ok = await lp.verifyEnvelope(lp.serializeEnvelope(env), { trustedKeys: [lp.parsePublicKey(lp.publicKeyToPem(key.publicKey))] });
        const trap = await lp.checkEd25519(lp.fromHex('01' + '00'.repeat(63)), new Uint8Array(3), lp.fromHex('01' + '00'.repeat(31)));
        return JSON.stringify({ ok: ok.report.ok, trap: trap.code, hasProcess: typeof process, hasBuffer: typeof Buffer });
      })()`,
      context,
    )) as string;
    expect(JSON.parse(out)).toEqual({
      ok: true,
      trap: 'ED25519_SMALL_ORDER',
      hasProcess: 'undefined',
      hasBuffer: 'undefined',
    });
  });
});
