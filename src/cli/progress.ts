import type { TreeProgress } from '../node/file-pool.js';
import { terminalSafe } from './terminal.js';
import type { CliContext } from './types.js';

/** Bytes in decimal units for humans: `1.5 GB`. */
export function humanBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${bytes} bytes` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

/** Seconds for humans: `42 s`, `3 min 5 s`, `1 h 2 min`. */
export function humanSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** One progress line: percent, bytes done of total, throughput, time left, files, the file at hand. */
export function progressLine(p: TreeProgress, elapsedMs: number): string {
  const pct = p.bytesTotal === 0 ? 100 : Math.floor((p.bytesDone / p.bytesTotal) * 100);
  const rate = elapsedMs > 0 ? (p.bytesDone / elapsedMs) * 1000 : 0;
  const eta = rate > 0 ? humanSeconds((p.bytesTotal - p.bytesDone) / rate) : '?';
  const path = terminalSafe(p.path);
  const name = path.length > 32 ? `…${path.slice(-31)}` : path;
  return `hashing ${String(pct).padStart(3)}%  ${humanBytes(p.bytesDone)} of ${humanBytes(p.bytesTotal)}  ${humanBytes(Math.round(rate))}/s  ${eta} left  ${p.filesDone}/${p.filesTotal} files  ${name}`;
}

/**
 * A progress line on stderr while hashing inputs of 64 MiB or more (bytes, throughput, time
 * left), drawn only when stderr is a terminal (so pipes, CI logs, --json and --quiet output stay
 * clean), at most five times a second.
 * @param clock milliseconds now (injected by tests)
 */
export function hashProgress(
  ctx: CliContext,
  clock: () => number = Date.now,
): { onProgress?: (p: TreeProgress) => void; done(): void } {
  if (!ctx.io.isTTY) return { done() {} };
  const draw = ctx.rawStderr ?? ctx.io.stderr;
  const started = clock();
  let last = -Infinity;
  let drawn = false;
  return {
    onProgress(p: TreeProgress): void {
      if (p.bytesTotal < 64 * 1024 * 1024) return;
      const now = clock();
      if (now - last < 200 && p.bytesDone < p.bytesTotal) return;
      last = now;
      drawn = true;
      draw(`\r${progressLine(p, now - started)}\u001b[K`);
    },
    done(): void {
      if (drawn) draw('\r\u001b[K');
    },
  };
}

/** Run a hashing step with the progress line (on a terminal), cleared when it ends either way. */
export async function withProgress<T>(
  ctx: CliContext,
  fn: (onProgress: ((p: TreeProgress) => void) | undefined) => Promise<T>,
): Promise<T> {
  const bar = hashProgress(ctx);
  try {
    return await fn(bar.onProgress);
  } finally {
    bar.done();
  }
}
