/**
 * Canonical JSON: RFC 8785 (JCS) through the `canonicalize` package, after a strict walk.
 *
 * `canonicalize` (like `JSON.stringify`) silently drops `undefined`, turns NaN and Infinity into
 * `null`, calls `toJSON` (so a Date becomes a string) and serializes class instances as plain
 * objects. Signed bytes must mean exactly what the caller wrote, so the walk refuses every value
 * JSON cannot carry before any bytes are produced.
 */
import canonicalize from 'canonicalize';
import { LineproofError } from '../errors.js';
import { hasLoneSurrogate, utf8 } from '../bytes/index.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { joinPath, type JsonValue } from './strict.js';

function refuse(path: string, why: string): never {
  throw new LineproofError('JSON_NOT_REPRESENTABLE', `${path || '$'}: ${why}`, { path: path || '$' });
}

/**
 * Check that `value` is exactly representable as JSON: null, booleans, finite numbers, strings
 * without lone surrogates, dense arrays, and plain objects (prototype Object.prototype or null)
 * whose own enumerable string keys hold such values; no cycles; depth within the limit.
 * @throws {LineproofError} JSON_NOT_REPRESENTABLE or JSON_TOO_DEEP, with the path of the value
 */
export function assertJsonValue(
  value: unknown,
  maxDepth: number = DEFAULT_LIMITS.jsonDepth,
): asserts value is JsonValue {
  const stack = new Set<object>();
  const walk = (v: unknown, path: string, depth: number): void => {
    switch (typeof v) {
      case 'string':
        if (hasLoneSurrogate(v)) refuse(path, 'string holds a lone surrogate');
        return;
      case 'number':
        if (!Number.isFinite(v)) refuse(path, `number ${String(v)} is not finite`);
        return;
      case 'boolean':
        return;
      case 'undefined':
        return refuse(path, 'undefined is not JSON');
      case 'bigint':
        return refuse(path, 'BigInt is not JSON (use a string or a safe integer)');
      case 'function':
        return refuse(path, 'a function is not JSON');
      case 'symbol':
        return refuse(path, 'a symbol is not JSON');
      case 'object': {
        if (v === null) return;
        if (depth >= maxDepth) {
          throw new LineproofError('JSON_TOO_DEEP', `${path || '$'}: nesting deeper than ${maxDepth}`, {
            path: path || '$',
          });
        }
        if (stack.has(v)) refuse(path, 'cycle');
        stack.add(v);
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            if (!(i in v)) refuse(joinPath(path, i), 'sparse array hole');
            walk(v[i], joinPath(path, i), depth + 1);
          }
        } else {
          // Realm-independent plain-object test: prototype null, or a prototype whose own
          // prototype is null (Object.prototype of any realm) and a [object Object] tag.
          const proto: unknown = Object.getPrototypeOf(v);
          const plain =
            proto === null ||
            (Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(v) === '[object Object]');
          if (!plain) {
            const name = (v as { constructor?: { name?: string } }).constructor?.name ?? 'object';
            refuse(path, `a ${name} is not a plain object`);
          }
          if (typeof (v as { toJSON?: unknown }).toJSON === 'function')
            refuse(path, 'an object with toJSON is not plain JSON');
          if (Object.getOwnPropertySymbols(v).length > 0) refuse(path, 'symbol keys are not JSON');
          for (const key of Object.keys(v)) {
            if (hasLoneSurrogate(key)) refuse(joinPath(path, key), 'key holds a lone surrogate');
            walk((v as Record<string, unknown>)[key], joinPath(path, key), depth + 1);
          }
        }
        stack.delete(v);
        return;
      }
      default:
        refuse(path, `unsupported type ${typeof v}`);
    }
  };
  walk(value, '', 0);
}

/**
 * RFC 8785 canonical JSON text of `value`, after {@link assertJsonValue}.
 * @throws {LineproofError} JSON_NOT_REPRESENTABLE, JSON_TOO_DEEP
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  assertJsonValue(value);
  const out = canonicalize(value);
  if (typeof out !== 'string')
    throw new LineproofError('INTERNAL', 'canonicalize returned no text for a checked JSON value');
  return out;
}

/** UTF-8 bytes of {@link canonicalJson}. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalJson(value));
}

/**
 * Write the canonical JSON (RFC 8785) of a checked JSON value as a sequence of text pieces, whose
 * concatenation is exactly {@link canonicalJson}; for hashing a large document (a manifest of a
 * million files) without building its text. Differential-tested against canonicalize.
 * @param value a JSON value (checked as {@link canonicalJson} checks it)
 * @param emit receives each piece, in order
 * @example
 * ```ts
 * let t = ''; canonicalPieces({ b: 1, a: 2 }, (p) => (t += p)); // t === '{"a":2,"b":1}'
 * ```
 */
export function canonicalPieces(value: unknown, emit: (piece: string) => void): void {
  assertJsonValue(value);
  writePieces(value, emit);
}

function writePieces(v: unknown, emit: (piece: string) => void): void {
  if (v === null || typeof v !== 'object') {
    emit(JSON.stringify(v));
    return;
  }
  if (Array.isArray(v)) {
    emit('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) emit(',');
      writePieces(v[i], emit);
    }
    emit(']');
    return;
  }
  const o = v as Record<string, unknown>;
  // RFC 8785 sorts keys by UTF-16 code units: JavaScript's default sort.
  const keys = Object.keys(o).sort();
  emit('{');
  keys.forEach((k, i) => {
    emit(i > 0 ? `,${JSON.stringify(k)}:` : `${JSON.stringify(k)}:`);
    writePieces(o[k], emit);
  });
  emit('}');
}
