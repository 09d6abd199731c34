/**
 * Zod at the edge of untrusted input: parse a JSON value against a schema and turn every failure
 * into a {@link LineproofError} with a field path (`subject[0].digest.sha256`), never a raw ZodError.
 */
import type { z } from 'zod';
import { LineproofError, type ErrorCode } from '../errors.js';
import { joinPath } from './strict.js';

/** Render a zod issue path as a JSON path: `a.b[0]["odd key"]`. */
export function issuePath(path: readonly PropertyKey[], base = ''): string {
  let out = base;
  for (const k of path) out = typeof k === 'number' ? joinPath(out, k) : joinPath(out, String(k));
  return out || '$';
}

/** The path of an issue; for an unknown field, the path of that field (the first one named). */
function pathOf(issue: z.core.$ZodIssue): string {
  const unknown = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  return issuePath(unknown === undefined ? issue.path : [...issue.path, unknown]);
}

/**
 * The path of the first own `__proto__` key in a JSON value, if any. The strict parser keeps such a
 * key as an ordinary own property, but zod's records skip it: `{"sha256": "…", "__proto__": false}`
 * would pass as a digest set holding a non-string value. Refused everywhere, before the schema.
 */
function protoKeyPath(v: unknown, path: string): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = protoKeyPath(v[i], joinPath(path, i));
      if (p !== undefined) return p;
    }
    return undefined;
  }
  if (Object.hasOwn(v, '__proto__')) return joinPath(path, '__proto__');
  for (const [k, x] of Object.entries(v)) {
    const p = protoKeyPath(x, joinPath(path, k));
    if (p !== undefined) return p;
  }
  return undefined;
}

/**
 * Validate `value` against `schema`.
 * @param what names the document in messages, e.g. `statement` or `policy.json`
 * @param code the error code to throw (default SCHEMA_INVALID)
 * @returns the parsed (typed) value
 * @throws {LineproofError} with the path and message of the first issue (all issues in the message)
 */
export function parseWithSchema<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  code: ErrorCode = 'SCHEMA_INVALID',
): z.output<S> {
  const proto = protoKeyPath(value, '');
  if (proto !== undefined)
    throw new LineproofError(
      code,
      `${what}: ${proto}: a field named __proto__ is refused (validators skip it, so it could pass unchecked)`,
      { path: proto },
    );
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues;
  const first = issues[0];
  const path = first ? pathOf(first) : '$';
  const all = issues
    .slice(0, 5)
    .map((i) => `${pathOf(i)}: ${i.message}`)
    .join('; ');
  throw new LineproofError(code, `${what}: ${all}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`, {
    path,
  });
}
