import { digestToCid, parseDigest } from '../../digest/index.js';
import { LineproofError } from '../../errors.js';
import { assertHashAlgorithm } from '../../hashing/engines.js';
import type { HashAlgorithm } from '../../hashing/types.js';
import { DEFAULT_IGNORE } from '../../manifest/ignore.js';
import { manifestBytes } from '../../manifest/build.js';
import { OMS_DEFAULT_SHARD_SIZE, type OmsHashType } from '../../interop/oms/serialization.js';
import { OMS_GIT_IGNORE_PATHS } from '../../interop/oms/ignore.js';
import { omsStatement } from '../../interop/oms/statement.js';
import { hashPath } from '../../node/hash-tree.js';
import { hashOmsModel } from '../../node/oms.js';
import { hashFileTree } from '../../node/tree-pool.js';
import { TREE_DEFAULT_LEAF_BYTES, treeHashEngine, parseTreeAlgorithm } from '../../hashing/tree.js';
import { statSync } from 'node:fs';
import { intOption, parseCommandArgs, resolvePath } from '../args.js';
import { CliError, asExit, usage } from '../errors.js';
import { EXIT, type CliContext, type Command } from '../types.js';
import { hashProgress, humanBytes } from '../progress.js';
import { writeFileChecked } from '../../node/fs.js';

const HELP = `Usage: lineproof hash PATH [--alg sha256|sha512|blake2b|blake3] [--format lineproof|oms-files|oms-shards]
                      [--shard-size N] [--ignore P ...] [--no-default-ignore] [--allow-symlinks]
                      [--tree [--leaf-bytes N] [--workers N]] [--cid] [--out FILE] [--json]

Hash a file or a directory and print its subject digest, in the form --digest takes (sha256:<hex>).

  A file: the digest of its bytes (--alg picks the algorithm; default sha256).
  A directory (--format lineproof, the default): a v1 manifest listing every file with its size and
  digest (--alg), the ignore list and the hashing configuration; the subject digest is the sha256 of
  the manifest's canonical (JCS) bytes, media type application/vnd.lineproof.manifest.v1+json.
  --format oms-files | oms-shards: the manifest and root digest OpenSSF model signing
  (model_signing) computes, by file or by shard; --alg sha256 (default), blake2b or blake3
  (blake3 cannot be sharded).

Options:
  --alg A              digest algorithm: sha256 (default), sha512, blake2b, blake3
  --format F           lineproof (default), oms-files, oms-shards
  --shard-size N       oms-shards only: bytes per shard (default ${OMS_DEFAULT_SHARD_SIZE})
  --ignore P           leave P out (repeatable). lineproof: a pattern anchored at the root, * within a
                       segment, ** for any depth, trailing / for directories. oms-*: a path relative
                       to the model, ignoring everything below it. Recorded in the manifest.
  --no-default-ignore  do not add the default ignores (lineproof: ${DEFAULT_IGNORE.join(' ')};
                       oms-*: ${OMS_GIT_IGNORE_PATHS.join(' ')} model.sig)
  --allow-symlinks     lineproof: follow symbolic links that stay inside the root (default: refuse
                       every link); oms-*: model_signing's allow_symlinks (links to files are hashed
                       wherever they point; links to directories are not descended)
  --tree               also compute the chunk-tree digest sha256-tree-v1-<leafBytes> (spec/hashing.md):
                       for a file, on all cores with the whole-file digest from the same single read;
                       for a directory, per file in the manifest. Leaves can later be proven with
                       'lineproof hash prove'.
  --leaf-bytes N       tree leaf size, a power of two from 65536 to 67108864 (default ${TREE_DEFAULT_LEAF_BYTES})
  --workers N          worker threads for a file's tree (default: one per core)
  --cid                also print the digest as a CID (CIDv1, raw codec, base32: bafkrei… for sha256),
                       the name a content-addressed store gives the bytes it is over (the file, or the
                       manifest --out writes); 'verify --digest' accepts it
  --out FILE           write the manifest: the canonical v1 manifest (lineproof) or the unsigned
                       model_signing statement (oms-*)
  --json               print {path, kind, format, digest, [cid,] subject, size, files, manifest, ...}

Exit codes: 0 hashed; 2 usage or input error (missing path, symbolic link or special file refused,
a path rule broken, a file changed while hashed; the code is printed).

Examples:
  lineproof hash model/
  lineproof hash model/ --json > model.hash.json
  lineproof hash model/ --format oms-shards --shard-size 1000000000
`;

const FORMATS = ['lineproof', 'oms-files', 'oms-shards'] as const;
type Format = (typeof FORMATS)[number];

/** The checked options of one `lineproof hash` run. */
interface HashRun {
  given: string;
  path: string;
  format: Format;
  alg: HashAlgorithm;
  tree: boolean;
  leafBytes: number | undefined;
  workers: number | undefined;
  shardSize: number | undefined;
  extraIgnore: string[];
  defaults: boolean;
  allowSymlinks: boolean;
  cid: boolean;
  out: string | undefined;
  json: boolean;
}

/** What was hashed: the printed (or JSON) record, and the manifest bytes --out writes. */
interface Hashed {
  out: Record<string, unknown>;
  written?: Uint8Array;
}

type Bar = ReturnType<typeof hashProgress>;

async function parseHashRun(args: string[], ctx: CliContext): Promise<HashRun> {
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
      out: { type: 'string' },
      json: { type: 'boolean' },
      tree: { type: 'boolean' },
      cid: { type: 'boolean' },
      'leaf-bytes': { type: 'string' },
      workers: { type: 'string' },
    },
    { min: 1, max: 1 },
  );
  const leafBytes = intOption('hash', 'leaf-bytes', values['leaf-bytes'], 65536, 67108864);
  const workers = intOption('hash', 'workers', values.workers, 0, 256);
  if ((leafBytes !== undefined || workers !== undefined) && !values.tree)
    throw usage('hash: --leaf-bytes and --workers apply with --tree only');
  if (leafBytes !== undefined && !parseTreeAlgorithm(`sha256-tree-v1-${leafBytes}`))
    throw usage(`hash: --leaf-bytes must be a power of two from 65536 to 67108864, got ${leafBytes}`);
  if (values.tree && values.format !== undefined && values.format !== 'lineproof')
    throw usage('hash: --tree applies to --format lineproof only (model_signing has no chunk trees)');
  const given = positionals[0]!;
  const path = resolvePath(ctx, given);
  const format = (values.format ?? 'lineproof') as Format;
  if (!FORMATS.includes(format))
    throw usage(`hash: --format expected one of ${FORMATS.join(', ')}, got ${JSON.stringify(values.format)}`);
  const alg = (values.alg ?? 'sha256') as HashAlgorithm;
  await asExit(EXIT.USAGE, () => assertHashAlgorithm(alg, '--alg'));
  const shardSize = intOption('hash', 'shard-size', values['shard-size'], 1, Number.MAX_SAFE_INTEGER);
  if (shardSize !== undefined && format !== 'oms-shards')
    throw usage('hash: --shard-size applies to --format oms-shards only');
  return {
    given,
    path,
    format,
    alg,
    tree: values.tree ?? false,
    leafBytes,
    workers,
    shardSize,
    extraIgnore: values.ignore ?? [],
    defaults: !values['no-default-ignore'],
    allowSymlinks: values['allow-symlinks'] ?? false,
    cid: values.cid ?? false,
    out: values.out,
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

/** A file with --tree and sha256: one read, all cores, the whole-file sha256 and the chunk tree together. */
async function hashTreeFile(r: HashRun, bar: Bar): Promise<Hashed> {
  const onProgress = bar.onProgress;
  const t = await asExit(EXIT.USAGE, () =>
    hashFileTree(r.path, {
      leafBytes: r.leafBytes ?? TREE_DEFAULT_LEAF_BYTES,
      sha256: true,
      ...(r.workers !== undefined ? { workers: r.workers } : {}),
      ...(onProgress
        ? {
            onProgress: (done: number, total: number) =>
              onProgress({ path: r.given, bytesDone: done, bytesTotal: total, filesDone: 0, filesTotal: 1 }),
          }
        : {}),
    }),
  );
  const name = r.given.split('/').filter(Boolean).pop() ?? r.given;
  return {
    out: {
      path: r.given,
      kind: 'file',
      format: r.format,
      digest: `sha256:${t.sha256}`,
      treeDigest: `${t.algorithm}:${t.root}`,
      subject: { name, digest: { sha256: t.sha256, [t.algorithm]: t.root } },
      size: t.totalLength,
      files: 1,
      manifest: null,
      workers: t.workers,
    },
  };
}

async function hashLineproof(r: HashRun, bar: Bar): Promise<Hashed> {
  const engines = r.tree ? [r.alg, treeHashEngine(r.leafBytes ?? TREE_DEFAULT_LEAF_BYTES)] : [r.alg];
  const h = await asExit(EXIT.USAGE, () =>
    hashPath(r.path, {
      algorithms: engines,
      ignore: [...(r.defaults ? DEFAULT_IGNORE : []), ...r.extraIgnore],
      allowSymlinks: r.allowSymlinks,
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
    written: manifestBytes(h.manifest),
    out: {
      path: r.given,
      kind: 'directory',
      format: r.format,
      digest: h.digest,
      subject: h.subject,
      size: h.size,
      files: h.files,
      manifest: h.manifest,
      ignored: h.ignored,
    },
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
  const statement = omsStatement(h.manifest);
  return {
    written: new TextEncoder().encode(`${JSON.stringify(statement, null, 2)}\n`),
    out: {
      path: r.given,
      kind: h.kind,
      format: r.format,
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

async function hashRun(r: HashRun, ctx: CliContext): Promise<Hashed> {
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

function humanLines(r: HashRun, out: Record<string, unknown>): string[] {
  const lines = [`${out.digest as string}  ${r.given}`];
  if (out.cid) lines.push(`${out.cid as string}  ${r.given}`);
  if (out.treeDigest) lines.push(`${out.treeDigest as string}  ${r.given}`);
  if (out.kind === 'file')
    lines.push(`  file, ${humanBytes(out.size as number)}${r.format === 'lineproof' ? '' : `, ${r.format}`}`);
  else {
    const what =
      r.format === 'lineproof'
        ? `manifest v1 (${r.alg}), media type application/vnd.lineproof.manifest.v1+json`
        : `model_signing ${r.format === 'oms-files' ? 'files' : `shards of ${r.shardSize ?? OMS_DEFAULT_SHARD_SIZE} bytes`} (${r.alg})`;
    lines.push(`  ${out.files as number} files, ${humanBytes(out.size as number)}; ${what}`);
  }
  const ignored = (out.ignored as string[] | undefined) ?? [];
  if (ignored.length > 0)
    lines.push(`  ignored: ${ignored.slice(0, 5).join(', ')}${ignored.length > 5 ? `, … (${ignored.length})` : ''}`);
  for (const s of (out.skipped as { path: string; reason: string }[] | undefined) ?? [])
    lines.push(`  skipped ${s.path}: ${s.reason}`);
  if (r.out !== undefined) lines.push(`  manifest written to ${r.out}`);
  return lines;
}

export const hashCommand: Command = {
  name: 'hash',
  summary: 'hash a file or directory (manifest, subject digest; model_signing files/shards)',
  help: HELP,
  async run(args, ctx) {
    const r = await parseHashRun(args, ctx);
    const hashed = await hashRun(r, ctx);
    const written = hashed.written;
    let out = hashed.out;
    if (r.cid) {
      const { alg: a, hex } = parseDigest(out.digest as string);
      out = { ...out, cid: await asExit(EXIT.USAGE, () => digestToCid(a, hex)) };
    }
    if (r.out !== undefined) {
      const outArg = r.out;
      const target = resolvePath(ctx, outArg);
      if (written === undefined)
        throw usage('hash: --out needs a directory (a single file has no manifest in the lineproof format)');
      await asExit(EXIT.USAGE, () => writeFileChecked(target, written, { what: outArg }));
    }
    if (r.json) {
      ctx.io.stdout(`${JSON.stringify(out, null, 2)}\n`);
      return EXIT.OK;
    }
    ctx.io.stdout(`${humanLines(r, out).join('\n')}\n`);
    return EXIT.OK;
  },
};
