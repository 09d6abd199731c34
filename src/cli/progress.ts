import type { TreeProgress } from '../node/hash-tree.js';
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

/**
 * A progress line on stderr while hashing inputs of 64 MiB or more, drawn only when stderr is a
 * terminal (so pipes, CI logs and --json output stay clean), at most five times a second.
 */
export function hashProgress(ctx: CliContext): { onProgress?: (p: TreeProgress) => void; done(): void } {
  if (!ctx.io.isTTY) return { done() {} };
  let last = 0;
  let drawn = false;
  return {
    onProgress(p: TreeProgress): void {
      if (p.bytesTotal < 64 * 1024 * 1024) return;
      const now = Date.now();
      if (now - last < 200 && p.bytesDone < p.bytesTotal) return;
      last = now;
      drawn = true;
      const pct = p.bytesTotal === 0 ? 100 : Math.floor((p.bytesDone / p.bytesTotal) * 100);
      const name = p.path.length > 40 ? `…${p.path.slice(-39)}` : p.path;
      ctx.io.stderr(
        `\rhashing ${String(pct).padStart(3)}%  ${humanBytes(p.bytesDone)} of ${humanBytes(p.bytesTotal)}  ${p.filesDone}/${p.filesTotal} files  ${name}\u001b[K`,
      );
    },
    done(): void {
      if (drawn) ctx.io.stderr('\r\u001b[K');
    },
  };
}
