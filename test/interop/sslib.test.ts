/**
 * Interop with Debian's securesystemslib 0.26 (python3-securesystemslib) and PyNaCl
 * (python3-nacl), both directions. Installed in CI by .ci/apt-packages. The Python interpreter is
 * $PYTHON, else the first `python3` on PATH that can import securesystemslib and nacl, else
 * /usr/bin/python3. When none can, these tests FAIL (a missing peer must never pass silently).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromBase64, toHex, utf8 } from '../../src/bytes/index.js';
import { serializeEnvelope } from '../../src/dsse/envelope.js';
import { pae } from '../../src/dsse/pae.js';
import { signEnvelope } from '../../src/dsse/sign.js';
import { verifyEnvelope } from '../../src/dsse/verify.js';
import { keyidsOf } from '../../src/keys/keyid.js';
import {
  ed25519Signer,
  generateKeyPair,
  parsePrivateKey,
  parsePublicKey,
  privateKeyToSslib,
  publicKeyToSslib,
} from '../../src/keys/keys.js';
import { nodeEd25519Verifier } from '../../src/node/ed25519.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/statements/statement.js';
import { statementBytes } from '../helpers/dsse.js';
import { sslib } from '../helpers/python.js';

const work = mkdtempSync(join(tmpdir(), 'lineproof-sslib-'));

/** Run the helper; every test calls it, so without a usable Python every test fails (never skips). */
const py = sslib;

describe('interop with securesystemslib (Debian python3-securesystemslib, python3-nacl)', () => {
  it('finds securesystemslib 0.26 and PyNaCl', () => {
    const { json } = py('check');
    expect(String(json.securesystemslib)).toMatch(/^0\.\d+/);
    expect(json.nacl).toBeTruthy();
  });

  it('builds the same PAE bytes as the Python helper (ASCII and UTF-8 payloads)', () => {
    for (const payload of [utf8('hello world'), utf8('{"é":"😀"}\n'), new Uint8Array([0, 255, 10])]) {
      const f = join(work, 'pae.bin');
      writeFileSync(f, payload);
      expect(py('pae', IN_TOTO_PAYLOAD_TYPE, f).json.pae_hex).toBe(toHex(pae(IN_TOTO_PAYLOAD_TYPE, payload)));
    }
  });

  describe('Lineproof -> securesystemslib', () => {
    it('an envelope we sign verifies in Python with securesystemslib over the PAE bytes; keyids agree', async () => {
      const key = await generateKeyPair();
      const pubFile = join(work, 'ours.pub');
      writeFileSync(pubFile, JSON.stringify(publicKeyToSslib(key.publicKey)));
      const envFile = join(work, 'ours.intoto.json');
      const env = await signEnvelope(statementBytes(), IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(key)]);
      writeFileSync(envFile, `${serializeEnvelope(env)}\n`);
      const r = py('verify', pubFile, envFile);
      expect(r.status).toBe(0);
      expect(r.json.verified).toBe(true);
      // securesystemslib's keyid for the key we exported = our legacy keyid = the envelope's hint
      expect(r.json.key_keyid).toBe(key.publicKey.keyid);
      expect(r.json.keyids).toEqual([key.publicKey.keyid]);
      expect(py('keyid', toHex(key.publicKey.bytes)).json).toEqual(keyidsOf(key.publicKey.bytes));
    });
    it('and a tampered one does not (the Python side can fail)', async () => {
      const key = await generateKeyPair();
      const pubFile = join(work, 'ours2.pub');
      writeFileSync(pubFile, JSON.stringify(publicKeyToSslib(key.publicKey, 'modern')));
      const env = await signEnvelope(statementBytes(), IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(key)]);
      const payload = fromBase64(env.payload);
      payload[10] = payload[10]! ^ 1;
      const envFile = join(work, 'tampered.json');
      writeFileSync(envFile, serializeEnvelope({ ...env, payload: Buffer.from(payload).toString('base64') }));
      expect(py('verify', pubFile, envFile)).toMatchObject({ status: 1, json: { verified: false } });
    });
    it('a private key we export as securesystemslib JSON signs identically in Python (deterministic Ed25519)', async () => {
      const key = await generateKeyPair();
      const keyFile = join(work, 'ours-sslib');
      writeFileSync(keyFile, JSON.stringify(privateKeyToSslib(key)), { mode: 0o600 });
      const payloadFile = join(work, 'p.json');
      writeFileSync(payloadFile, statementBytes());
      const r = py('sign', keyFile, IN_TOTO_PAYLOAD_TYPE, payloadFile, join(work, 'py-from-ours.json'));
      const ours = await ed25519Signer(key).sign(pae(IN_TOTO_PAYLOAD_TYPE, statementBytes()));
      expect(r.json.sig_hex).toBe(toHex(ours));
      expect(r.json.keyid).toBe(key.publicKey.keyid);
    });
  });

  describe('securesystemslib -> Lineproof', () => {
    it('an envelope signed in Python verifies here with the securesystemslib public key file; keyids agree', async () => {
      const keyPath = join(work, 'pykey');
      const gen = py('keygen', keyPath).json as { keyid: string; public: string };
      const pub = parsePublicKey(readFileSync(`${keyPath}.pub`), { what: 'pykey.pub' });
      expect(toHex(pub.bytes)).toBe(gen.public);
      expect(pub.keyid).toBe(gen.keyid);
      const payloadFile = join(work, 'py-payload.json');
      writeFileSync(payloadFile, statementBytes({ predicate: { note: 'signed in Python — ü' } }));
      const envFile = join(work, 'py.intoto.json');
      const signed = py('sign', keyPath, IN_TOTO_PAYLOAD_TYPE, payloadFile, envFile).json as {
        keyid: string;
        sig_hex: string;
      };
      expect(signed.keyid).toBe(gen.keyid);
      for (const verifier of [undefined, nodeEd25519Verifier]) {
        const r = await verifyEnvelope(readFileSync(envFile), {
          trustedKeys: [pub],
          payloadType: IN_TOTO_PAYLOAD_TYPE,
          ...(verifier ? { verifier } : {}),
        });
        expect(r.report.ok).toBe(true);
        expect(r.verifiedKeys.map((k) => k.keyid)).toEqual([gen.keyid]);
        expect(r.statement?.predicate).toEqual({ note: 'signed in Python — ü' });
      }
      // the securesystemslib private key imports here and signs the same bytes
      const priv = await parsePrivateKey(readFileSync(keyPath), { what: 'pykey' });
      expect(priv.publicKey.keyid).toBe(gen.keyid);
      expect(toHex(await ed25519Signer(priv).sign(pae(IN_TOTO_PAYLOAD_TYPE, readFileSync(payloadFile))))).toBe(
        signed.sig_hex,
      );
    });
    it('an envelope signed in Python by another key does not verify here', async () => {
      const a = py('keygen', join(work, 'pya')).json as { public: string };
      py('keygen', join(work, 'pyb'));
      const payloadFile = join(work, 'pyab.json');
      writeFileSync(payloadFile, statementBytes());
      py('sign', join(work, 'pyb'), IN_TOTO_PAYLOAD_TYPE, payloadFile, join(work, 'pyb.intoto.json'));
      const r = await verifyEnvelope(readFileSync(join(work, 'pyb.intoto.json')), {
        trustedKeys: [parsePublicKey(a.public)],
      });
      expect(r.report.ok).toBe(false);
      expect(r.report.checks.find((c) => c.status === 'fail')!.code).toBe('DSSE_NO_TRUSTED_SIGNATURE');
    });
  });
});
