/**
 * `checkPolicyText`: a policy file checked for its author (`lineproof policy check`): every
 * problem at once, each with the line and column of the field, the field's path, and what is
 * expected in our own words, instead of the first schema message. Pure: text in, problems out.
 */
import { fromUtf8 } from '../bytes/index.js';
import { LineproofError, type ErrorCode } from '../errors.js';
import { lineColumn, parseJson, type JsonValue } from '../json/strict.js';
import { issuePath } from '../json/schema.js';
import { parsePolicy, type Policy } from './policy.js';
import { policySchema } from './schema.js';
import { z } from 'zod';

/** One problem of a policy file. */
export interface PolicyProblem {
  code: ErrorCode;
  /** The field, dotted (`roles.approver.threshold`), or `$` for the whole document. */
  path: string;
  /** 1-based line and column of the field (or of the syntax error). */
  line: number;
  column: number;
  message: string;
}

/** The outcome of {@link checkPolicyText}. */
export interface PolicyCheck {
  ok: boolean;
  problems: PolicyProblem[];
  /** The loaded policy, when there is no problem. */
  policy?: Policy;
}

/** What each well-known field holds, said when it is missing or malformed. */
const FIELD_HELP: Record<string, string> = {
  id: 'a URI naming the policy, e.g. "https://example.com/policies/ml"',
  version: 'a whole number from 1, raised with every change (verifiers can refuse an older one)',
  keys: 'the trusted public keys by name, e.g. {"alice": {"publicKey": "<64 hex digits or a PEM>"}}',
  identities: 'who holds the keys, e.g. {"mailto:alice@example.com": {"keys": ["alice"]}}',
  roles:
    'the identities allowed in each role (data-steward, trainer, registrar, evaluator, approver, deployer, verifier, revoker), e.g. {"approver": {"identities": ["mailto:alice@example.com"], "threshold": 1}}',
  riskTiers:
    'the risk tiers with their gates, e.g. {"low": {"maxApprovalAgeDays": 90, "requiredMetrics": ["accuracy"]}}',
  useCases: 'the allowed use cases and their tier, e.g. {"support-chat": {"riskTier": "low"}}',
  publicKey: 'an Ed25519 public key: 64 hex digits, an SPKI PEM block, or securesystemslib JSON',
  identities_list: 'a list of identity names from "identities"',
  threshold: 'a whole number from 1: distinct identities that must sign',
  maxApprovalAgeDays: 'the most days an approval stays valid after it is issued (more than 0, at most 3660)',
  riskTier: 'the name of one of "riskTiers"',
};

const typeWords: Record<string, string> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  record: 'an object',
};

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v === 'number' ? 'the number' : ''} ${JSON.stringify(v)}`.trim();
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[String(k)];
  }
  return v;
}

function helpFor(path: readonly PropertyKey[]): string {
  const last = String(path[path.length - 1] ?? '');
  if (path.length === 1 && FIELD_HELP[last]) return `: ${FIELD_HELP[last]}`;
  if (last === 'identities' && path[0] === 'roles') return `: ${FIELD_HELP.identities_list}`;
  return FIELD_HELP[last] && path.length > 1 ? `: ${FIELD_HELP[last]}` : '';
}

/** The fields an object schema allows, followed through wrappers, records and lazies along `path`. */
function allowedKeys(path: readonly PropertyKey[]): string[] | undefined {
  let s: unknown = policySchema;
  const unwrap = (x: unknown): unknown => {
    for (let i = 0; i < 8; i++) {
      const def = (x as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
      if (!def) return x;
      if (def.innerType) x = def.innerType;
      else if (def.type === 'pipe' && def.out) x = def.out;
      else if (def.type === 'lazy' && typeof def.getter === 'function') x = (def.getter as () => unknown)();
      else return x;
    }
    return x;
  };
  for (const k of path) {
    s = unwrap(s);
    const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return undefined;
    if (def.type === 'object') s = (def.shape as Record<string, unknown>)[String(k)];
    else if (def.type === 'record') s = def.valueType;
    else if (def.type === 'array') s = def.element;
    else return undefined;
    if (s === undefined) return undefined;
  }
  s = unwrap(s);
  const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape as object) : undefined;
}

/** One zod issue in our words. */
function words(issue: z.core.$ZodIssue, raw: unknown): { path: PropertyKey[]; message: string } {
  const path = [...issue.path];
  const actual = valueAt(raw, path);
  switch (issue.code) {
    case 'invalid_type': {
      const want = typeWords[issue.expected] ?? issue.expected;
      if (actual === undefined) return { path, message: `is required: expected ${want}${helpFor(path)}` };
      return { path, message: `expected ${want}, got ${describe(actual)}${helpFor(path)}` };
    }
    case 'unrecognized_keys': {
      const allowed = allowedKeys(path);
      const key = issue.keys[0]!;
      return {
        path: [...path, key],
        message: `unknown field ${JSON.stringify(key)}${allowed ? `; allowed here: ${allowed.join(', ')}` : ''}${issue.keys.length > 1 ? ` (and ${issue.keys.length - 1} more unknown)` : ''}`,
      };
    }
    case 'invalid_value':
      return {
        path,
        message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(actual)}`,
      };
    case 'too_small': {
      const min = String(issue.minimum);
      if (issue.origin === 'array')
        return { path, message: `expected at least ${min} entr${min === '1' ? 'y' : 'ies'}` };
      if (issue.origin === 'string') return { path, message: 'must not be empty' };
      return {
        path,
        message: `expected ${issue.inclusive ? 'at least' : 'more than'} ${min}, got ${describe(actual)}${helpFor(path)}`,
      };
    }
    case 'too_big':
      return {
        path,
        message: `expected ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}, got ${describe(actual)}`,
      };
    case 'invalid_format':
      return { path, message: `${issue.message}, got ${describe(actual)}${helpFor(path)}` };
    case 'invalid_union':
      return { path, message: `does not match any accepted form, got ${describe(actual)}` };
    default:
      return { path, message: issue.message };
  }
}

/** Where each value of a JSON text starts, by its path (the key's position for object members). */
export function jsonLocations(text: string): Map<string, number> {
  const at = new Map<string, number>();
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return '';
    }
  };
  const value = (path: PropertyKey[], keyAt?: number): void => {
    ws();
    at.set(issuePath(path), keyAt ?? i);
    if (text[i] === '{') {
      i++;
      for (ws(); i < text.length && text[i] !== '}'; ws()) {
        const k = i;
        const key = str();
        ws();
        i++; // ':'
        value([...path, key], k);
        ws();
        if (text[i] === ',') i++;
      }
      i++;
    } else if (text[i] === '[') {
      i++;
      for (let n = 0, ws0 = ws(); i < text.length && text[i] !== ']'; n++, ws()) {
        void ws0;
        value([...path, n]);
        ws();
        if (text[i] === ',') i++;
      }
      i++;
    } else if (text[i] === '"') str();
    else while (i < text.length && !',}] \t\r\n'.includes(text[i]!)) i++;
  };
  value([]);
  return at;
}

function locate(text: string, locations: Map<string, number>, path: readonly PropertyKey[]) {
  for (let n = path.length; n >= 0; n--) {
    const offset = locations.get(issuePath(path.slice(0, n)));
    if (offset !== undefined) return lineColumn(text, offset);
  }
  return { line: 1, column: 1 };
}

/** The position of a path given as text: itself, else its nearest enclosing field's. */
function locateText(text: string, locations: Map<string, number>, path: string) {
  for (let p = path; p !== ''; p = p.replace(/(\.[^.[\]]*|\[[^[\]]*\])$/, '')) {
    const offset = locations.get(p);
    if (offset !== undefined) return lineColumn(text, offset);
    if (!/[.[]/.test(p)) break;
  }
  return { line: 1, column: 1 };
}

/**
 * Check a policy file's text: strict JSON (syntax, duplicate keys), the schema (every issue, in
 * our words), then the rules beyond it (references between keys, identities, roles, tiers, use
 * cases; thresholds that can be met), each problem with its line and column.
 * @param input the file's bytes or text
 * @returns ok and the loaded policy, or every problem found
 * @example
 * ```ts
 * for (const p of checkPolicyText(text).problems) console.log(`policy.json:${p.line}:${p.column}: ${p.path}: ${p.message}`);
 * ```
 */
export function checkPolicyText(input: Uint8Array | string): PolicyCheck {
  let text: string;
  let raw: JsonValue;
  try {
    text = typeof input === 'string' ? input : fromUtf8(input, 'policy');
    raw = parseJson(text, { what: '' });
  } catch (e) {
    const err = e instanceof LineproofError ? e : new LineproofError('JSON_SYNTAX', String(e));
    const m = /line (\d+), column (\d+)/.exec(err.message);
    const message = err.message.replace(/^[^:]*: /, '').replace(/ \(line \d+, column \d+; character \d+\)$/, '');
    return {
      ok: false,
      problems: [
        { code: err.code, path: err.path ?? '$', line: Number(m?.[1] ?? 1), column: Number(m?.[2] ?? 1), message },
      ],
    };
  }
  const locations = jsonLocations(text);
  const r = policySchema.safeParse(raw);
  if (!r.success) {
    const problems = r.error.issues.map((issue) => {
      const w = words(issue, raw);
      return {
        code: 'POLICY_INVALID' as const,
        path: issuePath(w.path),
        ...locate(text, locations, w.path),
        message: w.message,
      };
    });
    return { ok: false, problems };
  }
  try {
    return { ok: true, problems: [], policy: parsePolicy(raw) };
  } catch (e) {
    if (!(e instanceof LineproofError)) throw e;
    const path = e.path ?? '$';
    const message = e.message.replace(/^policy: /, '').replace(`${path}: `, '');
    return { ok: false, problems: [{ code: e.code, path, ...locateText(text, locations, path), message }] };
  }
}

/**
 * The policy's JSON Schema (draft 2020-12), generated from the schema the loader uses, for
 * editors: what a policy file may hold as written (defaults are optional), with the field
 * descriptions. Published as spec/schemas/policy.v1.schema.json.
 */
export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(policySchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
  return {
    ...(schema as Record<string, unknown>),
    $id: 'https://lineproof.dev/schemas/policy/v1.json',
    title: 'Lineproof policy, version 1',
    description:
      'The policy a Lineproof verifier trusts (spec/policy.md): keys, identities, roles, risk tiers with their gates, use cases, revocations. Check a file with `lineproof policy check FILE`.',
  };
}
