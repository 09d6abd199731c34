#!/usr/bin/env node
// The Lineproof lifecycle demo (`npm run demo`, after a build). In a temporary directory, with no
// arguments and nothing to set up: six people and pipelines get keys, a policy names who may do
// what, and a model is attested from its data to production through the real CLI (dist/):
// dataset -> training -> evaluation -> approval (two approvers) -> promotion. The chain is verified
// offline, then three attacks are shown being rejected with their codes, and the chain is printed
// as a tree. Exits 0 only when every step behaved as expected.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(BIN)) {
  console.error('demo: dist/ is missing; run `npm run build` first (npm run demo does)');
  process.exit(1);
}
const started = Date.now();
const dir = mkdtempSync(join(tmpdir(), 'lineproof-demo-'));
const problems = [];
const CHAIN = 'model.intoto.jsonl';

function say(text) {
  console.log(text.replace(/^/gm, '   ').replace(/^ {3}/, '\n== '));
}
function lineproof(args, { expect = 0, codes = [], quiet = false } = {}) {
  console.log(`$ lineproof ${args.map((a) => (/[\s"'<>|]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, LINEPROOF_KEY_PASSPHRASE: '' },
  });
  const out = `${r.stdout}${r.stderr}`.trimEnd();
  if (out && !quiet) console.log(out.replace(/^/gm, '  '));
  console.log(`  (exit ${r.status})`);
  if (r.status !== expect)
    problems.push(
      `lineproof ${args.slice(0, 2).join(' ')}: expected exit ${expect}, got ${r.status}${r.stderr ? `: ${r.stderr.trim()}` : ''}`,
    );
  for (const c of codes)
    if (!out.includes(c)) problems.push(`lineproof ${args.slice(0, 2).join(' ')}: expected ${c} in the output`);
  return r;
}
const iso = (ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

const PEOPLE = {
  steward: 'mailto:data-steward@example.com',
  trainer: 'https://ci.example.com/pipelines/train',
  evaluator: 'https://ci.example.com/pipelines/eval',
  alice: 'mailto:alice@example.com',
  bob: 'mailto:bob@example.com',
  deployer: 'https://deploy.example.com/release',
};

try {
  say('1. Keys. Each person or pipeline that signs gets its own Ed25519 key pair.');
  mkdirSync(join(dir, 'keys'));
  for (const name of Object.keys(PEOPLE)) lineproof(['keygen', '--out', `keys/${name}`], { quiet: name !== 'steward' });

  say(`2. The policy (policy.json) is the trust root: which key belongs to which identity, who holds
which role, and what each use case requires. "support-chat" is high risk: two approvers, accuracy,
robustness, fairness and safety evaluated, accuracy >= 0.9, nothing WARNED.`);
  const doc = {
    id: 'https://example.com/policies/support-models',
    version: 1,
    keys: Object.fromEntries(
      Object.keys(PEOPLE).map((n) => [n, { publicKey: readFileSync(join(dir, 'keys', `${n}.pub`), 'utf8') }]),
    ),
    identities: Object.fromEntries(Object.entries(PEOPLE).map(([n, id]) => [id, { keys: [n] }])),
    roles: {
      'data-steward': { identities: [PEOPLE.steward] },
      trainer: { identities: [PEOPLE.trainer] },
      evaluator: { identities: [PEOPLE.evaluator] },
      approver: { identities: [PEOPLE.alice, PEOPLE.bob] },
      deployer: { identities: [PEOPLE.deployer] },
    },
    riskTiers: {
      low: { requiredEvaluationCategories: ['accuracy'], allowWarned: true, approvers: 1, maxApprovalAgeDays: 365 },
      high: {
        requiredEvaluationCategories: ['accuracy', 'robustness', 'fairness', 'safety'],
        metricGates: [{ name: 'routing_accuracy', min: 0.9 }],
        allowWarned: false,
        approvers: 2,
        maxApprovalAgeDays: 90,
      },
    },
    useCases: { 'support-chat': { riskTier: 'high' }, 'internal-search': { riskTier: 'low' } },
  };
  writeFileSync(join(dir, 'policy.json'), `${JSON.stringify(doc, null, 2)}\n`);
  console.log(
    `  roles: ${Object.entries(doc.roles)
      .map(([r, v]) => `${r} = ${v.identities.join(', ')}`)
      .join('; ')}`,
  );

  say('3. A small fake model directory and its training data.');
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'model', 'config.json'), '{"architecture":"tiny-demo","layers":2}\n');
  writeFileSync(
    join(dir, 'model', 'model.safetensors'),
    Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => (i * 2654435761) >>> 24)),
  );
  writeFileSync(join(dir, 'model', 'tokenizer.json'), '{"vocab":["hello","world"]}\n');
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'train.jsonl'), '{"ticket":"my order is late","queue":"shipping"}\n'.repeat(50));
  writeFileSync(join(dir, 'data', 'test.jsonl'), '{"ticket":"refund please","queue":"billing"}\n'.repeat(10));
  lineproof(['hash', 'model']);

  const now = Date.now();
  const C = ['--chain', CHAIN, '--policy', 'policy.json'];
  say('4. The data steward attests the dataset (a directory: its manifest is hashed and inlined).');
  lineproof([
    'attest',
    'dataset',
    '--subject',
    'data',
    '--name',
    'support-tickets',
    '--version',
    '2026.01',
    '--owner',
    'support-data-team',
    '--license',
    'LicenseRef-Internal',
    '--sensitivity',
    'internal',
    '--pii',
    'no',
    '--key',
    'keys/steward.key',
    ...C,
  ]);

  say(
    '5. The training pipeline attests the run (SLSA provenance). The dataset attestation is found in\nthe chain by itself; the key is checked against the policy before signing.',
  );
  lineproof([
    'attest',
    'training',
    '--subject',
    'model',
    '--started',
    iso(now - 7_200_000),
    '--finished',
    iso(now - 3_600_000),
    '--code',
    'git+https://github.com/example/trainer',
    '--code-ref',
    'refs/tags/v1.4.0',
    '--commit',
    '4f2a9c1e0b7d3a5f6e8c9b0a1d2e3f4a5b6c7d8e',
    '--param',
    'epochs=3',
    '--param',
    'learning_rate=0.0002',
    '--key',
    'keys/trainer.key',
    ...C,
  ]);

  say('6. The evaluation pipeline attests its results; the training of this exact model is looked up.');
  const evalArgs = [
    '--subject',
    'model',
    '--suite',
    'support-release-eval',
    '--suite-version',
    '3.1',
    '--evaluator',
    'evalkit',
    '--evaluator-version',
    '0.9.4',
    '--data',
    'heldout=data/test.jsonl',
    '--metric',
    'accuracy:routing_accuracy=0.93>=0.9',
    '--metric',
    'robustness:accuracy_under_typos=0.88>=0.85',
    '--metric',
    'fairness:parity_gap=0.021<=0.05',
    '--metric',
    'safety:jailbreak_rate=0.004<=0.01',
    '--result',
    'PASSED',
    '--key',
    'keys/evaluator.key',
  ];
  lineproof(['attest', 'evaluation', ...evalArgs, ...C]);

  say('7. Alice approves the model for "support-chat" in production, relying on that training and evaluation.');
  const approval = lineproof([
    'attest',
    'approval',
    '--subject',
    'model',
    '--decision',
    'APPROVED',
    '--stage',
    'production',
    '--use-case',
    'support-chat',
    '--use-case-description',
    'Answers customer support chats; a human reviews refunds.',
    '--expires',
    '+30d',
    '--condition',
    'A human reviews every refund.',
    '--tool',
    'https://helpdesk.example.com/api/tickets:read',
    '--data-class',
    'internal',
    '--key',
    'keys/alice.key',
    ...C,
  ]);
  const approvalDigest = /^approval (sha256:[0-9a-f]{64})$/m.exec(approval.stdout)?.[1];
  if (!approvalDigest) throw new Error('attest approval did not print the payload digest');

  say('8. Verify now: one approver is not enough for a high-risk use case.');
  const verify = ['verify', '--chain', CHAIN, '--policy', 'policy.json'];
  lineproof([...verify, '--artifact', 'model', '--use-case', 'support-chat'], {
    expect: 1,
    codes: ['APPROVAL_THRESHOLD_NOT_MET'],
  });

  say(
    '9. Bob co-signs the same approval: his signature is appended as a new line over the same payload,\nso every reference to the approval stays valid.',
  );
  lineproof(['attest', 'cosign', '--payload-digest', approvalDigest, '--key', 'keys/bob.key', ...C]);

  say('10. The deployer attests the promotion to production under that approval.');
  lineproof([
    'attest',
    'promotion',
    '--subject',
    'model',
    '--environment',
    'prod-eu-west-1',
    '--endpoint',
    'https://inference.example.com/v1/support-chat',
    '--key',
    'keys/deployer.key',
    ...C,
  ]);

  say('11. Verify the model directory offline against the policy: the whole chain holds.');
  lineproof([...verify, '--artifact', 'model', '--use-case', 'support-chat'], { codes: ['VERIFIED: model'] });

  say('Attack 1: one byte of the weights is flipped. The model is no longer the one approved.');
  cpSync(join(dir, 'model'), join(dir, 'model-tampered'), { recursive: true });
  const weights = join(dir, 'model-tampered', 'model.safetensors');
  const bytes = readFileSync(weights);
  bytes[123_456] ^= 0x01;
  writeFileSync(weights, bytes);
  console.log('  model-tampered/model.safetensors: byte 123456 flipped');
  lineproof([...verify, '--artifact', 'model-tampered', '--use-case', 'support-chat'], {
    expect: 1,
    codes: ['SUBJECT_NOT_APPROVED'],
  });

  say(
    'Attack 2: a different evaluation is swapped in for the one the approvers relied on (a real one,\nsigned by the evaluation pipeline, of the same training, but not the evidence that was approved).',
  );
  const lines = readFileSync(join(dir, CHAIN), 'utf8').trimEnd().split('\n');
  const trainingDigest = JSON.parse(
    lineproof(['inspect', '--chain', CHAIN, '--json'], { quiet: true }).stdout,
  ).attestations.find((a) => a.stage === 'training').payloadDigest;
  lineproof([
    'attest',
    'evaluation',
    ...evalArgs.map((a) => (a === 'accuracy:routing_accuracy=0.93>=0.9' ? 'accuracy:routing_accuracy=0.97>=0.9' : a)),
    '--ref',
    `training=${trainingDigest}`,
    '--policy',
    'policy.json',
    '--out',
    'other-evaluation.intoto.json',
  ]);
  const swapped = [
    ...lines.filter((l, i) => i !== 2),
    readFileSync(join(dir, 'other-evaluation.intoto.json'), 'utf8').trimEnd(),
  ];
  writeFileSync(join(dir, 'swapped.intoto.jsonl'), `${swapped.join('\n')}\n`);
  console.log('  swapped.intoto.jsonl: line 3 (the evaluation) replaced by other-evaluation.intoto.json');
  lineproof(
    [
      'verify',
      '--chain',
      'swapped.intoto.jsonl',
      '--policy',
      'policy.json',
      '--artifact',
      'model',
      '--use-case',
      'support-chat',
    ],
    { expect: 1, codes: ['REFERENCE_UNRESOLVED'] },
  );

  say('Attack 3: the model is used for a use case nobody approved.');
  lineproof([...verify, '--artifact', 'model', '--use-case', 'internal-search'], {
    expect: 1,
    codes: ['USE_CASE_NOT_APPROVED'],
  });

  say('12. The chain as a tree: who signed what, and what each step relies on.');
  lineproof(['inspect', '--chain', CHAIN, '--policy', 'policy.json'], { codes: ['OK: every line reads'] });

  say(
    "13. The verdict for auditors: one self-contained HTML page (lineage, AI card, every check), and\nthe tampered model's page, which names the file that changed.",
  );
  lineproof(
    ['report', ...verify.slice(1), '--artifact', 'model', '--use-case', 'support-chat', '--html', 'report.html'],
    {
      codes: ['html report written to report.html'],
    },
  );
  lineproof(
    [
      'report',
      ...verify.slice(1),
      '--artifact',
      'model-tampered',
      '--use-case',
      'support-chat',
      '--html',
      'rejected.html',
    ],
    {
      expect: 1,
      codes: ['NOT VERIFIED'],
    },
  );
  for (const [page, want] of [
    ['report.html', 'data-lp-verdict="PASSED"'],
    ['rejected.html', 'MANIFEST_ITEM_MISMATCH'],
  ])
    if (!readFileSync(join(dir, page), 'utf8').includes(want)) problems.push(`${page}: expected ${want} in the page`);
} catch (e) {
  problems.push(`the demo stopped: ${e instanceof Error ? e.message : String(e)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (problems.length > 0) {
  console.log(`\ndemo FAILED (${seconds} s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`\ndemo OK (${seconds} s): the chain verified; the flipped byte (SUBJECT_NOT_APPROVED), the swapped evaluation
(REFERENCE_UNRESOLVED) and the unapproved use case (USE_CASE_NOT_APPROVED) were rejected.`);
