/**
 * model_signing v0.1-v0.2 signatures (predicate `https://model_signing/Digests/v0.1`), verified as
 * model_signing 1.x does "bug for bug" (its 1.0.1 changelog): one in-toto subject per file (its
 * relative path and SHA-256), a placeholder predicate, no root digest, no ignore list; and a DSSE
 * signature made over v0.2's faulty PAE — the text
 * `DSSEV1 <len(type)> <type> <len(payload)> <Python repr of the payload bytes>` in UTF-8
 * ({@link omsCompatPae}). Lineproof accepts that PAE only for a payload of this predicate type, so
 * no other statement can be carried by it.
 */
import { isLowerHex, utf8 } from '../../bytes/index.js';
import { isJsonObject, parseJson, type JsonValue } from '../../json/strict.js';
import { IN_TOTO_PAYLOAD_TYPE, STATEMENT_TYPE_V1 } from '../../statements/statement.js';
import { buildOmsManifest } from './manifest.js';
import { invalid, type OmsManifest } from './serialization.js';

/** The predicate type of model_signing v0.1-v0.2 signatures. */
export const OMS_COMPAT_PREDICATE_TYPE = 'https://model_signing/Digests/v0.1';

/** The model name model_signing gives a v0.2 manifest (the format has none). */
export const OMS_COMPAT_MODEL_NAME = 'compat-undefined-not-present';

/** Python's `repr()` of a `bytes` value: `b'…'` (or `b"…"` when it holds `'` and no `"`). */
export function pythonBytesRepr(b: Uint8Array): string {
  const hasSingle = b.includes(0x27);
  const quote = hasSingle && !b.includes(0x22) ? 0x22 : 0x27;
  let out = `b${String.fromCharCode(quote)}`;
  for (const c of b) {
    if (c === quote || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(c);
  }
  return `${out}${String.fromCharCode(quote)}`;
}

/**
 * The bytes model_signing v0.2 signed instead of the DSSE PAE (its bug, kept by 1.x's `pae_compat`):
 * the payload type is always in-toto's.
 * @param payload the exact payload bytes
 * @returns the signed bytes
 */
export function omsCompatPae(payload: Uint8Array): Uint8Array {
  const t = IN_TOTO_PAYLOAD_TYPE;
  return utf8(`DSSEV1 ${t.length} ${t} ${payload.length} ${pythonBytesRepr(payload)}`);
}

/**
 * The predicate type of a payload, or undefined when it is not a JSON object naming one.
 * @param payload the payload bytes
 * @returns the predicateType string
 */
export function payloadPredicateType(payload: Uint8Array): string | undefined {
  try {
    const v = parseJson(payload, { what: 'statement' });
    return isJsonObject(v) && typeof v.predicateType === 'string' ? v.predicateType : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Read a v0.2 statement (untrusted) as model_signing 1.x does: `_type` in-toto Statement v1,
 * predicateType `Digests/v0.1`, subjects `{name, digest: {sha256}}` (one per file; annotations and
 * the predicate ignored). The manifest is `files`/`sha256`, no symlinks, every subject a resource.
 * @param input the payload bytes, text or parsed value
 * @returns the manifest (model name {@link OMS_COMPAT_MODEL_NAME})
 * @throws {LineproofError} OMS_PREDICATE_INVALID, MANIFEST_DUPLICATE_PATH, path rule codes, JSON_* codes
 */
export function parseOmsCompatStatement(input: Uint8Array | string | JsonValue): OmsManifest {
  const v: unknown =
    typeof input === 'string' || input instanceof Uint8Array ? parseJson(input, { what: 'statement' }) : input;
  if (!isJsonObject(v)) throw invalid('statement', 'expected a JSON object');
  if (v._type !== STATEMENT_TYPE_V1) throw invalid('statement._type', `expected ${STATEMENT_TYPE_V1}`);
  if (v.predicateType !== OMS_COMPAT_PREDICATE_TYPE)
    throw invalid('statement.predicateType', `expected ${OMS_COMPAT_PREDICATE_TYPE}`);
  const subjects = v.subject;
  if (!Array.isArray(subjects)) throw invalid('statement.subject', 'expected an array');
  const items = subjects.map((s, i) => {
    const at = `statement.subject[${i}]`;
    if (!isJsonObject(s)) throw invalid(at, 'expected an object');
    if (typeof s.name !== 'string' || s.name === '') throw invalid(`${at}.name`, 'expected a file path');
    const d = s.digest;
    if (!isJsonObject(d) || !isLowerHex(d.sha256, 32))
      throw invalid(`${at}.digest.sha256`, 'expected 64 lowercase hex digits');
    return { path: s.name, digest: d.sha256 };
  });
  return buildOmsManifest({
    modelName: OMS_COMPAT_MODEL_NAME,
    serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false },
    items,
  });
}
