/**
 * Invariants of chain verification against an attacker with append access and no trusted key
 * (decisions §14, STYLE "Think as the attacker"). Generators: test/helpers/adversary.ts; runner
 * (sweep, shrink, record, counters): test/helpers/fuzz.ts. Sizes: small by default (`npm test`),
 * large with `npm run test:fuzz` (vitest.fuzz.config.ts; FUZZ_RUNS, FUZZ_SEED).
 *
 * (a) monotonicity — appending lines that carry no trusted signature never turns a failing
 *     verification into a pass and never removes a failed check; within the limits it changes
 *     neither `report.ok`, nor the set of failed (check id, code) pairs, nor the resolved chain.
 *     Past a limit (> 16 signatures on a line, more envelopes than `envelopesPerBundle`, more
 *     untrusted signature checks than `untrustedSignatureChecks` where that limit exists) the
 *     verification fails, with LIMIT_EXCEEDED or VERIFY_BUDGET_EXCEEDED among its failures. (Past
 *     a limit a verifier may stop reading, so other failures need not all be reported there.)
 * (b) permutation — permuting the lines never changes the report, modulo line numbers.
 *     Normalization: every mention of a line number (`line N`, `lines N, M` in any string, and
 *     any `line`/`lines` number field) is replaced by the content identity of that line — the
 *     first 12 hex digits of sha256 of its text without the line end — a list of them sorted; and
 *     the checks are compared as a multiset (sorted), since their order follows the order the
 *     bundle was read in. Everything else (verdict, every check field, results and the resolved
 *     chain, in order) must be identical. Content identity, not "map back through the
 *     permutation": identical duplicate lines are the same evidence, so naming either is right.
 * (c) tamper — changing any signed byte (a payload byte, a payloadType byte, a signature byte) of
 *     an envelope in the resolved chain of a passing verification, replacing the line or
 *     appending the changed copy, never yields a pass that relies on it: the report is not ok,
 *     or every link of the resolved chain is a genuine payload each of whose listed signers has
 *     an untampered genuine signature over it still in the bundle, and the chain's payloads are
 *     the original chain's (the role is filled by the untampered original).
 *
 * Every verification uses the Node adapter's fast verifier (nodeEd25519Verifier) behind a cache
 * of its verdicts (adversary.ts `memoVerifier`), and this file memoizes the pure key functions
 * `ed25519PublicKeyProblem`, `keyidOf` and `keyidsOf` (test/helpers/memo.ts): today
 * verifyEnvelope re-imports every trusted key for every envelope — a prime-order check (~1.5 ms)
 * and three keyid hashes per key — which is ~90% of a case. FUZZ_MEMO=0 turns all of it off.
 */
import { describe, it, vi } from 'vitest';
import fc from 'fast-check';

// Pure key functions memoized (test/helpers/memo.ts): the same outcomes, a fraction of the time.
vi.mock('../../src/keys/ed25519.js', async (importOriginal) =>
  (await import('../helpers/memo.js')).memoized(await importOriginal(), ['ed25519PublicKeyProblem']),
);
vi.mock('../../src/keys/keyid.js', async (importOriginal) =>
  (await import('../helpers/memo.js')).memoized(await importOriginal(), ['keyidOf', 'keyidsOf'], true),
);

import { sha256Hex } from '../../src/digest/index.js';
import { toBase64, utf8 } from '../../src/bytes/index.js';
import { canonicalJson } from '../../src/json/canonical.js';
import type { ChainLink, Report } from '../../src/report/index.js';
import type { ChainVerification } from '../../src/verify/chain.js';
import {
  adversaryArb,
  baseLines,
  orderArb,
  breakerArb,
  breakerLines,
  buildPool,
  describeAdversary,
  describeBreaker,
  describeMove,
  joinLines,
  LIMIT_CODES,
  materialize,
  moveArb,
  moveLine,
  reorder,
  trustedMaterialAdded,
  verifyVariant,
  type Adversary,
  type Breaker,
  type Line,
  type Move,
  type Pool,
  type Variant,
  type WireEnvelope,
} from '../helpers/adversary.js';
import { runProperty, runsFor, timeoutFor, type Outcome } from '../helpers/fuzz.js';

/**
 * Default (npm test) case counts — 200 cases, 15-30 s for this file on the shared 2-core machine,
 * most of it the first cases paying for a cold signature cache — and each property's share of
 * FUZZ_RUNS in the fuzz run (40% / 15% / 30% / 15%). `msPerCase` only sizes the test timeouts
 * (4x margin). Measured figures: vitest.fuzz.config.ts.
 */
const SIZES = {
  monotonicity: { runs: runsFor(0.4, 100), msPerCase: 12 },
  limits: { runs: runsFor(0.15, 30), msPerCase: 10 },
  permutation: { runs: runsFor(0.3, 40), msPerCase: 20 },
  tamper: { runs: runsFor(0.15, 30), msPerCase: 25 },
};

let pool: Pool;
interface Base {
  ok: boolean;
  failed: string[];
  chain: ChainLink[];
}
const bases = new Map<Variant, Base>();

const failedPairs = (r: Report) =>
  [...new Set(r.checks.filter((c) => c.status === 'fail').map((c) => `${c.id} ${c.code}`))].sort();
const okText = (ok: boolean) => (ok ? 'passes' : 'fails');

/** The report's own consistency: ok iff some check passed and none failed; results agree. */
function inconsistency(r: ChainVerification): string | undefined {
  const { report } = r;
  const ok = report.checks.some((c) => c.status === 'pass') && !report.checks.some((c) => c.status === 'fail');
  if (report.ok !== ok) return `report.ok is ${report.ok} but the checks say ${ok}`;
  if (report.results.some((x) => x.ok !== report.ok)) return 'a result disagrees with report.ok';
  return undefined;
}

/**
 * The pool and each variant's base verdict, built once, inside the first test that needs them
 * (not in beforeAll: code run by a hook is "static" to Stryker's per-test coverage, so every
 * src/verify mutant would rerun every test of the mutation suite).
 */
let ready: Promise<void> | undefined;
const setup = () =>
  (ready ??= (async () => {
    pool = await buildPool();
    for (const v of pool.variants) {
      const r = await verifyVariant(pool, v, joinLines(baseLines(v)));
      bases.set(v, { ok: r.report.ok, failed: failedPairs(r.report), chain: r.chain });
    }
  })());

const variantName = (i: number) => pool.variants[i % pool.variants.length]!.name;
const variantIndex = (name: string) => pool.variants.findIndex((v) => v.name === name);
const lineIndex = (variant: string, line: string) =>
  pool.variants[variantIndex(variant)]!.lines.findIndex((l) => l.name === line);
const forgedIndex = (prefix: string) => pool.forged.findIndex((f) => f.name.startsWith(prefix));

/**
 * Known attacks, run first in every run (and counted): the revocation cancelled by a copy of its
 * payload under another payloadType; a valid approval vetoed by such a copy appended after it; the
 * explanation of a missing approval changed by an approval no trusted key signed; junk signatures
 * on the genuine payload.
 */
const monotoneExamples = (): MonoCase[] => {
  const retype = (variant: string, line: string): MonoCase => ({
    v: variantIndex(variant),
    adv: {
      moves: [
        {
          op: 'retype',
          src: lineIndex(variant, line),
          type: pool.altTypes.indexOf('application/json'),
          keep: 'genuine',
          u: 0,
          junk: [],
          enc: 'jcs',
        },
      ],
      order: null,
      tight: false,
    },
  });
  // every kind of Sigstore material on each approval signature
  const sigstore = (variant: string): MonoCase => ({
    v: variantIndex(variant),
    adv: {
      moves: (['junkCert', 'rogueCert', 'rogueToken', 'lateToken', 'rogueSigned'] as const).flatMap((material) =>
        [0, 1].map((sig) => ({ op: 'sigstore' as const, src: lineIndex(variant, 'approval'), sig, material })),
      ),
      order: null,
      tight: false,
    },
  });
  return [
    sigstore('valid, an approver key expiring after the approval'),
    sigstore('valid'),
    sigstore('under-approved (one approver, tier needs two)'),
    retype('evaluation revoked by a revoker statement', 'revocation'),
    retype('valid', 'approval'),
    {
      v: variantIndex('approval missing'),
      adv: {
        moves: [{ op: 'forged', f: forgedIndex('an approval of the model signed by mallory'), junk: [], enc: 'jcs' }],
        order: null,
        tight: false,
      },
    },
    {
      v: variantIndex('valid'),
      adv: {
        moves: [
          {
            op: 'junk',
            src: lineIndex('valid', 'approval'),
            keepGenuine: false,
            junk: [
              { j: 'structural', i: 0, keyid: { k: 'policy', i: 6 } },
              { j: 'random', seed: 7, keyid: { k: 'absent' } },
              { j: 'transplant', i: 3, keyid: { k: 'policy', i: 0 } },
            ],
            enc: 'jcs',
          },
        ],
        order: null,
        tight: false,
      },
    },
  ];
};

// ---------------------------------------------------------------------------------------------
// (a) monotonicity within the limits

interface MonoCase {
  v: number;
  adv: Adversary;
}

async function checkMonotone(c: MonoCase): Promise<Outcome> {
  const v = pool.variants[c.v % pool.variants.length]!;
  const base = bases.get(v)!;
  const { lines, limits } = materialize(pool, v, c.adv);
  const harness = await trustedMaterialAdded(pool, v, lines);
  if (harness) return { violation: { kind: 'harness-error', detail: harness } };
  const r = await verifyVariant(pool, v, joinLines(lines), limits);
  const bad = inconsistency(r);
  if (bad) return { violation: { kind: 'report-inconsistent', detail: bad } };
  const got = failedPairs(r.report);
  const removed = base.failed.filter((p) => !got.includes(p));
  const added = got.filter((p) => !base.failed.includes(p));
  const detail = `the chain ${okText(base.ok)} [${base.failed.join('; ')}]; with the lines appended it ${okText(r.report.ok)}${removed.length ? `; failures removed: [${removed.join('; ')}]` : ''}${added.length ? `; failures added: [${added.join('; ')}]` : ''}`;
  if (!base.ok && r.report.ok) return { violation: { kind: 'failing-became-passing', detail }, wronglyAccepted: true };
  if (removed.length > 0) return { violation: { kind: 'failed-check-removed', detail } };
  if (base.ok && !r.report.ok) return { violation: { kind: 'passing-became-failing', detail } };
  if (added.length > 0) return { violation: { kind: 'failed-check-added', detail } };
  if (canonicalJson(base.chain) !== canonicalJson(r.chain)) {
    const show = (chain: ChainLink[]) =>
      chain
        .map(
          (l) =>
            `${l.stage}:${l.payloadDigest.slice(7, 19)}[${l.signers.map((x) => x.identity ?? x.keyid.slice(0, 8)).join(',')}]`,
        )
        .join(' ');
    return {
      violation: { kind: 'chain-changed', detail: `resolved chain ${show(base.chain)} became ${show(r.chain)}` },
    };
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// (a) past a limit

interface LimitCase {
  v: number;
  moves: Move[];
  breaker: Breaker;
  order: number[] | null;
}

async function checkPastLimit(c: LimitCase): Promise<Outcome> {
  const v = pool.variants[c.v % pool.variants.length]!;
  const broken = breakerLines(pool, v, c.breaker);
  let lines: Line[] = [...baseLines(v), ...c.moves.map((m) => moveLine(pool, v, m)), ...broken.lines];
  if (c.order) lines = reorder(lines, c.order);
  // The breaker's lines are junk by construction (and checking 17+ of them under every key is slow).
  const harness = await trustedMaterialAdded(
    pool,
    v,
    c.moves.map((m) => moveLine(pool, v, m)),
  );
  if (harness) return { violation: { kind: 'harness-error', detail: harness } };
  const r = await verifyVariant(pool, v, joinLines(lines), broken.limits);
  const bad = inconsistency(r);
  if (bad) return { violation: { kind: 'report-inconsistent', detail: bad } };
  const got = failedPairs(r.report);
  if (r.report.ok)
    return {
      violation: {
        kind: 'passed-past-limit',
        detail: `the chain ${okText(bases.get(v)!.ok)}; past the limit it passes`,
      },
      wronglyAccepted: true,
    };
  const codes = r.report.checks.filter((x) => x.status === 'fail').map((x) => x.code);
  if (!codes.some((x) => LIMIT_CODES.includes(x))) {
    const first = r.report.checks.find((x) => x.status === 'fail' && x.id.startsWith('bundle'));
    return {
      violation: {
        kind: 'limit-not-reported',
        detail: `fails with [${got.join('; ')}], none of ${LIMIT_CODES.join('/')}${first ? ` (${first.id} ${first.code}, actual ${first.actual ?? '-'})` : ''}`,
      },
    };
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// (b) permutation

interface PermCase {
  v: number;
  adv: Adversary;
  breaker: Breaker | null;
  perm: number[];
}

/** Content identity of each line (index = line number - 1). */
function lineIds(lines: readonly Line[]): string[] {
  return lines.map((l) => `#${sha256Hex(utf8(l.text.replace(/\r$/, ''))).slice(0, 12)}`);
}

/** Replace line numbers by content identities (see the file's documentation), sort checks. */
function normalize(r: ChainVerification, lines: readonly Line[]): unknown {
  const ids = lineIds(lines);
  const idOf = (n: number) => (Number.isInteger(n) && n >= 1 && n <= ids.length ? ids[n - 1]! : String(n));
  const walk = (x: unknown, keyName?: string): unknown => {
    if (typeof x === 'string')
      return x.replace(
        /\b(lines?) (\d+(?:, \d+)*)/g,
        (_m, w: string, list: string) =>
          `${w} ${list
            .split(', ')
            .map((n) => idOf(Number(n)))
            .sort()
            .join(', ')}`,
      );
    if (typeof x === 'number' && keyName === 'line') return idOf(x);
    if (Array.isArray(x)) {
      if (keyName === 'lines' && x.every((n) => typeof n === 'number')) return x.map((n) => idOf(n)).sort();
      return x.map((e) => walk(e));
    }
    if (x && typeof x === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort())
        if ((x as Record<string, unknown>)[k] !== undefined) out[k] = walk((x as Record<string, unknown>)[k], k);
      return out;
    }
    return x;
  };
  const n = walk(r) as { report: { checks: unknown[] } & Record<string, unknown> } & Record<string, unknown>;
  n.report.checks = n.report.checks.map((c) => JSON.stringify(c)).sort();
  return n;
}

async function checkPermutation(c: PermCase): Promise<Outcome> {
  const v = pool.variants[c.v % pool.variants.length]!;
  const broken = c.breaker ? breakerLines(pool, v, c.breaker) : { lines: [] as Line[] };
  const m = materialize(pool, v, c.adv, broken.lines);
  const limits = { ...m.limits, ...broken.limits };
  const permuted = reorder(m.lines, c.perm);
  const harness = await trustedMaterialAdded(
    pool,
    v,
    c.adv.moves.map((mv) => moveLine(pool, v, mv)),
  );
  if (harness) return { violation: { kind: 'harness-error', detail: harness } };
  const r1 = await verifyVariant(pool, v, joinLines(m.lines), limits);
  const r2 = await verifyVariant(pool, v, joinLines(permuted), limits);
  const bad = inconsistency(r1) ?? inconsistency(r2);
  if (bad) return { violation: { kind: 'report-inconsistent', detail: bad } };
  const n1 = normalize(r1, m.lines) as { report: { checks: string[] } };
  const n2 = normalize(r2, permuted) as { report: { checks: string[] } };
  if (JSON.stringify(n1) === JSON.stringify(n2)) return {};
  // The verdict the chain must have: its own within the limits, a failure past one.
  const expectOk = c.breaker === null && bases.get(v)!.ok;
  const wronglyAccepted = !expectOk && (r1.report.ok || r2.report.ok);
  const onlyIn = (a: string[], b: string[]) =>
    a
      .filter((x) => !b.includes(x))
      .slice(0, 3)
      .map((s) => {
        const o = JSON.parse(s);
        return `${o.status} ${o.id} ${o.code} @ ${o.subject}`;
      });
  const names = (ls: readonly Line[]) => ls.map((l) => (l.text.trim() === '' ? 'blank' : lineName(v, l))).join(', ');
  const detail = `in order [${names(m.lines)}] it ${okText(r1.report.ok)}, in order [${names(permuted)}] it ${okText(r2.report.ok)}; only in the first: ${onlyIn(n1.report.checks, n2.report.checks).join(' | ') || '-'}; only in the second: ${onlyIn(n2.report.checks, n1.report.checks).join(' | ') || '-'}`;
  if (r1.report.ok !== r2.report.ok)
    return { violation: { kind: 'verdict-depends-on-order', detail }, wronglyAccepted };
  const f1 = n1.report.checks.filter((s) => s.includes('"status":"fail"'));
  const f2 = n2.report.checks.filter((s) => s.includes('"status":"fail"'));
  if (JSON.stringify(f1) !== JSON.stringify(f2)) return { violation: { kind: 'failures-depend-on-order', detail } };
  return { violation: { kind: 'report-depends-on-order', detail } };
}

/** A short name for a line: the genuine line it is, or what it carries. */
function lineName(v: Variant, l: Line): string {
  const g = v.lines.find((x) => x.text === l.text);
  if (g) return g.name;
  try {
    const env = JSON.parse(l.text) as WireEnvelope;
    const payload = Buffer.from(env.payload.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    const digest = `sha256:${sha256Hex(new Uint8Array(payload))}`;
    const same = v.lines.find((x) => x.digest === digest);
    const f = pool.forged.findIndex((x) => x.env.payload === toBase64(new Uint8Array(payload)));
    const what = same ? same.name : f >= 0 ? `forged#${f}` : 'payload?';
    return `${what}${env.payloadType === 'application/vnd.in-toto+json' ? '' : `@${JSON.stringify(env.payloadType)}`}/${env.signatures.length}sig${l.eol === '\r\n' ? '/crlf' : ''}`;
  } catch {
    return 'unparsed';
  }
}

// ---------------------------------------------------------------------------------------------
// (c) tamper

interface TamperCase {
  v: number;
  link: number;
  kind: 'payload' | 'payloadType' | 'signature';
  pos: number;
  mask: number;
  sig: number;
  mode: 'replace' | 'append';
  at: number;
}

function tamper(pool_: Pool, c: TamperCase) {
  const v = pool_.passing[c.v % pool_.passing.length]!;
  const base = bases.get(v)!;
  const link = base.chain[c.link % base.chain.length]!;
  const gi = v.lines.findIndex((l) => l.digest === link.payloadDigest);
  const g = v.lines[gi]!;
  const env = JSON.parse(g.text) as WireEnvelope;
  let what: string;
  let intactHere: string[] = [];
  switch (c.kind) {
    case 'payload': {
      const p = Uint8Array.from(g.payload);
      const i = c.pos % p.length;
      p[i]! ^= c.mask;
      env.payload = toBase64(p);
      what = `payload byte ${i} ^= 0x${c.mask.toString(16)}`;
      break;
    }
    case 'payloadType': {
      const t = env.payloadType;
      const i = c.pos % t.length;
      const m = c.mask & 0x7f || 1;
      env.payloadType = t.slice(0, i) + String.fromCharCode(t.charCodeAt(i) ^ m) + t.slice(i + 1);
      what = `payloadType ${JSON.stringify(env.payloadType)}`;
      break;
    }
    case 'signature': {
      const si = c.sig % env.signatures.length;
      const bytes = Buffer.from(env.signatures[si]!.sig, 'base64');
      const i = c.pos % bytes.length;
      bytes[i]! ^= c.mask;
      env.signatures[si]!.sig = bytes.toString('base64');
      intactHere = g.sigs.filter((_, k) => k !== si).map((s) => s.key);
      what = `signature ${si} (${g.sigs[si]!.key}) byte ${i} ^= 0x${c.mask.toString(16)}`;
      break;
    }
  }
  const tampered: Line = { text: canonicalJson(env), eol: '\n' };
  const lines = baseLines(v);
  if (c.mode === 'replace') lines[gi] = tampered;
  else lines.splice(c.at % (lines.length + 1), 0, tampered);
  return { v, base, g, gi, what: `${c.mode} the ${g.name} line by one with ${what}`, lines, intactHere };
}

async function checkTamper(c: TamperCase): Promise<Outcome> {
  const t = tamper(pool, c);
  const r = await verifyVariant(pool, t.v, joinLines(t.lines));
  const bad = inconsistency(r);
  if (bad) return { violation: { kind: 'report-inconsistent', detail: bad } };
  if (!r.report.ok) return {};
  // A pass: it must rest on untampered genuine signatures only.
  const intact = new Set<string>();
  t.v.lines.forEach((l, i) => {
    if (c.mode === 'replace' && i === t.gi) return;
    for (const s of l.sigs) intact.add(`${l.digest}|${s.key}`);
  });
  for (const k of t.intactHere) intact.add(`${t.g.digest}|${k}`);
  for (const l of r.chain) {
    if (!t.v.lines.some((g) => g.digest === l.payloadDigest)) {
      return {
        violation: {
          kind: 'relies-on-tampered-payload',
          detail: `${t.what}: passes with ${l.stage} ${l.payloadDigest} in the chain`,
        },
        wronglyAccepted: true,
      };
    }
    for (const s of l.signers) {
      const name = pool.keyNameByKeyid.get(s.keyid) ?? s.keyid;
      if (!intact.has(`${l.payloadDigest}|${name}`)) {
        return {
          violation: {
            kind: 'relies-on-tampered-signature',
            detail: `${t.what}: passes with ${l.stage} signed by ${name}, whose signature over it is no longer in the bundle`,
          },
          wronglyAccepted: true,
        };
      }
    }
  }
  const before = t.base.chain
    .map((l) => l.payloadDigest)
    .sort()
    .join();
  const after = r.chain
    .map((l) => l.payloadDigest)
    .sort()
    .join();
  if (before !== after)
    return {
      violation: {
        kind: 'role-not-filled-by-original',
        detail: `${t.what}: passes with chain ${r.chain.map((l) => l.stage).join(', ')}`,
      },
      wronglyAccepted: true,
    };
  return {};
}

// ---------------------------------------------------------------------------------------------

describe('chain verification invariants (adversary: append access, no trusted key)', () => {
  it(
    '(a) monotonicity: appended lines no trusted key signed change neither the verdict, nor the failed (id, code) pairs, nor the chain',
    async ({ task }) => {
      await setup();
      await runProperty(
        task.meta,
        {
          name: 'monotonicity',
          arb: fc.record({ v: fc.nat(pool.variants.length - 1), adv: adversaryArb() }),
          check: checkMonotone,
          examples: monotoneExamples(),
          describe: (c: MonoCase) => ({
            variant: variantName(c.v),
            attack: describeAdversary(pool, pool.variants[c.v % pool.variants.length]!, c.adv),
          }),
        },
        SIZES.monotonicity.runs,
      );
    },
    timeoutFor(SIZES.monotonicity.runs, SIZES.monotonicity.msPerCase),
  );

  it(
    '(a) past a limit (signatures per line, envelopes per bundle, untrusted-signature budget) verification fails with LIMIT_EXCEEDED or VERIFY_BUDGET_EXCEEDED',
    async ({ task }) => {
      await setup();
      await runProperty(
        task.meta,
        {
          name: 'limits',
          arb: fc.record({
            v: fc.nat(pool.variants.length - 1),
            moves: fc.array(moveArb, { maxLength: 3 }),
            breaker: breakerArb,
            order: orderArb,
          }),
          check: checkPastLimit,
          describe: (c: LimitCase) => {
            const v = pool.variants[c.v % pool.variants.length]!;
            return {
              variant: v.name,
              attack: [
                ...c.moves.map((m) => `append ${describeMove(pool, v, m)}`),
                `append ${describeBreaker(pool, v, c.breaker)}`,
                ...(c.order ? [`then reorder by [${c.order.join(',')}]`] : []),
              ],
            };
          },
        },
        SIZES.limits.runs,
      );
    },
    timeoutFor(SIZES.limits.runs, SIZES.limits.msPerCase),
  );

  it(
    '(b) permutation: the order of lines never changes the report (modulo line numbers)',
    async ({ task }) => {
      await setup();
      await runProperty(
        task.meta,
        {
          name: 'permutation',
          arb: fc.record({
            v: fc.nat(pool.variants.length - 1),
            adv: adversaryArb({ reorder: false }),
            breaker: fc.oneof(
              { withCrossShrink: true },
              { weight: 4, arbitrary: fc.constant(null) },
              { weight: 1, arbitrary: breakerArb },
            ),
            perm: fc.array(fc.nat(1000), { minLength: 2, maxLength: 40 }),
          }),
          check: checkPermutation,
          // The same attacks, each appended line moved to the front.
          examples: monotoneExamples().map((e) => {
            const n = pool.variants[e.v]!.lines.length + e.adv.moves.length;
            return {
              ...e,
              breaker: null,
              perm: Array.from({ length: n }, (_, i) => (i >= n - e.adv.moves.length ? 0 : 1)),
            };
          }),
          describe: (c: PermCase) => {
            const v = pool.variants[c.v % pool.variants.length]!;
            return {
              variant: v.name,
              attack: [
                ...describeAdversary(pool, v, c.adv),
                ...(c.breaker ? [`append ${describeBreaker(pool, v, c.breaker)}`] : []),
              ],
              permutation: c.perm,
            };
          },
        },
        SIZES.permutation.runs,
      );
    },
    timeoutFor(SIZES.permutation.runs, SIZES.permutation.msPerCase),
  );

  it(
    '(c) tamper: a changed signed byte of a chain envelope never yields a pass that relies on it',
    async ({ task }) => {
      await setup();
      await runProperty(
        task.meta,
        {
          name: 'tamper',
          arb: fc.record({
            v: fc.nat(pool.passing.length - 1),
            link: fc.nat(15),
            kind: fc.constantFrom('payload' as const, 'payloadType' as const, 'signature' as const),
            pos: fc.nat(1 << 20),
            mask: fc.integer({ min: 1, max: 255 }),
            sig: fc.nat(15),
            mode: fc.constantFrom('replace' as const, 'append' as const),
            at: fc.nat(15),
          }),
          check: checkTamper,
          describe: (c: TamperCase) => {
            const t = tamper(pool, c);
            return { variant: t.v.name, attack: t.what };
          },
        },
        SIZES.tamper.runs,
      );
    },
    timeoutFor(SIZES.tamper.runs, SIZES.tamper.msPerCase),
  );
});
