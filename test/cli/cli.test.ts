import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { repoPath } from '../helpers/fixtures.js';

describe('lineproof CLI', () => {
  it('prints help with exit 0, and usage with exit 2 when given nothing', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: lineproof/);
    expect(help.stdout).toMatch(/Exit codes/);
    expect((await cli([])).code).toBe(2);
  });
  it('prints the version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
  it('rejects an unknown command with exit 2 and no stack trace', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(r.stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  });
  it('every command has --help', async () => {
    const { COMMANDS } = await import('../../src/cli/commands/index.js');
    for (const c of COMMANDS) {
      const r = await cli([...c.name.split(' '), '--help']);
      expect(r.code, c.name).toBe(0);
      expect(r.stdout, c.name).toMatch(/Usage: lineproof/);
    }
  });

  describe('canonical', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineproof-cli-'));
    it('prints the canonical form', async () => {
      const f = join(dir, 'a.json');
      writeFileSync(f, '{ "b": 1, "a": [true] }');
      const r = await cli(['canonical', f]);
      expect(r).toMatchObject({ code: 0, stdout: '{"a":[true],"b":1}' });
    });
    it('exits 1 with the code for a duplicate key', async () => {
      const f = join(dir, 'dup.json');
      writeFileSync(f, '{"a":1,"a":2}');
      const r = await cli(['canonical', f]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/JSON_DUPLICATE_KEY/);
    });
    it('exits 2 for a missing file and for a bad flag', async () => {
      expect((await cli(['canonical', join(dir, 'nope.json')])).code).toBe(2);
      expect((await cli(['canonical', '--frob', 'x'])).code).toBe(2);
      expect((await cli(['canonical'])).code).toBe(2);
    });
  });

  it('the built bin runs (npm ci builds dist/ through prepare)', () => {
    const r = spawnSync(process.execPath, [repoPath('dist', 'cli', 'main.js'), '--version'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
