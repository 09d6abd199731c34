/**
 * Certificate identities and trusted time in our own policies (issue 15 items 4 and 5): a step
 * signed with a short-lived CI certificate from a private CA fills its role as a key would; a
 * certificate naming no identity of the policy is skipped; a role that requires an RFC 3161
 * timestamp (made by `openssl ts`, the peer) counts only signatures a trusted authority stamped, and
 * then the key's window is judged at the token's time, not the statement's own issuedAt.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/policy.js';
import { buildWorld, IDENTITY, verifyWorld, type World } from '../helpers/world.js';
import { Pki } from '../helpers/pki.js';
import type { Tsa } from '../helpers/tsa.js';
import {
  certificateLine,
  certificatePolicy,
  ciAuthorities,
  leafExt,
  stampedLines,
  swap,
  timestampPolicy,
  trustTsa,
} from '../helpers/certificates.js';

const { pki, trainerCert, otherCert, tsa, rogue } = ciAuthorities();
const stampedApproval = (w: World, by: Tsa | null, at: string) => stampedLines(w.steps.approval.envelope, by, at);

describe('a policy identity bound to a certificate identity (private CA)', () => {
  it('a training step signed with the CI certificate fills the trainer role', async () => {
    const w = await buildWorld({ policy: certificatePolicy });
    const { report, failed } = await verifyWorld(w, swap(w, 'training', await certificateLine(w, trainerCert)));
    expect(failed).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.results[0]!.chain.find((c) => c.stage === 'training')!.signers[0]).toMatchObject({
      identity: IDENTITY.trainer,
      role: 'trainer',
    });
  });

  it('a certificate naming another subject is skipped (CERTIFICATE_IDENTITY_UNKNOWN) and the step has no signer', async () => {
    const w = await buildWorld({ policy: certificatePolicy });
    const { report, failed } = await verifyWorld(w, swap(w, 'training', await certificateLine(w, otherCert)));
    expect(failed.length).toBeGreaterThan(0);
    expect(JSON.stringify(report)).toContain('CERTIFICATE_IDENTITY_UNKNOWN');
  });

  it('a certificate from a CA the policy does not trust is skipped', async () => {
    const w = await buildWorld({ policy: certificatePolicy });
    const own = new Pki('2025-12-01T00:00:00Z');
    const root = own.root('rogue-ci', { key: 'ec:P-256' });
    const cert = pki.issue('rogue-train', root, { ext: leafExt('URI:https://ci.example.com/train'), days: 30 });
    const { report, failed } = await verifyWorld(w, swap(w, 'training', await certificateLine(w, cert)));
    expect(failed.length).toBeGreaterThan(0);
    expect(JSON.stringify(report)).toContain('CERTIFICATE_UNTRUSTED');
  });

  it('a certificate whose SANs name two identities of the policy counts for neither (CERTIFICATE_IDENTITY_AMBIGUOUS)', async () => {
    const both = pki.issue('ci-both', ciAuthorities().ca, {
      ext: leafExt('URI:https://ci.example.com/train,URI:https://ci.example.com/eval'),
      days: 30,
    });
    const w = await buildWorld({
      policy: (doc) => {
        certificatePolicy(doc);
        delete doc.keys.evaluator;
        doc.identities[IDENTITY.evaluator] = {
          certificate: { authority: 'ci', subject: 'https://ci.example.com/eval' },
        };
      },
    });
    const { report, failed } = await verifyWorld(w, swap(w, 'training', await certificateLine(w, both)));
    expect(failed.length).toBeGreaterThan(0);
    expect(JSON.stringify(report)).toContain('CERTIFICATE_IDENTITY_AMBIGUOUS');
    // the same chain with a one-SAN certificate passes the training step
    const single = await verifyWorld(w, swap(w, 'training', await certificateLine(w, trainerCert)));
    expect(JSON.stringify(single.report)).not.toContain('CERTIFICATE_IDENTITY_AMBIGUOUS');
    expect(single.report.results[0]!.chain.some((c) => c.stage === 'training')).toBe(true);
  });

  it('policy load refuses an unknown authority and a duplicate certificate identity', () => {
    const base = (f: (d: Record<string, any>) => void) => async () => {
      const w = await buildWorld({ policy: certificatePolicy });
      f(w.doc);
      return parsePolicy(w.doc);
    };
    return Promise.all([
      expect(base((d) => (d.identities[IDENTITY.trainer].certificate.authority = 'nope'))()).rejects.toMatchObject({
        code: 'POLICY_REFERENCE_UNKNOWN',
      }),
      expect(
        base((d) => {
          delete d.keys.evaluator;
          d.identities[IDENTITY.evaluator] = {
            certificate: { authority: 'ci', subject: 'https://ci.example.com/train' },
          };
        })(),
      ).rejects.toMatchObject({ code: 'POLICY_KEY_AMBIGUOUS' }),
    ]);
  });
});

describe('trusted time (RFC 3161, openssl ts)', () => {
  it('approvals stamped by the trusted authority count', async () => {
    const w = await buildWorld({ policy: timestampPolicy });
    const { failed } = await verifyWorld(w, swap(w, 'approval', stampedApproval(w, tsa, '2026-01-14T17:00:00Z')));
    expect(failed).toEqual([]);
  });

  it('approvals without a token fail when the role requires one (TIMESTAMP_MISSING)', async () => {
    const w = await buildWorld({ policy: timestampPolicy });
    const { report, failed } = await verifyWorld(w);
    expect(failed.length).toBeGreaterThan(0);
    expect(JSON.stringify(report)).toContain('TIMESTAMP_MISSING');
  });

  it('tokens from an authority the policy does not trust do not count (TIMESTAMP_UNTRUSTED)', async () => {
    const w = await buildWorld({ policy: timestampPolicy });
    const { report, failed } = await verifyWorld(
      w,
      swap(w, 'approval', stampedApproval(w, rogue, '2026-01-14T17:00:00Z')),
    );
    expect(failed.length).toBeGreaterThan(0);
    expect(JSON.stringify(report)).toContain('TIMESTAMP_UNTRUSTED');
  });

  it('the key window is judged at the token time: a key that expired before the stamp does not count, whatever issuedAt says', async () => {
    const until = (doc: Record<string, any>) => {
      timestampPolicy(doc);
      doc.keys.alice.validUntil = '2026-01-14T17:00:00Z';
    };
    const w = await buildWorld({ policy: until });
    // issuedAt 16:45 is inside alice's window; the token says the signature existed only at 18:00
    const late = await verifyWorld(w, swap(w, 'approval', stampedApproval(w, tsa, '2026-01-14T18:00:00Z')));
    expect(late.failed.length).toBeGreaterThan(0);
    const early = await verifyWorld(w, swap(w, 'approval', stampedApproval(w, tsa, '2026-01-14T16:50:00Z')));
    expect(early.failed).toEqual([]);
  });

  it('a statement claiming an issuedAt after its own stamp is TIMESTAMP_INCONSISTENT', async () => {
    const w = await buildWorld({ policy: timestampPolicy });
    const { report, failed } = await verifyWorld(
      w,
      swap(w, 'approval', stampedApproval(w, tsa, '2026-01-14T16:00:00Z')),
    );
    expect(failed.length).toBeGreaterThan(0);
    expect(JSON.stringify(report)).toContain('TIMESTAMP_INCONSISTENT');
  });

  it('a late token an attacker adds to a signature of a role that requires none never stops it counting (key and certificate)', async () => {
    // alice's key expires at 17:00; the approval says 16:45; anyone may stamp it at 18:00
    const until = (doc: Record<string, any>) => {
      trustTsa(doc);
      doc.keys.alice.validUntil = '2026-01-14T17:00:00Z';
    };
    const w = await buildWorld({ policy: until });
    const late = await verifyWorld(w, w.bundle + stampedApproval(w, tsa, '2026-01-14T18:00:00Z'));
    expect(late.failed).toEqual([]);
    // the CI certificate expired at the end of January; a stamp in March changes nothing either
    const c = await buildWorld({
      policy: (doc) => {
        certificatePolicy(doc);
        trustTsa(doc);
      },
    });
    const line = await certificateLine(c, trainerCert);
    const env = JSON.parse(line).dsseEnvelope;
    const stamped = stampedLines(env, tsa, '2026-03-01T00:00:00Z');
    const r = await verifyWorld(c, swap(c, 'training', line + stamped));
    expect(r.failed).toEqual([]);
    // where the trainer role requires a timestamp, the March stamp is the only proof: it is too late
    const required = await buildWorld({
      policy: (doc) => {
        certificatePolicy(doc);
        trustTsa(doc);
        doc.roles.trainer.requireTimestamp = true;
      },
    });
    const line2 = await certificateLine(required, trainerCert);
    const stamped2 = stampedLines(JSON.parse(line2).dsseEnvelope, tsa, '2026-03-01T00:00:00Z');
    const r2 = await verifyWorld(required, swap(required, 'training', line2 + stamped2));
    expect(r2.failed).toContain('IDENTITY_MISMATCH');
    expect(JSON.stringify(r2.report)).toContain('KEY_OUTSIDE_VALIDITY');
    // and in time it counts
    const early = stampedLines(JSON.parse(line2).dsseEnvelope, tsa, '2026-01-11T02:20:00Z');
    expect((await verifyWorld(required, swap(required, 'training', line2 + early))).failed).toEqual([]);
  });

  it('a token contradicting issuedAt is not used where no timestamp is required (the signature still counts)', async () => {
    // the approval claims 16:45; a trusted token says its signature existed at 16:00
    const w = await buildWorld({ policy: trustTsa });
    const early = await verifyWorld(w, w.bundle + stampedApproval(w, tsa, '2026-01-14T16:00:00Z'));
    expect(early.failed).toEqual([]);
    // where the approver role requires one, the same token is TIMESTAMP_INCONSISTENT (test above)
  });

  it('policy load refuses requireTimestamp with no authority that gives time, and on the verifier role', async () => {
    const w = await buildWorld();
    const none = structuredClone(w.doc);
    none.roles.approver.requireTimestamp = true;
    expect(() => parsePolicy(none)).toThrow(/no timestamp authority/);
    const verifier = structuredClone(w.doc);
    trustTsa(verifier);
    verifier.roles.verifier = { identities: [IDENTITY.carol], requireTimestamp: true };
    expect(() => parsePolicy(verifier)).toThrow(/verifier role cannot require a timestamp/);
    trustTsa(none);
    expect(parsePolicy(none).document.roles.approver!.requireTimestamp).toBe(true);
  });
});
