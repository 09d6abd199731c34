/**
 * Registry credentials from a Docker config file (spec/oci.md §4): `$DOCKER_CONFIG/config.json`,
 * else `$HOME/.docker/config.json`; `auths[registry].auth` is base64 of `user:password` (or
 * `username` and `password` fields). Credential helpers (`credHelpers`, `credsStore`) are not
 * run — Lineproof starts no programs named by a config file — and a note says so.
 * @module
 */
import { join } from 'node:path';
import { fromBase64, fromUtf8 } from '../bytes/index.js';
import { LineproofError } from '../errors.js';
import { isJsonObject, parseJson, type JsonObject } from '../json/strict.js';
import { readFileLimited } from './fs.js';
import type { OciCredentials } from './oci-http.js';

/** Largest Docker config file read. */
const MAX_DOCKER_CONFIG_BYTES = 1024 * 1024;

/** Options of {@link loadDockerCredentials}. */
export interface LoadDockerCredentialsOptions {
  /** The folder holding config.json (default: `env.DOCKER_CONFIG`, else `env.HOME/.docker`). */
  configDir?: string;
  /** The environment to read DOCKER_CONFIG and HOME from (default: process.env). */
  env?: Record<string, string | undefined>;
}

/** What {@link loadDockerCredentials} found. */
export interface DockerCredentialsResult {
  credentials?: OciCredentials;
  /** The config file read, when there was one. */
  path?: string;
  /** Things the operator should know (a credential helper not run). */
  notes: string[];
}

/** `https://host/v1/` → `host`: how Docker config keys name a registry. */
function registryOfKey(key: string): string {
  return key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
}

function invalid(path: string, message: string, cause?: unknown): LineproofError {
  return new LineproofError('OCI_CREDENTIALS_INVALID', `${path}: ${message}`, { path, cause });
}

function fromEntry(entry: JsonObject, path: string, key: string): OciCredentials | undefined {
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    let text: string;
    try {
      text = fromUtf8(fromBase64(entry.auth, `auths["${key}"].auth`));
    } catch (e) {
      throw invalid(path, `auths["${key}"].auth is not base64 of user:password`, e);
    }
    const colon = text.indexOf(':');
    if (colon <= 0) throw invalid(path, `auths["${key}"].auth is not base64 of user:password`);
    return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  if (typeof entry.username === 'string' && typeof entry.password === 'string')
    return { username: entry.username, password: entry.password };
  return undefined;
}

/**
 * Find the credentials for a registry in the Docker config file.
 * @param registry `host[:port]` as in the reference
 * @param options where the config is and the environment
 * @returns the credentials (absent when none are stored), the path read and notes
 * @throws {LineproofError} OCI_CREDENTIALS_INVALID (unreadable, not JSON, a malformed entry)
 * @example
 * ```ts
 * const { credentials, notes } = loadDockerCredentials('registry.example.com');
 * ```
 */
export function loadDockerCredentials(
  registry: string,
  options: LoadDockerCredentialsOptions = {},
): DockerCredentialsResult {
  const env = options.env ?? process.env;
  const dir = options.configDir ?? env.DOCKER_CONFIG ?? (env.HOME ? join(env.HOME, '.docker') : undefined);
  if (dir === undefined) return { notes: [] };
  const path = join(dir, 'config.json');
  let bytes: Uint8Array;
  try {
    bytes = readFileLimited(path, MAX_DOCKER_CONFIG_BYTES);
  } catch (e) {
    if ((e as LineproofError).cause && ((e as LineproofError).cause as NodeJS.ErrnoException).code === 'ENOENT')
      return { notes: [] };
    throw invalid(path, 'cannot be read', e);
  }
  let config: unknown;
  try {
    config = parseJson(bytes, { what: path, maxDepth: 16 });
  } catch (e) {
    throw invalid(path, `not JSON (${(e as LineproofError).code})`, e);
  }
  if (!isJsonObject(config)) throw invalid(path, 'not a JSON object');
  const c = config;
  const want = registry.toLowerCase();
  const notes: string[] = [];
  if (isJsonObject(c.auths ?? null)) {
    for (const [key, entry] of Object.entries(c.auths as JsonObject)) {
      if (registryOfKey(key) !== want || !isJsonObject(entry)) continue;
      const credentials = fromEntry(entry, path, key);
      if (credentials) return { credentials, path, notes };
    }
  }
  const helper = isJsonObject(c.credHelpers ?? null) ? (c.credHelpers as JsonObject)[registry] : undefined;
  if (typeof helper === 'string' || typeof c.credsStore === 'string')
    notes.push(
      `${path}: credentials for ${registry} are kept by a credential helper (${typeof helper === 'string' ? `credHelpers: ${helper}` : `credsStore: ${c.credsStore as string}`}), which lineproof does not run; going on without credentials (put an "auth" entry in auths, or use a DOCKER_CONFIG folder that has one)`,
    );
  return { path, notes };
}
