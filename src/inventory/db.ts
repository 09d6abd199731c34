/**
 * The database the inventory runs on, as the core sees it: a PostgreSQL dialect behind two calls.
 * `lineproof/node` gives PGlite (embedded, a data directory) and PostgreSQL (a `postgres://` URL)
 * clients; anything else speaking PostgreSQL (PGlite in a browser, a pooled server) fits too.
 * @module
 */
import { LineproofError } from '../errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

/** A row as the driver returns it. */
export type Row = Record<string, unknown>;

/** One connection or transaction: parameterised queries (`$1`, `$2`…) and plain scripts. */
export interface SqlQueryable {
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
  /** Run a script of several statements without parameters. */
  exec(sql: string): Promise<void>;
}

/** A database: queries, and transactions that commit when `fn` resolves and roll back when it throws. */
export interface SqlClient extends SqlQueryable {
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /** What it is, for messages (`pglite:./inventory`, `postgres://host/db`), never with a password. */
  readonly description: string;
}

/** Serialises migrations across processes on a PostgreSQL server (an arbitrary fixed key). */
const MIGRATION_LOCK_KEY = 7_311_986_417;

/**
 * Bring the schema up to {@link SCHEMA_VERSION}: each missing migration in one transaction, under
 * an advisory lock so that concurrent first ingests migrate once. A database of a newer schema
 * than this code knows is refused (INVENTORY_SCHEMA_NEWER): reading it could misread it.
 * @returns the schema version before and after
 * @throws {LineproofError} INVENTORY_SCHEMA_NEWER; driver errors as INVENTORY_DB_ERROR
 */
export async function migrate(db: SqlClient): Promise<{ from: number; to: number }> {
  return dbCall(db, 'migrate', () =>
    db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await tx.exec(
        'create table if not exists lineproof_schema (version integer primary key, description text not null, applied_at timestamptz not null default now())',
      );
      const { rows } = await tx.query<{ v: number | null }>('select max(version) as v from lineproof_schema');
      const from = Number(rows[0]?.v ?? 0);
      if (from > SCHEMA_VERSION) {
        throw new LineproofError(
          'INVENTORY_SCHEMA_NEWER',
          `${db.description}: the inventory's schema is version ${from}; this Lineproof reads up to ${SCHEMA_VERSION} — upgrade Lineproof`,
          { actual: String(from), expected: String(SCHEMA_VERSION) },
        );
      }
      for (const m of MIGRATIONS) {
        if (m.version <= from) continue;
        await tx.exec(m.sql);
        await tx.query('insert into lineproof_schema (version, description) values ($1, $2)', [
          m.version,
          m.description,
        ]);
      }
      return { from, to: SCHEMA_VERSION };
    }),
  );
}

/**
 * Run a database call, turning a driver's error into INVENTORY_DB_ERROR naming the database and
 * the step; Lineproof's own errors pass through.
 */
export async function dbCall<T>(db: { description: string }, step: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof LineproofError) throw e;
    throw new LineproofError(
      'INVENTORY_DB_ERROR',
      `${db.description}: ${step}: ${(e as Error)?.message ?? String(e)}`,
      {
        cause: e,
      },
    );
  }
}

/** The tables whose statistics the questions' plans depend on. */
const TABLES =
  'lineproof_lines, lineproof_envelopes, lineproof_subjects, lineproof_refs, lineproof_sources, lineproof_signers';

/**
 * Refresh the planner's statistics after a large ingest: PGlite runs no autovacuum, and a
 * recursive walk planned on the statistics of an empty table scans every row (seconds at 100,000
 * envelopes, milliseconds after ANALYZE). Done when the ingest added at least a tenth of the
 * envelopes the statistics counted, or the table was never analysed.
 */
export async function refreshStatistics(db: SqlClient, added: number): Promise<void> {
  if (added === 0) return;
  await dbCall(db, 'analyze', async () => {
    const { rows } = await db.query<{ n: number | null }>(
      "select reltuples::float8 as n from pg_class where relname = 'lineproof_envelopes'",
    );
    const n = Number(rows[0]?.n ?? -1);
    if (n >= 0 && added * 10 < n) return;
    await db.exec(`analyze ${TABLES}`);
  });
}
