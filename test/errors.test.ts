import { describe, expect, it } from 'vitest';
import { ERROR_CODES, LineproofError, errorCodes, isLineproofError } from '../src/errors.js';

describe('error codes', () => {
  it('are UPPER_SNAKE_CASE with a description', () => {
    for (const code of errorCodes()) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(ERROR_CODES[code].length).toBeGreaterThan(10);
    }
  });
  it('LineproofError carries code, path, expected and actual', () => {
    const e = new LineproofError('HEX_INVALID', 'bad', { path: 'x.y', expected: 'a', actual: 'b' });
    expect(e).toBeInstanceOf(Error);
    expect(isLineproofError(e, 'HEX_INVALID')).toBe(true);
    expect(isLineproofError(e, 'JSON_SYNTAX')).toBe(false);
    expect([e.code, e.path, e.expected, e.actual, e.name]).toEqual(['HEX_INVALID', 'x.y', 'a', 'b', 'LineproofError']);
  });
});
