import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReportBuilder, assertVerified, reportJsonSchema, reportSchema, failedChecks } from '../../src/report/index.js';
import { parseJson } from '../../src/json/strict.js';
import { repoPath } from '../helpers/fixtures.js';
import { codeOf } from '../helpers/codes.js';

describe('ReportBuilder', () => {
  it('is ok only with at least one pass and no fail', () => {
    const empty = new ReportBuilder('dsse');
    expect(empty.build().ok).toBe(false);
    const passed = new ReportBuilder('dsse');
    passed.pass('dsse.signature', 'envelope', 'signature verified');
    expect(passed.build().ok).toBe(true);
    passed.skip('dsse.payloadType', 'OK', 'envelope', 'no type required');
    expect(passed.build().ok).toBe(true);
    passed.fail('dsse.threshold', 'INVALID_ARGUMENT', 'envelope', 'threshold not met', { expected: '2', actual: '1' });
    const r = passed.build();
    expect(r.ok).toBe(false);
    expect(failedChecks(r).map((c) => c.id)).toEqual(['dsse.threshold']);
  });

  it('turns a caught LineproofError into a failed check with its code and path', () => {
    const b = new ReportBuilder('json');
    try {
      parseJson('{"a":1,"a":2}');
    } catch (e) {
      b.failFrom('json.parse', 'doc.json', e);
    }
    expect(b.checks[0]).toMatchObject({ code: 'JSON_DUPLICATE_KEY', status: 'fail', subject: 'a' });
    b.failFrom('x', 'y', new Error('boom'));
    expect(b.checks[1]?.code).toBe('INTERNAL');
  });

  it('refuses inconsistent checks (misuse)', () => {
    const b = new ReportBuilder('x');
    expect(() => b.add({ id: 'a', code: 'INTERNAL', status: 'pass', subject: 's', message: 'm' })).toThrow(TypeError);
    expect(() => b.add({ id: 'a', code: 'OK', status: 'fail', subject: 's', message: 'm' })).toThrow(TypeError);
  });

  it('produces reports that match the schema', () => {
    const b = new ReportBuilder('chain', '2026-01-01T00:00:00Z', `sha256:${'a'.repeat(64)}`);
    b.pass('a', 's', 'm', { expected: 'x', actual: 'x' });
    b.result({
      subject: 'model',
      ok: true,
      chain: [
        {
          stage: 'training',
          payloadDigest: `sha256:${'b'.repeat(64)}`,
          predicateType: 'https://slsa.dev/provenance/v1',
          signers: [{ keyid: 'k', identity: 'ci' }],
        },
      ],
    });
    expect(reportSchema.safeParse(b.build()).success).toBe(true);
    expect(
      reportSchema.safeParse({
        ...b.build(),
        checks: [{ id: 'a', code: 'NOT_A_CODE', status: 'pass', subject: 's', message: 'm' }],
      }).success,
    ).toBe(false);
  });
});

describe('assertVerified', () => {
  it('returns for an ok report and throws NOT_VERIFIED or NO_CHECKS otherwise', () => {
    const ok = new ReportBuilder('dsse');
    ok.pass('a', 's', 'm');
    expect(() => assertVerified(ok.build())).not.toThrow();
    expect(codeOf(() => assertVerified(new ReportBuilder('dsse').build()))).toBe('NO_CHECKS');
    const bad = new ReportBuilder('dsse');
    bad.pass('a', 's', 'm');
    bad.fail('b', 'INVALID_ARGUMENT', 's', 'm');
    expect(codeOf(() => assertVerified(bad.build()))).toBe('NOT_VERIFIED');
  });
  it('recomputes the verdict, so a report edited to say ok still throws', () => {
    const bad = new ReportBuilder('dsse');
    bad.pass('a', 's', 'm');
    bad.fail('b', 'INVALID_ARGUMENT', 's', 'm');
    expect(codeOf(() => assertVerified({ ...bad.build(), ok: true }))).toBe('NOT_VERIFIED');
  });
});

describe('spec/report.schema.json', () => {
  it('is the schema generated from the code (UPDATE_GOLDENS=1 rewrites it)', () => {
    const path = repoPath('spec', 'report.schema.json');
    const generated = `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
    if (process.env.UPDATE_GOLDENS === '1') writeFileSync(path, generated);
    expect(readFileSync(path, 'utf8')).toBe(generated);
  });
});
