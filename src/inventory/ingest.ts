/**
 * Ingesting bundles into the inventory (decisions §16): an index of what bundles say.
 *
 * Every distinct line is kept (its sha256 names it), so a bundle can be rebuilt from the database
 * and re-verified; envelopes are identified as decisions §14 says, by (payloadType, payload), and
 * their statements' subjects and references are indexed for the lineage questions. Ingest is
 * idempotent — a set union: the same line twice, or the same envelope on lines with different
 * signatures, never duplicates anything — and each call is one transaction whose inserts are
 * ordered by key, so concurrent ingests into a PostgreSQL server neither lose nor duplicate rows
 * nor deadlock.
 *
 * Trust is recorded per policy: with a policy, each envelope's signatures are checked against every
 * policy key (decisions §4: keyids are hints only) and the keys that verify are recorded. An
 * envelope no policy key verifies is stored, marked by the absence of signers, and never used as
 * evidence by a question. The questions of `questions.ts` read only trusted rows.
 * @module
 */
import { readBundle, type BundleEntry } from '../bundle/jsonl.js';
import { utf8 } from '../bytes/index.js';
import { sha256Hex } from '../digest/index.js';
import { pae } from '../dsse/pae.js';
import { LineproofError, type ErrorCode } from '../errors.js';
import { canonicalJson } from '../json/canonical.js';
import { strictEd25519Verifier } from '../keys/ed25519.js';
import type { SignatureVerifier } from '../keys/types.js';
import { resolveLimits, type Limits } from '../limits.js';
import type { Policy } from '../policy/policy.js';
import { parseAttestationPayload, type ParsedAttestationPayload } from '../statements/predicates/index.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../statements/statement.js';
import { dbCall, refreshStatistics, type SqlClient, type SqlQueryable } from './db.js';
import { signerRows, trustContext } from './trust.js';

/** Lines read and written per batch (bounded memory whatever the bundle's size). */
const BATCH_LINES = 2000;

/** Options for {@link ingestBundle}. */
export interface IngestOptions {
  /** Names the bundle (a file path, an OCI reference): recorded as the envelopes' source. */
  source: string;
  /** The time of the ingest, recorded with the source (the core has no clock). */
  now: Date;
  /** Record which of this policy's keys verify each envelope (and the policy itself). */
  policy?: Policy;
  /** Signature verifier (default: the core's strict Ed25519). */
  verifier?: SignatureVerifier;
  limits?: Partial<Limits>;
}

/** A line that could not be read, as {@link ingestBundle} reports it. */
export interface IngestLineError {
  line: number;
  code: ErrorCode;
  message: string;
}

/** What one ingest did. */
export interface IngestResult {
  source: string;
  /** Non-blank lines read. */
  lines: number;
  /** Of those, lines the inventory did not have before. */
  newLines: number;
  /** Distinct envelopes the bundle carries. */
  envelopes: number;
  /** Of those, envelopes the inventory did not have before. */
  newEnvelopes: number;
  /** Envelopes at least one key of the policy verifies (undefined without a policy). */
  trusted?: number;
  /** Envelopes no key of the policy verifies: stored, never evidence (undefined without a policy). */
  untrusted?: number;
  /** Lines that could not be read (not stored). */
  errors: IngestLineError[];
}

/** The columns of one envelope row. */
interface EnvelopeRow {
  envelope_id: string;
  payload_type: string;
  payload_digest: string;
  stage: string | null;
  predicate_type: string | null;
  issued_at: string | null;
  attester: string | null;
  parse_code: string | null;
  use_case: string | null;
  decision: string | null;
  deploy_stage: string | null;
  environment: string | null;
  risk_tier: string | null;
  not_before: string | null;
  expires: string | null;
  model_name: string | null;
  model_version: string | null;
}

const ENVELOPE_COLUMNS: ReadonlyArray<keyof EnvelopeRow> = [
  'envelope_id',
  'payload_type',
  'payload_digest',
  'stage',
  'predicate_type',
  'issued_at',
  'attester',
  'parse_code',
  'use_case',
  'decision',
  'deploy_stage',
  'environment',
  'risk_tier',
  'not_before',
  'expires',
  'model_name',
  'model_version',
];
const TIMESTAMP_COLUMNS = new Set(['issued_at', 'not_before', 'expires']);

/** The identity of an envelope (decisions §14): sha256 of PAE(payloadType, payload), which is injective. */
export function envelopeId(payloadType: string, payload: Uint8Array): string {
  return sha256Hex(pae(payloadType, payload));
}

/** The facts of a parsed attestation the questions filter on. */
function factsOf(a: ParsedAttestationPayload): Partial<EnvelopeRow> {
  switch (a.stage) {
    case 'approval':
      return {
        use_case: a.predicate.useCase.id,
        decision: a.predicate.decision,
        deploy_stage: a.predicate.stage,
        risk_tier: a.predicate.riskTier,
        not_before: a.predicate.notBefore,
        expires: a.predicate.expires,
      };
    case 'promotion':
      return { deploy_stage: a.predicate.stage, environment: a.predicate.environment };
    case 'registration':
      return { model_name: a.predicate.model.name, model_version: a.predicate.model.version };
    default:
      return {};
  }
}

/** Everything one envelope contributes to the tables. */
interface EnvelopeRecord {
  row: EnvelopeRow;
  subjects: Array<{ alg: string; value: string; name: string }>;
  refs: Array<{ path: string; target: string; role: string }>;
}

function recordOf(entry: BundleEntry, limits: Limits): EnvelopeRecord {
  const { payloadType, payload } = entry.envelope;
  const base: EnvelopeRow = {
    envelope_id: envelopeId(payloadType, payload),
    payload_type: payloadType,
    payload_digest: entry.payloadDigest,
    stage: null,
    predicate_type: null,
    issued_at: null,
    attester: null,
    parse_code: null,
    use_case: null,
    decision: null,
    deploy_stage: null,
    environment: null,
    risk_tier: null,
    not_before: null,
    expires: null,
    model_name: null,
    model_version: null,
  };
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) return { row: base, subjects: [], refs: [] };
  let a: ParsedAttestationPayload;
  try {
    a = parseAttestationPayload(payload, { limits });
  } catch (e) {
    return { row: { ...base, parse_code: e instanceof LineproofError ? e.code : 'INTERNAL' }, subjects: [], refs: [] };
  }
  const subjects: EnvelopeRecord['subjects'] = [];
  for (const s of a.statement.subject) {
    for (const [alg, value] of Object.entries(s.digest ?? {})) {
      subjects.push({ alg: alg.toLowerCase(), value: value.toLowerCase(), name: s.name ?? '' });
    }
  }
  return {
    row: {
      ...base,
      stage: a.stage,
      predicate_type: a.predicateType,
      issued_at: a.issuedAt,
      attester: a.attester.id,
      ...factsOf(a),
    },
    subjects,
    refs: a.references.map((r) => ({ path: r.path, target: r.digest, role: r.role })),
  };
}

/** A multi-row insert through unnest of one array per column; rows sorted by the key beforehand. */
async function insertRows(
  tx: SqlQueryable,
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<Record<string, unknown>>,
  returning?: string,
): Promise<Array<Record<string, unknown>>> {
  if (rows.length === 0) return [];
  const arrays = columns.map((c) => rows.map((r) => r[c] ?? null));
  const casts = columns.map(
    (c, i) => `$${i + 1}::${TIMESTAMP_COLUMNS.has(c) || c === 'first_seen' ? 'timestamptz' : 'text'}[]`,
  );
  const sql = `insert into ${table} (${columns.join(', ')}) select * from unnest(${casts.join(', ')}) on conflict do nothing${
    returning ? ` returning ${returning}` : ''
  }`;
  return (await tx.query(sql, arrays)).rows;
}

const byKey =
  <T>(key: (t: T) => string) =>
  (a: T, b: T): number => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };

/** Record the policy (idempotent). */
async function recordPolicy(tx: SqlQueryable, policy: Policy, now: Date): Promise<void> {
  await tx.query(
    'insert into lineproof_policies (policy_digest, policy_id, version, document, ingested_at) values ($1, $2, $3, $4, $5) on conflict (policy_digest) do nothing',
    [
      policy.digest,
      policy.document.id,
      policy.document.version,
      canonicalJson(policy.raw ?? policy.document),
      now.toISOString(),
    ],
  );
}

/**
 * Ingest one bundle: every readable line, its envelope, the statement's subjects and references,
 * the source, and (with a policy) which policy keys verify each envelope. Never throws for bundle
 * content: unreadable lines are returned in `errors` and not stored. One transaction: a failure
 * stores nothing.
 * @param db the inventory (migrated: see {@link migrate})
 * @param bundle `.intoto.jsonl` text
 * @returns counts, and the lines that could not be read
 * @throws {LineproofError} INVENTORY_DB_ERROR when the database fails
 * @example
 * ```ts
 * const r = await ingestBundle(db, text, { source: 'model.intoto.jsonl', now: new Date(), policy });
 * r.newEnvelopes; r.untrusted; r.errors;
 * ```
 */
export async function ingestBundle(db: SqlClient, bundle: string, options: IngestOptions): Promise<IngestResult> {
  const limits = resolveLimits(options.limits);
  const verifier = options.verifier ?? strictEd25519Verifier;
  const lines = nonBlankLines(bundle);
  const result: IngestResult = {
    source: options.source,
    lines: lines.length,
    newLines: 0,
    envelopes: 0,
    newEnvelopes: 0,
    errors: [],
    ...(options.policy ? { trusted: 0, untrusted: 0 } : {}),
  };
  const seenEnvelopes = new Set<string>();
  const trustedEnvelopes = new Set<string>();
  const now = options.now.toISOString();
  const trust = options.policy ? trustContext(options.policy, verifier) : undefined;
  return dbCall(db, `ingest ${options.source}`, () =>
    db.transaction(async (tx) => {
      if (options.policy) await recordPolicy(tx, options.policy, options.now);
      for (let start = 0; start < lines.length; start += BATCH_LINES) {
        const batch = lines.slice(start, start + BATCH_LINES);
        const read = readBundle(
          batch.map((l) => l.text),
          { limits: { ...limits, envelopesPerBundle: BATCH_LINES }, what: options.source },
        );
        for (const err of read.errors) {
          const line = batch[err.line - 1]?.line ?? 0;
          result.errors.push({ line, code: err.code, message: err.message.replace(/^line \d+:/, `line ${line}:`) });
        }
        const lineRows: Array<Record<string, unknown>> = [];
        const envelopeRows: EnvelopeRecord[] = [];
        for (const entry of read.entries) {
          const record = recordOf(entry, limits);
          const id = record.row.envelope_id;
          for (const n of entry.lines) {
            const text = batch[n - 1]!.text;
            lineRows.push({ line_digest: sha256Hex(utf8(text)), envelope_id: id, line: text });
          }
          if (!seenEnvelopes.has(id)) {
            seenEnvelopes.add(id);
            envelopeRows.push(record);
          }
        }
        lineRows.sort(byKey((r) => r.line_digest as string));
        envelopeRows.sort(byKey((r) => r.row.envelope_id));
        result.newLines += (
          await insertRows(
            tx,
            'lineproof_lines',
            ['line_digest', 'envelope_id', 'line'],
            dedupe(lineRows, 'line_digest'),
            'line_digest',
          )
        ).length;
        result.newEnvelopes += (
          await insertRows(
            tx,
            'lineproof_envelopes',
            ENVELOPE_COLUMNS,
            envelopeRows.map((r) => r.row as unknown as Record<string, unknown>),
            'envelope_id',
          )
        ).length;
        const subjects = envelopeRows.flatMap((r) => r.subjects.map((s) => ({ envelope_id: r.row.envelope_id, ...s })));
        await insertRows(tx, 'lineproof_subjects', ['envelope_id', 'alg', 'value', 'name'], subjects);
        const refs = envelopeRows.flatMap((r) => r.refs.map((x) => ({ envelope_id: r.row.envelope_id, ...x })));
        await insertRows(tx, 'lineproof_refs', ['envelope_id', 'path', 'target', 'role'], refs);
        await insertRows(
          tx,
          'lineproof_sources',
          ['envelope_id', 'source', 'first_seen'],
          envelopeRows.map((r) => ({ envelope_id: r.row.envelope_id, source: options.source, first_seen: now })),
        );
        if (options.policy) {
          const { rows, trusted } = await signerRows(read.entries, trust!);
          for (const id of trusted) trustedEnvelopes.add(id);
          rows.sort(byKey((r) => `${r.envelope_id}\u0000${r.key_name}`));
          await insertRows(
            tx,
            'lineproof_signers',
            ['envelope_id', 'policy_digest', 'key_name', 'identity', 'public_key_hex'],
            rows,
          );
        }
      }
      result.envelopes = seenEnvelopes.size;
      if (options.policy)
        Object.assign(result, {
          trusted: trustedEnvelopes.size,
          untrusted: seenEnvelopes.size - trustedEnvelopes.size,
        });
      return result;
    }),
  ).then(async (r) => {
    await refreshStatistics(db, r.newEnvelopes);
    return r;
  });
}

/** The non-blank lines of a bundle, numbered from 1 (a CR before the LF dropped). */
function nonBlankLines(bundle: string): Array<{ line: number; text: string }> {
  const lines: Array<{ line: number; text: string }> = [];
  bundle.split('\n').forEach((raw, i) => {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() !== '') lines.push({ line: i + 1, text });
  });
  return lines;
}

/** Rows with distinct values of `key` (the first kept); a multi-row insert may not touch a key twice. */
function dedupe(rows: Array<Record<string, unknown>>, key: string): Array<Record<string, unknown>> {
  const seen = new Set<unknown>();
  return rows.filter((r) => (seen.has(r[key]) ? false : (seen.add(r[key]), true)));
}

/** What {@link indexTrust} did. */
export interface IndexTrustResult {
  policyDigest: string;
  envelopes: number;
  trusted: number;
}

/**
 * Record a policy and which of its keys verify every envelope the inventory holds: for a new
 * policy version, or a policy given after the bundles. Idempotent.
 * @param db the inventory
 * @param policy the policy
 * @returns how many envelopes its keys verify
 */
export async function indexTrust(
  db: SqlClient,
  policy: Policy,
  options: { now: Date; verifier?: SignatureVerifier; limits?: Partial<Limits> },
): Promise<IndexTrustResult> {
  const verifier = options.verifier ?? strictEd25519Verifier;
  const limits = resolveLimits(options.limits);
  const trust = trustContext(policy, verifier);
  return dbCall(db, 'index trust', () =>
    db.transaction(async (tx) => {
      await recordPolicy(tx, policy, options.now);
      let envelopes = 0;
      let trusted = 0;
      let after = '';
      for (;;) {
        const { rows } = await tx.query<{ envelope_id: string }>(
          'select envelope_id from lineproof_envelopes where envelope_id > $1 order by envelope_id limit $2',
          [after, BATCH_LINES],
        );
        if (rows.length === 0) break;
        after = rows[rows.length - 1]!.envelope_id;
        const ids = rows.map((r) => r.envelope_id);
        const lines = await tx.query<{ line: string }>(
          'select line from lineproof_lines where envelope_id = any($1::text[]) order by line_digest',
          [ids],
        );
        const read = readBundle(
          lines.rows.map((l) => l.line),
          { limits: { ...limits, envelopesPerBundle: 10_000_000 } },
        );
        const { rows: signers, trusted: t } = await signerRows(read.entries, trust);
        signers.sort(byKey((r) => `${r.envelope_id}\u0000${r.key_name}`));
        await insertRows(
          tx,
          'lineproof_signers',
          ['envelope_id', 'policy_digest', 'key_name', 'identity', 'public_key_hex'],
          signers,
        );
        envelopes += ids.length;
        trusted += t.size;
      }
      return { policyDigest: policy.digest, envelopes, trusted };
    }),
  ).then(async (r) => {
    await refreshStatistics(db, r.trusted);
    return r;
  });
}
