import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineproofError } from '../../src/errors.js';
import { writeFileChecked } from '../../src/node/fs.js';

const dir = mkdtempSync(join(tmpdir(), 'lineproof-write-'));

function failure(f: () => void): { code: string; message: string; cause: string | undefined } | 'OK' {
  try {
    f();
    return 'OK';
  } catch (e) {
    if (!(e instanceof LineproofError)) throw e;
    return { code: e.code, message: e.message, cause: (e.cause as NodeJS.ErrnoException | undefined)?.code };
  }
}

describe('writeFileChecked: the one checked file write', () => {
  it('writes in place, creating or replacing the file', () => {
    const p = join(dir, 'a.txt');
    writeFileChecked(p, 'one');
    writeFileChecked(p, Uint8Array.of(0x74, 0x77, 0x6f));
    expect(readFileSync(p, 'utf8')).toBe('two');
  });

  it('a failure is IO_ERROR naming the file as the caller does, with the system error as cause', () => {
    expect(failure(() => writeFileChecked(join(dir, 'missing', 'x'), 'x', { what: 'out.json' }))).toEqual({
      code: 'IO_ERROR',
      message: 'out.json: cannot write (ENOENT)',
      cause: 'ENOENT',
    });
  });

  it('atomic: the final mode, no temporary file left, and without overwrite an existing file is kept', () => {
    const p = join(dir, 'k.key');
    writeFileChecked(p, 'secret', { mode: 0o600, atomic: true, overwrite: false });
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(failure(() => writeFileChecked(p, 'other', { mode: 0o600, atomic: true, overwrite: false }))).toEqual({
      code: 'IO_ERROR',
      message: `${p}: cannot write (EEXIST)`,
      cause: 'EEXIST',
    });
    expect(readFileSync(p, 'utf8')).toBe('secret');
    writeFileChecked(p, 'replaced', { mode: 0o644, atomic: true });
    expect(readFileSync(p, 'utf8')).toBe('replaced');
    expect(statSync(p).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('atomic writes every byte of a large file', () => {
    const p = join(dir, 'big.bin');
    const bytes = Uint8Array.from({ length: 3 << 20 }, (_, i) => (i * 7) & 0xff);
    writeFileSync(p, 'old');
    writeFileChecked(p, bytes, { atomic: true });
    expect(readFileSync(p).equals(bytes)).toBe(true);
  });
});
