/**
 * Opening an inventory database (decisions §16) from Node: the embedded default, PGlite
 * (PostgreSQL compiled to WebAssembly, its data in a directory, no server), or a PostgreSQL
 * server (`postgres://…`). Both get the same schema and migrations (`migrate`).
 *
 * PGlite allows one connection to a data directory (`DIR/pgdata`): {@link openInventory} takes a lock file beside it
 * (`lineproof-inventory.lock`, created exclusively, holding the pid and host) and waits for a live
 * holder up to `lockTimeoutMs`, then fails with INVENTORY_LOCKED naming it; the lock of a process
 * that no longer runs on this host is broken. A PostgreSQL server needs no lock: ingests are
 * transactions.
 * @module
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { LineproofError } from '../errors.js';
import { migrate, type SqlClient, type SqlQueryable } from '../inventory/db.js';

/** The name of the lock file in an embedded inventory's data directory. */
export const INVENTORY_LOCK_FILE = 'lineproof-inventory.lock';

/** Options of {@link openInventory}. */
export interface OpenInventoryOptions {
  /** How long to wait for another process's lock on an embedded inventory (ms, default 10,000). */
  lockTimeoutMs?: number;
  /** Bring the schema up to date (default true). */
  migrate?: boolean;
}

/** An open inventory: the client, and how to close it (and release its lock). */
export interface Inventory {
  db: SqlClient;
  close(): Promise<void>;
}

/** True when `target` names a PostgreSQL server rather than a data directory. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** A URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Is a process of this host alive? (EPERM: alive, someone else's.) */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the data directory's lock, or fail with INVENTORY_LOCKED after the timeout. */
async function lockDirectory(dir: string, timeoutMs: number): Promise<() => void> {
  const path = join(dir, INVENTORY_LOCK_FILE);
  const token = `${process.pid}@${hostname()}:${Date.now()}:${Math.random()}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify({ pid: process.pid, hostname: hostname(), token }));
      } finally {
        closeSync(fd);
      }
      return () => {
        try {
          if (readFileSync(path, 'utf8').includes(token)) rmSync(path, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new LineproofError('IO_ERROR', `${dir}: cannot create ${INVENTORY_LOCK_FILE}: ${(e as Error).message}`, {
          cause: e,
        });
      }
    }
    let holder: { pid?: unknown; hostname?: unknown } = {};
    try {
      holder = JSON.parse(readFileSync(path, 'utf8').slice(0, 4096)) as typeof holder;
    } catch {
      // being written, or garbage: judged by age below
    }
    const pid = typeof holder.pid === 'number' && Number.isSafeInteger(holder.pid) ? holder.pid : undefined;
    if (pid !== undefined && holder.hostname === hostname() && !alive(pid)) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new LineproofError(
        'INVENTORY_LOCKED',
        `${dir}: the inventory is in use by ${pid !== undefined ? `pid ${pid}` : 'another process'}${
          typeof holder.hostname === 'string' ? ` on ${holder.hostname.slice(0, 100)}` : ''
        } (PGlite allows one connection; waited ${timeoutMs} ms). Retry when it ends, or remove ${path} if that process is gone`,
      );
    }
    await sleep(Math.min(100, Math.max(1, deadline - Date.now())));
  }
}

/** The PGlite client as a {@link SqlClient}. */
async function openPglite(dir: string): Promise<{ db: SqlClient; close: () => Promise<void> }> {
  const { PGlite } = await import('@electric-sql/pglite');
  const pg = await PGlite.create(dir);
  const wrap = (q: Pick<typeof pg, 'query' | 'exec'>): SqlQueryable => ({
    query: async (sql, params) => ({ rows: (await q.query(sql, params as unknown[])).rows as never[] }),
    exec: async (sql) => {
      await q.exec(sql);
    },
  });
  const db: SqlClient = {
    ...wrap(pg),
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    description: `pglite:${dir.replace(/[/\\]pgdata$/, '')}`,
  };
  return { db, close: () => pg.close() };
}

/** A PostgreSQL server (node-postgres pool) as a {@link SqlClient}. */
async function openPostgres(url: string): Promise<{ db: SqlClient; close: () => Promise<void> }> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000 });
  // An idle client's error (the server went away) must not crash the process; the next query fails.
  pool.on('error', () => {});
  const wrap = (c: { query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }> }): SqlQueryable => ({
    query: async (sql, params) => ({ rows: (await c.query(sql, params as unknown[])).rows as never[] }),
    exec: async (sql) => {
      await c.query(sql);
    },
  });
  const db: SqlClient = {
    ...wrap(pool),
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const out = await fn(wrap(client));
        await client.query('commit');
        return out;
      } catch (e) {
        await client.query('rollback').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    description: redactUrl(url),
  };
  return { db, close: () => pool.end() };
}

/**
 * Open (creating and migrating as needed) the inventory at `target`: a data directory for the
 * embedded PGlite database (created if absent), a `postgres://` URL, or `memory://` (an embedded
 * database that lives as long as the process: tests, one-off questions).
 * @param target a directory path, or `postgres://user:pass@host:port/db`
 * @returns the client and `close()`; always close it (it releases the data directory's lock)
 * @throws {LineproofError} INVENTORY_LOCKED, INVENTORY_DB_ERROR, INVENTORY_SCHEMA_NEWER, IO_ERROR
 * @example
 * ```ts
 * const inv = await openInventory('./inventory');
 * try { await ingestBundle(inv.db, text, { source: 'chain.intoto.jsonl', now: new Date(), policy }); }
 * finally { await inv.close(); }
 * ```
 */
export async function openInventory(target: string, options: OpenInventoryOptions = {}): Promise<Inventory> {
  if (typeof target !== 'string' || target === '')
    throw new TypeError('"target" expected a directory or a postgres:// URL');
  let opened: { db: SqlClient; close: () => Promise<void> };
  let unlock = () => {};
  if (isPostgresUrl(target)) {
    opened = await openPostgres(target);
  } else if (target === 'memory://') {
    opened = await openPglite('memory://');
  } else {
    const dir = resolve(target);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new LineproofError('IO_ERROR', `${dir}: cannot create the inventory directory: ${(e as Error).message}`, {
        cause: e,
      });
    }
    unlock = await lockDirectory(dir, options.lockTimeoutMs ?? 10_000);
    try {
      opened = await openPglite(join(dir, 'pgdata'));
    } catch (e) {
      unlock();
      throw new LineproofError('INVENTORY_DB_ERROR', `pglite:${dir}: cannot open: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  const close = async () => {
    try {
      await opened.close();
    } finally {
      unlock();
    }
  };
  if (options.migrate !== false) {
    try {
      await migrate(opened.db);
    } catch (e) {
      await close();
      throw e;
    }
  }
  return { db: opened.db, close };
}
