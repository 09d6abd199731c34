/**
 * Strict JSON parsing of untrusted bytes (RFC 8259 grammar, I-JSON spirit).
 *
 * `JSON.parse` keeps the last of two duplicate keys silently; another parser may keep the first,
 * so two verifiers could disagree about what was signed. This parser refuses duplicates, lone
 * surrogates, non-finite numbers, a byte order mark, and input beyond the depth and size limits.
 * Every failure is a {@link LineproofError} with a code and a field path such as
 * `signatures[0].sig`; it never throws a raw `SyntaxError`.
 *
 * `__proto__` as a key becomes an ordinary own property (as with `JSON.parse`), so it cannot
 * change an object's prototype.
 */
import { LineproofError } from '../errors.js';
import { fromUtf8, isBytes } from '../bytes/index.js';
import { DEFAULT_LIMITS } from '../limits.js';

/** A JSON value as parsed: objects are plain objects, arrays are arrays. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Options for {@link parseJson}. */
export interface ParseJsonOptions {
  /** Deepest nesting of arrays and objects allowed (default 64). */
  maxDepth?: number;
  /** Largest input, in bytes (UTF-8) for byte input and UTF-16 code units for text (default 16 MiB). */
  maxBytes?: number;
  /** Names the input in error paths, e.g. `envelope` or a file name (default: none). */
  what?: string;
}

/** Append a key or index to a JSON path: `a.b`, `a[0]`, `a["odd key"]`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/**
 * Where character `offset` of `text` is, for humans: `line L, column C` (both from 1; columns count
 * UTF-16 code units, as editors' "go to" does for the BMP), and the character offset.
 */
export function textPosition(text: string, offset: number): string {
  const { line, column } = lineColumn(text, offset);
  return `line ${line}, column ${column}; character ${offset}`;
}

/** The 1-based line and column of character `offset` of `text` (lines end at LF; CRLF counts once). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: end - start + 1 };
}

class Parser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly maxDepth: number,
    private readonly what: string,
  ) {}

  private fail(
    code: 'JSON_SYNTAX' | 'JSON_DUPLICATE_KEY' | 'JSON_TOO_DEEP' | 'JSON_LONE_SURROGATE' | 'JSON_NUMBER_OUT_OF_RANGE',
    msg: string,
    path: string,
  ): never {
    const where = path === '' ? this.what || '$' : this.what ? `${this.what}: ${path}` : path;
    throw new LineproofError(code, `${where}: ${msg} (${textPosition(this.s, this.i)})`, {
      path: path === '' ? this.what || '$' : path,
    });
  }

  parseDocument(): JsonValue {
    this.ws();
    const v = this.value('', 0);
    this.ws();
    if (this.i !== this.s.length) this.fail('JSON_SYNTAX', 'unexpected text after the JSON value', '');
    return v;
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else break;
    }
  }

  private value(path: string, depth: number): JsonValue {
    const c = this.s.charCodeAt(this.i);
    switch (c) {
      case 0x7b: // {
        return this.object(path, depth + 1);
      case 0x5b: // [
        return this.array(path, depth + 1);
      case 0x22: // "
        return this.string(path);
      case 0x74: // t
        return this.literal('true', true, path);
      case 0x66: // f
        return this.literal('false', false, path);
      case 0x6e: // n
        return this.literal('null', null, path);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number(path);
        if (Number.isNaN(c)) this.fail('JSON_SYNTAX', 'unexpected end of input', path);
        return this.fail('JSON_SYNTAX', `unexpected character ${JSON.stringify(this.s[this.i])}`, path);
    }
  }

  private literal<T extends JsonValue>(word: string, v: T, path: string): T {
    if (this.s.startsWith(word, this.i)) {
      this.i += word.length;
      return v;
    }
    return this.fail('JSON_SYNTAX', `invalid literal`, path);
  }

  private object(path: string, depth: number): JsonObject {
    if (depth > this.maxDepth) this.fail('JSON_TOO_DEEP', `nesting deeper than ${this.maxDepth}`, path);
    this.i++; // {
    const out: JsonObject = {};
    const seen = new Set<string>();
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x22) this.fail('JSON_SYNTAX', 'expected a string key', path);
      const key = this.string(path);
      const childPath = joinPath(path, key);
      if (seen.has(key)) this.fail('JSON_DUPLICATE_KEY', `duplicate key ${JSON.stringify(key)}`, childPath);
      seen.add(key);
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x3a) this.fail('JSON_SYNTAX', 'expected ":"', childPath);
      this.i++;
      this.ws();
      const v = this.value(childPath, depth);
      if (key === '__proto__')
        Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x7d) {
        this.i++;
        return out;
      }
      this.fail('JSON_SYNTAX', Number.isNaN(c) ? 'unexpected end of input in object' : 'expected "," or "}"', path);
    }
  }

  private array(path: string, depth: number): JsonValue[] {
    if (depth > this.maxDepth) this.fail('JSON_TOO_DEEP', `nesting deeper than ${this.maxDepth}`, path);
    this.i++; // [
    const out: JsonValue[] = [];
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(joinPath(path, out.length), depth));
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x5d) {
        this.i++;
        return out;
      }
      this.fail('JSON_SYNTAX', Number.isNaN(c) ? 'unexpected end of input in array' : 'expected "," or "]"', path);
    }
  }

  private string(path: string): string {
    const s = this.s;
    this.i++; // opening quote
    let out = '';
    let start = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail('JSON_SYNTAX', 'unterminated string', path);
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(start, this.i);
        this.i++;
        break;
      }
      if (c < 0x20) this.fail('JSON_SYNTAX', 'unescaped control character in string', path);
      if (c === 0x5c) {
        out += s.slice(start, this.i);
        this.i++;
        const e = s[this.i];
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = s.slice(this.i + 1, this.i + 5);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('JSON_SYNTAX', 'invalid \\u escape', path);
            out += String.fromCharCode(parseInt(hex, 16));
            this.i += 4;
            break;
          }
          default:
            this.fail('JSON_SYNTAX', 'invalid escape', path);
        }
        this.i++;
        start = this.i;
        continue;
      }
      this.i++;
    }
    // Lone surrogates can come from \u escapes or from a JS string given as input.
    for (let k = 0; k < out.length; k++) {
      const c = out.charCodeAt(k);
      if (c >= 0xd800 && c <= 0xdbff) {
        const n = out.charCodeAt(k + 1);
        if (n >= 0xdc00 && n <= 0xdfff) k++;
        else this.fail('JSON_LONE_SURROGATE', 'string holds a lone surrogate', path);
      } else if (c >= 0xdc00 && c <= 0xdfff) this.fail('JSON_LONE_SURROGATE', 'string holds a lone surrogate', path);
    }
    return out;
  }

  private number(path: string): number {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (!m) return this.fail('JSON_SYNTAX', 'invalid number', path);
    const text = m[0];
    const next = this.s.charCodeAt(this.i + text.length);
    if ((next >= 0x30 && next <= 0x39) || next === 0x2e || next === 0x65 || next === 0x45) {
      this.fail('JSON_SYNTAX', 'malformed number', path);
    }
    const v = Number(text);
    if (!Number.isFinite(v))
      this.fail('JSON_NUMBER_OUT_OF_RANGE', `number ${text.slice(0, 24)} is out of range for a double`, path);
    this.i += text.length;
    return v;
  }
}

/**
 * Parse untrusted JSON strictly.
 *
 * @param input UTF-8 bytes (a Buffer is accepted) or a string
 * @param options limits and the input's name for error paths
 * @returns the parsed value (objects are plain objects)
 * @throws {LineproofError} JSON_SYNTAX, JSON_DUPLICATE_KEY, JSON_TOO_DEEP, JSON_TOO_LARGE,
 *   JSON_LONE_SURROGATE, JSON_NUMBER_OUT_OF_RANGE, JSON_BOM, UTF8_INVALID
 * @example
 * ```ts
 * parseJson('{"a":[1,2]}'); // { a: [1, 2] }
 * parseJson('{"a":1,"a":2}'); // throws LineproofError JSON_DUPLICATE_KEY at path "a"
 * ```
 */
export function parseJson(input: Uint8Array | string, options: ParseJsonOptions = {}): JsonValue {
  const maxDepth = options.maxDepth ?? DEFAULT_LIMITS.jsonDepth;
  const maxBytes = options.maxBytes ?? DEFAULT_LIMITS.envelopeBytes;
  const what = options.what ?? '';
  let text: string;
  if (isBytes(input)) {
    if (input.length > maxBytes) {
      throw new LineproofError(
        'JSON_TOO_LARGE',
        `${what || 'JSON'}: ${input.length} bytes is more than the limit of ${maxBytes}`,
        { path: what || '$', expected: `<= ${maxBytes}`, actual: String(input.length) },
      );
    }
    if (input.length >= 3 && input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf) {
      throw new LineproofError('JSON_BOM', `${what || 'JSON'}: starts with a UTF-8 byte order mark`, {
        path: what || '$',
      });
    }
    text = fromUtf8(input, what || 'JSON');
  } else if (typeof input === 'string') {
    if (input.length > maxBytes) {
      throw new LineproofError(
        'JSON_TOO_LARGE',
        `${what || 'JSON'}: ${input.length} characters is more than the limit of ${maxBytes}`,
        { path: what || '$' },
      );
    }
    if (input.charCodeAt(0) === 0xfeff)
      throw new LineproofError('JSON_BOM', `${what || 'JSON'}: starts with a byte order mark`, { path: what || '$' });
    text = input;
  } else {
    throw new TypeError(`"input" expected Uint8Array or string, got ${input === null ? 'null' : typeof input}`);
  }
  return new Parser(text, maxDepth, what).parseDocument();
}

/** True when `v` is a JSON object (not null, not an array). */
export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isBytes(v);
}
