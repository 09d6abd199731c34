/**
 * Timestamps (decisions §7): RFC 3339 date-times, parsed without `Date.parse` and without a clock.
 *
 * Written form: `YYYY-MM-DDTHH:MM:SSZ` (whole seconds, UTC). Read form: RFC 3339 `date-time` with
 * `Z` or a numeric offset and at most 9 fraction digits. `Date.parse` is not used because it
 * accepts forms RFC 3339 does not (no offset: local time; `2026-02-30` rolled over to March; years
 * 0-99 mapped to 1900-1999) and loses everything past milliseconds.
 *
 * Rules applied when reading, each failing with `TIME_INVALID` naming the input and the reason:
 * 1. Shape `YYYY-MM-DDTHH:MM:SS[.F{1,9}](Z|+HH:MM|-HH:MM)`, upper-case `T` and `Z` only (RFC 3339
 *    permits lower case and some writers a space; one spelling per instant is enough).
 * 2. A real Gregorian calendar date: month 01-12, day within the month (Feb 29 only in leap
 *    years), hour 00-23, minute and second 00-59. Leap seconds (`:60`) are refused: no clock we
 *    compare against can represent them.
 * 3. Offset hours 00-23 and minutes 00-59; `-00:00` (RFC 3339 "unknown local offset") reads as UTC.
 * Instants are compared exactly, in nanoseconds since the Unix epoch (a `bigint`).
 * @module
 */
import { LineproofError } from '../errors.js';

/** A parsed timestamp. */
export interface Instant {
  /** The text as read. */
  readonly text: string;
  /** Nanoseconds since 1970-01-01T00:00:00Z (negative before). Exact. */
  readonly epochNanos: bigint;
  /** Milliseconds since the epoch, rounded down (toward the past). */
  readonly epochMillis: number;
}

/** The shape of RFC 3339 `date-time` as read (rule 1); calendar validity is checked separately. */
export const TIMESTAMP_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/** The shape of the written form `YYYY-MM-DDTHH:MM:SSZ`. */
export const WRITTEN_TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const NANOS_PER_SECOND = 1_000_000_000n;
const NANOS_PER_MILLI = 1_000_000n;
// Smallest and largest epoch milliseconds whose UTC date has a four-digit year (0000..9999).
const MIN_WRITABLE_MS = daysFromCivil(0, 1, 1) * 86_400_000;
const MAX_WRITABLE_MS = daysFromCivil(10_000, 1, 1) * 86_400_000 - 1;

/** True for a Gregorian leap year. */
function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days in month `m` (1-12) of year `y`. */
function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function invalid(text: unknown, what: string, why: string): never {
  const shown =
    typeof text === 'string' ? JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text) : typeof text;
  throw new LineproofError('TIME_INVALID', `${what}: ${why}, got ${shown}`, {
    path: what,
    expected: 'RFC 3339 date-time such as 2026-01-31T12:00:00Z',
    actual: typeof text === 'string' ? text.slice(0, 64) : typeof text,
  });
}

/**
 * Why `text` is not a readable timestamp, or undefined when it is. Never throws.
 * @param text the candidate timestamp
 */
export function timestampProblem(text: unknown): string | undefined {
  if (typeof text !== 'string') return 'expected a string';
  const m = TIMESTAMP_PATTERN.exec(text);
  if (!m) {
    if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?$/.test(text))
      return 'missing time zone: add Z or an offset such as +02:00';
    if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}\.\d{10,}/.test(text)) return 'more than 9 fraction digits';
    if (/^\d{4}-\d{2}-\d{2}[t ]|z$/.test(text)) return 'expected upper-case T between date and time and upper-case Z';
    return 'not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM))';
  }
  const [, ys, mos, ds, hs, mis, ss, , , , ohs, oms] = m;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  if (mo < 1 || mo > 12) return `month ${mos} out of range 01-12`;
  if (d < 1 || d > daysInMonth(y, mo)) return `day ${ds} does not exist in ${ys}-${mos}`;
  if (Number(hs) > 23) return `hour ${hs} out of range 00-23`;
  if (Number(mis) > 59) return `minute ${mis} out of range 00-59`;
  if (Number(ss) === 60) return 'leap second :60 is not supported';
  if (Number(ss) > 59) return `second ${ss} out of range 00-59`;
  if (ohs !== undefined && (Number(ohs) > 23 || Number(oms) > 59)) return `offset ${ohs}:${oms} out of range`;
  return undefined;
}

/** True when `text` is a readable RFC 3339 timestamp (see the module rules). */
export function isTimestamp(text: unknown): text is string {
  return timestampProblem(text) === undefined;
}

/**
 * Parse an RFC 3339 timestamp exactly (module rules 1-3).
 * @param text e.g. `2026-03-01T12:00:00Z`, `2026-03-01T13:00:00.123456789+01:00`
 * @param what names the field in errors, e.g. `predicate.issuedAt`
 * @returns the instant, exact to the nanosecond
 * @throws {LineproofError} TIME_INVALID naming `what` and the reason
 * @example
 * ```ts
 * parseTimestamp('2026-03-01T13:00:00+01:00').epochMillis === Date.UTC(2026, 2, 1, 12); // true
 * ```
 */
export function parseTimestamp(text: string, what = 'timestamp'): Instant {
  const problem = timestampProblem(text);
  if (problem !== undefined) invalid(text, what, problem);
  const m = TIMESTAMP_PATTERN.exec(text)!;
  const [, ys, mos, ds, hs, mis, ss, frac, z, sign, ohs, oms] = m;
  const days = daysFromCivil(Number(ys), Number(mos), Number(ds));
  let seconds = days * 86_400 + Number(hs) * 3600 + Number(mis) * 60 + Number(ss);
  if (z === undefined) {
    const offset = Number(ohs) * 3600 + Number(oms) * 60;
    seconds += sign === '+' ? -offset : offset; // local = UTC + offset
  }
  const nanos = frac === undefined ? 0n : BigInt(frac.padEnd(9, '0'));
  const epochNanos = BigInt(seconds) * NANOS_PER_SECOND + nanos;
  return { text, epochNanos, epochMillis: floorMillis(epochNanos) };
}

function floorMillis(ns: bigint): number {
  const q = ns / NANOS_PER_MILLI;
  return Number(ns < 0n && q * NANOS_PER_MILLI !== ns ? q - 1n : q);
}

/** How {@link formatTimestamp} drops sub-second precision. */
export type Rounding = 'down' | 'up';

/**
 * Write an instant in the written form `YYYY-MM-DDTHH:MM:SSZ` (decisions §7).
 * @param at a Date or epoch milliseconds
 * @param rounding drop sub-seconds toward the past (`down`, default) or the future (`up`) — e.g.
 *   a validity window's start is rounded up and its end down, so rounding never widens it
 * @returns the timestamp text
 * @throws {RangeError} an invalid Date, a non-finite number, or a year outside 0000-9999
 * @example
 * ```ts
 * formatTimestamp(new Date('2026-03-01T12:00:00.900Z')); // '2026-03-01T12:00:00Z'
 * formatTimestamp(Date.UTC(2026, 2, 1, 12, 0, 0, 900), 'up'); // '2026-03-01T12:00:01Z'
 * ```
 */
export function formatTimestamp(at: Date | number, rounding: Rounding = 'down'): string {
  const ms = at instanceof Date ? at.getTime() : at;
  if (typeof ms !== 'number' || !Number.isFinite(ms))
    throw new RangeError(`"at" expected a valid Date or finite epoch milliseconds, got ${String(ms)}`);
  const secs = rounding === 'up' ? Math.ceil(ms / 1000) : Math.floor(ms / 1000);
  const whole = secs * 1000;
  if (whole < MIN_WRITABLE_MS || whole > MAX_WRITABLE_MS)
    throw new RangeError(`"at" expected a time in the years 0000-9999, got epoch milliseconds ${ms}`);
  const d = new Date(whole);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}Z`;
}

/**
 * Compare two timestamps exactly (nanoseconds), whatever their offsets and fraction digits.
 * @param a a timestamp text or a parsed instant
 * @param b a timestamp text or a parsed instant
 * @returns -1 when a is earlier, 0 when equal, 1 when later
 * @throws {LineproofError} TIME_INVALID when a text is not a timestamp
 * @example
 * ```ts
 * compareTimestamps('2026-03-01T13:00:00+01:00', '2026-03-01T12:00:00Z'); // 0
 * ```
 */
export function compareTimestamps(a: string | Instant, b: string | Instant): -1 | 0 | 1 {
  const x = typeof a === 'string' ? parseTimestamp(a, 'a').epochNanos : a.epochNanos;
  const y = typeof b === 'string' ? parseTimestamp(b, 'b').epochNanos : b.epochNanos;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** An injected clock: a fixed Date or a function returning one. The core never reads a clock. */
export type Now = Date | (() => Date);

/**
 * Read an injected clock once.
 * @param now a Date or a function returning one
 * @returns epoch milliseconds
 * @throws {TypeError} `now` is missing or not a Date / function; {RangeError} an invalid Date
 * @example
 * ```ts
 * readNow(() => new Date('2026-01-01T00:00:00Z')); // 1767225600000
 * ```
 */
export function readNow(now: Now): number {
  const value: unknown = typeof now === 'function' ? now() : now;
  if (!(value instanceof Date))
    throw new TypeError(
      `"now" expected a Date or a function returning a Date (the core never reads a clock), got ${value === null ? 'null' : typeof value}`,
    );
  const ms = value.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('"now" is an invalid Date');
  return ms;
}
