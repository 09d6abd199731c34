import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromUtf8, toHex, utf8 } from '../../src/bytes/index.js';
import { isLineproofError } from '../../src/errors.js';
import { assertAsciiPayloadType, pae } from '../../src/dsse/pae.js';

describe('PAE', () => {
  it('matches the DSSE protocol example', () => {
    expect(fromUtf8(pae('http://example.com/HelloWorld', utf8('hello world')))).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });
  it('matches the worked byte example of spec/envelopes.md', () => {
    // payloadType "a/b", payload "é\n" (UTF-8 c3 a9 0a: 3 bytes, 2 characters)
    expect(toHex(pae('a/b', utf8('é\n')))).toBe(
      '445353457631' + '20' + '33' + '20' + '612f62' + '20' + '33' + '20' + 'c3a90a',
    );
  });
  it('counts payload length in bytes, not characters (sigstore-js once did not)', () => {
    const payload = utf8('😀 ü');
    expect(payload.length).toBe(7);
    expect(fromUtf8(pae('t', payload))).toBe('DSSEv1 1 t 7 😀 ü');
  });
  it('handles the empty payload and empty type', () => {
    expect(fromUtf8(pae('', new Uint8Array()))).toBe('DSSEv1 0  0 ');
  });
  it('refuses a non-ASCII payloadType with DSSE_PAYLOAD_TYPE_NOT_ASCII', () => {
    for (const t of ['application/vnd.in-toto+jsön', 'ü', 'a\u0080', '😀']) {
      try {
        pae(t, new Uint8Array());
        expect.unreachable();
      } catch (e) {
        expect(isLineproofError(e, 'DSSE_PAYLOAD_TYPE_NOT_ASCII')).toBe(true);
      }
    }
  });
  it('is "DSSEv1 " len SP type SP len SP body for any ASCII type and bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)) }),
        fc.uint8Array({ maxLength: 300 }),
        (type, body) => {
          const out = pae(type, body);
          const head = utf8(`DSSEv1 ${type.length} ${type} ${body.length} `);
          expect(toHex(out.subarray(0, head.length))).toBe(toHex(head));
          expect(toHex(out.subarray(head.length))).toBe(toHex(body));
        },
      ),
    );
  });
  it('names the payloadType in a non-ASCII failure (path, expected ASCII)', () => {
    try {
      pae('ü', new Uint8Array());
      expect.unreachable();
    } catch (e) {
      expect(isLineproofError(e) && [e.code, e.path, e.expected]).toEqual([
        'DSSE_PAYLOAD_TYPE_NOT_ASCII',
        'payloadType',
        'ASCII',
      ]);
    }
  });
  it('throws TypeError on misuse', () => {
    expect(() => pae(1 as never, new Uint8Array())).toThrow(TypeError);
    expect(() => pae('t', 'x' as never)).toThrow(TypeError);
  });
});

describe('assertAsciiPayloadType', () => {
  it('accepts any ASCII string, the empty one included', () => {
    for (const t of ['', 'application/vnd.in-toto+json', '\u0000\u007f'])
      expect(() => assertAsciiPayloadType(t)).not.toThrow();
  });
  it('throws TypeError for anything but a string, even one whose text would be ASCII', () => {
    for (const v of [1, null, undefined, ['a'], { toString: () => 'a' }, utf8('a')])
      expect(() => assertAsciiPayloadType(v), String(v)).toThrow(TypeError);
  });
  it('refuses a non-ASCII string with DSSE_PAYLOAD_TYPE_NOT_ASCII at the path given (default payloadType)', () => {
    const at = (what?: string) => {
      try {
        if (what === undefined) assertAsciiPayloadType('tëxt');
        else assertAsciiPayloadType('tëxt', what);
      } catch (e) {
        return isLineproofError(e) ? [e.code, e.path, e.expected] : [(e as Error).name];
      }
      return ['no error'];
    };
    expect(at()).toEqual(['DSSE_PAYLOAD_TYPE_NOT_ASCII', 'payloadType', 'ASCII']);
    expect(at('options.payloadType')).toEqual(['DSSE_PAYLOAD_TYPE_NOT_ASCII', 'options.payloadType', 'ASCII']);
  });
});
