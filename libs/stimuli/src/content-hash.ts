import { canonicalJson, sha256 } from '@moral-plantain/formats';
import { normalizeText } from './normalize-text.js';
import type { StimulusSet } from './stimulus-set.js';

/**
 * The canonical serialization of a set: JSON with object keys sorted by code unit, no whitespace
 * between tokens, every string in normal form (NFC, LF line endings, trimmed), absent optional
 * fields left out, and list order kept (pair order is part of the set). YAML layout, quoting styles,
 * comments and key order therefore do not change it; any change to a value does.
 */
export function canonicalStimulusSet(set: StimulusSet): string {
  return canonicalJson(set, { string: normalizeText });
}

/** The content hash of a set: lower-case hex sha256 of the UTF-8 bytes of `canonicalStimulusSet`. */
export function contentHash(set: StimulusSet): string {
  return sha256(canonicalStimulusSet(set));
}
