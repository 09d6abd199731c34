import { digestToCid, parseDigest } from '../../digest/index.js';
import { DEFAULT_IGNORE, HF_LOCAL_DIR_IGNORE } from '../../manifest/ignore.js';
import { OMS_DEFAULT_SHARD_SIZE } from '../../interop/oms/serialization.js';
import { OMS_GIT_IGNORE_PATHS } from '../../interop/oms/ignore.js';
import { TREE_DEFAULT_LEAF_BYTES } from '../../hashing/tree.js';
import { resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type Command } from '../types.js';
import { humanBytes } from '../progress.js';
import { writeFileChecked } from '../../node/fs.js';
import { hashRun, parseHashRun, type HashRun } from './hash-run.js';

const HELP = `Usage: lineproof hash PATH [--alg sha256|sha512|blake2b|blake3|sha256-tree] [--format lineproof|oms-files|oms-shards]
                      [--shard-size N] [--ignore P ...] [--no-default-ignore] [--allow-symlinks]
                      [--hf-cache | --no-hf-cache]
                      [--tree [--leaf-bytes N] [--workers N]] [--cache FILE] [--cid] [--out FILE] [--json]
                      [--part I/N [--key KEY]]

Hash a file or a directory and print its subject digest, in the form --digest takes (sha256:<hex>).

  A file: the digest of its bytes (--alg picks the algorithm; default sha256).
  A directory (--format lineproof, the default): a v1 manifest listing every file with its size and
  digest (--alg), the ignore list and the hashing configuration; the subject digest is the sha256 of
  the manifest's canonical (JCS) bytes, media type application/vnd.lineproof.manifest.v1+json.
  --format oms-files | oms-shards: the manifest and root digest OpenSSF model signing
  (model_signing) computes, by file or by shard; --alg sha256 (default), blake2b or blake3
  (blake3 cannot be sharded).

Options:
  --alg A              digest algorithm: sha256 (default), sha512, blake2b, blake3, or sha256-tree:
                       the chunk-tree digest sha256-tree-v1-<leafBytes> alone (spec/hashing.md), its
                       leaves read and hashed on every core (--leaf-bytes, --workers) — the fastest
                       digest of a large file. The whole-file SHA-256 (--tree adds it to the tree in
                       the same read, at one core's speed) is worth its cost only where a consumer
                       needs plain sha256: a registry or CID by sha256, sha256sum, model_signing
  --format F           lineproof (default), oms-files, oms-shards
  --shard-size N       oms-shards only: bytes per shard (default ${OMS_DEFAULT_SHARD_SIZE})
  --ignore P           leave P out (repeatable). lineproof: a pattern anchored at the root, * within a
                       segment, ** for any depth, trailing / for directories. oms-*: a path relative
                       to the model, ignoring everything below it. Recorded in the manifest.
  --no-default-ignore  do not add the default ignores (lineproof: ${DEFAULT_IGNORE.join(' ')}, and
                       ${HF_LOCAL_DIR_IGNORE} when PATH holds it — a huggingface_hub --local-dir
                       download; oms-*: ${OMS_GIT_IGNORE_PATHS.join(' ')} model.sig)
  --allow-symlinks     lineproof: follow symbolic links that stay inside the root (default: refuse
                       every link); oms-*: model_signing's allow_symlinks (links to files are hashed
                       wherever they point; links to directories are not descended)
  --hf-cache           lineproof: PATH must be a Hugging Face hub-cache snapshot
                       (…/models--ORG--NAME/snapshots/REV): its links are followed within
                       models--ORG--NAME/ only, giving a plain copy's manifest, and LFS blob names
                       are checked against the SHA-256 computed. Detected without the flag.
  --no-hf-cache        lineproof: treat a hub-cache snapshot as any folder (links refused)
  --tree               also compute the chunk-tree digest sha256-tree-v1-<leafBytes> (spec/hashing.md):
                       for a file, on all cores with the whole-file digest from the same single read;
                       for a directory, per file in the manifest. Leaves can later be proven with
                       'lineproof hash prove'.
  --leaf-bytes N       tree leaf size, a power of two from 65536 to 67108864 (default ${TREE_DEFAULT_LEAF_BYTES})
  --workers N          worker threads for a file's tree (default: one per core)
  --cache FILE         a directory: keep a re-hash cache in FILE (created when missing) and read
                       again only the files whose size, mtime, ctime, inode or device changed since
                       the manifest it records; a file rewritten with its mtime restored still
                       changes its ctime. For the producer's own disk: a cache of another
                       directory, other algorithms or ignores, or one that does not digest to its
                       manifest means a full hash (the reason is printed); verify never reads one.
                       It pays where bytes dominate (large files); on many small files reading
                       the cache costs more than it saves today (README, Speed)
  --cid                also print the digest as a CID (CIDv1, raw codec, base32: bafkrei… for sha256),
                       the name a content-addressed store gives the bytes it is over (the file, or the
                       manifest --out writes); 'verify --digest' accepts it
  --out FILE           write the manifest: the canonical v1 manifest (lineproof) or the unsigned
                       model_signing statement (oms-*)
  --json               print {path, kind, format, digest, [cid,] subject, size, files, manifest, ...}
  --part I/N           hash only share I of N (1 <= I <= N) and write a part document (--out, default
                       standard output) for 'lineproof hash merge', which prints what this command
                       prints on one machine. Shares are cut over the sorted files by bytes: whole
                       files, or chunk-tree leaves with --alg sha256-tree (so one large file spreads
                       over machines), or model_signing shards with --format oms-shards. A single
                       file splits only with --alg sha256-tree. Run one part per core or machine,
                       e.g. a Kubernetes Indexed Job: --part $((JOB_COMPLETION_INDEX+1))/N
  --key KEY            with --part: sign the part as a DSSE envelope with this worker key (merge
                       --worker-key checks it)

Exit codes: 0 hashed; 2 usage or input error (missing path, symbolic link or special file refused,
a path rule broken, a file changed while hashed; the code is printed).

Examples:
  lineproof hash model/
  lineproof hash model/ --json > model.hash.json
  lineproof hash model/ --format oms-shards --shard-size 1000000000
  lineproof hash weights.safetensors --alg sha256-tree --leaf-bytes 4194304
  lineproof hash ~/.cache/huggingface/hub/models--org--name/snapshots/REV --hf-cache
  lineproof hash dataset/ --alg sha256-tree --part 3/8 --out part-3.json
`;

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
  const hf = out.hfSnapshot as { repoType: string; repoId: string; revision: string; lfsChecked: number } | undefined;
  if (hf)
    lines.push(
      `  Hugging Face hub-cache snapshot of ${hf.repoType} ${hf.repoId} at ${hf.revision}: links followed within its cache folder; ${hf.lfsChecked} LFS blob name${hf.lfsChecked === 1 ? '' : 's'} checked`,
    );
  const cache = out.cache as
    { used: true; reused: number; hashed: number; removed: number } | { used: false; reason: string } | undefined;
  if (cache)
    lines.push(
      cache.used
        ? `  cache: ${cache.hashed} file${cache.hashed === 1 ? '' : 's'} hashed, ${cache.reused} unchanged (stat), ${cache.removed} removed`
        : `  cache: not used (${cache.reason}); every file hashed, cache written`,
    );
  if (r.out !== undefined) lines.push(`  manifest written to ${r.out}`);
  return lines;
}

export const hashCommand: Command = {
  name: 'hash',
  summary: 'hash a file or directory (manifest, subject digest; model_signing files/shards)',
  help: HELP,
  async run(args, ctx) {
    const r = parseHashRun(args, ctx);
    // Loaded only for --part: signing and the part format stay out of a plain hash's start-up.
    if (r.part) return (await import('./hash-part.js')).writeHashPart(r, r.part, ctx, r.key);
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
