import { equalBytes, isAscii } from '../../bytes/index.js';
import { verifyEnvelope } from '../../dsse/verify.js';
import { LineproofError } from '../../errors.js';
import type { PublicKey } from '../../keys/types.js';
import { DEFAULT_LIMITS } from '../../limits.js';
import { nodeEd25519Verifier } from '../../node/ed25519.js';
import { readFileLimited } from '../../node/fs.js';
import { readStdinLimited } from '../../node/stdin.js';
import { loadPublicKey } from '../../node/keys.js';
import { ReportBuilder, type Report } from '../../report/index.js';
import { parseCommandArgs, intOption, required, resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type CliContext, type Command } from '../types.js';
import { writeFileChecked } from '../../node/fs.js';

const HELP = `Usage: lineproof dsse verify --key PUB [--key PUB ...] [--threshold N] [--type T] --in ENVELOPE [--json] [--out-payload FILE]

Verify a DSSE envelope against trusted public keys, in this order: decode (strict JSON and
base64, at most 16 signatures) -> PAE over the exact payload bytes -> every signature against
every trusted key (the keyid is only a hint) -> at least N distinct trusted keys signed -> the
payloadType equals T (when --type is given) -> for in-toto payloads, the payload is a valid
in-toto Statement v1.

Options:
  --key PUB            a trusted public key file (repeat for several): PEM SPKI, securesystemslib
                       key JSON, hex, DER or raw; duplicates count once
  --threshold N        distinct trusted keys that must have signed (default 1; at most the number
                       of distinct keys)
  --type T             require this exact payloadType (e.g. application/vnd.in-toto+json)
  --in ENVELOPE        the envelope file (- for standard input)
  --json               print the verification report (JSON) instead of the summary
  --out-payload FILE   when verified, write the payload bytes to FILE (nothing is written otherwise)

Output: one line per failed check (and why signatures were not counted), then the verdict.

Exit codes: 0 verified; 1 the envelope fails (including one that cannot be parsed); 2 usage
error, an unreadable or invalid key file, or a threshold that can never be met.

Example:
  lineproof dsse verify --key keys/alice.pub --type application/vnd.in-toto+json --in statement.intoto.json
`;

function dedupeCount(keys: PublicKey[]): number {
  const seen: PublicKey[] = [];
  for (const k of keys) if (!seen.some((s) => equalBytes(s.bytes, k.bytes))) seen.push(k);
  return seen.length;
}

function summary(ctx: CliContext, report: Report, name: string): void {
  const lines: string[] = [];
  for (const c of report.checks) {
    if (c.status === 'fail') lines.push(`FAIL ${c.id} ${c.code} (${c.subject}): ${c.message}`);
    else if (!report.ok && c.status === 'skip' && c.code !== 'OK')
      lines.push(`note ${c.id} ${c.code} (${c.subject}): ${c.message}`);
  }
  if (report.ok) {
    const threshold = report.checks.find((c) => c.id === 'dsse.threshold');
    const subject = report.results[0]?.subject ?? '';
    lines.push(`verified: ${name} (payload ${subject}; ${threshold?.message ?? ''})`);
  } else {
    const n = report.checks.filter((c) => c.status === 'fail').length;
    lines.push(`NOT VERIFIED: ${name} (${n} failed check${n === 1 ? '' : 's'})`);
  }
  ctx.io.stdout(`${lines.join('\n')}\n`);
}

export const dsseVerifyCommand: Command = {
  name: 'dsse verify',
  summary: 'verify a DSSE envelope against trusted Ed25519 public keys',
  help: HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('dsse verify', args, {
      key: { type: 'string', multiple: true },
      threshold: { type: 'string' },
      type: { type: 'string' },
      in: { type: 'string' },
      json: { type: 'boolean' },
      'out-payload': { type: 'string' },
    });
    const keyPaths = values.key ?? [];
    if (keyPaths.length === 0) throw usage(`dsse verify: --key is required (see 'lineproof dsse verify --help')`);
    const input = required('dsse verify', values, 'in');
    const threshold = intOption('dsse verify', 'threshold', values.threshold, 1, 1_000_000) ?? 1;
    const payloadType = values.type;
    if (payloadType !== undefined && !isAscii(payloadType))
      throw usage('dsse verify: --type must be ASCII (DSSE payloadTypes are)');

    const keys: PublicKey[] = [];
    for (const p of keyPaths)
      keys.push(await asExit(EXIT.USAGE, () => loadPublicKey(resolvePath(ctx, p), { what: p })));
    const distinct = dedupeCount(keys);
    if (threshold > distinct) {
      throw usage(
        `dsse verify: --threshold ${threshold} can never be met with ${distinct} distinct trusted key${distinct === 1 ? '' : 's'}`,
      );
    }

    let bytes: Uint8Array;
    try {
      bytes =
        input === '-'
          ? await readStdinLimited(DEFAULT_LIMITS.envelopeBytes)
          : readFileLimited(resolvePath(ctx, input), DEFAULT_LIMITS.envelopeBytes, input);
    } catch (e) {
      if (e instanceof LineproofError && e.code === 'LIMIT_EXCEEDED') {
        // Evidence too large to be an envelope: it fails (exit 1), with a report.
        const b = new ReportBuilder('dsse');
        b.failFrom('dsse.envelope', input, e);
        b.result({ subject: input, ok: false, chain: [] });
        const report = b.build();
        if (values.json) ctx.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        else summary(ctx, report, input);
        return EXIT.FAIL;
      }
      return asExit(EXIT.USAGE, () => {
        throw e;
      });
    }

    const result = await verifyEnvelope(bytes, {
      trustedKeys: keys,
      threshold,
      verifier: nodeEd25519Verifier,
      what: input,
      ...(payloadType !== undefined ? { payloadType } : {}),
    });
    if (values.json) ctx.io.stdout(`${JSON.stringify(result.report, null, 2)}\n`);
    else summary(ctx, result.report, input);

    const outPayload = values['out-payload'];
    if (result.report.ok && result.payload && outPayload !== undefined) {
      const out = resolvePath(ctx, outPayload);
      await asExit(EXIT.USAGE, () => {
        writeFileChecked(out, result.payload!, { what: outPayload });
      });
    }
    return result.report.ok ? EXIT.OK : EXIT.FAIL;
  },
};
