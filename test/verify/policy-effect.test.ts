/**
 * Every field of the policy schema has an effect (STYLE: "a rule in the policy schema that nothing
 * enforces is worse than no rule").
 *
 * The field paths are generated from the policy's zod schema (its JSON Schema). The table below
 * maps each path to cases: a chain and two policies, `neutral` (without the rule, or with it at a
 * value that does not bite) under which the chain verifies, and `biting` (applied on top of
 * neutral) under which it fails with the given code. A path that is pure metadata is listed with
 * the reason it has no verification effect, and the test asserts that changing it changes the
 * policy digest (which the report carries) and nothing else. A schema field with no entry fails
 * the test, so a new field cannot arrive without one.
 */
import { expectStepOrder } from '../helpers/steps.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { policySchema } from '../../src/policy/schema.js';
import { FINDING_SEVERITIES, METRIC_CATEGORIES } from '../../src/statements/predicates/index.js';
import { parsePolicy, type Policy } from '../../src/policy/policy.js';
import { verifyChain } from '../../src/verify/chain.js';
import { publicKeyToHex } from '../../src/keys/keys.js';
import { failure } from '../helpers/codes.js';
import {
  buildRevocationStatement,
  buildWorld,
  DATASET,
  IDENTITY,
  key,
  manifestWorld,
  MODEL,
  OTHER_MODEL,
  sign,
  T,
  type World,
} from '../helpers/world.js';
import { goldenReports } from '../helpers/golden-reports.js';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { fromBase64 } from '../../src/bytes/index.js';
import { sha256Hex } from '../../src/digest/index.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/statements/statement.js';
import { sigstoreLineVerifier } from '../../src/node/sigstore-lines.js';
import type { SigstoreLineVerifier } from '../../src/verify/certificate-signers.js';
import {
  certificateLine,
  certificatePolicy,
  ciAuthorities,
  stampedLines,
  swap,
  timestampPolicy,
  trustTsa,
} from '../helpers/certificates.js';
import { KEYLESS_CLOCK, keylessTrainerPolicy, privateSigstore } from '../helpers/sigstore.js';

const expectGolden = goldenReports(import.meta.url);

type Doc = Record<string, any>;
type JsonSchema = Record<string, any>;

// ---- the field paths of the schema ---------------------------------------------------------

/** Leaf field paths: `a.b`, `*` for a record key, `[]` for array items, `[kind=x]` for a tagged variant. */
function fieldPaths(schema: JsonSchema, prefix = '', skip?: string): string[] {
  const join = (p: string, k: string) => (p === '' ? k : `${p}.${k}`);
  if (schema.$ref !== undefined) return [prefix];
  const variants = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (variants) return taggedPaths(variants, prefix) ?? variants.flatMap((v) => fieldPaths(v, prefix));
  if (schema.type === 'object' && (schema.properties || typeof schema.additionalProperties === 'object')) {
    const out: string[] = [];
    for (const [k, v] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>))
      if (k !== skip) out.push(...fieldPaths(v, join(prefix, k)));
    if (typeof schema.additionalProperties === 'object') {
      const keys: string[] = schema.propertyNames?.enum ?? ['*'];
      for (const k of keys) out.push(...fieldPaths(schema.additionalProperties, join(prefix, k)));
    }
    return out;
  }
  if (schema.type === 'array' && schema.items && typeof schema.items === 'object') {
    const items = schema.items as JsonSchema;
    const tagged = (items.oneOf ?? items.anyOf) as JsonSchema[] | undefined;
    const paths = tagged && taggedPaths(tagged, prefix);
    if (paths) return paths;
    if (items.type === 'object') return fieldPaths(items, `${prefix}[]`);
  }
  return [prefix];
}

/** A discriminated union's paths: the property every variant fixes with a const names the variant. */
function taggedPaths(variants: JsonSchema[], prefix: string): string[] | undefined {
  const tag = Object.keys(variants[0]!.properties ?? {}).find((k) =>
    variants.every((v) => v.properties?.[k]?.const !== undefined),
  );
  if (!tag) return undefined;
  return variants.flatMap((v) => fieldPaths(v, `${prefix}[${tag}=${v.properties[tag].const}]`, tag));
}

const SCHEMA_PATHS = fieldPaths(z.toJSONSchema(policySchema, { io: 'input', cycles: 'ref', unrepresentable: 'any' }));

// ---- chains ---------------------------------------------------------------------------------

interface Chain {
  world: World;
  bundle?: string;
  subject?: string;
  useCase?: string;
  asOf?: string;
  /** verifyChain's minTier (needs the tiers' ranks). */
  minTier?: string;
  /** The Sigstore line verifier (a keyless chain). */
  sigstoreVerifier?: SigstoreLineVerifier;
  /** Hex made fresh by each run (certificate fingerprints), replaced before the golden pin. */
  random?: string[];
}

const memo = <T>(f: () => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
};

const BASE = `sha256:${'b1'.repeat(32)}`;
const SHA512_MODEL = `sha512:${'5e'.repeat(64)}`;

async function modelRevocation() {
  return sign(
    buildRevocationStatement({
      kind: 'model',
      subjects: [{ digest: MODEL }],
      reason: 'legal',
      description: 'takedown',
      effectiveAt: '2026-01-20T00:00:00Z',
      attester: IDENTITY.revoker,
      now: new Date('2026-01-20T00:00:00Z'),
    } as never),
    ['revoker'],
  );
}

const chains = {
  standard: memo(async (): Promise<Chain> => ({ world: await buildWorld() })),
  withoutPromotion: memo(async (): Promise<Chain> => {
    const w = await buildWorld();
    return {
      world: w,
      bundle: Object.entries(w.steps)
        .filter(([s]) => s !== 'promotion')
        .map(([, v]) => v.line)
        .join(''),
    };
  }),
  oneApprover: memo(async (): Promise<Chain> => ({ world: await buildWorld({ signers: { approval: ['alice'] } }) })),
  warned: memo(async (): Promise<Chain> => ({
    world: await buildWorld({ evaluation: (i) => ({ ...i, result: 'WARNED' }) }),
  })),
  modelRevokedByRevoker: memo(async (): Promise<Chain> => {
    const w = await buildWorld();
    return { world: w, bundle: w.bundle + (await modelRevocation()).line };
  }),
  trainerApproves: memo(async (): Promise<Chain> => ({
    world: await buildWorld({
      signers: { approval: ['trainer', 'bob'] },
      approval: (i) => ({ ...i, attester: IDENTITY.bob }),
    }),
  })),
  trainerStewards: memo(async (): Promise<Chain> => ({
    world: await buildWorld({
      signers: { dataset: ['trainer'] },
      dataset: (i) => ({ ...i, attester: IDENTITY.trainer }),
    }),
  })),
  trainerEvaluates: memo(async (): Promise<Chain> => ({
    world: await buildWorld({
      signers: { evaluation: ['trainer'] },
      evaluation: (i) => ({ ...i, attester: IDENTITY.trainer }),
    }),
  })),
  evaluatorDeploys: memo(async (): Promise<Chain> => ({
    world: await buildWorld({
      signers: { promotion: ['evaluator'] },
      promotion: (i) => ({ ...i, attester: IDENTITY.evaluator }),
    }),
  })),
  sha512Model: memo(async (): Promise<Chain> => {
    const about = { name: 'model', digest: SHA512_MODEL };
    const w = await buildWorld({
      training: (i) => ({ ...i, subject: about }),
      evaluation: (i) => ({ ...i, subject: about }),
      approval: (i) => ({ ...i, subject: about }),
      promotion: (i) => ({ ...i, subject: about }),
    });
    return { world: w, subject: SHA512_MODEL };
  }),
  manifests: memo(async (): Promise<Chain> => {
    const w = await manifestWorld({ algorithms: ['sha256'] });
    return { world: w, subject: w.model };
  }),
  sidecarManifest: memo(async (): Promise<Chain> => {
    const w = await manifestWorld({ inline: false });
    return { world: w, subject: w.model };
  }),
  treeManifests: memo(async (): Promise<Chain> => {
    const w = await manifestWorld({
      algorithms: ['sha256', 'sha256-tree-v1-65536'],
      datasetAlgorithms: ['sha256', 'sha256-tree-v1-65536'],
    });
    return { world: w, subject: w.model };
  }),
  /** Model and dataset as file digests (no manifest mediaType). */
  fileSubjects: memo(async (): Promise<Chain> => ({
    world: await buildWorld({ dataset: (i) => ({ ...i, subject: { name: 'tickets.parquet', digest: DATASET } }) }),
  })),
  /** The approval refers to a registration of the model (approval v0.2). */
  registered: memo(async (): Promise<Chain> => ({ world: await buildWorld({ registration: (i) => i }) })),
  /** The evaluation (v0.2) reports one finding of each severity in every category. */
  findings: memo(async (): Promise<Chain> => ({
    world: await buildWorld({
      evaluation: (i) => ({
        ...i,
        findings: METRIC_CATEGORIES.map((category) => ({
          category,
          suite: { name: `${category}-review`, version: '1' },
          critical: 1,
          high: 1,
          medium: 1,
          low: 1,
        })),
      }),
    }),
  })),
  /** The training step signed with a CI certificate of a private CA (Sigstore bundle line). */
  certificateTrainer: memo(async (): Promise<Chain> => {
    const w = await buildWorld({ policy: certificatePolicy });
    const cert = ciAuthorities().trainerCert;
    return { world: w, bundle: swap(w, 'training', await certificateLine(w, cert)), random: [sha256Hex(cert.der)] };
  }),
  /** The training step signed keyless on a private Sigstore, its trusted root pinned by digest. */
  keylessTrainer: memo(async (): Promise<Chain> => {
    const s = await privateSigstore('P-256', KEYLESS_CLOCK);
    const rootBytes = new TextEncoder().encode(JSON.stringify(s.root));
    const digest = `sha256:${sha256Hex(rootBytes)}`;
    const w = await buildWorld({ policy: keylessTrainerPolicy(digest) });
    const b = await s.keyless(IN_TOTO_PAYLOAD_TYPE, w.steps.training.payload);
    const leaf = fromBase64(b.verificationMaterial.certificate.rawBytes);
    return {
      world: w,
      bundle: swap(w, 'training', `${JSON.stringify(b)}\n`),
      sigstoreVerifier: sigstoreLineVerifier({ root: TrustedRoot.fromJSON(s.root), what: 'the private root', digest }),
      random: [sha256Hex(leaf), digest.slice(7)],
    };
  }),
  /** Approvals stamped by the trusted timestamp authority (openssl ts), which the approver role requires. */
  stampedApprovals: memo(async (): Promise<Chain> => {
    const w = await buildWorld({ policy: timestampPolicy });
    const lines = stampedLines(w.steps.approval.envelope, ciAuthorities().tsa, '2026-01-14T17:00:00Z');
    return { world: w, bundle: swap(w, 'approval', lines) };
  }),
  fineTune: memo(async (): Promise<Chain> => ({
    world: await buildWorld({ training: (i) => ({ ...i, baseModel: { name: 'base', digest: BASE } }) }),
  })),
  /** A fine-tune whose base model has its own chain in the bundle. */
  fineTuneWithBaseChain: memo(async (): Promise<Chain & { baseDoc: Doc }> => {
    const about = { name: 'base', digest: BASE };
    const base = await buildWorld({
      training: (i) => ({ ...i, subject: about }),
      evaluation: (i) => ({ ...i, subject: about }),
      approval: (i) => ({ ...i, subject: about }),
      promotion: (i) => ({ ...i, subject: about }),
    });
    const fine = await buildWorld({
      dataset: (i) => ({ ...i, version: 'fine-tune data' }),
      training: (i) => ({ ...i, baseModel: { name: 'base', digest: BASE, training: base.steps.training.payload } }),
    });
    return { world: fine, bundle: fine.bundle + base.bundle, baseDoc: base.doc };
  }),
};

// ---- the table ------------------------------------------------------------------------------

interface Effect {
  why: string;
  chain?: () => Promise<Chain>;
  /** The policy under which the chain verifies (default: the world's). */
  neutral?: (d: Doc, c: Chain) => void | Promise<void>;
  /** Applied on top of neutral: the chain then fails with `code`. */
  biting: (d: Doc, c: Chain) => void | Promise<void>;
  code: string;
}

interface Metadata {
  /** Why the field has no verification effect. */
  metadata: string;
  chain?: () => Promise<Chain>;
  neutral?: (d: Doc, c: Chain) => void | Promise<void>;
  /** Applied on top of neutral: changes the field. */
  change: (d: Doc, c: Chain) => void | Promise<void>;
  /** A further real assertion about the field. */
  also?:
    | ((r: {
        neutral: Awaited<ReturnType<typeof verifyChain>>;
        changed: Awaited<ReturnType<typeof verifyChain>>;
        doc: Doc;
      }) => void)
    | undefined;
}

type Entry = Effect | Metadata;

const hexOf = async (n: Parameters<typeof key>[0]) => publicKeyToHex((await key(n)).publicKey);
const moreIn = (role: string, id: string) => (d: Doc) => {
  d.roles[role].identities.push(id);
};
const revoke = (r: Record<string, unknown>) => (d: Doc) => {
  d.revocations = [r];
};
const high = (f: (t: Doc) => void) => (d: Doc) => {
  f(d.riskTiers.high);
};
const noSod = (d: Doc) => {
  d.separationOfDuties = { pairs: [] };
};
const meta = (metadata: string, change: Metadata['change'], extra: Partial<Metadata> = {}): Metadata => ({
  metadata,
  change,
  ...extra,
});
const sameCodesAlso =
  (code: string): Metadata['also'] =>
  ({ neutral, changed }) => {
    for (const r of [neutral, changed])
      expect(r.report.checks.some((c) => c.status === 'fail' && c.code === code)).toBe(true);
  };

const threshold = (role: string, other: string): Effect => ({
  why: `a ${role} attestation needs threshold distinct identities of the role`,
  neutral: moreIn(role, other),
  biting: (d) => {
    d.roles[role].threshold = 2;
  },
  code: 'ROLE_THRESHOLD_NOT_MET',
});
const notInRole = (role: string, instead: string): Effect => ({
  why: `only identities of the ${role} role count for its stage`,
  biting: (d) => {
    d.roles[role].identities = [instead];
  },
  code: 'SIGNER_NOT_IN_ROLE',
});
const digestRevocation = (kind: 'payload' | 'model' | 'dataset') => {
  const target = async (c: Chain) =>
    kind === 'payload' ? c.world.steps.evaluation.digest : kind === 'model' ? MODEL : DATASET;
  const other = kind === 'model' ? OTHER_MODEL : `sha256:${'00'.repeat(32)}`;
  return {
    [`revocations[kind=${kind}].digest`]: [
      {
        why: `a ${kind} revocation revokes what its digest names`,
        neutral: revoke({ kind, digest: other, reason: 'leak' }),
        biting: async (d: Doc, c: Chain) => {
          d.revocations[0].digest = await target(c);
        },
        code: 'REVOKED',
      },
    ],
    [`revocations[kind=${kind}].reason`]: [
      meta(
        "any reason revokes; the reason is reported as the failed check's actual",
        (d) => {
          d.revocations[0].reason = 'other';
        },
        {
          neutral: async (d, c) => {
            d.revocations = [{ kind, digest: await target(c), reason: 'leak' }];
          },
          also: ({ changed }) =>
            expect(changed.report.checks.find((x) => x.status === 'fail' && x.code === 'REVOKED')?.actual).toBe(
              'policy: other',
            ),
        },
      ),
    ],
    [`revocations[kind=${kind}].effectiveAt`]: [
      {
        why: 'a revocation is in force from its effectiveAt',
        neutral: async (d: Doc, c: Chain) => {
          d.revocations = [{ kind, digest: await target(c), reason: 'leak', effectiveAt: '2026-03-01T00:00:00Z' }];
        },
        biting: (d: Doc) => {
          d.revocations[0].effectiveAt = '2026-01-20T00:00:00Z';
        },
        code: 'REVOKED',
      },
    ],
  } satisfies Record<string, Entry[]>;
};

const TABLE: Record<string, Entry[]> = {
  $schema: [
    meta('names the JSON Schema for editors', (d) => {
      d.$schema = 'https://lineproof.dev/schemas/policy.v1.json';
    }),
  ],
  id: [
    meta("names the policy (a verification summary's policy.uri); the digest identifies it in reports", (d) => {
      d.id = 'urn:example:policy:other';
    }),
  ],
  version: [
    meta(
      'orders signed policy versions for rotation and rollback protection (resolvePolicy, test/policy/signed.test.ts); chain verification only names it',
      (d) => {
        d.version = 2;
      },
    ),
  ],
  description: [
    meta('prose', (d) => {
      d.description = 'for tests';
    }),
  ],
  'keys.*.publicKey': [
    {
      why: "only the policy's keys are trusted",
      biting: async (d) => {
        d.keys.trainer.publicKey = await hexOf('mallory');
      },
      code: 'REFERENCE_UNRESOLVED',
    },
  ],
  'keys.*.type': [
    meta(
      'ed25519 is the only value (any other is refused when loading)',
      (d) => {
        d.keys.trainer.type = 'ed25519';
      },
      {
        also: ({ doc }) => {
          const d = structuredClone(doc);
          d.keys.trainer.type = 'ecdsa-p256';
          expect(failure(() => parsePolicy(d))?.code).toBe('POLICY_INVALID');
        },
      },
    ),
  ],
  'keys.*.status': [
    {
      why: 'a compromised key counts for nothing',
      biting: (d) => {
        d.keys.bob.status = 'compromised';
        d.keys.bob.compromisedAt = '2026-01-20T00:00:00Z';
      },
      code: 'KEY_COMPROMISED',
    },
  ],
  'keys.*.validFrom': [
    {
      why: 'no key counts on evidence issued before its validFrom',
      biting: (d) => {
        d.keys.trainer.validFrom = '2026-01-12T00:00:00Z';
      },
      code: 'KEY_OUTSIDE_VALIDITY',
    },
  ],
  'keys.*.validUntil': [
    {
      why: 'no key counts on evidence issued at or after its validUntil',
      biting: (d) => {
        d.keys.trainer.validUntil = '2026-01-11T00:00:00Z';
      },
      code: 'KEY_OUTSIDE_VALIDITY',
    },
  ],
  'keys.*.compromisedAt': [
    meta(
      'informative: a compromised key is rejected whatever time the evidence claims (claimed times are self-asserted), so no compromisedAt lets a signature count',
      (d) => {
        d.keys.bob.compromisedAt = '2025-01-01T00:00:00Z';
      },
      {
        neutral: (d) => {
          d.keys.bob.status = 'compromised';
          d.keys.bob.compromisedAt = '2026-12-31T00:00:00Z';
        },
        also: sameCodesAlso('KEY_COMPROMISED'),
      },
    ),
  ],
  'keys.*.description': [
    meta('prose', (d) => {
      d.keys.trainer.description = 'CI signing key';
    }),
  ],
  'identities.*.keys': [
    {
      why: 'a key speaks for the identity that holds it',
      biting: (d) => {
        [d.identities[IDENTITY.trainer].keys, d.identities[IDENTITY.evaluator].keys] = [
          d.identities[IDENTITY.evaluator].keys,
          d.identities[IDENTITY.trainer].keys,
        ];
      },
      code: 'IDENTITY_MISMATCH',
    },
  ],
  'identities.*.description': [
    meta('prose', (d) => {
      d.identities[IDENTITY.trainer].description = 'the training pipeline';
    }),
  ],
  'identities.*.certificate.authority': [
    {
      why: 'a certificate identity counts only under the authority it names',
      chain: chains.certificateTrainer,
      neutral: (d) => {
        d.certificateAuthorities.other = { type: 'x509', certificates: ciAuthorities().otherCa.pem };
      },
      biting: (d) => {
        d.identities[IDENTITY.trainer].certificate.authority = 'other';
      },
      code: 'REFERENCE_UNRESOLVED',
    },
  ],
  'identities.*.certificate.subject': [
    {
      why: 'a certificate speaks for the identity whose subject is one of its subjectAltNames (exact)',
      chain: chains.certificateTrainer,
      biting: (d) => {
        d.identities[IDENTITY.trainer].certificate.subject = 'https://ci.example.com/train/';
      },
      code: 'REFERENCE_UNRESOLVED',
    },
  ],
  'identities.*.certificate.issuer': [
    {
      why: "a Sigstore certificate speaks for the identity only when its OIDC issuer extension is the identity's issuer",
      chain: chains.keylessTrainer,
      biting: (d) => {
        d.identities[IDENTITY.trainer].certificate.issuer = 'https://accounts.example.com';
      },
      code: 'REFERENCE_UNRESOLVED',
    },
  ],
  'certificateAuthorities.*[type=x509].certificates': [
    {
      why: "only certificates that chain to the authority's roots count",
      chain: chains.certificateTrainer,
      biting: (d) => {
        d.certificateAuthorities.ci.certificates = ciAuthorities().otherCa.pem;
      },
      code: 'REFERENCE_UNRESOLVED',
    },
  ],
  'certificateAuthorities.*[type=x509].description': [
    meta(
      'prose',
      (d) => {
        d.certificateAuthorities.ci.description = 'the CI certificate authority';
      },
      { chain: chains.certificateTrainer },
    ),
  ],
  'certificateAuthorities.*[type=sigstore].trustedRootDigest': [
    {
      why: 'a pinned trusted root: lines verify only under the root of that digest',
      chain: chains.keylessTrainer,
      biting: (d) => {
        d.certificateAuthorities['public-good'].trustedRootDigest = `sha256:${'00'.repeat(32)}`;
      },
      code: 'REFERENCE_UNRESOLVED',
    },
  ],
  'certificateAuthorities.*[type=sigstore].description': [
    meta(
      'prose',
      (d) => {
        d.certificateAuthorities['public-good'].description = 'Sigstore public-good';
      },
      { chain: chains.keylessTrainer },
    ),
  ],
  'timestampAuthorities.*.certificates': [
    {
      why: "only tokens that chain to a timestamp authority's roots give trusted time",
      chain: chains.stampedApprovals,
      biting: (d) => {
        d.timestampAuthorities.tsa.certificates = ciAuthorities().rogue.root.pem;
      },
      code: 'APPROVAL_THRESHOLD_NOT_MET',
    },
  ],
  'timestampAuthorities.*.description': [
    meta(
      'prose',
      (d) => {
        d.timestampAuthorities.tsa.description = 'the private TSA';
      },
      { chain: chains.stampedApprovals },
    ),
  ],
  ...Object.fromEntries(
    (['data-steward', 'trainer', 'evaluator', 'approver', 'deployer', 'registrar'] as const).map((role) => [
      `roles.${role}.requireTimestamp`,
      [
        {
          why: `${role} signatures count only with a trusted timestamp (the chain's have none)`,
          ...(role === 'registrar' ? { chain: chains.registered } : {}),
          neutral: trustTsa,
          biting: (d: Doc) => {
            d.roles[role].requireTimestamp = true;
          },
          code: 'TIMESTAMP_MISSING',
        },
      ],
    ]),
  ),
  'roles.revoker.requireTimestamp': [
    {
      why: 'an unstamped revocation statement does not count when the revoker role requires a timestamp (neutral: required, so the revocation is ignored; biting: not required, it revokes)',
      chain: chains.modelRevokedByRevoker,
      neutral: (d) => {
        trustTsa(d);
        d.roles.revoker = { identities: [IDENTITY.revoker], requireTimestamp: true };
      },
      biting: (d) => {
        d.roles.revoker.requireTimestamp = false;
      },
      code: 'REVOKED',
    },
  ],
  'roles.verifier.requireTimestamp': [
    meta(
      'a verification summary is one DSSE envelope with no timestamp material, so the policy refuses requireTimestamp on the verifier role at load',
      (d) => {
        d.roles.verifier = { identities: [IDENTITY.carol], requireTimestamp: false };
      },
      {
        also: ({ doc }) => {
          const d = structuredClone(doc);
          d.roles.verifier = { identities: [IDENTITY.carol], requireTimestamp: true };
          expect(failure(() => parsePolicy(d))?.code).toBe('POLICY_INVALID');
        },
      },
    ),
  ],
  'roles.data-steward.identities': [notInRole('data-steward', IDENTITY.evaluator)],
  'roles.trainer.identities': [notInRole('trainer', IDENTITY.evaluator)],
  'roles.evaluator.identities': [notInRole('evaluator', IDENTITY.trainer)],
  'roles.approver.identities': [
    {
      ...notInRole('approver', IDENTITY.bob),
      biting: (d) => {
        d.roles.approver.identities = [IDENTITY.bob, IDENTITY.carol];
      },
    },
  ],
  'roles.deployer.identities': [notInRole('deployer', IDENTITY.steward)],
  'roles.registrar.identities': [{ ...notInRole('registrar', IDENTITY.evaluator), chain: chains.registered }],
  'roles.registrar.threshold': [{ ...threshold('registrar', IDENTITY.carol), chain: chains.registered }],
  requireRegistration: [
    {
      why: 'an approval must refer to a trusted registration of the model',
      biting: (d) => {
        d.requireRegistration = true;
      },
      code: 'MODEL_NOT_REGISTERED',
    },
  ],
  ...Object.fromEntries(
    METRIC_CATEGORIES.flatMap((cat) =>
      FINDING_SEVERITIES.map((sev) => [
        `riskTiers.*.findingCaps.${cat}.${sev}`,
        [
          {
            why: `${cat} findings of severity ${sev} must stay within the tier's cap`,
            chain: chains.findings,
            neutral: high((t) => {
              t.findingCaps = { [cat]: { [sev]: 1 } };
            }),
            biting: high((t) => {
              t.findingCaps[cat][sev] = 0;
            }),
            code: 'FINDINGS_CAP_EXCEEDED',
          },
        ],
      ]),
    ),
  ),
  'roles.verifier.identities': [
    meta(
      'the verifier role signs verification summaries (decisions §9, spec/vsa.md), which chain verification does not read: no stage of a chain needs it (its effect on vsa verify: test/verify/vsa.test.ts, VSA_SIGNER_NOT_VERIFIER)',
      (d) => {
        d.roles.verifier = { identities: [IDENTITY.carol] };
      },
    ),
  ],
  'roles.revoker.identities': [
    {
      why: "only revokers' statements are honoured",
      chain: chains.modelRevokedByRevoker,
      neutral: (d) => {
        d.roles.revoker = { identities: [IDENTITY.carol] };
      },
      biting: (d) => {
        d.roles.revoker = { identities: [IDENTITY.revoker] };
      },
      code: 'REVOKED',
    },
  ],
  'roles.data-steward.threshold': [threshold('data-steward', IDENTITY.carol)],
  'roles.trainer.threshold': [threshold('trainer', IDENTITY.carol)],
  'roles.evaluator.threshold': [threshold('evaluator', IDENTITY.carol)],
  'roles.deployer.threshold': [threshold('deployer', IDENTITY.carol)],
  'roles.approver.threshold': [
    {
      why: "an approval needs the larger of the tier's approvers and the role's threshold",
      biting: (d) => {
        d.roles.approver.threshold = 3;
      },
      code: 'APPROVAL_THRESHOLD_NOT_MET',
    },
  ],
  'roles.verifier.threshold': [
    meta(
      'as roles.verifier.identities: only vsa verify reads it (test/verify/vsa.test.ts, ROLE_THRESHOLD_NOT_MET)',
      (d) => {
        d.roles.verifier.threshold = 2;
      },
      {
        neutral: (d) => {
          d.roles.verifier = { identities: [IDENTITY.carol, IDENTITY.bob] };
        },
      },
    ),
  ],
  'roles.revoker.threshold': [
    {
      why: 'a revocation statement counts only with the revoker threshold of distinct revokers (neutral: 2 revokers needed, one signed)',
      chain: chains.modelRevokedByRevoker,
      neutral: (d) => {
        d.roles.revoker = { identities: [IDENTITY.revoker, IDENTITY.carol], threshold: 2 };
      },
      biting: (d) => {
        d.roles.revoker.threshold = 1;
      },
      code: 'REVOKED',
    },
  ],
  'separationOfDuties.pairs': [
    {
      why: '[trainer, approver]: the trainer does not count as approver',
      chain: chains.trainerApproves,
      neutral: (d) => {
        noSod(d);
        moreIn('approver', IDENTITY.trainer)(d);
      },
      biting: (d) => {
        d.separationOfDuties = { pairs: [['trainer', 'approver']] };
      },
      code: 'SEPARATION_OF_DUTIES',
    },
    {
      why: '[data-steward, trainer]',
      chain: chains.trainerStewards,
      neutral: (d) => {
        noSod(d);
        moreIn('data-steward', IDENTITY.trainer)(d);
      },
      biting: (d) => {
        d.separationOfDuties = { pairs: [['data-steward', 'trainer']] };
      },
      code: 'SEPARATION_OF_DUTIES',
    },
    {
      why: '[trainer, evaluator]',
      chain: chains.trainerEvaluates,
      neutral: (d) => {
        noSod(d);
        moreIn('evaluator', IDENTITY.trainer)(d);
      },
      biting: (d) => {
        d.separationOfDuties = { pairs: [['trainer', 'evaluator']] };
      },
      code: 'SEPARATION_OF_DUTIES',
    },
    {
      why: '[evaluator, deployer]',
      chain: chains.evaluatorDeploys,
      neutral: (d) => {
        noSod(d);
        moreIn('deployer', IDENTITY.evaluator)(d);
      },
      biting: (d) => {
        d.separationOfDuties = { pairs: [['evaluator', 'deployer']] };
      },
      code: 'SEPARATION_OF_DUTIES',
    },
  ],
  requiredStages: [
    {
      why: 'each required stage must be in the chain',
      chain: chains.withoutPromotion,
      biting: (d) => {
        d.requiredStages = ['dataset', 'training', 'evaluation', 'approval', 'promotion'];
      },
      code: 'STAGE_MISSING',
    },
  ],
  'riskTiers.*.requiredEvaluationCategories': [
    {
      why: 'each required category must be evaluated',
      biting: high((t) => {
        t.requiredEvaluationCategories.push('drift');
      }),
      code: 'EVALUATION_CATEGORY_MISSING',
    },
  ],
  'riskTiers.*.metricGates[].name': [
    {
      why: 'a gated metric must be reported',
      neutral: high((t) => {
        t.metricGates = [];
      }),
      biting: high((t) => {
        t.metricGates = [{ name: 'latency_ms', max: 100 }];
      }),
      code: 'METRIC_MISSING',
    },
  ],
  'riskTiers.*.metricGates[].min': [
    {
      why: "the policy's min overrides the declared threshold",
      neutral: high((t) => {
        t.metricGates = [{ name: 'accuracy', min: 0.9 }];
      }),
      biting: high((t) => {
        t.metricGates[0].min = 0.96;
      }),
      code: 'METRIC_GATE_FAILED',
    },
  ],
  'riskTiers.*.metricGates[].max': [
    {
      why: "the policy's max overrides the declared threshold",
      neutral: high((t) => {
        t.metricGates = [{ name: 'jailbreak_rate', max: 0.01 }];
      }),
      biting: high((t) => {
        t.metricGates[0].max = 0.001;
      }),
      code: 'METRIC_GATE_FAILED',
    },
  ],
  'riskTiers.*.allowWarned': [
    {
      why: 'WARNED passes only where allowed',
      chain: chains.warned,
      neutral: high((t) => {
        t.allowWarned = true;
      }),
      biting: high((t) => {
        t.allowWarned = false;
      }),
      code: 'EVALUATION_WARNED',
    },
  ],
  'riskTiers.*.approvers': [
    {
      why: "the tier's number of distinct approvers",
      chain: chains.oneApprover,
      neutral: high((t) => {
        t.approvers = 1;
      }),
      biting: high((t) => {
        t.approvers = 2;
      }),
      code: 'APPROVAL_THRESHOLD_NOT_MET',
    },
  ],
  'riskTiers.*.maxApprovalAgeDays': [
    {
      why: 'an approval is valid at most this long after its issuedAt',
      biting: high((t) => {
        t.maxApprovalAgeDays = 10;
      }),
      code: 'APPROVAL_EXPIRED',
    },
  ],
  'riskTiers.*.rank': [
    {
      why: 'verify --min-tier accepts only approvals of a tier ranked at least the minimum',
      chain: async () => ({ ...(await chains.standard()), minTier: 'low' }),
      neutral: (d) => {
        d.riskTiers.low.rank = 1;
        d.riskTiers.high.rank = 2;
      },
      biting: (d) => {
        d.riskTiers.high.rank = 0;
      },
      code: 'TIER_BELOW_MINIMUM',
    },
  ],
  'riskTiers.*.distinctEvaluationData': [
    {
      why: 'evaluation data must differ from the training data when the tier says so (the test world evaluates on its training set)',
      biting: high((t) => {
        t.distinctEvaluationData = true;
      }),
      code: 'EVALUATION_DATA_NOT_DISTINCT',
    },
  ],
  'riskTiers.*.description': [
    meta(
      'prose',
      high((t) => {
        t.description = 'customer facing';
      }),
    ),
  ],
  'useCases.*.riskTier': [
    {
      why: "the policy's tier for the use case wins over the approval's",
      biting: (d) => {
        d.useCases['support-chat'].riskTier = 'low';
      },
      code: 'RISK_TIER_MISMATCH',
    },
  ],
  'useCases.*.description': [
    meta('prose', (d) => {
      d.useCases['support-chat'].description = 'answers customers';
    }),
  ],
  ...digestRevocation('payload'),
  ...digestRevocation('model'),
  ...digestRevocation('dataset'),
  'revocations[kind=key].key': [
    {
      why: 'a key revocation rejects the key it names',
      neutral: revoke({ kind: 'key', key: 'carol', reason: 'compromised' }),
      biting: (d) => {
        d.revocations[0].key = 'bob';
      },
      code: 'KEY_COMPROMISED',
    },
  ],
  'revocations[kind=key].reason': [
    {
      why: 'compromised rejects every signature, whatever time it claims (retired only from effectiveAt)',
      neutral: revoke({ kind: 'key', key: 'bob', reason: 'retired', effectiveAt: '2026-01-20T00:00:00Z' }),
      biting: (d) => {
        d.revocations[0].reason = 'compromised';
      },
      code: 'KEY_COMPROMISED',
    },
    {
      why: 'any reason but retired/superseded is treated as a compromise (fail closed)',
      neutral: revoke({ kind: 'key', key: 'bob', reason: 'superseded', effectiveAt: '2026-01-20T00:00:00Z' }),
      biting: (d) => {
        d.revocations[0].reason = 'legal';
      },
      code: 'KEY_COMPROMISED',
    },
  ],
  'revocations[kind=key].effectiveAt': [
    {
      why: 'a retired key is rejected on evidence issued at or after effectiveAt',
      neutral: revoke({ kind: 'key', key: 'bob', reason: 'retired', effectiveAt: '2026-01-20T00:00:00Z' }),
      biting: (d) => {
        d.revocations[0].effectiveAt = '2026-01-10T00:00:00Z';
      },
      code: 'KEY_REVOKED',
    },
  ],
  digestAlgorithms: [
    {
      why: 'subjects match only by accepted algorithms',
      chain: chains.sha512Model,
      neutral: (d) => {
        d.digestAlgorithms = ['sha256', 'sha512'];
      },
      biting: (d) => {
        d.digestAlgorithms = ['sha256'];
      },
      code: 'SUBJECT_NOT_APPROVED',
    },
  ],
  'hashing.algorithms': [
    {
      why: "every required algorithm hashes the manifest's items",
      chain: chains.manifests,
      biting: (d) => {
        d.hashing = { algorithms: ['sha256', 'sha256-tree-v1-1048576'] };
      },
      code: 'HASHING_MISMATCH',
    },
    {
      why: 'a manifest only kept as a sidecar cannot be checked offline (fails closed)',
      chain: chains.sidecarManifest,
      biting: (d) => {
        d.hashing = { algorithms: ['sha256'] };
      },
      code: 'HASHING_UNKNOWN',
    },
    {
      why: "a file subject is hashed with its digest's algorithms",
      chain: chains.fileSubjects,
      neutral: (d) => {
        d.hashing = { algorithms: ['sha256'] };
      },
      biting: (d) => {
        d.hashing.algorithms = ['sha512'];
      },
      code: 'HASHING_MISMATCH',
    },
  ],
  'hashing.treeLeafBytes': [
    {
      why: "chunk trees must use the policy's leaf size",
      chain: chains.treeManifests,
      neutral: (d) => {
        d.hashing = { treeLeafBytes: 65536 };
      },
      biting: (d) => {
        d.hashing.treeLeafBytes = 1048576;
      },
      code: 'HASHING_MISMATCH',
    },
  ],
  'revocationLists.maxAgeDays': [
    {
      why: 'the policy requires a fresh signed revocation list (none is given here)',
      biting: (d) => {
        d.revocationLists = { maxAgeDays: 30 };
      },
      code: 'REVOCATIONS_MISSING',
    },
  ],
  'admins.keys': [
    meta(
      'who may sign this policy and its next version: judged when the policy is resolved (test/policy/signed.test.ts), not by chain verification',
      (d) => {
        d.admins.keys = ['alice', 'bob'];
      },
      {
        neutral: (d) => {
          d.admins = { keys: ['alice'], threshold: 1 };
        },
      },
    ),
  ],
  'admins.threshold': [
    meta(
      'how many admins must sign: judged when the policy is resolved (test/policy/signed.test.ts)',
      (d) => {
        d.admins.threshold = 2;
      },
      {
        neutral: (d) => {
          d.admins = { keys: ['alice', 'bob'], threshold: 1 };
        },
      },
    ),
  ],
  'baseModels.pinned[].name': [
    meta(
      'a label, shown in the pass message',
      (d) => {
        d.baseModels.pinned[0].name = 'base-7b';
      },
      {
        chain: chains.fineTune,
        neutral: (d) => {
          d.baseModels = { pinned: [{ digest: BASE }] };
        },
      },
    ),
  ],
  'baseModels.pinned[].digest': [
    {
      why: 'a base model must be pinned (or covered by the sub-policy)',
      chain: chains.fineTune,
      neutral: (d) => {
        d.baseModels = { pinned: [{ digest: BASE }] };
      },
      biting: (d) => {
        d.baseModels.pinned[0].digest = `sha256:${'c2'.repeat(32)}`;
      },
      code: 'BASE_MODEL_NOT_ALLOWED',
    },
  ],
  'baseModels.policy': [
    {
      why: "the base model's own chain must verify against the sub-policy",
      chain: chains.fineTuneWithBaseChain,
      neutral: async (d) => {
        d.baseModels = {
          policy: structuredClone((await chains.fineTuneWithBaseChain()).baseDoc),
          useCase: 'support-chat',
        };
      },
      biting: (d) => {
        d.baseModels.policy.riskTiers.high.maxApprovalAgeDays = 1;
      },
      code: 'APPROVAL_EXPIRED',
    },
  ],
  'baseModels.useCase': [
    {
      why: "the base model's chain is verified for this use case",
      chain: chains.fineTuneWithBaseChain,
      neutral: async (d) => {
        d.baseModels = {
          policy: structuredClone((await chains.fineTuneWithBaseChain()).baseDoc),
          useCase: 'support-chat',
        };
      },
      biting: (d) => {
        d.baseModels.useCase = 'internal-search';
      },
      code: 'USE_CASE_NOT_APPROVED',
    },
  ],
};

// ---- the test -------------------------------------------------------------------------------

async function verifyWith(c: Chain, policy: Policy) {
  const out = await verifyChain({
    bundle: c.bundle ?? c.world.bundle,
    policy,
    subject: c.subject ?? MODEL,
    useCase: c.useCase ?? 'support-chat',
    asOf: c.asOf ?? T.asOf,
    ...(c.minTier === undefined ? {} : { minTier: c.minTier }),
    ...(c.sigstoreVerifier ? { sigstoreVerifier: c.sigstoreVerifier } : {}),
  });
  expectStepOrder(out.report);
  let pinned = JSON.stringify(out.report);
  // certificates (or a trusted root's digest) in the policy are made by this run: so is its digest
  const made = c.random !== undefined || JSON.stringify(policy.document).includes('BEGIN CERTIFICATE');
  const fresh = made ? [policy.digest.slice(7)] : [];
  for (const r of [...(c.random ?? []), ...fresh]) pinned = pinned.replaceAll(r, 'R'.repeat(r.length));
  expectGolden(JSON.parse(pinned) as typeof out.report);
  return out;
}
const failedCodes = (r: Awaited<ReturnType<typeof verifyChain>>) =>
  r.report.checks.filter((x) => x.status === 'fail').map((x) => x.code);

async function policies(c: Chain, e: Entry): Promise<{ neutral: Doc; other: Doc }> {
  const neutral = structuredClone(c.world.doc);
  await e.neutral?.(neutral, c);
  const other = structuredClone(neutral);
  await ('biting' in e ? e.biting : e.change)(other, c);
  return { neutral, other };
}

describe('every field of the policy schema has an effect', () => {
  it('the schema walk finds the fields (sanity)', () => {
    expect(SCHEMA_PATHS).toContain('keys.*.publicKey');
    expect(SCHEMA_PATHS).toContain('roles.revoker.threshold');
    expect(SCHEMA_PATHS).toContain('revocations[kind=key].effectiveAt');
    expect(SCHEMA_PATHS).toContain('baseModels.policy');
    expect(new Set(SCHEMA_PATHS).size).toBe(SCHEMA_PATHS.length);
  });

  it('every schema field has an entry, and every entry is a schema field', () => {
    expect(
      SCHEMA_PATHS.filter((p) => !Object.hasOwn(TABLE, p) || TABLE[p]!.length === 0),
      'schema fields with no case',
    ).toEqual([]);
    expect(
      Object.keys(TABLE).filter((p) => !SCHEMA_PATHS.includes(p)),
      'cases for no schema field',
    ).toEqual([]);
  });

  const rows = Object.entries(TABLE).flatMap(([path, entries]) =>
    entries.map(
      (e, i) =>
        [
          `${path}${entries.length > 1 ? ` #${i + 1}` : ''}: ${'biting' in e ? e.why : `metadata (${e.metadata})`}`,
          e,
        ] as const,
    ),
  );
  it.each(rows)('%s', async (_name, e) => {
    const c = await (e.chain ?? chains.standard)();
    const docs = await policies(c, e);
    const neutral = parsePolicy(docs.neutral);
    const other = parsePolicy(docs.other);
    const a = await verifyWith(c, neutral);
    const b = await verifyWith(c, other);
    expect(a.report.policyDigest).toBe(neutral.digest);
    expect(b.report.policyDigest).toBe(other.digest);
    expect(other.digest).not.toBe(neutral.digest);
    if ('biting' in e) {
      expect(failedCodes(a), 'passes without the rule').toEqual([]);
      expect(a.report.ok).toBe(true);
      expect(b.report.ok, 'fails with it').toBe(false);
      expect(failedCodes(b)).toContain(e.code);
    } else {
      expect(b.report.ok).toBe(a.report.ok);
      expect([...new Set(failedCodes(b))].sort()).toEqual([...new Set(failedCodes(a))].sort());
      e.also?.({ neutral: a, changed: b, doc: docs.neutral });
    }
  });
});
