/**
 * `lineproof revoke add|sign|show`: signed revocation lists (decisions §13, spec/policy.md).
 *
 * A list is drafted as plain JSON (`{policy, sequence, entries}`), entries added one by one and
 * checked against the policy, then signed by revokers with `issuedAt` and `expires` set.
 */
import { existsSync } from 'node:fs';
import { serializeEnvelope } from '../../dsse/envelope.js';
import type { JsonValue } from '../../json/strict.js';
import type { Signer } from '../../keys/types.js';
import { nodeEd25519Signer, nodeEd25519Verifier } from '../../node/ed25519.js';
import { writeFileChecked } from '../../node/fs.js';
import { parsePolicy } from '../../policy/policy.js';
import { POLICY_PAYLOAD_TYPE } from '../../policy/signed.js';
import { REVOCATIONS_PAYLOAD_TYPE, signRevocationList } from '../../policy/revocation-list.js';
import { revocationSchema } from '../../policy/schema.js';
import { formatTimestamp, parseTimestamp } from '../../time/index.js';
import { parseCommandArgs, intOption, resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type CliContext, type Command } from '../types.js';
import { loadSignerKey } from './attest-env.js';
import { readSignedDocument } from './policy-load.js';

const ADD_HELP = `Usage: lineproof revoke add LIST --policy POLICY --kind KIND (--digest ALG:HEX | --key NAME)
                          --reason TEXT [--effective-at TIME]

Add one entry to a draft revocation list (plain JSON { policy, sequence, entries }), creating it
for the policy's id with sequence 1 when LIST does not exist. The entry is checked as the
policy's own revocations are (a key entry must name a key of the policy; retired and superseded
need --effective-at). Sign the draft with 'lineproof revoke sign'.

Options:
  --policy POLICY       the policy the list is for (plain or signed JSON)
  --kind KIND           dataset, model, payload (an attestation's payload digest) or key
  --digest ALG:HEX      what is revoked (dataset, model, payload)
  --key NAME            the policy's name of the key revoked (kind key)
  --reason TEXT         why (for keys: compromised, retired, superseded, or free text)
  --effective-at TIME   from when (RFC 3339 with Z or an offset)

Exit codes: 0 added; 2 usage error, unreadable or invalid policy or list.

Example:
  lineproof revoke add revocations.json --policy policy.json --kind dataset --digest sha256:… --reason "consent withdrawn"
`;

const SIGN_HELP = `Usage: lineproof revoke sign LIST --key KEY [--key KEY ...] [--sequence N] [--expires TIME|+Nd] [--out ENVELOPE]

Sign a draft revocation list as a DSSE envelope of payloadType ${REVOCATIONS_PAYLOAD_TYPE},
with issuedAt now and expires (default +30d). It counts when signed by the threshold of distinct
revoker identities of the policy; the highest valid sequence given to 'lineproof verify
--revocations' wins, so each new list needs a higher --sequence than the last.

Options:
  --key KEY          a revoker's private key (repeatable)
  --sequence N       the list's sequence (default: the draft's)
  --expires T        RFC 3339, or +Nd / +Nh from now (default +30d)
  --out ENVELOPE     where to write (default: standard output)

Exit codes: 0 signed; 2 usage error, unreadable or invalid list or key.

Example:
  lineproof revoke sign revocations.json --key keys/security.key --sequence 4 --expires +30d --out revocations-4.json
`;

const SHOW_HELP = `Usage: lineproof revoke show LIST [--json]

Print a revocation list (draft or signed): policy, sequence, issuedAt, expires, entries and
signatures (listed, not verified: 'lineproof verify --revocations' judges them against the policy).

Exit codes: 0 shown; 2 usage error, unreadable or invalid list.

Example:
  lineproof revoke show revocations-4.json
`;

/** A JSON value as text: strings and numbers as they are, the rest as JSON. */
function text(v: JsonValue | undefined): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);
}

/** The list document a file holds (the payload of a signed one), and its signatures' keyid hints. */
function readList(ctx: CliContext, path: string): { doc: Record<string, JsonValue>; signatures?: string[] } {
  const { document: doc, signatures } = readSignedDocument(ctx, path, REVOCATIONS_PAYLOAD_TYPE);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !Array.isArray(doc.entries))
    throw usage(`${path}: expected a revocation list { policy, sequence, entries }`);
  return { doc, ...(signatures ? { signatures: signatures.map((s) => s.keyid ?? '-') } : {}) };
}

export const revokeAddCommand: Command = {
  name: 'revoke add',
  summary: 'add an entry to a draft revocation list',
  help: ADD_HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      'revoke add',
      args,
      {
        policy: { type: 'string' },
        kind: { type: 'string' },
        digest: { type: 'string' },
        key: { type: 'string' },
        reason: { type: 'string' },
        'effective-at': { type: 'string' },
      },
      { min: 1, max: 1 },
    );
    const listPath = positionals[0]!;
    if (values.policy === undefined)
      throw usage("revoke add: --policy is required (see 'lineproof revoke add --help')");
    const policyFile = values.policy;
    const policy = await asExit(EXIT.USAGE, () =>
      parsePolicy(readSignedDocument(ctx, policyFile, POLICY_PAYLOAD_TYPE).document, { what: policyFile }),
    );
    const entry: Record<string, JsonValue> = { kind: values.kind ?? '', reason: values.reason ?? '' };
    if (values.kind === 'key') entry.key = values.key ?? '';
    else entry.digest = values.digest ?? '';
    if (values['effective-at'] !== undefined) entry.effectiveAt = values['effective-at'];
    const checked = revocationSchema.safeParse(entry);
    if (!checked.success)
      throw usage(
        `revoke add: ${checked.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ')}`,
      );
    if (checked.data.kind === 'key' && !policy.keyByName.has(checked.data.key))
      throw usage(`revoke add: --key ${JSON.stringify(checked.data.key)} is not a key of the policy`);
    const exists = existsSync(resolvePath(ctx, listPath));
    const { doc } = exists
      ? await asExit(EXIT.USAGE, () => readList(ctx, listPath))
      : { doc: { policy: policy.document.id, sequence: 1, entries: [] } as Record<string, JsonValue> };
    if (doc.policy !== policy.document.id)
      throw usage(`revoke add: ${listPath} is for policy ${JSON.stringify(doc.policy)}, not ${policy.document.id}`);
    const entries = [...(doc.entries as JsonValue[]), entry];
    const out = { policy: doc.policy, sequence: doc.sequence, entries };
    await asExit(EXIT.USAGE, () =>
      writeFileChecked(resolvePath(ctx, listPath), `${JSON.stringify(out, null, 2)}\n`, {
        what: listPath,
        atomic: true,
      }),
    );
    ctx.io.stderr(
      `lineproof: ${listPath}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} (sequence ${text(doc.sequence)}, unsigned)\n`,
    );
    return EXIT.OK;
  },
};

export const revokeSignCommand: Command = {
  name: 'revoke sign',
  summary: 'sign a revocation list (revokers) with issuedAt and expires',
  help: SIGN_HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      'revoke sign',
      args,
      {
        key: { type: 'string', multiple: true },
        sequence: { type: 'string' },
        expires: { type: 'string' },
        out: { type: 'string' },
      },
      { min: 1, max: 1 },
    );
    const keys = values.key ?? [];
    if (keys.length === 0) throw usage("revoke sign: --key is required (see 'lineproof revoke sign --help')");
    const listPath = positionals[0]!;
    const { doc } = await asExit(EXIT.USAGE, () => readList(ctx, listPath));
    const now = Math.floor(Date.now() / 1000) * 1000;
    const issuedAt = formatTimestamp(now, 'down');
    const expiresText = values.expires ?? '+30d';
    const rel = /^\+([0-9]{1,5})([dh])$/.exec(expiresText);
    let expires: string;
    if (rel) expires = formatTimestamp(now + Number(rel[1]) * (rel[2] === 'd' ? 86_400_000 : 3_600_000), 'down');
    else {
      try {
        parseTimestamp(expiresText, '--expires');
      } catch (e) {
        throw usage(`revoke sign: ${(e as Error).message} (RFC 3339 with Z or an offset, or +Nd / +Nh)`);
      }
      expires = expiresText;
    }
    const sequence =
      intOption('revoke sign', 'sequence', values.sequence, 1, Number.MAX_SAFE_INTEGER) ?? (doc.sequence as number); // checked by signRevocationList's schema
    const signers: Signer[] = [];
    for (const k of keys) signers.push(nodeEd25519Signer(await loadSignerKey(ctx, k, 'legacy')));
    const envelope = await asExit(EXIT.USAGE, () =>
      signRevocationList(
        { policy: doc.policy, sequence, issuedAt, expires, entries: doc.entries } as JsonValue,
        signers,
        {
          verifier: nodeEd25519Verifier,
        },
      ),
    );
    const text = `${serializeEnvelope(envelope)}\n`;
    if (values.out === undefined || values.out === '-') ctx.io.stdout(text);
    else {
      const out = values.out;
      await asExit(EXIT.USAGE, () => writeFileChecked(resolvePath(ctx, out), text, { what: out, atomic: true }));
      ctx.io.stderr(`lineproof: wrote ${out}: revocation list ${String(sequence)}, expires ${expires}\n`);
    }
    return EXIT.OK;
  },
};

export const revokeShowCommand: Command = {
  name: 'revoke show',
  summary: 'print a revocation list (draft or signed)',
  help: SHOW_HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      'revoke show',
      args,
      { json: { type: 'boolean' } },
      { min: 1, max: 1 },
    );
    const path = positionals[0]!;
    const { doc, signatures } = await asExit(EXIT.USAGE, () => readList(ctx, path));
    if (values.json) {
      ctx.io.stdout(
        `${JSON.stringify({ ...doc, signed: signatures !== undefined, signatures: signatures ?? [] }, null, 2)}\n`,
      );
      return EXIT.OK;
    }
    const entries = doc.entries as Array<Record<string, JsonValue>>;
    const lines = [
      `revocation list for ${text(doc.policy)}, sequence ${text(doc.sequence)}`,
      signatures
        ? `signed: ${signatures.length} signature(s); issued ${text(doc.issuedAt)}, expires ${text(doc.expires)}`
        : 'unsigned draft',
      `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}:`,
      ...entries.map(
        (e) =>
          `  ${text(e.kind)} ${text(e.kind === 'key' ? e.key : e.digest)}: ${text(e.reason)}${e.effectiveAt ? ` (from ${text(e.effectiveAt)})` : ''}`,
      ),
    ];
    ctx.io.stdout(`${lines.join('\n')}\n`);
    return EXIT.OK;
  },
};
