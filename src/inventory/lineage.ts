/**
 * Lineage questions over the inventory (decisions §16): {@link upstream} — what a model rests on —
 * and {@link downstream} — the blast radius of a dataset, model, attestation or key. Both read only
 * envelopes a key of the policy verifies, and walk payload references (decisions §6) with a
 * recursive query, each envelope once, so their cost is bounded by the inventory's size.
 * @module
 */
import { LineproofError } from '../errors.js';
import type { Stage } from '../statements/predicates/common.js';
import { dbCall, type Row, type SqlClient } from './db.js';
import { SAFE_NAME, STAGE_ORDER, digestArgument, isoOf, policyOf, sortBy, type QuestionOptions } from './common.js';

/** A subject digest of a statement. */
export interface InventorySubject {
  name: string;
  /** `alg:hex`. */
  digest: string;
}

/** A trusted signer of an envelope under the policy asked about. */
export interface InventorySigner {
  key: string;
  identity: string;
}

/** One trusted attestation, as the inventory holds it. */
export interface InventoryNode {
  /** `sha256:<hex>` of the payload: how statements refer to it. */
  payloadDigest: string;
  stage: Stage;
  predicateType: string;
  issuedAt: string;
  attester: string;
  subjects: InventorySubject[];
  signers: InventorySigner[];
  /** Bundles it was ingested from. */
  sources: string[];
  /** Approval: use case and decision; approval and promotion: stage; promotion: environment. */
  useCase?: string;
  decision?: string;
  deployStage?: string;
  environment?: string;
}

/** A payload reference between two nodes. */
export interface InventoryEdge {
  /** The referring attestation's payload digest. */
  from: string;
  /** The referenced attestation's payload digest. */
  to: string;
  role: string;
}

/** The answer of {@link upstream} and {@link downstream}. */
export interface Lineage {
  policyDigest: string;
  /** What was asked about, as given. */
  start: string;
  /** The trusted attestations the question starts from (about the digest, or signed by the key). */
  roots: string[];
  nodes: InventoryNode[];
  edges: InventoryEdge[];
}

/** A model reached by {@link downstream}, with where it runs. */
export interface AffectedModel {
  subject: InventorySubject;
  /** Payload digests of its trusted trainings in the blast radius. */
  trainings: string[];
  promotions: Array<{ payloadDigest: string; environment: string; stage: string; issuedAt: string }>;
}

/** The answer of {@link downstream}: the lineage and its summary. */
export interface BlastRadius extends Lineage {
  models: AffectedModel[];
  /** Every environment an affected model is promoted to, sorted. */
  environments: string[];
}

/** Trusted envelopes (ids) about a digest (as subject) or with that payload digest. */
const START_BY_DIGEST = `
  select e.envelope_id from lineproof_envelopes e
   where e.payload_digest = $1 and e.stage is not null
     and exists (select 1 from lineproof_signers t where t.envelope_id = e.envelope_id and t.policy_digest = $4)
  union
  select s.envelope_id from lineproof_subjects s join lineproof_envelopes e on e.envelope_id = s.envelope_id
   where s.value = $3 and s.alg = $2 and e.stage is not null
     and exists (select 1 from lineproof_signers t where t.envelope_id = s.envelope_id and t.policy_digest = $4)`;

/** Trusted envelopes signed by a key (its name or public key hex). */
const START_BY_KEY = `
  select distinct t.envelope_id from lineproof_signers t join lineproof_envelopes e on e.envelope_id = t.envelope_id
   where t.policy_digest = $4 and e.stage is not null and (t.key_name = $1 or t.public_key_hex = $2)
     and $3::text is null`;

const TRUSTED = (alias: string) =>
  `exists (select 1 from lineproof_signers t where t.envelope_id = ${alias}.envelope_id and t.policy_digest = $4)`;

const UP_STEP = `
  select e.envelope_id from walk w
    join lineproof_refs r on r.envelope_id = w.envelope_id
    join lineproof_envelopes e on e.payload_digest = r.target
   where e.stage is not null and ${TRUSTED('e')}`;

const DOWN_STEP = `
  select e.envelope_id from walk w
    join lineproof_envelopes we on we.envelope_id = w.envelope_id
    join lineproof_refs r on r.target = we.payload_digest
    join lineproof_envelopes e on e.envelope_id = r.envelope_id
   where e.stage is not null and ${TRUSTED('e')}`;

/** Load nodes and the edges between them. */
async function loadLineage(
  db: SqlClient,
  policyDigest: string,
  ids: string[],
  roots: string[],
  start: string,
): Promise<Lineage> {
  const [envelopes, subjects, signers, sources, edges] = await Promise.all([
    db.query(
      `select envelope_id, payload_digest, stage, predicate_type, issued_at, attester, use_case, decision, deploy_stage, environment
         from lineproof_envelopes where envelope_id = any($1::text[])`,
      [ids],
    ),
    db.query('select envelope_id, alg, value, name from lineproof_subjects where envelope_id = any($1::text[])', [ids]),
    db.query(
      'select envelope_id, key_name, identity from lineproof_signers where envelope_id = any($1::text[]) and policy_digest = $2',
      [ids, policyDigest],
    ),
    db.query('select envelope_id, source from lineproof_sources where envelope_id = any($1::text[])', [ids]),
    db.query(
      `select f.payload_digest as "from", r.target as "to", r.role from lineproof_refs r
         join lineproof_envelopes f on f.envelope_id = r.envelope_id
        where r.envelope_id = any($1::text[])`,
      [ids],
    ),
  ]);
  const group = <T>(rows: Row[], map: (r: Row) => T) => {
    const m = new Map<string, T[]>();
    for (const r of rows) {
      const k = r.envelope_id as string;
      const list = m.get(k) ?? [];
      list.push(map(r));
      m.set(k, list);
    }
    return m;
  };
  const subjectsOf = group(subjects.rows, (r) => ({
    name: r.name as string,
    digest: `${r.alg as string}:${r.value as string}`,
  }));
  const signersOf = group(signers.rows, (r) => ({ key: r.key_name as string, identity: r.identity as string }));
  const sourcesOf = group(sources.rows, (r) => r.source as string);
  const nodes: InventoryNode[] = envelopes.rows.map((r) => {
    const id = r.envelope_id as string;
    return {
      payloadDigest: r.payload_digest as string,
      stage: r.stage as Stage,
      predicateType: r.predicate_type as string,
      issuedAt: isoOf(r.issued_at),
      attester: r.attester as string,
      subjects: sortBy(subjectsOf.get(id) ?? [], (s) => `${s.digest}\u0000${s.name}`),
      signers: sortBy(signersOf.get(id) ?? [], (s) => s.key),
      sources: (sourcesOf.get(id) ?? []).sort(),
      ...(r.use_case != null ? { useCase: r.use_case as string } : {}),
      ...(r.decision != null ? { decision: r.decision as string } : {}),
      ...(r.deploy_stage != null ? { deployStage: r.deploy_stage as string } : {}),
      ...(r.environment != null ? { environment: r.environment as string } : {}),
    };
  });
  const present = new Set(nodes.map((n) => n.payloadDigest));
  const rootIds = new Set(roots);
  const rootDigests = new Set(
    envelopes.rows.filter((r) => rootIds.has(r.envelope_id as string)).map((r) => r.payload_digest as string),
  );
  const edgeList = edges.rows
    .map((r) => ({ from: r.from as string, to: r.to as string, role: r.role as string }))
    .filter((e) => present.has(e.to));
  const uniqueEdges = [...new Map(edgeList.map((e) => [`${e.from} ${e.to} ${e.role}`, e])).values()];
  return {
    policyDigest,
    start,
    roots: [...rootDigests].sort(),
    nodes: sortBy(nodes, (n) => `${STAGE_ORDER.indexOf(n.stage)}\u0000${n.issuedAt}\u0000${n.payloadDigest}`),
    edges: sortBy(uniqueEdges, (e) => `${e.from} ${e.to} ${e.role}`),
  };
}

/** Run a walk from a start set; returns node ids and the root ids. */
async function walk(
  db: SqlClient,
  startSql: string,
  step: string,
  params: unknown[],
): Promise<{ ids: string[]; roots: string[] }> {
  const roots = await db.query<{ envelope_id: string }>(startSql, params);
  const all = await db.query<{ envelope_id: string }>(
    `with recursive walk(envelope_id) as (${startSql} union ${step}) select envelope_id from walk`,
    params,
  );
  return { ids: all.rows.map((r) => r.envelope_id), roots: roots.rows.map((r) => r.envelope_id) };
}

/**
 * What a model (or a dataset, or an attestation named by its payload digest) rests on: the trusted
 * attestations about it and everything they refer to, transitively — datasets and the datasets
 * they derive from, trainings, base models' trainings and their data, registrations, evaluations
 * and their data, approvals.
 * @param digest `alg:hex` of the artifact, or `sha256:<hex>` of an attestation's payload
 * @returns nodes (sorted by stage, then time) and the reference edges between them
 * @throws {LineproofError} INVALID_ARGUMENT for a malformed digest, INVENTORY_POLICY_UNKNOWN, INVENTORY_DB_ERROR
 * @example
 * ```ts
 * const up = await upstream(db, 'sha256:…');
 * up.nodes.filter((n) => n.stage === 'dataset').map((n) => n.subjects);
 * ```
 */
export async function upstream(db: SqlClient, digest: string, options: QuestionOptions = {}): Promise<Lineage> {
  const d = digestArgument(digest);
  return dbCall(db, 'upstream', async () => {
    const policy = await policyOf(db, options.policy);
    const params = [d.text, d.alg, d.hex, policy.digest];
    const { ids, roots } = await walk(db, START_BY_DIGEST, UP_STEP, params);
    return loadLineage(db, policy.digest, ids, roots, d.text);
  });
}

/** What {@link downstream} starts from: a digest, or a key (its policy name or public key hex). */
export type DownstreamTarget = string | { key: string };

/**
 * The blast radius of a dataset, a model, an attestation or a key: every trusted attestation that
 * refers to it, transitively — derived datasets, trainings on it, fine-tunes of those models (a
 * training's base-model reference), their evaluations, approvals and promotions — with the models
 * affected and the environments they run in. For a key, it starts from every trusted attestation
 * that key signed (a stolen key's reach).
 * @param target `alg:hex` of an artifact, `sha256:<hex>` of a payload, or `{ key }`
 * @throws {LineproofError} INVALID_ARGUMENT, INVENTORY_POLICY_UNKNOWN, INVENTORY_DB_ERROR
 * @example
 * ```ts
 * const hit = await downstream(db, 'sha256:<poisoned dataset manifest>');
 * hit.models.map((m) => [m.subject.digest, m.promotions.map((p) => p.environment)]);
 * ```
 */
export async function downstream(
  db: SqlClient,
  target: DownstreamTarget,
  options: QuestionOptions = {},
): Promise<BlastRadius> {
  let params: unknown[];
  let startSql: string;
  let start: string;
  if (typeof target === 'string') {
    const d = digestArgument(target);
    startSql = START_BY_DIGEST;
    params = [d.text, d.alg, d.hex];
    start = d.text;
  } else {
    if (!target || typeof target.key !== 'string' || !SAFE_NAME.test(target.key))
      throw new LineproofError(
        'INVALID_ARGUMENT',
        'key: expected a policy key name or 64 hex digits of its public key',
      );
    startSql = START_BY_KEY;
    params = [target.key, target.key.toLowerCase(), null];
    start = `key:${target.key}`;
  }
  return dbCall(db, 'downstream', async () => {
    const policy = await policyOf(db, options.policy);
    if (
      typeof target !== 'string' &&
      !policy.keys.some((k) => k.name === target.key || k.publicKeyHex === target.key.toLowerCase())
    ) {
      throw new LineproofError(
        'INVENTORY_KEY_UNKNOWN',
        `key ${JSON.stringify(target.key)} is not a key of policy ${policy.document.id} v${policy.document.version} (${policy.digest})`,
      );
    }
    const { ids, roots } = await walk(db, startSql, DOWN_STEP, [...params, policy.digest]);
    const lineage = await loadLineage(db, policy.digest, ids, roots, start);
    return { ...lineage, ...summarise(lineage) };
  });
}

/** Models (subjects of trainings) and their promotions, from a lineage. */
function summarise(lineage: Lineage): { models: AffectedModel[]; environments: string[] } {
  const models = new Map<string, AffectedModel>();
  const model = (s: InventorySubject) => {
    let m = models.get(s.digest);
    if (!m) models.set(s.digest, (m = { subject: s, trainings: [], promotions: [] }));
    return m;
  };
  // Every attestation about a model (all but datasets and revocations) makes its subject affected.
  for (const n of lineage.nodes) {
    if (n.stage === 'dataset' || n.stage === 'revocation') continue;
    for (const s of n.subjects) {
      const m = model(s);
      if (n.stage === 'training') m.trainings.push(n.payloadDigest);
    }
  }
  const environments = new Set<string>();
  for (const n of lineage.nodes) {
    if (n.stage !== 'promotion') continue;
    for (const s of n.subjects) {
      if (!models.has(s.digest)) continue;
      model(s).promotions.push({
        payloadDigest: n.payloadDigest,
        environment: n.environment ?? '',
        stage: n.deployStage ?? '',
        issuedAt: n.issuedAt,
      });
      environments.add(n.environment ?? '');
    }
  }
  return {
    models: sortBy([...models.values()], (m) => m.subject.digest),
    environments: [...environments].sort(),
  };
}
