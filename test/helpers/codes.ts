import { LineproofError } from '../../src/errors.js';

function nameOf(e: unknown): string {
  return e instanceof Error ? e.name : `thrown ${typeof e}: ${String(e)}`;
}

/**
 * The LineproofError code `fn` throws; for any other error its name (`TypeError`, `RangeError`:
 * misuse), never a code; `undefined` when it does not throw.
 */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof LineproofError ? e.code : nameOf(e);
  }
  return undefined;
}

/** Like {@link codeOf}, with the error's path. */
export function failure(fn: () => unknown): { code: string; path: string | undefined } | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof LineproofError ? { code: e.code, path: e.path } : { code: nameOf(e), path: undefined };
  }
  return undefined;
}
