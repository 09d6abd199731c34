/** `lineproof hash prove`: prove leaves (a byte range) of a file's chunk tree; the proof document both hash commands share. */
import { writeFileSync } from 'node:fs';
import {
  leavesForRange,
  parseTreeAlgorithm,
  proveLeaf,
  TREE_DEFAULT_LEAF_BYTES,
  type InclusionProof,
} from '../../hashing/tree.js';
import { hashFileTree } from '../../node/tree-pool.js';
import { intOption, parseCommandArgs, resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type Command } from '../types.js';

/** The proof document `hash prove` writes and `hash check-proof` reads. */
export interface ProofDocument {
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
