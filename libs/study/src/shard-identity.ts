import { canonicalJson } from '@moral-plantain/formats';
import type { ShardRecord } from './shard-record.js';

/** Settings that may differ between the shards of one run: where each wrote, how it printed, whether it reused its cache, which shard it was, the device asked for (the device used is checked apart). */
const PER_SHARD_SETTINGS = new Set(['out', 'json', 'resume', 'shard', 'device']);

/**
 * Where two shard records say they belong to different runs, each difference a short phrase
 * (`seed: 0 vs 1`, `model.name: "a" vs "b"`); empty when they are shards of one run. Compared: the
 * number of shards, the settings (but `PER_SHARD_SETTINGS`), the model (its provenance, files and
 * fingerprint), the stimuli, the protocol, the package versions (Node.js aside), and what the
 * activations are assembled from (pairs, prompt keys, taps, metadata).
 */
export function shardDifferences(a: ShardRecord, b: ShardRecord): string[] {
  const out: string[] = [];
  if (a.shard.count !== b.shard.count) out.push(`the number of shards: ${a.shard.count} vs ${b.shard.count}`);
  const settings = (r: ShardRecord) => Object.fromEntries(Object.entries(r.settings).filter(([key]) => !PER_SHARD_SETTINGS.has(key)));
  out.push(...leafDifferences(settings(a), settings(b), ''));
  out.push(...leafDifferences(a.provenance.model ?? {}, b.provenance.model ?? {}, 'model'));
  if (a.metadata.modelFingerprint !== b.metadata.modelFingerprint) out.push(`the transformer's fingerprint: ${a.metadata.modelFingerprint?.slice(0, 12)} vs ${b.metadata.modelFingerprint?.slice(0, 12)}`);
  out.push(...leafDifferences(a.provenance.stimuli ?? {}, b.provenance.stimuli ?? {}, 'stimuli'));
  out.push(...leafDifferences(a.provenance.protocol ?? {}, b.provenance.protocol ?? {}, 'protocol'));
  const packages = (r: ShardRecord) => Object.fromEntries(Object.entries(r.provenance.packages ?? {}).filter(([name]) => name !== 'node'));
  out.push(...leafDifferences(packages(a), packages(b), 'packages'));
  if (out.length > 0) return out;
  const assembled = (r: ShardRecord) => canonicalJson({ pairs: r.pairs, keys: r.keys, manifest: r.manifest, metadata: r.metadata, batches: r.batches.total, files: r.modelFiles });
  return assembled(a) === assembled(b) ? [] : ["the prompts' cache keys, pairs or taps (another tokenizer, text encoder or model file)"];
}

/** `path: a vs b` for every leaf value that differs between two JSON values (arrays compared whole). */
function leafDifferences(a: unknown, b: unknown, at: string): string[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => leafDifferences(a[key], b[key], at ? `${at}.${key}` : key));
  }
  return canonicalJson(a ?? null) === canonicalJson(b ?? null) ? [] : [`${at}: ${shown(a)} vs ${shown(b)}`];
}

function shown(value: unknown): string {
  const text = value === undefined ? 'none' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
