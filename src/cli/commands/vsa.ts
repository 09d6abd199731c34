/**
 * `lineproof vsa verify|show`: SLSA verification summaries (decisions §9, spec/vsa.md), as
 * `lineproof verify --vsa-key` writes them. `verify` checks one against the policy's verifier role
 * (or given keys); `show` prints one without verifying it.
 */
import { toHex } from '../../bytes/index.js';
import { parseDigest } from '../../digest/index.js';
import { parseEnvelope } from '../../dsse/envelope.js';
import { LineproofError } from '../../errors.js';
import { parseJson } from '../../json/strict.js';
import type { PublicKey } from '../../keys/types.js';
import { DEFAULT_LIMITS } from '../../limits.js';
import { nodeEd25519Verifier } from '../../node/ed25519.js';
import { readFileLimited } from '../../node/fs.js';
import { loadPublicKey } from '../../node/keys.js';
import { readStdinLimited } from '../../node/stdin.js';
import type { Policy } from '../../policy/policy.js';
import type { PolicyResolution } from '../../policy/signed.js';
import { ReportBuilder, type Report } from '../../report/index.js';
import { verifyAuditPage } from '../../audit/page.js';
import { cliVersion } from '../version.js';
import { parseStatement, payloadDigest } from '../../statements/statement.js';
import { readVsaStatement, type VsaStatement } from '../../verify/vsa/predicate.js';
import { verifyVerificationSummary, type VerifySummaryOptions } from '../../verify/vsa/verify.js';
import { atOption, intOption, parseCommandArgs, resolvePath } from '../args.js';
import { asExit, CliError, usage } from '../errors.js';
import { EXIT, type CliContext, type Command, type ExitCode } from '../types.js';
import { loadPolicies, POLICY_OPTIONS, POLICY_OPTIONS_HELP, refusalExit } from './policy-load.js';

const VERIFY_HELP = `Usage: lineproof vsa verify (SUMMARY | --from-html PAGE) (--policy POLICY | --key PUB [--key PUB ...] [--threshold N])
                          [--resource sha256:HEX|NAME ...] [--policy-digest sha256:HEX]
                          [--expect-result PASSED|FAILED] [--max-age AGE] [--at TIME] [--json]

Check a SLSA verification summary (a VSA, as 'lineproof verify --vsa-key' writes it): the DSSE
signature (strict, over the exact payload), signed by the policy's verifier role (its threshold of
distinct identities, keys standing at timeVerified) or by the given keys; a VSA v1 predicate;
verifier.id https://lineproof.dev/verifier/v1; the policy it names (the given policy's uri and
digest, or --policy-digest); the artifact (--resource); the result (PASSED unless --expect-result)
and verifiedLevels LINEPROOF_CHAIN_V1; timeVerified not after --at (+300 s) and, with --max-age,
not older. A summary is only as good as the verifier key: it does not replace verifying the chain.

With --from-html PAGE (an audit page 'lineproof report --vsa-key' wrote), the summary embedded
in the page is checked as above, for the artifact the page shows, and so is the page: one embedded
audit document, whose verdict, artifact and attestations relied on are the ones the page marks
and the summary signs (verificationResult, subject, inputAttestations, policy digest); a page
naming this version of Lineproof must be exactly the rendering of its document (AUDIT_PAGE_*).

Options:
  --from-html PAGE   check the summary an HTML audit page embeds, and the page against it
${POLICY_OPTIONS_HELP}
  --key PUB          trust this public key instead of a policy (repeatable; PEM, sslib JSON, hex)
  --threshold N      with --key: distinct keys that must have signed (default 1)
  --resource R       the artifact: sha256:<hex> (a subject digest must match) or a name (the
                     resourceUri must equal it); repeat to require both. Without it the summary is
                     not matched to an artifact (listed as skipped)
  --policy-digest D  the policy the summary must name (default with --policy: that policy's digest)
  --expect-result R  PASSED (default) or FAILED
  --max-age AGE      the summary must be at most AGE old at --at: N followed by d, h, m or s (30d)
  --at TIME          check as of TIME (RFC 3339 with Z or an offset); default: now
  --json             print the report (JSON, spec/report.md; kind vsa) instead of the summary

Exit codes: 0 verified; 1 the summary fails (including one that cannot be parsed), or the policy is
refused under --policy-root / --min-policy-version; 2 usage error, an unreadable or invalid policy
or key file.

Examples:
  lineproof vsa verify model.vsa.json --policy policy.json --resource sha256:… --max-age 30d
  lineproof vsa verify --from-html report.html --policy policy.json
`;

const SHOW_HELP = `Usage: lineproof vsa show SUMMARY [--json]

Print a verification summary without verifying it: the payload digest, signatures' keyid hints,
subject, verifier, timeVerified, resourceUri, policy, result and levels, and the input
attestations (payload digests). Use 'lineproof vsa verify' to check it.

Exit codes: 0 shown; 1 the file is not a verification summary envelope; 2 usage error, unreadable file.

Example:
  lineproof vsa show model.vsa.json --json
`;

/** The largest audit page read by --from-html. */
const MAX_PAGE_BYTES = 64 * 1024 * 1024;

/** `--max-age N[dhms]` in seconds. */
function maxAge(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^([0-9]{1,9})([dhms])$/.exec(text);
  if (!m)
    throw usage(`vsa verify: --max-age expected N followed by d, h, m or s (e.g. 30d), got ${JSON.stringify(text)}`);
  return Number(m[1]) * { d: 86_400, h: 3_600, m: 60, s: 1 }[m[2] as 'd' | 'h' | 'm' | 's'];
}

/** Read the summary file (or standard input): exit 2 when unreadable; too large is evidence failing (exit 1). */
async function readSummary(ctx: CliContext, path: string, max?: number): Promise<Uint8Array | LineproofError> {
  const limit = max ?? DEFAULT_LIMITS.envelopeBytes;
  try {
    return path === '-' ? await readStdinLimited(limit) : readFileLimited(resolvePath(ctx, path), limit, path);
  } catch (e) {
    if (e instanceof LineproofError && e.code === 'LIMIT_EXCEEDED') return e;
    return asExit(EXIT.USAGE, () => {
      throw e;
    });
  }
}

/** --resource values: digests (the subject) and names (the resourceUri), at most one of each. */
function resources(values: string[] | undefined): Pick<VerifySummaryOptions, 'subject' | 'resourceUri'> {
  const out: Pick<VerifySummaryOptions, 'subject' | 'resourceUri'> = {};
  for (const r of values ?? []) {
    if (r === '') throw usage('vsa verify: --resource expected sha256:<hex> or a name');
    let digest: boolean;
    try {
      parseDigest(r, '--resource');
      digest = true;
    } catch {
      digest = false;
    }
    const field = digest ? 'subject' : 'resourceUri';
    if (out[field] !== undefined)
      throw usage(`vsa verify: give --resource at most once as a digest and once as a name`);
    out[field] = r;
  }
  return out;
}

function printReport(ctx: CliContext, report: Report, name: string, summary: VsaStatement | undefined): void {
  const lines = report.checks
    .filter((c) => c.status === 'fail')
    .map((c) => `FAIL ${c.code} ${c.id} (${c.subject}): ${c.message}`);
  if (report.ok && summary) {
    const p = summary.predicate;
    const signer = report.checks.find((c) => c.id === 'vsa.signer')?.message ?? '';
    const unmatched = report.checks.some((c) => c.id === 'vsa.subject' && c.status === 'skip');
    lines.push(
      `VERIFIED: ${name}: ${p.verificationResult} for ${p.resourceUri} (${summary.subject.length} subject(s)); policy ${String(p.policy.uri)}; verified at ${p.timeVerified ?? '(no time)'}; ${signer}${unmatched ? '; NOTE: not matched to an artifact (give --resource sha256:…)' : ''}`,
    );
  } else if (report.ok && report.kind === 'audit-page') {
    const said = report.checks.find((c) => c.id === 'audit.summary')?.message ?? '';
    lines.push(`VERIFIED: ${name}: ${said}`);
  } else {
    const n = report.checks.filter((c) => c.status === 'fail').length;
    lines.push(`NOT VERIFIED: ${name} (${n} failed check${n === 1 ? '' : 's'}; as of ${report.asOf})`);
  }
  ctx.io.stdout(`${lines.join('\n')}\n`);
}

/** The trust: a resolved policy, or the --key files. Exit 1 (a report) when the policy is refused. */
async function trust(
  ctx: CliContext,
  values: { policy?: string[]; 'policy-root'?: string; 'min-policy-version'?: string; key?: string[] },
): Promise<{ policy: Policy } | { keys: PublicKey[] } | { refused: Extract<PolicyResolution, { ok: false }> }> {
  const policies = values.policy ?? [];
  const keys = values.key ?? [];
  if ((policies.length === 0) === (keys.length === 0))
    throw usage("vsa verify: give --policy POLICY or --key PUB (see 'lineproof vsa verify --help')");
  if (keys.length > 0) {
    const out: PublicKey[] = [];
    for (const p of keys) out.push(await asExit(EXIT.USAGE, () => loadPublicKey(resolvePath(ctx, p), { what: p })));
    return { keys: out };
  }
  const r = await loadPolicies('vsa verify', ctx, policies, values['policy-root'], values['min-policy-version']);
  if (r.ok) return { policy: r.policy };
  if (refusalExit(r) === EXIT.USAGE) throw new CliError(EXIT.USAGE, `${r.code}: ${r.message}`, r.code);
  return { refused: r };
}

export const vsaVerifyCommand: Command = {
  name: 'vsa verify',
  summary: 'check a verification summary (SLSA VSA) against the policy’s verifier role',
  help: VERIFY_HELP,
  async run(args, ctx): Promise<ExitCode> {
    const { values, positionals } = parseCommandArgs(
      'vsa verify',
      args,
      {
        ...POLICY_OPTIONS,
        key: { type: 'string', multiple: true },
        threshold: { type: 'string' },
        resource: { type: 'string', multiple: true },
        'policy-digest': { type: 'string' },
        'expect-result': { type: 'string' },
        'max-age': { type: 'string' },
        at: { type: 'string' },
        json: { type: 'boolean' },
        'from-html': { type: 'string' },
      },
      { min: 0, max: 1 },
    );
    const page = values['from-html'];
    if ((positionals.length === 1) === (page !== undefined))
      throw usage("vsa verify: give the SUMMARY file or --from-html PAGE (see 'lineproof vsa verify --help')");
    if (page !== undefined && values.resource !== undefined)
      throw usage('vsa verify: --from-html checks the artifact the page shows; --resource does not apply');
    const file = page ?? positionals[0]!;
    const asOf = atOption('vsa verify', values.at);
    const maxAgeSeconds = maxAge(values['max-age']);
    const expect = values['expect-result'] ?? 'PASSED';
    if (expect !== 'PASSED' && expect !== 'FAILED')
      throw usage(`vsa verify: --expect-result expected PASSED or FAILED, got ${JSON.stringify(expect)}`);
    const digest = values['policy-digest'];
    if (digest !== undefined) await asExit(EXIT.USAGE, () => parseDigest(digest, '--policy-digest', { alg: 'sha256' }));
    const threshold = intOption('vsa verify', 'threshold', values.threshold, 1, 1_000_000);
    const res = resources(values.resource);
    const trusted = await trust(ctx, values);
    if (threshold !== undefined && !('keys' in trusted)) throw usage('vsa verify: --threshold goes with --key');
    const bytes =
      'refused' in trusted ? undefined : await readSummary(ctx, file, page === undefined ? undefined : MAX_PAGE_BYTES);
    let report: Report;
    let summary: VsaStatement | undefined;
    if ('refused' in trusted || bytes instanceof LineproofError) {
      const b = new ReportBuilder('vsa', asOf, null);
      if ('refused' in trusted)
        b.fail('policy.trust', trusted.refused.code, trusted.refused.path, trusted.refused.message);
      else b.failFrom('dsse.envelope', file, bytes);
      b.result({ subject: file, ok: false, chain: [] });
      report = b.build();
    } else {
      const keys = 'keys' in trusted ? trusted.keys : undefined;
      if (keys && threshold !== undefined && threshold > new Set(keys.map((k) => toHex(k.bytes))).size)
        throw usage(`vsa verify: --threshold ${threshold} can never be met with ${keys.length} key(s)`);
      const options = {
        ...('policy' in trusted ? { policy: trusted.policy } : { trustedKeys: keys!, threshold: threshold ?? 1 }),
        ...(digest === undefined ? {} : { policyDigest: digest }),
        expectResult: expect,
        asOf,
        ...(maxAgeSeconds === undefined ? {} : { maxAgeSeconds }),
        verifier: nodeEd25519Verifier,
        what: file,
      } as const;
      if (page !== undefined) {
        report = (await verifyAuditPage(bytes!, { ...options, generator: `lineproof ${cliVersion()}` })).report;
      } else {
        const r = await verifyVerificationSummary(bytes!, { ...options, ...res });
        report = r.report;
        summary = r.summary;
      }
    }
    if (values.json) ctx.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else printReport(ctx, report, file, summary);
    return report.ok ? EXIT.OK : EXIT.FAIL;
  },
};

function showText(file: string, digest: string, keyids: string[], s: VsaStatement): string {
  const p = s.predicate;
  const version = p.verifier.version
    ? ` (${Object.entries(p.verifier.version)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`
    : '';
  const inputs = p.inputAttestations ?? [];
  return [
    `verification summary ${file} (not verified; check it with 'lineproof vsa verify')`,
    `  payload        ${digest}`,
    `  signatures     ${keyids.length} (keyid hints: ${keyids.join(', ') || '-'})`,
    ...s.subject.map(
      (x) =>
        `  subject        ${Object.entries(x.digest)
          .map(([a, h]) => `${a}:${h}`)
          .join(' ')}${x.name ? ` (${x.name})` : ''}`,
    ),
    `  verifier       ${p.verifier.id}${version}`,
    `  timeVerified   ${p.timeVerified ?? '-'}`,
    `  resourceUri    ${p.resourceUri}`,
    `  policy         ${String(p.policy.uri)} sha256:${p.policy.digest?.sha256 ?? '-'}`,
    `  result         ${p.verificationResult} [${p.verifiedLevels.join(', ')}]`,
    `  inputs         ${inputs.length} attestation(s)`,
    ...inputs.map((a) => `    sha256:${a.digest?.sha256 ?? '-'}${a.uri ? ` ${a.uri}` : ''}`),
    '',
  ].join('\n');
}

export const vsaShowCommand: Command = {
  name: 'vsa show',
  summary: 'print a verification summary (SLSA VSA) without verifying it',
  help: SHOW_HELP,
  async run(args, ctx): Promise<ExitCode> {
    const { values, positionals } = parseCommandArgs(
      'vsa show',
      args,
      { json: { type: 'boolean' } },
      { min: 1, max: 1 },
    );
    const file = positionals[0]!;
    const bytes = await readSummary(ctx, file);
    if (bytes instanceof LineproofError) throw new CliError(EXIT.FAIL, `${bytes.code}: ${bytes.message}`, bytes.code);
    const { env, value, vsa } = await asExit(EXIT.FAIL, () => {
      const env = parseEnvelope(bytes, { what: file });
      const value = parseJson(env.payload, { what: `${file}: payload` });
      return { env, value, vsa: readVsaStatement(parseStatement(value, `${file}: payload`)) };
    });
    const digest = payloadDigest(env.payload);
    const keyids = env.signatures.map((s) => s.keyid ?? '-');
    if (values.json) {
      const out = {
        payloadType: env.payloadType,
        payloadDigest: digest,
        signatures: keyids.map((keyid) => ({ keyid })),
        statement: value,
      };
      ctx.io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    } else ctx.io.stdout(showText(file, digest, keyids, vsa));
    return EXIT.OK;
  },
};
