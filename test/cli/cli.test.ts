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
  it('the built command table (start-up loads no command module) is the commands, in order, and runs them', async () => {
    // npm test builds first (pretest); the table is what the installed bin reads
    const { COMMANDS } = await import('../../src/cli/commands/index.js');
    const { existsSync, readFileSync } = await import('node:fs');
    const { repoPath } = await import('../helpers/fixtures.js');
    const path = repoPath('dist', 'cli', 'commands', 'table.json');
    expect(existsSync(path), 'dist/cli/commands/table.json: run npm run build').toBe(true);
    const rows = JSON.parse(readFileSync(path, 'utf8')) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.name, r.summary, r.help])).toEqual(COMMANDS.map((c) => [c.name, c.summary, c.help]));
    const { spawnSync } = await import('node:child_process');
    const bin = repoPath('dist', 'cli', 'main.js');
    const help = spawnSync(process.execPath, [bin, 'verify', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(COMMANDS.find((c) => c.name === 'verify')!.help);
    const run = spawnSync(process.execPath, [bin, 'canonical', '-'], { input: '{"b":1,"a":2}', encoding: 'utf8' });
    expect(run.stdout).toBe('{"a":2,"b":1}');
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

describe('a CLI that guides', () => {
  it('suggests the command or flag meant, and says errors as JSON with --json (exit code unchanged)', async () => {
    const typo = await cli(['verfy']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown command 'verfy'; did you mean 'verify'\?/);
    const sub = await cli(['policy', 'chek', 'x']);
    expect(sub.stderr).toMatch(/did you mean 'policy check'\?/);
    const flag = await cli(['verify', '--chian', 'x']);
    expect(flag.stderr).toMatch(/Unknown option '--chian'; did you mean '--chain'\?/);
    expect((await cli(['verify', '--zzzzzzzz', 'x'])).stderr).not.toMatch(/did you mean/);
    const json = await cli(['verify', '--chian', 'x', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/--chian/), exitCode: 2 },
    });
    const missing = await cli(['hash', 'no-such-file', '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).error.code).toBe('IO_ERROR');
  });

  it('--quiet prints nothing on standard output (but --json), errors still on standard error', async () => {
    const q = await cli(['hash', 'package.json', '--quiet']);
    expect(q).toMatchObject({ code: 0, stdout: '' });
    const qj = await cli(['hash', 'package.json', '--quiet', '--json']);
    expect(JSON.parse(qj.stdout).digest).toMatch(/^sha256:/);
    const bad = await cli(['hash', 'no-such-file', '-q']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/no-such-file/);
  });
});
