/**
 * Limits on untrusted input (decisions §11). Every limit hit is a coded failure, never a crash or a
 * hang. Each limit has a default and bounds within which a caller may configure it.
 */

/** The configurable limits. */
export interface Limits {
  /** Deepest JSON nesting. */
  jsonDepth: number;
  /** Largest envelope (or other signed JSON document), in bytes. */
  envelopeBytes: number;
  /** Most signatures in one envelope. */
  signaturesPerEnvelope: number;
  /** Most envelopes in one bundle. */
  envelopesPerBundle: number;
  /** Longest chain of references followed. */
  referenceDepth: number;
  /** Deepest base-model (fine-tune) nesting. */
  baseModelDepth: number;
  /** Largest manifest inlined in a predicate, in bytes (larger ones go to a sidecar). */
  inlineManifestBytes: number;
  /** Most items in one manifest. */
  manifestItems: number;
  /**
   * Most (signature, key) checks one verification spends on signatures that no trusted key
   * verifies (decisions §14): the work an attacker's bytes can cause. Past it verification fails
   * closed (VERIFY_BUDGET_EXCEEDED).
   */
  untrustedSignatureChecks: number;
}

/** The defaults of decisions §11. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  jsonDepth: 64,
  envelopeBytes: 16 * 1024 * 1024,
  signaturesPerEnvelope: 16,
  envelopesPerBundle: 100_000,
  referenceDepth: 64,
  baseModelDepth: 8,
  inlineManifestBytes: 1024 * 1024,
  manifestItems: 10_000_000,
  untrustedSignatureChecks: 8192,
});

/** Inclusive bounds each limit may be configured within. */
export const LIMIT_BOUNDS: Readonly<Record<keyof Limits, readonly [number, number]>> = Object.freeze({
  jsonDepth: [1, 512],
  envelopeBytes: [1024, 1024 * 1024 * 1024],
  signaturesPerEnvelope: [1, 256],
  envelopesPerBundle: [1, 10_000_000],
  referenceDepth: [1, 1024],
  baseModelDepth: [0, 64],
  inlineManifestBytes: [0, 64 * 1024 * 1024],
  manifestItems: [1, 100_000_000],
  untrustedSignatureChecks: [0, 100_000_000],
});

/**
 * Merge caller overrides into the defaults.
 * @throws {TypeError} an unknown limit name or a non-integer value
 * @throws {RangeError} a value outside {@link LIMIT_BOUNDS}
 */
export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  // a result of this function passed on again (per envelope of a bundle) is checked already
  if (RESOLVED.has(overrides)) return overrides as Limits;
  const out: Limits = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in LIMIT_BOUNDS)) throw new TypeError(`"limits.${name}" is not a known limit`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw new TypeError(`"limits.${name}" expected integer, got ${String(value)}`);
    const [lo, hi] = LIMIT_BOUNDS[name as keyof Limits];
    if (value < lo || value > hi) throw new RangeError(`"limits.${name}" expected ${lo}..${hi}, got ${value}`);
    out[name as keyof Limits] = value;
  }
  Object.freeze(out);
  RESOLVED.add(out);
  return out;
}

/** Limits objects {@link resolveLimits} made (frozen, so they stay checked). */
const RESOLVED = new WeakSet<object>();
