import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { parseDigest, parseManifest, manifestDigestText, parseOmsStatement } from '../../src/index.js';
import { cli } from '../helpers/cli.js';
import { readFixtureText } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

function model(): string {
  const root = join(tempDir(), 'sample_model');
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 3; j++) {
      mkdirSync(join(root, `d${i}`), { recursive: true });
      writeFileSync(join(root, `d${i}`, `f${i}${j}`), `This is file f${i}${j} in d${i}.`);
    }
  for (let i = 0; i < 4; i++) writeFileSync(join(root, `f${i}`), `This is file f${i} in root.`);
  return root;
}

const goldenRoot = (name: string): string =>
  (
    JSON.parse(readFixtureText('model-signing', 'goldens', 'payload', name)) as {
      subject: { digest: { sha256: string } }[];
    }
  ).subject[0]!.digest.sha256;

describe('lineproof hash', () => {
  describe('when PATH is a directory', () => {
    it('--json prints the subject digest exactly as --digest takes it, with sizes and the manifest', async () => {
      const root = model();
      const r = await cli(['hash', root, '--json']);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(() => parseDigest(out.digest as string)).not.toThrow();
      expect(out).toMatchObject({ kind: 'directory', format: 'lineproof', files: 10, size: 6 * 23 + 4 * 24 });
      const m = parseManifest(out.manifest as never);
      expect(manifestDigestText(m)).toBe(out.digest);
      expect(out.subject).toEqual({
        name: 'sample_model',
        digest: { sha256: (out.digest as string).slice(7) },
        mediaType: 'application/vnd.lineproof.manifest.v1+json',
      });
    });

    it('prints the digest first on a human line by default', async () => {
      const root = model();
      const r = await cli(['hash', root]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64} {2}/);
      expect(r.stdout).toMatch(/10 files/);
    });

    it('--out writes the canonical manifest, whose sha256 is the digest', async () => {
      const root = model();
      const out = join(tempDir(), 'm.manifest.json');
      const r = await cli(['hash', root, '--json', '--out', out]);
      const digest = (JSON.parse(r.stdout) as { digest: string }).digest;
      expect(`sha256:${createHash('sha256').update(readFileSync(out)).digest('hex')}`).toBe(digest);
    });

    it('--alg and --ignore change the manifest; --no-default-ignore drops the defaults', async () => {
      const root = model();
      writeFileSync(join(root, 'model.sig'), 'sig');
      const a = JSON.parse((await cli(['hash', root, '--json', '--alg', 'blake2b', '--ignore', 'd1/'])).stdout) as {
        manifest: { hashing: unknown; ignore: string[]; items: unknown[] };
      };
      expect(a.manifest.hashing).toEqual({ algorithms: ['blake2b'] });
      expect(a.manifest.ignore).toEqual(['*.intoto.jsonl', '.git/', 'd1/', 'model.sig']);
      expect(a.manifest.items).toHaveLength(7);
      const b = JSON.parse((await cli(['hash', root, '--json', '--no-default-ignore'])).stdout) as {
        manifest: { ignore: string[]; items: unknown[] };
      };
      expect(b.manifest.ignore).toEqual([]);
      expect(b.manifest.items).toHaveLength(11);
    });

    it('refuses a symbolic link with exit 2 and its code; --allow-symlinks follows one inside the root', async () => {
      const root = model();
      symlinkSync('f0', join(root, 'link'));
      const r = await cli(['hash', root]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/SYMLINK_REFUSED/);
      expect(r.stderr).not.toMatch(/\bat .*:\d+:\d+\)/);
      expect((await cli(['hash', root, '--allow-symlinks'])).code).toBe(0);
      symlinkSync('/etc/hostname', join(root, 'out'));
      const o = await cli(['hash', root, '--allow-symlinks']);
      expect(o.code).toBe(2);
      expect(o.stderr).toMatch(/SYMLINK_OUTSIDE_ROOT/);
    });
  });

  describe('when PATH is a file', () => {
    it('prints the digest of its bytes', async () => {
      const f = join(tempDir(), 'w.bin');
      writeFileSync(f, 'abc');
      const r = await cli(['hash', f, '--json', '--alg', 'sha512']);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(out).toMatchObject({
        kind: 'file',
        size: 3,
        manifest: null,
        digest: `sha512:${createHash('sha512').update('abc').digest('hex')}`,
      });
    });

    it('--cid also prints the CID of its bytes (CIDv1 raw, base32), on the human line and in --json', async () => {
      const f = join(tempDir(), 'empty.bin');
      writeFileSync(f, '');
      // The well-known CID of the empty block.
      const cid = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
      const human = await cli(['hash', f, '--cid']);
      expect(human.code).toBe(0);
      expect(human.stdout.split('\n')[1]).toBe(`${cid}  ${f}`);
      const out = JSON.parse((await cli(['hash', f, '--cid', '--json'])).stdout) as Record<string, unknown>;
      expect(out).toMatchObject({ cid, digest: `sha256:${createHash('sha256').digest('hex')}` });
      expect((JSON.parse((await cli(['hash', f, '--json'])).stdout) as Record<string, unknown>).cid).toBeUndefined();
    });
  });

  describe('when --format is oms-files or oms-shards', () => {
    it("gives model_signing's root digest (the goldens)", async () => {
      const root = model();
      const files = JSON.parse((await cli(['hash', root, '--json', '--format', 'oms-files'])).stdout) as {
        digest: string;
        manifest: unknown;
        subject: unknown;
      };
      expect(files.digest).toBe(`sha256:${goldenRoot('sample_model_folder')}`);
      const shards = JSON.parse(
        (await cli(['hash', root, '--json', '--format', 'oms-shards', '--shard-size', '8'])).stdout,
      ) as { digest: string };
      expect(shards.digest).toBe(`sha256:${goldenRoot('sample_model_folder_small_shards')}`);
      const dflt = JSON.parse((await cli(['hash', root, '--json', '--format', 'oms-shards'])).stdout) as {
        digest: string;
      };
      expect(dflt.digest).toBe(`sha256:${goldenRoot('sample_model_folder_shard')}`);
    });

    it("records model_signing's default ignore paths and --out writes a statement it can read back", async () => {
      const root = model();
      const out = join(tempDir(), 'statement.json');
      const r = JSON.parse((await cli(['hash', root, '--json', '--format', 'oms-files', '--out', out])).stdout) as {
        manifest: { serialization: { ignore_paths: string[] } };
        digest: string;
      };
      expect(r.manifest.serialization.ignore_paths).toEqual([
        '.git',
        '.gitattributes',
        '.github',
        '.gitignore',
        'model.sig',
      ]);
      expect(`sha256:${parseOmsStatement(readFileSync(out)).rootDigest}`).toBe(r.digest);
    });

    it('refuses shards with blake3 and sha512 with OMS_UNSUPPORTED_COMBINATION (exit 2)', async () => {
      const root = model();
      for (const alg of ['blake3', 'sha512']) {
        const r = await cli(['hash', root, '--format', 'oms-shards', '--alg', alg]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/OMS_UNSUPPORTED_COMBINATION/);
      }
    });
  });

  describe('when the arguments are wrong', () => {
    it('exits 2 for a missing path, an unknown format or algorithm, a stray --shard-size', async () => {
      const root = model();
      const cases = [
        [['hash'], /missing argument/],
        [['hash', join(root, 'nope')], /IO_ERROR/],
        [['hash', root, '--format', 'zip'], /--format/],
        [['hash', root, '--alg', 'md5'], /HASH_ALGORITHM_UNSUPPORTED/],
        [['hash', root, '--shard-size', '8'], /--shard-size/],
        [['hash', root, '--format', 'oms-shards', '--shard-size', '0'], /--shard-size/],
        [['hash', root, '--ignore', '../x'], /MANIFEST_IGNORE_PATTERN_INVALID/],
      ] as const;
      for (const [args, re] of cases) {
        const r = await cli([...args]);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr, args.join(' ')).toMatch(re);
      }
    });
  });

  it('draws progress on stderr for a big input when stderr is a terminal, and keeps stdout clean', async () => {
    const dir = join(tempDir(), 'big');
    mkdirSync(dir);
    writeFileSync(join(dir, 'w.bin'), '');
    truncateSync(join(dir, 'w.bin'), 70 * 1024 * 1024);
    let stdout = '';
    let stderr = '';
    const code = await run(['hash', dir], {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      env: {},
      cwd: process.cwd(),
      isTTY: true,
    });
    expect(code).toBe(0);
    expect(stderr).toMatch(/hashing +\d+%/);
    expect(stdout).toMatch(/^sha256:[0-9a-f]{64}/);
    expect(stdout).not.toMatch(/hashing/);
  });
});
