/**
 * The inventory's database schema (decisions §16), as versioned migrations. The same SQL runs on
 * PGlite (PostgreSQL compiled to WebAssembly, the embedded default) and on a PostgreSQL server:
 * both are PostgreSQL, so there is one dialect and one schema.
 *
 * What is stored is what bundles say, never a verdict: each distinct bundle line (set semantics,
 * decisions §14), the envelope it carries, the statement's subjects and payload references, and,
 * per policy ingested, which policy keys verify each envelope's signatures. Trust is that last
 * table alone; an envelope without a row there for the policy asked about is untrusted and never
 * used as evidence.
 * @module
 */

/** One migration: applied in order, each once, inside a transaction. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** The migrations, in order. Never edit one that has shipped: add the next. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'lines, envelopes, subjects, references, sources, policies, signers',
    sql: `
create table lineproof_lines (
  line_digest text primary key,
  envelope_id text not null,
  line text not null
);
create index lineproof_lines_envelope on lineproof_lines (envelope_id);

create table lineproof_envelopes (
  envelope_id text primary key,
  payload_type text not null,
  payload_digest text not null,
  stage text,
  predicate_type text,
  issued_at timestamptz,
  attester text,
  parse_code text,
  use_case text,
  decision text,
  deploy_stage text,
  environment text,
  risk_tier text,
  not_before timestamptz,
  expires timestamptz,
  model_name text,
  model_version text
);
create index lineproof_envelopes_payload on lineproof_envelopes (payload_digest);
create index lineproof_envelopes_stage on lineproof_envelopes (stage);

create table lineproof_subjects (
  envelope_id text not null,
  alg text not null,
  value text not null,
  name text not null,
  primary key (envelope_id, alg, value, name)
);
create index lineproof_subjects_value on lineproof_subjects (value, alg);

create table lineproof_refs (
  envelope_id text not null,
  path text not null,
  target text not null,
  role text not null,
  primary key (envelope_id, path)
);
create index lineproof_refs_target on lineproof_refs (target);

create table lineproof_sources (
  envelope_id text not null,
  source text not null,
  first_seen timestamptz not null,
  primary key (envelope_id, source)
);

create table lineproof_policies (
  policy_digest text primary key,
  policy_id text not null,
  version integer not null,
  document text not null,
  seq bigserial not null,
  ingested_at timestamptz not null
);

create table lineproof_signers (
  envelope_id text not null,
  policy_digest text not null,
  key_name text not null,
  identity text not null,
  public_key_hex text not null,
  primary key (envelope_id, policy_digest, key_name)
);
create index lineproof_signers_key on lineproof_signers (policy_digest, key_name);
create index lineproof_signers_public_key on lineproof_signers (policy_digest, public_key_hex);
`,
  },
];

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
