/**
 * Every example in every command's --help pastes into a POSIX shell as written (issue 19): no
 * unquoted character the shell would take as a redirection, pipe, glob or command separator
 * inside a word (`--metric accuracy:acc=0.93>=0.9` unquoted writes a file named `=0.9`). A
 * standalone `|`, `>` or `<` between words is a pipe or redirection on purpose.
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';

/** The example command lines of a help text, continuation lines joined. */
function examples(help: string): string[] {
  const lines = help.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s+([A-Z_]+=\S+ )*(npx )?lineproof /.test(lines[i]!)) continue;
    let line = lines[i]!.trim();
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!.trim()}`;
    out.push(line);
  }
  return out;
}

/** Characters of `line` the shell would treat specially outside quotes, inside a word. */
function unquotedSpecials(line: string): string[] {
  const found: string[] = [];
  let quote: string | undefined;
  const words = [];
  let word = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      word += c;
      continue;
    }
    if (c === '\\') {
      word += c + (line[++i] ?? '');
      continue;
    }
    if (c === '#' && word === '') break; // a comment
    if (c === ' ') {
      if (word) words.push(word);
      word = '';
      continue;
    }
    if ('<>|;&()*?[]`$'.includes(c)) word += `\u0000${c}`;
    else word += c;
  }
  if (word) words.push(word);
  for (const w of words) {
    if (['|', '>', '>>', '<', '2>', '&&'].includes(w.replace(/\u0000/g, ''))) continue;
    if (/^\$\(|^\$\{?[A-Z_]+\}?$/.test(w.replace(/\u0000/g, ''))) continue; // a variable on purpose
    const plain = w.replace(/\u0000/g, '');
    // a path glob (models/*/chain.intoto.jsonl) is the shell's on purpose
    const glob = plain.includes('/') && !plain.includes('=') && /^[^<>|;&()`$]*$/.test(plain);
    for (const m of w.matchAll(/\u0000(.)/g)) if (!(glob && '*?'.includes(m[1]!))) found.push(`${m[1]} in ${plain}`);
  }
  if (quote) found.push(`unclosed ${quote}`);
  return found;
}

describe('--help examples', () => {
  it('every command has at least one example', () => {
    const without = COMMANDS.filter((c) => examples(c.help).length === 0).map((c) => c.name);
    expect(without).toEqual([]);
  });
  it('paste into a shell as written', () => {
    const bad = COMMANDS.flatMap((c) =>
      examples(c.help).flatMap((e) => unquotedSpecials(e).map((s) => `${c.name}: ${s}  (${e.slice(0, 90)})`)),
    );
    expect(bad).toEqual([]);
  });
  it('the checker finds what the shell would misread', () => {
    expect(unquotedSpecials('lineproof attest evaluation --metric accuracy:acc=0.93>=0.9')).toEqual([
      '> in accuracy:acc=0.93>=0.9',
    ]);
    expect(unquotedSpecials("lineproof attest evaluation --metric 'accuracy:acc=0.93>=0.9'")).toEqual([]);
    expect(unquotedSpecials('lineproof report --format dot | dot -Tsvg > x.svg')).toEqual([]);
    expect(unquotedSpecials('lineproof hash data/*')).toEqual([]);
    expect(unquotedSpecials('lineproof attest training --param lr=1e-4;x')).toEqual(['; in lr=1e-4;x']);
    expect(unquotedSpecials('lineproof x sha256:<digest>')).toEqual(['< in sha256:<digest>', '> in sha256:<digest>']);
  });
});
