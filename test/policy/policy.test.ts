import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/policy.js';
import { canonicalBytes } from '../../src/json/canonical.js';
import { sha256Hex } from '../../src/digest/index.js';
import { readFixture, readFixtureText } from '../helpers/fixtures.js';
import { failure } from '../helpers/codes.js';

type Doc = Record<string, any>;
const example = (): Doc => JSON.parse(readFixtureText('policy', 'example-high.json'));

describe('parsePolicy', () => {
  it('loads the example policy and resolves keys, identities and roles', () => {
    const p = parsePolicy(readFixture('policy', 'example-high.json'), { what: 'example-high.json' });
    expect(p.keys).toHaveLength(6);
    expect(p.keyByName.get('alice-2026')).toMatchObject({ identity: 'alice@example.com', roles: ['approver', 'revoker'] });
    expect(p.tierOf('customer-support-chat')?.name).toBe('high');
    expect(p.tierOf('unknown')).toBeUndefined();
    expect(p.tierOf('__proto__')).toBeUndefined();
    expect(p.document.separationOfDuties.pairs).toEqual([['trainer', 'approver'], ['evaluator', 'approver']]);
    expect(p.document.requiredStages).toEqual(['dataset', 'training', 'evaluation', 'approval']);
  });

  it('its digest is sha256 of the JCS bytes of the document as written', () => {
    const doc = example();
    const p = parsePolicy(doc);
    expect(p.digest).toBe(`sha256:${sha256Hex(canonicalBytes(doc))}`);
    const reordered = Object.fromEntries(Object.entries(doc).reverse());
    expect(parsePolicy(reordered).digest).toBe(p.digest);
    expect(parsePolicy({ ...doc, version: 4 }).digest).not.toBe(p.digest);
  });

  describe('when the policy is invalid', () => {
    const cases: Array<[string, (d: Doc) => void, string, string?]> = [
      ['unknown top-level field', (d) => { d.trustEveryone = true; }, 'POLICY_INVALID'],
      ['unknown key field', (d) => { d.keys['ci-key'].admin = true; }, 'POLICY_INVALID'],
      ['bad public key', (d) => { d.keys['ci-key'].publicKey = 'abcd'; }, 'POLICY_INVALID'],
      ['id not a URI', (d) => { d.id = 'my policy'; }, 'POLICY_INVALID', 'id'],
      ['version 0', (d) => { d.version = 0; }, 'POLICY_INVALID', 'version'],
      ['unknown role', (d) => { d.roles.superuser = { identities: ['bob@example.com'] }; }, 'POLICY_INVALID'],
      ['identity names unknown key', (d) => { d.identities['bob@example.com'].keys = ['nope']; }, 'POLICY_REFERENCE_UNKNOWN'],
      ['key held by no identity', (d) => { d.keys.orphan = { publicKey: '11'.repeat(32) }; }, 'POLICY_REFERENCE_UNKNOWN'],
      ['role names unknown identity', (d) => { d.roles.trainer.identities = ['mallory']; }, 'POLICY_REFERENCE_UNKNOWN'],
      ['use case names unknown tier', (d) => { d.useCases['internal-search'].riskTier = 'medium'; }, 'POLICY_REFERENCE_UNKNOWN'],
      ['revocation names unknown key', (d) => { d.revocations = [{ kind: 'key', key: 'nope', reason: 'x' }]; }, 'POLICY_REFERENCE_UNKNOWN'],
      ['role threshold above its identities', (d) => { d.roles.trainer.threshold = 2; }, 'POLICY_THRESHOLD_IMPOSSIBLE'],
      ['tier needs more approvers than exist', (d) => { d.riskTiers.high.approvers = 3; }, 'POLICY_THRESHOLD_IMPOSSIBLE'],
      ['one key held by two identities', (d) => { d.identities['bob@example.com'].keys = ['bob-key', 'ci-key']; }, 'POLICY_KEY_AMBIGUOUS'],
      ['same public key under two identities', (d) => { d.keys['bob-key'].publicKey = d.keys['ci-key'].publicKey; }, 'POLICY_KEY_AMBIGUOUS'],
      ['compromised key without time', (d) => { d.keys['bob-key'].status = 'compromised'; }, 'POLICY_INVALID'],
      ['retired key without window end', (d) => { delete d.keys['alice-2025'].validUntil; }, 'POLICY_INVALID'],
      ['SoD pair of one role', (d) => { d.separationOfDuties = { pairs: [['approver', 'approver']] }; }, 'POLICY_INVALID'],
      ['SoD pair naming the verifier role (signs no stage of a chain)', (d) => { d.separationOfDuties = { pairs: [['verifier', 'approver']] }; }, 'POLICY_INVALID', 'separationOfDuties.pairs[0]'],
      ['SoD pair naming the revoker role (discounting revocations could only cancel them)', (d) => { d.separationOfDuties = { pairs: [['trainer', 'approver'], ['trainer', 'revoker']] }; }, 'POLICY_INVALID', 'separationOfDuties.pairs[1]'],
      ['metric gate without bound', (d) => { d.riskTiers.high.metricGates = [{ name: 'accuracy' }]; }, 'POLICY_INVALID'],
    ];
    it.each(cases)('%s fails with %s', (_name, mutate, code, path) => {
      const d = example();
      mutate(d);
      const f = failure(() => parsePolicy(d));
      expect(f?.code).toBe(code);
      if (path) expect(f?.path).toBe(path);
    });
    it('a duplicate key in the policy text fails with JSON_DUPLICATE_KEY', () => {
      expect(failure(() => parsePolicy('{"id":"urn:x","id":"urn:y"}'))?.code).toBe('JSON_DUPLICATE_KEY');
    });
  });

  it('merges two names for one public key held by the same identity', () => {
    const d = example();
    d.keys['alice-copy'] = { publicKey: d.keys['alice-2026'].publicKey };
    d.identities['alice@example.com'].keys.push('alice-copy');
    const p = parsePolicy(d);
    expect(p.keys).toHaveLength(6);
    expect(p.keyByName.get('alice-copy')).toBe(p.keyByName.get('alice-2026'));
  });
});

describe('spec/policy.md examples', () => {
  it('every JSON example loads, and the high-risk one is the fixture', async () => {
    const { readFileSync } = await import('node:fs');
    const { repoPath } = await import('../helpers/fixtures.js');
    const md = readFileSync(repoPath('spec', 'policy.md'), 'utf8');
    const blocks = [...md.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBe(2);
    for (const b of blocks) expect(() => parsePolicy(b)).not.toThrow();
    expect(JSON.parse(blocks[1]!)).toEqual({ ...example(), description: undefined, useCases: { 'internal-search': { riskTier: 'low' }, 'customer-support-chat': { riskTier: 'high' } } });
  });
});
