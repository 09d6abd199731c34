/**
 * What a user gets: `npm pack` of the built package (npm test builds first; `--ignore-scripts`, so
 * packing does not rebuild dist/ under the other tests), checked file by file against what it
 * should hold, then installed into a temporary project without the network (consumer.ts says how)
 * where a consumer of `lineproof`, `lineproof/node` and `lineproof/inventory` type-checks with
 * the pinned TypeScript 5.9 and with TypeScript 7, runs, and the bin answers.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../helpers/fixtures.js';
import { installTarball, writeConsumer } from './consumer.js';

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string; size: number; mode: number }[];
}

/** Every file under `dir` (relative to the repository, POSIX separators). */
function filesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(repoPath(dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(repoPath(rel)).isDirectory()) filesUnder(rel, out);
    else out.push(rel);
  }
  return out;
}

/**
 * The tarball's files, as they should be: package.json's `files` list spelled out. dist/ holds
 * exactly one .js and one .d.ts per module of src/ (nothing stale, no source map, no browser
 * bundle) and the CLI's command table; spec/ and trust/ (the Sigstore trusted root the CLI and
 * `lineproof/node` load) whole; the three documents. A change to `files` or to what the build
 * emits shows here.
 */
function expectedFiles(): string[] {
  const modules = filesUnder('src')
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .flatMap((f) => [
      f.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js'),
      f.replace(/^src\//, 'dist/').replace(/\.ts$/, '.d.ts'),
    ]);
  return [
    ...modules,
    'dist/cli/commands/table.json',
    ...filesUnder('spec'),
    ...filesUnder('trust'),
    'CHANGELOG.md',
    'LICENSE',
    'README.md',
    'package.json',
  ].sort();
}

const R = repoPath('node_modules');
let tmp: string;
let project: string;
let packed: Packed;
let linked: string[];

/** Runs `file args` in the project; returns stdout, or throws with the output on a non-zero exit. */
function inProject(file: string, args: string[]): string {
  const PATH = [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);
  try {
    return execFileSync(file, args, { cwd: project, encoding: 'utf8', env: { ...process.env, PATH } });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed:\n${err.stdout ?? ''}${err.stderr ?? err.message}`, { cause: e });
  }
}

const tsc = (typescript: 'typescript' | 'typescript7', tsconfig: string): string =>
  inProject(process.execPath, [join(R, typescript, 'bin', 'tsc'), '-p', tsconfig]);

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'lineproof-pack-'));
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], {
    cwd: repoPath(),
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  packed = (JSON.parse(out) as Packed[])[0]!;
  project = join(tmp, 'project');
  mkdirSync(project);
  linked = installTarball(join(tmp, packed.filename), project);
  writeConsumer(project);
}, 60_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the tarball npm pack makes', () => {
  it('holds exactly the files package.json promises', () => {
    expect(packed.files.map((f) => f.path).sort()).toEqual(expectedFiles());
    expect(packed.entryCount).toBe(packed.files.length);
  });

  it('has no file a user should not get, and nothing large', () => {
    const stray =
      /^(src|test|fixtures|bench|examples|scripts|api|reports|test-artifacts|node_modules|\.ci)\/|\.map$|\.tsbuildinfo$/;
    expect(packed.files.filter((f) => stray.test(f.path))).toEqual([]);
    expect(packed.files.filter((f) => f.size > 256 << 10)).toEqual([]);
    expect(packed.unpackedSize).toBeLessThan(8 << 20);
  });

  it('ships no source maps: none emitted, no sourceMappingURL left pointing at a src/ it does not ship', () => {
    const dist = join(project, 'node_modules', 'lineproof', 'dist');
    const comments = packed.files
      .filter((f) => /^dist\/.*\.(js|d\.ts)$/.test(f.path))
      .filter((f) => readFileSync(join(dist, relative('dist', f.path)), 'utf8').includes('sourceMappingURL'));
    expect(comments).toEqual([]);
  });

  it('has the bin as an executable node script, and the LICENSE and CHANGELOG', () => {
    const pkg = join(project, 'node_modules', 'lineproof');
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(manifest.bin).toEqual({ lineproof: 'dist/cli/main.js' });
    expect(readFileSync(join(pkg, 'dist/cli/main.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(packed.files.find((f) => f.path === 'dist/cli/main.js')!.mode & 0o111).toBe(0o111);
    expect(readFileSync(join(pkg, 'LICENSE'), 'utf8')).toContain('Apache License');
    expect(readFileSync(join(pkg, 'CHANGELOG.md'), 'utf8')).toMatch(/^## \[0\.1\.0\]/m);
  });

  it('declares @types/node as an optional peer dependency for the Node types dist/node needs', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules/lineproof/package.json'), 'utf8')) as {
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    expect(manifest.peerDependencies).toEqual({ '@types/node': '>=20.19.0' });
    expect(manifest.peerDependenciesMeta).toEqual({ '@types/node': { optional: true } });
    const nodeIndex = readFileSync(join(project, 'node_modules/lineproof/dist/node/index.d.ts'), 'utf8');
    expect(nodeIndex.startsWith('/// <reference types="node" preserve="true" />\n')).toBe(true);
    expect(readFileSync(join(project, 'node_modules/lineproof/dist/index.d.ts'), 'utf8')).not.toContain(
      'reference types',
    );
    expect(linked).toContain('zod');
  });
});

describe('when installed in a project', () => {
  it('type-checks a consumer of the three entries with the pinned TypeScript 5.9', () => {
    expect(tsc('typescript', 'tsconfig.json')).toBe('');
  }, 120_000);

  it('type-checks the same consumer with TypeScript 7, with no "types" in its tsconfig', () => {
    expect(tsc('typescript7', 'tsconfig.json')).toBe('');
  }, 120_000);

  it("type-checks a consumer of the core and the inventory with TypeScript 7 and no Node types ('types': [])", () => {
    expect(tsc('typescript7', 'tsconfig.core.json')).toBe('');
  }, 120_000);

  it('runs a consumer of the three entries', () => {
    const got = JSON.parse(inProject(process.execPath, ['main.mjs'])) as Record<string, unknown>;
    const policy = readFileSync(join(project, 'policy.json'));
    expect(got).toEqual({
      abc: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      policy: 'https://models.example.com/policies/production-ml',
      keys: 6,
      size: policy.length,
      migrations: expect.any(Number) as number,
    });
    expect(got.migrations).toBeGreaterThan(0);
  });

  it('runs the bin: --help and --version exit 0, and hash prints the digest sha256sum would', () => {
    const bin = join('node_modules', '.bin', 'lineproof');
    expect(inProject(bin, ['--help'])).toContain('Usage: lineproof <command>');
    const { version } = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string };
    expect(inProject(bin, ['--version']).trim()).toBe(version);
    const hashed = JSON.parse(inProject(bin, ['hash', 'policy.json', '--json'])) as { digest: string };
    const sha256 = createHash('sha256')
      .update(readFileSync(join(project, 'policy.json')))
      .digest('hex');
    expect(hashed.digest).toBe(`sha256:${sha256}`);
  });
});
