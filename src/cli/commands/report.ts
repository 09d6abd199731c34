/**
 * `lineproof report`: verify as `verify` does, then render the verdict for people — a
 * self-contained HTML page (decisions §12) with the lineage drawn and an AI card, Markdown for a
 * pull request, or the lineage graph as DOT or Mermaid (spec/audit.md). With --vsa-key the page
 * embeds the signed verification summary, so that `vsa verify --from-html` can check it.
 */
import { buildAudit } from '../../audit/build.js';
import { renderLineageDot, renderLineageMermaid } from '../../audit/graph.js';
import { renderAuditHtml } from '../../audit/html.js';
import { renderAuditMarkdown } from '../../audit/markdown.js';
import type { Audit } from '../../audit/types.js';
import { digestText } from '../../digest/index.js';
import { nodeEd25519Verifier } from '../../node/ed25519.js';
import { writeFileChecked } from '../../node/fs.js';
import { parseCommandArgs, resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type Command } from '../types.js';
import { cliVersion } from '../version.js';
import { POLICY_OPTIONS_HELP } from './policy-load.js';
import { runVerify, VERIFY_OPTIONS } from './verify-run.js';
import { emitVsa, VSA_OPTIONS_HELP } from './verify-vsa.js';

const FORMATS = ['html', 'md', 'dot', 'mermaid', 'json'] as const;
type Format = (typeof FORMATS)[number];

const HELP = `Usage: lineproof report --chain BUNDLE --policy POLICY (--artifact PATH | --digest ALG:HEX)
                        (--use-case ID | --any-use-case) [--format html|md|dot|mermaid|json]
                        [--out FILE | --html FILE] [--vsa-key KEY [--vsa-out FILE] [--vsa-append]]
                        [every other option of 'lineproof verify']

Verify the chain exactly as 'lineproof verify' does, then write the verdict for people:
  html     one self-contained page (no script, no network, no external asset; the
           Content-Security-Policy default-src 'none'): the verdict, why it failed, the lineage
           drawn (datasets -> training -> evaluations -> registration/approval -> promotion, base
           models, failing and revoked steps marked), each stage's signers and times, metrics
           against their gates, the policy, an AI card (owner, use cases and tiers, limitations,
           license, evaluation, approval window, runtime scope) and every check with its code
  md       Markdown for a pull-request comment, with the lineage as a Mermaid diagram
  dot      the lineage graph in Graphviz DOT;  mermaid  the lineage as a Mermaid flowchart
  json     the audit document the others are rendered from (spec/audit.md)

Options:
  --format F         the output format (default html)
  --out FILE         write it to FILE (default: standard output)
  --html FILE        the same as --format html --out FILE
  --vsa-key KEY      sign the verdict as a verification summary (spec/vsa.md) and embed it in the
                     page, where 'lineproof vsa verify --from-html FILE' checks it; --vsa-out and
                     --vsa-append also write it out as 'verify' does
  --json             with --out: print the verification report (as 'verify --json') on standard output
${POLICY_OPTIONS_HELP}
  (--chain, --artifact, --digest, --use-case, --any-use-case, --stage, --environment, --min-tier,
   --revocations, --min-revocation-sequence, --at, --max-untrusted-checks, --trusted-root: as
   'lineproof verify --help' says)
${VSA_OPTIONS_HELP}

Exit codes: as 'verify' — 0 verified, 1 the evidence fails (the report is written either way),
2 usage or input error (nothing is written).

Examples:
  lineproof report --chain model.intoto.jsonl --policy policy.json --artifact ./model \\
    --use-case support-chat --html report.html
  lineproof report --chain model.intoto.jsonl --policy policy.json --artifact ./model \\
    --use-case support-chat --format md > comment.md
  lineproof report --chain model.intoto.jsonl --policy policy.json --digest sha256:… \\
    --use-case support-chat --format dot | dot -Tsvg > lineage.svg
`;

function render(audit: Audit, format: Format): string {
  switch (format) {
    case 'html':
      return renderAuditHtml(audit);
    case 'md':
      return renderAuditMarkdown(audit);
    case 'dot':
      return renderLineageDot(audit);
    case 'mermaid':
      return renderLineageMermaid(audit);
    default:
      return `${JSON.stringify(audit, null, 2)}\n`;
  }
}

/** --format / --out / --html, checked together. */
function readOutput(values: { format?: string; out?: string; html?: string }): { format: Format; out?: string } {
  if (values.html !== undefined && (values.out !== undefined || (values.format ?? 'html') !== 'html'))
    throw usage('report: --html FILE is --format html --out FILE; give it alone');
  const format = values.html !== undefined ? 'html' : (values.format ?? 'html');
  if (!(FORMATS as readonly string[]).includes(format))
    throw usage(`report: --format expected one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  const out = values.html ?? values.out;
  if (out === '') throw usage('report: --out expected a file name');
  return { format: format as Format, ...(out === undefined ? {} : { out }) };
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'verify, then write the verdict as an HTML audit page, Markdown, DOT or Mermaid',
  help: HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('report', args, {
      ...VERIFY_OPTIONS,
      format: { type: 'string' },
      out: { type: 'string' },
      html: { type: 'string' },
    });
    const output = readOutput(values);
    if (values.json && output.out === undefined)
      throw usage('report: --json prints the verification report beside a written report; give --out FILE');
    const outcome = await runVerify('report', values, ctx, true);
    if (outcome.refused) {
      // No chain was verified under a refused policy: there is nothing to draw but the refusal.
      ctx.io.stderr(
        `lineproof: report: the policy was refused (${outcome.refused.checks[0]?.code}); no report written\n`,
      );
      if (values.json) ctx.io.stdout(`${JSON.stringify(outcome.refused, null, 2)}\n`);
      return EXIT.FAIL;
    }
    const json = values.json === true;
    const vsa = outcome.vsa
      ? await emitVsa(ctx, outcome.vsa, { ...outcome, json, quietStdout: output.out === undefined })
      : undefined;
    const audit = await buildAudit({
      report: outcome.report,
      used: outcome.verification.used,
      bundle: outcome.bundle,
      policy: outcome.policy,
      subject: { name: outcome.subjectName, digest: digestText(outcome.subject) },
      useCase: values['any-use-case'] ? null : (values['use-case'] ?? null),
      generator: `lineproof ${cliVersion()}`,
      verifier: nodeEd25519Verifier,
      ...(vsa ? { vsa } : {}),
    });
    const text = render(audit, output.format);
    if (output.out === undefined) ctx.io.stdout(text);
    else {
      const out = output.out;
      await asExit(EXIT.USAGE, () => writeFileChecked(resolvePath(ctx, out), text, { what: out, atomic: true }));
      if (json) ctx.io.stdout(`${JSON.stringify(outcome.report, null, 2)}\n`);
      else
        ctx.io.stdout(
          `${audit.verdict === 'PASSED' ? 'VERIFIED' : 'NOT VERIFIED'}: ${outcome.subjectName} (${audit.failed.length} failed check${audit.failed.length === 1 ? '' : 's'}); ${output.format} report written to ${out}\n`,
        );
    }
    return outcome.report.ok ? EXIT.OK : EXIT.FAIL;
  },
};
