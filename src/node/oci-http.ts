/**
 * The HTTP side of an OCI registry (distribution spec v1.1; spec/oci.md §4), over the global
 * `fetch` only. A registry is untrusted: every request has a timeout that covers its body, the
 * whole operation a deadline; bodies are read up to a limit given per request; redirects are
 * followed by hand (at most 5, credentials never sent to another origin); plain HTTP only to this
 * machine or when asked for. Authentication: Basic, or the Bearer token challenge
 * (`WWW-Authenticate: Bearer realm=…,service=…,scope=…` → GET realm, with Basic credentials when
 * there are any → `token` / `access_token`).
 * @module
 */
import { LineproofError } from '../errors.js';
import { isJsonObject, parseJson } from '../json/strict.js';
import { isLoopbackHost, type OciReference } from '../interop/oci/reference.js';
import { parseWwwAuthenticate, type AuthChallenge } from '../interop/oci/http.js';

/** Credentials for one registry (from a Docker config file, or given). */
export interface OciCredentials {
  username: string;
  password: string;
}

/** Options of every registry operation. */
export interface OciClientOptions {
  /** Allow `http://` for a host other than this machine (default false; loopback is always plain HTTP). */
  plainHttp?: boolean;
  /** Credentials for the registry (and its token service). */
  credentials?: OciCredentials | undefined;
  /** Time limit of one request, body included (ms, default 30,000). */
  timeoutMs?: number;
  /** Time limit of the whole operation (ms, default 600,000). */
  deadlineMs?: number;
  /** The fetch to use (default: the global `fetch`). */
  fetch?: typeof fetch;
}

/** A response read in full (within its limit). */
export interface OciResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
  url: string;
}

/** What one request sends and accepts. */
export interface OciRequest {
  method?: 'GET' | 'HEAD' | 'PUT' | 'POST';
  accept?: readonly string[];
  body?: Uint8Array;
  contentType?: string;
  /** Largest body read on success (bytes). */
  maxBytes: number;
  /** Names the request in messages. */
  what: string;
}

export const DEFAULT_OCI_TIMEOUT_MS = 30_000;
export const DEFAULT_OCI_DEADLINE_MS = 600_000;
const MAX_REDIRECTS = 5;
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

function err(code: LineproofError['code'], message: string, cause?: unknown): LineproofError {
  return new LineproofError(code, message, cause === undefined ? {} : { cause });
}

/** A client for one repository of one registry. */
export class OciRegistryClient {
  readonly base: URL;
  private authorization: string | undefined;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private readonly deadline: number;

  constructor(
    readonly ref: OciReference,
    private readonly actions: 'pull' | 'pull,push',
    private readonly options: OciClientOptions = {},
  ) {
    const plain = isLoopbackHost(ref.host) || options.plainHttp === true;
    this.base = new URL(`${plain ? 'http' : 'https'}://${ref.registry}/`);
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_OCI_TIMEOUT_MS;
    const deadlineMs = options.deadlineMs ?? DEFAULT_OCI_DEADLINE_MS;
    if (!(this.timeoutMs > 0) || !(deadlineMs > 0)) throw new RangeError('"timeoutMs" and "deadlineMs" expected > 0');
    this.deadline = Date.now() + deadlineMs;
  }

  /** `/v2/<name>/<rest>`. */
  path(rest: string): string {
    return `/v2/${this.ref.repository}/${rest}`;
  }

  /** Past the whole operation's deadline: OCI_TIMEOUT. */
  checkDeadline(what: string): void {
    if (Date.now() >= this.deadline) throw err('OCI_TIMEOUT', `${what}: the operation ran past its deadline`);
  }

  private allowed(url: URL): boolean {
    if (url.protocol === 'https:') return true;
    return (
      url.protocol === 'http:' &&
      (this.options.plainHttp === true || isLoopbackHost(url.hostname.replace(/^\[|\]$/g, '')))
    );
  }

  /** One request: auth on a 401 (once), redirects by hand, the body read within its limit. */
  async request(target: string, req: OciRequest): Promise<OciResponse> {
    let url = new URL(target, this.base);
    let method = req.method ?? 'GET';
    let body = req.body;
    let authRetried = false;
    for (let hop = 0; ; hop++) {
      if (!this.allowed(url))
        throw err('OCI_REGISTRY_ERROR', `${req.what}: refusing ${url.protocol} URL ${url.origin}`);
      const sameOrigin = url.origin === this.base.origin;
      const headers: Record<string, string> = {};
      if (req.accept) headers.accept = req.accept.join(', ');
      if (body) headers['content-type'] = req.contentType ?? 'application/octet-stream';
      if (sameOrigin && this.authorization) headers.authorization = this.authorization;
      const res = await this.send(url, method, headers, body, req);
      if (res.status === 401 && sameOrigin && !authRetried) {
        authRetried = true;
        await this.authenticate(parseWwwAuthenticate(res.headers.get('www-authenticate') ?? ''), req.what);
        hop--;
        continue;
      }
      const location = res.headers.get('location');
      if (
        [301, 302, 303, 307, 308].includes(res.status) &&
        location !== null &&
        method !== 'PUT' &&
        method !== 'POST'
      ) {
        if (hop >= MAX_REDIRECTS) throw err('OCI_REGISTRY_ERROR', `${req.what}: more than ${MAX_REDIRECTS} redirects`);
        url = new URL(location, url);
        if (res.status === 303) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      return res;
    }
  }

  private async send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
    req: OciRequest,
  ): Promise<OciResponse> {
    this.checkDeadline(req.what);
    const controller = new AbortController();
    const ms = Math.min(this.timeoutMs, this.deadline - Date.now());
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, ms);
    try {
      const res = await this.fetchFn(url, {
        method,
        headers,
        ...(body ? { body: body as unknown as BodyInit } : {}),
        redirect: 'manual',
        signal: controller.signal,
      });
      const ok = res.status >= 200 && res.status < 300 && method !== 'HEAD';
      const bytes = ok ? await readLimited(res, req.maxBytes, req.what) : await discard(res);
      return { status: res.status, headers: res.headers, body: bytes, url: url.href };
    } catch (e) {
      if (e instanceof LineproofError) throw e;
      if (timedOut) throw err('OCI_TIMEOUT', `${req.what}: no complete answer within ${ms} ms`, e);
      throw err('OCI_REGISTRY_UNREACHABLE', `${req.what}: ${url.origin}: ${causeText(e)}`, e);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Answer a 401 challenge: Basic with the credentials, or a Bearer token from the realm. */
  private async authenticate(challenges: AuthChallenge[], what: string): Promise<void> {
    const creds = this.options.credentials;
    const basic = creds
      ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64')}`
      : undefined;
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    if (bearer) {
      this.authorization = `Bearer ${await this.token(bearer, basic, what)}`;
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic') && basic) {
      this.authorization = basic;
      return;
    }
    throw err(
      'OCI_UNAUTHORIZED',
      `${what}: the registry asks for authentication${creds ? ' the credentials cannot answer' : ' and no credentials were found (docker login, or a Docker config file)'}`,
    );
  }

  private async token(challenge: AuthChallenge, basic: string | undefined, what: string): Promise<string> {
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm!);
    } catch {
      throw err('OCI_UNAUTHORIZED', `${what}: the token realm is not a URL`);
    }
    if (!this.allowed(realm))
      throw err('OCI_UNAUTHORIZED', `${what}: refusing token realm ${realm.origin} over ${realm.protocol}`);
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.set('scope', challenge.params.scope ?? `repository:${this.ref.repository}:${this.actions}`);
    const res = await this.send(realm, 'GET', basic ? { authorization: basic } : {}, undefined, {
      maxBytes: MAX_TOKEN_RESPONSE_BYTES,
      what: `${what} (token)`,
    });
    if (res.status !== 200) throw err('OCI_UNAUTHORIZED', `${what}: the token service answered ${res.status}`);
    let v: unknown;
    try {
      v = parseJson(res.body, { what: 'token response', maxBytes: MAX_TOKEN_RESPONSE_BYTES, maxDepth: 8 });
    } catch (e) {
      throw err('OCI_UNAUTHORIZED', `${what}: the token response is not JSON`, e);
    }
    const t = isJsonObject(v)
      ? ((v as Record<string, unknown>).token ?? (v as Record<string, unknown>).access_token)
      : undefined;
    if (typeof t !== 'string' || t === '' || !/^[\x21-\x7e]+$/.test(t))
      throw err('OCI_UNAUTHORIZED', `${what}: the token response holds no token`);
    return t;
  }
}

function causeText(e: unknown): string {
  const c = (e as { cause?: { code?: string; message?: string } }).cause;
  return c?.code ?? c?.message ?? (e as Error).message ?? 'error';
}

async function discard(res: Response): Promise<Uint8Array> {
  try {
    await res.body?.cancel();
  } catch {
    // nothing to free
  }
  return new Uint8Array(0);
}

/** Read a body, failing with OCI_RESPONSE_TOO_LARGE past `max` bytes (Content-Length first). */
async function readLimited(res: Response, max: number, what: string): Promise<Uint8Array> {
  const tooLarge = () =>
    new LineproofError('OCI_RESPONSE_TOO_LARGE', `${what}: the answer is larger than the limit of ${max} bytes`, {
      path: what,
      expected: `<= ${max}`,
    });
  const declared = res.headers.get('content-length');
  if (declared !== null && /^[0-9]+$/.test(declared) && Number(declared) > max) {
    await discard(res);
    throw tooLarge();
  }
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * The error for a status a request does not allow: OCI_UNAUTHORIZED for 401/403,
 * OCI_REGISTRY_ERROR otherwise.
 */
export function statusError(res: OciResponse, what: string): LineproofError {
  const code = res.status === 401 || res.status === 403 ? 'OCI_UNAUTHORIZED' : 'OCI_REGISTRY_ERROR';
  return new LineproofError(code, `${what}: the registry answered HTTP ${res.status}`, {
    path: what,
    actual: String(res.status),
  });
}
