/**
 * The Python that runs the securesystemslib interop helper (test/interop/sslib_dsse.py): $PYTHON,
 * else the first `python3` on PATH that can import securesystemslib and nacl, else
 * /usr/bin/python3 (Debian's python3-securesystemslib and python3-nacl, .ci/apt-packages). Tests
 * that need it FAIL when none can: a missing peer must never pass silently.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { repoPath } from './fixtures.js';

/** The securesystemslib DSSE helper script. */
export const SSLIB_HELPER = repoPath('test', 'interop', 'sslib_dsse.py');

function canImport(python: string, modules: string): boolean {
  const r = spawnSync(python, ['-c', `import ${modules}`], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0;
}

/** $PYTHON, else the first python3 on PATH that can import securesystemslib and nacl, else /usr/bin/python3. */
export function findPython(modules = 'securesystemslib, nacl'): { python?: string; tried: string[] } {
  const tried: string[] = [];
  const fromEnv = process.env.PYTHON;
  if (fromEnv) return canImport(fromEnv, modules) ? { python: fromEnv, tried: [fromEnv] } : { tried: [fromEnv] };
  const candidates = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((d) => join(d, 'python3'));
  candidates.push('/usr/bin/python3');
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
    } catch {
      continue;
    }
    if (tried.includes(c)) continue;
    tried.push(c);
    if (canImport(c, modules)) return { python: c, tried };
  }
  return { tried };
}

/**
 * Run the helper with `args`; throws (so the calling test fails) without a usable Python, or when
 * the helper exits with another status than 0 or 1.
 */
export function sslib(...args: string[]): { status: number; json: Record<string, unknown> } {
  const found = findPython();
  if (!found.python)
    throw new Error(
      `no Python that can import securesystemslib and nacl (tried ${found.tried.join(', ') || 'nothing'}); install python3-securesystemslib and python3-nacl (see .ci/apt-packages) or set PYTHON`,
    );
  const r = spawnSync(found.python, [SSLIB_HELPER, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`sslib_dsse.py ${args[0]} failed (${r.status}): ${r.stderr}`);
  return { status: r.status, json: JSON.parse(r.stdout) as Record<string, unknown> };
}
