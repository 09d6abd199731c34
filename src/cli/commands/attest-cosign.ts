import { cosignEntry, findEntry } from '../../bundle/jsonl.js';
import { indexBundle, resolveSignatures } from '../../bundle/lookup.js';
import { serializeEnvelope } from '../../dsse/envelope.js';
import { appendToBundle, readBundleFile } from '../../node/bundle.js';
import { nodeEd25519Signer, nodeEd25519Verifier } from '../../node/ed25519.js';
import { keyStanding } from '../../policy/key-standing.js';
import { ROLE_OF_STAGE } from '../../policy/roles.js';
import { parseTimestamp } from '../../time/index.js';
import { parseCommandArgs, required, resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type Command } from '../types.js';
import {
  checkSigner,
  keyidFormatOf,
  loadPolicyFlag,
  loadSignerKey,
  operatorError,
  policyKeyOf,
  warn,
} from './attest-env.js';
import { describeAttestation } from './describe.js';

const HELP = `Usage: lineproof attest cosign --payload-digest D --key KEY --chain CHAIN [--policy POLICY] [--json]

Co-sign an attestation of the chain — a second approver, a counter-signature: find the envelope whose
payload has digest D, add this key's signature over the same payload, and append the envelope as a
new line. Readers merge lines with the same payload, and references to the attestation (which name
its payload digest) do not change. Nothing is appended when the key has already signed it.

Options:
  --payload-digest D   sha256:<hex> of the attestation's payload (what 'lineproof attest' and
                       'lineproof inspect' print)
  --key KEY            the co-signer's private key (any format 'lineproof attest' reads)
  --chain CHAIN        the .intoto.jsonl bundle holding the attestation
  --policy POLICY      refuse a key the policy does not hold, or whose identity lacks the role of
                       the attestation's stage (e.g. approver); warn when that identity already signed
  --keyid-format F     keyid hint written with the signature: legacy (default), modern, none
  --json               print {"payloadDigest", "stage", "line", "added"}

Environment: LINEPROOF_KEY_PASSPHRASE   passphrase of an encrypted private key

Exit codes: 0 co-signed (or already signed by this key); 2 usage error, an unreadable key, chain or
policy file, a digest not in the chain, a payload that is not a lifecycle attestation, a key the
policy does not allow.

Example:
  lineproof attest cosign --payload-digest sha256:3f1a... --key keys/bob.key --chain model.intoto.jsonl
`;

export const attestCosignCommand: Command = {
  name: 'attest cosign',
  summary: 'add a signature (a second approver) to an attestation of a chain',
  help: HELP,
  async run(args, ctx) {
    const cmd = 'attest cosign';
    const { values } = parseCommandArgs(cmd, args, {
      'payload-digest': { type: 'string' },
      key: { type: 'string' },
      chain: { type: 'string' },
      policy: { type: 'string' },
      'keyid-format': { type: 'string' },
      json: { type: 'boolean' },
    });
    const digestText = required(cmd, values, 'payload-digest');
    const keyPath = required(cmd, values, 'key');
    const chainName = required(cmd, values, 'chain');
    const format = keyidFormatOf(cmd, values['keyid-format']);
    if (!/^sha256:[0-9a-fA-F]{64}$/.test(digestText))
      throw usage(
        `${cmd}: --payload-digest expected sha256:<64 hex digits>, got ${JSON.stringify(digestText.slice(0, 100))}`,
      );
    const key = await loadSignerKey(ctx, keyPath, format);
    const policyPath = values.policy;
    const policy = await loadPolicyFlag(ctx, policyPath);
    const chainPath = resolvePath(ctx, chainName);
    const bundle = await asExit(EXIT.USAGE, () => readBundleFile(chainPath, { what: chainName }));
    for (const e of bundle.errors) warn(ctx, `${chainName}: line ${e.line} is unreadable (${e.code})`);
    const entry = findEntry(bundle, digestText);
    if (!entry)
      throw operatorError(
        'BUNDLE_PAYLOAD_NOT_FOUND',
        `${cmd}: no envelope of ${chainName} has payload ${digestText} (${bundle.entries.length} attestation(s) read)`,
      );
    const index = indexBundle({ entries: [entry], errors: [] });
    const attestation = index.attestations[0]?.attestation;
    if (!attestation) {
      const other = index.others[0]!;
      throw operatorError(
        other.code,
        `${cmd}: ${digestText} (line ${entry.lines.join(', ')}) is not a lifecycle attestation; refusing to co-sign what cannot be read: ${other.message}`,
      );
    }
    if (policy) {
      const k = policyKeyOf(cmd, policy, key, keyPath, policyPath!);
      const at = new Date(Number(parseTimestamp(attestation.issuedAt).epochNanos / 1_000_000n));
      checkSigner(cmd, policy, k, {
        attester: undefined,
        stage: attestation.stage,
        at,
        keyPath,
        policyPath: policyPath!,
      });
      const sigs = await resolveSignatures(entry.envelope, policy.keys, nodeEd25519Verifier);
      const role = ROLE_OF_STAGE[attestation.stage];
      if (!sigs.some((s) => s.key && keyStanding(policy, s.key, { role, at: attestation.issuedAt }).counts))
        warn(ctx, `${digestText}: no trusted key of the ${role} role has signed it yet`);
      if (sigs.some((s) => s.key && s.key.identity === k.identity && s.key.publicKeyHex !== k.publicKeyHex))
        warn(ctx, `${k.identity} already signed ${digestText} with another key; thresholds count identities once`);
    }
    const result = await asExit(EXIT.USAGE, () =>
      cosignEntry(bundle, digestText, nodeEd25519Signer(key), { verifier: nodeEd25519Verifier }),
    );
    const line = serializeEnvelope(result.envelope);
    if (result.added) {
      const r = await asExit(EXIT.USAGE, () => appendToBundle(chainPath, result.envelope, { what: chainName }));
      for (const b of r.brokenLocks) warn(ctx, `${chainName}: ${b}`);
    }
    if (values.json) {
      ctx.io.stdout(
        `${JSON.stringify({ payloadDigest: entry.payloadDigest, stage: attestation.stage, line, added: result.added }, null, 2)}\n`,
      );
    } else {
      ctx.io.stdout(
        [
          `${attestation.stage} ${entry.payloadDigest}`,
          `  ${describeAttestation(attestation)}; issuedAt ${attestation.issuedAt}, attester ${attestation.attester.id}`,
          result.added
            ? `  co-signed: ${result.envelope.signatures.length} signature(s); appended to ${chainName}`
            : `  already signed by this key; nothing appended`,
          '',
        ].join('\n'),
      );
    }
    return EXIT.OK;
  },
};
