import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashDirectory, hashOmsModel, walkTree } from '../../src/node/index.js';
import { tempTree as tree } from '../helpers/tmp.js';
import { verifyManifest } from '../../src/index.js';

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

async function errorOf(p: Promise<unknown>): Promise<{ code?: string; path?: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; path?: string };
  }
  throw new Error('expected a failure');
}

describe('walkTree', () => {
  it('lists regular files sorted with the manifest comparator, with stats', async () => {
    const root = tree({ 'a-b': '1', 'a/b': '22', z: '', 'a/c/d': '4444' });
    const w = await walkTree(root);
    expect(w.kind).toBe('directory');
    expect(w.files.map((f) => [f.path, f.size])).toEqual([
      ['a/b', 2],
      ['a/c/d', 4],
      ['a-b', 1],
      ['z', 0],
    ]);
    expect(w.size).toBe(7);
    expect(typeof w.files[0]!.hint.ino).toBe('bigint');
  });

  it('walks a single file as one entry', async () => {
    const root = tree({ f: 'x' });
    const w = await walkTree(join(root, 'f'));
    expect(w.kind).toBe('file');
    expect(w.files.map((f) => f.path)).toEqual(['']);
  });

  it('names a missing root in IO_ERROR', async () => {
    const e = await errorOf(walkTree('/nonexistent/lineproof-test'));
    expect(e.code).toBe('IO_ERROR');
    expect(e.path).toBe('/nonexistent/lineproof-test');
  });

  it('does not descend an ignored directory (a FIFO inside it is fine)', async () => {
    const root = tree({ 'w.bin': 'w', '.git/HEAD': 'ref' });
    execFileSync('mkfifo', [join(root, '.git', 'fifo')]);
    const w = await walkTree(root, { ignore: (p, isDir) => isDir && p === '.git' });
    expect(w.files.map((f) => f.path)).toEqual(['w.bin']);
    expect(w.ignored).toEqual(['.git']);
  });

  describe('when the tree holds symbolic links', () => {
    it('refuses any link by default (SYMLINK_REFUSED), naming it', async () => {
      const root = tree({ 'real.bin': 'x' });
      symlinkSync('real.bin', join(root, 'link.bin'));
      const e = await errorOf(walkTree(root));
      expect(e).toMatchObject({ code: 'SYMLINK_REFUSED', path: 'link.bin' });
    });

    it('within-root: follows a link that stays inside, hashing it under its own name', async () => {
      const root = tree({ 'real.bin': 'x', 'sub/y': 'y' });
      symlinkSync('real.bin', join(root, 'link.bin'));
      symlinkSync('sub', join(root, 'subl'));
      const w = await walkTree(root, { symlinks: 'within-root' });
      expect(w.files.map((f) => f.path)).toEqual(['link.bin', 'real.bin', 'sub/y', 'subl/y']);
    });

    it('within-root: refuses a link out of the root with SYMLINK_OUTSIDE_ROOT (also via ..)', async () => {
      const root = tree({ 'real.bin': 'x' });
      writeFileSync(join(root, '..', 'secret'), 's');
      symlinkSync('../secret', join(root, 'escape'));
      const e = await errorOf(walkTree(root, { symlinks: 'within-root' }));
      expect(e).toMatchObject({ code: 'SYMLINK_OUTSIDE_ROOT', path: 'escape' });
      const root2 = tree({ a: '' });
      symlinkSync('/etc', join(root2, 'etc'));
      expect(await codeOf(walkTree(root2, { symlinks: 'within-root' }))).toBe('SYMLINK_OUTSIDE_ROOT');
    });

    it('within-root: refuses a link to a directory that contains it with SYMLINK_LOOP', async () => {
      const root = tree({ 'd/f': 'x' });
      symlinkSync('..', join(root, 'd', 'up'));
      const e = await errorOf(walkTree(root, { symlinks: 'within-root' }));
      expect(e).toMatchObject({ code: 'SYMLINK_LOOP', path: 'd/up' });
    });

    it('refuses a link cycle (a -> b -> a) with SYMLINK_LOOP', async () => {
      const root = tree({ f: 'x' });
      symlinkSync('b', join(root, 'a'));
      symlinkSync('a', join(root, 'b'));
      expect(await codeOf(walkTree(root, { symlinks: 'within-root' }))).toBe('SYMLINK_LOOP');
      expect(await codeOf(walkTree(root, { symlinks: 'oms' }))).toBe('SYMLINK_LOOP');
    });

    it('refuses a dangling link with SYMLINK_DANGLING', async () => {
      const root = tree({ f: 'x' });
      symlinkSync('nothing-here', join(root, 'dangling'));
      expect(await codeOf(walkTree(root, { symlinks: 'within-root' }))).toBe('SYMLINK_DANGLING');
      expect(await codeOf(walkTree(root, { symlinks: 'oms' }))).toBe('SYMLINK_DANGLING');
    });

    it('a path escape, a symlink out of the root and a duplicate NFC name each have their own code', async () => {
      const escape = tree({ a: '' });
      symlinkSync('/etc/hostname', join(escape, 'out'));
      const nfc = tree({ 'caf\u00e9': '1', 'cafe\u0301': '2' });
      // An escaping path cannot come from a walk, only from a manifest someone hands us.
      const evil = JSON.stringify({
        version: 1,
        hashing: { algorithms: ['sha256'] },
        ignore: [],
        items: [{ path: '../../etc/passwd', size: 0, digest: { sha256: '0'.repeat(64) } }],
      });
      const { report } = verifyManifest(evil, await hashDirectory(escape, { allowSymlinks: false, ignore: ['out'] }));
      const codes = [
        await codeOf(walkTree(escape, { symlinks: 'within-root' })),
        await codeOf(hashDirectory(nfc)),
        report.checks.find((c) => c.status === 'fail')?.code,
      ];
      expect(codes).toEqual(['SYMLINK_OUTSIDE_ROOT', 'MANIFEST_NFC_COLLISION', 'MANIFEST_PATH_ESCAPE']);
    });

    it('oms: follows a link to a file anywhere, skips a link to a directory (model_signing semantics)', async () => {
      const root = tree({ 'real.bin': 'x', 'dir/f': 'y' });
      writeFileSync(join(root, '..', 'outside'), 'o');
      symlinkSync('../outside', join(root, 'out.bin'));
      symlinkSync('dir', join(root, 'dirlink'));
      const w = await walkTree(root, { symlinks: 'oms' });
      expect(w.files.map((f) => f.path)).toEqual(['dir/f', 'out.bin', 'real.bin']);
      expect(w.skipped.map((s) => s.path)).toEqual(['dirlink']);
    });

    it('oms without allow_symlinks refuses a symlinked model root', async () => {
      const root = tree({ f: 'x' });
      const link = join(root, '..', 'model-link');
      symlinkSync(root, link);
      expect(await codeOf(hashOmsModel(link, { method: 'files' }))).toBe('SYMLINK_REFUSED');
      expect((await hashOmsModel(link, { method: 'files', allowSymlinks: true })).files).toBe(1);
      // the lineproof format follows the root the operator named
      expect((await hashDirectory(link)).files).toBe(1);
    });
  });

  describe('when the tree holds special files', () => {
    it('refuses a FIFO with SPECIAL_FILE_REFUSED (without blocking on it)', async () => {
      const root = tree({ f: 'x' });
      execFileSync('mkfifo', [join(root, 'pipe')]);
      expect(await errorOf(walkTree(root))).toMatchObject({ code: 'SPECIAL_FILE_REFUSED', path: 'pipe' });
    });

    it('refuses a socket with SPECIAL_FILE_REFUSED', async () => {
      const root = tree({ f: 'x' });
      const server = createServer();
      await new Promise<void>((r) => server.listen(join(root, 'sock'), r));
      try {
        expect(await errorOf(walkTree(root))).toMatchObject({ code: 'SPECIAL_FILE_REFUSED', path: 'sock' });
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
      }
    });

    it('refuses a device given as the root', async () => {
      expect(await codeOf(walkTree('/dev/null'))).toBe('SPECIAL_FILE_REFUSED');
    });

    it('refuses a link to a FIFO inside the root', async () => {
      const root = tree({ f: 'x' });
      execFileSync('mkfifo', [join(root, 'pipe')]);
      symlinkSync('pipe', join(root, 'plink'));
      expect(await codeOf(walkTree(root, { symlinks: 'within-root', ignore: (p) => p === 'pipe' }))).toBe(
        'SPECIAL_FILE_REFUSED',
      );
    });
  });

  describe('when file names break the path rules', () => {
    it('refuses a name that is not UTF-8 with MANIFEST_PATH_NOT_UTF8', async () => {
      const root = tree({ f: 'x' });
      writeFileSync(Buffer.concat([Buffer.from(`${root}/bad-`), Buffer.from([0xff, 0xfe])]), 'x');
      expect(await codeOf(walkTree(root))).toBe('MANIFEST_PATH_NOT_UTF8');
    });

    it('refuses a backslash or a newline in a name (lineproof), allows them in oms mode', async () => {
      const root = tree({ 'a\\b': 'x' });
      expect(await codeOf(walkTree(root))).toBe('MANIFEST_PATH_BACKSLASH');
      expect((await walkTree(root, { pathRules: 'lenient' })).files.map((f) => f.path)).toEqual(['a\\b']);
      const root2 = tree({ 'a\nb': 'x' });
      expect(await codeOf(walkTree(root2))).toBe('MANIFEST_PATH_CONTROL_CHAR');
    });

    it('refuses two names equal after NFC (MANIFEST_NFC_COLLISION) before reading any file', async () => {
      const root = tree({ 'caf\u00e9': '1', 'cafe\u0301': '2' });
      expect(await codeOf(hashDirectory(root))).toBe('MANIFEST_NFC_COLLISION');
    });
  });

  it('enforces maxEntries with LIMIT_EXCEEDED', async () => {
    const root = tree({ a: '', b: '', c: '' });
    expect(await codeOf(walkTree(root, { maxEntries: 2 }))).toBe('LIMIT_EXCEEDED');
  });

  it('stops with ABORTED', async () => {
    const root = tree({ a: '' });
    const ac = new AbortController();
    ac.abort();
    expect(await codeOf(walkTree(root, { signal: ac.signal }))).toBe('ABORTED');
  });
});
