/**
 * The HTML audit report in a real browser (issue 18, item 3a): the pages `lineproof report`
 * writes for a passing and a failing chain, served from 127.0.0.1 and opened in headless
 * Chromium. The lineage graph and its failure markers are there; text from the chain holding
 * markup is shown as text and runs nothing; the page makes no request but its own load, and its
 * Content-Security-Policy is in force (a script-made image is blocked and reported). Screenshots
 * are written to test-artifacts/ (kept by CI as artefacts, ignored by git).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { launchChromium } from '../helpers/chromium.js';
import { repoPath } from '../helpers/fixtures.js';
import { buildWorld, MODEL, OTHER_MODEL, T } from '../helpers/world.js';

const HOSTILE = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';
const dir = mkdtempSync(join(tmpdir(), 'lineproof-report-browser-'));
const artifacts = repoPath('test-artifacts');
let browser: Browser;
let server: Server;
let origin: string;
/** Paths the server was asked for: what actually left the browser. */
const served: string[] = [];
const pages: Record<string, string> = {};

beforeAll(async () => {
  const world = await buildWorld({
    registration: (i) => ({
      ...i,
      model: { name: HOSTILE, version: '3.0.0' },
      modelCard: { ...i.modelCard, limitations: [HOSTILE, 'English only'] },
    }),
  });
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(world.doc));
  writeFileSync(join(dir, 'chain.intoto.jsonl'), world.bundle);
  for (const [name, digest] of [
    ['passing', MODEL],
    ['failing', OTHER_MODEL],
  ] as const) {
    const out = join(dir, `${name}.html`);
    const r = await cli([
      'report',
      '--chain',
      join(dir, 'chain.intoto.jsonl'),
      '--policy',
      join(dir, 'policy.json'),
      '--digest',
      digest,
      '--use-case',
      'support-chat',
      '--at',
      T.asOf,
      '--html',
      out,
    ]);
    expect(r.code).toBe(name === 'passing' ? 0 : 1);
    pages[`/${name}.html`] = readFileSync(out, 'utf8');
  }
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    served.push(path);
    const body = pages[path];
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  mkdirSync(artifacts, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => server?.close(done));
});

interface Opened {
  page: Page;
  requests: string[];
  failed: Array<{ url: string; error: string }>;
  dialogs: string[];
  errors: string[];
}

async function open(name: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const opened: Opened = { page, requests: [], failed: [], dialogs: [], errors: [] };
  page.on('request', (r) => opened.requests.push(r.url()));
  page.on('requestfailed', (r) => opened.failed.push({ url: r.url(), error: r.failure()?.errorText ?? '' }));
  page.on('dialog', (d) => {
    opened.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => opened.errors.push(e.message));
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(e.violatedDirective));
  });
  await page.goto(`${origin}/${name}.html`, { waitUntil: 'load' });
  return opened;
}

describe('the HTML audit report in Chromium', () => {
  for (const name of ['passing', 'failing'] as const) {
    it(`shows the ${name} chain's lineage and verdict, runs nothing, fetches nothing`, async () => {
      const { page, requests, dialogs, errors } = await open(name);
      const verdict = await page.textContent('[data-lp-verdict]');
      expect(verdict).toBe(name === 'passing' ? 'PASSED' : 'FAILED');
      const statuses = await page.$$eval('svg.lineage g.node', (gs) => gs.map((g) => g.getAttribute('data-status')));
      expect(statuses.length).toBeGreaterThanOrEqual(7);
      const artifact = await page.getAttribute('svg.lineage g.node[data-node="artifact"]', 'data-status');
      if (name === 'passing') {
        expect(statuses.every((s) => s === 'verified')).toBe(true);
        expect(artifact).toBe('verified');
      } else {
        expect(artifact).toBe('failing');
        expect(await page.textContent('svg.lineage g.node[data-node="artifact"] text.mark')).toMatch(
          /FAILED SUBJECT_NOT_APPROVED/,
        );
        expect(await page.isVisible('text=Why it failed')).toBe(true);
      }
      const edges = await page.$$eval('svg.lineage path.edge', (ps) => ps.length);
      expect(edges).toBeGreaterThanOrEqual(6);
      // The chain's markup is text: shown, never parsed or run.
      expect(await page.textContent('table.stages')).toContain(HOSTILE);
      if (name === 'passing') expect(await page.textContent('dl.card')).toContain(HOSTILE);
      expect(await page.$$('main img')).toHaveLength(0);
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      // Nothing fetched but the page itself; no external reference anywhere in the DOM.
      expect(requests).toEqual([`${origin}/${name}.html`]);
      expect(served.filter((x) => x !== '/passing.html' && x !== '/failing.html')).toEqual([]);
      const refs = await page.$$eval('*', (els) =>
        els.flatMap((el) =>
          Array.from(el.attributes)
            .filter((a) => /^(src|href|xlink:href|action|srcset|poster|data)$/i.test(a.name))
            .map((a) => `${el.tagName} ${a.name}`),
        ),
      );
      expect(refs).toEqual([]);
      expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
      await page.screenshot({ path: join(artifacts, `report-${name}.png`), fullPage: true });
      await page.close();
    });
  }

  it('enforces its Content-Security-Policy: an image a script adds is blocked and reported, not fetched', async () => {
    const { page, failed } = await open('failing');
    await page.evaluate((url) => {
      const img = document.createElement('img');
      img.src = url;
      document.body.append(img);
    }, `${origin}/probe.png`);
    await page.waitForFunction(() => (window as unknown as { __violations: string[] }).__violations.length > 0);
    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([
      'img-src',
    ]);
    // Chromium reports the request it refused (its failure reason: csp); the server never saw it.
    await page.waitForTimeout(100);
    expect(failed).toEqual([{ url: `${origin}/probe.png`, error: 'csp' }]);
    expect(served).not.toContain('/probe.png');
    await page.close();
  });

  it('prints whole: on paper the lineage is scaled to the page rather than cut at its edge, and a PDF is made', async () => {
    const { page } = await open('passing');
    const svgWidth = () => page.$eval('svg.lineage', (e) => e.getBoundingClientRect().width);
    const boxWidth = () => page.$eval('.graph', (e) => e.clientWidth);
    await page.setViewportSize({ width: 700, height: 900 });
    // On screen a lineage wider than the page scrolls inside its box.
    expect(await svgWidth()).toBeGreaterThan(await boxWidth());
    await page.emulateMedia({ media: 'print' });
    expect(await svgWidth()).toBeLessThanOrEqual(await boxWidth());
    const pdf = await page.pdf({ format: 'A4' });
    expect(new TextDecoder().decode(pdf.subarray(0, 5))).toBe('%PDF-');
    writeFileSync(join(artifacts, 'report-passing.pdf'), pdf);
    await page.close();
  });
});
