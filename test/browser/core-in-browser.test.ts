/**
 * The core in a real browser (issue 18, item 3b): bundled for browsers by
 * scripts/browser-bundle.mjs, served from 127.0.0.1, loaded as an ES module by headless Chromium,
 * which then verifies a signed chain and a DSSE envelope (with the core's own pure Ed25519
 * verifier: the page has no Node) and hashes a Blob with the WebCrypto chunk-tree engine. Every
 * verdict must equal, report for report, the one Node gives on the same inputs, and every digest
 * the one the real CLI prints for a file of the same bytes. Every request the page makes is
 * recorded and must go to the test's own server; anything else is aborted, so nothing leaves.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCore } from '../../scripts/browser-bundle.mjs';
import * as core from '../../src/index.js';
import { launchChromium } from '../helpers/chromium.js';
import { repoPath } from '../helpers/fixtures.js';
import { buildWorld, key, MODEL, T, type World } from '../helpers/world.js';

type Core = typeof import('../../src/index.js');
type Json = ReturnType<typeof JSON.parse>;

/** A Blob of a few MiB, its length no multiple of any leaf size, its content not periodic. */
const BLOB_BYTES = 3 * 2 ** 20 + 12_345;

/** Deterministic bytes (xorshift32), so a failure can be reproduced. */
function blobBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const INDEX_HTML = `<!doctype html>
<meta charset="utf-8">
<title>lineproof core</title>
<script type="module">
  import('./lineproof.js').then(
    (m) => { globalThis.lineproof = m; globalThis.loaded = 'ok'; },
    (e) => { globalThis.loaded = String(e); },
  );
</script>
`;

/** A static server on 127.0.0.1 holding exactly the page, the bundle and the Blob's bytes. */
async function serve(files: Record<string, { type: string; body: string | Uint8Array }>): Promise<Server> {
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://x').pathname];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return server;
}

/** A value as JSON has it: how the page's results cross to Node, so both sides compare alike. */
const asJson = (x: unknown): Json => JSON.parse(JSON.stringify(x));

/** The bundle line of `line`'s envelope with one byte of its first signature, or of its payload, flipped. */
function flipped(line: string, what: 'sig' | 'payload'): string {
  const env = JSON.parse(line) as core.Envelope;
  const flip = (b64: string, at: number) => {
    const bytes = core.fromBase64(b64);
    bytes[at]! ^= 0x01;
    return core.toBase64(bytes);
  };
  if (what === 'sig') env.signatures[0]!.sig = flip(env.signatures[0]!.sig, 7);
  else env.payload = flip(env.payload, 40);
  return core.bundleLine(env);
}

const failingCodes = (report: Json): string[] =>
  (report.checks as core.Check[]).filter((c) => c.status === 'fail').map((c) => c.code);

/** A new page whose every request is recorded in `seen`; a request off the server is aborted. */
async function watched(seen: string[]): Promise<Page> {
  const p = await (await browser.newContext()).newPage();
  p.on('request', (r) => void seen.push(r.url()));
  p.on('pageerror', (e) => void pageErrors.push(String(e)));
  await p.route('**/*', (route) => (route.request().url().startsWith(`${origin}/`) ? route.continue() : route.abort()));
  return p;
}

let server: Server;
let browser: Browser;
let page: Page;
let origin: string;
let world: World;
let dir: string;
const requests: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lineproof-browser-'));
  const bundle = await bundleCore();
  server = await serve({
    '/': { type: 'text/html; charset=utf-8', body: INDEX_HTML },
    '/lineproof.js': { type: 'text/javascript; charset=utf-8', body: bundle },
    '/blob.bin': { type: 'application/octet-stream', body: blobBytes(BLOB_BYTES) },
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  world = await buildWorld();
  browser = await launchChromium();
  page = await watched(requests);
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => 'loaded' in globalThis);
  expect(await page.evaluate(() => (globalThis as unknown as { loaded: string }).loaded)).toBe('ok');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the core bundled for the browser, in Chromium', () => {
  it('runs where there is no Node: no process, Buffer or require', async () => {
    expect(await page.evaluate(() => [typeof process, typeof Buffer, typeof require])).toEqual([
      'undefined',
      'undefined',
      'undefined',
    ]);
  });

  describe('verifyChain, with the default (pure) Ed25519 verifier', () => {
    const inBrowser = (bundle: string) =>
      page.evaluate(
        async ({ bundle, doc, subject, asOf }) => {
          const lp = (globalThis as unknown as { lineproof: Core }).lineproof;
          const policy = lp.parsePolicy(doc);
          const { report, chain, used } = await lp.verifyChain({
            bundle,
            policy,
            subject,
            useCase: 'support-chat',
            asOf,
          });
          return JSON.stringify({ report, chain, used });
        },
        { bundle, doc: world.doc, subject: MODEL, asOf: T.asOf },
      );
    const inNode = async (bundle: string) =>
      asJson(
        await core.verifyChain({
          bundle,
          policy: core.parsePolicy(asJson(world.doc)),
          subject: MODEL,
          useCase: 'support-chat',
          asOf: T.asOf,
        }),
      );

    it('verifies the fixture chain, with the report Node gives', async () => {
      const browserSide = JSON.parse(await inBrowser(world.bundle));
      expect(browserSide.report.ok).toBe(true);
      expect(failingCodes(browserSide.report)).toEqual([]);
      expect(browserSide.chain.map((l: core.ChainLink) => l.stage)).toEqual([
        'dataset',
        'training',
        'evaluation',
        'approval',
        'promotion',
      ]);
      expect(browserSide).toEqual(await inNode(world.bundle));
    });

    it.each([
      // One of the two approvers' signatures no longer verifies: the high tier needs two.
      [
        'a flipped byte in an approval signature',
        'approval',
        'sig',
        ['IDENTITY_MISMATCH', 'APPROVAL_THRESHOLD_NOT_MET'],
      ],
      // The evaluation no longer verifies, so it is not evidence: the approval's reference to it dangles.
      [
        'a flipped byte in the evaluation payload',
        'evaluation',
        'payload',
        ['REFERENCE_UNRESOLVED', 'STAGE_MISSING', 'STAGE_MISSING'],
      ],
    ] as const)('%s fails, with the codes and report Node gives', async (_, step, what, codes) => {
      const tampered = world.bundle.replace(world.steps[step].line, flipped(world.steps[step].line, what));
      expect(tampered).not.toBe(world.bundle);
      const browserSide = JSON.parse(await inBrowser(tampered));
      const nodeSide = await inNode(tampered);
      expect(browserSide.report.ok).toBe(false);
      expect(failingCodes(browserSide.report)).toEqual(codes);
      expect(failingCodes(nodeSide.report)).toEqual(codes);
      expect(browserSide).toEqual(nodeSide);
    });
  });

  describe('verifyEnvelope', () => {
    const inBrowser = (envelope: string, publicKeyHex: string) =>
      page.evaluate(
        async ({ envelope, publicKeyHex, payloadType }) => {
          const lp = (globalThis as unknown as { lineproof: Core }).lineproof;
          const r = await lp.verifyEnvelope(envelope, { trustedKeys: [lp.fromHex(publicKeyHex)], payloadType });
          return JSON.stringify({ report: r.report, statement: r.statement, keys: r.verifiedKeys.length });
        },
        { envelope, publicKeyHex, payloadType: core.IN_TOTO_PAYLOAD_TYPE },
      );
    const inNode = async (envelope: string, publicKeyHex: string) => {
      const r = await core.verifyEnvelope(envelope, {
        trustedKeys: [core.fromHex(publicKeyHex)],
        payloadType: core.IN_TOTO_PAYLOAD_TYPE,
      });
      return asJson({ report: r.report, statement: r.statement, keys: r.verifiedKeys.length });
    };

    it.each([
      ['the signed envelope verifies', 'trainer', 'none', true],
      ['a flipped payload byte fails', 'trainer', 'payload', false],
      ['a flipped signature byte fails', 'trainer', 'sig', false],
      ['a key that did not sign fails', 'mallory', 'none', false],
    ] as const)('%s, with the report Node gives', async (_, signer, what, ok) => {
      const line = world.steps.training.line;
      const envelope = (what === 'none' ? line : flipped(line, what)).trim();
      const hex = core.publicKeyToHex((await key(signer)).publicKey);
      const browserSide = JSON.parse(await inBrowser(envelope, hex));
      expect(browserSide.report.ok).toBe(ok);
      expect(browserSide.keys).toBe(ok ? 1 : 0);
      if (ok) expect(browserSide.statement).toEqual(asJson(world.steps.training.statement));
      else expect(failingCodes(browserSide.report).length).toBeGreaterThan(0);
      expect(browserSide).toEqual(await inNode(envelope, hex));
    });
  });

  describe('treeRootWebCrypto over a Blob', () => {
    it.each([65_536, 1_048_576])('gives the root `lineproof hash --tree` prints (leaf %i bytes)', async (leafBytes) => {
      const file = join(dir, `blob-${leafBytes}.bin`);
      writeFileSync(file, blobBytes(BLOB_BYTES));
      const cli = JSON.parse(
        execFileSync(
          process.execPath,
          [repoPath('dist/cli/main.js'), 'hash', file, '--tree', '--leaf-bytes', String(leafBytes), '--json'],
          { encoding: 'utf8' },
        ),
      );
      const sha256sum = execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];
      const got = await page.evaluate(async (leafBytes) => {
        const lp = (globalThis as unknown as { lineproof: Core }).lineproof;
        const bytes = new Uint8Array(await (await fetch('/blob.bin')).arrayBuffer());
        // A Blob of uneven parts, so the stream's chunks fall across leaf boundaries.
        const blob = new Blob([bytes.subarray(0, 1000), bytes.subarray(1000, 1_500_001), bytes.subarray(1_500_001)]);
        const { root, totalLength } = await lp.treeRootWebCrypto(blob.stream(), { leafBytes });
        const whole = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
        return {
          size: blob.size,
          totalLength,
          tree: `${lp.treeAlgorithm(leafBytes)}:${lp.toHex(root)}`,
          sha256: `sha256:${lp.toHex(whole)}`,
        };
      }, leafBytes);
      expect(got.size).toBe(BLOB_BYTES);
      expect(got.totalLength).toBe(BLOB_BYTES);
      expect(BLOB_BYTES % leafBytes).not.toBe(0);
      expect(got.tree).toBe(cli.treeDigest);
      expect(got.sha256).toBe(cli.digest);
      expect(got.sha256).toBe(`sha256:${sha256sum}`);
    });
  });

  it('the request log sees a request to elsewhere (it can fail), and aborts it', async () => {
    const seen: string[] = [];
    const other = await watched(seen);
    await other.goto(`${origin}/`);
    const outcome = await other.evaluate(() =>
      fetch('http://192.0.2.1/probe').then(
        () => 'reached',
        () => 'aborted',
      ),
    );
    expect(outcome).toBe('aborted');
    expect(seen).toContain('http://192.0.2.1/probe');
    expect(seen.filter((u) => !u.startsWith(`${origin}/`))).toEqual(['http://192.0.2.1/probe']);
    await other.context().close();
  });

  it('every request the page made went to its 127.0.0.1 server, and the page threw nothing', () => {
    expect(requests).toContain(`${origin}/lineproof.js`);
    expect(requests).toContain(`${origin}/blob.bin`);
    expect(requests.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
