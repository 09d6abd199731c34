/**
 * `lineproof inventory …` on the embedded database in a directory: ingest with a policy, every
 * question with --json and in words, exit codes, the data directory's lock, help.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/json/canonical.js';
import { openInventory } from '../../src/node/inventory.js';
import { ENVIRONMENTS, datasetDigest, generateInventory, modelDigest } from '../../bench/inventory-world.mjs';
import { cli } from '../helpers/cli.js';
import { repoPath } from '../helpers/fixtures.js';

const world = generateInventory({ models: 6, sources: 2 });
const dir = mkdtempSync(join(tmpdir(), 'lineproof-inventory-cli-'));
const db = join(dir, 'inventory');
const policyPath = join(dir, 'policy.json');
writeFileSync(policyPath, canonicalJson(world.policy));
const files = world.models.map((m) => {
  const p = join(dir, `model-${m.index}.intoto.jsonl`);
  writeFileSync(p, m.lines.join(''));
  return p;
});
const sources = join(dir, 'sources.intoto.jsonl');
writeFileSync(sources, world.sources.join(''));
const day = (n: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + n * 86_400_000).toISOString();

describe('lineproof inventory', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ingests bundles with a policy, then again adds nothing', async () => {
    const r = await cli(['inventory', 'ingest', sources, ...files, '--policy', policyPath, '--db', db]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'model-0.intoto.jsonl: 10 lines (10 new), 10 envelopes (10 new); 10 trusted, 0 untrusted',
    );
    const again = await cli(['inventory', 'ingest', ...files, '--db', db, '--json']);
    expect(again.code).toBe(0);
    const out = JSON.parse(again.stdout) as { bundles: Array<{ newLines: number; newEnvelopes: number }> };
    expect(out.bundles.every((b) => b.newLines === 0 && b.newEnvelopes === 0)).toBe(true);
  }, 60_000);

  it('a line that cannot be read is named, the rest stored, exit 1', async () => {
    const bad = join(dir, 'bad.intoto.jsonl');
    writeFileSync(bad, `${world.models[0]!.lines[0]!}{"payloadType": 1}\n`);
    const r = await cli(['inventory', 'ingest', bad, '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/not read: \w+: line 2/);
  }, 30_000);

  it('upstream and downstream, in words and as JSON', async () => {
    const up = await cli(['inventory', 'upstream', modelDigest(4), '--db', db, '--json']);
    expect(up.code).toBe(0);
    const l = JSON.parse(up.stdout) as { nodes: Array<{ stage: string; subjects: Array<{ name: string }> }> };
    expect(
      l.nodes
        .filter((n) => n.stage === 'training')
        .map((n) => n.subjects[0]!.name)
        .sort(),
    ).toEqual(['model-3', 'model-4']);
    const down = await cli(['inventory', 'downstream', datasetDigest(3), '--db', db]);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/^downstream of sha256:[0-9a-f]{64}: 2 models, promoted to \d environments/);
    expect(down.stdout).toContain('model model-4');
    expect(down.stdout).toContain(ENVIRONMENTS[4]);
    const key = await cli(['inventory', 'downstream', '--key', 'mallory', '--db', db]);
    expect(key.code).toBe(2);
    expect(key.stderr).toContain('INVENTORY_KEY_UNKNOWN');
    const both = await cli(['inventory', 'downstream', datasetDigest(3), '--key', 'trainer', '--db', db]);
    expect(both.code).toBe(2);
  }, 30_000);

  it('unapproved, expiring, unevidenced and failing: exit 1 when they list a problem', async () => {
    const fine = await cli(['inventory', 'unapproved', '--at', day(100), '--db', db]);
    expect([fine.code, fine.stdout]).toEqual([0, `0 promotions without an approval valid at ${day(100)}\n`]);
    const late = await cli(['inventory', 'unapproved', '--at', day(250), '--db', db, '--json']);
    expect(late.code).toBe(1);
    expect((JSON.parse(late.stdout) as { unapproved: unknown[] }).unapproved).toHaveLength(12);
    const exp = await cli(['inventory', 'expiring', '--days', '3', '--at', day(199), '--db', db, '--json']);
    expect(exp.code).toBe(0);
    expect((JSON.parse(exp.stdout) as { expiring: unknown[] }).expiring).toHaveLength(2); // days 200 and 201
    expect((await cli(['inventory', 'expiring', '--db', db])).code).toBe(2);
    const unev = await cli(['inventory', 'unevidenced', '--db', db]);
    expect([unev.code, unev.stdout]).toEqual([0, '0 registered models missing evidence\n']);
    const ok = await cli(['inventory', 'failing', '--at', day(100), '--db', db]);
    expect(ok.stdout).toMatch(/^0 of 18 models fail policy/);
    expect(ok.code).toBe(0);
    const bad = await cli(['inventory', 'failing', '--at', day(250), '--db', db, '--json']);
    expect(bad.code).toBe(1);
    const result = JSON.parse(bad.stdout) as { failing: Array<{ codes: string[] }> };
    expect(result.failing).toHaveLength(12);
    expect(result.failing.every((f) => f.codes.includes('APPROVAL_EXPIRED'))).toBe(true);
  }, 60_000);

  it('the embedded database allows one process: a second waits, then INVENTORY_LOCKED names the holder', async () => {
    const holder = await openInventory(db);
    try {
      await expect(openInventory(db, { lockTimeoutMs: 200 })).rejects.toThrow(
        expect.objectContaining({ code: 'INVENTORY_LOCKED', message: expect.stringContaining(`pid ${process.pid}`) }),
      );
      // a waiting opener gets in once the holder closes
      const waiting = openInventory(db, { lockTimeoutMs: 20_000 });
      setTimeout(() => void holder.close(), 300);
      await (await waiting).close();
    } finally {
      await holder.close().catch(() => {});
    }
    // a lock left by a process that is gone is broken
    const dead = spawn(process.execPath, ['-e', '0']);
    const pid = dead.pid!;
    await new Promise((r) => dead.once('exit', r));
    writeFileSync(
      join(db, 'lineproof-inventory.lock'),
      JSON.stringify({ pid, hostname: (await import('node:os')).hostname() }),
    );
    const again = await openInventory(db, { lockTimeoutMs: 200 });
    await again.close();
  }, 60_000);

  it('every inventory command has --help with examples', async () => {
    for (const c of ['ingest', 'upstream', 'downstream', 'unapproved', 'expiring', 'unevidenced', 'failing']) {
      const r = await cli(['inventory', c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: lineproof inventory ${c}`);
    }
    expect(repoPath('spec', 'inventory.md')).toBeTruthy();
  });
});
