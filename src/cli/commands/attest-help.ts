/** The options and help text every `lineproof attest <stage>` command shares. */

/** Options every `attest <stage>` command takes. */
export const COMMON_OPTIONS = {
  key: { type: 'string' },
  chain: { type: 'string' },
  out: { type: 'string' },
  at: { type: 'string' },
  json: { type: 'boolean' },
  predicate: { type: 'string' },
  subject: { type: 'string', multiple: true },
  ref: { type: 'string', multiple: true },
  attester: { type: 'string' },
  policy: { type: 'string' },
  name: { type: 'string' },
  'keyid-format': { type: 'string' },
} as const;

/** Help text of the common options. */
export const COMMON_HELP = `Common options:
  --key KEY              the signer's private key: PKCS#8 PEM (encrypted ones need
                         LINEPROOF_KEY_PASSPHRASE) or DER, securesystemslib key JSON, hex or raw seed
  --chain CHAIN          the .intoto.jsonl bundle: predecessors are looked up in it, and the new
                         attestation is appended to it as one line (created if missing)
  --out FILE             write the envelope to FILE (one JCS line) instead of, or as well as, --chain
  --attester ID          the signer's identity as the policy names it (default with --policy: the
                         identity the policy binds to the key)
  --policy POLICY        check before signing that the key is in the policy, bound to --attester and
                         holds the stage's role (refused otherwise); look up only predecessors signed
                         by trusted keys of their role
  --predicate FILE       JSON object with the builder's other fields (see spec/predicates.md); strictly
                         read: duplicate keys and unknown fields fail. Flags override its fields
  --ref REF              a predecessor: sha256:<payload digest> found in --chain, or STAGE=sha256:<hex>
                         for one kept elsewhere (repeatable); without --ref, predecessors are looked
                         up in --chain, and more than one candidate is an error listing them
  --at TIME              issuedAt (RFC 3339 with Z or an offset); default: now
  --keyid-format F       keyid hint written with the signature: legacy (default), modern, none
  --json                 print {"payloadDigest", "stage", "line"} (line: the envelope's JCS line)

Environment: LINEPROOF_KEY_PASSPHRASE   passphrase of an encrypted private key

Exit codes: 0 attested; 2 usage error: bad or missing flags, an unreadable key, chain, policy or
predicate file, a predecessor not found or ambiguous, a reference of the wrong stage, a key the
policy does not allow for this stage, a predicate that does not validate.`;
