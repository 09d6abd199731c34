import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareTimestamps,
  formatTimestamp,
  isTimestamp,
  parseTimestamp,
  readNow,
  timestampProblem,
  WRITTEN_TIMESTAMP_PATTERN,
} from '../../src/time/index.js';
import { LineproofError } from '../../src/errors.js';
import { codeOf } from '../helpers/codes.js';

describe('parseTimestamp', () => {
  describe('when the text is a valid RFC 3339 date-time', () => {
    const cases: Array<[string, number, bigint]> = [
      ['2026-03-01T12:00:00Z', Date.UTC(2026, 2, 1, 12), 0n],
      ['2026-03-01T13:30:00+01:30', Date.UTC(2026, 2, 1, 12), 0n],
      ['2026-03-01T05:00:00-07:00', Date.UTC(2026, 2, 1, 12), 0n],
      ['2026-03-01T12:00:00-00:00', Date.UTC(2026, 2, 1, 12), 0n],
      ['2026-03-01T12:00:00.5Z', Date.UTC(2026, 2, 1, 12, 0, 0, 500), 500_000_000n],
      ['2026-03-01T12:00:00.123456789Z', Date.UTC(2026, 2, 1, 12, 0, 0, 123), 123_456_789n],
      ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29), 0n],
      ['2000-02-29T23:59:59Z', Date.UTC(2000, 1, 29, 23, 59, 59), 0n],
      ['1970-01-01T00:00:00Z', 0, 0n],
      ['1969-12-31T23:59:59.999999999Z', -1, 999_999_999n],
      ['0000-01-01T00:00:00Z', -62_167_219_200_000, 0n],
      ['9999-12-31T23:59:59Z', 253_402_300_799_000, 0n],
    ];
    it.each(cases)('%s', (text, ms, fracNanos) => {
      const t = parseTimestamp(text);
      expect(t.epochMillis).toBe(ms);
      const ns = t.epochNanos - BigInt(Math.floor(ms / 1000)) * 1_000_000_000n;
      expect(ns).toBe(fracNanos);
      expect(t.text).toBe(text);
    });
  });

  describe('when the text is not a valid timestamp', () => {
    const cases: Array<[string, string]> = [
      ['no offset', '2026-03-01T12:00:00'],
      ['no offset with fraction', '2026-03-01T12:00:00.5'],
      ['date only', '2026-03-01'],
      ['Feb 30', '2026-02-30T00:00:00Z'],
      ['Feb 29 in a common year', '2025-02-29T00:00:00Z'],
      ['Feb 29 in 1900 (not a leap year)', '1900-02-29T00:00:00Z'],
      ['April 31', '2026-04-31T00:00:00Z'],
      ['month 13', '2026-13-01T00:00:00Z'],
      ['month 00', '2026-00-01T00:00:00Z'],
      ['day 00', '2026-01-00T00:00:00Z'],
      ['hour 24', '2026-01-01T24:00:00Z'],
      ['minute 60', '2026-01-01T00:60:00Z'],
      ['leap second', '2016-12-31T23:59:60Z'],
      ['10 fraction digits', '2026-01-01T00:00:00.1234567890Z'],
      ['empty fraction', '2026-01-01T00:00:00.Z'],
      ['offset hour 24', '2026-01-01T00:00:00+24:00'],
      ['offset minute 60', '2026-01-01T00:00:00+01:60'],
      ['offset without colon', '2026-01-01T00:00:00+0100'],
      ['lower-case t', '2026-01-01t00:00:00Z'],
      ['lower-case z', '2026-01-01T00:00:00z'],
      ['space separator', '2026-01-01 00:00:00Z'],
      ['five-digit year', '12026-01-01T00:00:00Z'],
      ['short fields', '2026-1-1T0:0:0Z'],
      ['trailing text', '2026-01-01T00:00:00Z '],
      ['leading text', ' 2026-01-01T00:00:00Z'],
      ['non-ASCII digits', '２０２６-01-01T00:00:00Z'],
      ['empty', ''],
    ];
    it.each(cases)('%s: TIME_INVALID', (_name, text) => {
      expect(codeOf(() => parseTimestamp(text, 'issuedAt'))).toBe('TIME_INVALID');
      expect(isTimestamp(text)).toBe(false);
      expect(typeof timestampProblem(text)).toBe('string');
    });
    it('names the field and a reason', () => {
      try {
        parseTimestamp('2026-03-01T12:00:00', 'predicate.issuedAt');
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(LineproofError);
        expect((e as LineproofError).path).toBe('predicate.issuedAt');
      }
    });
    it('refuses non-strings without throwing a TypeError', () => {
      expect(codeOf(() => parseTimestamp(1 as unknown as string))).toBe('TIME_INVALID');
      expect(isTimestamp(null)).toBe(false);
    });
  });

  it('agrees with Date for every instant Date can represent in 0000-9999 (property)', () => {
    const min = Date.UTC(2000, 0, 1) - 2000 * 365.2425 * 86_400_000;
    fc.assert(
      fc.property(
        fc.integer({ min: Math.ceil(min), max: 253_402_300_799_999 }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        (ms, offsetMin) => {
          const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ for years 0000-9999
          expect(parseTimestamp(iso).epochMillis).toBe(ms);
          // the same instant written with an offset
          const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 23);
          if (!/^\d{4}-/.test(local)) return; // the local date left 0000-9999
          const sign = offsetMin < 0 ? '-' : '+';
          const a = Math.abs(offsetMin);
          const text = `${local}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
          expect(parseTimestamp(text).epochMillis).toBe(ms);
          expect(compareTimestamps(text, iso)).toBe(0);
        },
      ),
    );
  });
});

describe('formatTimestamp', () => {
  it('writes YYYY-MM-DDTHH:MM:SSZ, dropping sub-seconds toward the past by default', () => {
    expect(formatTimestamp(new Date('2026-03-01T12:00:00.900Z'))).toBe('2026-03-01T12:00:00Z');
    expect(formatTimestamp(Date.UTC(2026, 2, 1, 12, 0, 0, 900), 'up')).toBe('2026-03-01T12:00:01Z');
    expect(formatTimestamp(Date.UTC(2026, 2, 1, 12), 'up')).toBe('2026-03-01T12:00:00Z');
    expect(formatTimestamp(-1)).toBe('1969-12-31T23:59:59Z');
    expect(formatTimestamp(-62_167_219_200_000)).toBe('0000-01-01T00:00:00Z');
    expect(formatTimestamp(new Date('0050-06-15T01:02:03.000Z'))).toBe('0050-06-15T01:02:03Z');
  });
  it('refuses what it cannot write', () => {
    expect(codeOf(() => formatTimestamp(new Date(Number.NaN)))).toBe('RangeError');
    expect(codeOf(() => formatTimestamp(Number.POSITIVE_INFINITY))).toBe('RangeError');
    expect(codeOf(() => formatTimestamp(253_402_300_800_000))).toBe('RangeError');
    expect(codeOf(() => formatTimestamp(-62_167_219_200_001))).toBe('RangeError');
  });
  it('round-trips through parseTimestamp (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
        const text = formatTimestamp(ms);
        expect(text).toMatch(WRITTEN_TIMESTAMP_PATTERN);
        expect(parseTimestamp(text).epochMillis).toBe(Math.floor(ms / 1000) * 1000);
      }),
    );
  });
});

describe('compareTimestamps', () => {
  it('orders exactly, past milliseconds and across offsets', () => {
    expect(compareTimestamps('2026-01-01T00:00:00.000000001Z', '2026-01-01T00:00:00Z')).toBe(1);
    expect(compareTimestamps('2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000000001Z')).toBe(-1);
    expect(compareTimestamps('2026-01-01T01:00:00+01:00', parseTimestamp('2026-01-01T00:00:00Z'))).toBe(0);
    expect(compareTimestamps('2025-12-31T23:30:00-01:00', '2026-01-01T00:00:00Z')).toBe(1);
  });
  it('throws TIME_INVALID for a text that is not a timestamp', () => {
    expect(codeOf(() => compareTimestamps('yesterday', '2026-01-01T00:00:00Z'))).toBe('TIME_INVALID');
  });
});

describe('readNow', () => {
  it('reads a Date or a function, and refuses anything else', () => {
    expect(readNow(new Date(5))).toBe(5);
    expect(readNow(() => new Date(7))).toBe(7);
    expect(codeOf(() => readNow(undefined as unknown as Date))).toBe('TypeError');
    expect(codeOf(() => readNow((() => 5) as unknown as () => Date))).toBe('TypeError');
    expect(codeOf(() => readNow(new Date(Number.NaN)))).toBe('RangeError');
  });
});
