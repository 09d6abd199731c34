/**
 * A private PKI made by OpenSSL (the peer) for certificate tests: a root CA, intermediates and
 * leaves with chosen extensions, keys and lifetimes. Each certificate comes back as PEM, DER and its
 * key file path.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export interface MadeCert {
  name: string;
  pem: string;
  der: Uint8Array;
  /** PKCS#8 PEM private key file. */
  keyPath: string;
  certPath: string;
}

/**
 * Run OpenSSL; with `at` (RFC 3339), under libfaketime's frozen clock at that time (certificates
 * and timestamp tokens made "then").
 */
export function openssl(cwd: string, args: string[], at?: string): string {
  const r = at
    ? spawnSync('faketime', [fakeTime(at), 'openssl', ...args], {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, TZ: 'UTC' },
      })
    : spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** faketime's absolute form of an RFC 3339 UTC time. */
function fakeTime(at: string): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) throw new TypeError(`not a time: ${at}`);
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '');
}

/** Key algorithms: `ec:P-256`, `ec:P-384`, `ec:P-521`, `rsa:2048`. */
export type KeySpec = 'ec:P-256' | 'ec:P-384' | 'ec:P-521' | 'rsa:2048';

function keyArgs(spec: KeySpec): string[] {
  if (spec.startsWith('rsa:')) return ['-newkey', spec];
  return ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${spec.slice(3)}`];
}

/** Made once per describe block (OpenSSL is slow), removed after the file's tests. */
export class Pki {
  readonly dir = mkdtempSync(join(tmpdir(), 'lineproof-pki-'));
  private serial = 1;

  /** @param at make every certificate as if the clock read this time (RFC 3339), not now */
  constructor(readonly at?: string) {
    afterAll(() => rmSync(this.dir, { recursive: true, force: true }));
  }

  private read(name: string): MadeCert {
    const certPath = join(this.dir, `${name}.pem`);
    const pem = readFileSync(certPath, 'utf8');
    const der = new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
    return { name, pem, der, keyPath: join(this.dir, `${name}.key`), certPath };
  }

  /** A self-signed root CA. */
  root(name: string, opts: { key?: KeySpec; ext?: string[]; days?: number } = {}): MadeCert {
    const ext = opts.ext ?? ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'];
    openssl(
      this.dir,
      [
        'req',
        '-x509',
        ...keyArgs(opts.key ?? 'rsa:2048'),
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.pem`,
        '-subj',
        `/CN=${name}`,
        '-days',
        String(opts.days ?? 3650),
        ...ext.flatMap((e) => ['-addext', e]),
      ],
      this.at,
    );
    return this.read(name);
  }

  /** A certificate for `name` issued by `issuer`, with the extensions given (openssl x509v3 config lines). */
  issue(
    name: string,
    issuer: MadeCert,
    opts: { key?: KeySpec; ext: string[]; days?: number; subject?: string },
  ): MadeCert {
    openssl(
      this.dir,
      [
        'req',
        '-new',
        ...keyArgs(opts.key ?? 'ec:P-256'),
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${opts.subject ?? name}`,
      ],
      this.at,
    );
    writeFileSync(join(this.dir, `${name}.ext`), `${opts.ext.join('\n')}\n`);
    openssl(
      this.dir,
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        issuer.certPath,
        '-CAkey',
        issuer.keyPath,
        '-set_serial',
        String(this.serial++),
        '-out',
        `${name}.pem`,
        '-days',
        String(opts.days ?? 365),
        '-sha256',
        '-extfile',
        `${name}.ext`,
      ],
      this.at,
    );
    return this.read(name);
  }

  /** OpenSSL's own verdict on a chain (the differential peer). */
  opensslVerifies(leaf: MadeCert, intermediates: MadeCert[], anchors: MadeCert[]): boolean {
    writeFileSync(join(this.dir, 'anchors.pem'), anchors.map((a) => a.pem).join(''));
    writeFileSync(join(this.dir, 'untrusted.pem'), intermediates.map((a) => a.pem).join('') || '\n');
    const r = spawnSync(
      'openssl',
      [
        'verify',
        '-CAfile',
        'anchors.pem',
        ...(intermediates.length > 0 ? ['-untrusted', 'untrusted.pem'] : []),
        leaf.certPath,
      ],
      { cwd: this.dir, encoding: 'utf8' },
    );
    return r.status === 0;
  }
}

/** Extensions of a CA below a root. */
export const CA_EXT = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'];
/** Extensions of a signing leaf as model_signing's fixture has them. */
export const LEAF_EXT = [
  'basicConstraints=CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=codeSigning',
];
