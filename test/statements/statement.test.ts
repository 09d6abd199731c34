import { describe, expect, it } from 'vitest';
import { parseStatement, payloadDigest, payloadReference, STATEMENT_TYPE_V1 } from '../../src/statements/statement.js';
import { canonicalBytes } from '../../src/json/canonical.js';
import { utf8 } from '../../src/bytes/index.js';
import { failure } from '../helpers/codes.js';

const D = 'ab'.repeat(32);
const valid = {
  _type: STATEMENT_TYPE_V1,
  subject: [{ name: 'model', digest: { sha256: D } }],
  predicateType: 'https://example.com/p/v1',
  predicate: { a: 1 },
};

describe('parseStatement', () => {
  it('accepts a valid Statement v1 from bytes and from a value', () => {
    expect(parseStatement(canonicalBytes(valid)).subject[0]!.digest.sha256).toBe(D);
    expect(parseStatement(valid).predicateType).toBe('https://example.com/p/v1');
  });
  it('ignores unknown fields in the Statement and in ResourceDescriptors (in-toto rule)', () => {
    const st = parseStatement({ ...valid, extra: true, subject: [{ ...valid.subject[0], futureField: 1 }] });
    expect(st.extra).toBe(true);
  });
  describe('when the statement is malformed', () => {
    const cases: Array<[string, unknown, string]> = [
      ['wrong _type', { ...valid, _type: 'https://in-toto.io/Statement/v0.1' }, '_type'],
      ['empty subject', { ...valid, subject: [] }, 'subject'],
      ['subject without digest', { ...valid, subject: [{ name: 'x', uri: 'https://x' }] }, 'subject[0]'],
      ['bad digest hex', { ...valid, subject: [{ name: 'x', digest: { sha256: 'XYZ' } }] }, 'subject[0].digest.sha256'],
      ['short sha256', { ...valid, subject: [{ name: 'x', digest: { sha256: 'ab' } }] }, 'subject[0].digest.sha256'],
      ['missing predicateType', { ...valid, predicateType: undefined }, 'predicateType'],
      ['predicate not an object', { ...valid, predicate: [1] }, 'predicate'],
      ['not an object', [valid], '$'],
    ];
    it.each(cases)('%s fails with STATEMENT_INVALID at %s', (_n, value, path) => {
      const f = failure(() => parseStatement(JSON.parse(JSON.stringify(value))));
      expect(f?.code).toBe('STATEMENT_INVALID');
      expect(f?.path).toBe(path);
    });
    it('a duplicate key in the payload bytes fails with JSON_DUPLICATE_KEY', () => {
      expect(failure(() => parseStatement(utf8(`{"_type":"${STATEMENT_TYPE_V1}","_type":"x"}`)))?.code).toBe(
        'JSON_DUPLICATE_KEY',
      );
    });
  });
});

describe('payload references (decisions §6)', () => {
  it('name the sha256 of the payload bytes', () => {
    const payload = utf8('{"a":1}');
    const ref = payloadReference('training', payload);
    expect(ref).toEqual({
      name: 'training',
      digest: { sha256: '015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862' },
      mediaType: 'application/vnd.in-toto+json',
    });
    expect(payloadDigest(payload)).toBe(`sha256:${ref.digest.sha256}`);
  });
});
