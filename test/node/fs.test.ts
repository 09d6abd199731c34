import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, readSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRegularFile, readFileLimited, specialFileKind } from '../../src/node/fs.js';
import { LineproofError } from '../../src/errors.js';
import { failure } from '../helpers/codes.js';
import { repoPath } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

describe('readFileLimited', () => {
  it('reads a regular file, and one through a symbolic link the caller named', () => {
    const d = tempDir();
    writeFileSync(join(d, 'a.json'), '{"a":1}');
    symlinkSync(join(d, 'a.json'), join(d, 'link.json'));
    expect(new TextDecoder().decode(readFileLimited(join(d, 'a.json'), 100))).toBe('{"a":1}');
    expect(new TextDecoder().decode(readFileLimited(join(d, 'link.json'), 100))).toBe('{"a":1}');
    expect(readFileLimited(join(d, 'a.json'), 7)).toHaveLength(7);
  });

  it('refuses a file over the limit (LIMIT_EXCEEDED) and names a missing one (IO_ERROR, cause ENOENT)', () => {
    const d = tempDir();
    writeFileSync(join(d, 'a.json'), '{"a":1}');
    expect(failure(() => readFileLimited(join(d, 'a.json'), 6, 'a.json'))).toEqual({
      code: 'LIMIT_EXCEEDED',
      path: 'a.json',
    });
    let e: unknown;
    try {
      readFileLimited(join(d, 'missing'), 10, 'missing');
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(LineproofError);
    expect((e as LineproofError).code).toBe('IO_ERROR');
    expect(((e as LineproofError).cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  describe('when the path is not a regular file', () => {
    it('a directory is IO_ERROR', () => {
      const d = tempDir();
      mkdirSync(join(d, 'sub'));
      expect(failure(() => readFileLimited(join(d, 'sub'), 10, 'sub'))).toEqual({ code: 'IO_ERROR', path: 'sub' });
    });
    it('a character device (/dev/zero, /dev/null) is SPECIAL_FILE_REFUSED, not read up to the limit', () => {
      expect(failure(() => readFileLimited('/dev/zero', 1 << 20))).toEqual({
        code: 'SPECIAL_FILE_REFUSED',
        path: '/dev/zero',
      });
      expect(failure(() => readFileLimited('/dev/null', 1 << 20))).toEqual({
        code: 'SPECIAL_FILE_REFUSED',
        path: '/dev/null',
      });
    });

    let server: Server | undefined;
    afterEach(() => server?.close());
    it('a socket is SPECIAL_FILE_REFUSED', async () => {
      const sock = join(tempDir(), 's.sock');
      server = createServer();
      await new Promise<void>((resolve) => server!.listen(sock, resolve));
      expect(failure(() => readFileLimited(sock, 100, 's.sock'))).toEqual({
        code: 'SPECIAL_FILE_REFUSED',
        path: 's.sock',
      });
    });

    it('a FIFO is SPECIAL_FILE_REFUSED at once, not waited on (checked in a child process, so a regression fails instead of hanging)', () => {
      const d = tempDir();
      execFileSync('mkfifo', [join(d, 'fifo')]);
      const script = `
        const { readFileLimited } = await import(${JSON.stringify(repoPath('dist', 'node', 'index.js'))});
        try { readFileLimited(process.argv[1], 100, 'fifo'); console.log('read'); }
        catch (e) { console.log(e.code, e.path, e.actual); }
      `;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, join(d, 'fifo')], {
        encoding: 'utf8',
        timeout: 15_000,
        killSignal: 'SIGKILL',
      });
      expect(r.signal, 'readFileLimited blocked on the FIFO').toBeNull();
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('SPECIAL_FILE_REFUSED fifo a FIFO');
    });
  });
});

describe('openRegularFile', () => {
  it('returns an open descriptor of the regular file and its stat', () => {
    const d = tempDir();
    writeFileSync(join(d, 'w.bin'), 'abc');
    const { fd, stat } = openRegularFile(join(d, 'w.bin'));
    try {
      expect(stat.isFile()).toBe(true);
      expect(stat.size).toBe(3);
      const buf = new Uint8Array(3);
      expect(readSync(fd, buf, 0, 3, 0)).toBe(3);
    } finally {
      closeSync(fd);
    }
  });
  it('refuses a device with SPECIAL_FILE_REFUSED naming what it is', () => {
    let e: unknown;
    try {
      openRegularFile('/dev/zero', 'zero');
    } catch (x) {
      e = x;
    }
    expect(e).toMatchObject({
      code: 'SPECIAL_FILE_REFUSED',
      path: 'zero',
      expected: 'a regular file',
      actual: 'a character device',
    });
  });
});

describe('specialFileKind', () => {
  it('names FIFOs, sockets and devices; undefined for files and directories', () => {
    const kind = (o: Partial<Record<'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice', boolean>>) =>
      specialFileKind({
        isFIFO: () => !!o.isFIFO,
        isSocket: () => !!o.isSocket,
        isCharacterDevice: () => !!o.isCharacterDevice,
        isBlockDevice: () => !!o.isBlockDevice,
      });
    expect(kind({ isFIFO: true })).toBe('a FIFO');
    expect(kind({ isSocket: true })).toBe('a socket');
    expect(kind({ isCharacterDevice: true })).toBe('a character device');
    expect(kind({ isBlockDevice: true })).toBe('a block device');
    expect(kind({})).toBeUndefined();
  });
});
