import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { cacheEntryPath, decodeSafetensors, embeddingKey, readCachedEmbedding, writeCachedEmbedding } from '../src/index.js';

describe('prompt embedding cache entries', () => {
  it('keys an embedding by the text encoder and the tokens fed, nothing else', () => {
    const key = embeddingKey({ encoder: 'e1', tokens: 't1' });
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(embeddingKey({ tokens: 't1', encoder: 'e1' })).toBe(key);
    expect(new Set([key, embeddingKey({ encoder: 'e2', tokens: 't1' }), embeddingKey({ encoder: 'e1', tokens: 't2' })]).size).toBe(3);
  });

  it('stores a float32 [tokens, width] safetensors file atomically and reads back the same bits', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mp-embedding-'));
    const key = 'cd'.repeat(32);
    const data = Float32Array.from([1.5, -2, 3e-38, Number.MIN_VALUE, -0, 7]);
    await writeCachedEmbedding(dir, key, { data, tokens: 3, width: 2 }, 'a prompt');
    expect(await readdir(path.dirname(cacheEntryPath(dir, key)))).toEqual([`${key}.safetensors`]);
    const back = await readCachedEmbedding(dir, key);
    expect(back?.tokens).toBe(3);
    expect(back?.width).toBe(2);
    expect(Buffer.from(back!.data.buffer).equals(Buffer.from(data.buffer))).toBe(true);
    const file = decodeSafetensors(await readFile(cacheEntryPath(dir, key)));
    expect(E.isRight(file) && file.right.metadata).toMatchObject({ format: 'moral-plantain/prompt-embedding@1', key, prompt: 'a prompt' });
    expect(await readCachedEmbedding(dir, 'ef'.repeat(32))).toBeNull();
    await writeFile(cacheEntryPath(dir, key), 'cut short');
    expect(await readCachedEmbedding(dir, key)).toBeNull();
    await expect(writeCachedEmbedding(dir, key, { data, tokens: 4, width: 2 }, 'p')).rejects.toThrow(/not \[4, 2\]/);
  });
});
