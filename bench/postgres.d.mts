// Types of bench/postgres.mjs for the TypeScript tests that import it.
export interface PostgresServer {
  url: string;
  /** A URL of another database on the same server, created empty. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}
export declare function startPostgres(): Promise<PostgresServer>;
