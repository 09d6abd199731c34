/**
 * Every input file the CLI reads is opened with the special-file refusal (src/node/fs.ts
 * openRegularFile): a FIFO, a device or a directory given where a file is read ends the command
 * with exit 2 and a code at once — it is never waited on (a FIFO blocks an ordinary open until
 * someone writes) nor read forever (/dev/zero). Standard input is read only through an explicit `-`.
 *
 * These run the built bin (dist/cli/main.js, as `npm test` builds it) in a child process with a
 * timeout, so a regression fails instead of hanging the test run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateKeyToPem, publicKeyToPem } from '../../src/keys/keys.js';
import { cli } from '../helpers/cli.js';
import { repoPath } from '../helpers/fixtures.js';
import { statementBytes } from '../helpers/dsse.js';
import { buildWorld, key, MODEL, T } from '../helpers/world.js';

const BIN = repoPath('dist', 'cli', 'main.js');
/** Far above a refusal's run time (node start included), far below the test timeout. */
const HANG_MS = 15_000;
const dir = mkdtempSync(join(tmpdir(), 'lineproof-special-'));
const FIFO = join(dir, 'fifo');

function lineproof(
  args: string[],
  input?: string,
): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number } {
  const start = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: HANG_MS,
    killSignal: 'SIGKILL',
    env: { PATH: process.env.PATH ?? '' },
    ...(input !== undefined ? { input } : { stdio: ['ignore', 'pipe', 'pipe'] }),
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: Date.now() - start };
}

beforeAll(async () => {
  execFileSync('mkfifo', [FIFO]);
  const world = await buildWorld();
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(world.doc, null, 2));
  writeFileSync(join(dir, 'chain.intoto.jsonl'), world.bundle);
  writeFileSync(join(dir, 'steward.key'), privateKeyToPem(await key('steward')), { mode: 0o600 });
  writeFileSync(join(dir, 'steward.pub'), publicKeyToPem((await key('steward')).publicKey));
  writeFileSync(
    join(dir, 'ec.pub'),
    generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }),
  );
  writeFileSync(join(dir, 'statement.json'), statementBytes());
  writeFileSync(join(dir, 'predicate.json'), '{}');
  mkdirSync(join(dir, 'model'));
  writeFileSync(
    join(dir, 'model', 'w.bin'),
    new Uint8Array(70_000).map((_, i) => i & 0xff),
  );
  writeFileSync(join(dir, 'model.sig'), '{}');
  const proved = await cli([
    'hash',
    'prove',
    join(dir, 'model', 'w.bin'),
    '--leaf',
    '0',
    '--leaf-bytes',
    '65536',
    '--workers',
    '0',
    '--out',
    join(dir, 'proof.json'),
  ]);
  expect(proved.code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DIGEST = () => (JSON.parse(readFileSync(join(dir, 'proof.json'), 'utf8')) as { digest: string }).digest;
const VERIFY = (chain: string, policy: string) => [
  'verify',
  '--chain',
  chain,
  '--policy',
  policy,
  '--digest',
  MODEL,
  '--use-case',
  'support-chat',
  '--at',
  T.asOf,
  '--json',
];
const DATASET = [
  'attest',
  'dataset',
  '--subject',
  'model',
  '--name',
  'tickets',
  '--version',
  '1',
  '--owner',
  'data-team',
  '--license',
  'CC-BY-4.0',
  '--sensitivity',
  'internal',
  '--pii',
  'no',
  '--at',
  T.dataset,
];
const swap = (args: string[], from: string, to: string) => args.map((a) => (a === from ? to : a));

describe('a FIFO, a device or a directory given as an input file', () => {
  const rows: Array<[string, string, () => string[]]> = [
    ['verify --chain FIFO', 'SPECIAL_FILE_REFUSED', () => VERIFY('fifo', 'policy.json')],
    ['verify --policy FIFO', 'SPECIAL_FILE_REFUSED', () => VERIFY('chain.intoto.jsonl', 'fifo')],
    ['verify --policy /dev/zero', 'SPECIAL_FILE_REFUSED', () => VERIFY('chain.intoto.jsonl', '/dev/zero')],
    ['verify --chain /dev/zero', 'SPECIAL_FILE_REFUSED', () => VERIFY('/dev/zero', 'policy.json')],
    ['verify --policy DIRECTORY', 'IO_ERROR', () => VERIFY('chain.intoto.jsonl', 'model')],
    [
      'attest dataset --key FIFO',
      'SPECIAL_FILE_REFUSED',
      () => [...DATASET, '--key', 'fifo', '--chain', 'new.intoto.jsonl', '--policy', 'policy.json'],
    ],
    [
      'attest dataset --policy FIFO',
      'SPECIAL_FILE_REFUSED',
      () => [...DATASET, '--key', 'steward.key', '--chain', 'new.intoto.jsonl', '--policy', 'fifo'],
    ],
    [
      'attest dataset --chain FIFO',
      'SPECIAL_FILE_REFUSED',
      () => [...DATASET, '--key', 'steward.key', '--chain', 'fifo', '--policy', 'policy.json'],
    ],
    [
      'attest dataset --predicate FIFO',
      'SPECIAL_FILE_REFUSED',
      () => [
        ...DATASET,
        '--key',
        'steward.key',
        '--chain',
        'new.intoto.jsonl',
        '--policy',
        'policy.json',
        '--predicate',
        'fifo',
      ],
    ],
    [
      'attest dataset --predicate /dev/zero',
      'SPECIAL_FILE_REFUSED',
      () => [...DATASET, '--key', 'steward.key', '--out', 'out.json', '--predicate', '/dev/zero'],
    ],
    [
      'attest cosign --chain FIFO',
      'SPECIAL_FILE_REFUSED',
      () => [
        'attest',
        'cosign',
        '--payload-digest',
        `sha256:${'00'.repeat(32)}`,
        '--key',
        'steward.key',
        '--chain',
        'fifo',
      ],
    ],
    [
      'attest cosign --policy FIFO',
      'SPECIAL_FILE_REFUSED',
      () => [
        'attest',
        'cosign',
        '--payload-digest',
        `sha256:${'00'.repeat(32)}`,
        '--key',
        'steward.key',
        '--chain',
        'chain.intoto.jsonl',
        '--policy',
        'fifo',
      ],
    ],
    ['inspect --chain FIFO', 'SPECIAL_FILE_REFUSED', () => ['inspect', '--chain', 'fifo']],
    [
      'inspect --policy FIFO',
      'SPECIAL_FILE_REFUSED',
      () => ['inspect', '--chain', 'chain.intoto.jsonl', '--policy', 'fifo'],
    ],
    [
      'dsse sign --key FIFO',
      'SPECIAL_FILE_REFUSED',
      () => ['dsse', 'sign', '--key', 'fifo', '--type', 'application/vnd.in-toto+json', '--in', 'statement.json'],
    ],
    [
      'dsse sign --in FIFO',
      'SPECIAL_FILE_REFUSED',
      () => ['dsse', 'sign', '--key', 'steward.key', '--type', 'application/vnd.in-toto+json', '--in', 'fifo'],
    ],
    [
      'dsse verify --key FIFO',
      'SPECIAL_FILE_REFUSED',
      () => ['dsse', 'verify', '--key', 'fifo', '--in', 'statement.json'],
    ],
    ['dsse verify --in FIFO', 'SPECIAL_FILE_REFUSED', () => ['dsse', 'verify', '--key', 'steward.pub', '--in', 'fifo']],
    [
      'dsse verify --in /dev/zero',
      'SPECIAL_FILE_REFUSED',
      () => ['dsse', 'verify', '--key', 'steward.pub', '--in', '/dev/zero'],
    ],
    ['bundle to-sigstore --in FIFO', 'SPECIAL_FILE_REFUSED', () => ['bundle', 'to-sigstore', '--in', 'fifo']],
    ['bundle from-sigstore --in FIFO', 'SPECIAL_FILE_REFUSED', () => ['bundle', 'from-sigstore', '--in', 'fifo']],
    [
      'oms verify --key FIFO',
      'SPECIAL_FILE_REFUSED',
      () => ['oms', 'verify', '--model', 'model', '--signature', 'model.sig', '--key', 'fifo'],
    ],
    [
      'oms verify --signature FIFO',
      'SPECIAL_FILE_REFUSED',
      () => ['oms', 'verify', '--model', 'model', '--signature', 'fifo', '--key', 'ec.pub'],
    ],
    [
      'oms sign --key FIFO',
      'SPECIAL_FILE_REFUSED',
      () => ['oms', 'sign', '--model', 'model', '--key', 'fifo', '--out', 'out.sig'],
    ],
    ['canonical FIFO', 'SPECIAL_FILE_REFUSED', () => ['canonical', 'fifo']],
    ['canonical /dev/zero', 'SPECIAL_FILE_REFUSED', () => ['canonical', '/dev/zero']],
    ['hash prove FIFO', 'SPECIAL_FILE_REFUSED', () => ['hash', 'prove', 'fifo', '--leaf', '0']],
    [
      'hash check-proof --proof FIFO',
      'SPECIAL_FILE_REFUSED',
      () => ['hash', 'check-proof', '--proof', 'fifo', '--digest', DIGEST(), '--file', 'model/w.bin'],
    ],
    [
      'hash check-proof --file FIFO',
      'SPECIAL_FILE_REFUSED',
      () => ['hash', 'check-proof', '--proof', 'proof.json', '--digest', DIGEST(), '--file', 'fifo'],
    ],
    [
      'hash check-proof --chunk /dev/zero',
      'SPECIAL_FILE_REFUSED',
      () => ['hash', 'check-proof', '--proof', 'proof.json', '--digest', DIGEST(), '--chunk', '/dev/zero'],
    ],
  ];
  it.each(rows)('%s exits 2 at once with %s', (_name, code, args) => {
    const r = lineproof(args());
    expect(r.signal, `still running after ${HANG_MS} ms (blocked on the input?)`).toBeNull();
    expect(r.stderr).toMatch(new RegExp(`^lineproof: ${code}: `));
    expect(r.status).toBe(2);
    // nothing on standard output but, with --json, the error as JSON
    if (args().includes('--json')) expect(JSON.parse(r.stdout)).toMatchObject({ error: { code, exitCode: 2 } });
    else expect(r.stdout).toBe('');
  });
});

describe('standard input is read only through an explicit "-"', () => {
  it('canonical - reads a pipe', () => {
    const r = lineproof(['canonical', '-'], '{"b":1,"a":[true,null]}');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('{"a":[true,null],"b":1}');
  });
  it('dsse sign --in - reads a pipe', () => {
    const r = lineproof(
      ['dsse', 'sign', '--key', 'steward.key', '--type', 'application/vnd.in-toto+json', '--in', '-'],
      readFileSync(join(dir, 'statement.json'), 'utf8'),
    );
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ payloadType: 'application/vnd.in-toto+json' });
  });
  it('/dev/stdin named as a file is refused like any pipe or socket (use "-")', () => {
    const r = lineproof(['canonical', '/dev/stdin'], '{}');
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^lineproof: SPECIAL_FILE_REFUSED: /);
  });
  it('sanity: the refusals are about the inputs (the same commands with regular files work)', () => {
    expect(lineproof(swap(VERIFY('fifo', 'policy.json'), 'fifo', 'chain.intoto.jsonl')).status).toBe(0);
    expect(lineproof(['canonical', 'predicate.json']).status).toBe(0);
    expect(
      lineproof(['hash', 'check-proof', '--proof', 'proof.json', '--digest', DIGEST(), '--file', 'model/w.bin']).status,
    ).toBe(0);
  });
});
