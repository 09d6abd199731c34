/**
 * `lineproof oms verify`: model_signing's three verification modes with its command semantics —
 * `key`, `certificate` and `sigstore`, named or inferred from the flags; MODEL_PATH positional (or
 * --model); upstream's flag spellings (`--public_key`, `--certificate_chain`,
 * `--identity_provider`, `--ignore_paths`…: `_` read as `-`, as upstream's CLI does); relative
 * `--ignore-paths` resolved against the working directory, or the model directory when that lies
 * outside the model; `--ignore-unsigned-files`.
 */
import { isAbsolute, resolve } from 'node:path';
import { LineproofError } from '../../errors.js';
import { ReportBuilder, type Report } from '../../report/index.js';
import { loadCertificates, loadEcPublicKey } from '../../node/ec-keys.js';
import { insideModel, verifyOmsModelPath, type VerifyOmsModelPathOptions } from '../../node/oms.js';
import { verifyOmsSigstoreModelPath } from '../../node/oms-sigstore.js';
import { parseCommandArgs, pathExists, resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { hashProgress } from '../progress.js';
import { EXIT, type CliContext, type Command } from '../types.js';

const HELP = `Usage: lineproof oms verify [key|certificate|sigstore] MODEL_PATH --signature SIG
         (--key PUB | --certificate-chain CA.pem ... | --identity ID --identity-provider ISSUER [--trusted-root FILE])
         [--ignore-paths P ...] [--no-ignore-git-paths] [--allow-symlinks] [--ignore-unsigned-files] [--json]

Verify a model against its OpenSSF model signing (model_signing) signature, offline, with
model_signing's own command semantics. The mode is named first, as upstream, or follows from the
flags: --key (key), --certificate-chain (certificate), --identity (sigstore).

  key          the bundle's key is the one given (ECDSA P-256/SHA-256, P-384/SHA-384,
               P-521/SHA-512): model_signing 1.0.x publicKey.rawBytes, 1.1+ publicKey.hint, or a
               certificate bundle whose leaf holds the key (its chain is then not checked)
  certificate  the bundle's leaf certificate chains to a CA given with --certificate-chain through
               the bundle's intermediates, every certificate valid at the leaf's notBefore (such
               bundles carry no log entry or timestamp), and the leaf may sign (keyUsage
               digitalSignature, or extKeyUsage codeSigning)
  sigstore     Sigstore keyless: the Fulcio certificate chains to the trusted root's CA at the
               log's integrated time, its SCT, the Rekor entry (inclusion promise and proof), an
               RFC 3161 timestamp when present, the identity (an exact subjectAltName) and the
               issuer; checked offline by @sigstore/verify with --trusted-root
Then, in every mode: the in-toto statement and its root digest, the model hashed as the signature
records (files or shards, hash type, allow_symlinks), and every file: extra, missing and changed
files are listed one by one.

Options (upstream's spellings with "_" work too: --public_key, --certificate_chain,
--identity_provider, --ignore_paths, --allow_symlinks, --ignore_unsigned_files, --trust_config):
  MODEL_PATH, --model PATH    the model directory, or the file itself for a single-file model
  --signature SIG             the signature file (model.sig); ignored when it lies inside the model
  --key PUB, --public-key PUB the signer's EC public key: PEM (text before -----BEGIN is
                              skipped), DER, or a compressed point
  --certificate-chain CA      a PEM (or DER) file of CA certificates to trust; repeat for several
  --identity ID               sigstore: the signer's identity, matched exactly (an email or URI)
  --identity-provider URL     sigstore: the OIDC issuer that vouched for it, matched exactly
  --trusted-root FILE         sigstore: a Sigstore trusted_root.json (default: the public-good root
                              shipped in this package; trust/README.md says how to refresh it); also
                              --trust-config FILE, a ClientTrustConfig holding a trustedRoot
  --ignore-paths P            a path to leave out (repeat). A relative path is resolved against
                              the working directory, as upstream; when that lies outside the
                              model, against the model directory. The signature's own
                              ignore_paths are always left out.
  --ignore-git-paths          leave out .git, .gitattributes, .github, .gitignore (the default)
  --no-ignore-git-paths       check them too
  --allow-symlinks            follow links to files model_signing's way even when the signature
                              does not record allow_symlinks
  --ignore-unsigned-files     hash only the files the signature lists: files on disk it does not
                              list are neither read nor reported (missing ones still fail)
  --json                      print the verification report (JSON, kind "oms")

Exit codes: 0 verified; 1 the signature or the model fails (a signature file that cannot be
parsed included); 2 usage error, an unreadable or invalid key, certificate or trusted root file,
or a missing model or signature path.

Examples (from the folder holding the model, as upstream):
  lineproof oms verify key ./v1.0.1-elliptic-key --signature ./v1.0.1-elliptic-key/model.sig \\
    --public_key signing-key-pub.pem --ignore-paths ./v1.0.1-elliptic-key/ignore-me
  lineproof oms verify certificate --certificate_chain certificate-keys/ca-cert.pem \\
    --ignore-paths ./v1.0.1-certificate/ignore-me --signature ./v1.0.1-certificate/model.sig ./v1.0.1-certificate/
  lineproof oms verify sigstore --identity stefanb@us.ibm.com \\
    --identity_provider https://sigstore.verify.ibm.com/oauth2 \\
    --ignore-paths ./v1.0.1-sigstore/ignore-me --signature ./v1.0.1-sigstore/model.sig ./v1.0.1-sigstore/
`;

const MODES = ['key', 'certificate', 'sigstore'] as const;
type Mode = (typeof MODES)[number];

/** Upstream maps `_` to `-` in option names (`--public_key` = `--public-key`); values are untouched. */
export function normalizeFlagSpelling(args: readonly string[]): string[] {
  return args.map((a) => {
    if (!a.startsWith('--') || a === '--') return a;
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    return name.replace(/_/g, '-') + (eq < 0 ? '' : a.slice(eq));
  });
}

/**
 * `--ignore-paths` as upstream resolves them: a relative path against the working directory; when
 * that lies outside the model, against the model directory (Lineproof's earlier form). Each comes
 * back as a path inside the model (absolute), or a usage error.
 */
export function resolveIgnorePaths(ctx: CliContext, model: string, values: readonly string[]): string[] {
  return values.map((p) => {
    if (p === '') throw usage('oms verify: --ignore-paths expected a path, got ""');
    const candidates = isAbsolute(p) ? [p] : [resolve(ctx.io.cwd, p), resolve(model, p)];
    const found = candidates.find((c) => insideModel(model, c) !== undefined);
    if (found !== undefined) return found;
    throw usage(
      `oms verify: --ignore-paths ${JSON.stringify(p)} is not inside the model ${JSON.stringify(model)} (resolved against the working directory, then the model directory)`,
    );
  });
}

const OPTIONS = {
  model: { type: 'string' },
  signature: { type: 'string' },
  key: { type: 'string' },
  'public-key': { type: 'string' },
  'certificate-chain': { type: 'string', multiple: true },
  identity: { type: 'string' },
  'identity-provider': { type: 'string' },
  'trusted-root': { type: 'string' },
  'trust-config': { type: 'string' },
  'use-staging': { type: 'boolean' },
  'ignore-paths': { type: 'string', multiple: true },
  'ignore-git-paths': { type: 'boolean' },
  'no-ignore-git-paths': { type: 'boolean' },
  'allow-symlinks': { type: 'boolean' },
  'ignore-unsigned-files': { type: 'boolean' },
  'no-ignore-unsigned-files': { type: 'boolean' },
  'log-fingerprints': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

/** The mode: named first, or from the flags; conflicting flags are a usage error. */
function modeOf(named: Mode | undefined, v: Values): Mode {
  const keyFlag = v.key ?? v['public-key'];
  const byFlags: Mode[] = [];
  if (keyFlag !== undefined) byFlags.push('key');
  if (v['certificate-chain'] !== undefined) byFlags.push('certificate');
  if (v.identity !== undefined || v['identity-provider'] !== undefined) byFlags.push('sigstore');
  if (byFlags.length > 1)
    throw usage(`oms verify: --${byFlags.join(', --')} flags belong to different modes; give one mode's flags`);
  const mode = named ?? byFlags[0];
  if (!mode)
    throw usage(
      "oms verify: give --key (key), --certificate-chain (certificate) or --identity and --identity-provider (sigstore) (see 'lineproof oms verify --help')",
    );
  if (byFlags[0] !== undefined && byFlags[0] !== mode)
    throw usage(`oms verify ${mode}: flags of mode ${byFlags[0]} were given`);
  return mode;
}

function summary(ctx: CliContext, report: Report, model: string, signature: string): void {
  const lines: string[] = [];
  for (const c of report.checks) {
    if (c.status === 'fail') lines.push(`FAIL ${c.id} ${c.code} (${c.subject}): ${c.message}`);
  }
  if (report.ok) {
    lines.push(`verified: ${model} against ${signature}`);
    for (const id of ['oms.bundle', 'oms.certificate', 'oms.sigstore', 'oms.identity', 'oms.signature']) {
      const c = report.checks.find((x) => x.id === id);
      if (c) lines.push(`  ${c.message}`);
    }
    const res = report.checks.find((c) => c.id === 'oms.resources');
    if (res) lines.push(`  ${res.message}; root ${res.expected ?? ''}`);
  } else {
    const n = report.checks.filter((c) => c.status === 'fail').length;
    const notChecked = report.checks.find((c) => c.id === 'oms.model' && c.status === 'skip');
    if (notChecked) lines.push(`note: ${notChecked.message}`);
    lines.push(`NOT VERIFIED: ${model} (${n} failed check${n === 1 ? '' : 's'})`);
  }
  ctx.io.stdout(`${lines.join('\n')}\n`);
}

interface Parsed {
  mode: Mode;
  modelArg: string;
  sigArg: string;
  model: string;
  signature: string;
  values: Values;
}

function parse(args: string[], ctx: CliContext): Parsed {
  const { values, positionals } = parseCommandArgs('oms verify', normalizeFlagSpelling(args), OPTIONS, {
    min: 0,
    max: 2,
  });
  const rest = [...positionals];
  const named =
    MODES.includes(rest[0] as Mode) && (rest.length === 2 || values.model !== undefined) ? rest.shift() : undefined;
  if (rest.length > 1) throw usage(`oms verify: unexpected argument ${JSON.stringify(rest[1])}`);
  if (rest.length === 1 && values.model !== undefined)
    throw usage('oms verify: give the model once: MODEL_PATH or --model');
  const modelArg = rest[0] ?? values.model;
  if (modelArg === undefined || modelArg === '')
    throw usage("oms verify: MODEL_PATH is required (see 'lineproof oms verify --help')");
  const sigArg = values.signature;
  if (sigArg === undefined || sigArg === '')
    throw usage("oms verify: --signature is required (see 'lineproof oms verify --help')");
  if (values.key !== undefined && values['public-key'] !== undefined)
    throw usage('oms verify: --key and --public-key are one option; give it once');
  if (values['ignore-git-paths'] && values['no-ignore-git-paths'])
    throw usage('oms verify: --ignore-git-paths and --no-ignore-git-paths exclude each other');
  if (values['use-staging'])
    throw usage('oms verify: --use-staging needs the staging trusted root: give it with --trusted-root');
  const mode = modeOf(named as Mode | undefined, values);
  const model = resolvePath(ctx, modelArg);
  const signature = resolvePath(ctx, sigArg);
  if (!pathExists(model)) throw usage(`oms verify: ${JSON.stringify(modelArg)}: no such file or directory`);
  if (!pathExists(signature)) throw usage(`oms verify: --signature ${JSON.stringify(sigArg)}: no such file`);
  return { mode, modelArg, sigArg, model, signature, values };
}

async function trustFor(
  p: Parsed,
  ctx: CliContext,
): Promise<Pick<VerifyOmsModelPathOptions, 'publicKey' | 'certificateChain'>> {
  const v = p.values;
  if (p.mode === 'key') {
    const keyArg = v.key ?? v['public-key'];
    if (keyArg === undefined || keyArg === '') throw usage('oms verify key: --key (or --public-key) is required');
    return { publicKey: await asExit(EXIT.USAGE, () => loadEcPublicKey(resolvePath(ctx, keyArg), { what: keyArg })) };
  }
  const files = v['certificate-chain'] ?? [];
  if (files.length === 0)
    throw usage(
      'oms verify certificate: --certificate-chain CA.pem is required (model_signing would fall back to the operating system CAs; Lineproof trusts only what you name)',
    );
  const anchors = await asExit(EXIT.USAGE, () =>
    files.flatMap((f) => loadCertificates(resolvePath(ctx, f), { what: f })),
  );
  return { certificateChain: anchors };
}

export const omsVerifyCommand: Command = {
  name: 'oms verify',
  summary: 'verify a model against its OpenSSF model_signing signature (key, certificate, Sigstore keyless)',
  help: HELP,
  async run(args, ctx) {
    const p = parse(args, ctx);
    const v = p.values;
    const ignorePaths = resolveIgnorePaths(ctx, p.model, v['ignore-paths'] ?? []);
    const common = {
      signature: p.signature,
      ignorePaths,
      ignoreGitPaths: !v['no-ignore-git-paths'],
      ignoreUnsignedFiles: v['ignore-unsigned-files'] === true && !v['no-ignore-unsigned-files'],
      allowSymlinks: v['allow-symlinks'] === true,
    };
    let report: Report;
    const bar = hashProgress(ctx);
    try {
      if (p.mode === 'sigstore') {
        if (!v.identity || !v['identity-provider'])
          throw usage('oms verify sigstore: --identity and --identity-provider are both required (as upstream)');
        const trustArg = v['trusted-root'] ?? v['trust-config'];
        report = (
          await verifyOmsSigstoreModelPath(p.model, {
            ...common,
            identity: v.identity,
            issuer: v['identity-provider'],
            ...(trustArg !== undefined ? { trustedRoot: resolvePath(ctx, trustArg), trustedRootWhat: trustArg } : {}),
            ...(bar.onProgress ? { onProgress: bar.onProgress } : {}),
          })
        ).report;
      } else {
        const trust = await trustFor(p, ctx);
        report = (
          await verifyOmsModelPath(p.model, {
            ...common,
            ...trust,
            ...(bar.onProgress ? { onProgress: bar.onProgress } : {}),
          })
        ).report;
      }
    } catch (e) {
      if (e instanceof LineproofError && e.code === 'LIMIT_EXCEEDED') {
        // A signature file too large to be a bundle: the evidence fails, with a report.
        const b = new ReportBuilder('oms');
        b.failFrom('oms.bundle', p.sigArg, e);
        b.result({ subject: p.sigArg, ok: false, chain: [] });
        report = b.build();
      } else {
        return asExit(EXIT.USAGE, () => {
          throw e;
        });
      }
    } finally {
      bar.done();
    }
    if (v.json) ctx.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else summary(ctx, report, p.modelArg, p.sigArg);
    return report.ok ? EXIT.OK : EXIT.FAIL;
  },
};
