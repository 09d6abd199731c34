import { LineproofError, type ErrorCode } from '../errors.js';
import { EXIT, type ExitCode } from './types.js';

/**
 * An error that ends a command with a chosen exit code and a one-line message (no stack trace).
 * Operator errors (bad flags, missing files, invalid policy or key files) use exit 2; evidence
 * that fails uses exit 1.
 */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly code: ErrorCode | 'USAGE' = 'INVALID_ARGUMENT',
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A usage error: exit 2. */
export function usage(message: string): CliError {
  return new CliError(EXIT.USAGE, message, 'INVALID_ARGUMENT');
}

/**
 * Run `fn`; a LineproofError it throws becomes a CliError with `exitCode` (use EXIT.FAIL around
 * reading evidence, EXIT.USAGE around reading operator inputs such as keys and policies).
 */
export async function asExit<T>(exitCode: ExitCode, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof LineproofError) throw new CliError(exitCode, `${e.code}: ${e.message}`, e.code);
    throw e;
  }
}
