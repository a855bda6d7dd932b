import * as E from 'fp-ts/lib/Either.js';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import { createSession, type ModelSession, type SessionOptions } from '../session/create-session.js';
import type { ProbeError } from './probe-error.js';

/** The sessions of a probe: the (tapped) transformer, and the text encoder when the prompts are encoded. */
export interface Sessions {
  readonly transformer: ModelSession;
  readonly textEncoder: ModelSession | null;
}

/** Opens the transformer at `tappedPath` and, with `withEncoder`, the folder's text encoder; nothing stays open on failure. */
export async function openSessions(tappedPath: string, folder: ModelFolder, withEncoder: boolean, sessionOptions: SessionOptions): Promise<E.Either<ProbeError, Sessions>> {
  const transformer = await createSession(tappedPath, sessionOptions)();
  if (E.isLeft(transformer)) return E.left({ _tag: 'Session', error: transformer.left });
  if (!withEncoder || !folder.textEncoder) return E.right({ transformer: transformer.right, textEncoder: null });
  const textEncoder = await createSession(folder.textEncoder.path, sessionOptions)();
  if (E.isLeft(textEncoder)) {
    await transformer.right.session.release();
    return E.left({ _tag: 'Session', error: textEncoder.left });
  }
  return E.right({ transformer: transformer.right, textEncoder: textEncoder.right });
}
