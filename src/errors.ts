/**
 * The one error class of Lineproof and its catalogue of stable codes.
 *
 * Codes are API: they appear in reports, in `--json` output and in tests. They are documented in
 * `spec/errors.md` (a test checks that every code here is listed there) and are never renamed or
 * removed; a new meaning gets a new code. Each entry maps the code to a one-line description.
 *
 * Sections are grouped by layer; add new codes at the end of the right section.
 */
export const ERROR_CODES = {
  // ---- general / operator -------------------------------------------------------------------
  INVALID_ARGUMENT: 'An argument given by the caller or operator is malformed or out of range.',
  LIMIT_EXCEEDED: 'A documented limit (size, depth, count) was exceeded.',
  VERIFY_BUDGET_EXCEEDED:
    'Verification spent its budget of signature checks on signatures no trusted key verifies; it fails closed, naming the line where the budget ran out.',
  IO_ERROR: 'A file or stream could not be read or written.',
  ABORTED: 'The operation was aborted by its AbortSignal.',
  INTERNAL: 'An invariant of Lineproof itself failed (a bug); please report it.',

  // ---- bytes / encodings --------------------------------------------------------------------
  HEX_INVALID: 'Text is not lowercase-or-uppercase hex of even length.',
  BASE64_INVALID_CHAR: 'Base64 text holds a character outside the standard or URL-safe alphabet.',
  BASE64_MIXED_ALPHABET: 'Base64 text mixes the standard and URL-safe alphabets.',
  BASE64_BAD_PADDING: 'Base64 text is not padded to a multiple of 4 with at most two "=" at the end.',
  BASE64_NONCANONICAL:
    'Base64 text has non-zero unused bits in its last character (two texts would decode to the same bytes).',
  UTF8_INVALID: 'Bytes are not well-formed UTF-8.',

  // ---- strict JSON --------------------------------------------------------------------------
  JSON_SYNTAX: 'Text is not JSON (RFC 8259).',
  JSON_DUPLICATE_KEY: 'A JSON object has the same key twice (parsers disagree on which one wins).',
  JSON_TOO_DEEP: 'JSON nesting is deeper than the depth limit.',
  JSON_TOO_LARGE: 'JSON text is larger than the size limit.',
  JSON_LONE_SURROGATE: 'A JSON string holds a lone UTF-16 surrogate (not Unicode text).',
  JSON_NUMBER_OUT_OF_RANGE: 'A JSON number does not fit an IEEE 754 double (it would become Infinity).',
  JSON_BOM: 'JSON text starts with a byte order mark.',
  JSON_NOT_REPRESENTABLE:
    'A value cannot be carried by JSON (undefined, NaN, Infinity, BigInt, function, symbol, cycle, non-plain object).',
  SCHEMA_INVALID: 'A JSON value does not have the shape its schema requires.',

  // ---- statements (in-toto) -----------------------------------------------------------------
  STATEMENT_INVALID: 'A payload is not a valid in-toto Statement v1 (field path in the message).',

  // ---- chunk tree --------------------------------------------------------------------------
  TREE_PROOF_INVALID:
    'An inclusion proof is malformed or inconsistent with the tree it claims (size, index, path length, leaf length).',
  TREE_PROOF_MISMATCH: 'An inclusion proof does not lead to the expected chunk-tree root.',
  // ---- policy ------------------------------------------------------------------------------
  POLICY_INVALID: 'The policy document does not have the required shape (field path in the message).',
  POLICY_REFERENCE_UNKNOWN: 'The policy refers to a key, identity or tier it does not define.',
  POLICY_THRESHOLD_IMPOSSIBLE: 'A threshold in the policy is larger than the number of identities that could meet it.',
  POLICY_KEY_AMBIGUOUS: 'One key is bound to two identities in the policy, so a signer could not be named.',
  POLICY_UNSIGNED:
    'A policy root is pinned, but the policy given is not a signed policy envelope (and is not the pinned root itself).',
  POLICY_THRESHOLD_NOT_MET: 'A signed policy is not signed by the threshold of distinct admin keys it names itself.',
  POLICY_ROTATION_UNSIGNED:
    "A policy version is not signed by the threshold of the previous version's admins (or of the pinned root keys): an admin change or edit without the old admins' agreement.",
  POLICY_ROLLBACK:
    'The policy is older than the pinned root or than the minimum policy version the verifier was given.',
  POLICY_VERSION_GAP:
    'The policy versions given do not follow one another (each version must be the previous one plus 1).',
  POLICY_FORK:
    "Two different policies claim the same version, or a version equal to the pinned root's differs from it.",
  POLICY_ID_MISMATCH: 'A policy version has another id than the versions before it or than the pinned root.',
  POLICY_ROOT_INVALID:
    'The pinned policy root is neither a policy nor a root-keys document, or does not hold together.',
  REVOCATIONS_INVALID:
    'A revocation list is not a well-formed signed list for this policy (payloadType, JSON, fields, unknown key names, another policy id).',
  REVOCATIONS_THRESHOLD_NOT_MET:
    'A revocation list is not signed by the threshold of distinct revoker identities the policy requires; it is ignored.',
  REVOCATIONS_FORK: 'Two different validly signed revocation lists claim the same sequence number.',
  REVOCATIONS_ROLLBACK:
    'The highest valid revocation list has a lower sequence than the minimum the verifier was given.',
  REVOCATIONS_MISSING: 'The policy requires a fresh signed revocation list, and no valid one was given.',
  REVOCATIONS_STALE: 'The newest valid revocation list is older than the policy allows (revocationLists.maxAgeDays).',
  REVOCATIONS_EXPIRED: 'The newest valid revocation list has expired, and the policy requires a fresh one.',

  // ---- bundles and chain verification -------------------------------------------------------
  BUNDLE_LINE_INVALID: 'A line of an .intoto.jsonl bundle is not a valid envelope (its line number is given).',
  USE_CASE_REQUIRED: 'Verification needs a use case, or an explicit choice of any use case.',
  USE_CASE_NOT_ALLOWED: 'The use case is not one the policy allows.',
  USE_CASE_NOT_APPROVED: 'The artifact is approved, but only for other use cases.',
  SUBJECT_NOT_APPROVED: 'No trusted approval in the bundle is about this artifact.',
  APPROVAL_REJECTED: 'The only trusted approvals of the artifact have decision REJECTED.',
  APPROVAL_VOIDED:
    'Every matching approval is voided by a later REJECTED approval of the same subject and use case from a trusted approver.',
  STAGE_NOT_APPROVED:
    'The artifact is approved for its use case, but only for another stage than the one required (verify --stage).',
  TIER_BELOW_MINIMUM:
    'The artifact is approved only for use cases whose risk tier ranks below the minimum required (verify --min-tier).',
  ENVIRONMENT_NOT_PROMOTED:
    'No trusted promotion of the approved model to the required environment is in the chain (verify --environment).',
  EVALUATION_DATA_NOT_DISTINCT:
    'An evaluation used a dataset the training used (same digest), and the risk tier requires distinct evaluation data.',
  UNTRUSTED_SIGNER:
    'An attestation is signed by no key the policy trusts (listed as skipped unless the chain needs it).',
  UNREFERENCED: 'A trusted attestation is not part of the verified chain (listed as skipped).',
  STAGE_MISSING: 'A stage the policy requires is missing from the chain.',
  REFERENCE_UNRESOLVED: 'An attestation refers to a payload digest that is not in the bundle.',
  REFERENCE_UNTRUSTED: 'An attestation refers to an attestation that no trusted key signed.',
  REFERENCE_INVALID: 'An attestation refers to an attestation that is not a valid Lineproof predicate.',
  REFERENCE_CYCLE: 'References between attestations form a cycle.',
  SIGNER_NOT_IN_ROLE: 'An attestation is signed by an identity that does not hold the role its stage needs.',
  ROLE_THRESHOLD_NOT_MET: 'Fewer distinct identities of the role signed than the policy requires.',
  IDENTITY_MISMATCH: 'The identity an attestation claims is not the identity the policy binds to its signing key.',
  SEPARATION_OF_DUTIES:
    'An identity that signed one stage of a separation-of-duties pair (e.g. the training) was counted out of the other (e.g. the approval), leaving that stage short of its role threshold.',
  APPROVAL_THRESHOLD_NOT_MET:
    'Fewer distinct approver identities and keys signed the approval than the risk tier requires.',
  KEY_COMPROMISED:
    'A signature is by a key the policy or a revocation marks compromised; it counts for nothing, whatever time it claims.',
  KEY_OUTSIDE_VALIDITY: 'A signature is by a key outside its validity window at the time the evidence claims.',
  EVIDENCE_FROM_FUTURE: 'Evidence claims to be issued more than 300 s after the verification time.',
  TIME_ORDER_VIOLATION: 'Evidence claims to be issued before the attestation it refers to.',
  SUBJECT_MISMATCH: 'An attestation of the chain is about another artifact than the one verified.',
  CHAIN_INCONSISTENT:
    'Attestations of the chain disagree about what they rely on (e.g. evaluation and approval name different trainings).',
  PROMOTION_STAGE_MISMATCH: 'A promotion deploys to another stage than the approval allows.',
  RISK_TIER_MISMATCH: 'The approval names another risk tier than the policy gives its use case.',
  APPROVAL_NOT_YET_VALID: 'The approval is not valid yet at the verification time (notBefore).',
  APPROVAL_EXPIRED: 'The approval has expired at the verification time (expires, or issuedAt + the tier maximum age).',
  EVALUATION_FAILED: 'An evaluation the approval relies on has result FAILED.',
  EVALUATION_WARNED: 'An evaluation has result WARNED, which the risk tier does not accept.',
  EVALUATION_CATEGORY_MISSING: 'No evaluation covers a category the risk tier requires.',
  METRIC_GATE_FAILED: 'A metric fails the policy gate (or, without one, its declared threshold).',
  METRIC_MISSING: 'The policy gates a metric that no evaluation reports.',
  APPROVAL_EXPIRES_BEYOND_MAX_AGE:
    "attest approval --policy: the approval's expires is later than its tier's maximum age allows (a verifier treats it as expired from then).",
  FINDINGS_CAP_EXCEEDED: "An evaluation reports more findings of a severity in a category than the risk tier's cap.",
  FINDINGS_MISSING: 'The risk tier caps findings in a category that no relied-on evaluation reports findings for.',
  MODEL_NOT_REGISTERED:
    'The policy requires registration before approval, and the approval refers to no trusted registration of the model.',
  USE_CASE_NOT_REGISTERED: "The approval's use case is not one its registration registers.",
  REGISTRATION_TIER_MISMATCH:
    "The registration names another risk tier for the approved use case than the policy's (the policy's tier wins).",
  REVOKED: 'An attestation, the model, a dataset or a key of the chain is revoked.',
  BASE_MODEL_NOT_ALLOWED:
    "A fine-tune's base model is neither pinned by the policy nor covered by its baseModels sub-policy.",
  BASE_MODEL_UNCHECKED:
    "A fine-tune's base model is not checked because the policy has no baseModels section (listed as skipped).",
  KEY_REVOKED:
    "A signature is by a key revoked as retired or superseded, on evidence claiming to be issued at or after the revocation's effectiveAt.",
  RUN_TIME_INVALID:
    'A run time an attestation records (startedOn, finishedOn) is after its own issuedAt or the verification time (plus 300 s), or before the end of the run it depends on (an evaluation started before its training finished).',
  HASHING_MISMATCH:
    "The hashing configuration a chain subject was attested with (its manifest's hashing.algorithms, or a file subject's digest algorithms) lacks an algorithm the policy's hashing requires, or uses a chunk-tree leaf size other than the policy's.",
  HASHING_UNKNOWN:
    "The policy requires a hashing configuration, but the chain does not establish a subject's (a manifest subject whose manifest no trusted attestation of the chain inlines): fails closed.",
  ARTIFACT_DIFF_UNAVAILABLE:
    'No file-level diff of the artifact against an attested manifest was possible (a single-file artifact, no manifest a trusted training attests, or its sidecar absent); listed as skipped.',

  // ---- verification summaries (SLSA VSA, decisions §9) ---------------------------------------
  VSA_INVALID:
    'A verification summary is not a SLSA VSA v1 statement of the shape its specification requires (another predicateType, a missing or mistyped field; field path in the message).',
  VSA_SIGNER_NOT_VERIFIER:
    "A verification summary is (or would be) signed by no key of the policy's verifier role: a key the policy trusts for another role, or a key it does not know.",
  VSA_VERIFIER_MISMATCH: "A verification summary's verifier.id is not the verifier the consumer accepts.",
  VSA_POLICY_MISMATCH:
    'A verification summary names another policy (uri or sha256 digest) than the one the consumer requires.',
  VSA_RESOURCE_MISMATCH:
    'A verification summary is about another artifact: no subject digest matches the one required, or its resourceUri is not the one expected.',
  VSA_RESULT_MISMATCH:
    "A verification summary's verificationResult is not the one required (PASSED unless the consumer asks for FAILED).",
  VSA_LEVEL_MISSING:
    "A verification summary's verifiedLevels lacks the level required (LINEPROOF_CHAIN_V1 for a pass).",
  AUDIT_PAGE_INVALID:
    'An HTML audit page holds no embedded audit document, more than one, or one that is not valid JSON; or its marked verdict, artifact or attestations are missing or ambiguous.',
  AUDIT_PAGE_MISMATCH:
    'What an HTML audit page shows (verdict, artifact, attestations relied on, policy) differs from its embedded document or from the verification summary it carries.',
  AUDIT_PAGE_NO_SUMMARY: 'An HTML audit page carries no signed verification summary to check.',
  VSA_STALE:
    'A verification summary is older than the maximum age the consumer allows (timeVerified before asOf minus the age), or says no timeVerified when an age is required.',

  // ---- reports ------------------------------------------------------------------------------
  NOT_VERIFIED: 'assertVerified was given a report whose verdict is not ok.',
  NO_CHECKS: 'A report holds no check at all, so nothing was verified (fails closed).',

  // ---- predicates (lifecycle attestations) and time ------------------------------------------
  TIME_INVALID:
    'A timestamp is not an RFC 3339 date-time with Z or an offset, or names a date or time that does not exist.',
  PREDICATE_TYPE_UNKNOWN:
    "A statement's predicateType (or a SLSA provenance's buildType) is not a lifecycle predicate this version of Lineproof knows.",
  PREDICATE_INVALID:
    'A lifecycle predicate does not match its strict schema (unknown field, missing field, wrong type; field path in the message).',
  PREDICATE_TIME_ORDER:
    'Two times in one predicate are out of order (finishedOn before startedOn, expires not after notBefore).',
  PREDICATE_DUPLICATE: 'A predicate lists the same reference, metric or role entry twice.',
  PREDICATE_INCONSISTENT:
    'Fields of one predicate contradict each other (a PASSED result with a metric below its own threshold, evidence without a training reference...).',
  PREDICATE_SUBJECT_MISMATCH:
    "A predicate disagrees with its statement's subjects (an inlined manifest that is not a subject, a revocation whose subjects are not of its kind).",
  REFERENCE_STAGE_MISMATCH:
    'A predecessor payload given to a builder is not an attestation of the stage the reference requires.',
  // ---- keys / DSSE --------------------------------------------------------------------------
  KEY_INVALID: 'Key material is malformed: bad PEM, DER, JSON or hex, wrong length, or not a point on the curve.',
  KEY_UNSUPPORTED: 'A key of a type or format Lineproof does not support (only Ed25519 keys are accepted here).',
  KEY_WRONG_KIND: 'A private key was given where a public key is expected, or the reverse.',
  KEY_MISMATCH: 'The public key stored with a private key is not the one the private key derives.',
  KEY_PASSPHRASE_REQUIRED: 'The private key is encrypted and no passphrase was given (LINEPROOF_KEY_PASSPHRASE).',
  KEY_PASSPHRASE_WRONG: 'The encrypted private key could not be decrypted with the given passphrase.',
  KEY_EXISTS: 'A key file already exists and would be overwritten (use --force).',
  ED25519_MIXED_ORDER: 'An Ed25519 public key has a small-order (torsion) component; such keys are refused on import.',
  ED25519_SMALL_ORDER: 'An Ed25519 public key A or signature point R is of small order (any of its encodings).',
  ED25519_NONCANONICAL:
    'An Ed25519 point encoding is non-canonical (y >= p), or the scalar S is not below the group order L.',
  ED25519_SIGNATURE_MALFORMED: 'An Ed25519 signature is not exactly 64 bytes.',
  ED25519_SIGNATURE_INVALID:
    'An Ed25519 signature does not satisfy the verification equation for this key and message.',
  SIGNER_FAULT: 'A Signer returned a signature that does not verify under its own public key (sign-then-verify).',
  DSSE_ENVELOPE_INVALID: 'A DSSE envelope does not have the required shape (payloadType, payload, signatures[].sig).',
  DSSE_TOO_MANY_SIGNATURES: 'A DSSE envelope holds more signatures than the limit (default 16).',
  DSSE_PAYLOAD_TYPE_NOT_ASCII: 'A DSSE payloadType holds a non-ASCII character; signing and verifying refuse it.',
  DSSE_PAYLOAD_TYPE_MISMATCH: 'A DSSE payloadType differs from the one the verifier requires.',
  DSSE_SIGNATURE_UNVERIFIED:
    'No trusted key verifies this signature (wrong or untrusted key, or tampered payload, type or signature).',
  DSSE_NO_TRUSTED_SIGNATURE: 'No signature of the envelope verifies under a trusted key.',
  DSSE_THRESHOLD_NOT_MET: 'Fewer distinct trusted keys verified the envelope than the threshold requires.',
  DSSE_MERGE_MISMATCH:
    'Envelopes to merge differ in payload or payloadType; only signatures over the same payload merge.',
  // ---- hashing / manifests ------------------------------------------------------------------
  HASH_ALGORITHM_UNSUPPORTED: 'A hash algorithm name is not one Lineproof computes (sha256, sha512, blake2b, blake3).',
  HASH_SIZE_MISMATCH: 'A byte source produced more or fewer bytes than expected (truncated or extended).',
  HASH_PART_INVALID: 'A hash part document is malformed (a field missing, of the wrong type or out of range).',
  HASH_PART_MISSING: 'Hash parts to merge leave out a part number (or none was given).',
  HASH_PART_DUPLICATE: 'Two hash parts to merge carry the same part number.',
  HASH_PART_MISMATCH:
    'Hash parts to merge differ in configuration or listing, or give one file two sizes: parts of different hashes.',
  HASH_PART_OVERLAP: 'Two hash parts to merge both cover the same file, leaf or shard.',
  HASH_PART_INCOMPLETE: 'Hash parts to merge do not cover every file, leaf or shard of the listing they were cut from.',
  HASH_PART_SIGNATURE_INVALID: 'A hash part is not signed by one of the worker keys the merge was given.',
  MANIFEST_PATH_EMPTY: 'A manifest path is empty.',
  MANIFEST_PATH_ABSOLUTE: 'A manifest path is absolute (starts with "/"); paths are relative to the root.',
  MANIFEST_PATH_ESCAPE: 'A manifest path has a ".." segment, which could escape the root.',
  MANIFEST_PATH_DOT_SEGMENT: 'A manifest path has a "." segment (paths are written in one normal form).',
  MANIFEST_PATH_BACKSLASH: 'A manifest path holds a backslash (a separator on Windows; paths are POSIX).',
  MANIFEST_PATH_EMPTY_SEGMENT: 'A manifest path has an empty segment ("a//b" or a trailing "/").',
  MANIFEST_PATH_CONTROL_CHAR: 'A manifest path holds a control character (U+0000-U+001F or U+007F).',
  MANIFEST_PATH_NOT_UTF8: 'A file name is not well-formed UTF-8 (or a path holds a lone surrogate).',
  MANIFEST_DUPLICATE_PATH: 'Two manifest items have the same path.',
  MANIFEST_NFC_COLLISION:
    'Two different names are equal after Unicode NFC normalization (they collide on some filesystems).',
  MANIFEST_PATH_CONFLICT: 'A manifest path is both a file and the directory of another path.',
  MANIFEST_NOT_CANONICAL:
    'A manifest is not in its one canonical form (items unsorted, ignore list unsorted or repeated).',
  MANIFEST_VERSION_UNSUPPORTED: 'A manifest has a version this Lineproof does not know.',
  MANIFEST_ITEM_IGNORED: 'A manifest lists an item that its own ignore list excludes.',
  MANIFEST_IGNORE_PATTERN_INVALID: 'An ignore pattern is malformed (absolute, "..", empty segment, backslash).',
  MANIFEST_DIGEST_MISMATCH:
    'The manifest does not have the digest it was expected to have (it is not the attested manifest).',
  MANIFEST_HASHING_MISMATCH:
    'Two manifests were computed with different hashing configurations, so their items cannot be compared.',
  MANIFEST_IGNORE_MISMATCH: 'The files were hashed with an ignore list other than the one the manifest records.',
  MANIFEST_ITEM_MISSING: 'A file listed in the manifest is missing.',
  MANIFEST_ITEM_EXTRA: 'A file is present that the manifest does not list.',
  MANIFEST_ITEM_MISMATCH: "A file's digest differs from the one in the manifest.",
  MANIFEST_ITEM_SIZE_MISMATCH: "A file's size differs from the one in the manifest.",
  MANIFEST_ITEM_NOT_CHECKED: 'A manifest item was deliberately not checked (subset verification).',
  MANIFEST_EXTRA_NOT_CHECKED:
    'Files outside the checked subset were not looked for (subset verification cannot detect extra files).',
  MANIFEST_SUBSET_PATH_UNKNOWN: 'A path asked for in subset verification is not in the manifest.',
  MANIFEST_NOT_VERIFIED: 'Incremental re-hash was given a manifest that did not come from a successful verification.',
  SYMLINK_REFUSED: 'A symbolic link was found and symbolic links are not allowed.',
  SYMLINK_OUTSIDE_ROOT: 'A symbolic link points outside the root being hashed.',
  SYMLINK_LOOP: 'Symbolic links form a loop.',
  SYMLINK_DANGLING: 'A symbolic link points to nothing.',
  SPECIAL_FILE_REFUSED:
    'A special file (FIFO, socket, device) was found where a regular file is read (an input file, or a file in a tree being hashed); it is refused, never waited on or read.',
  FILE_CHANGED_WHILE_HASHING: 'A file changed (size, time or identity) while it was being hashed.',
  HF_CACHE_LAYOUT_INVALID:
    'A path given as a Hugging Face hub-cache snapshot is not inside one (…/models--ORG--NAME/snapshots/REVISION beside blobs/).',
  HF_BLOB_MISMATCH:
    'A file of a Hugging Face hub-cache snapshot links to an LFS blob whose name (the SHA-256 of its bytes) differs from the SHA-256 computed: the cache is corrupt or was modified.',
  OMS_UNSUPPORTED_COMBINATION:
    'A model_signing option combination its format cannot express (e.g. shards with blake3).',
  OMS_PATH_UNSUPPORTED: 'A path model_signing cannot represent (e.g. a ":" in a shard path).',
  OMS_PREDICATE_INVALID: 'A model_signing statement or predicate does not have the shape of its v1.0 format.',
  OMS_ROOT_DIGEST_MISMATCH: 'A model_signing subject digest is not the SHA-256 over its resource digests.',

  // ---- bundle writing, co-signing, attest ---------------------------------------------------
  BUNDLE_LOCK_TIMEOUT:
    'The advisory lock of a bundle (BUNDLE.lock) stayed held by a live writer past the timeout; nothing was written.',
  BUNDLE_PAYLOAD_NOT_FOUND: 'No envelope of the bundle has a payload with the given digest (nothing to co-sign).',
  PREDECESSOR_NOT_FOUND:
    'No attestation in the chain fits as the predecessor a new attestation needs (name it with --ref).',
  PREDECESSOR_AMBIGUOUS:
    'Several attestations in the chain fit as the predecessor a new attestation needs; choose with --ref.',

  // ---- interop (ECDSA, OpenSSF model_signing signatures, Sigstore bundles) -------------------
  ECDSA_SIGNATURE_MALFORMED:
    'An ECDSA signature is not a strict DER SEQUENCE of two minimal INTEGERs r, s with 1 <= r, s < n for the curve.',
  ECDSA_SIGNATURE_INVALID: 'An ECDSA signature does not satisfy the verification equation for this key and message.',
  OMS_BUNDLE_INVALID:
    'A model_signing signature file is not a Sigstore bundle v0.3 of a shape model_signing writes (field path in the message).',
  OMS_BUNDLE_UNSUPPORTED:
    'A model_signing signature of a kind Lineproof does not verify (certificate or Sigstore keyless, transparency-log entries, timestamps).',
  OMS_KEY_MISMATCH:
    'The key a model_signing bundle names (v1.0 publicKey.rawBytes or v1.1 publicKey.hint) is not the public key given for verification.',
  OMS_SIGNATURE_INVALID:
    'The model_signing signature does not verify under the given public key (payload or signature changed, or signed by another key).',
  SIGSTORE_BUNDLE_INVALID:
    'A Sigstore bundle is not a v0.3 bundle of the shape Lineproof reads: media type, public-key hint, one DSSE envelope, no unknown field (field path in the message).',
  SIGSTORE_BUNDLE_UNSUPPORTED:
    'A Sigstore bundle holds material Lineproof does not verify offline (certificates, transparency-log entries, RFC 3161 timestamps, message signatures); it is refused, not dropped.',
  SIGSTORE_MULTIPLE_SIGNATURES:
    'A Sigstore bundle carries exactly one signature; an envelope with several cannot be converted (make one bundle per signer), nor a bundle with several read.',
  CERTIFICATE_INVALID:
    'A certificate is not one DER X.509 certificate that can be read (or a PEM file holds no CERTIFICATE block).',
  CERTIFICATE_UNTRUSTED:
    'A certificate does not chain to a trust anchor the verifier was given (no issuer by name whose key verifies its signature, within the path limits).',
  CERTIFICATE_NOT_VALID_AT_TIME:
    'A certificate of the path is not valid (notBefore..notAfter) at the time the signature is judged at.',
  CERTIFICATE_USAGE_INVALID:
    'A certificate is used for what it may not do: an issuer that is not a CA or lacks keyCertSign, a path longer than a pathLenConstraint, or a signing certificate without digitalSignature or codeSigning.',
  CERTIFICATE_CRITICAL_EXTENSION_UNKNOWN:
    'A certificate of the path has a critical extension the verifier does not process; RFC 5280 requires refusing it.',
  OMS_CERTIFICATE_KEY_UNSUPPORTED:
    "A model_signing signing certificate's key is not an elliptic-curve key model_signing signs with (P-256, P-384, P-521).",
  OMS_IDENTITY_MISMATCH:
    "A Sigstore keyless signature's certificate was issued to another identity than the one given (its subjectAltNames compared exactly).",
  OMS_ISSUER_MISMATCH:
    "A Sigstore keyless signature's identity was vouched for by another OIDC issuer than the one given (the certificate's issuer extension compared exactly).",
  SIGSTORE_TRUSTED_ROOT_INVALID:
    'A Sigstore trusted root file (trusted_root.json, or a ClientTrustConfig holding one) cannot be read as one.',
  CERTIFICATE_IDENTITY_AMBIGUOUS:
    'A certificate names several identities of the policy (subjectAltNames of more than one): it counts for none, never for whichever comes first.',
  SIGSTORE_TRUSTED_ROOT_MISMATCH:
    "The Sigstore trusted root the verifier was given is not the one the policy pins (a certificate authority's trustedRootDigest, the sha256 of the file).",
  SIGSTORE_CERTIFICATE_UNTRUSTED:
    "A Sigstore keyless signature's Fulcio certificate does not chain to the trusted root's certificate authorities at the log's time, or lacks a valid SCT from its CT logs.",
  SIGSTORE_TLOG_INVALID:
    "A Sigstore bundle's transparency-log entry does not verify: its inclusion promise or proof fails against the trusted root's logs, its body does not match the signature, or it is missing.",
  SIGSTORE_TIMESTAMP_INVALID:
    "A Sigstore bundle's timestamps do not verify (an RFC 3161 timestamp against the trusted root's timestamp authorities), or there are too few.",
  SIGSTORE_VERIFICATION_FAILED: 'Sigstore verification (@sigstore/verify) failed for a reason it did not classify.',
  TIMESTAMP_INVALID:
    'An RFC 3161 timestamp token (or response) cannot be read: not a CMS SignedData holding one TSTInfo, a response whose status is not granted, or past the size limits.',
  TIMESTAMP_MISMATCH:
    "An RFC 3161 timestamp token's messageImprint is not the hash of the signature it is attached to: it timestamps something else.",
  TIMESTAMP_UNTRUSTED:
    "An RFC 3161 timestamp token's signature does not verify, or its signing certificate does not chain to a timestamp authority the policy trusts, or lacks the critical timeStamping extended key usage.",
  TIMESTAMP_MISSING:
    'The policy requires a trusted RFC 3161 timestamp on the signatures of this role, and the signature carries none from a timestamp authority it trusts.',
  TIMESTAMP_INCONSISTENT:
    'A statement claims an issuedAt later than the trusted timestamp over its signature (beyond the 300 s skew), in a role that requires a timestamp: the statement cannot postdate its own signature.',
  CERTIFICATE_IDENTITY_UNKNOWN:
    'A certificate signature verifies and chains to an authority the policy trusts, but its identity (subjectAltName, OIDC issuer) is no identity of the policy: it is skipped, never counted.',

  // ---- inventory (decisions §16) ----------------------------------------------------------
  INVENTORY_DB_ERROR:
    'The inventory database failed (connection, query, disk); the message names the database and the step. An ingest that fails stores nothing.',
  INVENTORY_SCHEMA_NEWER:
    'The inventory database was written by a newer Lineproof (a higher schema version); it is not read, so it cannot be misread.',
  INVENTORY_LOCKED:
    "The embedded inventory's data directory is held by another live process (PGlite allows one connection); nothing was read or written.",
  INVENTORY_POLICY_UNKNOWN:
    'An inventory question needs a policy whose trust was recorded, and none (or not the one asked for) was ingested.',
  INVENTORY_KEY_UNKNOWN: 'The key an inventory question names is not a key of the policy (by name or public key).',
  // ---- OCI registries (lineproof oci push / pull, spec/oci.md) -------------------------------
  OCI_REFERENCE_INVALID:
    'An OCI reference is not REGISTRY[:PORT]/REPOSITORY@sha256:<64 lowercase hex> (the repository name of the distribution spec).',
  OCI_CREDENTIALS_INVALID: 'A Docker config file or its auths entry for the registry cannot be read.',
  OCI_REGISTRY_UNREACHABLE: 'The registry could not be reached (connection refused, name not resolved, TLS failure).',
  OCI_REGISTRY_ERROR: 'The registry answered with a status the protocol does not allow for the request.',
  OCI_UNAUTHORIZED:
    'The registry refused the credentials (or there were none), or its token service did not issue a token.',
  OCI_TIMEOUT: 'A registry request, or the whole operation, ran past its time limit.',
  OCI_RESPONSE_TOO_LARGE:
    'A registry response body is larger than the limit for what was asked (manifest, index, blob).',
  OCI_LIMIT_EXCEEDED: 'A registry listed more referrers, pages or bytes in all than the limits allow.',
  OCI_DIGEST_MISMATCH:
    'Content from the registry does not have the digest or size it was asked for by (or that a descriptor names).',
  OCI_MANIFEST_INVALID:
    'An OCI manifest, index or descriptor does not have the shape the image spec requires, or is not an attestation artifact of the layout spec/oci.md gives.',
  OCI_REFERRERS_INVALID:
    'A referrers list (from the referrers API or the referrers tag) is not an OCI image index, or its Link header is unusable.',
  OCI_SUBJECT_NOT_FOUND: 'The model manifest named by the reference is not in the repository.',
  OCI_SUBJECT_MISMATCH: "A referrer's subject is another manifest than the one asked about.",
  OCI_CHAIN_NOT_ABOUT_SUBJECT:
    'oci push: no in-toto statement of the chain has the manifest digest as a subject sha256, so the chain would not verify for it.',
  OCI_CHAIN_UNSUPPORTED:
    'oci push: the chain holds what one OCI artifact per envelope cannot carry (a line that cannot be read, or Sigstore verification material).',
} as const;

/** A stable error or check code. See `spec/errors.md`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Every code, in catalogue order. */
export const errorCodes = (): ErrorCode[] => Object.keys(ERROR_CODES) as ErrorCode[];

/** Options for {@link LineproofError}. */
export interface LineproofErrorOptions {
  /** Where in the input the problem is, e.g. `signatures[0].sig` or a file path. */
  path?: string | undefined;
  /** What was expected (short, printable; never key material). */
  expected?: string | undefined;
  /** What was found (short, printable; never key material). */
  actual?: string | undefined;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * The error thrown by Lineproof for bad input and failed operations. `code` is stable API;
 * `message` is for humans and may change.
 *
 * @example
 * ```ts
 * try { parseJson('{"a":1,"a":2}') } catch (e) { if (e instanceof LineproofError) console.log(e.code) } // JSON_DUPLICATE_KEY
 * ```
 */
export class LineproofError extends Error {
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly expected: string | undefined;
  readonly actual: string | undefined;

  constructor(code: ErrorCode, message: string, options: LineproofErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LineproofError';
    this.code = code;
    this.path = options.path;
    this.expected = options.expected;
    this.actual = options.actual;
  }
}

/** True when `e` is a {@link LineproofError}, optionally with the given code. */
export function isLineproofError(e: unknown, code?: ErrorCode): e is LineproofError {
  return e instanceof LineproofError && (code === undefined || e.code === code);
}

/** Shorten a hex digest for messages: first 12 hex digits and an ellipsis. */
export function shortDigest(hex: string): string {
  return hex.length > 16 ? `${hex.slice(0, 12)}…` : hex;
}

/** Describe a value's type for "expected X, got Y" messages, never printing its content. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return `Uint8Array(length=${value.length})`;
  return typeof value;
}
