/**
 * `lineproof hash PATH --part I/N` (one machine's share, as a part document, optionally signed
 * with a worker key) and `lineproof hash merge PART…` (the parts merged into exactly what
 * `lineproof hash PATH --json` prints on one machine). spec/hashing.md, "Across machines".
 */
import { fromUtf8, utf8 } from '../../bytes/index.js';
import { parseEnvelope, serializeEnvelope } from '../../dsse/envelope.js';
import { signEnvelope } from '../../dsse/sign.js';
import { verifyEnvelope } from '../../dsse/verify.js';
import { LineproofError } from '../../errors.js';
import { parseJson } from '../../json/strict.js';
import { canonicalJson } from '../../json/canonical.js';
import { manifestBytes, manifestDigestText, manifestSubject } from '../../manifest/build.js';
import { HASH_PART_PAYLOAD_TYPE, parseHashPart, type HashPart } from '../../interop/parts/part.js';
import { mergeHashParts } from '../../interop/parts/merge.js';
import { treeAlgorithm, TREE_DEFAULT_LEAF_BYTES } from '../../hashing/tree.js';
import { nodeEd25519Signer, nodeEd25519Verifier } from '../../node/ed25519.js';
import { readFileLimited, writeFileChecked } from '../../node/fs.js';
import { hashPart } from '../../node/hash-part.js';
import { loadPrivateKey, loadPublicKey } from '../../node/keys.js';
import { defaultTreeIgnore } from '../../node/hash-tree.js';
import { OMS_GIT_IGNORE_PATHS } from '../../interop/oms/ignore.js';
import { parseCommandArgs, resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type CliContext, type Command } from '../types.js';
import { hashProgress, humanBytes } from '../progress.js';
import { directoryOut, omsOut, treeFileOut, type HashRun } from './hash-run.js';

/** The most bytes of one part file `hash merge` reads. */
export const HASH_PART_MAX_BYTES = 256 * 1024 * 1024;

/** `hash PATH --part I/N [--key KEY] [--out FILE]`: hash this machine's share and write the part. */
export async function writeHashPart(r: HashRun, share: { part: number; parts: number }, ctx: CliContext, key?: string) {
  const bar = hashProgress(ctx);
  let part: HashPart;
  try {
    const algorithm = r.treeOnly ? treeAlgorithm(r.leafBytes ?? TREE_DEFAULT_LEAF_BYTES) : r.alg;
    const lineproof = r.format === 'lineproof';
    part = await asExit(EXIT.USAGE, () =>
      hashPart(r.path, {
        ...share,
        format: r.format,
        algorithm,
        given: r.given,
        ...(r.shardSize !== undefined ? { shardSize: r.shardSize } : {}),
        ignore: lineproof
          ? [...(r.defaults ? defaultTreeIgnore(r.path) : []), ...r.extraIgnore]
          : [...(r.defaults ? [...OMS_GIT_IGNORE_PATHS, 'model.sig'] : []), ...r.extraIgnore],
        allowSymlinks: r.allowSymlinks,
        ...(bar.onProgress ? { onProgress: bar.onProgress } : {}),
      }),
    );
  } finally {
    bar.done();
  }
  let text = `${canonicalJson(part)}\n`;
  if (key !== undefined) {
    const passphrase = ctx.io.env.LINEPROOF_KEY_PASSPHRASE;
    const k = await asExit(EXIT.USAGE, () =>
      loadPrivateKey(resolvePath(ctx, key), {
        what: key,
        onWarning: (m) => ctx.io.stderr(`lineproof: warning: ${m}\n`),
        ...(passphrase ? { passphrase } : {}),
      }),
    );
    const env = await signEnvelope(utf8(canonicalJson(part)), HASH_PART_PAYLOAD_TYPE, [nodeEd25519Signer(k)], {
      verifier: nodeEd25519Verifier,
      limits: { envelopeBytes: HASH_PART_MAX_BYTES },
    });
    text = `${serializeEnvelope(env)}\n`;
  }
  if (r.out === undefined || r.out === '-') ctx.io.stdout(text);
  else {
    const outArg = r.out;
    await asExit(EXIT.USAGE, () => writeFileChecked(resolvePath(ctx, outArg), text, { what: outArg }));
    const units = part.entries.length;
    ctx.io.stderr(
      `part ${part.part}/${part.config.parts} of ${r.given}: ${units} entr${units === 1 ? 'y' : 'ies'} written to ${outArg}${key !== undefined ? ' (signed)' : ''}\n`,
    );
  }
  return EXIT.OK;
}

const MERGE_HELP = `Usage: lineproof hash merge PART... [--worker-key PUB ...] [--out FILE] [--json]

Merge the parts that 'lineproof hash PATH --part I/N' wrote on any number of machines (or that
Spark, Ray or Dask tasks wrote following spec/hashing.md) into exactly what 'lineproof hash PATH'
prints on one machine: the chunk-tree root of a file, the manifest digest of a directory, or the
model_signing root. Refused with its code: a part missing (HASH_PART_MISSING), given twice
(HASH_PART_DUPLICATE), of another configuration or listing (HASH_PART_MISMATCH), parts that
overlap (HASH_PART_OVERLAP) or leave a file, leaf or shard out (HASH_PART_INCOMPLETE).

What a merge trusts: the workers. It checks coverage and configuration, not that a digest is the
digest of the bytes. With --worker-key every part must be a DSSE envelope (hash --part --key)
signed by one of the keys given (HASH_PART_SIGNATURE_INVALID otherwise).

Options:
  --worker-key PUB   a worker's public key (repeatable): every part must be signed by one
  --out FILE         write the manifest (lineproof) or the unsigned model_signing statement (oms-*)
  --json             print what 'hash PATH --json' prints

Exit codes: 0 merged; 2 usage error, unreadable part, or a part refused (the code is printed).

Examples:
  lineproof hash model/ --alg sha256-tree --part 1/2 --out part-1.json   # on machine 1
  lineproof hash model/ --alg sha256-tree --part 2/2 --out part-2.json   # on machine 2
  lineproof hash merge part-1.json part-2.json --json
`;

/** A part file: a part document, or a DSSE envelope of one (checked against the worker keys). */
async function readPart(path: string, given: string, workerKeys: ReturnType<typeof loadPublicKey>[]) {
  const bytes = readFileLimited(path, HASH_PART_MAX_BYTES, given);
  const value = parseJson(bytes, { what: given, maxBytes: HASH_PART_MAX_BYTES });
  const isEnvelope = typeof value === 'object' && value !== null && !Array.isArray(value) && 'payloadType' in value;
  if (!isEnvelope) {
    if (workerKeys.length > 0)
      throw new LineproofError('HASH_PART_SIGNATURE_INVALID', `${given}: not signed, and --worker-key requires it`);
    return { part: parseHashPart(value, given), signed: false };
  }
  if (workerKeys.length === 0) {
    const env = parseEnvelope(value, { what: given, limits: { envelopeBytes: HASH_PART_MAX_BYTES } });
    if (env.payloadType !== HASH_PART_PAYLOAD_TYPE)
      throw new LineproofError('HASH_PART_INVALID', `${given}: payloadType is not ${HASH_PART_PAYLOAD_TYPE}`);
    const payload = parseJson(fromUtf8(env.payload, given), { what: given, maxBytes: HASH_PART_MAX_BYTES });
    return { part: parseHashPart(payload, given), signed: false };
  }
  const v = await verifyEnvelope(value, {
    trustedKeys: workerKeys,
    payloadType: HASH_PART_PAYLOAD_TYPE,
    verifier: nodeEd25519Verifier,
    limits: { envelopeBytes: HASH_PART_MAX_BYTES },
    what: given,
  });
  if (!v.report.ok || !v.payload)
    throw new LineproofError('HASH_PART_SIGNATURE_INVALID', `${given}: not signed by any --worker-key`);
  return {
    part: parseHashPart(parseJson(v.payload, { what: given, maxBytes: HASH_PART_MAX_BYTES }), given),
    signed: true,
  };
}

export const hashMergeCommand: Command = {
  name: 'hash merge',
  summary: 'merge hash parts from several machines into the one-machine digest',
  help: MERGE_HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      'hash merge',
      args,
      { 'worker-key': { type: 'string', multiple: true }, out: { type: 'string' }, json: { type: 'boolean' } },
      { min: 1, max: Infinity },
    );
    const keys = await asExit(EXIT.USAGE, () =>
      (values['worker-key'] ?? []).map((k) => loadPublicKey(resolvePath(ctx, k), { what: k })),
    );
    const read: { part: HashPart; signed: boolean }[] = [];
    for (const p of positionals) read.push(await asExit(EXIT.USAGE, () => readPart(resolvePath(ctx, p), p, keys)));
    const merged = await asExit(EXIT.USAGE, () =>
      mergeHashParts(
        read.map((r) => r.part),
        positionals,
      ),
    );
    const c = merged.config;
    const size = merged.files.reduce((n, f) => n + f.size, 0);
    let out: Record<string, unknown>;
    let written: Uint8Array | undefined;
    if (merged.result === 'tree')
      out = treeFileOut(c.path, c.format, { algorithm: merged.algorithm, root: merged.root, size });
    else if (merged.result === 'manifest') {
      const m = merged.manifest;
      out = directoryOut(c.path, c.format, {
        digest: manifestDigestText(m),
        subject: manifestSubject(m, c.name),
        size,
        files: c.files,
        manifest: m,
        ignored: c.ignored,
      });
      written = manifestBytes(m);
    } else {
      const h = omsOut(c.path, c.format, {
        manifest: merged.manifest,
        digest: `sha256:${merged.manifest.rootDigest}`,
        kind: c.kind,
        size,
        files: c.files,
        ignored: c.ignored,
        skipped: c.skipped,
      });
      out = h.out;
      written = h.written;
    }
    if (values.out !== undefined) {
      const outArg = values.out;
      if (written === undefined) throw usage('hash merge: --out needs a directory (a single file has no manifest)');
      await asExit(EXIT.USAGE, () => writeFileChecked(resolvePath(ctx, outArg), written, { what: outArg }));
    }
    const signed = read.filter((r) => r.signed).length;
    const note = `${read.length} part${read.length === 1 ? '' : 's'} merged${keys.length > 0 ? `, ${signed} signed by a worker key` : ', worker signatures not checked'}`;
    if (values.json) ctx.io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    else
      ctx.io.stdout(
        `${out.digest as string}  ${c.path}\n  ${c.files} file${c.files === 1 ? '' : 's'}, ${humanBytes(size)}; ${note}\n`,
      );
    if (values.json) ctx.io.stderr(`lineproof: ${note}\n`);
    return EXIT.OK;
  },
};
