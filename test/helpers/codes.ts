import { LineproofError } from '../../src/errors.js';

/** The LineproofError code `fn` throws, `undefined` when it does not throw, or a marker for any other error. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof LineproofError ? e.code : `not a LineproofError: ${String(e)}`;
  }
  return undefined;
}

/** The code and path of the LineproofError `fn` throws, or `undefined` when it does not throw. */
export function failure(fn: () => unknown): { code: string; path: string | undefined } | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof LineproofError) return { code: e.code, path: e.path };
    return { code: `not a LineproofError: ${String(e)}`, path: undefined };
  }
  return undefined;
}
