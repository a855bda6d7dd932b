import { appendFile, mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheEntryPath, fingerprintGraph, promptKey, readCachedUnits, writeCachedUnits, type PromptKeyParts } from '../src/index.js';

const tempDir = () => mkdtemp(path.join(tmpdir(), 'mp-cache-'));

describe('probe cache entries', () => {
  it('keys a prompt by every part it depends on', () => {
    const base: PromptKeyParts = { transformer: 'f1', text: { encoder: 'e1', tokens: 't1' }, prompt: 'p', seed: 0, resolution: [1024, 1024], timestep: 1, taps: { unitWidth: 16 } };
    const key = promptKey(base);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(promptKey({ ...base, taps: { unitWidth: 16 } })).toBe(key);
    const variants: PromptKeyParts[] = [
      { ...base, transformer: 'f2' },
      { ...base, text: { encoder: 'e1', tokens: 't2' } },
      { ...base, text: { embeddings: 't1' } },
      { ...base, prompt: 'q' },
      { ...base, seed: 1 },
      { ...base, resolution: [1024, 512] },
      { ...base, taps: { unitWidth: 32 } },
    ];
    expect(new Set(variants.map(promptKey)).size).toBe(variants.length);
    expect(variants.map(promptKey)).not.toContain(key);
  });

  it('stores an entry atomically, creating its folder, and rejects one of the wrong length or key', async () => {
    const dir = await tempDir();
    const key = 'ab'.repeat(32);
    await writeCachedUnits(dir, key, Float32Array.from([1.5, -2, 3]), 'prompt');
    expect(await readdir(path.dirname(cacheEntryPath(dir, key)))).toEqual([`${key}.safetensors`]);
    expect(Array.from((await readCachedUnits(dir, key, 3))!)).toEqual([1.5, -2, 3]);
    expect(await readCachedUnits(dir, key, 4)).toBeNull();
    expect(await readCachedUnits(dir, 'cd'.repeat(32), 3)).toBeNull();
    await writeFile(cacheEntryPath(dir, key), 'not safetensors');
    expect(await readCachedUnits(dir, key, 3)).toBeNull();
  });
});

describe('fingerprintGraph', () => {
  it('hashes the graph file and stats its external data: content and mtime changes show, the data is never read', async () => {
    const dir = await tempDir();
    const graph = path.join(dir, 'model.onnx');
    const data = path.join(dir, 'model.onnx.data');
    await writeFile(graph, 'graph bytes');
    await writeFile(data, Buffer.alloc(1024));
    const first = await fingerprintGraph(graph, [data]);
    expect(await fingerprintGraph(graph, [data])).toBe(first);
    await utimes(data, new Date(), new Date(Date.now() + 5000));
    const touched = await fingerprintGraph(graph, [data]);
    expect(touched).not.toBe(first);
    await appendFile(graph, Buffer.from([0]));
    expect(await fingerprintGraph(graph, [data])).not.toBe(touched);
  });
});
