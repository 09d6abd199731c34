/**
 * Verifying a tree against its manifest: the diff (extra, missing and mismatched files, one by
 * one, with expected and actual digests), explicit subset verification, and the report of
 * decisions §10. A successful verification is the only producer of a {@link VerifiedManifest}, the
 * input incremental re-hashing requires.
 */
import { shortDigest } from '../errors.js';
import { equalHex } from '../bytes/index.js';
import { formatDigest, parseDigest } from '../digest/index.js';
import type { JsonValue } from '../json/strict.js';
import { ReportBuilder, type Report } from '../report/index.js';
import { isCheckedManifest, manifestDigest, parseManifest } from './build.js';
import { comparePaths } from './path.js';
import { diffManifests, facts, sameAlgorithms, type ItemFacts, type ManifestDiff } from './diff.js';
import type { HashedManifest, Manifest, StatHint } from './types.js';

export { diffManifests, type ManifestDiff } from './diff.js';

declare const verifiedBrand: unique symbol;

/**
 * A manifest whose files were hashed and found equal to it by {@link verifyManifest}, with the
 * stat hints observed while they were hashed. Only {@link verifyManifest} creates one (the type
 * cannot be built outside this module, and {@link isVerifiedManifest} checks at run time, so a
 * cast object is refused too). It is deep-frozen.
 */
export interface VerifiedManifest {
  readonly manifest: Manifest;
  /** `sha256:<hex>` of the manifest's JCS bytes. */
  readonly manifestDigest: string;
  /** `sha256:<hex>` of the DSSE payload that attested the manifest, when the caller gave it. */
  readonly payloadDigest: string | null;
  /** Paths whose bytes were hashed and matched (all items, or the checked subset), sorted. */
  readonly verifiedPaths: readonly string[];
  /** Stat hints of verified paths, as observed when they were hashed. */
  readonly hints: Readonly<Record<string, Readonly<StatHint>>>;
  readonly [verifiedBrand]: true;
}

const produced = new WeakSet<object>();

/**
 * True only for a {@link VerifiedManifest} produced by {@link verifyManifest} (in this realm).
 * @param value any value
 * @returns true only for verifyManifest()'s own result
 * @example
 * ```ts
 * isVerifiedManifest({ ...verified }); // false: a copy is not verified
 * ```
 */
export function isVerifiedManifest(value: unknown): value is VerifiedManifest {
  return typeof value === 'object' && value !== null && produced.has(value);
}

/** Options of {@link verifyManifest}. */
export interface VerifyManifestOptions {
  /**
   * `sha256:<hex>` the expected manifest must have: the subject digest from a verified statement.
   * Without it the manifest is only as trustworthy as wherever the caller got it (the report says so).
   */
  expectedDigest?: string;
  /**
   * `sha256:<hex>` of the DSSE payload that attested the manifest. Recorded in the
   * {@link VerifiedManifest} so incremental re-hashing can say where reused digests came from.
   */
  payloadDigest?: string;
  /**
   * Check only these paths. Every other item is listed as not checked (a `skip` check), and extra
   * files cannot be detected (said in the report too).
   */
  subset?: readonly string[];
  /** Subject name for the report (default: the manifest digest). */
  subject?: string;
  /** Options for reading an expected manifest given as bytes or text. */
  maxBytes?: number;
}

/** What {@link verifyManifest} returns. */
export interface ManifestVerification {
  report: Report;
  /** Present only when the report is ok. */
  verified: VerifiedManifest | null;
  /** The item diff (empty when the manifests could not be compared). */
  diff: ManifestDiff;
  /** Paths of the manifest deliberately not checked (subset verification), sorted. */
  notChecked: string[];
}

function checkDigestText(text: string | undefined, name: string): string | undefined {
  if (text === undefined) return undefined;
  return formatDigest('sha256', parseDigest(text, name, { alg: 'sha256' }).hex);
}

const show = (f: ItemFacts): string =>
  `${Object.entries(f.digest)
    .map(([a, h]) => `${a}:${h}`)
    .join(' ')} (${f.size} bytes)`;
const showShort = (f: ItemFacts): string =>
  `${Object.entries(f.digest)
    .map(([a, h]) => `${a}:${shortDigest(h)}`)
    .join(' ')}, ${f.size} bytes`;

function emptyDiff(): ManifestDiff {
  return { extra: [], missing: [], mismatched: [], matched: [] };
}

/**
 * Verify a tree (its freshly computed manifest) against an expected manifest. Never throws on
 * untrusted input: every problem becomes a failed check.
 *
 * Pipeline (the body follows it step for step):
 * 1. Read the expected manifest strictly (bytes, text, JSON value or a Manifest) — `manifest.parse`.
 * 2. When `expectedDigest` is given, compare it with SHA-256 of the manifest's JCS bytes —
 *    `manifest.digest` (otherwise a `skip` saying the manifest is trusted as given).
 * 3. Check the actual manifest — `manifest.actual`.
 * 4. Same hashing algorithms — `manifest.hashing`; same ignore list — `manifest.ignore`.
 * 5. With `subset`: every asked path must be in the manifest (`manifest.subset`), every other
 *    item is reported `skip` (MANIFEST_ITEM_NOT_CHECKED), and `manifest.extra` is a `skip`
 *    (MANIFEST_EXTRA_NOT_CHECKED).
 * 6. Diff the items: one failed `manifest.item` check per missing, extra or mismatched file, with
 *    expected and actual size and digests; `manifest.items` passes when every compared item matched.
 * 7. When the report is ok, return a {@link VerifiedManifest} carrying the manifest, its digest,
 *    the payload digest, the verified paths and their stat hints.
 *
 * @param expected the attested manifest (untrusted until step 2)
 * @param actual the manifest of the files as they are now, ideally with the stat hints observed
 *   while hashing them (the Node adapter's `hashDirectory` returns exactly that)
 * @param options expectedDigest, payloadDigest, subset, subject
 * @returns the report, the verified manifest (or null), the diff and the paths not checked
 * @throws {LineproofError} INVALID_ARGUMENT only for a malformed `expectedDigest` or `payloadDigest`
 *   (caller misuse)
 * @example
 * ```ts
 * const local = await hashDirectory('model/');             // lineproof/node
 * const { report, verified } = verifyManifest(sidecarBytes, local, { expectedDigest: 'sha256:…' });
 * assertVerified(report);
 * ```
 */
export function verifyManifest(
  expected: Manifest | Uint8Array | string | JsonValue,
  actual: Manifest | HashedManifest,
  options: VerifyManifestOptions = {},
): ManifestVerification {
  const expectedDigest = checkDigestText(options.expectedDigest, 'expectedDigest');
  const payloadDigest = checkDigestText(options.payloadDigest, 'payloadDigest') ?? null;
  const fallbackSubject = options.subject ?? expectedDigest ?? 'manifest';
  const rb = new ReportBuilder('manifest');
  const finish = (
    subject: string,
    diff: ManifestDiff = emptyDiff(),
    notChecked: string[] = [],
    verified: VerifiedManifest | null = null,
  ): ManifestVerification => {
    rb.result({ subject, ok: rb.ok, chain: [] });
    return { report: rb.build(), verified, diff, notChecked };
  };
  const exp = readExpected(rb, expected, options, fallbackSubject); // 1.
  if (!exp) return finish(fallbackSubject);
  const digestText = `sha256:${manifestDigest(exp).sha256}`;
  const subject = options.subject ?? digestText;
  if (!checkExpectedDigest(rb, expectedDigest, digestText, subject)) return finish(subject); // 2.
  const given = readActual(rb, actual, subject); // 3.
  if (!given) return finish(subject);
  const act = given.manifest;
  if (!checkConfiguration(rb, exp, act, subject)) return finish(subject); // 4.
  const { subset, notChecked } = checkSubset(rb, exp, options.subset, subject); // 5.
  const diff = checkItems(rb, exp, act, subset, subject); // 6.
  const verified = rb.ok ? issueVerified(exp, digestText, payloadDigest, diff, given.hints) : null; // 7.
  return finish(subject, diff, notChecked, verified);
}

/** Step 1: the expected manifest, read strictly (`manifest.parse`); undefined when it cannot be. */
function readExpected(
  rb: ReportBuilder,
  expected: Manifest | Uint8Array | string | JsonValue,
  options: VerifyManifestOptions,
  subject: string,
): Manifest | undefined {
  try {
    const exp = isCheckedManifest(expected)
      ? expected
      : parseManifest(expected, {
          what: 'manifest',
          ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
        });
    rb.pass('manifest.parse', subject, `the manifest is well-formed (${exp.items.length} items)`);
    return exp;
  } catch (e) {
    rb.failFrom('manifest.parse', subject, e);
    return undefined;
  }
}

/** Step 2: the manifest's digest against the attested one (`manifest.digest`); false on a mismatch. */
function checkExpectedDigest(
  rb: ReportBuilder,
  expectedDigest: string | undefined,
  digestText: string,
  subject: string,
): boolean {
  if (expectedDigest === undefined) {
    rb.skip(
      'manifest.digest',
      'OK',
      subject,
      'no expected digest was given: the manifest is trusted as the caller supplied it',
      { actual: digestText },
    );
    return true;
  }
  if (equalHex(expectedDigest.slice(7), digestText.slice(7))) {
    rb.pass('manifest.digest', subject, 'the manifest is the attested one', {
      expected: expectedDigest,
      actual: digestText,
    });
    return true;
  }
  rb.fail(
    'manifest.digest',
    'MANIFEST_DIGEST_MISMATCH',
    subject,
    `the manifest's digest ${shortDigest(digestText.slice(7))} is not the attested ${shortDigest(expectedDigest.slice(7))}`,
    {
      expected: expectedDigest,
      actual: digestText,
    },
  );
  return false;
}

/** Step 3: the actual manifest and its stat hints (`manifest.actual`); undefined when unreadable. */
function readActual(
  rb: ReportBuilder,
  actual: Manifest | HashedManifest,
  subject: string,
): { manifest: Manifest; hints: Readonly<Record<string, StatHint>> } | undefined {
  try {
    const given =
      (actual as HashedManifest)?.manifest !== undefined && !Array.isArray((actual as Manifest).items)
        ? (actual as HashedManifest)
        : { manifest: actual as Manifest };
    const act = isCheckedManifest(given.manifest) ? given.manifest : parseManifest(given.manifest, { what: 'actual' });
    rb.pass('manifest.actual', subject, `the files were hashed (${act.items.length} items)`);
    return { manifest: act, hints: given.hints ?? {} };
  } catch (e) {
    rb.failFrom('manifest.actual', subject, e);
    return undefined;
  }
}

/** Step 4: the same algorithms (`manifest.hashing`; false when not) and ignore list (`manifest.ignore`). */
function checkConfiguration(rb: ReportBuilder, exp: Manifest, act: Manifest, subject: string): boolean {
  if (!sameAlgorithms(exp, act)) {
    rb.fail(
      'manifest.hashing',
      'MANIFEST_HASHING_MISMATCH',
      subject,
      'the files were hashed with other algorithms than the manifest records',
      {
        expected: exp.hashing.algorithms.join(','),
        actual: act.hashing.algorithms.join(','),
      },
    );
    return false;
  }
  rb.pass('manifest.hashing', subject, `hashed with ${exp.hashing.algorithms.join(', ')}`, {
    expected: exp.hashing.algorithms.join(','),
    actual: act.hashing.algorithms.join(','),
  });
  const sameIgnore = exp.ignore.length === act.ignore.length && exp.ignore.every((p, i) => p === act.ignore[i]);
  if (sameIgnore)
    rb.pass('manifest.ignore', subject, `ignore list applied (${exp.ignore.length} patterns)`, {
      expected: JSON.stringify(exp.ignore),
      actual: JSON.stringify(act.ignore),
    });
  else
    rb.fail(
      'manifest.ignore',
      'MANIFEST_IGNORE_MISMATCH',
      subject,
      'the files were hashed with another ignore list than the manifest records',
      { expected: JSON.stringify(exp.ignore), actual: JSON.stringify(act.ignore) },
    );
  return true;
}

/** Step 5: with a subset, unknown asked paths fail, other items and extra files are skipped. */
function checkSubset(
  rb: ReportBuilder,
  exp: Manifest,
  paths: readonly string[] | undefined,
  subject: string,
): { subset: Set<string> | undefined; notChecked: string[] } {
  const notChecked: string[] = [];
  if (paths === undefined) return { subset: undefined, notChecked };
  const subset = new Set(paths);
  const known = new Set(exp.items.map((it) => it.path));
  for (const p of [...subset].sort(comparePaths)) {
    if (!known.has(p))
      rb.fail('manifest.subset', 'MANIFEST_SUBSET_PATH_UNKNOWN', p, 'asked to check a path the manifest does not list');
  }
  for (const it of exp.items) {
    if (!subset.has(it.path)) {
      notChecked.push(it.path);
      rb.skip('manifest.item', 'MANIFEST_ITEM_NOT_CHECKED', it.path, 'not checked: outside the requested subset', {
        expected: show(facts(it)),
      });
    }
  }
  rb.skip(
    'manifest.extra',
    'MANIFEST_EXTRA_NOT_CHECKED',
    subject,
    'subset verification: files the manifest does not list were not looked for',
  );
  return { subset, notChecked };
}

/** Step 6: one failed `manifest.item` per missing, extra or changed file; `manifest.items` when none. */
function checkItems(
  rb: ReportBuilder,
  exp: Manifest,
  act: Manifest,
  subset: Set<string> | undefined,
  subject: string,
): ManifestDiff {
  const diff = diffManifests(exp, act, subset === undefined ? {} : { subset });
  for (const m of diff.missing)
    rb.fail('manifest.item', 'MANIFEST_ITEM_MISSING', m.path, 'listed in the manifest but missing', {
      expected: show(m.expected),
    });
  for (const x of diff.extra)
    rb.fail('manifest.item', 'MANIFEST_ITEM_EXTRA', x.path, 'present but not listed in the manifest', {
      actual: show(x.actual),
    });
  for (const m of diff.mismatched) {
    if (m.reason === 'size')
      rb.fail(
        'manifest.item',
        'MANIFEST_ITEM_SIZE_MISMATCH',
        m.path,
        `size ${m.actual.size} bytes, expected ${m.expected.size}`,
        { expected: show(m.expected), actual: show(m.actual) },
      );
    else
      rb.fail(
        'manifest.item',
        'MANIFEST_ITEM_MISMATCH',
        m.path,
        `content differs: ${showShort(m.actual)}, expected ${showShort(m.expected)}`,
        { expected: show(m.expected), actual: show(m.actual) },
      );
  }
  const compared = diff.matched.length + diff.mismatched.length + diff.missing.length;
  if (diff.missing.length + diff.extra.length + diff.mismatched.length === 0) {
    rb.pass('manifest.items', subject, `${diff.matched.length} of ${compared} compared items match`, {
      expected: `${compared} items`,
      actual: `${diff.matched.length} matching`,
    });
  }
  return diff;
}

/** Step 7: the verified manifest, with the stat hints of the matched files that describe their bytes. */
function issueVerified(
  exp: Manifest,
  digestText: string,
  payloadDigest: string | null,
  diff: ManifestDiff,
  hints: Readonly<Record<string, StatHint>>,
): VerifiedManifest {
  const verifiedPaths = Object.freeze([...diff.matched]);
  const sizes = new Map(exp.items.map((it) => [it.path, it.size]));
  const h: Record<string, Readonly<StatHint>> = Object.create(null) as Record<string, Readonly<StatHint>>; // keyed by path: no prototype
  for (const p of verifiedPaths) {
    const s = Object.hasOwn(hints, p) ? hints[p] : undefined;
    // A hint is kept only when it describes the bytes that matched (same size).
    if (s && s.size === sizes.get(p))
      h[p] = Object.freeze({ size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs, ino: s.ino, dev: s.dev });
  }
  const verified = Object.freeze({
    manifest: exp,
    manifestDigest: digestText,
    payloadDigest,
    verifiedPaths,
    hints: Object.freeze(h),
  }) as VerifiedManifest;
  produced.add(verified);
  return verified;
}
