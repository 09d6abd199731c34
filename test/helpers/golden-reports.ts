/**
 * Golden reports: the whole report a test's verification gives is pinned, not only its verdict
 * and failed codes. The report is what an auditor reads (every check's id, status, code, subject,
 * expected and actual, and the chain it resolved), so a change to any of it must be a decision,
 * seen in review, rather than a side effect.
 *
 * Each test file keeps its pins in `golden/<file>.reports.json` beside it: for every report, the
 * SHA-256 of its RFC 8785 form and, to make a difference readable, one line per check that did not
 * pass. `UPDATE_GOLDENS=1` rewrites the file from a run of the whole file. A report with no pin
 * fails, so a new case cannot arrive unpinned.
 *
 * Reports are keyed by test name and their order within the test. The counter is reset before
 * each test (the file registers the hooks), so a test runner that re-runs tests in one process
 * (Stryker does) keys them the same way every time.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import canonicalize from 'canonicalize';
import { afterAll, beforeEach, expect } from 'vitest';
import type { Check, Report } from '../../src/report/index.js';

interface Pin {
  sha256: string;
  notPassed: string[];
}

const line = (c: Check) =>
  [c.status, c.id, c.code, c.subject, c.expected ?? '-', c.actual ?? '-'].map((v) => String(v)).join(' | ');

/** The pin of one report. */
export function pinOf(report: Report): Pin {
  const text = (canonicalize as unknown as (v: unknown) => string)(report);
  return {
    sha256: createHash('sha256').update(text).digest('hex'),
    notPassed: report.checks.filter((c) => c.status !== 'pass').map(line),
  };
}

/**
 * Registers the file's hooks and returns `expectGolden(report)`, which fails when the report
 * differs from its pin. Call once, at the top level of a test file, with `import.meta.url`.
 */
export function goldenReports(testFileUrl: string): (report: Report) => void {
  const file = fileURLToPath(testFileUrl);
  const path = join(dirname(file), 'golden', `${basename(file).replace(/\.test\.ts$/, '')}.reports.json`);
  const update = process.env.UPDATE_GOLDENS === '1';
  const pinned: Record<string, Pin> = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  const seen: Record<string, Pin> = {};
  const counts = new Map<string, number>();

  beforeEach(() => counts.clear());
  afterAll(() => {
    if (!update) return;
    mkdirSync(dirname(path), { recursive: true });
    const sorted = Object.fromEntries(Object.entries(seen).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    writeFileSync(path, `${JSON.stringify(sorted, null, 1)}\n`);
  });

  return (report: Report) => {
    const name = expect.getState().currentTestName ?? '(outside a test)';
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    const key = `${name} #${n}`;
    const pin = pinOf(report);
    seen[key] = pin;
    if (update) return;
    const want = pinned[key];
    expect(want, `no golden report for "${key}" in ${path} (UPDATE_GOLDENS=1 writes it)`).toBeDefined();
    expect(pin.notPassed, `the checks that did not pass, "${key}"`).toEqual(want!.notPassed);
    expect(pin.sha256, `the report of "${key}" differs from its pin (UPDATE_GOLDENS=1 rewrites it)`).toBe(want!.sha256);
  };
}
