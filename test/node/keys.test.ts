import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes/index.js';
import { isLineproofError } from '../../src/errors.js';
import { generateKeyPair, privateKeyToPem, publicKeyToPem } from '../../src/keys/keys.js';
import {
  encryptPrivateKeyPem,
  importPrivateKey,
  loadPrivateKey,
  loadPublicKey,
  writeKeyPair,
} from '../../src/node/keys.js';
import { fixturePath, readFixtureText } from '../helpers/fixtures.js';

async function acode(fn: () => Promise<unknown> | unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return isLineproofError(e) ? e.code : (e as Error).name;
  }
  return 'no error';
}

const dir = () => mkdtempSync(join(tmpdir(), 'lineproof-nodekeys-'));
const sslibIds = JSON.parse(readFixtureText('sslib', 'keyids.json')) as Record<
  string,
  { keyid: string; public: string; passphrase?: string }
>;

describe('Node key files', () => {
  describe('encrypted PKCS#8', () => {
    it('round-trips through encryptPrivateKeyPem and importPrivateKey; OpenSSL reads it too', async () => {
      const key = await generateKeyPair();
      const pem = encryptPrivateKeyPem(key, 'correct horse');
      expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
      const back = await importPrivateKey(pem, { passphrase: 'correct horse' });
      expect(toHex(back.seed)).toBe(toHex(key.seed));
      const d = dir();
      writeFileSync(join(d, 'k.pem'), pem, { mode: 0o600 });
      const pub = execFileSync(
        'openssl',
        ['pkey', '-in', join(d, 'k.pem'), '-passin', 'pass:correct horse', '-pubout'],
        { encoding: 'utf8' },
      );
      expect(pub).toBe(publicKeyToPem(key.publicKey));
      // PBES2 / PBKDF2-HMAC-SHA256 with 600,000 iterations (INTEGER 0x0927c0), AES-256-CBC
      const asn1 = execFileSync('openssl', ['asn1parse', '-in', join(d, 'k.pem')], { encoding: 'utf8' });
      expect(asn1).toMatch(/PBES2[\s\S]*PBKDF2[\s\S]*INTEGER\s+:0927C0[\s\S]*hmacWithSHA256[\s\S]*aes-256-cbc/);
      expect(() => encryptPrivateKeyPem(key, 'x', { iterations: 10 })).toThrow(RangeError);
      const quick = encryptPrivateKeyPem(key, 'x', { iterations: 1000 });
      expect(toHex((await importPrivateKey(quick, { passphrase: 'x' })).seed)).toBe(toHex(key.seed));
    });
    it('reads a key encrypted by the openssl CLI', async () => {
      const d = dir();
      execFileSync('openssl', [
        'genpkey',
        '-algorithm',
        'ed25519',
        '-aes-256-cbc',
        '-pass',
        'pass:s3cret',
        '-out',
        join(d, 'o.pem'),
      ]);
      const k = await loadPrivateKey(join(d, 'o.pem'), { passphrase: 's3cret' });
      const pub = execFileSync('openssl', ['pkey', '-in', join(d, 'o.pem'), '-passin', 'pass:s3cret', '-pubout'], {
        encoding: 'utf8',
      });
      expect(publicKeyToPem(k.publicKey)).toBe(pub);
    });
    it('needs the passphrase, and names a wrong one', async () => {
      const key = await generateKeyPair();
      const pem = encryptPrivateKeyPem(key, 'right');
      expect(await acode(() => importPrivateKey(pem))).toBe('KEY_PASSPHRASE_REQUIRED');
      expect(await acode(() => importPrivateKey(pem, { passphrase: '' }))).toBe('KEY_PASSPHRASE_REQUIRED');
      expect(await acode(() => importPrivateKey(pem, { passphrase: 'wrong' }))).toBe('KEY_PASSPHRASE_WRONG');
      expect(await acode(() => encryptPrivateKeyPem(key, ''))).toBe('RangeError');
    });
    it('refuses an encrypted key of another type', async () => {
      const d = dir();
      execFileSync('openssl', [
        'genpkey',
        '-algorithm',
        'EC',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-aes-256-cbc',
        '-pass',
        'pass:p',
        '-out',
        join(d, 'ec.pem'),
      ]);
      expect(await acode(() => loadPrivateKey(join(d, 'ec.pem'), { passphrase: 'p' }))).toBe('KEY_UNSUPPORTED');
    });
    it('a passphrase given for a plain key is not needed and does no harm', async () => {
      const key = await generateKeyPair();
      expect(toHex((await importPrivateKey(privateKeyToPem(key), { passphrase: 'x' })).seed)).toBe(toHex(key.seed));
    });
  });

  describe('securesystemslib encrypted keys', () => {
    it('decrypts the file securesystemslib 0.26 wrote (PBKDF2-HMAC-SHA256, AES-256-CTR, HMAC)', async () => {
      const want = sslibIds['ed25519-encrypted']!;
      const k = await loadPrivateKey(fixturePath('sslib', 'ed25519-encrypted'), { passphrase: want.passphrase! });
      expect(toHex(k.publicKey.bytes)).toBe(want.public);
      expect(k.publicKey.keyid).toBe(want.keyid);
    });
    it('names a wrong passphrase and a tampered file', async () => {
      const text = readFixtureText('sslib', 'ed25519-encrypted');
      expect(await acode(() => importPrivateKey(text, { passphrase: 'nope' }))).toBe('KEY_PASSPHRASE_WRONG');
      const parts = text.split('@@@@');
      const ct = parts[4]!;
      parts[4] = (ct[0] === '0' ? '1' : '0') + ct.slice(1);
      expect(
        await acode(() =>
          importPrivateKey(parts.join('@@@@'), { passphrase: sslibIds['ed25519-encrypted']!.passphrase! }),
        ),
      ).toBe('KEY_PASSPHRASE_WRONG');
      const huge = text.split('@@@@');
      huge[1] = '999999999';
      expect(await acode(() => importPrivateKey(huge.join('@@@@'), { passphrase: 'x' }))).toBe('KEY_INVALID');
    });
  });

  describe('loading files', () => {
    it('warns when a private key file is readable by group or others, not when 0600', async () => {
      const d = dir();
      const key = await generateKeyPair();
      const p = join(d, 'k.key');
      writeFileSync(p, privateKeyToPem(key), { mode: 0o600 });
      const warnings: string[] = [];
      await loadPrivateKey(p, { onWarning: (m) => warnings.push(m) });
      expect(warnings).toEqual([]);
      chmodSync(p, 0o644);
      await loadPrivateKey(p, { onWarning: (m) => warnings.push(m) });
      expect(warnings.length).toBe(1);
      expect(warnings[0]).toMatch(/0644/);
    });
    it('reads public key files in every format, and names missing files', async () => {
      const d = dir();
      copyFileSync(fixturePath('sslib', 'ed25519.pub'), join(d, 'a.pub'));
      expect(loadPublicKey(join(d, 'a.pub')).keyid).toBe(sslibIds['ed25519']!.keyid);
      expect(await acode(() => loadPublicKey(join(d, 'missing.pub')))).toBe('IO_ERROR');
      writeFileSync(join(d, 'big.pub'), new Uint8Array(100_000));
      expect(await acode(() => loadPublicKey(join(d, 'big.pub')))).toBe('LIMIT_EXCEEDED');
    });
  });

  describe('writeKeyPair', () => {
    it('writes PREFIX.key (0600) and PREFIX.pub, and refuses to overwrite without force', async () => {
      const d = dir();
      const key = await generateKeyPair();
      const w = writeKeyPair(join(d, 'alice'), key);
      expect(w.encrypted).toBe(false);
      expect(statSync(w.privateKeyPath).mode & 0o777).toBe(0o600);
      expect(readFileSync(w.publicKeyPath, 'utf8')).toBe(publicKeyToPem(key.publicKey));
      expect(toHex((await loadPrivateKey(w.privateKeyPath)).seed)).toBe(toHex(key.seed));
      const other = await generateKeyPair();
      expect(await acode(() => writeKeyPair(join(d, 'alice'), other))).toBe('KEY_EXISTS');
      expect(toHex((await loadPrivateKey(w.privateKeyPath)).seed)).toBe(toHex(key.seed));
      // force replaces, still 0600 even when the old file had a wider mode
      chmodSync(w.privateKeyPath, 0o644);
      writeKeyPair(join(d, 'alice'), other, { force: true });
      expect(statSync(w.privateKeyPath).mode & 0o777).toBe(0o600);
      expect(toHex((await loadPrivateKey(w.privateKeyPath)).seed)).toBe(toHex(other.seed));
    });
    it('encrypts with a passphrase', async () => {
      const d = dir();
      const key = await generateKeyPair();
      const w = writeKeyPair(join(d, 'bob'), key, { passphrase: 'pw' });
      expect(w.encrypted).toBe(true);
      expect(readFileSync(w.privateKeyPath, 'utf8')).toMatch(/ENCRYPTED PRIVATE KEY/);
      expect(toHex((await loadPrivateKey(w.privateKeyPath, { passphrase: 'pw' })).seed)).toBe(toHex(key.seed));
    });
    it('names an unwritable path', async () => {
      const key = await generateKeyPair();
      expect(await acode(() => writeKeyPair(join(dir(), 'no', 'such', 'dir', 'k'), key))).toBe('IO_ERROR');
    });
  });
});
