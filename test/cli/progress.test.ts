/**
 * Progress on every command that hashes (issue 19): bytes, throughput and time left, on a terminal
 * only, never on standard output, never with --quiet; and the line itself, from an injected clock.
 */
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashProgress, humanSeconds, progressLine } from '../../src/cli/progress.js';
import { run } from '../../src/cli/run.js';
import type { CliContext } from '../../src/cli/types.js';
import { tempDir } from '../helpers/tmp.js';
import { buildWorld } from '../helpers/world.js';

async function tty(args: string[], cwd: string, isTTY = true) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: {},
    cwd,
    isTTY,
  });
  return { code, stdout, stderr };
}

describe('progress', () => {
  it('says bytes, throughput and time left', () => {
    const p = { path: 'model/w.bin', bytesDone: 50_000_000, bytesTotal: 200_000_000, filesDone: 0, filesTotal: 1 };
    expect(progressLine(p, 1000)).toBe('hashing  25%  50.0 MB of 200 MB  50.0 MB/s  3 s left  0/1 files  model/w.bin');
    expect(progressLine({ ...p, bytesDone: 0 }, 0)).toMatch(/ 0 bytes\/s {2}\? left/);
    expect(humanSeconds(59.4)).toBe('59 s');
    expect(humanSeconds(185)).toBe('3 min 5 s');
    expect(humanSeconds(3720)).toBe('1 h 2 min');
  });

  it('draws at most five times a second, the last line always, and clears it', () => {
    let err = '';
    let now = 0;
    const ctx = {
      io: { stdout: () => {}, stderr: (t: string) => void (err += t), env: {}, cwd: '/', isTTY: true },
      debug: false,
    } as CliContext;
    const bar = hashProgress(ctx, () => now);
    const p = { path: 'x', bytesDone: 0, bytesTotal: 100 * 2 ** 20, filesDone: 0, filesTotal: 1 };
    for (let i = 1; i <= 10; i++) {
      now = i * 50;
      bar.onProgress!({ ...p, bytesDone: i * 2 ** 20 });
    }
    bar.onProgress!({ ...p, bytesDone: p.bytesTotal });
    bar.done();
    expect(err.split('\r').filter((l) => l.startsWith('hashing'))).toHaveLength(4);
    expect(err).toMatch(/hashing 100%/);
    expect(err.endsWith('\r\u001b[K')).toBe(true);
    const small = hashProgress(ctx, () => now);
    err = '';
    small.onProgress!({ ...p, bytesTotal: 1000, bytesDone: 1000 });
    expect(err).toBe('');
  });

  it('shows on verify --artifact and attest --subject on a terminal; never on stdout, a pipe or --quiet', async () => {
    const dir = tempDir('lineproof-progress-');
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'model', 'w.bin'), '');
    truncateSync(join(dir, 'model', 'w.bin'), 70 * 1024 * 1024);
    const world = await buildWorld();
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(world.doc));
    writeFileSync(join(dir, 'chain.intoto.jsonl'), world.bundle);
    expect((await tty(['keygen', '--out', 'k'], dir)).code).toBe(0);
    const attest = [
      'attest',
      'dataset',
      '--subject',
      'model',
      '--name',
      'd',
      '--version',
      '1',
      '--owner',
      'o',
      '--license',
      'MIT',
      '--sensitivity',
      'internal',
      '--pii',
      'no',
      '--key',
      'k.key',
      '--attester',
      'mailto:d@example.com',
      '--out',
      'x.json',
    ];
    const a = await tty(attest, dir);
    expect(a.stderr).toMatch(/hashing +\d+% .* (?:bytes|[KMGT]B)\/s .* left/);
    expect(a.stdout).not.toMatch(/hashing/);
    const piped = await tty(attest, dir, false);
    expect(piped.stderr).not.toMatch(/hashing/);
    const quiet = await tty([...attest, '--quiet', '--force'], dir);
    expect(quiet.stderr).not.toMatch(/hashing/);
    const verify = [
      'verify',
      '--chain',
      'chain.intoto.jsonl',
      '--policy',
      'policy.json',
      '--artifact',
      'model',
      '--use-case',
      'support-chat',
    ];
    const v = await tty(verify, dir);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/hashing +\d+% .* (?:bytes|[KMGT]B)\/s .* left/);
    expect(v.stdout).not.toMatch(/hashing/);
  });

  it('resolves predecessors before hashing: a missing one is said at once, the model never read', async () => {
    const dir = tempDir('lineproof-progress-pred-');
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'model', 'w.bin'), '');
    truncateSync(join(dir, 'model', 'w.bin'), 70 * 1024 * 1024);
    expect((await tty(['keygen', '--out', 'k'], dir)).code).toBe(0);
    const who = ['--key', 'k.key', '--attester', 'https://ci.example.com/x'];
    const training = await tty(
      [
        'attest',
        'training',
        '--subject',
        'model',
        '--started',
        '2026-01-01T00:00:00Z',
        '--finished',
        '2026-01-01T01:00:00Z',
        '--code',
        'git+https://e.com/t',
        '--commit',
        'a'.repeat(40),
        ...who,
        '--out',
        't.json',
      ],
      dir,
    );
    const evaluation = await tty(
      [
        'attest',
        'evaluation',
        '--subject',
        'model',
        '--suite',
        's',
        '--suite-version',
        '1',
        '--evaluator',
        'e',
        '--data',
        'h=k.pub',
        '--metric',
        'accuracy:a=0.9',
        '--result',
        'PASSED',
        ...who,
        '--out',
        'e.json',
      ],
      dir,
    );
    const approval = await tty(
      [
        'attest',
        'approval',
        '--subject',
        'model',
        '--decision',
        'APPROVED',
        '--stage',
        'staging',
        '--use-case',
        'u',
        '--use-case-description',
        'd',
        '--expires',
        '+1d',
        ...who,
        '--out',
        'a.json',
      ],
      dir,
    );
    const promotion = await tty(
      ['attest', 'promotion', '--subject', 'model', '--environment', 'e', ...who, '--out', 'p.json'],
      dir,
    );
    for (const r of [training, evaluation, approval, promotion]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/PREDECESSOR_NOT_FOUND/);
      expect(r.stderr).not.toMatch(/hashing/);
    }
  });
});
