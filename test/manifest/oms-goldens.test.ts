/**
 * OpenSSF model signing goldens (fixtures/model-signing/goldens, from
 * github.com/sigstore/model-transparency at commit e343073). The golden models are recreated here
 * as upstream's test fixtures describe them; `file/` and `file_shard/` goldens must match byte for
 * byte, `payload/` goldens (printed by protobuf) as parsed JSON.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashOmsModel } from '../../src/node/index.js';
import {
  hashOmsEntries,
  omsManifestText,
  omsSerialization,
  omsStatement,
  parseOmsStatement,
  type OmsEntry,
  type OmsMethod,
} from '../../src/index.js';
import { utf8 } from '../../src/bytes/index.js';
import { listFixtures, readFixtureText } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

/** Each golden model: its name in the goldens, the directory name upstream used (the subject name), its files. */
interface GoldenModel {
  golden: string;
  dirName: string;
  /** Relative path → content; '' for a single-file model. `null` content = an empty directory model. */
  files: Record<string, string> | null;
  symlinks?: Record<string, string>;
}

const sampleFolder: Record<string, string> = {};
for (let i = 0; i < 2; i++)
  for (let j = 0; j < 3; j++) sampleFolder[`d${i}/f${i}${j}`] = `This is file f${i}${j} in d${i}.`;
for (let i = 0; i < 4; i++) sampleFolder[`f${i}`] = `This is file f${i} in root.`;
const deepFolder: Record<string, string> = {};
for (let i = 0; i < 4; i++) deepFolder[`d0/d1/d2/d3/d4/f${i}`] = `This is file f${i}.`;

const MODELS: GoldenModel[] = [
  { golden: 'sample_model_file', dirName: 'file_model', files: { '': 'This is a simple model' } },
  { golden: 'empty_model_file', dirName: 'empty_file_model', files: { '': '' } },
  { golden: 'empty_model_folder', dirName: 'empty_folder_model', files: null },
  { golden: 'model_folder_with_empty_file', dirName: 'empty_file_inside_model', files: { empty_file: '' } },
  { golden: 'sample_model_folder', dirName: 'sample_model', files: sampleFolder },
  { golden: 'deep_model_folder', dirName: 'deep_model', files: deepFolder },
  {
    golden: 'symlink_model_folder',
    dirName: 'symlink_model',
    files: {},
    symlinks: { symlink_file: 'This is a simple model' },
  },
];

function materialize(base: string, m: GoldenModel): string {
  const root = join(base, m.dirName);
  if (m.files === null) {
    mkdirSync(root);
    return root;
  }
  if (Object.hasOwn(m.files, '')) {
    writeFileSync(root, m.files['']!);
    return root;
  }
  mkdirSync(root);
  for (const [rel, text] of Object.entries(m.files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  for (const [rel, text] of Object.entries(m.symlinks ?? {})) {
    // The target lives outside the model, as in upstream's fixture.
    const outside = join(base, `outside-${rel}`);
    writeFileSync(outside, text);
    symlinkSync(outside, join(root, rel));
  }
  return root;
}

function entriesOf(m: GoldenModel): OmsEntry[] {
  if (m.files === null) return [];
  const all = { ...m.files, ...(m.symlinks ?? {}) };
  return Object.entries(all).map(([rel, text]) => ({
    path: rel === '' ? '.' : rel,
    size: utf8(text).length,
    source: utf8(text),
  }));
}

const VARIANTS: { suffix: string; method: OmsMethod; shardSize?: number; textDir: 'file' | 'file_shard' }[] = [
  { suffix: '', method: 'files', textDir: 'file' },
  { suffix: '_shard', method: 'shards', shardSize: 1_000_000_000, textDir: 'file_shard' },
  { suffix: '_small_shards', method: 'shards', shardSize: 8, textDir: 'file_shard' },
];

function textGoldenName(m: GoldenModel, v: (typeof VARIANTS)[number]): string {
  // file/NAME, file_shard/NAME (default shard size), file_shard/NAME_small_shards
  return v.suffix === '_small_shards' ? `${m.golden}_small_shards` : m.golden;
}

describe('model_signing goldens', () => {
  it('covers every golden file in fixtures', () => {
    const expected = new Set<string>();
    for (const m of MODELS) {
      for (const v of VARIANTS) {
        expected.add(`payload/${m.golden}${v.suffix}`);
        expected.add(`${v.textDir}/${textGoldenName(m, v)}`);
      }
    }
    const present = ['file', 'file_shard', 'payload'].flatMap((d) =>
      listFixtures('model-signing', 'goldens', d).map((n) => `${d}/${n}`),
    );
    expect(new Set(present)).toEqual(expected);
  });

  for (const m of MODELS) {
    describe(`when the model is ${m.golden}`, () => {
      for (const v of VARIANTS) {
        const label = `${v.method}${v.shardSize ? ` (shard size ${v.shardSize})` : ''}`;

        it(`reproduces the ${label} manifest and payload from files on disk`, async () => {
          const root = materialize(tempDir(), m);
          const hashed = await hashOmsModel(root, {
            method: v.method,
            ...(v.shardSize ? { shardSize: v.shardSize } : {}),
            allowSymlinks: true,
          });
          expect(omsManifestText(hashed.manifest)).toBe(
            readFixtureText('model-signing', 'goldens', v.textDir, textGoldenName(m, v)),
          );
          const payload = JSON.parse(
            readFixtureText('model-signing', 'goldens', 'payload', `${m.golden}${v.suffix}`),
          ) as unknown;
          expect(omsStatement(hashed.manifest)).toEqual(payload);
          expect(hashed.digest).toBe(
            `sha256:${(payload as { subject: { digest: { sha256: string } }[] }).subject[0]!.digest.sha256}`,
          );
        });

        it(`reproduces the ${label} payload in the pure core from byte sources`, async () => {
          const ser = omsSerialization({
            method: v.method,
            ...(v.shardSize ? { shardSize: v.shardSize } : {}),
            allowSymlinks: true,
          });
          const manifest = await hashOmsEntries(entriesOf(m), ser, { modelName: m.dirName });
          const payload = JSON.parse(
            readFixtureText('model-signing', 'goldens', 'payload', `${m.golden}${v.suffix}`),
          ) as unknown;
          expect(omsStatement(manifest)).toEqual(payload);
        });

        it(`reads the ${label} payload golden back to the same manifest`, async () => {
          const text = readFixtureText('model-signing', 'goldens', 'payload', `${m.golden}${v.suffix}`);
          const parsed = parseOmsStatement(text);
          expect(omsManifestText(parsed)).toBe(
            readFixtureText('model-signing', 'goldens', v.textDir, textGoldenName(m, v)),
          );
          expect(omsStatement(parsed)).toEqual(JSON.parse(text));
        });
      }
    });
  }
});
