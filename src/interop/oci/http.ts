/**
 * The HTTP header grammar a registry client reads (spec/oci.md §4), as pure functions over text:
 * `WWW-Authenticate` challenges (RFC 9110 §11.6.1, the Bearer parameters of the Docker token
 * protocol), `Link` (RFC 8288, `rel="next"` pagination) and media types without parameters.
 * @module
 */

/** One authentication challenge: its scheme (lowercased) and parameters (names lowercased). */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const MAX_HEADER = 8192;

/** Read a token or quoted-string at `i`; returns the value and the next index, or undefined. */
function readValue(text: string, i: number): { value: string; next: number } | undefined {
  if (text[i] === '"') {
    let out = '';
    for (let j = i + 1; j < text.length; j++) {
      const c = text[j]!;
      if (c === '\\') {
        if (j + 1 >= text.length) return undefined;
        out += text[++j];
      } else if (c === '"') return { value: out, next: j + 1 };
      else out += c;
    }
    return undefined;
  }
  TOKEN.lastIndex = i;
  const m = TOKEN.exec(text);
  return m ? { value: m[0], next: i + m[0].length } : undefined;
}

const skipSpace = (text: string, i: number) => {
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
};

/**
 * Parse a `WWW-Authenticate` header into its challenges. Malformed text ends the parse; what was
 * read before is kept (an attacker's header can cost at most its bounded length).
 * @param header the header value
 * @returns the challenges, in order
 * @example
 * ```ts
 * parseWwwAuthenticate('Bearer realm="https://auth.example.com/token",service="registry"');
 * // [{ scheme: 'bearer', params: { realm: 'https://auth.example.com/token', service: 'registry' } }]
 * ```
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const text = header.slice(0, MAX_HEADER);
  const out: AuthChallenge[] = [];
  let i = 0;
  let current: AuthChallenge | undefined;
  while (i < text.length) {
    i = skipSpace(text, i);
    if (text[i] === ',') {
      i++;
      continue;
    }
    TOKEN.lastIndex = i;
    const name = TOKEN.exec(text);
    if (!name) break;
    const j = skipSpace(text, i + name[0].length);
    if (text[j] === '=' && current) {
      const v = readValue(text, skipSpace(text, j + 1));
      if (!v) break;
      const key = name[0].toLowerCase();
      if (key !== '__proto__') current.params[key] = v.value;
      i = v.next;
      continue;
    }
    current = { scheme: name[0].toLowerCase(), params: Object.create(null) as Record<string, string> };
    out.push(current);
    i = j;
  }
  return out;
}

/**
 * The target of the `rel="next"` link of a `Link` header (RFC 8288), as written (relative or
 * absolute); undefined when there is none.
 * @param header the header value
 * @returns the URI reference between `<` and `>`
 * @example
 * ```ts
 * parseLinkNext('</v2/m/referrers/sha256:ab?n=2&last=x>; rel="next"'); // '/v2/m/referrers/sha256:ab?n=2&last=x'
 * ```
 */
export function parseLinkNext(header: string): string | undefined {
  const text = header.slice(0, MAX_HEADER);
  const re = /<([^>]*)>((?:\s*;\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=\s*(?:"[^"]*"|[^;,\s]*))*)/g;
  for (const m of text.matchAll(re)) {
    for (const p of m[2]!.matchAll(/;\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(?:"([^"]*)"|([^;,\s]*))/g)) {
      if (p[1]!.toLowerCase() !== 'rel') continue;
      const rels = (p[2] ?? p[3] ?? '').toLowerCase().split(/\s+/);
      if (rels.includes('next')) return m[1]!;
    }
  }
  return undefined;
}

/** A Content-Type without its parameters, lowercased; undefined when absent. */
export function mediaTypeOf(contentType: string | null | undefined): string | undefined {
  if (contentType === null || contentType === undefined) return undefined;
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  return t === '' ? undefined : t;
}
