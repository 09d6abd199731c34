import { LineproofError } from '../errors.js';
import { COMMANDS } from './commands/index.js';
import { CliError } from './errors.js';
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
  };
}

function topHelp(): string {
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
    '',
    'Exit codes: 0 success / verified; 1 the evidence fails; 2 usage or input error.',
    '',
  ].join('\n');
}

function groupHelp(prefix: string, cmds: Command[]): string {
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
function select(argv: string[]): { cmd: Command; rest: string[] } | undefined {
  let best: { cmd: Command; rest: string[] } | undefined;
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
export async function run(argv: string[], io: CliIo): Promise<ExitCode> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const ctx: CliContext = { io, debug };
  try {
    if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
      io.stdout(topHelp());
      return args.length === 0 ? EXIT.USAGE : EXIT.OK;
    }
    if (args[0] === '--version' || args[0] === '-V') {
      io.stdout(`${cliVersion()}\n`);
      return EXIT.OK;
    }
    const found = select(args);
    if (!found) {
      const group = COMMANDS.filter((c) => c.name.startsWith(`${args[0]} `));
      if (group.length > 0) {
        const wantsHelp = args.includes('--help') || args.includes('-h');
        io[wantsHelp ? 'stdout' : 'stderr'](groupHelp(args[0]!, group));
        if (!wantsHelp && args[1] !== undefined) io.stderr(`lineproof: unknown command '${args[0]} ${args[1]}'\n`);
        return wantsHelp ? EXIT.OK : EXIT.USAGE;
      }
      io.stderr(`lineproof: unknown command '${args[0]}' (see 'lineproof --help')\n`);
      return EXIT.USAGE;
    }
    if (found.rest.includes('--help') || found.rest.includes('-h')) {
      io.stdout(found.cmd.help.endsWith('\n') ? found.cmd.help : `${found.cmd.help}\n`);
      return EXIT.OK;
    }
    return await found.cmd.run(found.rest, ctx);
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr(`lineproof: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof LineproofError) {
      io.stderr(`lineproof: ${e.code}: ${e.message}\n`);
      if (debug && e.stack) io.stderr(`${e.stack}\n`);
      return EXIT.USAGE;
    }
    io.stderr(
      `lineproof: internal error: ${e instanceof Error ? e.message : String(e)}${debug ? '' : ' (run with --debug for details)'}\n`,
    );
    if (debug && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
    return EXIT.USAGE;
  }
}
