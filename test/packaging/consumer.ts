/**
 * The temporary project of test/packaging/pack.test.ts: the tarball `npm pack` made, unpacked as
 * node_modules/lineproof, its runtime dependencies, and a consumer of the three entries in
 * TypeScript (type-checked, never run) and in plain JavaScript (run).
 *
 * Offline by construction: `npm install` of the tarball would resolve its dependencies' ranges
 * from the registry (a fresh CI machine's npm cache holds the tarballs `npm ci` fetched, not the
 * metadata a resolution needs, so `npm install --offline` fails with ENOTCACHED), so this does
 * what npm would leave behind instead: the tarball's files under node_modules/lineproof (extracted
 * by `tar`, as npm extracts them), each package the tarball's package.json names in
 * `dependencies` and `optionalDependencies` (the ones installed here) linked from the repository's
 * node_modules, where `npm ci` put exactly the versions package-lock.json pins, the bin linked as
 * npm links it (node_modules/.bin/lineproof -> ../lineproof/dist/cli/main.js), and the consumer's
 * own @types/node. A package the built code imports but package.json does not declare is not there
 * and fails to resolve, as it would for a user. What is tested is the tarball, not npm's resolver.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoPath } from '../helpers/fixtures.js';

/** Unpack `tarball` into `project`/node_modules/lineproof and link what it needs; returns the names linked. */
export function installTarball(tarball: string, project: string): string[] {
  const modules = join(project, 'node_modules');
  const pkg = join(modules, 'lineproof');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', pkg, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  const optional = Object.keys(manifest.optionalDependencies ?? {}).filter((n) =>
    existsSync(repoPath('node_modules', n)),
  );
  // @types/node: the consumer's, as README asks of a TypeScript user of lineproof/node (an
  // optional peer dependency of the package).
  const linked = [...Object.keys(manifest.dependencies ?? {}), ...optional, '@types/node'];
  for (const name of linked) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(repoPath('node_modules', name), join(modules, name), 'dir');
  }
  mkdirSync(join(modules, '.bin'));
  symlinkSync('../lineproof/dist/cli/main.js', join(modules, '.bin', 'lineproof'));
  return linked;
}

const COMPILER_OPTIONS = {
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  target: 'ES2022',
  strict: true,
  // Not exactOptionalPropertyTypes: with it, TypeScript 7 rejects @types/node 20.19.9's own
  // https.d.ts (TS2320), whatever imports it.
  noEmit: true,
  skipLibCheck: false, // the package's own .d.ts are checked too
};

/**
 * The consumer's files: `node.ts` (all three entries; tsconfig.json names no `types`, as most
 * projects don't), `core.ts` (`lineproof` and `lineproof/inventory` only, `types: []` and a
 * browser's lib: the core's declarations need no Node types), `main.mjs` (run by node), and a
 * policy to parse.
 */
export function writeConsumer(project: string): void {
  const w = (name: string, text: string): void => writeFileSync(join(project, name), text);
  w('package.json', JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  w('policy.json', readFileSync(repoPath('fixtures', 'policy', 'example-high.json'), 'utf8'));
  w('tsconfig.json', JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files: ['node.ts'] }, null, 2));
  const core = { ...COMPILER_OPTIONS, lib: ['ES2022', 'DOM'], types: [] };
  w('tsconfig.core.json', JSON.stringify({ compilerOptions: core, files: ['core.ts'] }, null, 2));
  w(
    'node.ts',
    `import { parsePolicy, sha256Hex, utf8, verifyChain, type Policy, type Report, type VerifyChainInput } from 'lineproof';
import { checkModelDirectory, hashFile, readFileLimited, type CheckModelOptions, type Inventory } from 'lineproof/node';
import { MIGRATIONS, upstream, type Lineage, type SqlClient } from 'lineproof/inventory';

const policy: Policy = parsePolicy(readFileLimited('policy.json', 1 << 20));
const subject = \`sha256:\${sha256Hex(utf8('abc'))}\`;
const options: CheckModelOptions = { bundle: '', policy, useCase: 'support-chat' };
export async function check(dir: string): Promise<Report> {
  return (await checkModelDirectory(dir, options)).report;
}
export function chain(bundle: string): ReturnType<typeof verifyChain> {
  const input: VerifyChainInput = { bundle, policy, subject, useCase: 'support-chat', asOf: new Date() };
  return verifyChain(input);
}
export const size: Promise<number> = hashFile('policy.json').then((h) => h.size);
export const migrations: number = MIGRATIONS.length;
export type Client = SqlClient | Inventory['db'];
export type Ancestors = Lineage;
export const ask: typeof upstream = upstream;
`,
  );
  w(
    'core.ts',
    `import { parsePolicy, sha256Hex, utf8, type Policy, type Report } from 'lineproof';
import { MIGRATIONS, type SqlClient } from 'lineproof/inventory';

export const digest: string = sha256Hex(utf8('abc'));
export const parse: (text: string) => Policy = (text) => parsePolicy(text);
export const migrations: number = MIGRATIONS.length;
export type Verdict = Report['ok'];
export type Client = SqlClient;
`,
  );
  w(
    'main.mjs',
    `import { parsePolicy, sha256Hex, utf8 } from 'lineproof';
import { hashFile, readFileLimited } from 'lineproof/node';
import { MIGRATIONS } from 'lineproof/inventory';

const policy = parsePolicy(readFileLimited('policy.json', 1 << 20));
const hashed = await hashFile('policy.json');
console.log(JSON.stringify({ abc: sha256Hex(utf8('abc')), policy: policy.document.id, keys: policy.keys.length, size: hashed.size, migrations: MIGRATIONS.length }));
`,
  );
}
