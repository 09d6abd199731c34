/**
 * The in-toto Statement model_signing signs (predicate `https://model_signing/signature/v1.0`):
 * written from a manifest, and read strictly from untrusted bytes. spec/oms.md.
 */
import { equalHex, isLowerHex } from '../../bytes/index.js';
import { LineproofError, shortDigest } from '../../errors.js';
import { isJsonObject, parseJson, type JsonObject, type JsonValue } from '../../json/strict.js';
import { STATEMENT_TYPE_V1 as IN_TOTO_STATEMENT_TYPE } from '../../statements/statement.js';
import { normalizeOmsIgnorePaths } from './ignore.js';
import { buildOmsLenient, omsRootDigest } from './manifest.js';
import {
  DIGEST_LEN,
  HASH_TYPES,
  OMS_PREDICATE_TYPE,
  invalid,
  omsResourceAlgorithm,
  omsSerialization,
  type OmsHashType,
  type OmsItem,
  type OmsManifest,
  type OmsResource,
  type OmsSerialization,
} from './serialization.js';

/**
 * The in-toto Statement model_signing signs for this manifest (one subject: the model name and the
 * root digest; predicate `{serialization, resources}`).
 * @param m the manifest
 * @returns the Statement as a JSON value (sign its JCS or JSON bytes as the DSSE payload)
 * @example
 * ```ts
 * omsStatement(m).predicateType; // 'https://model_signing/signature/v1.0'
 * ```
 */
export function omsStatement(m: OmsManifest): JsonObject {
  const ser: JsonObject = { method: m.serialization.method, hash_type: m.serialization.hash_type };
  if (m.serialization.shard_size !== undefined) ser.shard_size = m.serialization.shard_size;
  ser.allow_symlinks = m.serialization.allow_symlinks;
  if (m.serialization.ignore_paths !== undefined) ser.ignore_paths = [...m.serialization.ignore_paths];
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: m.modelName, digest: { sha256: m.rootDigest } }],
    predicateType: OMS_PREDICATE_TYPE,
    predicate: {
      serialization: ser,
      resources: m.resources.map((r) => ({ name: r.name, algorithm: r.algorithm, digest: r.digest })),
    },
  };
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

function field(o: JsonObject, key: string, path: string): JsonValue {
  if (!Object.hasOwn(o, key)) throw invalid(`${path}.${key}`, 'missing field');
  return o[key]!;
}

/**
 * Read a model_signing statement (untrusted): the `_type`, one subject with a sha256 digest, the
 * v1.0 predicate type, the serialization, every resource (name form, algorithm, digest length,
 * no duplicates), and the subject digest recomputed over the resources. Unknown fields are ignored
 * (its v1.0 rule). Resources are returned sorted as model_signing compares them.
 *
 * @param input the statement: JSON bytes or text (the DSSE payload), or a parsed value
 * @returns the manifest
 * @throws {LineproofError} OMS_PREDICATE_INVALID, OMS_ROOT_DIGEST_MISMATCH, OMS_UNSUPPORTED_COMBINATION,
 *   MANIFEST_DUPLICATE_PATH, path rule codes, JSON_* codes
 * @example
 * ```ts
 * const m = parseOmsStatement(payloadBytes); // after the DSSE signature verified
 * verifyOmsManifest(m, (await hashOmsModel('model/', { method: m.serialization.method })).manifest);
 * ```
 */
export function parseOmsStatement(input: Uint8Array | string | JsonValue): OmsManifest {
  const v: unknown =
    typeof input === 'string' || input instanceof Uint8Array ? parseJson(input, { what: 'statement' }) : input;
  if (!isJsonObject(v)) throw invalid('statement', 'expected a JSON object');
  if (field(v, '_type', 'statement') !== IN_TOTO_STATEMENT_TYPE)
    throw invalid('statement._type', `expected ${IN_TOTO_STATEMENT_TYPE}`);
  if (field(v, 'predicateType', 'statement') !== OMS_PREDICATE_TYPE)
    throw invalid('statement.predicateType', `expected ${OMS_PREDICATE_TYPE}`);
  const { name, sha256 } = readSubject(v);
  const pred = field(v, 'predicate', 'statement');
  if (!isJsonObject(pred)) throw invalid('statement.predicate', 'expected an object');
  const serialization = readSerialization(pred);
  const { items, given } = readResources(pred, serialization);
  const root = omsRootDigest(given);
  if (!equalHex(root, sha256)) {
    throw new LineproofError(
      'OMS_ROOT_DIGEST_MISMATCH',
      `statement.subject[0].digest.sha256 is ${shortDigest(sha256)}, but the resources hash to ${shortDigest(root)}`,
      {
        path: 'statement.subject[0].digest.sha256',
        expected: root,
        actual: sha256,
      },
    );
  }
  const built = buildOmsLenient(name, serialization, items);
  return { ...built, rootDigest: root };
}

/** The one subject: its name (default empty) and its `sha256` digest. */
function readSubject(v: JsonObject): { name: string; sha256: string } {
  const subjects = field(v, 'subject', 'statement');
  if (!Array.isArray(subjects) || subjects.length !== 1)
    throw invalid('statement.subject', 'expected exactly one subject');
  const subj = subjects[0];
  if (!isJsonObject(subj)) throw invalid('statement.subject[0]', 'expected an object');
  const name = Object.hasOwn(subj, 'name') ? subj.name : '';
  if (typeof name !== 'string') throw invalid('statement.subject[0].name', 'expected a string');
  const dg = field(subj, 'digest', 'statement.subject[0]');
  if (!isJsonObject(dg) || !isLowerHex(dg.sha256, 32))
    throw invalid('statement.subject[0].digest.sha256', 'expected 64 lowercase hex digits');
  return { name, sha256: dg.sha256 };
}

/** `predicate.serialization`, checked as {@link omsSerialization} builds it. */
function readSerialization(pred: JsonObject): OmsSerialization {
  const ser = field(pred, 'serialization', 'statement.predicate');
  if (!isJsonObject(ser)) throw invalid('statement.predicate.serialization', 'expected an object');
  const sp = 'statement.predicate.serialization';
  const method = field(ser, 'method', sp);
  const hashType = field(ser, 'hash_type', sp);
  const allow = field(ser, 'allow_symlinks', sp);
  if (method !== 'files' && method !== 'shards') throw invalid(`${sp}.method`, 'expected "files" or "shards"');
  if (!HASH_TYPES.includes(hashType as OmsHashType))
    throw invalid(`${sp}.hash_type`, `expected one of ${HASH_TYPES.join(', ')}`);
  if (typeof allow !== 'boolean') throw invalid(`${sp}.allow_symlinks`, 'expected a boolean');
  let shardSize: number | undefined;
  if (method === 'shards') {
    const n = field(ser, 'shard_size', sp);
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0)
      throw invalid(`${sp}.shard_size`, 'expected a positive integer');
    shardSize = n;
  }
  let ignorePaths: string[] | undefined;
  if (Object.hasOwn(ser, 'ignore_paths')) {
    const ip = ser.ignore_paths;
    if (!Array.isArray(ip) || !ip.every((p) => typeof p === 'string'))
      throw invalid(`${sp}.ignore_paths`, 'expected an array of strings');
    ignorePaths = normalizeOmsIgnorePaths(ip, `${sp}.ignore_paths`);
  }
  return omsSerialization({
    method,
    hashType: hashType as OmsHashType,
    allowSymlinks: allow,
    ...(shardSize === undefined ? {} : { shardSize }),
    ...(ignorePaths ? { ignorePaths } : {}),
  });
}

/** `predicate.resources`: each one's name form, algorithm and digest; as items and as given. */
function readResources(pred: JsonObject, serialization: OmsSerialization): { items: OmsItem[]; given: OmsResource[] } {
  const alg = omsResourceAlgorithm(serialization);
  const len = DIGEST_LEN[serialization.hash_type];
  const resources = field(pred, 'resources', 'statement.predicate');
  if (!Array.isArray(resources)) throw invalid('statement.predicate.resources', 'expected an array');
  const items: OmsItem[] = [];
  const given: OmsResource[] = [];
  resources.forEach((r, i) => {
    const rp = `statement.predicate.resources[${i}]`;
    if (!isJsonObject(r)) throw invalid(rp, 'expected an object');
    const rn = field(r, 'name', rp);
    const ra = field(r, 'algorithm', rp);
    const rd = field(r, 'digest', rp);
    if (typeof rn !== 'string') throw invalid(`${rp}.name`, 'expected a string');
    if (ra !== alg)
      throw invalid(
        `${rp}.algorithm`,
        `expected ${alg} for this serialization, got ${JSON.stringify(ra).slice(0, 60)}`,
      );
    if (!isLowerHex(rd, len)) throw invalid(`${rp}.digest`, `expected ${len * 2} lowercase hex digits`);
    given.push({ name: rn, algorithm: alg, digest: rd });
    if (serialization.method === 'files') {
      items.push({ path: rn, digest: rd });
    } else {
      const parts = rn.split(':');
      if (parts.length !== 3 || !DECIMAL.test(parts[1]!) || !DECIMAL.test(parts[2]!))
        throw invalid(`${rp}.name`, 'expected path:start:end');
      items.push({ path: parts[0]!, digest: rd, start: Number(parts[1]), end: Number(parts[2]) });
    }
  });
  return { items, given };
}
