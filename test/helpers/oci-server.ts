/**
 * A small in-test OCI registry (named as such: not a real registry) on 127.0.0.1 that implements
 * what docker-registry 2.8 lacks: the referrers API of the distribution spec v1.1 (artifactType
 * filter with OCI-Filters-Applied, pagination by Link rel="next", OCI-Subject on manifest PUT)
 * and Bearer token auth (WWW-Authenticate: Bearer realm=…,service=…,scope=… and a token endpoint
 * taking Basic credentials). `override` lets an adversarial test answer any request itself.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { sha256Hex } from '../../src/digest/index.js';

export interface InTestRegistry {
  host: string;
  blobs: Map<string, Uint8Array>;
  manifests: Map<string, { type: string; bytes: Uint8Array }>;
  /** Requests seen: `METHOD path?query`. */
  log: string[];
  close(): Promise<void>;
}

export interface InTestRegistryOptions {
  /** Referrers per page (default: all on one page). */
  pageSize?: number;
  /** Require a Bearer token issued for these Basic credentials. */
  bearer?: { username: string; password: string };
  /** Answer a request here instead (return true when handled). */
  override?: (req: IncomingMessage, res: ServerResponse, url: URL, body: Uint8Array) => boolean | Promise<boolean>;
  /** Apply the artifactType filter (default true). */
  filter?: boolean;
}

const TOKEN = 'in-test-token-0123456789';

function readBody(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
  });
}

export async function startInTestRegistry(opts: InTestRegistryOptions = {}): Promise<InTestRegistry> {
  const blobs = new Map<string, Uint8Array>();
  const manifests = new Map<string, { type: string; bytes: Uint8Array }>();
  const log: string[] = [];
  let host = '';
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url!, `http://${host}`);
      const body = await readBody(req);
      log.push(`${req.method} ${url.pathname}${url.search}`);
      if (opts.override && (await opts.override(req, res, url, body))) return;
      if (url.pathname === '/token') {
        const want = `Basic ${Buffer.from(`${opts.bearer!.username}:${opts.bearer!.password}`).toString('base64')}`;
        if (req.headers.authorization !== want) return void res.writeHead(401).end();
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: TOKEN }));
      }
      if (opts.bearer && req.headers.authorization !== `Bearer ${TOKEN}`) {
        const m = /^\/v2\/(.+?)\/(?:blobs|manifests|referrers)\//.exec(url.pathname);
        const scope = m ? `,scope="repository:${m[1]}:pull,push"` : '';
        return void res
          .writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="in-test"${scope}` })
          .end();
      }
      route(req, res, url, body);
    })();
  });
  const route = (req: IncomingMessage, res: ServerResponse, url: URL, body: Uint8Array) => {
    const m = /^\/v2\/(.+?)\/(blobs\/uploads\/?(.*)|blobs\/(.+)|manifests\/(.+)|referrers\/(.+))$/.exec(url.pathname);
    if (!m) return void res.writeHead(url.pathname === '/v2/' ? 200 : 404).end();
    const [, name, , upload, blob, manifest, referrers] = m;
    if (upload !== undefined && req.method === 'POST')
      return void res.writeHead(202, { location: `/v2/${name}/blobs/uploads/${randomUUID()}` }).end();
    if (upload !== undefined && req.method === 'PUT') {
      const digest = url.searchParams.get('digest')!;
      if (`sha256:${sha256Hex(body)}` !== digest) return void res.writeHead(400).end();
      blobs.set(digest, body);
      return void res.writeHead(201, { location: `/v2/${name}/blobs/${digest}` }).end();
    }
    if (blob !== undefined) {
      const b = blobs.get(blob);
      if (!b) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-length': String(b.length), 'docker-content-digest': blob });
      return void res.end(req.method === 'HEAD' ? undefined : b);
    }
    if (manifest !== undefined && req.method === 'PUT') {
      const digest = `sha256:${sha256Hex(body)}`;
      const type = String(req.headers['content-type']);
      manifests.set(digest, { type, bytes: body });
      if (!manifest.startsWith('sha256:')) manifests.set(manifest, { type, bytes: body });
      const subject = (JSON.parse(new TextDecoder().decode(body)) as { subject?: { digest: string } }).subject;
      return void res
        .writeHead(201, { 'docker-content-digest': digest, ...(subject ? { 'oci-subject': subject.digest } : {}) })
        .end();
    }
    if (manifest !== undefined) {
      const mf = manifests.get(manifest);
      if (!mf) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': mf.type, 'docker-content-digest': `sha256:${sha256Hex(mf.bytes)}` });
      return void res.end(req.method === 'HEAD' ? undefined : mf.bytes);
    }
    // the referrers API
    const want = url.searchParams.get('artifactType');
    const all = [...manifests.entries()]
      .filter(([k]) => k.startsWith('sha256:'))
      .map(([digest, mf]) => ({
        digest,
        mf,
        doc: JSON.parse(new TextDecoder().decode(mf.bytes)) as Record<string, any>,
      }))
      .filter((x) => x.doc.subject?.digest === referrers)
      .map((x) => ({
        mediaType: x.mf.type,
        digest: x.digest,
        size: x.mf.bytes.length,
        artifactType: x.doc.artifactType ?? x.doc.config?.mediaType,
        ...(x.doc.annotations ? { annotations: x.doc.annotations } : {}),
      }))
      .sort((a, b) => (a.digest < b.digest ? -1 : 1));
    const filtered = want && opts.filter !== false ? all.filter((d) => d.artifactType === want) : all;
    const start = Number(url.searchParams.get('page') ?? '0');
    const size = opts.pageSize ?? (filtered.length || 1);
    const page = filtered.slice(start * size, (start + 1) * size);
    const headers: Record<string, string> = { 'content-type': 'application/vnd.oci.image.index.v1+json' };
    if (want && opts.filter !== false) headers['oci-filters-applied'] = 'artifactType';
    if ((start + 1) * size < filtered.length) {
      const next = new URL(url);
      next.searchParams.set('page', String(start + 1));
      headers.link = `<${next.pathname}${next.search}>; rel="next"`;
    }
    res
      .writeHead(200, headers)
      .end(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: page }));
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    host,
    blobs,
    manifests,
    log,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Store a model manifest (as a registry would have it) and return its digest. */
export function putModel(reg: InTestRegistry, seed: string): string {
  const bytes = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 2 },
      layers: [],
      annotations: { seed },
    }),
  );
  const digest = `sha256:${sha256Hex(bytes)}`;
  reg.manifests.set(digest, { type: 'application/vnd.oci.image.manifest.v1+json', bytes });
  return digest;
}
