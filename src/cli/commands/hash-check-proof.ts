/** `lineproof hash check-proof`: check leaf proofs of a chunk tree against a trusted digest. */
import { closeSync, readSync } from 'node:fs';
import { fromHex } from '../../bytes/index.js';
import { parseDigest } from '../../digest/index.js';
import { LineproofError } from '../../errors.js';
import { parseTreeAlgorithm, verifyLeafProof } from '../../hashing/tree.js';
import { parseJson, isJsonObject } from '../../json/strict.js';
import { openRegularFile, readFileLimited } from '../../node/fs.js';
import { parseCommandArgs, required, resolvePath } from '../args.js';
import { asExit, CliError, usage } from '../errors.js';
import { EXIT, type Command } from '../types.js';
import type { ProofDocument } from './hash-proof.js';

const CHECK_HELP = `Usage: lineproof hash check-proof --proof PROOF.json --digest sha256-tree-v1-N:HEX (--file FILE | --chunk BYTES) [--json]

Check inclusion proofs against a TRUSTED tree digest (from a verified attestation, never from the
proof itself). The bytes come from the whole file (--file) or from a file holding exactly the
proven leaves' bytes, concatenated in order (--chunk).

Exit codes: 0 every proof holds; 1 a proof fails (its code is printed); 2 usage error.

Example:
  lineproof hash check-proof --proof part.proof.json --chunk part.bin \\
    --digest sha256-tree-v1-1048576:3f1c...
`;

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
