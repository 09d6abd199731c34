import { readFileSync } from 'node:fs';

/** The package's version, as `lineproof --version` prints it and verification summaries record it. */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
