import { closeSync, readSync, writeFileSync } from 'node:fs';
import { fromHex } from '../../bytes/index.js';
import { parseDigest } from '../../digest/index.js';
import { LineproofError } from '../../errors.js';
import {
  leavesForRange,
  parseTreeAlgorithm,
  proveLeaf,
  TREE_DEFAULT_LEAF_BYTES,
  verifyLeafProof,
  type InclusionProof,
} from '../../hashing/tree.js';
import { parseJson, isJsonObject } from '../../json/strict.js';
import { openRegularFile, readFileLimited } from '../../node/fs.js';
import { hashFileTree } from '../../node/tree-pool.js';
import { intOption, parseCommandArgs, required, resolvePath } from '../args.js';
import { asExit, CliError, usage } from '../errors.js';
import { EXIT, type Command } from '../types.js';

/** The proof document `hash prove` writes and `hash check-proof` reads. */
interface ProofDocument {
  proofVersion: 1;
  /** `sha256-tree-v1-<leafBytes>:<root hex>`: what `hash --tree --json` prints as the digest. */
  digest: string;
  /** Bytes [start, end) the proofs cover, when a range was asked for. */
  range?: { start: number; end: number };
  proofs: InclusionProof[];
}

const PROVE_HELP = `Usage: lineproof hash prove FILE (--leaf I | --range START:END) [--leaf-bytes N] [--workers N] [--out PROOF.json]

Prove that one leaf, or the leaves covering a byte range, belong to FILE's chunk tree
(sha256-tree-v1-<leafBytes>, spec/hashing.md). Writes a proof document: the tree digest and one
RFC 9162 inclusion proof per leaf. Anyone holding only those leaves' bytes and the trusted digest
(e.g. from a signed attestation) can check them with 'lineproof hash check-proof'.

Options:
  --leaf I            prove leaf I (0-based)
  --range START:END   prove the leaves covering bytes [START, END)
  --leaf-bytes N      leaf size, a power of two from 65536 to 67108864 (default 1048576)
  --workers N         worker threads for hashing (default: one per core)
  --out FILE          write the proof there instead of standard output

Exit codes: 0 written; 2 usage error or unreadable file.

Example:
  lineproof hash prove model.safetensors --range 1048576:2097152 --out part.proof.json
`;

const CHECK_HELP = `Usage: lineproof hash check-proof --proof PROOF.json --digest sha256-tree-v1-N:HEX (--file FILE | --chunk BYTES) [--json]

Check inclusion proofs against a TRUSTED tree digest (from a verified attestation, never from the
proof itself). The bytes come from the whole file (--file) or from a file holding exactly the
proven leaves' bytes, concatenated in order (--chunk).

Exit codes: 0 every proof holds; 1 a proof fails (its code is printed); 2 usage error.

Example:
  lineproof hash check-proof --proof part.proof.json --chunk part.bin \\
    --digest sha256-tree-v1-1048576:3f1c...
`;

function parseRange(text: string): { start: number; end: number } {
  const m = /^(\d+):(\d+)$/.exec(text);
  if (!m) throw usage(`hash prove: --range expected START:END in bytes, got ${JSON.stringify(text)}`);
  return { start: Number(m[1]), end: Number(m[2]) };
}

export const hashProveCommand: Command = {
  name: 'hash prove',
  summary: "write inclusion proofs for a leaf or byte range of a file's chunk tree",
  help: PROVE_HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      'hash prove',
      args,
      {
        leaf: { type: 'string' },
        range: { type: 'string' },
        'leaf-bytes': { type: 'string' },
        workers: { type: 'string' },
        out: { type: 'string' },
      },
      { min: 1, max: 1 },
    );
    if ((values.leaf === undefined) === (values.range === undefined))
      throw usage('hash prove: give exactly one of --leaf or --range');
    const leafBytes =
      intOption('hash prove', 'leaf-bytes', values['leaf-bytes'], 65536, 67108864) ?? TREE_DEFAULT_LEAF_BYTES;
    if (!parseTreeAlgorithm(`sha256-tree-v1-${leafBytes}`))
      throw usage(`hash prove: --leaf-bytes must be a power of two from 65536 to 67108864, got ${leafBytes}`);
    const workers = intOption('hash prove', 'workers', values.workers, 0, 256);
    const path = resolvePath(ctx, positionals[0]!);
    const result = await asExit(EXIT.USAGE, () =>
      hashFileTree(path, { leafBytes, keepLeafHashes: true, ...(workers === undefined ? {} : { workers }) }),
    );
    let first: number;
    let last: number;
    let range: { start: number; end: number } | undefined;
    if (values.leaf !== undefined) {
      const leaf = intOption('hash prove', 'leaf', values.leaf, 0, Number.MAX_SAFE_INTEGER)!;
      const n = result.leafHashes!.length;
      if (leaf >= n) throw usage(`hash prove: --leaf ${leaf} is outside the file's ${n} leaves`);
      first = last = leaf;
    } else {
      range = parseRange(values.range!);
      try {
        ({ first, last } = leavesForRange(range.start, range.end, result.totalLength, leafBytes));
      } catch (e) {
        throw usage(`hash prove: ${(e as Error).message}`);
      }
    }
    const proofs: InclusionProof[] = [];
    for (let i = first; i <= last; i++) proofs.push(proveLeaf(result.leafHashes!, i, result.totalLength, leafBytes));
    const doc: ProofDocument = {
      proofVersion: 1,
      digest: `${result.algorithm}:${result.root}`,
      ...(range ? { range } : {}),
      proofs,
    };
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    if (values.out) writeFileSync(resolvePath(ctx, values.out), text);
    else ctx.io.stdout(text);
    return EXIT.OK;
  },
};

function readProofDocument(bytes: Uint8Array, what: string): ProofDocument {
  const v = parseJson(bytes, { what });
  if (
    !isJsonObject(v) ||
    v.proofVersion !== 1 ||
    typeof v.digest !== 'string' ||
    !Array.isArray(v.proofs) ||
    v.proofs.length === 0
  ) {
    throw new LineproofError(
      'TREE_PROOF_INVALID',
      `${what}: expected a proof document {proofVersion: 1, digest, proofs: [...]}`,
      { path: what },
    );
  }
  return v as unknown as ProofDocument;
}

function readAt(path: string, what: string, offset: number, length: number): Uint8Array {
  let fd: number;
  try {
    ({ fd } = openRegularFile(path, what));
  } catch (e) {
    if (e instanceof LineproofError)
      throw new CliError(EXIT.USAGE, `${e.code}: hash check-proof: ${e.message}`, e.code);
    throw e;
  }
  try {
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

export const hashCheckProofCommand: Command = {
  name: 'hash check-proof',
  summary: 'check chunk-tree inclusion proofs against a trusted tree digest',
  help: CHECK_HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('hash check-proof', args, {
      proof: { type: 'string' },
      digest: { type: 'string' },
      file: { type: 'string' },
      chunk: { type: 'string' },
      json: { type: 'boolean' },
    });
    const proofPath = required('hash check-proof', values, 'proof');
    const digestText = required('hash check-proof', values, 'digest');
    if ((values.file === undefined) === (values.chunk === undefined))
      throw usage('hash check-proof: give exactly one of --file or --chunk');
    let trusted: { alg: string; hex: string };
    try {
      trusted = parseDigest(digestText, '--digest');
    } catch (e) {
      throw usage(`hash check-proof: ${(e as Error).message}`);
    }
    const tree = parseTreeAlgorithm(trusted.alg);
    if (!tree)
      throw usage(
        `hash check-proof: --digest must be a tree digest sha256-tree-v1-<leafBytes>:<hex>, got algorithm ${trusted.alg}`,
      );
    const docBytes = await asExit(EXIT.USAGE, () => readFileLimited(resolvePath(ctx, proofPath), 64 << 20, proofPath));
    const outcomes: Array<{ leafIndex: number; ok: boolean; code: string; message: string }> = [];
    let doc: ProofDocument;
    try {
      doc = readProofDocument(docBytes, proofPath);
    } catch (e) {
      const code = e instanceof LineproofError ? e.code : 'INTERNAL';
      ctx.io.stderr(`lineproof: ${code}: ${(e as Error).message}\n`);
      return EXIT.FAIL;
    }
    const root = fromHex(trusted.hex);
    const firstLeaf = Math.min(...doc.proofs.map((p) => (typeof p?.leafIndex === 'number' ? p.leafIndex : 0)));
    for (const proof of doc.proofs) {
      try {
        if (proof.leafBytes !== tree.leafBytes) {
          throw new LineproofError(
            'TREE_PROOF_INVALID',
            `proof for leaf ${proof.leafIndex} uses leafBytes ${proof.leafBytes}, the trusted digest ${tree.leafBytes}`,
          );
        }
        const len =
          proof.leafIndex === proof.treeSize - 1
            ? proof.totalLength - proof.leafIndex * proof.leafBytes
            : proof.leafBytes;
        if (!Number.isSafeInteger(len) || len < 0 || len > proof.leafBytes)
          throw new LineproofError('TREE_PROOF_INVALID', `proof for leaf ${String(proof.leafIndex)} is inconsistent`);
        const bytes =
          values.file !== undefined
            ? readAt(resolvePath(ctx, values.file), values.file, proof.leafIndex * proof.leafBytes, len)
            : readAt(
                resolvePath(ctx, values.chunk!),
                values.chunk!,
                (proof.leafIndex - firstLeaf) * proof.leafBytes,
                len,
              );
        verifyLeafProof(root, bytes, proof);
        outcomes.push({
          leafIndex: proof.leafIndex,
          ok: true,
          code: 'OK',
          message: `leaf ${proof.leafIndex} is in the tree`,
        });
      } catch (e) {
        if (e instanceof CliError) throw e;
        const code = e instanceof LineproofError ? e.code : 'INTERNAL';
        outcomes.push({ leafIndex: proof?.leafIndex, ok: false, code, message: (e as Error).message });
      }
    }
    const ok = outcomes.length > 0 && outcomes.every((o) => o.ok);
    if (values.json) ctx.io.stdout(`${JSON.stringify({ ok, digest: digestText, leaves: outcomes }, null, 2)}\n`);
    else {
      for (const o of outcomes) if (!o.ok) ctx.io.stdout(`FAIL leaf ${o.leafIndex}: ${o.code}: ${o.message}\n`);
      ctx.io.stdout(
        ok
          ? `OK: ${outcomes.length} leaf proof(s) hold for ${digestText.slice(0, 40)}…\n`
          : `FAILED: ${outcomes.filter((o) => !o.ok).length} of ${outcomes.length} leaf proof(s) failed\n`,
      );
    }
    return ok ? EXIT.OK : EXIT.FAIL;
  },
};
