/**
 * Memoized copies of pure key functions, for module mocks in the invariant harness
 * (test/verify/invariants.test.ts). Verification recomputes them for every trusted key and every
 * envelope (decisions §14 budget aside, that is most of a case's time); their results depend on the
 * public-key bytes and the format alone, so a cache changes no outcome. Thrown errors are not
 * cached. FUZZ_MEMO=0 leaves the module as it is.
 */
type Fn = (...args: any[]) => unknown;

const keyOf = (args: unknown[]): string | undefined => {
  const [pk, ...rest] = args;
  if (!(pk instanceof Uint8Array) || rest.some((r) => r !== undefined && typeof r !== 'string')) return undefined;
  return `${Buffer.from(pk.buffer, pk.byteOffset, pk.byteLength).toString('hex')}|${rest.join('|')}`;
};

/**
 * The module's exports with the named functions memoized on (bytes, string options).
 * @param orig the original module namespace
 * @param names functions to memoize (missing ones are skipped: the module may have changed)
 * @param copy copy a cached object result before returning it
 */
export function memoized(
  orig: Record<string, unknown>,
  names: readonly string[],
  copy = false,
): Record<string, unknown> {
  if (process.env.FUZZ_MEMO === '0') return orig;
  const out: Record<string, unknown> = { ...orig };
  for (const name of names) {
    const inner = orig[name];
    if (typeof inner !== 'function') continue;
    const cache = new Map<string, unknown>();
    out[name] = (...args: unknown[]) => {
      const id = keyOf(args);
      if (id === undefined) return (inner as Fn)(...args);
      if (!cache.has(id)) cache.set(id, (inner as Fn)(...args));
      const v = cache.get(id);
      return copy && v && typeof v === 'object' ? { ...v } : v;
    };
  }
  return out;
}
