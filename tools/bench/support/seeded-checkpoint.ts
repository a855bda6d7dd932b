import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { encodeSafetensors, type SafetensorsTensor } from '@moral-plantain/formats';
import type { WeightInit, WeightSource } from '@moral-plantain/model-builder';

/** One tensor of a checkpoint to write: its name, torch shape and how a seeded source fills it. */
export interface CheckpointTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: WeightInit;
}

/** The init a seeded source gives a FLUX.2 parameter: Linear for matrices, zeros for biases, ones for norm scales. */
export function flux2Init(name: string, shape: readonly number[]): WeightInit {
  if (shape.length === 2) return { kind: 'linear', fanIn: shape[1] as number };
  return name.endsWith('.bias') ? { kind: 'zeros' } : { kind: 'ones' };
}

/**
 * Writes `tensors` from `source` as a float32 safetensors checkpoint in `dir`, in shards of about
 * `shardBytes` (`model-00001.safetensors`, ...), one tensor in memory at a time plus the shard
 * being filled, so that builds can read it as they read a downloaded checkpoint. Returns the bytes written.
 */
export async function writeSeededCheckpoint(dir: string, tensors: readonly CheckpointTensor[], source: WeightSource, shardBytes = 2 ** 29): Promise<number> {
  await mkdir(dir, { recursive: true });
  let shard = new Map<string, SafetensorsTensor>();
  let filled = 0;
  let index = 0;
  let written = 0;
  const flush = async () => {
    if (shard.size === 0) return;
    const bytes = encodeSafetensors(shard);
    await writeFile(path.join(dir, `model-${String(++index).padStart(5, '0')}.safetensors`), bytes);
    written += bytes.byteLength;
    shard = new Map();
    filled = 0;
  };
  for (const { name, shape, init } of tensors) {
    const values = await source.read(name, shape, init);
    if (E.isLeft(values)) throw new Error(`${name}: ${JSON.stringify(values.left)}`);
    shard.set(name, { dtype: 'F32', shape, bytes: new Uint8Array(values.right.buffer, values.right.byteOffset, values.right.byteLength) });
    filled += values.right.byteLength;
    if (filled >= shardBytes) await flush();
  }
  await flush();
  return written;
}
