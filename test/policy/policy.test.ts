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
    expect(p.keyByName.get('alice-2026')).toMatchObject({
      identity: 'alice@example.com',
      roles: ['approver', 'revoker'],
    });
    expect(p.tierOf('customer-support-chat')?.name).toBe('high');
    expect(p.tierOf('unknown')).toBeUndefined();
    expect(p.tierOf('__proto__')).toBeUndefined();
    expect(p.document.separationOfDuties.pairs).toEqual([
      ['trainer', 'approver'],
      ['evaluator', 'approver'],
    ]);
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
    const cases: Array<[string, (d: Doc) => void, string, string]> = [
      [
        'unknown top-level field',
        (d) => {
          d.trustEveryone = true;
        },
        'POLICY_INVALID',
        'trustEveryone',
      ],
      [
        'unknown key field',
        (d) => {
          d.keys['ci-key'].admin = true;
        },
        'POLICY_INVALID',
        'keys["ci-key"].admin',
      ],
      [
        'bad public key',
        (d) => {
          d.keys['ci-key'].publicKey = 'abcd';
        },
        'POLICY_INVALID',
        'keys["ci-key"].publicKey',
      ],
      [
        'id not a URI',
        (d) => {
          d.id = 'my policy';
        },
        'POLICY_INVALID',
        'id',
      ],
      [
        'version 0',
        (d) => {
          d.version = 0;
        },
        'POLICY_INVALID',
        'version',
      ],
      [
        'unknown role',
        (d) => {
          d.roles.superuser = { identities: ['bob@example.com'] };
        },
        'POLICY_INVALID',
        'roles.superuser',
      ],
      [
        'identity names unknown key',
        (d) => {
          d.identities['bob@example.com'].keys = ['nope'];
        },
        'POLICY_REFERENCE_UNKNOWN',
        'identities["bob@example.com"].keys',
      ],
      [
        'key held by no identity',
        (d) => {
          d.keys.orphan = { publicKey: '11'.repeat(32) };
        },
        'POLICY_REFERENCE_UNKNOWN',
        'keys.orphan',
      ],
      [
        'role names unknown identity',
        (d) => {
          d.roles.trainer.identities = ['mallory'];
        },
        'POLICY_REFERENCE_UNKNOWN',
        'roles.trainer.identities',
      ],
      [
        'use case names unknown tier',
        (d) => {
          d.useCases['internal-search'].riskTier = 'medium';
        },
        'POLICY_REFERENCE_UNKNOWN',
        'useCases["internal-search"].riskTier',
      ],
      [
        'revocation names unknown key',
        (d) => {
          d.revocations = [{ kind: 'key', key: 'nope', reason: 'x' }];
        },
        'POLICY_REFERENCE_UNKNOWN',
        'revocations[0].key',
      ],
      [
        'role threshold above its identities',
        (d) => {
          d.roles.trainer.threshold = 2;
        },
        'POLICY_THRESHOLD_IMPOSSIBLE',
        'roles.trainer.threshold',
      ],
      [
        'tier needs more approvers than exist',
        (d) => {
          d.riskTiers.high.approvers = 3;
        },
        'POLICY_THRESHOLD_IMPOSSIBLE',
        'riskTiers.high.approvers',
      ],
      [
        'one key held by two identities',
        (d) => {
          d.identities['bob@example.com'].keys = ['bob-key', 'ci-key'];
        },
        'POLICY_KEY_AMBIGUOUS',
        'identities["bob@example.com"].keys',
      ],
      [
        'same public key under two identities',
        (d) => {
          d.keys['bob-key'].publicKey = d.keys['ci-key'].publicKey;
        },
        'POLICY_KEY_AMBIGUOUS',
        'keys["bob-key"].publicKey',
      ],
      [
        'compromised key without time',
        (d) => {
          d.keys['bob-key'].status = 'compromised';
        },
        'POLICY_INVALID',
        'keys["bob-key"].compromisedAt',
      ],
      [
        'retired key without window end',
        (d) => {
          delete d.keys['alice-2025'].validUntil;
        },
        'POLICY_INVALID',
        'keys["alice-2025"].validUntil',
      ],
      [
        'SoD pair of one role',
        (d) => {
          d.separationOfDuties = { pairs: [['approver', 'approver']] };
        },
        'POLICY_INVALID',
        'separationOfDuties.pairs[0]',
      ],
      [
        'SoD pair naming the verifier role (signs no stage of a chain)',
        (d) => {
          d.separationOfDuties = { pairs: [['verifier', 'approver']] };
        },
        'POLICY_INVALID',
        'separationOfDuties.pairs[0]',
      ],
      [
        'SoD pair naming the revoker role (discounting revocations could only cancel them)',
        (d) => {
          d.separationOfDuties = {
            pairs: [
              ['trainer', 'approver'],
              ['trainer', 'revoker'],
            ],
          };
        },
        'POLICY_INVALID',
        'separationOfDuties.pairs[1]',
      ],
      [
        'metric gate without bound',
        (d) => {
          d.riskTiers.high.metricGates = [{ name: 'accuracy' }];
        },
        'POLICY_INVALID',
        'riskTiers.high.metricGates[0]',
      ],
      [
        'a key validity window that ends before it starts',
        (d) => {
          d.keys['ci-key'].validFrom = '2026-06-01T00:00:00Z';
          d.keys['ci-key'].validUntil = '2026-05-01T00:00:00Z';
        },
        'POLICY_INVALID',
        'keys["ci-key"].validUntil',
      ],
      [
        'a key validity window of no length',
        (d) => {
          d.keys['ci-key'].validFrom = '2026-06-01T00:00:00Z';
          d.keys['ci-key'].validUntil = '2026-06-01T00:00:00+00:00';
        },
        'POLICY_INVALID',
        'keys["ci-key"].validUntil',
      ],
      [
        'a baseModels sub-policy that breaks a cross-reference rule (checked at load, not during verification)',
        (d) => {
          const sub = example();
          sub.identities['bob@example.com'].keys = ['nope'];
          d.baseModels = { policy: sub };
        },
        'POLICY_REFERENCE_UNKNOWN',
        'baseModels.policy.identities["bob@example.com"].keys',
      ],
      [
        'a baseModels sub-policy with an impossible threshold',
        (d) => {
          const sub = example();
          sub.roles.trainer.threshold = 2;
          d.baseModels = { policy: sub };
        },
        'POLICY_THRESHOLD_IMPOSSIBLE',
        'baseModels.policy.roles.trainer.threshold',
      ],
      [
        'tiers that need approvers in a policy with no approver role',
        (d) => {
          delete d.roles.approver;
          d.separationOfDuties = { pairs: [] };
        },
        'POLICY_THRESHOLD_IMPOSSIBLE',
        'riskTiers.low.approvers',
      ],
      [
        'admins naming an unknown key',
        (d) => {
          d.admins = { keys: ['nope'], threshold: 1 };
        },
        'POLICY_REFERENCE_UNKNOWN',
        'admins.keys',
      ],
      [
        'an admin threshold above the distinct admin keys (two names of one key count once)',
        (d) => {
          d.keys['bob-key-2'] = { ...d.keys['bob-key'] };
          d.identities['bob@example.com'].keys.push('bob-key-2');
          d.admins = { keys: ['bob-key', 'bob-key-2'], threshold: 2 };
        },
        'POLICY_THRESHOLD_IMPOSSIBLE',
        'admins.threshold',
      ],
    ];
    it.each(cases)('%s', (_name, mutate, code, path) => {
      const d = example();
      mutate(d);
      const f = failure(() => parsePolicy(d));
      expect(f?.code).toBe(code);
      expect(f?.path).toBe(path);
    });
    it('errors name the policy (`what`, default "policy") and, in a sub-policy, the sub-policy', () => {
      const d = example();
      d.roles.trainer.threshold = 2;
      expect(() => parsePolicy(d, { what: 'prod-policy.json' })).toThrow(
        /^prod-policy\.json: roles\.trainer\.threshold: /,
      );
      expect(() => parsePolicy(d)).toThrow(/^policy: roles\.trainer\.threshold: /);
      const top = example();
      top.baseModels = { policy: d };
      expect(() => parsePolicy(top, { what: 'p.json' })).toThrow(
        /^p\.json: baseModels\.policy: roles\.trainer\.threshold: /,
      );
    });
    it('a public key the decoder refuses, or decodes to other than 32 bytes, fails at its path', () => {
      const d = example();
      d.keys['ci-key'].publicKey = 'abcd';
      const e = (() => {
        try {
          parsePolicy(d);
        } catch (err) {
          return err as Error & { path?: string };
        }
        return undefined;
      })();
      expect(e?.path).toBe('keys["ci-key"].publicKey');
      expect(e?.cause).toBeInstanceOf(Error);
      const short = { decodePublicKey: () => new Uint8Array(31) };
      expect(failure(() => parsePolicy(example(), short))).toEqual({
        code: 'POLICY_INVALID',
        path: 'keys["steward-key"].publicKey',
      });
      const throwing = {
        decodePublicKey: () => {
          throw new TypeError('no');
        },
      };
      expect(failure(() => parsePolicy(example(), throwing))).toEqual({
        code: 'POLICY_INVALID',
        path: 'keys["steward-key"].publicKey',
      });
    });
    it('a key whose identity holds no role resolves with no roles', () => {
      const d = example();
      d.keys.idle = { publicKey: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf' };
      d.identities['idle@example.com'] = { keys: ['idle'] };
      expect(parsePolicy(d).keyByName.get('idle')).toMatchObject({ identity: 'idle@example.com', roles: [] });
    });
    it('a duplicate key in the policy text fails with JSON_DUPLICATE_KEY', () => {
      expect(failure(() => parsePolicy('{"id":"urn:x","id":"urn:y"}'))?.code).toBe('JSON_DUPLICATE_KEY');
    });
  });

  describe('when a time field is not an RFC 3339 date-time with Z or an offset', () => {
    const cases: Array<[string, (d: Doc) => void, string]> = [
      [
        'validFrom in words',
        (d) => {
          d.keys['alice-2026'].validFrom = 'yesterday';
        },
        'keys["alice-2026"].validFrom',
      ],
      [
        'validFrom without a time zone',
        (d) => {
          d.keys['alice-2026'].validFrom = '2026-01-01T00:00:00';
        },
        'keys["alice-2026"].validFrom',
      ],
      [
        'validUntil a date only',
        (d) => {
          d.keys['alice-2025'].validUntil = '2026-01-01';
        },
        'keys["alice-2025"].validUntil',
      ],
      [
        'validUntil on a day that does not exist',
        (d) => {
          d.keys['alice-2025'].validUntil = '2025-02-29T00:00:00Z';
        },
        'keys["alice-2025"].validUntil',
      ],
      [
        'compromisedAt in words',
        (d) => {
          d.keys['bob-key'].status = 'compromised';
          d.keys['bob-key'].compromisedAt = 'last week';
        },
        'keys["bob-key"].compromisedAt',
      ],
      [
        'compromisedAt empty',
        (d) => {
          d.keys['bob-key'].status = 'compromised';
          d.keys['bob-key'].compromisedAt = '';
        },
        'keys["bob-key"].compromisedAt',
      ],
      [
        'a revocation effectiveAt in lower case',
        (d) => {
          d.revocations = [
            {
              kind: 'model',
              digest: `sha256:${'ab'.repeat(32)}`,
              reason: 'recalled',
              effectiveAt: '2026-01-01t00:00:00z',
            },
          ];
        },
        'revocations[0].effectiveAt',
      ],
      [
        'a key revocation effectiveAt as epoch text',
        (d) => {
          d.revocations = [{ kind: 'key', key: 'bob-key', reason: 'lost laptop', effectiveAt: '1767225600' }];
        },
        'revocations[0].effectiveAt',
      ],
      [
        'a time in the baseModels sub-policy',
        (d) => {
          const sub = example();
          sub.keys['bob-key'].validFrom = 'yesterday';
          d.baseModels = { policy: sub };
        },
        'baseModels.policy.keys["bob-key"].validFrom',
      ],
    ];
    it.each(cases)('%s fails at load with POLICY_INVALID and the field path', (_name, mutate, path) => {
      const d = example();
      mutate(d);
      expect(failure(() => parsePolicy(d))).toEqual({ code: 'POLICY_INVALID', path });
    });
    it('any offset and up to 9 fraction digits load', () => {
      const d = example();
      d.keys['alice-2026'].validFrom = '2026-01-01T01:00:00.123456789+01:00';
      d.keys['bob-key'].status = 'compromised';
      d.keys['bob-key'].compromisedAt = '2026-02-01T00:00:00-05:30';
      d.revocations = [
        {
          kind: 'dataset',
          digest: `sha256:${'cd'.repeat(32)}`,
          reason: 'licence withdrawn',
          effectiveAt: '2026-03-01T00:00:00Z',
        },
      ];
      expect(() => parsePolicy(d)).not.toThrow();
    });
  });

  describe('when a map of names has a key named like a property of every object', () => {
    const maps: Array<[string, Doc]> = [
      ['keys', { publicKey: '11'.repeat(32) }],
      ['identities', { keys: ['bob-key'] }],
      ['roles', { identities: ['bob@example.com'] }],
      ['riskTiers', { approvers: 1, maxApprovalAgeDays: 30 }],
      ['useCases', { riskTier: 'low' }],
    ];
    const rows = maps.flatMap(([map, value]) =>
      ['__proto__', 'constructor', 'prototype'].map((k) => [map, k, value] as const),
    );
    it.each(rows)('%s.%s is refused with POLICY_INVALID naming the path', (map, k, value) => {
      const d = example();
      // An own property, as the strict JSON parser (and JSON.parse) makes it; a literal would set the prototype.
      Object.defineProperty(d[map], k, { value, enumerable: true, writable: true, configurable: true });
      expect(failure(() => parsePolicy(d))).toEqual({ code: 'POLICY_INVALID', path: `${map}.${k}` });
    });
    it('"__proto__" in the policy text is refused, not dropped', () => {
      const text = JSON.stringify(example()).replace(
        '"identities":{',
        '"identities":{"__proto__":{"keys":["bob-key"]},',
      );
      expect(text).toContain('"__proto__"');
      expect(failure(() => parsePolicy(text))).toEqual({ code: 'POLICY_INVALID', path: 'identities.__proto__' });
    });
    it('and in the baseModels sub-policy', () => {
      const d = example();
      const text = JSON.stringify({ ...d, baseModels: { policy: example() } }).replace(
        /("baseModels":\{"policy":\{.*?"useCases":\{)/,
        '$1"__proto__":{"riskTier":"low"},',
      );
      expect(text.match(/__proto__/g)).toHaveLength(1);
      expect(failure(() => parsePolicy(text))).toEqual({
        code: 'POLICY_INVALID',
        path: 'baseModels.policy.useCases.__proto__',
      });
    });
    it('names that merely contain those words load', () => {
      const d = example();
      d.useCases['constructor-support'] = { riskTier: 'low' };
      d.useCases.prototypes = { riskTier: 'low' };
      expect(parsePolicy(d).tierOf('constructor-support')?.name).toBe('low');
    });
  });

  describe('when a key revocation is a rotation (reason retired or superseded)', () => {
    it.each(['retired', 'superseded'])('reason %s without effectiveAt fails at load with POLICY_INVALID', (reason) => {
      const d = example();
      d.revocations = [{ kind: 'key', key: 'alice-2025', reason }];
      expect(failure(() => parsePolicy(d))).toEqual({ code: 'POLICY_INVALID', path: 'revocations[0].effectiveAt' });
    });
    it.each(['retired', 'superseded'])('reason %s with effectiveAt loads', (reason) => {
      const d = example();
      d.revocations = [{ kind: 'key', key: 'alice-2025', reason, effectiveAt: '2026-01-01T00:00:00Z' }];
      expect(parsePolicy(d).document.revocations).toEqual(d.revocations);
    });
    it('other reasons (free text) need no effectiveAt', () => {
      for (const reason of ['compromised', 'lost laptop', 'Retired']) {
        const d = example();
        d.revocations = [{ kind: 'key', key: 'bob-key', reason }];
        expect(() => parsePolicy(d)).not.toThrow();
      }
    });
    it('the rule also holds in the baseModels sub-policy', () => {
      const d = example();
      const sub = example();
      sub.revocations = [{ kind: 'key', key: 'alice-2025', reason: 'superseded' }];
      d.baseModels = { policy: sub };
      expect(failure(() => parsePolicy(d))).toEqual({
        code: 'POLICY_INVALID',
        path: 'baseModels.policy.revocations[0].effectiveAt',
      });
    });
  });

  it('loads a baseModels sub-policy with the policy', () => {
    const d = example();
    const sub = example();
    sub.id = 'urn:example:base-models';
    d.baseModels = { policy: sub };
    const p = parsePolicy(d);
    expect(p.baseModelPolicy?.document.id).toBe('urn:example:base-models');
    expect(p.baseModelPolicy?.keys).toHaveLength(6);
    expect(parsePolicy(example()).baseModelPolicy).toBeUndefined();
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
    expect(JSON.parse(blocks[1]!)).toEqual({
      ...example(),
      description: undefined,
      useCases: { 'internal-search': { riskTier: 'low' }, 'customer-support-chat': { riskTier: 'high' } },
    });
  });
});
