/**
 * A temporary PostgreSQL server (Debian postgresql, a fresh cluster on 127.0.0.1, stopped after):
 * bench/postgres.mjs, shared with the inventory benchmark. A missing server is a failure.
 */
export { startPostgres, type PostgresServer } from '../../bench/postgres.mjs';
