import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { fingerprintGraph, promptKey, sha256, type PromptKeyParts } from '@moral-plantain/formats';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import type { ProbeError } from './probe-error.js';
import type { Tokenize } from '../text/prompt-tokens.js';
import type { ProbeOptions, ProbePair } from './probe-options.js';
import { readPromptEmbeddings, type PromptEmbeddings } from './prompt-embeddings.js';
import type { ProbeJob } from './text-step.js';

/** Where a run's prompt embeddings come from: the folder's text encoder (with its tokenizer), or a file of precomputed embeddings. */
export type TextSource =
  | { readonly kind: 'encoder'; readonly tokenize: Tokenize; readonly fingerprint: string }
  | { readonly kind: 'embeddings'; readonly embeddings: PromptEmbeddings };

/** The run's text source: the embeddings file given (or the folder's, when it has no text encoder), else the text encoder, which needs a tokenizer. */
export function textSource(folder: ModelFolder, options: ProbeOptions): TE.TaskEither<ProbeError, TextSource> {
  return async () => {
    const file = options.promptEmbeddings ?? (folder.textEncoder ? undefined : (folder.promptEmbeddings ?? undefined));
    if (file !== undefined) {
      const embeddings = await readPromptEmbeddings(file);
      if (E.isLeft(embeddings)) return E.left({ _tag: 'BadEmbeddings', path: file, reason: embeddings.left });
      return E.right({ kind: 'embeddings', embeddings: embeddings.right });
    }
    if (!folder.textEncoder) return E.left({ _tag: 'NoTextSource', dir: folder.dir });
    if (!options.tokenize) return E.left({ _tag: 'NoTokenizer' });
    return E.right({ kind: 'encoder', tokenize: options.tokenize, fingerprint: await fingerprintGraph(folder.textEncoder.path, folder.textEncoder.externalData.map((d) => d.path)) });
  };
}

/** What one job computes: a prompt, with the reference tokens it is conditioned on (or none). */
export interface JobSpec {
  readonly id: string;
  readonly prompt: string;
  readonly references: ProbeJob['references'];
}

/**
 * The jobs of a run: one per prompt and reference set, in order of first use by the pairs (a, then
 * b); without reference images, or with the same ones for every pair, one per unique prompt.
 */
export function jobSpecs(pairs: readonly ProbePair[], referencesOf: (pairId: string) => ProbeJob['references']): JobSpec[] {
  const specs = new Map<string, JobSpec>();
  for (const pair of pairs) {
    const references = referencesOf(pair.id);
    for (const prompt of [pair.a, pair.b]) {
      const id = jobId(prompt, references);
      if (!specs.has(id)) specs.set(id, { id, prompt, references });
    }
  }
  return [...specs.values()];
}

/** Where a prompt's vector is stored: the prompt itself, or the references' key and the prompt. */
export function jobId(prompt: string, references: ProbeJob['references']): string {
  return references === null ? prompt : `${references.key}\u0000${prompt}`;
}

/** Tokens of the text embedding a run feeds: the tokenizer's padded length, or the embeddings file's. */
export function textTokenCount(text: TextSource, prompt: string): E.Either<ProbeError, number> {
  if (text.kind === 'embeddings') {
    const embedding = text.embeddings.lookup(prompt);
    return embedding ? E.right(embedding.tokens) : E.left({ _tag: 'MissingEmbedding', path: text.embeddings.path, prompt });
  }
  const tokens = text.tokenize(prompt);
  return E.isLeft(tokens) ? E.left({ _tag: 'Text', error: tokens.left }) : E.right(tokens.right.inputIds.length);
}

/**
 * One job per spec, keyed for the cache by everything its vector depends on (`PromptKeyParts`):
 * with a text encoder the tokens fed (so a tokenizer change shows), else the embedding's bytes;
 * the reference tokens' key when there are any.
 */
export function probeJobs(specs: readonly JobSpec[], text: TextSource, parts: Omit<PromptKeyParts, 'text' | 'prompt' | 'references'>): E.Either<ProbeError, ProbeJob[]> {
  const jobs: ProbeJob[] = [];
  for (const { id, prompt, references } of specs) {
    if (text.kind === 'encoder') {
      const tokens = text.tokenize(prompt);
      if (E.isLeft(tokens)) return E.left({ _tag: 'Text', error: tokens.left });
      const ids = Float64Array.from(tokens.right.inputIds);
      const mask = Float64Array.from(tokens.right.attentionMask);
      const tokenHash = sha256(new Uint8Array([...new Uint8Array(ids.buffer), ...new Uint8Array(mask.buffer)]));
      jobs.push({ id, prompt, references, tokens: tokens.right, embedding: null, key: promptKey({ ...parts, prompt, text: { encoder: text.fingerprint, tokens: tokenHash }, ...(references ? { references: references.key } : {}) }) });
    } else {
      const embedding = text.embeddings.lookup(prompt);
      if (!embedding) return E.left({ _tag: 'MissingEmbedding', path: text.embeddings.path, prompt });
      const embeddingHash = sha256(new Uint8Array(embedding.data.buffer, embedding.data.byteOffset, embedding.data.byteLength));
      jobs.push({ id, prompt, references, tokens: null, embedding, key: promptKey({ ...parts, prompt, text: { embeddings: embeddingHash }, ...(references ? { references: references.key } : {}) }) });
    }
  }
  return E.right(jobs);
}
