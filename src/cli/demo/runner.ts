/**
 * How the demo runs its steps: each `lineproof` command through the CLI's own `run` in-process
 * (the same code as the executable, without a Node start-up per step), in the demo folder, with
 * its output captured; each shell step (a copy, a flipped byte) done in JavaScript and recorded
 * as the POSIX command that does the same. Every step is recorded with its exact command line
 * and checked against what it should do: an exit code and the codes its output must name.
 */
import { run } from '../run.js';
import type { CliIo } from '../types.js';

/** One recorded step. */
export interface DemoStep {
  id: string;
  /** One line: what the step shows. */
  proves: string;
  kind: 'lineproof' | 'shell';
  /** The lineproof arguments (kind lineproof). */
  args?: string[];
  /** The command line, as printed and as written to COMMANDS.sh. */
  command: string;
  exit: number;
  expectedExit: number;
  /** The codes its output names (FAIL lines, error codes). */
  codes: string[];
  expectedCodes: string[];
  ok: boolean;
  output: string;
}

export interface Expect {
  exit?: number;
  /** Codes the output must name. */
  codes?: string[];
  /** Texts the output must hold. */
  texts?: string[];
  /** Print the command's output under it (verifications, rejections). */
  show?: boolean;
}

/** A word for a POSIX shell: quoted only when it has to be, in single quotes. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The codes a command's output names: `FAIL CODE …` lines and `lineproof: CODE: …` errors. */
export function codesIn(output: string): string[] {
  const found = [
    ...output.matchAll(/^ *(?:FAIL|SKIP) ([A-Z][A-Z0-9_]+) /gm),
    ...output.matchAll(/^lineproof: (?:[a-z]+ )*?(?:[a-z-]+: )?([A-Z][A-Z0-9_]{3,}):/gm),
  ];
  return [...new Set(found.map((m) => m[1]!))];
}

export class DemoRunner {
  readonly steps: DemoStep[] = [];
  readonly problems: string[] = [];
  private readonly env: Record<string, string | undefined>;

  /**
   * @param dir the demo folder: every command runs there, with paths relative to it
   * @param prefix how the printed commands call the CLI (`npx lineproof`, or with --prefix)
   * @param print where the progress goes (nothing with --quiet or --json)
   */
  constructor(
    readonly dir: string,
    readonly prefix: string,
    private readonly print: (text: string) => void,
    env: Record<string, string | undefined>,
  ) {
    // The demo's keys are written unencrypted: a passphrase in the caller's environment would
    // make every step derive a key (600,000 PBKDF2 rounds) for no gain in a throw-away folder.
    this.env = { ...env, LINEPROOF_KEY_PASSPHRASE: undefined };
  }

  /** Print a heading: a numbered section of the demo. */
  section(text: string): void {
    this.print(`\n== ${text}\n`);
  }

  /** Print a note under a step. */
  note(text: string): void {
    this.print(`${text.replace(/^/gm, '   ')}\n`);
  }

  /** Run `lineproof ARGS` in the demo folder, record it, and check it against `expect`. */
  async lineproof(id: string, proves: string, args: string[], expect: Expect = {}): Promise<DemoStep> {
    let output = '';
    const io: CliIo = {
      stdout: (t) => void (output += t),
      stderr: (t) => void (output += t),
      env: this.env,
      cwd: this.dir,
      isTTY: false,
    };
    const exit = await run(args, io);
    const command = `${this.prefix} ${args.map(shellWord).join(' ')}`;
    return this.record({ id, proves, kind: 'lineproof', args, command, exit, output }, expect);
  }

  /** Record a shell step done in JavaScript by `action`, printed as `command`. */
  shell(id: string, proves: string, command: string, action: () => void): DemoStep {
    let exit = 0;
    let output = '';
    try {
      action();
    } catch (e) {
      exit = 1;
      output = e instanceof Error ? e.message : String(e);
    }
    return this.record({ id, proves, kind: 'shell', command, exit, output }, {});
  }

  private record(
    step: Pick<DemoStep, 'id' | 'proves' | 'kind' | 'args' | 'command' | 'exit' | 'output'>,
    expect: Expect,
  ): DemoStep {
    const expectedExit = expect.exit ?? 0;
    const expectedCodes = expect.codes ?? [];
    const codes = codesIn(step.output);
    const wrong: string[] = [];
    if (step.exit !== expectedExit) wrong.push(`expected exit ${expectedExit}, got ${step.exit}`);
    for (const c of expectedCodes) if (!codes.includes(c)) wrong.push(`expected ${c} in its output`);
    for (const t of expect.texts ?? []) if (!step.output.includes(t)) wrong.push(`expected "${t}" in its output`);
    const done: DemoStep = { ...step, expectedExit, codes, expectedCodes, ok: wrong.length === 0 };
    this.steps.push(done);
    this.print(`-- ${step.proves}\n   $ ${step.command}\n`);
    if ((expect.show || !done.ok) && step.output.trim() !== '') this.note(step.output.trimEnd());
    this.print(`   (exit ${step.exit}${expectedCodes.length > 0 ? `: ${expectedCodes.join(', ')}` : ''})\n`);
    if (!done.ok) {
      const firstLine = step.output.trim().split('\n')[0] ?? '';
      this.problems.push(`${step.id} (${step.command}): ${wrong.join('; ')}${firstLine ? ` — ${firstLine}` : ''}`);
    }
    return done;
  }
}
