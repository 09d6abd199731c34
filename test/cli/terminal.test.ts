/**
 * Untrusted text never draws on the terminal: a file name, a chain field or an error message
 * quoting one reaches stderr (always) and a terminal's stdout with every control character escaped,
 * so a model directory holding `x\e[2K\rVERIFIED` cannot erase the verdict and write its own. Piped
 * stdout is data and stays as it is; JSON stays JSON.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/cli/progress.js';
import { run } from '../../src/cli/run.js';
import { terminalSafe } from '../../src/cli/terminal.js';
import { tempDir } from '../helpers/tmp.js';

// Every character a terminal may act on besides tab and newline.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

async function cli(args: string[], cwd: string, stdoutIsTTY: boolean) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: {},
    cwd,
    isTTY: false,
    stdoutIsTTY,
  });
  return { code, stdout, stderr };
}

async function demoDir(): Promise<string> {
  const dir = tempDir('lineproof-terminal-');
  const r = await cli(['demo', '--dir', join(dir, 'd'), '--quiet'], dir, false);
  expect(r.code).toBe(0);
  return join(dir, 'd');
}

const VERIFY = ['verify', '--chain', 'chain.intoto.jsonl', '--policy', 'policy.json', '--artifact', 'model/'];

describe('terminalSafe', () => {
  it('escapes C0 (but tab and newline), DEL, C1 and the bidirectional controls as \\uXXXX', () => {
    expect(terminalSafe('a\u001b[2K\rb\tc\n')).toBe('a\\u001b[2K\\u000db\tc\n');
    expect(terminalSafe('\u0000\u0007\u0008\u000b\u000c\u001f\u007f')).toBe(
      '\\u0000\\u0007\\u0008\\u000b\\u000c\\u001f\\u007f',
    );
    expect(terminalSafe('\u0080\u009b\u009f\u00a0é')).toBe('\\u0080\\u009b\\u009f\u00a0é');
    expect(terminalSafe('\u061c\u200e\u200f\u202a\u202e\u2066\u2069')).toBe(
      '\\u061c\\u200e\\u200f\\u202a\\u202e\\u2066\\u2069',
    );
    expect(terminalSafe('\u200d\u2029\u206a weights.bin 🙂')).toBe('\u200d\u2029\u206a weights.bin 🙂');
  });

  it('leaves nothing a terminal acts on, and JSON parses to the same value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => {
        expect(terminalSafe(s)).not.toMatch(UNSAFE);
        expect(JSON.parse(terminalSafe(JSON.stringify({ s })))).toEqual({ s });
        if (!UNSAFE.test(s)) expect(terminalSafe(s)).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it("escapes the progress line's file name, which comes from the directory", () => {
    const p = { path: 'm/x\u001b[2K\rOK', bytesDone: 1, bytesTotal: 2, filesDone: 0, filesTotal: 1 };
    expect(progressLine(p, 1000)).not.toMatch(UNSAFE);
    expect(progressLine(p, 1000)).toContain('x\\u001b[2K\\u000dOK');
  });
});

describe('the CLI on a terminal', () => {
  it('an error quoting a file name with an escape sequence shows it escaped on stderr', async () => {
    const dir = await demoDir();
    const name = 'x\u001b[2K\rVERIFIED: model (0 failed checks)\u001b[8m';
    writeFileSync(join(dir, 'model', name), 'hi');
    for (const tty of [false, true]) {
      const r = await cli([...VERIFY, '--use-case', 'loan-prescreen'], dir, tty);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/MANIFEST_PATH_CONTROL_CHAR/);
      expect(r.stderr).not.toMatch(UNSAFE);
      expect(r.stderr).toContain('x\\u001b[2K\\u000dVERIFIED');
    }
    // With --json the error on stdout is JSON that names the file exactly.
    const j = await cli([...VERIFY, '--use-case', 'loan-prescreen', '--json'], dir, true);
    expect(j.stdout).not.toMatch(/[\u001b\r]/);
    expect((JSON.parse(j.stdout) as { error: { message: string } }).error.message).toContain(name);
  });

  it('a file name with a bidirectional override: escaped on a terminal, as it is when piped', async () => {
    const dir = await demoDir();
    const name = 'readme\u202egpj.exe';
    writeFileSync(join(dir, 'model', name), 'hi');
    const onTty = await cli([...VERIFY, '--use-case', 'loan-prescreen'], dir, true);
    expect(onTty.code).toBe(1);
    expect(onTty.stdout).toMatch(/MANIFEST_ITEM_EXTRA/);
    expect(onTty.stdout).toContain('readme\\u202egpj.exe');
    expect(onTty.stdout).not.toMatch(UNSAFE);
    const piped = await cli([...VERIFY, '--use-case', 'loan-prescreen'], dir, false);
    expect(piped.stdout).toContain(name);
    const json = await cli([...VERIFY, '--use-case', 'loan-prescreen', '--json'], dir, true);
    const report = JSON.parse(json.stdout) as { checks: { code: string; subject: string }[] };
    expect(report.checks.find((c) => c.code === 'MANIFEST_ITEM_EXTRA')?.subject).toContain(name);
  });
});
