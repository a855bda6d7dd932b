import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { modelKindOf, parseModelManifest, readModelManifest, writeModelManifest, type ModelManifest } from '../src/index.js';

const manifest: ModelManifest = {
  format: 'moral-plantain/model@1',
  name: 'tiny',
  tiny: true,
  transformer: { file: 'transformer.onnx', config: { in_channels: 128 }, weights: 'seeded' },
  textEncoder: null,
  tokenizerFiles: ['tokenizer.json'],
  seeds: { transformer: 0 },
  resolution: [128, 128],
};

describe('model.json', () => {
  it('accepts a complete manifest and round-trips it through the folder', async () => {
    expect(parseModelManifest(manifest)).toEqual(E.right(manifest));
    const dir = await mkdtemp(path.join(tmpdir(), 'mp-manifest-'));
    expect(await readModelManifest(dir)).toEqual(E.right(null));
    await writeModelManifest(dir, manifest);
    expect(await readModelManifest(dir)).toEqual(E.right(manifest));
  });

  it('names every problem of a bad manifest, and a file that is not JSON', async () => {
    const bad = parseModelManifest({ ...manifest, format: 'x', tiny: 'yes', tokenizerFiles: ['../escape'], resolution: [100, 128] });
    expect(E.isLeft(bad) && bad.left.map((p) => p.key)).toEqual(['format', 'tiny', 'tokenizerFiles', 'resolution']);
    const dir = await mkdtemp(path.join(tmpdir(), 'mp-manifest-'));
    await writeFile(path.join(dir, 'model.json'), '{ nope');
    const read = await readModelManifest(dir);
    expect(E.isLeft(read) && read.left[0]!.reason).toMatch(/^is not JSON/);
  });

  it('tells the tiny model, the random-init control and real weights apart', () => {
    expect(modelKindOf(manifest)).toBe('tiny-seeded');
    expect(modelKindOf({ ...manifest, tiny: false })).toBe('random-init-control');
    expect(modelKindOf({ ...manifest, tiny: false, seeds: {} })).toBe('pretrained');
    expect(modelKindOf(null)).toBe('pretrained');
  });
});
