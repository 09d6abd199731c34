/**
 * What the demo leaves behind it: DIR/COMMANDS.sh (every command it ran, in order, runnable), the
 * layout of DIR as text, and the machine summary printed by --json.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHAIN } from './lifecycle.js';
import type { Rejection } from './rejections.js';
import type { DemoStep } from './runner.js';

/** The second line of COMMANDS.sh: how a folder is known to be a previous demo's. */
export const MARK = '# Written by `lineproof demo`';

/** The entries of the fixed layout: what a new run replaces. */
export const LAYOUT = ['keys', 'policy.json', 'dataset', 'model', CHAIN, 'rejected', 'report.html', 'COMMANDS.sh'];

/** Whether `dir` holds a previous demo (its COMMANDS.sh carries the mark). */
export function isPreviousDemo(dir: string): boolean {
  try {
    return readFileSync(join(dir, 'COMMANDS.sh'), 'utf8').split('\n')[1] === MARK;
  } catch {
    return false;
  }
}

/** Remove the layout's entries from `dir` (and nothing else). */
export function clearLayout(dir: string): void {
  for (const entry of LAYOUT) rmSync(join(dir, entry), { recursive: true, force: true });
}

/**
 * DIR/COMMANDS.sh: every step as run, in order. Key generation is left commented out (new keys
 * would not be the ones policy.json names); commands expected to fail are allowed their exit code.
 */
export function writeCommands(dir: string, steps: readonly DemoStep[], at: string): void {
  const lines = [
    '#!/bin/sh',
    MARK,
    `# (attestations issued at ${at}): every command it ran, in order. 'sh COMMANDS.sh' redoes`,
    "# them here from the attestations on: the data, the model and policy.json are the demo's own (no command made them), and keygen is",
    '# commented out, as new keys would not be the ones policy.json trusts. The attestations carry fixed',
    '# times (--at) and Ed25519 signatures are deterministic, so the chain comes out byte for byte the same;',
    '# the approval is valid for 30 days from then, after which the main verify fails APPROVAL_EXPIRED.',
    'set -e',
    'cd "$(dirname "$0")"',
    'unset LINEPROOF_KEY_PASSPHRASE   # the demo keys are not encrypted',
    `rm -rf ${CHAIN} report.html rejected`,
  ];
  for (const s of steps) {
    lines.push(
      '',
      `# ${s.proves}${s.expectedCodes.length ? ` (expected: exit ${s.expectedExit}, ${s.expectedCodes.join(', ')})` : ''}`,
    );
    if (s.id.startsWith('keygen-')) lines.push(`# ${s.command}`);
    else lines.push(s.expectedExit === 0 ? s.command : `${s.command} || [ $? -eq ${s.expectedExit} ]`);
  }
  writeFileSync(join(dir, 'COMMANDS.sh'), `${lines.join('\n')}\n`, { mode: 0o755 });
}

/** Every file under `dir`, relative, sorted. */
export function listFiles(dir: string, under = ''): string[] {
  return readdirSync(join(dir, under))
    .sort()
    .flatMap((f) => {
      const rel = under ? `${under}/${f}` : f;
      return statSync(join(dir, rel)).isDirectory() ? listFiles(dir, rel) : [rel];
    });
}

/** The layout of DIR, as printed at the end. */
export function layoutText(dir: string, rejected: readonly Rejection[]): string {
  const files = listFiles(dir);
  const under = (p: string) => files.filter((f) => f.startsWith(p)).map((f) => f.slice(p.length));
  const chainLines = readFileSync(join(dir, CHAIN), 'utf8').trimEnd().split('\n').length;
  const rows: [string, string][] = [
    [
      'keys/NAME.key, .pub',
      under('keys/')
        .filter((f) => f.endsWith('.key'))
        .map((f) => f.slice(0, -4))
        .join(', '),
    ],
    ['policy.json', 'the trust root: keys, roles, risk tiers and their gates, use cases'],
    ['dataset/', under('dataset/').join(', ')],
    ['model/', under('model/').join(', ')],
    [CHAIN, `${chainLines} lines: dataset, training, registration, evaluation, approval, its co-signature, promotion`],
    ['report.html', 'the audit page of the verified chain'],
    ...rejected.map((x): [string, string] => [
      `rejected/${x.name}/`,
      `${under(`rejected/${x.name}/`)
        .filter((f) => !f.startsWith('model/'))
        .concat(x.name === 'flipped-weight' ? ['model/'] : [])
        .join(', ')}: exit ${x.step.exit}, ${x.step.expectedCodes.join(', ')}`,
    ]),
    ['COMMANDS.sh', 'every command above, in order: sh COMMANDS.sh redoes them'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}

/** The --json summary. */
export function jsonSummary(input: {
  ok: boolean;
  dir: string;
  seconds: number;
  metrics: Record<string, number>;
  steps: readonly DemoStep[];
  rejected: readonly Rejection[];
  problems: readonly string[];
}): Record<string, unknown> {
  return {
    ok: input.ok,
    dir: input.dir,
    seconds: input.seconds,
    metrics: input.metrics,
    steps: input.steps.map((s) => ({
      id: s.id,
      proves: s.proves,
      kind: s.kind,
      command: s.command,
      ...(s.args ? { args: s.args } : {}),
      exit: s.exit,
      expectedExit: s.expectedExit,
      codes: s.codes,
      expectedCodes: s.expectedCodes,
      ok: s.ok,
    })),
    rejections: input.rejected.map((x) => ({
      name: x.name,
      what: x.what,
      command: x.step.command,
      exit: x.step.exit,
      codes: x.step.codes,
      expectedCodes: x.step.expectedCodes,
    })),
    files: listFiles(input.dir),
    problems: input.problems,
  };
}
