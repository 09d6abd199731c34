import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64, toHex } from '../../src/bytes/index.js';
import { keyidsOf } from '../../src/keys/keyid.js';
import { parsePublicKey } from '../../src/keys/keys.js';
import { reportSchema, type Report } from '../../src/report/index.js';
import { cli } from '../helpers/cli.js';
import { statementBytes } from '../helpers/dsse.js';
import { fixturePath, repoPath } from '../helpers/fixtures.js';

const T = 'application/vnd.in-toto+json';

function setup(): string {
  const d = mkdtempSync(join(tmpdir(), 'lineproof-cli-dsse-'));
  writeFileSync(join(d, 'statement.json'), statementBytes());
  return d;
}

describe('lineproof keygen', () => {
  it('writes PREFIX.key (0600, PKCS#8) and PREFIX.pub (SPKI), printing both keyids', async () => {
    const d = setup();
    const r = await cli(['keygen', '--out', 'alice'], { cwd: d });
    expect(r.code).toBe(0);
    expect(statSync(join(d, 'alice.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(d, 'alice.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const pub = parsePublicKey(readFileSync(join(d, 'alice.pub'), 'utf8'));
    const ids = keyidsOf(pub.bytes);
    expect(r.stdout).toContain(`keyid (legacy): ${ids.legacy}`);
    expect(r.stdout).toContain(`keyid (modern): ${ids.modern}`);
    expect(r.stdout).toMatch(/NOT encrypted/);
  });
  it('--json prints the value object; --keyid-format picks "keyid"', async () => {
    const d = setup();
    const r = await cli(['keygen', '--out', 'k', '--json', '--keyid-format', 'modern'], { cwd: d });
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout) as {
      keyid: string;
      keyids: { legacy: string; modern: string };
      publicKeyHex: string;
      encrypted: boolean;
      keyidFormat: string;
    };
    expect(v.keyid).toBe(v.keyids.modern);
    expect(v.keyidFormat).toBe('modern');
    expect(v.encrypted).toBe(false);
    expect(toHex(parsePublicKey(readFileSync(join(d, 'k.pub'))).bytes)).toBe(v.publicKeyHex);
  });
  it('encrypts with LINEPROOF_KEY_PASSPHRASE', async () => {
    const d = setup();
    const r = await cli(['keygen', '--out', 'k', '--json'], { cwd: d, env: { LINEPROOF_KEY_PASSPHRASE: 'pw' } });
    expect((JSON.parse(r.stdout) as { encrypted: boolean }).encrypted).toBe(true);
    expect(readFileSync(join(d, 'k.key'), 'utf8')).toMatch(/ENCRYPTED PRIVATE KEY/);
  });
  it('refuses to overwrite without --force (exit 2, KEY_EXISTS), overwrites with it', async () => {
    const d = setup();
    await cli(['keygen', '--out', 'k'], { cwd: d });
    const before = readFileSync(join(d, 'k.key'), 'utf8');
    const r = await cli(['keygen', '--out', 'k'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/KEY_EXISTS/);
    expect(readFileSync(join(d, 'k.key'), 'utf8')).toBe(before);
    expect((await cli(['keygen', '--out', 'k', '--force'], { cwd: d })).code).toBe(0);
    expect(readFileSync(join(d, 'k.key'), 'utf8')).not.toBe(before);
  });
  it('usage errors exit 2', async () => {
    const d = setup();
    expect((await cli(['keygen'], { cwd: d })).code).toBe(2);
    expect((await cli(['keygen', '--out', 'k', '--keyid-format', 'sha1'], { cwd: d })).code).toBe(2);
    expect((await cli(['keygen', '--out', join(d, 'missing', 'k')], { cwd: d })).code).toBe(2);
  });
});

describe('lineproof dsse sign / verify', () => {
  async function signed(d: string, extraEnv: Record<string, string> = {}) {
    await cli(['keygen', '--out', 'alice'], { cwd: d, env: extraEnv });
    const r = await cli(
      ['dsse', 'sign', '--key', 'alice.key', '--type', T, '--in', 'statement.json', '--out', 'st.intoto.json'],
      { cwd: d, env: extraEnv },
    );
    expect(r.code, r.stderr).toBe(0);
    return readFileSync(join(d, 'st.intoto.json'), 'utf8');
  }

  it('signs and verifies; --out-payload writes the exact payload bytes', async () => {
    const d = setup();
    const text = await signed(d);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n').length).toBe(2);
    const r = await cli(
      ['dsse', 'verify', '--key', 'alice.pub', '--type', T, '--in', 'st.intoto.json', '--out-payload', 'out.json'],
      { cwd: d },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^verified: st\.intoto\.json/);
    expect(readFileSync(join(d, 'out.json'))).toEqual(readFileSync(join(d, 'statement.json')));
  });
  it('prints the envelope on stdout without --out', async () => {
    const d = setup();
    await cli(['keygen', '--out', 'alice'], { cwd: d });
    const r = await cli(['dsse', 'sign', '--key', 'alice.key', '--type', 'text/plain', '--in', 'statement.json'], {
      cwd: d,
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ payloadType: 'text/plain' });
  });
  it('a flipped payload byte fails with exit 1, the failed check and its code; no payload is written', async () => {
    const d = setup();
    const env = JSON.parse(await signed(d)) as { payload: string };
    const p = fromBase64(env.payload);
    const at = Buffer.from(p).indexOf('model.safetensors');
    p[at] = p[at]! ^ 1; // still a valid Statement, only the signature breaks
    writeFileSync(join(d, 'bad.json'), JSON.stringify({ ...env, payload: toBase64(p) }));
    const r = await cli(['dsse', 'verify', '--key', 'alice.pub', '--in', 'bad.json', '--out-payload', 'out.json'], {
      cwd: d,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL dsse\.threshold DSSE_NO_TRUSTED_SIGNATURE/);
    expect(r.stdout).toMatch(/note dsse\.signature DSSE_SIGNATURE_UNVERIFIED/);
    expect(r.stdout).toMatch(/NOT VERIFIED: bad\.json \(1 failed check\)\n$/);
    expect(existsSync(join(d, 'out.json'))).toBe(false);
  });
  it('--json prints exactly the report, valid against the schema, with the same exit code', async () => {
    const d = setup();
    await signed(d);
    await cli(['keygen', '--out', 'bob'], { cwd: d });
    const ok = await cli(['dsse', 'verify', '--key', 'alice.pub', '--in', 'st.intoto.json', '--json'], { cwd: d });
    const bad = await cli(['dsse', 'verify', '--key', 'bob.pub', '--in', 'st.intoto.json', '--json'], { cwd: d });
    for (const [r, code] of [
      [ok, 0],
      [bad, 1],
    ] as const) {
      expect(r.code).toBe(code);
      const report = JSON.parse(r.stdout) as Report;
      expect(reportSchema.safeParse(report).success).toBe(true);
      expect(report.ok).toBe(code === 0);
    }
  });
  it('thresholds: two keys meet 2 with two signers; an impossible threshold is exit 2; a repeated --key counts once', async () => {
    const d = setup();
    await signed(d);
    await cli(['keygen', '--out', 'bob'], { cwd: d });
    const single = await cli(
      ['dsse', 'verify', '--key', 'alice.pub', '--key', 'bob.pub', '--threshold', '2', '--in', 'st.intoto.json'],
      { cwd: d },
    );
    expect(single.code).toBe(1);
    expect(single.stdout).toMatch(/DSSE_THRESHOLD_NOT_MET/);
    const same = await cli(
      ['dsse', 'verify', '--key', 'alice.pub', '--key', 'alice.pub', '--threshold', '2', '--in', 'st.intoto.json'],
      { cwd: d },
    );
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/can never be met/);
    expect(
      (await cli(['dsse', 'verify', '--key', 'alice.pub', '--threshold', '0', '--in', 'st.intoto.json'], { cwd: d }))
        .code,
    ).toBe(2);
  });
  it('evidence problems exit 1; operator problems exit 2', async () => {
    const d = setup();
    await signed(d);
    writeFileSync(join(d, 'garbage.json'), '{"payload":');
    writeFileSync(join(d, 'notakey.pub'), 'hello');
    const garbage = await cli(['dsse', 'verify', '--key', 'alice.pub', '--in', 'garbage.json'], { cwd: d });
    expect(garbage.code).toBe(1);
    expect(garbage.stdout).toMatch(/FAIL dsse\.envelope JSON_SYNTAX/);
    expect((await cli(['dsse', 'verify', '--key', 'alice.pub', '--in', 'missing.json'], { cwd: d })).code).toBe(2);
    const badKey = await cli(['dsse', 'verify', '--key', 'notakey.pub', '--in', 'st.intoto.json'], { cwd: d });
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/KEY_INVALID/);
    expect((await cli(['dsse', 'verify', '--key', 'alice.key', '--in', 'st.intoto.json'], { cwd: d })).stderr).toMatch(
      /KEY_WRONG_KIND/,
    );
    expect((await cli(['dsse', 'verify', '--in', 'st.intoto.json'], { cwd: d })).code).toBe(2);
    expect(
      (await cli(['dsse', 'verify', '--key', 'alice.pub', '--type', 'tëxt', '--in', 'st.intoto.json'], { cwd: d }))
        .code,
    ).toBe(2);
    const big = join(d, 'big.json');
    writeFileSync(big, new Uint8Array(16 * 1024 * 1024 + 1));
    const tooBig = await cli(['dsse', 'verify', '--key', 'alice.pub', '--in', 'big.json', '--json'], { cwd: d });
    expect(tooBig.code).toBe(1);
    expect((JSON.parse(tooBig.stdout) as Report).checks[0]!.code).toBe('LIMIT_EXCEEDED');
  });
  it('sign: operator problems exit 2 with their codes', async () => {
    const d = setup();
    await cli(['keygen', '--out', 'alice'], { cwd: d });
    writeFileSync(join(d, 'notstatement.json'), '{"hello":1}');
    const cases: Array<[string[], RegExp]> = [
      [['--key', 'alice.pub', '--type', T, '--in', 'statement.json'], /KEY_WRONG_KIND/],
      [['--key', 'alice.key', '--type', T, '--in', 'notstatement.json'], /STATEMENT_INVALID/],
      [['--key', 'alice.key', '--type', 'tëxt', '--in', 'statement.json'], /DSSE_PAYLOAD_TYPE_NOT_ASCII/],
      [['--key', 'alice.key', '--type', T, '--in', 'nope.json'], /IO_ERROR/],
      [['--key', 'alice.key', '--in', 'statement.json'], /--type is required/],
      [['--key', 'alice.key', '--type', T, '--in', 'statement.json', '--keyid-format', 'x'], /keyid-format/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(['dsse', 'sign', ...args], { cwd: d });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(re);
      expect(r.stderr).not.toMatch(/\bat .*:\d+:\d+/);
    }
  });
  it('encrypted keys need LINEPROOF_KEY_PASSPHRASE; a world-readable key file is warned about', async () => {
    const d = setup();
    const env = { LINEPROOF_KEY_PASSPHRASE: 'pw' };
    await signed(d, env);
    const noPass = await cli(['dsse', 'sign', '--key', 'alice.key', '--type', T, '--in', 'statement.json'], { cwd: d });
    expect(noPass.code).toBe(2);
    expect(noPass.stderr).toMatch(/KEY_PASSPHRASE_REQUIRED/);
    const wrong = await cli(['dsse', 'sign', '--key', 'alice.key', '--type', T, '--in', 'statement.json'], {
      cwd: d,
      env: { LINEPROOF_KEY_PASSPHRASE: 'nope' },
    });
    expect(wrong.stderr).toMatch(/KEY_PASSPHRASE_WRONG/);
    chmodSync(join(d, 'alice.key'), 0o644);
    const warned = await cli(['dsse', 'sign', '--key', 'alice.key', '--type', T, '--in', 'statement.json'], {
      cwd: d,
      env,
    });
    expect(warned.code).toBe(0);
    expect(warned.stderr).toMatch(/warning: .*readable by group or others/);
  });
  it('keys in securesystemslib and hex formats work for sign and verify; --keyid-format none writes keyid ""', async () => {
    const d = setup();
    copyFileSync(fixturePath('sslib', 'ed25519'), join(d, 'sslib.key'));
    chmodSync(join(d, 'sslib.key'), 0o600);
    copyFileSync(fixturePath('sslib', 'ed25519.pub'), join(d, 'sslib.pub'));
    const ids = JSON.parse(readFileSync(fixturePath('sslib', 'keyids.json'), 'utf8')) as Record<
      string,
      { keyid: string; public: string }
    >;
    writeFileSync(join(d, 'hex.pub'), `${ids['ed25519']!.public}\n`);
    const s = await cli(
      ['dsse', 'sign', '--key', 'sslib.key', '--type', T, '--in', 'statement.json', '--out', 'e.json'],
      { cwd: d },
    );
    expect(s.code, s.stderr).toBe(0);
    expect(
      (JSON.parse(readFileSync(join(d, 'e.json'), 'utf8')) as { signatures: Array<{ keyid: string }> }).signatures[0]!
        .keyid,
    ).toBe(ids['ed25519']!.keyid);
    for (const k of ['sslib.pub', 'hex.pub'])
      expect((await cli(['dsse', 'verify', '--key', k, '--in', 'e.json'], { cwd: d })).code, k).toBe(0);
    await cli(
      [
        'dsse',
        'sign',
        '--key',
        'sslib.key',
        '--type',
        T,
        '--in',
        'statement.json',
        '--out',
        'n.json',
        '--keyid-format',
        'none',
      ],
      { cwd: d },
    );
    expect(readFileSync(join(d, 'n.json'), 'utf8')).toContain('"keyid":""');
  });
  it('the built bin reads the envelope from standard input', async () => {
    const d = setup();
    const text = await signed(d);
    const r = spawnSync(
      process.execPath,
      [repoPath('dist', 'cli', 'main.js'), 'dsse', 'verify', '--key', join(d, 'alice.pub'), '--in', '-'],
      { input: text, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
