/**
 * The verification report (decisions §10): one versioned JSON shape returned by every verifier in
 * Lineproof, printed verbatim by `--json`, and described by a JSON Schema
 * (`spec/report.schema.json`, generated from {@link reportSchema}).
 *
 * A report is a list of checks, each with a stable `id` (what was checked), a stable `code`
 * (`OK` when it passed, else an {@link ErrorCode}), a status, the subject it is about, what was
 * expected and what was found. `ok` is true only when at least one check ran and none failed:
 * an empty report fails closed.
 */
import { z } from 'zod';
import { ERROR_CODES, LineproofError, type ErrorCode } from '../errors.js';

/** Version of the report format; bumped only for incompatible changes. */
export const REPORT_VERSION = 1 as const;

/** Status of one check. `skip` means not applicable or deliberately not checked (listed, never silent). */
export type CheckStatus = 'pass' | 'fail' | 'skip';

/** The code of a passed check. */
export const OK = 'OK' as const;
/** A check's code: `OK` for a pass, else a catalogued {@link ErrorCode}. */
export type CheckCode = typeof OK | ErrorCode;

/** One check in a report. */
export interface Check {
  /** Stable identifier of what is checked, dotted, e.g. `dsse.signature.threshold`. */
  id: string;
  /** `OK`, or the error code explaining a fail or a skip. */
  code: CheckCode;
  status: CheckStatus;
  /** What the check is about: an envelope, a payload digest, a path, a stage. */
  subject: string;
  /** What was required (printable, short; never key material). */
  expected?: string;
  /** What was found. */
  actual?: string;
  /** One sentence for humans. */
  message: string;
}

/** One signer of a chain link, as resolved against trusted keys. */
export interface ChainSigner {
  keyid: string;
  identity?: string;
  role?: string;
}

/** One resolved link of a chain (one attestation). */
export interface ChainLink {
  stage: string;
  /** `sha256:<hex>` of the envelope's payload bytes. */
  payloadDigest: string;
  predicateType: string;
  signers: ChainSigner[];
  issuedAt?: string;
  /** Payload digests this link refers to. */
  references?: string[];
}

/** The verdict for one subject (a model, a dataset, an envelope). */
export interface SubjectResult {
  subject: string;
  ok: boolean;
  chain: ChainLink[];
}

/** A verification report, version 1. */
export interface Report {
  reportVersion: typeof REPORT_VERSION;
  /** What was verified: `dsse`, `manifest`, `chain`, `oms`, `sigstore`, ... */
  kind: string;
  ok: boolean;
  /** The time verification was performed as of (RFC 3339), or null when time played no part. */
  asOf: string | null;
  /** `sha256:<hex>` of the JCS bytes of the policy, or null when no policy was involved. */
  policyDigest: string | null;
  results: SubjectResult[];
  checks: Check[];
}

const checkCodeSchema = z
  .string()
  .refine((c) => c === OK || Object.hasOwn(ERROR_CODES, c), { message: 'unknown check code' });

/** Zod schema of {@link Report}; the JSON Schema in spec/ is generated from it. */
export const reportSchema = z
  .object({
    reportVersion: z.literal(REPORT_VERSION),
    kind: z.string().min(1),
    ok: z.boolean(),
    asOf: z.string().nullable(),
    policyDigest: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/)
      .nullable(),
    results: z.array(
      z
        .object({
          subject: z.string(),
          ok: z.boolean(),
          chain: z.array(
            z
              .object({
                stage: z.string(),
                payloadDigest: z.string(),
                predicateType: z.string(),
                signers: z.array(
                  z
                    .object({ keyid: z.string(), identity: z.string().optional(), role: z.string().optional() })
                    .strict(),
                ),
                issuedAt: z.string().optional(),
                references: z.array(z.string()).optional(),
              })
              .strict(),
          ),
        })
        .strict(),
    ),
    checks: z.array(
      z
        .object({
          id: z.string().min(1),
          code: checkCodeSchema,
          status: z.enum(['pass', 'fail', 'skip']),
          subject: z.string(),
          expected: z.string().optional(),
          actual: z.string().optional(),
          message: z.string(),
        })
        .strict(),
    ),
  })
  .strict();

/** The report's JSON Schema (draft 2020-12), generated from {@link reportSchema}. */
export function reportJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(reportSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $id: 'https://lineproof.dev/schemas/report/v1.json',
    title: 'Lineproof verification report, version 1',
    ...schema,
  };
}

/**
 * Collects checks in order and produces a {@link Report}. Verifiers keep running independent
 * checks after a failure so a user sees every problem at once.
 */
export class ReportBuilder {
  readonly checks: Check[] = [];
  readonly results: SubjectResult[] = [];

  constructor(
    readonly kind: string,
    readonly asOf: string | null = null,
    readonly policyDigest: string | null = null,
  ) {}

  /** Record a check that passed. */
  pass(id: string, subject: string, message: string, extra: { expected?: string; actual?: string } = {}): Check {
    return this.add({ id, code: OK, status: 'pass', subject, message, ...extra });
  }

  /** Record a check that failed, with the code that explains it. */
  fail(
    id: string,
    code: ErrorCode,
    subject: string,
    message: string,
    extra: { expected?: string; actual?: string } = {},
  ): Check {
    return this.add({ id, code, status: 'fail', subject, message, ...extra });
  }

  /** Record a check that was not applicable or deliberately not performed. */
  skip(
    id: string,
    code: CheckCode,
    subject: string,
    message: string,
    extra: { expected?: string; actual?: string } = {},
  ): Check {
    return this.add({ id, code, status: 'skip', subject, message, ...extra });
  }

  /** Record a failure from a caught error: its code, path and expected/actual. */
  failFrom(id: string, subject: string, error: unknown): Check {
    if (error instanceof LineproofError) {
      return this.fail(
        id,
        error.code,
        error.path ?? subject,
        error.message,
        withDefined({ expected: error.expected, actual: error.actual }),
      );
    }
    return this.fail(
      id,
      'INTERNAL',
      subject,
      `unexpected error: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  /** Append a raw check (validated for shape). */
  add(check: Check): Check {
    if (check.status === 'pass' && check.code !== OK)
      throw new TypeError(`"check.code" must be OK for a passed check, got ${check.code}`);
    if (check.status === 'fail' && check.code === OK)
      throw new TypeError('"check.code" must be an error code for a failed check');
    this.checks.push(check);
    return check;
  }

  /** Add a subject's result. Its `ok` is computed by the caller (e.g. from its own checks). */
  result(result: SubjectResult): void {
    this.results.push(result);
  }

  /** True when at least one check passed and none failed. */
  get ok(): boolean {
    return reportOk(this.checks);
  }

  /** The finished report. */
  build(): Report {
    return {
      reportVersion: REPORT_VERSION,
      kind: this.kind,
      ok: this.ok,
      asOf: this.asOf,
      policyDigest: this.policyDigest,
      results: this.results,
      checks: this.checks,
    };
  }
}

function withDefined<T extends Record<string, string | undefined>>(o: T): { [K in keyof T]?: string } {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

/** The verdict over a list of checks: at least one pass and no fail. */
function reportOk(checks: readonly Check[]): boolean {
  return checks.some((c) => c.status === 'pass') && !checks.some((c) => c.status === 'fail');
}

/** The failed checks of a report. */
export function failedChecks(report: Report): Check[] {
  return report.checks.filter((c) => c.status === 'fail');
}

/**
 * Throw unless the report's verdict is ok, for callers who prefer exceptions.
 * The verdict is recomputed from the checks, so a report edited to say `ok: true` still throws.
 * @throws {LineproofError} NOT_VERIFIED (code of the first failed check in the message) or NO_CHECKS
 * @example
 * ```ts
 * assertVerified(report); // returns nothing when ok
 * ```
 */
export function assertVerified(report: Report): void {
  if (!report || !Array.isArray(report.checks)) throw new TypeError('"report" expected a Lineproof report');
  if (!report.checks.some((c) => c.status === 'pass')) {
    throw new LineproofError('NO_CHECKS', `${report.kind} report: no check passed, nothing was verified`);
  }
  const failed = report.checks.filter((c) => c.status === 'fail');
  if (failed.length > 0 || report.ok !== true) {
    const first = failed[0];
    throw new LineproofError(
      'NOT_VERIFIED',
      `${report.kind} verification failed: ${failed.length} check(s) failed` +
        (first ? `; first: ${first.id} ${first.code} (${first.subject}): ${first.message}` : ''),
      first ? { path: first.subject } : {},
    );
  }
}
