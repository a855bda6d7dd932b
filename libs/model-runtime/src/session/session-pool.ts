import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { createSession, type ModelSession, type SessionOptions } from './create-session.js';
import type { SessionError } from './session-error.js';
import type { SessionEventListener } from './session-events.js';

/**
 * Open sessions shared by several probe runs, so that a sweep loads each model once: one session
 * per slot (e.g. `transformer`, `text-encoder`), and one model resident at a time. Asking a slot for
 * the graph and options it holds gives the open session; asking for any other session releases
 * every session the pool holds first, so the pool never holds two models in memory (a run embeds
 * all its prompts with the text encoder, releases it, then runs the transformer). The runs that
 * borrow sessions release a slot when done with it (`release(slot)`); the owner of the pool
 * releases what is left with `release()`.
 */
export interface SessionPool {
  /** The session of `slot` for `model` with `options`; opened (after releasing whatever the pool holds) unless the slot holds exactly that. */
  session(slot: string, model: string, options: SessionOptions): TE.TaskEither<SessionError, ModelSession>;
  /** Sessions opened so far, per slot (a measure of model loads). */
  readonly loads: Readonly<Record<string, number>>;
  /** Releases the session of `slot`, or every open session when no slot is named; the pool can be used again afterwards. */
  release(slot?: string): Promise<void>;
}

/** A new, empty session pool; `onEvent` hears every session it opens and releases. */
export function createSessionPool(onEvent?: SessionEventListener): SessionPool {
  const slots = new Map<string, { readonly key: string; readonly model: string; readonly session: ModelSession }>();
  const loads: Record<string, number> = {};
  const close = async (slot: string) => {
    const held = slots.get(slot);
    if (!held) return;
    slots.delete(slot);
    await held.session.session.release();
    onEvent?.({ action: 'release', slot, model: held.model });
  };
  return {
    session(slot, model, options) {
      return async () => {
        const key = JSON.stringify([model, options]);
        const held = slots.get(slot);
        if (held?.key === key) return E.right(held.session);
        for (const other of [...slots.keys()]) await close(other);
        const opened = await createSession(model, options)();
        if (E.isRight(opened)) {
          slots.set(slot, { key, model, session: opened.right });
          loads[slot] = (loads[slot] ?? 0) + 1;
          onEvent?.({ action: 'open', slot, model });
        }
        return opened;
      };
    },
    loads,
    async release(slot) {
      for (const name of slot === undefined ? [...slots.keys()] : [slot]) await close(name);
    },
  };
}
