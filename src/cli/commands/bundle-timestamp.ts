import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { attachTimestamps, bundleSignatures } from '../../bundle/timestamps.js';
import { readFileLimited, writeFileChecked } from '../../node/fs.js';
import { certificatesFromPem } from '../../pki/x509.js';
import {
  MAX_TIMESTAMP_TOKEN_BYTES,
  timestampRequest,
  timestampTokenFromResponse,
  verifyTimestampToken,
  type ImprintHash,
} from '../../pki/rfc3161.js';
import { parseCommandArgs, required, resolvePath } from '../args.js';
import { asExit, CliError, usage } from '../errors.js';
import { EXIT, type CliContext, type Command } from '../types.js';

const MAX_BUNDLE_BYTES = 1024 * 1024 * 1024;

const QUERY_HELP = `Usage: lineproof bundle timestamp-query --chain BUNDLE --out-dir DIR [--hash sha256|sha384|sha512]
                                     [--payload DIGEST ...] [--json]

Write one RFC 3161 TimeStampReq (DER, .tsq) per signature of the bundle, for a timestamp authority
to answer; then put the answers in with 'lineproof bundle timestamp-attach'. A policy role with
requireTimestamp counts only signatures stamped by one of its timestampAuthorities, and judges key
windows at the token's time rather than the statement's own issuedAt (spec/policy.md).

Options:
  --chain BUNDLE     the .intoto.jsonl bundle
  --out-dir DIR      where to write the requests (created if missing): line<L>-sig<I>.tsq
  --hash H           the imprint hash (default sha256)
  --payload DIGEST   only signatures of envelopes with this payload digest (sha256:<hex>; repeatable)
  --json             print the requests written as JSON

Exit codes: 0 written; 1 the bundle has no signature to stamp; 2 usage error, an unreadable
bundle, or a request that cannot be written.

Example (an HTTP timestamp authority takes the request as application/timestamp-query):
  lineproof bundle timestamp-query --chain model.intoto.jsonl --out-dir tsq
  curl -sS -H 'Content-Type: application/timestamp-query' --data-binary @tsq/line4-sig0.tsq \\
    https://tsa.example.com/ -o tsq/line4-sig0.tsr
  lineproof bundle timestamp-attach --chain model.intoto.jsonl --response tsq/line4-sig0.tsr \\
    --tsa-roots tsa-root.pem --out model.intoto.jsonl
`;

const ATTACH_HELP = `Usage: lineproof bundle timestamp-attach --chain BUNDLE --response TSR [--response TSR ...]
                                      [--tsa-roots PEM] [--out FILE] [--json]

Put each RFC 3161 timestamp (a TimeStampResp, .tsr, or a bare token) beside the signature it is
over: that signature becomes a Sigstore bundle line carrying the token (a Sigstore line gets the
token added), the envelope's other signatures stay where they are. With --tsa-roots each token is
verified first (its authority's path at its genTime, the ESS signing-certificate attribute, the
critical timeStamping key usage), and one that does not verify is refused. Without it nothing is
verified here: the verifier checks tokens against the policy's timestampAuthorities.

Options:
  --chain BUNDLE     the .intoto.jsonl bundle
  --response TSR     a TimeStampResp or token (DER; repeatable)
  --tsa-roots PEM    the timestamp authority's root certificates (PEM): verify each token first
  --out FILE         where to write the bundle (default: standard output; may be BUNDLE itself)
  --json             print what was attached as JSON (the bundle then needs --out)

Exit codes: 0 every token attached; 1 a token over no signature of the bundle, a response not
granted, or (with --tsa-roots) a token that does not verify; 2 usage error, an unreadable input, or
the output not writable.

Example:
  lineproof bundle timestamp-attach --chain model.intoto.jsonl --response tsq/line4-sig0.tsr \\
    --tsa-roots tsa-root.pem --out model.intoto.jsonl
`;

function readBundleFile(ctx: CliContext, path: string): Promise<Uint8Array> {
  return asExit(EXIT.USAGE, () => readFileLimited(resolvePath(ctx, path), MAX_BUNDLE_BYTES, path));
}

const HASHES: readonly ImprintHash[] = ['sha256', 'sha384', 'sha512'];

export const bundleTimestampQueryCommand: Command = {
  name: 'bundle timestamp-query',
  summary: 'write an RFC 3161 timestamp request per signature of a bundle',
  help: QUERY_HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('bundle timestamp-query', args, {
      chain: { type: 'string' },
      'out-dir': { type: 'string' },
      hash: { type: 'string' },
      payload: { type: 'string', multiple: true },
      json: { type: 'boolean' },
    });
    const chain = required('bundle timestamp-query', values, 'chain');
    const dir = required('bundle timestamp-query', values, 'out-dir');
    const hash = (values.hash ?? 'sha256') as ImprintHash;
    if (!HASHES.includes(hash))
      throw usage(`bundle timestamp-query: --hash: expected one of ${HASHES.join(', ')}, got ${JSON.stringify(hash)}`);
    const only = values.payload ? new Set(values.payload) : undefined;
    const sigs = bundleSignatures(await readBundleFile(ctx, chain)).filter((s) => !only || only.has(s.payloadDigest));
    if (sigs.length === 0) {
      ctx.io.stderr(`lineproof: ${chain}: no signature to stamp${only ? ' with the --payload digests given' : ''}\n`);
      return EXIT.FAIL;
    }
    const root = resolvePath(ctx, dir);
    const written = await asExit(EXIT.USAGE, () => {
      mkdirSync(root, { recursive: true });
      return sigs.map((s) => {
        const name = `line${s.line}-sig${s.index}.tsq`;
        const req = timestampRequest(s.sig, { hash, nonce: new Uint8Array(randomBytes(8)), certReq: true });
        writeFileChecked(join(root, name), req, { what: join(dir, name) });
        return {
          file: join(dir, name),
          line: s.line,
          index: s.index,
          payloadDigest: s.payloadDigest,
          ...(s.keyid ? { keyid: s.keyid } : {}),
        };
      });
    });
    if (values.json) ctx.io.stdout(`${JSON.stringify({ requests: written }, null, 2)}\n`);
    else {
      for (const w of written)
        ctx.io.stdout(`wrote ${w.file} (line ${w.line}, signature ${w.index}${w.keyid ? `, keyid ${w.keyid}` : ''})\n`);
      ctx.io.stdout(
        `send each to a timestamp authority (Content-Type: application/timestamp-query), then: lineproof bundle timestamp-attach --chain ${chain} --response FILE.tsr ...\n`,
      );
    }
    return EXIT.OK;
  },
};

export const bundleTimestampAttachCommand: Command = {
  name: 'bundle timestamp-attach',
  summary: 'put RFC 3161 timestamps beside the signatures they are over',
  help: ATTACH_HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('bundle timestamp-attach', args, {
      chain: { type: 'string' },
      response: { type: 'string', multiple: true },
      'tsa-roots': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    });
    const chain = required('bundle timestamp-attach', values, 'chain');
    const responses = values.response ?? [];
    if (responses.length === 0) throw usage('bundle timestamp-attach: give at least one --response FILE');
    if (values.json && values.out === undefined)
      throw usage('bundle timestamp-attach: --json prints the summary: give --out FILE for the bundle');
    const bundle = await readBundleFile(ctx, chain);
    const anchors = values['tsa-roots']
      ? await asExit(EXIT.USAGE, () =>
          certificatesFromPem(
            new TextDecoder().decode(
              readFileLimited(resolvePath(ctx, values['tsa-roots']!), 1 << 20, values['tsa-roots']),
            ),
            values['tsa-roots'],
          ),
        )
      : undefined;
    const tokens: Uint8Array[] = [];
    for (const r of responses) {
      const der = await asExit(EXIT.USAGE, () => readFileLimited(resolvePath(ctx, r), MAX_TIMESTAMP_TOKEN_BYTES, r));
      const fromResp = timestampTokenFromResponse(der);
      // a bare token is a ContentInfo, not a TimeStampResp: take it as it is
      tokens.push(fromResp.ok ? fromResp.token : der);
      if (!fromResp.ok && /status \d/.test(fromResp.message))
        throw new CliError(EXIT.FAIL, `${r}: ${fromResp.code}: ${fromResp.message}`, fromResp.code);
    }
    const result = attachTimestamps(bundle, tokens);
    if (result.unmatched.length > 0)
      throw new CliError(
        EXIT.FAIL,
        `TIMESTAMP_MISMATCH: ${result.unmatched.map((k) => responses[k]).join(', ')}: over no signature of ${chain} (or not a timestamp token)`,
        'TIMESTAMP_MISMATCH',
      );
    if (anchors) {
      for (const a of result.attached) {
        const v = await verifyTimestampToken({
          token: tokens[a.token]!,
          signature: a.signature,
          anchors,
          what: responses[a.token]!,
        });
        if (!v.ok) throw new CliError(EXIT.FAIL, `${v.code}: ${v.message}`, v.code);
      }
    }
    if (values.out === undefined || values.out === '-') ctx.io.stdout(result.bundle);
    else
      await asExit(EXIT.USAGE, () =>
        writeFileChecked(resolvePath(ctx, values.out!), result.bundle, { what: values.out!, atomic: true }),
      );
    const summary = result.attached.map((a) => ({
      response: responses[a.token],
      line: a.line,
      signature: a.index,
      payloadDigest: a.payloadDigest,
    }));
    if (values.json) ctx.io.stdout(`${JSON.stringify({ attached: summary }, null, 2)}\n`);
    else if (values.out !== undefined && values.out !== '-')
      for (const s of summary) ctx.io.stderr(`attached ${s.response} to line ${s.line}, signature ${s.signature}\n`);
    return EXIT.OK;
  },
};
