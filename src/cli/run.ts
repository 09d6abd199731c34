import { readFileSync } from 'node:fs';
import { LineproofError } from '../errors.js';
import { CliError } from './errors.js';
import { didYouMean } from './args.js';
import { terminalSafe } from './terminal.js';
import { cliVersion } from './version.js';
import { EXIT, type CliContext, type CliIo, type Command, type ExitCode } from './types.js';

/** The real process's streams and environment. */
export function nodeIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stderr.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
  };
}

/** A command as the table knows it: its texts, and its module loaded only to run it. */
interface CommandEntry {
  name: string;
  summary: string;
  help: string;
  load(): Promise<Command>;
}

interface TableRow {
  name: string;
  summary: string;
  help: string;
  module: string;
  export: string;
}

let table: CommandEntry[] | undefined;

/**
 * The commands: from the table the build writes beside the command modules (dist/cli/commands/
 * table.json, scripts/postbuild.mjs), so start-up loads no command module; from the modules
 * themselves where there is no table (the sources, as the tests run them).
 */
async function commands(): Promise<CommandEntry[]> {
  if (table) return table;
  let rows: TableRow[] | undefined;
  try {
    rows = JSON.parse(readFileSync(new URL('./commands/table.json', import.meta.url), 'utf8')) as TableRow[];
  } catch {
    rows = undefined;
  }
  if (rows)
    table = rows.map((r) => ({
      name: r.name,
      summary: r.summary,
      help: r.help,
      load: async () => {
        const m = (await import(new URL(r.module, new URL('./commands/', import.meta.url)).href)) as Record<
          string,
          Command
        >;
        return m[r.export]!;
      },
    }));
  else {
    const { COMMANDS } = await import('./commands/index.js');
    table = COMMANDS.map((c) => ({ name: c.name, summary: c.summary, help: c.help, load: () => Promise.resolve(c) }));
  }
  return table;
}

function topHelp(COMMANDS: readonly CommandEntry[]): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'lineproof — a cryptographic trust chain for ML models, checkable offline.',
    '',
    'Usage: lineproof <command> [options]      lineproof <command> --help',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    '  --help, -h     show help (also after any command)',
    '  --version      print the version',
    '  --debug        print stack traces of unexpected errors',
    '  --quiet, -q    print nothing on standard output but --json; errors still on standard error',
    '  --json         (most commands) the machine form; an error is then {"error": {code, message, exitCode}} on standard output',
    '',
    'Exit codes: 0 success / verified; 1 the evidence fails; 2 usage or input error.',
    '',
  ].join('\n');
}

function groupHelp(prefix: string, cmds: readonly CommandEntry[]): string {
  const width = Math.max(...cmds.map((c) => c.name.length));
  return [
    `Usage: lineproof ${prefix} <command> [options]`,
    '',
    'Commands:',
    ...cmds.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}

/** Find the command whose words are the longest prefix of `argv`. */
function select(COMMANDS: readonly CommandEntry[], argv: string[]): { cmd: CommandEntry; rest: string[] } | undefined {
  let best: { cmd: CommandEntry; rest: string[] } | undefined;
  for (const cmd of COMMANDS) {
    const words = cmd.name.split(' ');
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.cmd.name.split(' ').length)) {
      best = { cmd, rest: argv.slice(words.length) };
    }
  }
  return best;
}

/**
 * Run the CLI with `argv` (without node and script) and return the exit code. Never throws and
 * never prints a stack trace unless `--debug` is given.
 */
export async function run(argv: string[], given: CliIo): Promise<ExitCode> {
  const debug = argv.includes('--debug');
  const quiet = argv.includes('--quiet') || argv.includes('-q');
  const args = argv.filter((a) => a !== '--debug' && a !== '--quiet' && a !== '-q');
  // --json: an error is a JSON object on standard output too (the exit code unchanged)
  const json = args.includes('--json');
  // Untrusted text (file names, chain fields, messages quoting them) never draws on a terminal:
  // stderr is always for people, so every control character there is escaped; stdout only when it
  // is a terminal, since piped it may be data. Progress lines write their own sequences raw.
  const rawStderr = given.stderr;
  const rawIo: CliIo = {
    ...given,
    stderr: (t) => given.stderr(terminalSafe(t)),
    ...(given.stdoutIsTTY ? { stdout: (t: string) => given.stdout(terminalSafe(t)) } : {}),
  };
  // --quiet: nothing on standard output but --json's, no progress; errors still on standard error
  const io: CliIo =
    quiet && !json ? { ...rawIo, stdout: () => {}, isTTY: false } : quiet ? { ...rawIo, isTTY: false } : rawIo;
  const ctx: CliContext = { io, debug, rawStderr };
  const fail = (code: ExitCode, errorCode: string, message: string): ExitCode => {
    io.stderr(`lineproof: ${message}\n`);
    if (json) rawIo.stdout(`${JSON.stringify({ error: { code: errorCode, message, exitCode: code } }, null, 2)}\n`);
    return code;
  };
  try {
    const COMMANDS = await commands();
    if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
      io.stdout(topHelp(COMMANDS));
      return args.length === 0 ? EXIT.USAGE : EXIT.OK;
    }
    if (args[0] === '--version' || args[0] === '-V') {
      io.stdout(`${cliVersion()}\n`);
      return EXIT.OK;
    }
    const found = select(COMMANDS, args);
    if (!found) {
      const group = COMMANDS.filter((c) => c.name.startsWith(`${args[0]} `));
      if (group.length > 0) {
        const wantsHelp = args.includes('--help') || args.includes('-h');
        io[wantsHelp ? 'stdout' : 'stderr'](groupHelp(args[0]!, group));
        if (!wantsHelp && args[1] !== undefined) {
          const hint = didYouMean(
            args[1],
            group.map((c) => c.name.slice(args[0]!.length + 1)),
          );
          return fail(
            EXIT.USAGE,
            'USAGE',
            `unknown command '${args[0]} ${args[1]}'${hint ? `; did you mean '${args[0]} ${hint}'?` : ''}`,
          );
        }
        return wantsHelp ? EXIT.OK : EXIT.USAGE;
      }
      const hint = didYouMean(args[0]!, [...new Set(COMMANDS.map((c) => c.name.split(' ')[0]!))]);
      return fail(
        EXIT.USAGE,
        'USAGE',
        `unknown command '${args[0]}'${hint ? `; did you mean '${hint}'?` : ''} (see 'lineproof --help')`,
      );
    }
    if (found.rest.includes('--help') || found.rest.includes('-h')) {
      io.stdout(found.cmd.help.endsWith('\n') ? found.cmd.help : `${found.cmd.help}\n`);
      return EXIT.OK;
    }
    const cmd = await found.cmd.load();
    if (cmd.ownQuiet && quiet) return await cmd.run(found.rest, { io: rawIo, debug, quiet: true, rawStderr });
    return await cmd.run(found.rest, ctx);
  } catch (e) {
    if (e instanceof CliError) return fail(e.exitCode, e.code, e.message);
    if (e instanceof LineproofError) {
      const code = fail(EXIT.USAGE, e.code, `${e.code}: ${e.message}`);
      if (debug && e.stack) io.stderr(`${e.stack}\n`);
      return code;
    }
    const code = fail(
      EXIT.USAGE,
      'INTERNAL',
      `internal error: ${e instanceof Error ? e.message : String(e)}${debug ? '' : ' (run with --debug for details)'}`,
    );
    if (debug && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
    return code;
  }
}
