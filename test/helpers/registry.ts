/**
 * A real OCI registry for tests: Debian's docker-registry (distribution 2.8, .ci/apt-packages),
 * started on 127.0.0.1 with a temporary config (filesystem storage in a temporary folder, a free
 * port, optional htpasswd auth) and stopped after. A missing binary fails the test, never skips it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../../src/digest/index.js';

export const REGISTRY_BIN = process.env.DOCKER_REGISTRY_BIN ?? '/usr/bin/docker-registry';

export interface RunningRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  stop(): void;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Start a registry; `htpasswd` is the path of an htpasswd file to require Basic auth. */
export async function startRegistry(opts: { htpasswd?: string } = {}): Promise<RunningRegistry> {
  if (!existsSync(REGISTRY_BIN))
    throw new Error(
      `${REGISTRY_BIN} is missing: install docker-registry (.ci/apt-packages) or set DOCKER_REGISTRY_BIN`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'lineproof-registry-'));
  const port = await freePort();
  const auth = opts.htpasswd ? `auth:\n  htpasswd:\n    realm: lineproof-test\n    path: ${opts.htpasswd}\n` : '';
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  const proc: ChildProcess = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  proc.stderr!.on('data', (d: Buffer) => void (log = (log + d.toString()).slice(-4000)));
  const host = `127.0.0.1:${port}`;
  const stop = () => {
    proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  const until = Date.now() + 20_000;
  for (;;) {
    try {
      const r = await fetch(`http://${host}/v2/`);
      if (r.status === 200 || r.status === 401) break;
    } catch {
      // not listening yet
    }
    if (proc.exitCode !== null || Date.now() > until) {
      stop();
      throw new Error(`docker-registry did not start on ${host}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host, stop };
}

/** Push a small model as an OCI image manifest (a layer of bytes, a config) over the HTTP API. */
export async function pushModel(
  host: string,
  repo: string,
  seed: string,
  headers: Record<string, string> = {},
): Promise<{ digest: string; size: number }> {
  const enc = new TextEncoder();
  const blob = async (bytes: Uint8Array) => {
    const digest = `sha256:${sha256Hex(bytes)}`;
    const post = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
    if (post.status !== 202) throw new Error(`POST upload: ${post.status}`);
    const url = new URL(post.headers.get('location')!, `http://${host}`);
    url.searchParams.set('digest', digest);
    const put = await fetch(url, {
      method: 'PUT',
      body: bytes as unknown as BodyInit,
      headers: { ...headers, 'content-type': 'application/octet-stream' },
    });
    if (put.status !== 201) throw new Error(`PUT blob: ${put.status}`);
    return { digest, size: bytes.length };
  };
  const layer = await blob(enc.encode(`model weights: ${seed}\n`));
  const config = await blob(
    enc.encode(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })),
  );
  const manifest = enc.encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    }),
  );
  const digest = `sha256:${sha256Hex(manifest)}`;
  const put = await fetch(`http://${host}/v2/${repo}/manifests/${digest}`, {
    method: 'PUT',
    body: manifest,
    headers: { ...headers, 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  if (put.status !== 201) throw new Error(`PUT manifest: ${put.status} ${await put.text()}`);
  return { digest, size: manifest.length };
}
