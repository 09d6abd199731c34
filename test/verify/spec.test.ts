import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../helpers/fixtures.js';

const titles = (text: string) =>
  [...text.matchAll(/^\s*\*?\s*(\d+)\. \*\*([^*]+)\*\*/gm)].map((m) => `${m[1]}. ${m[2]}`);

describe('spec/verification.md and verifyChain', () => {
  const code = readFileSync(repoPath('src', 'verify', 'chain.ts'), 'utf8');
  const spec = readFileSync(repoPath('spec', 'verification.md'), 'utf8');
  const jsdoc = code.slice(
    code.indexOf("Verify a model's (or dataset's) chain offline"),
    code.indexOf('@returns the report and the resolved chain'),
  );
  it('list the same numbered steps', () => {
    expect(titles(jsdoc).length).toBe(12);
    expect(titles(spec)).toEqual(titles(jsdoc));
  });
  it('the code has a commented section for each step, in order', () => {
    const fnBody = (name: string) =>
      code.slice(code.indexOf(`function ${name}(`), code.indexOf('\n}\n', code.indexOf(`function ${name}(`)));
    const markers = (body: string) => [...body.matchAll(/\/\/ (\d+)\. /g)].map((m) => Number(m[1]));
    const main = fnBody('verifyLevel');
    // Steps 8-11 run per candidate approval inside checkChain, called between steps 7 and 12.
    expect(markers(main)).toEqual([1, 2, 3, 5, 6, 7, 12]);
    expect(main.indexOf('checkChain(')).toBeGreaterThan(main.indexOf('// 7. '));
    expect(main.indexOf('checkChain(')).toBeLessThan(main.indexOf('// 12. '));
    expect(main).toMatch(/\/\/ 3\. Authenticate, 4\. parse\n/);
    expect(markers(fnBody('checkChain'))).toEqual([8, 9, 10, 11]);
  });
});
