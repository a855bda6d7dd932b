import { readFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { canonicalJson, checkOutputs, fingerprintGraph, readActivations } from '@moral-plantain/formats';
import { openModelFolder } from '@moral-plantain/model-runtime';
import { runFolder } from './run-folder.js';
import type { RunSettings } from './run-settings.js';
import { readShardRecords } from './shard-record.js';

/** Settings that do not change a run's outputs. */
const OUTPUT_NEUTRAL = new Set(['json', 'resume', 'shard']);

/**
 * Whether a cell's folder already holds its outputs for `settings`: a complete output set (every
 * file as its outputs.json lists it, no publish pending), a run.json whose settings are these, and
 * activations whose model fingerprint is `fingerprint` (the model folder's as it is now; null
 * skips that check).
 */
export async function cellComplete(settings: RunSettings, fingerprint: string | null): Promise<boolean> {
  const folder = runFolder(settings.out);
  const outputs = await checkOutputs(folder.dir);
  if (outputs.manifest === null || outputs.pending || outputs.mismatched.length > 0) return false;
  const record = await readJson(folder.runRecord);
  if (!record || canonicalJson(neutral(record.settings)) !== canonicalJson(neutral({ ...settings, out: folder.dir }))) return false;
  if (fingerprint === null) return true;
  const activations = await readActivations(folder.activations)();
  return E.isRight(activations) && activations.right.metadata?.modelFingerprint === fingerprint;
}

/** Whether a cell's outputs were merged after the last of its shards (of `count`) finished: a complete output set newer than every shard record. */
export async function cellMerged(settings: RunSettings, count: number): Promise<boolean> {
  const folder = runFolder(settings.out);
  const outputs = await checkOutputs(folder.dir);
  if (outputs.manifest === null || outputs.pending || outputs.mismatched.length > 0) return false;
  const record = await readJson(folder.runRecord);
  const records = await readShardRecords(folder.cache.shards);
  if (!record || typeof record.createdAt !== 'string' || E.isLeft(records)) return false;
  const finished = records.right.filter((r) => r.record.shard.count === count).map((r) => r.record.finishedAt);
  return finished.every((time) => time <= (record.createdAt as string));
}

/** The fingerprint of a model folder's transformer, as the probe cache and the activations record it; null when the folder does not open. */
export async function modelFingerprint(dir: string): Promise<string | null> {
  const opened = await openModelFolder(dir)();
  if (E.isLeft(opened)) return null;
  const { transformer } = opened.right;
  return fingerprintGraph(transformer.path, transformer.externalData.map((d) => d.path)).catch(() => null);
}

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    const value: unknown = JSON.parse(await readFile(file, 'utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function neutral(settings: unknown): unknown {
  return typeof settings === 'object' && settings !== null ? Object.fromEntries(Object.entries(settings).filter(([key]) => !OUTPUT_NEUTRAL.has(key))) : settings;
}
