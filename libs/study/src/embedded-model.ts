import { rm } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { buildTinyModelFolder } from '@moral-plantain/model-builder';
import { defaultQwen3TokenizerDir, openModelFolder, type ModelFolder } from '@moral-plantain/model-runtime';
import type { StudyError } from './study-error.js';

/**
 * The embedded default model in `dir`: opened when a complete one is there (its model.json, written
 * last, marks it as the tiny model, with its VAE), else built afresh (the tiny FLUX.2-architecture
 * transformer, Qwen3 text encoder and VAE with seeded weights and the packaged Qwen3 tokenizer) and
 * opened. Whatever an interrupted build left in `dir` is removed first, never opened as some other
 * model; a tiny model of an earlier release, without a VAE, is rebuilt.
 */
export function embeddedModel(dir: string): TE.TaskEither<StudyError, ModelFolder> {
  return async () => {
    const opened = await openModelFolder(dir)();
    if (E.isRight(opened) && opened.right.manifest?.tiny === true && opened.right.vae !== null) return opened;
    const cleared = await rm(dir, { recursive: true, force: true }).then(
      () => null,
      (error: NodeJS.ErrnoException) => error.code ?? String(error),
    );
    if (cleared !== null) return E.left({ _tag: 'OutFolderUnusable', dir, reason: cleared });
    const built = await buildTinyModelFolder(dir, defaultQwen3TokenizerDir());
    if (E.isLeft(built)) return E.left({ _tag: 'EmbeddedModel', dir, problems: built.left });
    return openModel(dir)();
  };
}

/** A model folder (ours or a community export), or every problem that makes it unusable. */
export function openModel(dir: string): TE.TaskEither<StudyError, ModelFolder> {
  return async () => {
    const opened = await openModelFolder(dir)();
    return E.isRight(opened) ? opened : E.left({ _tag: 'ModelFolder', dir, problems: opened.left });
  };
}
