/** Where a command reads and writes: the real process in production, buffers in tests. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** True when stderr is a terminal (progress lines are drawn only then). */
  isTTY: boolean;
  /** True when stdout is a terminal: its text is then made terminal-safe too (src/cli/terminal.ts). */
  stdoutIsTTY?: boolean;
}

/** Exit codes (decisions §2). */
export const EXIT = { OK: 0, FAIL: 1, USAGE: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Context handed to every command. */
export interface CliContext {
  io: CliIo;
  /** `--debug` was given: print stack traces of unexpected errors. */
  debug: boolean;
  /** `--quiet` was given (and the command says it handles it: {@link Command.ownQuiet}). */
  quiet?: boolean;
  /**
   * stderr as it is, for the progress lines' own `\r` and erase sequences; `io.stderr` escapes
   * every control character (src/cli/terminal.ts), so untrusted text cannot draw on the terminal.
   */
  rawStderr?: (text: string) => void;
}

/** One command (or sub-command such as `dsse sign`). */
export interface Command {
  /** Words that select it, e.g. `dsse sign`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text: usage, options, exit codes, examples. */
  help: string;
  /**
   * The command gives --quiet its own meaning (read from `ctx.quiet`) instead of the default: no
   * standard output but --json's.
   */
  ownQuiet?: boolean;
  /** Runs with the arguments after the command words; returns the exit code. */
  run(args: string[], ctx: CliContext): Promise<ExitCode>;
}
