import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliContext } from './types.js';
import { formatTimestamp, parseTimestamp } from '../time/index.js';
import { usage } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The parsed values: strings (or booleans) per option, arrays when `multiple`. */
export type ParsedValues<O extends Options> = {
  [K in keyof O]?: O[K] extends { type: 'boolean' }
    ? O[K] extends { multiple: true }
      ? boolean[]
      : boolean
    : O[K] extends { multiple: true }
      ? string[]
      : string;
};

/**
 * Parse a command's arguments with node:util parseArgs in strict mode; any unknown flag, missing
 * value or stray positional becomes a usage error (exit 2) naming the command.
 */
export function parseCommandArgs<O extends Options>(
  command: string,
  args: string[],
  options: O,
  positionals: { min?: number; max?: number } = { min: 0, max: 0 },
): { values: ParsedValues<O>; positionals: string[] } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: (positionals.max ?? 0) > 0 });
  } catch (e) {
    const message = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    const unknown = /^Unknown option '(--?[^']+)'/.exec(message)?.[1];
    const hint = unknown ? closestOption(unknown, Object.keys(options)) : undefined;
    throw usage(
      `${command}: ${message}${hint ? `; did you mean '--${hint}'?` : ''} (see 'lineproof ${command} --help')`,
    );
  }
  const n = parsed.positionals.length;
  if (n < (positionals.min ?? 0)) throw usage(`${command}: missing argument (see 'lineproof ${command} --help')`);
  if (n > (positionals.max ?? 0))
    throw usage(
      `${command}: unexpected argument ${JSON.stringify(parsed.positionals[positionals.max ?? 0])} (see 'lineproof ${command} --help')`,
    );
  return { values: parsed.values as ParsedValues<O>, positionals: parsed.positionals };
}

/** The closest option name to a mistyped flag. */
function closestOption(flag: string, names: readonly string[]): string | undefined {
  return didYouMean(flag.replace(/^--?/, '').replace(/=.*$/, ''), names);
}

/** The closest of `names` to `word` (a typo: within a third of its length, at most 3 edits, or a prefix), if any. */
export function didYouMean(word: string, names: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of names) {
    const d = name.startsWith(word) && word.length >= 3 ? 0.5 : levenshtein(word, name);
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.min(3, Math.max(1, Math.ceil(word.length / 3))) ? best.name : undefined;
}

/** Edit distance between two short strings. */
function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The value of a required string option, or a usage error naming it. */
export function required(command: string, values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '')
    throw usage(`${command}: --${name} is required (see 'lineproof ${command} --help')`);
  return v;
}

/** Parse a positive integer option (decimal), or a usage error naming it. */
export function intOption(
  command: string,
  name: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value)) throw usage(`${command}: --${name} expected an integer, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (n < min || n > max) throw usage(`${command}: --${name} expected ${min}..${max}, got ${n}`);
  return n;
}

/** Resolve a path given on the command line against the CLI's working directory. */
export function resolvePath(ctx: CliContext, p: string): string {
  return resolve(ctx.io.cwd, p);
}

/** `--at TIME` (RFC 3339 with Z or an offset), or now rounded up to the second; a usage error otherwise. */
export function atOption(command: string, value: string | undefined): string {
  if (value === undefined) return formatTimestamp(Date.now(), 'up');
  try {
    parseTimestamp(value, '--at');
  } catch (e) {
    throw usage(
      `${command}: --at ${(e as Error).message.replace(/^--at: /, '')} (RFC 3339 with Z or an offset, e.g. 2026-03-01T12:00:00Z)`,
    );
  }
  return value;
}

/** Whether a path exists (anything stat can see). */
export function pathExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
