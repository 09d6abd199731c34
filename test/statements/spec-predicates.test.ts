/**
 * spec/predicates.md and spec/schemas/ are generated from the code, so the spec cannot drift:
 * the JSON Schemas come from the zod schemas, and every example in the markdown is what the builders
 * produce (test/helpers/lifecycle.ts). UPDATE_GOLDENS=1 rewrites them after a reviewed change.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromUtf8 } from '../../src/bytes/index.js';
import { sha256Hex } from '../../src/digest/index.js';
import {
  parseAttestationPayload,
  predicateJsonSchema,
  PREDICATE_SCHEMA_VERSIONS,
} from '../../src/statements/predicates/index.js';
import { buildExampleChain, type ExampleStep } from '../helpers/lifecycle.js';
import { repoPath } from '../helpers/fixtures.js';

const UPDATE = process.env.UPDATE_GOLDENS === '1';

describe('spec/schemas/*.schema.json', () => {
  it.each(PREDICATE_SCHEMA_VERSIONS.map(([s, v]) => [s, v]))(
    '%s %s is the schema generated from the code (UPDATE_GOLDENS=1 rewrites it)',
    (stage, version) => {
      const dir = repoPath('spec', 'schemas');
      const path = repoPath('spec', 'schemas', `${stage}.${version}.schema.json`);
      const generated = `${JSON.stringify(predicateJsonSchema(stage, version), null, 2)}\n`;
      if (UPDATE) {
        if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
        writeFileSync(path, generated);
      }
      expect(readFileSync(path, 'utf8')).toBe(generated);
    },
  );
});

const chain = buildExampleChain();
const steps: ExampleStep[] = Object.values(chain);
const stepByDigest = new Map(steps.map((s) => [`sha256:${sha256Hex(s.payload)}`, s]));

function jsonBlock(value: unknown): string {
  return ['```json', JSON.stringify(value, null, 2), '```'].join('\n');
}

/** The generated regions of spec/predicates.md, by name. */
function regions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of steps) out[`example:${s.id}`] = jsonBlock(s.statement);
  const rows = steps.map((s) => {
    const a = parseAttestationPayload(s.payload);
    return `| \`${s.id}\` | ${a.stage} | ${a.attester.id} | ${a.issuedAt} | ${s.payload.length} | \`${a.payloadDigest}\` |`;
  });
  out['chain:payloads'] = [
    '| step | stage | attester | issuedAt | payload bytes (JCS) | payload digest = sha256(payload bytes) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  const refs = steps.flatMap((s) =>
    parseAttestationPayload(s.payload).references.map((r) => {
      const target = stepByDigest.get(r.digest);
      return `| \`${s.id}\` | \`${r.path}\` | ${r.role} | ${r.stage ?? 'any'} | ${target ? `\`${target.id}\`` : '(not in the example)'} | \`${r.digest}\` |`;
    }),
  );
  out['chain:references'] = [
    "| statement | where | role | stage required | refers to | = sha256 of that step's payload bytes |",
    '| --- | --- | --- | --- | --- | --- |',
    ...refs,
  ].join('\n');
  const p = chain.promotion.payload;
  out['promotion:payload'] = [
    '```',
    fromUtf8(p),
    '```',
    '',
    `sha256 of these ${p.length} bytes (UTF-8, no trailing newline): \`${sha256Hex(p)}\`, so a statement refers to it as`,
    '',
    jsonBlock({ name: 'promotion', digest: { sha256: sha256Hex(p) }, mediaType: 'application/vnd.in-toto+json' }),
  ].join('\n');
  return out;
}

const REGION = /<!-- generated:([a-zA-Z:]+) begin -->\n[\s\S]*?<!-- generated:\1 end -->/g;

describe('spec/predicates.md', () => {
  it('shows exactly what the builders produce (UPDATE_GOLDENS=1 rewrites the generated regions)', () => {
    const path = repoPath('spec', 'predicates.md');
    const text = readFileSync(path, 'utf8');
    const want = regions();
    const seen = new Set<string>();
    const expected = text.replace(REGION, (_m, name: string) => {
      seen.add(name);
      const body = want[name];
      if (body === undefined) throw new Error(`spec/predicates.md has an unknown generated region ${name}`);
      return `<!-- generated:${name} begin -->\n${body}\n<!-- generated:${name} end -->`;
    });
    expect([...seen].sort()).toEqual(Object.keys(want).sort());
    if (UPDATE) writeFileSync(path, expected);
    expect(UPDATE ? readFileSync(path, 'utf8') : text).toBe(expected);
  });

  it('every JSON example in it is a valid statement of its stage', () => {
    const text = readFileSync(repoPath('spec', 'predicates.md'), 'utf8');
    for (const s of steps) {
      const m = new RegExp(`<!-- generated:example:${s.id} begin -->\\n\`\`\`json\\n([\\s\\S]*?)\\n\`\`\``).exec(text);
      expect(m, s.id).not.toBeNull();
      const value = JSON.parse(m![1]!);
      expect(value).toEqual(s.statement);
    }
  });
});
