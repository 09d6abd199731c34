import { DEFAULT_LIMITS } from '../../limits.js';
import { readBundleFile } from '../../node/bundle.js';
import { readFileLimited } from '../../node/fs.js';
import { parsePolicy } from '../../policy/policy.js';
import { parseCommandArgs, required, resolvePath } from '../args.js';
import { asExit } from '../errors.js';
import { EXIT, type Command } from '../types.js';
import { inspect, short, type Inspection, type InspectSignature } from './inspect-model.js';

const HELP = `Usage: lineproof inspect --chain CHAIN [--policy POLICY] [--json]

Print an .intoto.jsonl chain as a tree: each attestation with its stage, payload digest, line
number(s), what it says, issuedAt, the claimed attester, subjects and signatures, and the
attestations it refers to as branches (an attestation shown before is named, not repeated).
Revocations, envelopes that are not lifecycle attestations and unreadable lines are listed after
the tree with their line numbers.

Without --policy signatures are shown by their keyid hints only, unverified. With --policy every
signature is checked against every policy key and shown with the identity and roles it belongs to,
or marked UNTRUSTED.

This is a view, not a verdict: 'lineproof verify' decides whether a model's chain meets a policy.

Options:
  --chain CHAIN     the .intoto.jsonl bundle
  --policy POLICY   name the signers and mark untrusted signatures (policy JSON, spec/policy.md)
  --json            print the inspection as JSON (attestations, roots, others, unreadable, problems)

Exit codes: 0 every line reads and every reference resolves within the chain (and, with --policy,
every attestation has a trusted signer of its role); 1 otherwise (the problems are listed);
2 usage error, an unreadable chain or policy file.

Example:
  lineproof inspect --chain model.intoto.jsonl --policy policy.json
`;

function signatureText(s: InspectSignature, policy: boolean): string {
  const hint = s.keyid ? `keyid ${s.keyid.length > 16 ? `${s.keyid.slice(0, 12)}…` : s.keyid}` : 'no keyid';
  if (!policy) return `${hint} (unverified: no --policy)`;
  if (!s.key) return `UNTRUSTED ${hint}: no policy key verifies it`;
  return `${s.identity} (key ${s.key}; ${s.roles!.join(', ') || 'no role'})`;
}

function render(ins: Inspection, policy: boolean): string {
  const by = new Map(ins.attestations.map((a) => [a.payloadDigest, a]));
  const out: string[] = [];
  const lineCount = new Set([
    ...ins.attestations.flatMap((a) => a.lines),
    ...ins.others.flatMap((o) => o.lines),
    ...ins.unreadable.map((u) => u.line),
  ]).size;
  out.push(
    `Chain ${ins.chain}: ${ins.attestations.length} attestation(s) on ${lineCount} line(s)${ins.policyDigest ? `; policy ${short(ins.policyDigest)}` : '; signatures unverified (no --policy)'}`,
  );
  const shown = new Set<string>();
  // Iterative depth-first rendering: [digest, indent of the node's own line, edge label, is last child]
  const stack: Array<{ digest: string; prefix: string; edge: string | undefined; last: boolean }> = [];
  for (const root of [...ins.roots].reverse()) stack.push({ digest: root, prefix: '', edge: undefined, last: true });
  while (stack.length > 0) {
    const { digest, prefix, edge, last } = stack.pop()!;
    const a = by.get(digest);
    const branch = edge === undefined ? '' : last ? '└─ ' : '├─ ';
    const cont = edge === undefined ? '' : last ? '   ' : '│  ';
    const label = edge === undefined ? '' : edge;
    if (edge === undefined) out.push('');
    if (!a) {
      out.push(`${prefix}${branch}${label}MISSING ${digest} (not in the chain)`);
      continue;
    }
    if (shown.has(digest)) {
      out.push(`${prefix}${branch}${label}${a.stage} ${short(digest)} (shown above)`);
      continue;
    }
    shown.add(digest);
    const unreferenced =
      edge === undefined && (a.stage === 'dataset' || a.stage === 'training' || a.stage === 'evaluation');
    const marks = [
      unreferenced ? 'unreferenced: nothing in the chain relies on it' : undefined,
      a.revokedBy.length > 0 ? `REVOKED by ${a.revokedBy.map(short).join(', ')}` : undefined,
      policy && a.trusted === false ? 'UNTRUSTED' : undefined,
    ].filter(Boolean);
    out.push(
      `${prefix}${branch}${label}${a.stage} ${digest}  (line ${a.lines.join(', ')})${marks.length ? `  ${marks.join('; ')}` : ''}`,
    );
    const body = `${prefix}${cont}${a.references.filter((r) => r.role !== 'revokes').length > 0 ? '│ ' : '  '}`;
    out.push(`${body}${a.summary}; issued ${a.issuedAt} by ${a.attester}`);
    for (const s of a.subjects) out.push(`${body}subject ${s.name ?? '(unnamed)'} ${short(s.digest)}`);
    for (const s of a.signatures) out.push(`${body}signed  ${signatureText(s, policy)}`);
    const refs = a.references.filter((r) => r.role !== 'revokes');
    for (let i = refs.length - 1; i >= 0; i--) {
      const r = refs[i]!;
      stack.push({
        digest: r.digest,
        prefix: `${prefix}${cont}`,
        edge: r.role === r.stage ? '' : `(${r.role}) `,
        last: i === refs.length - 1,
      });
    }
  }
  const revocations = ins.attestations.filter((a) => a.stage === 'revocation');
  if (revocations.length > 0) {
    out.push('', 'Revocations:');
    for (const r of revocations) {
      out.push(
        `  revocation ${r.payloadDigest}  (line ${r.lines.join(', ')})${policy && r.trusted === false ? '  UNTRUSTED' : ''}`,
      );
      out.push(`    ${r.summary}; issued ${r.issuedAt} by ${r.attester}`);
      for (const s of r.signatures) out.push(`    signed  ${signatureText(s, policy)}`);
      for (const ref of r.references)
        out.push(
          `    revokes ${ref.stage ?? 'attestation'} ${short(ref.digest)}${ref.inChain ? '' : ' (not in the chain)'}`,
        );
      if (r.references.length === 0)
        for (const s of r.subjects) out.push(`    revokes ${s.name ?? ''} ${short(s.digest)}`.replace('  ', ' '));
    }
  }
  if (ins.others.length > 0) {
    out.push('', 'Other envelopes (not lifecycle attestations):');
    for (const o of ins.others)
      out.push(`  line ${o.lines.join(', ')}: ${short(o.payloadDigest)} ${o.code}: ${o.message.slice(0, 200)}`);
  }
  if (ins.unreadable.length > 0) {
    out.push('', 'Unreadable lines:');
    for (const u of ins.unreadable)
      out.push(`  line ${u.line}: ${u.code}: ${u.message.replace(/^line [0-9]+: /, '').slice(0, 200)}`);
  }
  out.push('');
  if (ins.problems.length === 0)
    out.push(
      `OK: every line reads and every reference resolves within the chain${policy ? ', every attestation has a trusted signer of its role' : ''}`,
    );
  else {
    out.push(`PROBLEMS (${ins.problems.length}):`);
    for (const p of ins.problems) out.push(`  ${p.code} ${p.subject}: ${p.message.slice(0, 300)}`);
  }
  return `${out.join('\n')}\n`;
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'print a chain of attestations as a tree (stages, digests, signers, references)',
  help: HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('inspect', args, {
      chain: { type: 'string' },
      policy: { type: 'string' },
      json: { type: 'boolean' },
    });
    const chainName = required('inspect', values, 'chain');
    const policyPath = values.policy;
    const policy =
      policyPath === undefined
        ? undefined
        : await asExit(EXIT.USAGE, () =>
            parsePolicy(readFileLimited(resolvePath(ctx, policyPath), DEFAULT_LIMITS.envelopeBytes, policyPath), {
              what: policyPath,
            }),
          );
    const bundle = await asExit(EXIT.USAGE, () => readBundleFile(resolvePath(ctx, chainName), { what: chainName }));
    const ins = await inspect(chainName, bundle, policy);
    ctx.io.stdout(values.json ? `${JSON.stringify(ins, null, 2)}\n` : render(ins, policy !== undefined));
    return ins.ok ? EXIT.OK : EXIT.FAIL;
  },
};
