import { createHash } from 'node:crypto';
import { normalizeText } from './normalize-text.js';
import type { StimulusSet } from './stimulus-set.js';

/**
 * The canonical serialization of a set: JSON with object keys sorted by code unit, no whitespace
 * between tokens, every string in normal form (NFC, LF line endings, trimmed), absent optional
 * fields left out, and list order kept (pair order is part of the set). YAML layout, quoting styles,
 * comments and key order therefore do not change it; any change to a value does.
 */
export function canonicalStimulusSet(set: StimulusSet): string {
  return canonicalJson(set);
}

/** The content hash of a set: lower-case hex sha256 of the UTF-8 bytes of `canonicalStimulusSet`. */
export function contentHash(set: StimulusSet): string {
  return createHash('sha256').update(canonicalStimulusSet(set), 'utf8').digest('hex');
}

function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(normalizeText(value));
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
