// A model service that checks its weights before it loads them, and keeps the model inside the
// runtime scope its approval grants. Run it after `npm ci`:
//
//   node examples/serve.mjs --model model/ --chain chain.intoto.jsonl --policy policy.json \
//     --use-case support-chat [--port 8080] [--at 2026-02-01T00:00:00Z] [--check-only]
//
// It listens on 127.0.0.1 only. It refuses to start (exit 1, the failed checks on stderr) when the
// weights are tampered with or not approved for the use case; once started it prints one line
// `listening on http://127.0.0.1:PORT` and answers:
//   GET  /approval  the approved model and scope (JSON)
//   POST /call      {"tool": "...", "dataClasses": [...], "secretScopes": [...]}: 200 when the
//                   approval grants every identifier (compared exactly), else 403 naming the first
//                   one it does not; 503 once the approval has lapsed.
// test/examples.test.ts runs it.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { checkModelDirectory, parsePolicy, readFileLimited, runtimeScopeAllows } from 'lineproof/node';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    chain: { type: 'string' },
    policy: { type: 'string' },
    'use-case': { type: 'string' },
    port: { type: 'string', default: '0' },
    at: { type: 'string' },
    'check-only': { type: 'boolean' },
  },
});
for (const flag of ['model', 'chain', 'policy', 'use-case']) {
  if (!values[flag]) {
    process.stderr.write(`serve: --${flag} is required\n`);
    process.exit(2);
  }
}

// The clock the service judges the approval by: --at (for a reproducible demo) or now.
const now = () => (values.at ? new Date(values.at) : new Date());

const check = await checkModelDirectory(values.model, {
  bundlePath: values.chain,
  policy: parsePolicy(readFileLimited(values.policy, 1 << 24, values.policy), { what: values.policy }),
  useCase: values['use-case'],
  asOf: now(),
});
if (!check.ok) {
  process.stderr.write(
    `serve: refusing to start: ${values.model} (${check.digest}) is not approved for ${values['use-case']}\n`,
  );
  for (const c of check.report.checks.filter((c) => c.status === 'fail'))
    process.stderr.write(`  ${c.code}  ${c.id}  ${c.subject}: ${c.message}\n`);
  process.exit(1);
}
const { approval, model } = check;
if (values['check-only']) {
  // --check-only: say what would be served, and exit (README's first step for services)
  process.stdout.write(`${JSON.stringify({ ok: true, digest: check.digest, model, approval }, null, 2)}\n`);
  process.exit(0);
}
const lapses = new Date(approval.expires);

/** The first identifier of a call the approval does not grant, or undefined. */
function refused(call) {
  const wanted = [
    ...(call.tool === undefined ? [] : [['tool', call.tool]]),
    ...(call.dataClasses ?? []).map((d) => ['dataClass', d]),
    ...(call.secretScopes ?? []).map((s) => ['secretScope', s]),
  ];
  for (const [kind, id] of wanted) {
    if (typeof id !== 'string' || !runtimeScopeAllows(approval.runtimeScope, { [kind]: id })) return { kind, id };
  }
  return undefined;
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

const server = createServer((req, res) => {
  if (now() >= lapses) return send(res, 503, { error: 'APPROVAL_EXPIRED', expires: approval.expires });
  if (req.method === 'GET' && req.url === '/approval') return send(res, 200, { digest: check.digest, model, approval });
  if (req.method !== 'POST' || req.url !== '/call') return send(res, 404, { error: 'not found' });
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => {
    body += chunk;
    if (body.length > 65_536) req.destroy();
  });
  req.on('end', () => {
    let call;
    try {
      call = JSON.parse(body);
    } catch {
      return send(res, 400, { error: 'the body is not JSON' });
    }
    if (typeof call !== 'object' || call === null || Array.isArray(call))
      return send(res, 400, { error: 'expected {"tool", "dataClasses", "secretScopes"}' });
    const no = refused(call);
    if (no) return send(res, 403, { error: 'SCOPE_NOT_GRANTED', [no.kind]: no.id, useCase: approval.useCase });
    return send(res, 200, { ok: true, tool: call.tool ?? null });
  });
});
server.listen(Number(values.port), '127.0.0.1', () => {
  const who = model ? `${model.name}@${model.version}` : check.digest;
  process.stdout.write(
    `${who} approved for ${approval.useCase} (tier ${approval.tier}, until ${approval.expires}); tools: ${approval.runtimeScope.tools.join(', ') || 'none'}\n`,
  );
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
