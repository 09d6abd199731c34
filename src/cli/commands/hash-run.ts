/** `lineproof hash`: its flags read into a run, and the run hashed (a file tree, a directory, an OpenSSF model). */
import { LineproofError } from '../../errors.js';
import { isHashAlgorithm } from '../../hashing/engines.js';
import { HASH_ALGORITHMS, type HashAlgorithm } from '../../hashing/types.js';
import { manifestBytes } from '../../manifest/build.js';
import { type OmsHashType } from '../../interop/oms/serialization.js';
import { OMS_GIT_IGNORE_PATHS } from '../../interop/oms/ignore.js';
import { omsStatement } from '../../interop/oms/statement.js';
import { defaultTreeIgnore, hashPath, type HashedTree } from '../../node/hash-tree.js';
import { hashOmsModel, type HashedOmsModel } from '../../node/oms.js';
import { hashFileTree } from '../../node/tree-pool.js';
import { hashDirectoryCached } from '../../node/hash-cache.js';
import { TREE_DEFAULT_LEAF_BYTES, parseTreeAlgorithm } from '../../hashing/tree.js';
import { nodeTreeHashEngine } from '../../node/hash-engine.js';
import { statSync } from 'node:fs';
import { intOption, parseCommandArgs, resolvePath } from '../args.js';
import { CliError, asExit, usage } from '../errors.js';
import { EXIT, type CliContext } from '../types.js';
import { hashProgress } from '../progress.js';

const FORMATS = ['lineproof', 'oms-files', 'oms-shards'] as const;
type Format = (typeof FORMATS)[number];

/** The checked options of one `lineproof hash` run. */
export interface HashRun {
  given: string;
  path: string;
  format: Format;
  alg: HashAlgorithm;
  /** --alg sha256-tree: the chunk-tree digest alone is the subject digest. */
  treeOnly: boolean;
  tree: boolean;
  leafBytes: number | undefined;
  workers: number | undefined;
  shardSize: number | undefined;
  extraIgnore: string[];
  defaults: boolean;
  allowSymlinks: boolean;
  /** --hf-cache (true), --no-hf-cache (false), or detected (auto). */
  hfCache: 'auto' | boolean;
  cid: boolean;
  out: string | undefined;
  /** --cache FILE: the re-hash cache (directories, lineproof format). */
  cache: string | undefined;
  /** --part I/N: hash this share only and write a part document. */
  part: { part: number; parts: number } | undefined;
  /** --key KEY: sign the part with this worker key. */
  key: string | undefined;
  json: boolean;
}

/** What was hashed: the printed (or JSON) record, and the manifest bytes --out writes. */
export interface Hashed {
  out: Record<string, unknown>;
  written?: Uint8Array;
}

type Bar = ReturnType<typeof hashProgress>;

/**
 * Read `--part I/N`.
 * @param text the option's value
 * @returns part and parts
 */
export function parsePartOption(text: string): { part: number; parts: number } {
  const m = /^([1-9][0-9]{0,4})\/([1-9][0-9]{0,4})$/.exec(text);
  const part = m ? Number(m[1]) : NaN;
  const parts = m ? Number(m[2]) : NaN;
  if (!m || part > parts || parts > 65536)
    throw usage(`hash: --part expected I/N with 1 <= I <= N <= 65536 (e.g. --part 2/8), got ${JSON.stringify(text)}`);
  return { part, parts };
}

export function parseHashRun(args: string[], ctx: CliContext): HashRun {
  const { values, positionals } = parseCommandArgs(
    'hash',
    args,
    {
      alg: { type: 'string' },
      format: { type: 'string' },
      'shard-size': { type: 'string' },
      ignore: { type: 'string', multiple: true },
      'no-default-ignore': { type: 'boolean' },
      'allow-symlinks': { type: 'boolean' },
      'hf-cache': { type: 'boolean' },
      'no-hf-cache': { type: 'boolean' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      tree: { type: 'boolean' },
      cid: { type: 'boolean' },
      'leaf-bytes': { type: 'string' },
      workers: { type: 'string' },
      cache: { type: 'string' },
      part: { type: 'string' },
      key: { type: 'string' },
    },
    { min: 1, max: 1 },
  );
  const part = values.part === undefined ? undefined : parsePartOption(values.part);
  if (part && (values.tree || values.cache !== undefined || values.cid || values['hf-cache'] || values.json))
    throw usage(
      'hash: --part writes a part document; --tree (use --alg sha256-tree), --cache, --cid, --hf-cache and --json do not apply (hash merge prints the result)',
    );
  if (values.key !== undefined && !part) throw usage('hash: --key signs a part; it applies with --part only');
  const leafBytes = intOption('hash', 'leaf-bytes', values['leaf-bytes'], 65536, 67108864);
  const workers = intOption('hash', 'workers', values.workers, 0, 256);
  const treeOnly = values.alg === 'sha256-tree';
  if (treeOnly && values.tree) throw usage('hash: --alg sha256-tree is the tree alone; drop --tree');
  if (treeOnly && values.format !== undefined && values.format !== 'lineproof')
    throw usage('hash: --alg sha256-tree applies to --format lineproof only (model_signing has no chunk trees)');
  if ((leafBytes !== undefined || workers !== undefined) && !values.tree && !treeOnly)
    throw usage('hash: --leaf-bytes and --workers apply with --tree or --alg sha256-tree only');
  if (leafBytes !== undefined && !parseTreeAlgorithm(`sha256-tree-v1-${leafBytes}`))
    throw usage(`hash: --leaf-bytes must be a power of two from 65536 to 67108864, got ${leafBytes}`);
  if (values.cache !== undefined && (values.tree || treeOnly || (values.format ?? 'lineproof') !== 'lineproof'))
    throw usage('hash: --cache applies to --format lineproof without chunk trees (--tree, --alg sha256-tree)');
  if (values.tree && values.format !== undefined && values.format !== 'lineproof')
    throw usage('hash: --tree applies to --format lineproof only (model_signing has no chunk trees)');
  const given = positionals[0]!;
  const path = resolvePath(ctx, given);
  const format = (values.format ?? 'lineproof') as Format;
  if (!FORMATS.includes(format))
    throw usage(`hash: --format expected one of ${FORMATS.join(', ')}, got ${JSON.stringify(values.format)}`);
  const alg = (treeOnly ? 'sha256' : (values.alg ?? 'sha256')) as HashAlgorithm;
  if (!treeOnly && !isHashAlgorithm(alg))
    throw new CliError(
      EXIT.USAGE,
      `HASH_ALGORITHM_UNSUPPORTED: --alg: expected one of ${[...HASH_ALGORITHMS, 'sha256-tree'].join(', ')}, got ${JSON.stringify(String(alg)).slice(0, 80)}`,
      'HASH_ALGORITHM_UNSUPPORTED',
    );
  const shardSize = intOption('hash', 'shard-size', values['shard-size'], 1, Number.MAX_SAFE_INTEGER);
  if (shardSize !== undefined && format !== 'oms-shards')
    throw usage('hash: --shard-size applies to --format oms-shards only');
  if (values['hf-cache'] && values['no-hf-cache']) throw usage('hash: --hf-cache and --no-hf-cache exclude each other');
  if ((values['hf-cache'] || values['no-hf-cache']) && format !== 'lineproof')
    throw usage(
      'hash: --hf-cache and --no-hf-cache apply to --format lineproof only (the oms-* formats follow model_signing, links included)',
    );
  return {
    given,
    path,
    format,
    alg,
    treeOnly,
    tree: (values.tree ?? false) || treeOnly,
    leafBytes,
    workers,
    shardSize,
    extraIgnore: values.ignore ?? [],
    defaults: !values['no-default-ignore'],
    allowSymlinks: values['allow-symlinks'] ?? false,
    hfCache: values['hf-cache'] ? true : values['no-hf-cache'] ? false : 'auto',
    cid: values.cid ?? false,
    out: values.out,
    cache: values.cache === undefined ? undefined : resolvePath(ctx, values.cache),
    part,
    key: values.key,
    json: values.json ?? false,
  };
}

function isFilePath(r: HashRun): Promise<boolean> {
  return asExit(EXIT.USAGE, () => {
    try {
      return statSync(r.path).isFile();
    } catch (cause) {
      throw new LineproofError(
        'IO_ERROR',
        `${r.given}: cannot stat (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
        { path: r.given, cause },
      );
    }
  });
}

/**
 * A file with --tree and sha256: one read, all cores, the whole-file sha256 and the chunk tree
 * together; with --alg sha256-tree the tree alone, its leaves read and hashed by every core.
 */
async function hashTreeFile(r: HashRun, bar: Bar): Promise<Hashed> {
  const onProgress = bar.onProgress;
  const t = await asExit(EXIT.USAGE, () =>
    hashFileTree(r.path, {
      leafBytes: r.leafBytes ?? TREE_DEFAULT_LEAF_BYTES,
      sha256: !r.treeOnly,
      ...(r.workers !== undefined ? { workers: r.workers } : {}),
      ...(onProgress
        ? {
            onProgress: (done: number, total: number) =>
              onProgress({ path: r.given, bytesDone: done, bytesTotal: total, filesDone: 0, filesTotal: 1 }),
          }
        : {}),
    }),
  );
  return { out: treeFileOut(r.given, r.format, { ...t, size: t.totalLength }) };
}

/** The subject name of a file as `hash` gives it: the last segment of the path given. */
export function givenName(given: string): string {
  return given.split('/').filter(Boolean).pop() ?? given;
}

/** What `hash FILE --tree | --alg sha256-tree --json` prints (and `hash merge` of its parts). */
export function treeFileOut(
  given: string,
  format: string,
  t: { algorithm: string; root: string; sha256?: string; size: number },
): Record<string, unknown> {
  return {
    path: given,
    kind: 'file',
    format,
    digest: t.sha256 !== undefined ? `sha256:${t.sha256}` : `${t.algorithm}:${t.root}`,
    treeDigest: `${t.algorithm}:${t.root}`,
    subject: {
      name: givenName(given),
      digest: { ...(t.sha256 !== undefined ? { sha256: t.sha256 } : {}), [t.algorithm]: t.root },
    },
    size: t.size,
    files: 1,
    manifest: null,
  };
}

/** What `hash DIR --json` prints for a Lineproof manifest (and `hash merge` of its parts). */
export function directoryOut(
  given: string,
  format: string,
  h: Pick<HashedTree, 'digest' | 'subject' | 'size' | 'files' | 'manifest' | 'ignored' | 'hfSnapshot'>,
): Record<string, unknown> {
  return {
    path: given,
    kind: 'directory',
    format,
    digest: h.digest,
    subject: h.subject,
    size: h.size,
    files: h.files,
    manifest: h.manifest,
    ignored: h.ignored,
    ...(h.hfSnapshot ? { hfSnapshot: h.hfSnapshot } : {}),
  };
}

/** What `hash PATH --format oms-* --json` prints (and `hash merge` of its parts), and what --out writes. */
export function omsOut(
  given: string,
  format: string,
  h: Pick<HashedOmsModel, 'manifest' | 'digest' | 'kind' | 'size' | 'files' | 'ignored' | 'skipped'>,
): Hashed {
  const statement = omsStatement(h.manifest);
  return {
    written: new TextEncoder().encode(`${JSON.stringify(statement, null, 2)}\n`),
    out: {
      path: given,
      kind: h.kind,
      format,
      digest: h.digest,
      subject: (statement.subject as unknown[])[0],
      size: h.size,
      files: h.files,
      manifest: statement.predicate,
      ignored: h.ignored,
      skipped: h.skipped,
    },
  };
}

/** A directory with --cache: only what changed since the cached manifest is read. */
async function hashCached(r: HashRun, bar: Bar): Promise<Hashed> {
  if (await isFilePath(r)) throw usage('hash: --cache applies to a directory');
  const { tree, cache } = await asExit(EXIT.USAGE, () =>
    hashDirectoryCached(r.path, r.cache!, {
      algorithms: [r.alg],
      ignore: [...(r.defaults ? defaultTreeIgnore(r.path) : []), ...r.extraIgnore],
      allowSymlinks: r.allowSymlinks,
      hfCache: r.hfCache,
      ...(bar.onProgress ? { onProgress: bar.onProgress } : {}),
    }),
  );
  return {
    ...(r.out !== undefined ? { written: manifestBytes(tree.manifest) } : {}),
    out: {
      path: r.given,
      kind: 'directory',
      format: r.format,
      digest: tree.digest,
      subject: tree.subject,
      size: tree.manifest.items.reduce((n, i) => n + i.size, 0),
      files: tree.files,
      manifest: tree.manifest,
      cache,
    },
  };
}

async function hashLineproof(r: HashRun, bar: Bar): Promise<Hashed> {
  if (r.cache !== undefined) return hashCached(r, bar);
  const treeEngine = nodeTreeHashEngine(r.leafBytes ?? TREE_DEFAULT_LEAF_BYTES);
  const engines = r.treeOnly ? [treeEngine] : r.tree ? [r.alg, treeEngine] : [r.alg];
  const h = await asExit(EXIT.USAGE, () =>
    hashPath(r.path, {
      algorithms: engines,
      ignore: [...(r.defaults ? defaultTreeIgnore(r.path) : []), ...r.extraIgnore],
      allowSymlinks: r.allowSymlinks,
      hfCache: r.hfCache,
      ...(bar.onProgress ? { onProgress: bar.onProgress } : {}),
    }),
  );
  if (h.kind === 'file') {
    const tree = Object.keys(h.subject.digest).find((a) => parseTreeAlgorithm(a));
    return {
      out: {
        path: r.given,
        kind: 'file',
        format: r.format,
        digest: h.digest,
        ...(tree ? { treeDigest: `${tree}:${h.subject.digest[tree]}` } : {}),
        subject: h.subject,
        size: h.size,
        files: 1,
        manifest: null,
      },
    };
  }
  return {
    ...(r.out !== undefined ? { written: manifestBytes(h.manifest) } : {}),
    out: directoryOut(r.given, r.format, h),
  };
}

async function hashOms(r: HashRun, bar: Bar): Promise<Hashed> {
  if (r.alg === 'sha512')
    throw new CliError(
      EXIT.USAGE,
      'hash: OMS_UNSUPPORTED_COMBINATION: model_signing has no sha512; use --alg sha256, blake2b or blake3',
      'OMS_UNSUPPORTED_COMBINATION',
    );
  const h = await asExit(EXIT.USAGE, () =>
    hashOmsModel(r.path, {
      method: r.format === 'oms-files' ? 'files' : 'shards',
      hashType: r.alg as OmsHashType,
      allowSymlinks: r.allowSymlinks,
      ...(r.shardSize !== undefined ? { shardSize: r.shardSize } : {}),
      ignorePaths: [...(r.defaults ? [...OMS_GIT_IGNORE_PATHS, 'model.sig'] : []), ...r.extraIgnore],
      ...(bar.onProgress ? { onProgress: bar.onProgress } : {}),
    }),
  );
  return omsOut(r.given, r.format, h);
}

export async function hashRun(r: HashRun, ctx: CliContext): Promise<Hashed> {
  const bar = hashProgress(ctx);
  try {
    const isFile = r.tree ? await isFilePath(r) : false;
    if (r.format === 'lineproof' && r.tree && isFile && r.alg === 'sha256') return await hashTreeFile(r, bar);
    if (r.format === 'lineproof') return await hashLineproof(r, bar);
    return await hashOms(r, bar);
  } finally {
    bar.done();
  }
}
