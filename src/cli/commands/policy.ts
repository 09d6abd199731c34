/**
 * `lineproof policy sign|verify|show|diff`: signed policies (decisions §13, spec/policy.md).
 */
import { parseEnvelope, serializeEnvelope } from '../../dsse/envelope.js';
import { DEFAULT_LIMITS } from '../../limits.js';
import type { JsonValue } from '../../json/strict.js';
import { nodeEd25519Signer, nodeEd25519Verifier } from '../../node/ed25519.js';
import { readFileLimited, writeFileChecked } from '../../node/fs.js';
import { parsePolicy } from '../../policy/policy.js';
import { POLICY_PAYLOAD_TYPE } from '../../policy/signed.js';
import { signPolicy } from '../../policy/sign.js';
import { keyidOf } from '../../keys/keyid.js';
import type { Signer } from '../../keys/types.js';
import { parseCommandArgs, resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type CliContext, type Command } from '../types.js';
import { loadSignerKey } from './attest-env.js';
import { loadPolicies, POLICY_OPTIONS, POLICY_OPTIONS_HELP, readSignedDocument, refusalExit } from './policy-load.js';

const SIGN_HELP = `Usage: lineproof policy sign POLICY --key KEY [--key KEY ...] [--out ENVELOPE]

Sign a policy for distribution (decisions §13): the policy is loaded and checked, then its JCS
(RFC 8785) bytes are signed as a DSSE envelope of payloadType ${POLICY_PAYLOAD_TYPE}. Given a
signed policy envelope instead, adds the signatures of the keys given (a key that already signed
is not added twice), so admins can sign one after another. A new version needs the signatures of
the threshold of its own admins and of the admins of the version before it.

Options:
  --key KEY        private key file (repeatable): PKCS#8 PEM (encrypted ones need
                   LINEPROOF_KEY_PASSPHRASE) or DER, securesystemslib key JSON, hex or raw seed
  --out ENVELOPE   where to write the envelope (default: standard output)

Exit codes: 0 signed; 2 usage error, unreadable or invalid policy or key file.

Example:
  lineproof policy sign policy-v2.json --key keys/admin-a.key --out policy-v2.signed.json
  lineproof policy sign policy-v2.signed.json --key keys/admin-b.key --out policy-v2.signed.json
`;

const VERIFY_HELP = `Usage: lineproof policy verify --policy POLICY [--policy POLICY ...] [--policy-root ROOT] [--min-policy-version N] [--json]

Check that a policy (the highest version given) is one to trust: each version signed by the
threshold of its own admins and of the admins of the version before it, from the pinned root up
(TUF's root-rotation rule), with no rollback below the root or N.

Options:
${POLICY_OPTIONS_HELP}
  --json             print { ok, trust } or { ok: false, code, message, path }

Exit codes: 0 accepted; 1 refused (POLICY_UNSIGNED, POLICY_THRESHOLD_NOT_MET, POLICY_ROTATION_UNSIGNED,
POLICY_ROLLBACK, POLICY_VERSION_GAP, POLICY_FORK, POLICY_ID_MISMATCH); 2 usage error, unreadable or
invalid file.

Example:
  lineproof policy verify --policy-root policy-v1.json --policy policy-v2.signed.json --policy policy-v3.signed.json
`;

const SHOW_HELP = `Usage: lineproof policy show POLICY [--json]

Print what a policy (plain or signed) says: id, version, digest, admins, signatures, keys and
their holders, roles, risk tiers and use cases. Signatures are listed, not verified (use
'lineproof policy verify').

Exit codes: 0 shown; 2 usage error, unreadable or invalid policy.

Example:
  lineproof policy show policy-v2.signed.json
`;

const DIFF_HELP = `Usage: lineproof policy diff OLD NEW [--json]

List every change between two policies (plain or signed), by JSON path, so admins can review a
version before signing it. Changes to keys, identities, roles, admins, risk tiers, use cases and
revocations are marked as trust changes.

Exit codes: 0 no change; 1 the policies differ; 2 usage error, unreadable or invalid policy.

Example:
  lineproof policy diff policy-v1.json policy-v2.json
`;

/** The policy document a file holds (the payload of a signed one), and its envelope's signatures. */
function readPolicyFile(ctx: CliContext, path: string): ReturnType<typeof readSignedDocument> {
  return readSignedDocument(ctx, path, POLICY_PAYLOAD_TYPE);
}

export const policySignCommand: Command = {
  name: 'policy sign',
  summary: 'sign a policy (or add signatures to a signed one) as a DSSE envelope',
  help: SIGN_HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      'policy sign',
      args,
      { key: { type: 'string', multiple: true }, out: { type: 'string' } },
      { min: 1, max: 1 },
    );
    const keyPaths = values.key ?? [];
    if (keyPaths.length === 0) throw usage(`policy sign: --key is required (see 'lineproof policy sign --help')`);
    const policyPath = positionals[0]!;
    const signers: Signer[] = [];
    for (const k of keyPaths) signers.push(nodeEd25519Signer(await loadSignerKey(ctx, k, 'legacy')));
    const input = await asExit(EXIT.USAGE, () =>
      readFileLimited(resolvePath(ctx, policyPath), DEFAULT_LIMITS.envelopeBytes, policyPath),
    );
    const envelope = await asExit(EXIT.USAGE, () =>
      signPolicy(input, signers, { verifier: nodeEd25519Verifier, what: policyPath }),
    );
    const text = `${serializeEnvelope(envelope)}\n`;
    if (values.out === undefined || values.out === '-') ctx.io.stdout(text);
    else {
      const out = values.out;
      await asExit(EXIT.USAGE, () => writeFileChecked(resolvePath(ctx, out), text, { what: out, atomic: true }));
      ctx.io.stderr(`lineproof: wrote ${out} (${parseEnvelope(envelope).signatures.length} signature(s))\n`);
    }
    return EXIT.OK;
  },
};

export const policyVerifyCommand: Command = {
  name: 'policy verify',
  summary: 'check a signed policy against a pinned root (rotation and rollback)',
  help: VERIFY_HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('policy verify', args, { ...POLICY_OPTIONS, json: { type: 'boolean' } });
    const paths = values.policy ?? [];
    if (paths.length === 0) throw usage(`policy verify: --policy is required (see 'lineproof policy verify --help')`);
    const r = await loadPolicies('policy verify', ctx, paths, values['policy-root'], values['min-policy-version']);
    if (values.json) ctx.io.stdout(`${JSON.stringify(r.ok ? { ok: true, trust: r.trust } : r, null, 2)}\n`);
    if (!r.ok) {
      if (!values.json) ctx.io.stderr(`lineproof: policy verify: REFUSED: ${r.code}: ${r.message}\n`);
      return refusalExit(r);
    }
    if (!values.json) {
      const t = r.trust;
      ctx.io.stdout(
        `${t.status === 'rooted' ? 'ACCEPTED' : 'LOADED'}: ${t.id} version ${t.version} (${t.digest}); ${t.status}` +
          `${t.signers.length > 0 ? `; signed by ${t.signers.join(', ')}` : ''}` +
          `${t.status === 'rooted' ? '' : ' (no --policy-root: trusted as given)'}\n`,
      );
    }
    return EXIT.OK;
  },
};

export const policyShowCommand: Command = {
  name: 'policy show',
  summary: 'print what a policy says (id, version, digest, admins, keys, roles, tiers)',
  help: SHOW_HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      'policy show',
      args,
      { json: { type: 'boolean' } },
      { min: 1, max: 1 },
    );
    const path = positionals[0]!;
    const file = await asExit(EXIT.USAGE, () => readPolicyFile(ctx, path));
    const policy = await asExit(EXIT.USAGE, () => parsePolicy(file.document, { what: path }));
    const d = policy.document;
    const summary = {
      id: d.id,
      version: d.version,
      digest: policy.digest,
      signed: file.signatures !== undefined,
      signatures: file.signatures ?? [],
      admins: d.admins ?? null,
      keys: policy.keys.map((k) => ({
        name: k.name,
        keyid: keyidOf(k.publicKey, 'legacy'),
        identity: k.identity,
        roles: k.roles,
        status: k.spec.status,
      })),
      roles: d.roles,
      riskTiers: d.riskTiers,
      useCases: d.useCases,
      revocations: d.revocations.length,
    };
    if (values.json) {
      ctx.io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
      return EXIT.OK;
    }
    const lines = [
      `policy ${d.id} version ${d.version}`,
      `digest ${policy.digest}`,
      file.signatures
        ? `signed: ${file.signatures.length} signature(s)${file.signatures.length ? ` (keyids ${file.signatures.map((s) => s.keyid ?? '-').join(', ')})` : ''}; not verified here (lineproof policy verify)`
        : 'unsigned',
      `admins: ${d.admins ? `${d.admins.threshold} of ${d.admins.keys.join(', ')}` : '(none: this policy cannot be signed or rotated)'}`,
      'keys:',
      ...summary.keys.map(
        (k) =>
          `  ${k.name} ${k.keyid.slice(0, 16)}… ${k.identity} [${k.roles.join(', ') || 'no role'}]${k.status === 'active' ? '' : ` ${k.status}`}`,
      ),
      'roles:',
      ...Object.entries(d.roles).map(([r, s]) => `  ${r}: ${s.threshold} of ${s.identities.join(', ')}`),
      'risk tiers:',
      ...Object.entries(d.riskTiers).map(
        ([n, t]) =>
          `  ${n}: ${t.approvers} approver(s), max age ${t.maxApprovalAgeDays} d, evaluations ${t.requiredEvaluationCategories.join(', ') || '(none)'}${t.allowWarned ? ', WARNED allowed' : ''}`,
      ),
      `use cases: ${
        Object.entries(d.useCases)
          .map(([u, s]) => `${u} (${s.riskTier})`)
          .join(', ') || '(none)'
      }`,
      `revocations: ${d.revocations.length}`,
    ];
    ctx.io.stdout(`${lines.join('\n')}\n`);
    return EXIT.OK;
  },
};

/** Top-level fields whose change alters who or what is trusted. */
const TRUST_FIELDS = new Set([
  'keys',
  'identities',
  'roles',
  'admins',
  'riskTiers',
  'useCases',
  'revocations',
  'separationOfDuties',
  'requiredStages',
  'digestAlgorithms',
  'hashing',
  'baseModels',
]);

interface Change {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  old?: JsonValue;
  new?: JsonValue;
  trust: boolean;
}

function diffValues(a: JsonValue | undefined, b: JsonValue | undefined, path: string[], out: Change[]): void {
  const isObj = (v: unknown): v is Record<string, JsonValue> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  const text = path.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : `${i === 0 ? '' : '.'}${p}`)).join('');
  const trust = TRUST_FIELDS.has(path[0] ?? '');
  if (a === undefined && b !== undefined) out.push({ path: text, kind: 'added', new: b, trust });
  else if (b === undefined && a !== undefined) out.push({ path: text, kind: 'removed', old: a, trust });
  else if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
      diffValues(Object.hasOwn(a, k) ? a[k] : undefined, Object.hasOwn(b, k) ? b[k] : undefined, [...path, k], out);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) diffValues(a[i], b[i], [...path, String(i)], out);
  } else if (JSON.stringify(a) !== JSON.stringify(b))
    out.push({ path: text, kind: 'changed', old: a!, new: b!, trust });
}

export const policyDiffCommand: Command = {
  name: 'policy diff',
  summary: 'list the changes between two policy versions, for review before signing',
  help: DIFF_HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      'policy diff',
      args,
      { json: { type: 'boolean' } },
      { min: 2, max: 2 },
    );
    const [oldPath, newPath] = positionals as [string, string];
    const docs = [];
    for (const p of [oldPath, newPath]) {
      const file = await asExit(EXIT.USAGE, () => readPolicyFile(ctx, p));
      await asExit(EXIT.USAGE, () => parsePolicy(file.document, { what: p }));
      docs.push(file.document);
    }
    const changes: Change[] = [];
    diffValues(docs[0], docs[1], [], changes);
    if (values.json) ctx.io.stdout(`${JSON.stringify({ changes }, null, 2)}\n`);
    else if (changes.length === 0) ctx.io.stdout('no changes\n');
    else {
      const show = (v: JsonValue | undefined) => JSON.stringify(v);
      for (const c of changes)
        ctx.io.stdout(
          `${c.trust ? '!' : ' '} ${c.kind === 'added' ? '+' : c.kind === 'removed' ? '-' : '~'} ${c.path}: ${c.kind === 'changed' ? `${show(c.old)} -> ${show(c.new)}` : show(c.kind === 'added' ? c.new : c.old)}\n`,
        );
      const t = changes.filter((c) => c.trust).length;
      ctx.io.stdout(`${changes.length} change(s), ${t} to trust (marked !)\n`);
    }
    return changes.length === 0 ? EXIT.OK : EXIT.FAIL;
  },
};
