// Hugging Face layouts: a hub-cache snapshot (every file a relative link into the repository's
// blobs/) hashes to the manifest of a plain copy, links never leave the repository's cache folder,
// LFS blob names are cross-checked; a --local-dir download's .cache/huggingface/ is ignored by
// default, and only where it exists (every other tree keeps its digest).
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashDirectory, hashPath, rehashDirectory } from '../../src/node/index.js';
import { detectHfSnapshot } from '../../src/node/hf-cache.js';
import { DEFAULT_IGNORE, manifestBytes, verifyManifest } from '../../src/index.js';
import { tempDir, tempTree } from '../helpers/tmp.js';
import { cli } from '../helpers/cli.js';

const sha256 = (b: string): string => createHash('sha256').update(b).digest('hex');
const gitSha1 = (b: string): string =>
  createHash('sha1')
    .update(`blob ${Buffer.byteLength(b)}\0${b}`)
    .digest('hex');

const FILES: Record<string, { data: string; lfs: boolean }> = {
  'config.json': { data: '{"model_type":"bert"}', lfs: false },
  'model.safetensors': { data: 'weights weights weights', lfs: true },
  'tokenizer/vocab.txt': { data: 'a\nb\nc\n', lfs: false },
  'onnx/model.onnx': { data: 'onnx bytes', lfs: true },
};

/** A hub cache `hub/models--acme--bert/{blobs,refs,snapshots/REV}` as huggingface_hub lays it out. */
function hubCache(files = FILES, repo = 'models--acme--bert'): { hub: string; repoDir: string; snapshot: string } {
  const hub = join(tempDir(), 'hub');
  const repoDir = join(hub, repo);
  const rev = '0123456789abcdef0123456789abcdef01234567';
  mkdirSync(join(repoDir, 'blobs'), { recursive: true });
  mkdirSync(join(repoDir, 'refs'), { recursive: true });
  writeFileSync(join(repoDir, 'refs', 'main'), rev);
  const snapshot = join(repoDir, 'snapshots', rev);
  for (const [rel, { data, lfs }] of Object.entries(files)) {
    const blob = lfs ? sha256(data) : gitSha1(data);
    writeFileSync(join(repoDir, 'blobs', blob), data);
    const at = join(snapshot, rel);
    mkdirSync(join(at, '..'), { recursive: true });
    const depth = rel.split('/').length; // ../ per folder up to snapshots/REV, then ../../blobs
    symlinkSync(`${'../'.repeat(depth + 1)}blobs/${blob}`, at);
  }
  return { hub, repoDir, snapshot };
}

const plainCopy = (files = FILES): string =>
  tempTree(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.data])));

async function errorOf(p: Promise<unknown>): Promise<{ code?: string; path?: string; message?: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; path?: string };
  }
  throw new Error('expected a failure');
}

describe('Hugging Face hub-cache snapshots', () => {
  it('are detected from the layout, with the repository, type and revision', () => {
    const { snapshot, repoDir } = hubCache();
    const s = detectHfSnapshot(snapshot);
    expect(s).toMatchObject({ repoDir, snapshotDir: snapshot, repoType: 'model', repoId: 'acme/bert' });
    expect(s?.revision).toHaveLength(40);
    expect(detectHfSnapshot(join(snapshot, 'tokenizer'))?.snapshotDir).toBe(snapshot);
    expect(detectHfSnapshot(repoDir)).toBeNull();
    expect(detectHfSnapshot(plainCopy())).toBeNull();
    const ds = hubCache(FILES, 'datasets--squad');
    expect(detectHfSnapshot(ds.snapshot)).toMatchObject({ repoType: 'dataset', repoId: 'squad' });
  });

  it('hash to the same manifest digest as a plain copy, LFS blob names checked', async () => {
    const { snapshot, repoDir } = hubCache();
    const a = await hashDirectory(snapshot);
    const b = await hashDirectory(plainCopy());
    expect(a.digest).toBe(b.digest);
    expect(manifestBytes(a.manifest)).toEqual(manifestBytes(b.manifest));
    expect(a.files).toBe(4);
    expect(a.hfSnapshot).toMatchObject({ repoId: 'acme/bert', repoDir, lfsChecked: 2 });
    expect(b.hfSnapshot).toBeUndefined();
    // hashPath and the re-hash take the same path
    expect((await hashPath(snapshot)).digest).toBe(b.digest);
    const { verified } = verifyManifest(manifestBytes(a.manifest), a, {
      expectedDigest: a.digest,
      payloadDigest: `sha256:${sha256('payload')}`,
    });
    const again = await rehashDirectory(snapshot, verified!, { racyWindowMs: 0 });
    expect(manifestBytes(again.manifest)).toEqual(manifestBytes(b.manifest));
  });

  it('never follow a link beyond the repository cache folder', async () => {
    const { snapshot, hub } = hubCache();
    writeFileSync(join(hub, 'secret'), 'outside the repository');
    symlinkSync('../../../secret', join(snapshot, 'leak.txt'));
    const e = await errorOf(hashDirectory(snapshot));
    expect(e.code).toBe('SYMLINK_OUTSIDE_ROOT');
    expect(e.path).toBe('leak.txt');
  });

  it('may follow a link to another repository file inside its cache folder', async () => {
    const { snapshot, repoDir } = hubCache();
    writeFileSync(join(repoDir, 'refs', 'pr'), 'x');
    symlinkSync('../../refs/pr', join(snapshot, 'ref.txt'));
    const t = await hashDirectory(snapshot);
    expect(t.manifest.items.map((i) => i.path)).toContain('ref.txt');
  });

  it('fail with HF_BLOB_MISMATCH when an LFS blob does not hash to its name', async () => {
    const { snapshot, repoDir } = hubCache();
    writeFileSync(join(repoDir, 'blobs', sha256(FILES['model.safetensors']!.data)), 'tampered weights');
    const e = await errorOf(hashDirectory(snapshot));
    expect(e.code).toBe('HF_BLOB_MISMATCH');
    expect(e.path).toBe('model.safetensors');
  });

  it('are any folder with hfCache: false (links refused), and hfCache: true requires the layout', async () => {
    const { snapshot } = hubCache();
    expect((await errorOf(hashDirectory(snapshot, { hfCache: false }))).code).toBe('SYMLINK_REFUSED');
    expect((await hashDirectory(snapshot, { hfCache: true })).hfSnapshot?.lfsChecked).toBe(2);
    const plain = plainCopy();
    const e = await errorOf(hashDirectory(plain, { hfCache: true }));
    expect(e.code).toBe('HF_CACHE_LAYOUT_INVALID');
    expect(e.path).toBe(plain);
  });

  it('through the CLI: the same digest as a copy, the snapshot named; flags checked', async () => {
    const { snapshot } = hubCache();
    const r = await cli(['hash', snapshot, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { digest: string; hfSnapshot: { repoId: string; lfsChecked: number } };
    const copy = JSON.parse((await cli(['hash', plainCopy(), '--json'])).stdout) as { digest: string };
    expect(out.digest).toBe(copy.digest);
    expect(out.hfSnapshot).toMatchObject({ repoId: 'acme/bert', lfsChecked: 2 });
    const human = await cli(['hash', snapshot, '--hf-cache']);
    expect(human.stdout).toContain('Hugging Face hub-cache snapshot of model acme/bert');
    const refused = await cli(['hash', snapshot, '--no-hf-cache']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('SYMLINK_REFUSED');
    const notOne = await cli(['hash', plainCopy(), '--hf-cache']);
    expect(notOne.code).toBe(2);
    expect(notOne.stderr).toContain('HF_CACHE_LAYOUT_INVALID');
    const both = await cli(['hash', snapshot, '--hf-cache', '--no-hf-cache']);
    expect(both.code).toBe(2);
    const oms = await cli(['hash', snapshot, '--hf-cache', '--format', 'oms-files']);
    expect(oms.code).toBe(2);
    expect(oms.stderr).toContain('apply to --format lineproof only');
  });
});

describe('a huggingface_hub --local-dir download', () => {
  const withCache = (): string => {
    const root = plainCopy();
    mkdirSync(join(root, '.cache', 'huggingface', 'download'), { recursive: true });
    writeFileSync(join(root, '.cache', 'huggingface', 'download', 'config.json.metadata'), 'etag\n123\n');
    writeFileSync(join(root, '.cache', 'huggingface', '.gitignore'), '*');
    return root;
  };

  it('leaves .cache/huggingface/ out by default and records it in the ignore list', async () => {
    const t = await hashDirectory(withCache());
    expect(t.manifest.items.map((i) => i.path)).not.toContain('.cache/huggingface/.gitignore');
    expect(t.manifest.ignore).toContain('.cache/huggingface/');
    expect(t.ignored).toContain('.cache/huggingface');
    expect(t.files).toBe(4);
  });

  it('changes no other tree: without the folder the default list and digest are those of before', async () => {
    const plain = await hashDirectory(plainCopy());
    expect(plain.manifest.ignore).toEqual([...DEFAULT_IGNORE]);
    expect(plain.digest).toBe((await hashDirectory(plainCopy(), { ignore: [...DEFAULT_IGNORE] })).digest);
  });

  it('keeps it with --no-default-ignore, and the CLI says it was ignored', async () => {
    const root = withCache();
    const r = await cli(['hash', root]);
    expect(r.stdout).toContain('ignored: .cache/huggingface');
    const all = JSON.parse((await cli(['hash', root, '--json', '--no-default-ignore'])).stdout) as {
      files: number;
    };
    expect(all.files).toBe(6);
  });
});
