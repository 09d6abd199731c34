/**
 * Step 5 (first part): the signed revocation lists given to verification (decisions §13). Each
 * is judged against the policy; one that is not valid is listed as a skip and changes nothing
 * (it carries no trusted signature). Of the valid ones, not from the future, the highest
 * sequence wins and its entries count as the policy's own revocations. Two valid lists with one
 * sequence fail (REVOCATIONS_FORK); the winner below the caller's minimum fails
 * (REVOCATIONS_ROLLBACK); when the policy sets `revocationLists.maxAgeDays`, a missing, stale or
 * expired winner fails (REVOCATIONS_MISSING, REVOCATIONS_STALE, REVOCATIONS_EXPIRED).
 */
import type { DecodedEnvelope, Envelope } from '../dsse/envelope.js';
import type { JsonValue } from '../json/strict.js';
import type { SignatureVerifier } from '../keys/types.js';
import { judgeRevocationList, type AcceptedRevocationList } from '../policy/revocation-list.js';
import { shortDigestText } from '../digest/index.js';
import { FUTURE_SKEW_SECONDS, NS_PER_S, type LevelContext } from './context.js';

/** Most revocation lists one verification takes. */
export const MAX_REVOCATION_LISTS = 64;

/** What the caller gave: the lists and the lowest sequence it will accept. */
export interface RevocationListInput {
  lists: ReadonlyArray<Uint8Array | string | JsonValue | Envelope | DecodedEnvelope>;
  minSequence?: number;
  /** Names of the lists (file names), by position. */
  what?: readonly string[];
}

/** Step 5: the winning list (its entries apply), or undefined; every judgement is in the report. */
export async function checkRevocationLists(
  level: LevelContext,
  input: RevocationListInput | undefined,
  verifier: SignatureVerifier,
): Promise<AcceptedRevocationList | undefined> {
  const { report, policy, asOfNanos } = level;
  const freshness = policy.document.revocationLists;
  const lists = input?.lists ?? [];
  if (lists.length > MAX_REVOCATION_LISTS) {
    report.fail(
      'revocations.list',
      'LIMIT_EXCEEDED',
      'revocation lists',
      `${lists.length} revocation lists given, at most ${MAX_REVOCATION_LISTS}`,
    );
    return undefined;
  }
  const valid: Array<{ list: AcceptedRevocationList; what: string }> = [];
  for (const [i, raw] of lists.entries()) {
    const what = input?.what?.[i] ?? `revocations[${i}]`;
    const j = await judgeRevocationList(raw, policy, { verifier, limits: level.limits, what });
    if (!j.ok) report.skip('revocations.list', j.code, what, `not used: ${j.message}`);
    else if (j.list.issuedAtNanos > asOfNanos + BigInt(FUTURE_SKEW_SECONDS) * NS_PER_S)
      report.skip(
        'revocations.list',
        'EVIDENCE_FROM_FUTURE',
        what,
        `not used: issued ${j.list.document.issuedAt}, after the verification time`,
      );
    else valid.push({ list: j.list, what });
  }
  valid.sort((a, b) => b.list.document.sequence - a.list.document.sequence);
  const winner = valid[0];
  const fork =
    winner &&
    valid.find(
      (v) => v.list.document.sequence === winner.list.document.sequence && v.list.digest !== winner.list.digest,
    );
  if (winner && fork) {
    report.fail(
      'revocations.list',
      'REVOCATIONS_FORK',
      winner.what,
      `${winner.what} and ${fork.what} are two different lists with sequence ${winner.list.document.sequence}`,
    );
    return winner.list;
  }
  if (winner) {
    const d = winner.list.document;
    report.pass(
      'revocations.list',
      winner.what,
      `revocation list ${d.sequence} (${shortDigestText(winner.list.digest)}, issued ${d.issuedAt}, expires ${d.expires}) signed by ${winner.list.signers.join(', ')}: ${d.entries.length} entr${d.entries.length === 1 ? 'y' : 'ies'}`,
      { actual: `sequence ${d.sequence}` },
    );
  }
  const min = input?.minSequence;
  if (min !== undefined && (winner?.list.document.sequence ?? 0) < min)
    report.fail(
      'revocations.list',
      'REVOCATIONS_ROLLBACK',
      winner?.what ?? 'revocation lists',
      `the newest valid revocation list is ${winner ? `sequence ${winner.list.document.sequence}` : 'absent'}, below the minimum ${min}`,
      {
        expected: `sequence >= ${min}`,
        actual: winner ? String(winner.list.document.sequence) : 'none',
      },
    );
  if (freshness) checkFreshness(level, winner, freshness.maxAgeDays);
  return winner?.list;
}

/** The policy's `revocationLists.maxAgeDays`: the winner exists, is not expired and is recent enough. */
function checkFreshness(
  level: LevelContext,
  winner: { list: AcceptedRevocationList; what: string } | undefined,
  maxAgeDays: number,
): void {
  const { report, asOfNanos } = level;
  const subject = winner?.what ?? 'revocation lists';
  if (!winner)
    report.fail(
      'revocations.list',
      'REVOCATIONS_MISSING',
      subject,
      `the policy requires a signed revocation list no older than ${maxAgeDays} days, and none valid was given`,
    );
  else if (asOfNanos >= winner.list.expiresNanos)
    report.fail(
      'revocations.list',
      'REVOCATIONS_EXPIRED',
      subject,
      `the newest valid revocation list expired at ${winner.list.document.expires}`,
      {
        expected: `expires after ${level.asOfText}`,
        actual: winner.list.document.expires,
      },
    );
  else if (winner.list.issuedAtNanos < asOfNanos - BigInt(Math.round(maxAgeDays * 86_400)) * NS_PER_S)
    report.fail(
      'revocations.list',
      'REVOCATIONS_STALE',
      subject,
      `the newest valid revocation list was issued ${winner.list.document.issuedAt}, more than ${maxAgeDays} days before ${level.asOfText}`,
      {
        expected: `issued within ${maxAgeDays} days`,
        actual: winner.list.document.issuedAt,
      },
    );
}
