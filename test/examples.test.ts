import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashDirectory } from '../src/node/hash-tree.js';
import { repoPath } from './helpers/fixtures.js';
import { tempDir } from './helpers/tmp.js';
import { buildWorld, T } from './helpers/world.js';

describe('examples/ (the README quick start runs as written)', () => {
  it('lifecycle.mjs verifies a chain and shows a coded failure', () => {
    const r = spawnSync(process.execPath, [repoPath('examples', 'lifecycle.mjs')], {
      encoding: 'utf8',
      cwd: repoPath(),
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^verified: \d+ checks passed; chain dataset -> training -> evaluation -> approval$/m);
    expect(r.stdout).toMatch(/^another model: ok=false, SUBJECT_NOT_APPROVED$/m);
  });
});

describe('examples/serve.mjs: a service that checks its weights and keeps to the approved scope', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  /** A model directory, its registered and approved chain (granting one tool and one data class), the policy. */
  async function setUp() {
    const dir = tempDir('lineproof-serve-');
    const model = join(dir, 'model');
    mkdirSync(model);
    writeFileSync(join(model, 'config.json'), '{"layers":2}\n');
    writeFileSync(
      join(model, 'weights.bin'),
      new Uint8Array(65_536).map((_, i) => (i * 13) & 0xff),
    );
    const about = { name: 'model', digest: (await hashDirectory(model)).digest };
    const w = await buildWorld({
      training: (i) => ({ ...i, subject: about }),
      registration: (i) => ({ ...i, subject: about }),
      evaluation: (i) => ({ ...i, subject: about }),
      approval: (i) => ({
        ...i,
        subject: about,
        runtimeScope: { tools: ['ticket-api:read'], dataClasses: ['internal'], secretScopes: [] },
      }),
      promotion: (i) => ({ ...i, subject: about }),
      policy: (d) => {
        d.requireRegistration = true;
      },
    });
    writeFileSync(join(dir, 'chain.intoto.jsonl'), w.bundle);
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(w.doc));
    return { dir, model };
  }

  /** Start the service; resolves with its URL once it listens, or with its exit when it refuses. */
  function serve(dir: string): Promise<{ url?: string; code?: number | null; stdout: string; stderr: string }> {
    const args = ['--model', 'model', '--chain', 'chain.intoto.jsonl', '--policy', 'policy.json'];
    const child = spawn(
      process.execPath,
      [repoPath('examples', 'serve.mjs'), ...args, '--use-case', 'support-chat', '--at', T.asOf],
      { cwd: dir },
    );
    children.push(child);
    let stdout = '';
    let stderr = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve.mjs did not start: ${stdout}${stderr}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve({ url: m[1]!, stdout, stderr });
        }
      });
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  const call = async (url: string, body: unknown) => {
    const r = await fetch(`${url}/call`, { method: 'POST', body: JSON.stringify(body) });
    return { status: r.status, body: await r.json() };
  };

  it('starts on approved weights, grants the approved tool and refuses any other (compared exactly)', async () => {
    const { dir } = await setUp();
    const s = await serve(dir);
    expect(s.stderr).toBe('');
    expect(s.url).toBeDefined();
    expect(s.stdout).toContain('support-bot@3.0.0 approved for support-chat (tier high');
    const url = s.url!;
    const approval = await (await fetch(`${url}/approval`)).json();
    expect(approval.model.name).toBe('support-bot');
    expect(approval.approval.runtimeScope.tools).toEqual(['ticket-api:read']);
    expect(await call(url, { tool: 'ticket-api:read', dataClasses: ['internal'] })).toEqual({
      status: 200,
      body: { ok: true, tool: 'ticket-api:read' },
    });
    for (const tool of ['ticket-api:write', 'Ticket-API:read', 'ticket-api:read ', 'ticket-api'])
      expect(await call(url, { tool })).toEqual({
        status: 403,
        body: { error: 'SCOPE_NOT_GRANTED', tool, useCase: 'support-chat' },
      });
    expect((await call(url, { tool: 'ticket-api:read', dataClasses: ['pii'] })).body).toMatchObject({
      error: 'SCOPE_NOT_GRANTED',
      dataClass: 'pii',
    });
    expect((await call(url, { secretScopes: ['prod-db'] })).status).toBe(403);
  });

  it('refuses to start on tampered weights (exit 1, SUBJECT_NOT_APPROVED)', async () => {
    const { dir, model } = await setUp();
    writeFileSync(
      join(model, 'weights.bin'),
      new Uint8Array(65_536).map((_, i) => ((i * 13) & 0xff) ^ (i === 7 ? 1 : 0)),
    );
    const s = await serve(dir);
    expect(s.url).toBeUndefined();
    expect(s.code).toBe(1);
    expect(s.stderr).toContain('refusing to start');
    expect(s.stderr).toContain('SUBJECT_NOT_APPROVED');
  });
});
