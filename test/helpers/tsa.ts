/**
 * A private RFC 3161 timestamp authority: OpenSSL's `openssl ts -reply` (the peer) with its own
 * root and a leaf holding the critical timeStamping extended key usage, made on a {@link Pki}.
 * With `at`, tokens are made under libfaketime's clock at that time (a token "from then").
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openssl, type KeySpec, type MadeCert, type Pki } from './pki.js';

/** Extensions of a timestamp authority's leaf (RFC 3161 §2.3). */
export const TSA_EXT = [
  'basicConstraints=CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=critical,timeStamping',
];

export interface TsaOptions {
  key?: KeySpec;
  /** The leaf's extensions (default {@link TSA_EXT}). */
  ext?: string[];
  /** ESSCertID hash: sha1 (RFC 2634 signingCertificate) or sha256 (RFC 5816 v2, the default). */
  essHash?: 'sha1' | 'sha256';
}

export interface Stamp {
  /** The TimeStampResp (DER). */
  response: Uint8Array;
  /** Its token (DER ContentInfo), extracted by OpenSSL. */
  token: Uint8Array;
}

let counter = 0;

export class Tsa {
  readonly root: MadeCert;
  readonly leaf: MadeCert;
  private readonly dir: string;
  private readonly name: string;

  constructor(
    readonly pki: Pki,
    name = 'tsa',
    opts: TsaOptions = {},
  ) {
    this.dir = pki.dir;
    this.name = name;
    this.root = pki.root(`${name}-root`, { key: 'ec:P-256' });
    this.leaf = pki.issue(`${name}-leaf`, this.root, {
      key: opts.key ?? 'ec:P-256',
      ext: opts.ext ?? TSA_EXT,
      days: 3650,
    });
    writeFileSync(join(this.dir, `${name}.serial`), '01\n');
    writeFileSync(
      join(this.dir, `${name}.cnf`),
      [
        '[ tsa ]',
        'default_tsa = tsa_config',
        '[ tsa_config ]',
        `serial = ./${name}.serial`,
        `signer_cert = ./${name}-leaf.pem`,
        `signer_key = ./${name}-leaf.key`,
        'signer_digest = sha256',
        'default_policy = 1.3.6.1.4.1.57264.99.1',
        'digests = sha256, sha384, sha512',
        'accuracy = secs:1',
        'ordering = yes',
        'tsa_name = yes',
        'ess_cert_id_chain = no',
        `ess_cert_id_alg = ${opts.essHash ?? 'sha256'}`,
        '',
      ].join('\n'),
    );
  }

  /**
   * A token over `signature` (or over a request made elsewhere).
   * @param signature the signature bytes
   * @param opts at: the clock (RFC 3339); hash; certReq (default true); request: a DER TimeStampReq to answer instead
   */
  stamp(
    signature: Uint8Array,
    opts: { at?: string; hash?: 'sha256' | 'sha384' | 'sha512'; certReq?: boolean; request?: Uint8Array } = {},
  ): Stamp {
    const id = `${this.name}-${counter++}`;
    writeFileSync(join(this.dir, `${id}.sig`), signature);
    if (opts.request) writeFileSync(join(this.dir, `${id}.tsq`), opts.request);
    else
      openssl(this.dir, [
        'ts',
        '-query',
        '-data',
        `${id}.sig`,
        `-${opts.hash ?? 'sha256'}`,
        ...(opts.certReq === false ? [] : ['-cert']),
        '-out',
        `${id}.tsq`,
      ]);
    const cfg = ['-config', `${this.name}.cnf`];
    openssl(this.dir, ['ts', '-reply', ...cfg, '-queryfile', `${id}.tsq`, '-out', `${id}.tsr`], opts.at);
    openssl(this.dir, ['ts', '-reply', ...cfg, '-in', `${id}.tsr`, '-token_out', '-out', `${id}.tok`]);
    return {
      response: new Uint8Array(readFileSync(join(this.dir, `${id}.tsr`))),
      token: new Uint8Array(readFileSync(join(this.dir, `${id}.tok`))),
    };
  }

  /** OpenSSL's verdict on a response over `signature` under this authority's root (the peer). */
  opensslVerifies(signature: Uint8Array, response: Uint8Array): boolean {
    const id = `${this.name}-v${counter++}`;
    writeFileSync(join(this.dir, `${id}.sig`), signature);
    writeFileSync(join(this.dir, `${id}.tsr`), response);
    const r = spawnSync(
      'openssl',
      [
        'ts',
        '-verify',
        '-data',
        `${id}.sig`,
        '-in',
        `${id}.tsr`,
        '-CAfile',
        this.root.certPath,
        '-untrusted',
        this.leaf.certPath,
      ],
      { cwd: this.dir, encoding: 'utf8' },
    );
    return r.status === 0;
  }
}
