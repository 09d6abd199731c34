import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorCodes } from '../src/errors.js';
import { repoPath } from './helpers/fixtures.js';

const BEGIN = '<!-- codes:begin (generated from src/errors.ts; UPDATE_GOLDENS=1 npm test rewrites it) -->';
const END = '<!-- codes:end -->';

function table(): string {
  const rows = errorCodes().map((c) => `| \`${c}\` | ${ERROR_CODES[c].replace(/\|/g, '\\|')} |`);
  return ['| code | meaning |', '| --- | --- |', ...rows].join('\n');
}

describe('spec/errors.md', () => {
  it('lists every code of src/errors.ts with its description', () => {
    const path = repoPath('spec', 'errors.md');
    const text = readFileSync(path, 'utf8');
    const start = text.indexOf(BEGIN);
    const end = text.indexOf(END);
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    const expected = `${text.slice(0, start + BEGIN.length)}\n${table()}\n${text.slice(end)}`;
    if (process.env.UPDATE_GOLDENS === '1') writeFileSync(path, expected);
    expect(process.env.UPDATE_GOLDENS === '1' ? readFileSync(path, 'utf8') : text).toBe(expected);
  });
});
