import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { encodeActivations } from '@moral-plantain/formats';
import { createSession, createSessionPool, openModelFolder, runProbe, type ModelFolder, type ModelSession, type ProbeOptions, type ProbeProgress, type SessionEvent } from '../../src/index.js';
import { prepareProbe } from '../../src/probe/probe-preparation.js';
import { embedBatch } from '../../src/probe/text-step.js';
import { createNoiseCache, runTransformer } from '../../src/probe/transformer-step.js';
import { charTokenizer } from './fake-models.js';
import { tempDir, writeFakeFolder } from './fake-folder.js';

const pairs = Array.from({ length: 5 }, (_, i) => ({ id: `p${i}`, a: `${i} good deed`, b: `${i} bad deed` }));

async function folder(): Promise<ModelFolder> {
  const opened = await openModelFolder(await writeFakeFolder())();
  if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left));
  return opened.right;
}

function options(extra: Partial<ProbeOptions>): ProbeOptions {
  return { pairs, tokenize: charTokenizer(), taps: { unitWidth: 8 }, seed: 11, batchSize: 3, session: { intraOpThreads: 1 }, ...extra };
}

/** Every session event of a run, as `open text-encoder` etc. */
function eventLog(): { events: string[]; listener: (event: SessionEvent) => void } {
  const events: string[] = [];
  return { events, listener: (event) => events.push(`${event.action} ${event.slot}`) };
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of await readdir(dir).catch(() => [] as string[])) for (const file of await readdir(path.join(dir, sub))) out.push(file);
  return out.sort();
}

/**
 * The probe as it ran before embeddings came first: both sessions open together, each batch of the
 * run's fixed partition encoded and then run through the transformer at once. Written against the
 * same step functions with real sessions, so the encode-first run can be compared with it bit for bit.
 */
async function interleavedActivations(f: ModelFolder, run: ProbeOptions): Promise<Map<string, Float32Array>> {
  const prepared = await prepareProbe(f, run);
  if (E.isLeft(prepared)) throw new Error(JSON.stringify(prepared.left));
  const open = async (model: string): Promise<ModelSession> => {
    const made = await createSession(model, run.session)();
    if (E.isLeft(made)) throw new Error(JSON.stringify(made.left));
    return made.right;
  };
  const transformer = await open(prepared.right.tappedPath);
  const encoder = await open(f.textEncoder!.path);
  const vectors = new Map<string, Float32Array>();
  const noise = createNoiseCache();
  for (const batch of prepared.right.batches) {
    const embedded = await embedBatch(batch, encoder, f.textEncoderIo)();
    if (E.isLeft(embedded)) throw new Error(JSON.stringify(embedded.left));
    const rows = await runTransformer(transformer, f, prepared.right.manifest, embedded.right, prepared.right.resolved.seed, prepared.right.resolved.resolution, noise)();
    if (E.isLeft(rows)) throw new Error(JSON.stringify(rows.left));
    for (const [i, job] of batch.entries()) vectors.set(job.id, rows.right[i]!);
  }
  await encoder.session.release();
  await transformer.session.release();
  return vectors;
}

/** Whether two vectors hold the same float32 values bit for bit. */
function sameBits(a: ArrayLike<number>, b: Float32Array): boolean {
  return Buffer.from(Float32Array.from(a).buffer).equals(Buffer.from(Float32Array.from(b).buffer));
}

async function probe(f: ModelFolder, run: ProbeOptions) {
  const result = await runProbe(f, run)();
  if (E.isLeft(result)) throw new Error(JSON.stringify(result.left));
  return result.right;
}

describe('one model resident at a time', () => {
  it('embeds every prompt with the text encoder alone, releases it, and only then opens the transformer; the values are bit for bit those of encoding per transformer batch', async () => {
    const f = await folder();
    const log = eventLog();
    const progress: ProbeProgress[] = [];
    const result = await probe(f, options({ onSessionEvent: log.listener, onProgress: (p) => progress.push(p) }));
    expect(log.events).toEqual(['open text-encoder', 'release text-encoder', 'open transformer', 'release transformer']);
    const stages = progress.map((p) => p.stage).filter((s) => s === 'encode' || s === 'transformer');
    expect(stages.indexOf('transformer')).toBe(stages.lastIndexOf('encode') + 1);
    const reference = await interleavedActivations(f, options({}));
    const n = result.activations.nUnits;
    for (const [i, pair] of pairs.entries()) {
      expect(sameBits(result.activations.a.data.subarray(i * n, (i + 1) * n), reference.get(pair.a)!)).toBe(true);
      expect(sameBits(result.activations.b.data.subarray(i * n, (i + 1) * n), reference.get(pair.b)!)).toBe(true);
    }
  });

  it('resumes a run stopped during the encode phase from the embeddings cached so far, bit-identical to an uninterrupted run', async () => {
    const f = await folder();
    const fresh = await probe(f, options({}));
    const cacheDir = await tempDir();
    const controller = new AbortController();
    const stopped = await runProbe(f, options({ cacheDir, signal: controller.signal, onProgress: (p) => p.stage === 'encode' && p.done >= 3 && controller.abort() }))();
    expect(stopped).toEqual(E.left({ _tag: 'Aborted', done: 0, total: 10 }));
    expect(await files(path.join(cacheDir, 'embeddings'))).toHaveLength(3);
    expect(await files(cacheDir).then((all) => all.filter((f) => f.endsWith('.safetensors')))).toHaveLength(0);
    const log = eventLog();
    const progress: ProbeProgress[] = [];
    const resumed = await probe(f, options({ cacheDir, onSessionEvent: log.listener, onProgress: (p) => progress.push(p) }));
    expect(log.events).toEqual(['open text-encoder', 'release text-encoder', 'open transformer', 'release transformer']);
    expect(progress.filter((p) => p.stage === 'encode').at(-1)).toMatchObject({ done: 10, total: 10, cached: 3 });
    expect(encodeActivations(resumed.activations)).toEqual(encodeActivations(fresh.activations));
  });

  it('resumes a run stopped during the transformer phase without loading the text encoder again, bit-identical to an uninterrupted run', async () => {
    const f = await folder();
    const fresh = await probe(f, options({}));
    const cacheDir = await tempDir();
    const controller = new AbortController();
    const stopped = await runProbe(f, options({ cacheDir, signal: controller.signal, onProgress: (p) => p.stage === 'transformer' && p.done >= 3 && controller.abort() }))();
    expect(stopped).toEqual(E.left({ _tag: 'Aborted', done: 3, total: 10 }));
    expect(await files(path.join(cacheDir, 'embeddings'))).toHaveLength(10);
    const log = eventLog();
    const resumed = await probe(f, options({ cacheDir, onSessionEvent: log.listener }));
    expect(log.events).toEqual(['open transformer', 'release transformer']);
    expect(resumed.prompts).toEqual({ total: 10, computed: 7, cached: 3 });
    expect(encodeActivations(resumed.activations)).toEqual(encodeActivations(fresh.activations));
    // Embeddings lost too: only the batches still to run are encoded again, in the run's own batches.
    await rm(path.join(cacheDir, 'embeddings'), { recursive: true });
    const fromScratch = await probe(f, options({ cacheDir, recompute: true }));
    expect(encodeActivations(fromScratch.activations)).toEqual(encodeActivations(fresh.activations));
  });

  it('with a session pool, holds one model at a time and counts each load: cached embeddings spare the text encoder', async () => {
    const f = await folder();
    const log = eventLog();
    const pool = createSessionPool(log.listener);
    const embeddingsCacheDir = await tempDir();
    try {
      const first = await probe(f, options({ sessions: pool, embeddingsCacheDir }));
      const second = await probe(f, options({ sessions: pool, embeddingsCacheDir, seed: 12 }));
      expect(log.events).toEqual(['open text-encoder', 'release text-encoder', 'open transformer']);
      expect(pool.loads).toEqual({ 'text-encoder': 1, transformer: 1 });
      expect(encodeActivations(first.activations)).toEqual(encodeActivations((await probe(f, options({}))).activations));
      expect(encodeActivations(second.activations)).toEqual(encodeActivations((await probe(f, options({ seed: 12 }))).activations));
      // New prompts need the encoder: the pool releases the transformer before opening it.
      await probe(f, options({ sessions: pool, embeddingsCacheDir, pairs: [{ id: 'n', a: 'new one', b: 'new two' }] }));
      expect(log.events.slice(3)).toEqual(['release transformer', 'open text-encoder', 'release text-encoder', 'open transformer']);
      expect(pool.loads).toEqual({ 'text-encoder': 2, transformer: 2 });
    } finally {
      await pool.release();
    }
    expect(log.events.at(-1)).toBe('release transformer');
  });
});
