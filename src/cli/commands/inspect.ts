import {
  indexBundle,
  resolveSignatures,
  type BundleAttestation,
  type BundleIndex,
  type ResolvedSignature,
} from '../../bundle/lookup.js';
import type { ErrorCode } from '../../errors.js';
import { DEFAULT_LIMITS } from '../../limits.js';
import { readBundleFile } from '../../node/bundle.js';
import { nodeEd25519Verifier } from '../../node/ed25519.js';
import { readFileLimited } from '../../node/fs.js';
import { parsePolicy, type Policy } from '../../policy/policy.js';
import type { Stage } from '../../statements/predicates/common.js';
import { ROLE_OF_STAGE } from '../../policy/roles.js';
import { parseCommandArgs, required, resolvePath } from '../args.js';
import { asExit } from '../errors.js';
import { EXIT, type Command } from '../types.js';
import { describeAttestation, digestText } from './describe.js';

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

interface InspectSignature {
  keyid: string | null;
  /** With --policy: the policy key name, identity and roles, or null when no policy key verifies it. */
  key?: string | null;
  identity?: string | null;
  roles?: string[];
}

interface InspectReference {
  role: string;
  stage: string | null;
  digest: string;
  path: string;
  inChain: boolean;
}

interface InspectAttestation {
  payloadDigest: string;
  stage: Stage;
  summary: string;
  predicateType: string;
  issuedAt: string;
  attester: string;
  lines: number[];
  subjects: Array<{ name: string | null; digest: string }>;
  signatures: InspectSignature[];
  references: InspectReference[];
  referencedBy: string[];
  revokedBy: string[];
  /** With --policy: whether a policy key of the stage's role verifies a signature. */
  trusted?: boolean;
}

interface Problem {
  code: ErrorCode;
  subject: string;
  message: string;
}

interface Inspection {
  chain: string;
  policyDigest: string | null;
  ok: boolean;
  attestations: InspectAttestation[];
  roots: string[];
  others: Array<{ payloadDigest: string; lines: number[]; code: ErrorCode; message: string }>;
  unreadable: Array<{ line: number; code: ErrorCode; message: string }>;
  problems: Problem[];
}

const STAGE_ORDER: Stage[] = ['promotion', 'approval', 'evaluation', 'training', 'dataset', 'revocation'];

function short(d: string): string {
  const i = d.indexOf(':');
  return i > 0 && d.length - i > 16 ? `${d.slice(0, i + 13)}…` : d;
}

/** The references of an attestation, each problem with them added to `problems`. */
function referencesOf(index: BundleIndex, a: BundleAttestation, at: string, problems: Problem[]): InspectReference[] {
  return a.attestation.references.map((r) => {
    const target = index.get(r.digest);
    const other = target ? undefined : index.others.find((o) => o.entry.payloadDigest === r.digest);
    if (r.role !== 'revokes') {
      if (other)
        problems.push({
          code: 'REFERENCE_INVALID',
          subject: at,
          message: `${r.path} refers to ${short(r.digest)} (line ${other.entry.lines.join(', ')}), which is not a lifecycle attestation (${other.code})`,
        });
      else if (!target)
        problems.push({
          code: 'REFERENCE_UNRESOLVED',
          subject: at,
          message: `${r.path} refers to ${short(r.digest)} (${r.role}), which is not in the chain`,
        });
      else if (r.stage !== undefined && target.attestation.stage !== r.stage)
        problems.push({
          code: 'REFERENCE_STAGE_MISMATCH',
          subject: at,
          message: `${r.path} refers to a ${target.attestation.stage} attestation where a ${r.stage} is required`,
        });
    }
    return {
      role: r.role,
      stage: r.stage ?? null,
      digest: r.digest,
      path: r.path,
      inChain: target !== undefined || other !== undefined,
    };
  });
}

async function inspect(
  chainName: string,
  bundle: ReturnType<typeof readBundleFile>,
  policy: Policy | undefined,
): Promise<Inspection> {
  const index = indexBundle(bundle);
  const problems: Problem[] = [];
  const sigs = new Map<string, ResolvedSignature[]>();
  if (policy)
    for (const a of index.attestations)
      sigs.set(a.entry.payloadDigest, await resolveSignatures(a.entry.envelope, policy.keys, nodeEd25519Verifier));
  const revokedBy = new Map<string, string[]>();
  for (const r of index.ofStage('revocation')) {
    for (const ref of r.attestation.references)
      revokedBy.set(ref.digest, [...(revokedBy.get(ref.digest) ?? []), r.entry.payloadDigest]);
  }
  const attestations: InspectAttestation[] = index.attestations.map((a) => {
    const p = a.attestation;
    const at = `${p.stage} ${short(a.entry.payloadDigest)} (line ${a.entry.lines.join(', ')})`;
    const references = referencesOf(index, a, at, problems);
    const signatures: InspectSignature[] = a.entry.envelope.signatures.map((s, i) => {
      const base: InspectSignature = { keyid: s.keyid ?? null };
      if (!policy) return base;
      const k = sigs.get(a.entry.payloadDigest)?.[i]?.key;
      return { ...base, key: k?.name ?? null, identity: k?.identity ?? null, roles: k?.roles ?? [] };
    });
    const out: InspectAttestation = {
      payloadDigest: a.entry.payloadDigest,
      stage: p.stage,
      summary: describeAttestation(p),
      predicateType: p.predicateType,
      issuedAt: p.issuedAt,
      attester: p.attester.id,
      lines: a.entry.lines,
      subjects: p.statement.subject.map((s) => ({ name: s.name ?? null, digest: digestText(s.digest) })),
      signatures,
      references,
      referencedBy: index
        .referrers(a.entry.payloadDigest)
        .filter((r) => r.reference.role !== 'revokes')
        .map((r) => r.from.entry.payloadDigest),
      revokedBy: revokedBy.get(a.entry.payloadDigest) ?? [],
    };
    if (policy) {
      const role = ROLE_OF_STAGE[p.stage];
      const keys = (sigs.get(a.entry.payloadDigest) ?? []).filter((s) => s.key);
      out.trusted = keys.some((s) => s.key!.roles.includes(role));
      if (keys.length === 0)
        problems.push({
          code: 'UNTRUSTED_SIGNER',
          subject: at,
          message: 'no signature verifies under a key of the policy',
        });
      else if (!out.trusted)
        problems.push({
          code: 'SIGNER_NOT_IN_ROLE',
          subject: at,
          message: `signed by ${[...new Set(keys.map((s) => s.key!.identity))].join(', ')}, none holding the ${role} role`,
        });
    }
    return out;
  });
  for (const e of bundle.errors)
    problems.push({
      code: e.code === 'LIMIT_EXCEEDED' ? 'LIMIT_EXCEEDED' : 'BUNDLE_LINE_INVALID',
      subject: `line ${e.line}`,
      message: e.message,
    });
  const rank = (a: InspectAttestation) => STAGE_ORDER.indexOf(a.stage);
  const roots = attestations
    .filter((a) => a.stage !== 'revocation' && a.referencedBy.length === 0)
    .sort((x, y) => rank(x) - rank(y) || (x.issuedAt < y.issuedAt ? 1 : x.issuedAt > y.issuedAt ? -1 : 0))
    .map((a) => a.payloadDigest);
  return {
    chain: chainName,
    policyDigest: policy?.digest ?? null,
    ok: problems.length === 0,
    attestations,
    roots,
    others: index.others.map((o) => ({
      payloadDigest: o.entry.payloadDigest,
      lines: o.entry.lines,
      code: o.code,
      message: o.message,
    })),
    unreadable: bundle.errors.map((e) => ({ line: e.line, code: e.code, message: e.message })),
    problems,
  };
}

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
