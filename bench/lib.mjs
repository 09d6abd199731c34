// Shared helpers for the benchmarks: one script per question, JSON on stdout, every figure the
// median of N runs (with min and max) and a ratio against a native peer measured in the same run.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DATA = process.env.LINEPROOF_BENCH_DIR ?? join(ROOT, '.bench-data');

/** Parse `--name value` flags with defaults. */
export function flags(defaults) {
  const out = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)$/.exec(argv[i]);
    if (!m || !(m[1] in defaults)) {
      console.error(
        `unknown flag ${argv[i]}; flags: ${Object.keys(defaults)
          .map((k) => `--${k}`)
          .join(' ')}`,
      );
      process.exit(2);
    }
    out[m[1]] = typeof defaults[m[1]] === 'number' ? Number(argv[++i]) : argv[++i];
  }
  return out;
}

/** Parse sizes such as 2GiB, 512MiB, 100000. */
export function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*(k|m|g)?i?b?$/i.exec(String(text));
  if (!m) throw new Error(`bad size ${text}`);
  const mult = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Math.round(Number(m[1]) * mult);
}

/** The machine, for the README's Speed table. */
export function machine() {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    shaNi: /\bsha_ni\b/.test(safeRead('/proc/cpuinfo')),
  };
}

function safeRead(p) {
  try {
    return spawnSync('cat', [p], { encoding: 'utf8' }).stdout ?? '';
  } catch {
    return '';
  }
}

/** A file of `bytes` pseudo-random bytes (xorshift; incompressible enough), created once. */
export function ensureFile(name, bytes) {
  mkdirSync(DATA, { recursive: true });
  const path = join(DATA, name);
  if (existsSync(path) && statSync(path).size === bytes) return path;
  const fd = openSync(path, 'w');
  const buf = new Uint8Array(8 << 20);
  const words = new Uint32Array(buf.buffer);
  let x = 2463534242;
  for (let written = 0; written < bytes;) {
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      words[i] = x;
    }
    const n = Math.min(buf.length, bytes - written);
    writeSync(fd, buf, 0, n);
    written += n;
  }
  closeSync(fd);
  return path;
}

/** Read a file once so it sits in the page cache. */
export function warm(path) {
  const fd = openSync(path, 'r');
  const buf = new Uint8Array(8 << 20);
  while (readSync(fd, buf, 0, buf.length, null) > 0);
  closeSync(fd);
}

/**
 * Median, min and max of `runs` timings (seconds) of an async or sync function, after one
 * untimed warm-up run (JIT, caches) — the same for every figure, ours and the peers'.
 */
export async function measure(runs, fn) {
  const times = [];
  let last = await fn();
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    last = await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1], runs, last };
}

/** Run a command; throw with its stderr when it fails or is missing (a missing peer is a failure). */
export function runPeer(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...options });
  if (r.error) throw new Error(`peer ${cmd} is not runnable: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`peer ${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr?.slice(0, 500)}`);
  return r.stdout;
}

/** Peak RSS (KiB) of a command, via GNU time. */
export function peakRssKiB(cmd, args, options = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    ...options,
  });
  if (r.error) throw new Error(`/usr/bin/time is not runnable: ${r.error.message} (apt-get install time)`);
  if (r.status !== 0) throw new Error(`${cmd} failed under /usr/bin/time: ${r.stderr.slice(0, 500)}`);
  const lines = r.stderr.trim().split('\n');
  return Number(lines[lines.length - 1]);
}

export const gbps = (bytes, seconds) => Math.round((bytes / seconds / 1e9) * 1000) / 1000;
export const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** A figure: throughput stats for `bytes` processed per run. */
export function figure(bytes, m) {
  return {
    seconds: { median: round(m.median, 4), min: round(m.min, 4), max: round(m.max, 4) },
    gbPerSecond: gbps(bytes, m.median),
    runs: m.runs,
  };
}

/** A target: ratio of two figures' throughputs (higher is better), with the goal and the verdict. */
export function target(name, ours, peer, goal) {
  const ratio = round(ours.gbPerSecond / peer.gbPerSecond, 3);
  return { name, ratio, goal, met: ratio >= goal };
}

/** A dataset of `files` small files of `size` bytes (1,000 a folder), created once under DATA. */
export function smallFilesDir(files, size) {
  const dir = join(DATA, `small-${files}x${size}`);
  if (!existsSync(join(dir, '.complete'))) {
    mkdirSync(dir, { recursive: true });
    const buf = new Uint8Array(size);
    for (let i = 0; i < files; i++) {
      const sub = join(dir, `d${Math.floor(i / 1000)}`);
      if (i % 1000 === 0) mkdirSync(sub, { recursive: true });
      for (let j = 0; j < buf.length; j += 4) new DataView(buf.buffer).setUint32(j, (i * 2654435761 + j) >>> 0);
      writeFileSync(join(sub, `f${i}.bin`), buf);
    }
    writeFileSync(join(dir, '.complete'), '');
  }
  return dir;
}

/** Run a command once under GNU time: wall seconds and peak RSS (MiB); throws when it fails. */
export function timedRss(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.slice(-500)}`);
  return { s, rssMiB: Math.round(Number(r.stderr.trim().split('\n').pop()) / 1024) };
}
