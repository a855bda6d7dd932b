import { readFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { sha256 } from '@moral-plantain/formats';
import { readImageFile } from '../image/image-files.js';
import { prepareReferenceImage } from '../image/reference-image.js';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import { referenceTokens, type ReferenceTokens } from '../reference/reference-tokens.js';
import { createSession, type SessionOptions } from '../session/create-session.js';
import { encodeImage, type EncodedImage } from '../vae/vae-step.js';
import type { ProbeError } from './probe-error.js';
import type { ProbePair } from './probe-options.js';

/**
 * Reference images a probe conditions its prompts on, as image files: the same images for every
 * prompt (`shared`), or one set per pair (`per-pair`, by pair id), e.g. an image of each pair's
 * scene generated from its neutral description. Both prompts of a pair always see the same images.
 */
export type ProbeReferences =
  | { readonly kind: 'shared'; readonly files: readonly string[] }
  | { readonly kind: 'per-pair'; readonly files: ReadonlyMap<string, readonly string[]> };

/** One reference image as the probe used it. */
export interface ReferenceImageInfo {
  readonly path: string;
  /** SHA-256 of the file. */
  readonly sha256: string;
  /** Size after the pipeline's preparation (area cap, sides floored to multiples of 16). */
  readonly width: number;
  readonly height: number;
  /** Image tokens it became. */
  readonly tokens: number;
}

/** The reference images of a run, encoded. */
export interface PreparedReferences {
  readonly kind: ProbeReferences['kind'];
  /** The reference tokens both prompts of a pair are conditioned on, with a key of their content. */
  forPair(pairId: string): { readonly key: string; readonly tokens: ReferenceTokens };
  /** Every distinct image, in first use. */
  readonly images: readonly ReferenceImageInfo[];
  /** Reference images per prompt (the largest count over the pairs). */
  readonly imagesPerPrompt: number;
  /** Reference tokens per prompt, smallest and largest over the pairs. */
  readonly tokensPerPrompt: { readonly min: number; readonly max: number };
}

/**
 * Reads, prepares (`prepareReferenceImage`, the pipeline's rules) and VAE-encodes every reference
 * image once, then packs each pair's images into reference tokens with their position ids
 * (T = 10, 20, ...). Every pair must have at least one image; the encoder session is released at the end.
 */
export function prepareReferences(folder: ModelFolder, references: ProbeReferences, pairs: readonly ProbePair[], session: SessionOptions): TE.TaskEither<ProbeError, PreparedReferences> {
  return async () => {
    const filesOf = (pairId: string): readonly string[] => (references.kind === 'shared' ? references.files : (references.files.get(pairId) ?? []));
    const missing = pairs.filter((pair) => filesOf(pair.id).length === 0).map((pair) => pair.id);
    if (missing.length > 0) return E.left({ _tag: 'InvalidProbeOption', option: 'references', reason: `give no image for ${missing.length === pairs.length ? 'any pair' : `the pair${missing.length === 1 ? '' : 's'} ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`}` });
    if (!folder.vae) return E.left({ _tag: 'NoVae', dir: folder.dir, needed: 'encoding reference images' });
    const encoder = await createSession(folder.vae.encoder.path, session)();
    if (E.isLeft(encoder)) return E.left({ _tag: 'Session', error: encoder.left });
    const encoded = new Map<string, { image: EncodedImage; info: ReferenceImageInfo }>();
    try {
      for (const pair of pairs) {
        for (const file of filesOf(pair.id)) {
          if (encoded.has(file)) continue;
          const read = await readImageFile(file)();
          if (E.isLeft(read)) return E.left({ _tag: 'Image', error: read.left });
          const prepared = await prepareReferenceImage(read.right, file)();
          if (E.isLeft(prepared)) return E.left({ _tag: 'Image', error: prepared.left });
          const image = await encodeImage(encoder.right, prepared.right)();
          if (E.isLeft(image)) return E.left({ _tag: 'Session', error: image.left });
          const info = { path: file, sha256: sha256(await readFile(file)), width: prepared.right.width, height: prepared.right.height, tokens: image.right.rows * image.right.cols };
          encoded.set(file, { image: image.right, info });
        }
      }
    } finally {
      await encoder.right.session.release();
    }
    const packed = new Map<string, { key: string; tokens: ReferenceTokens }>();
    const forFiles = (files: readonly string[]) => {
      const id = files.join('\u0000');
      const known = packed.get(id);
      if (known) return known;
      const tokens = referenceTokens(files.map((f) => encoded.get(f)!.image));
      const bytes = new Uint8Array(tokens.tokens.byteLength + tokens.ids.byteLength);
      bytes.set(new Uint8Array(tokens.tokens.buffer, tokens.tokens.byteOffset, tokens.tokens.byteLength));
      bytes.set(new Uint8Array(tokens.ids.buffer, tokens.ids.byteOffset, tokens.ids.byteLength), tokens.tokens.byteLength);
      const key = sha256(bytes);
      const made = { key, tokens };
      packed.set(id, made);
      return made;
    };
    const counts = pairs.map((pair) => forFiles(filesOf(pair.id)).tokens.count);
    return E.right({
      kind: references.kind,
      forPair: (pairId) => forFiles(filesOf(pairId)),
      images: [...encoded.values()].map((e) => e.info),
      imagesPerPrompt: Math.max(...pairs.map((pair) => filesOf(pair.id).length)),
      tokensPerPrompt: { min: Math.min(...counts), max: Math.max(...counts) },
    });
  };
}
