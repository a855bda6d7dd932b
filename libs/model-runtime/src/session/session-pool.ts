import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { createSession, type ModelSession, type SessionOptions } from './create-session.js';
import type { SessionError } from './session-error.js';

/**
 * Open sessions shared by several probe runs, so that a sweep loads each model once: one session
 * per slot (e.g. `transformer`, `text-encoder`). Asking a slot for the graph and options it holds
 * gives the open session; asking it for another graph releases the old session first, so a slot
 * never holds two models in memory. The runs that borrow sessions never release them: the owner
 * of the pool does, with `release`.
 */
export interface SessionPool {
  /** The session of `slot` for `model` with `options`, opened when the slot holds another (or none). */
  session(slot: string, model: string, options: SessionOptions): TE.TaskEither<SessionError, ModelSession>;
  /** Sessions opened so far, per slot (a measure of model loads). */
  readonly loads: Readonly<Record<string, number>>;
  /** Releases every open session; the pool can be used again afterwards. */
  release(): Promise<void>;
}

/** A new, empty session pool. */
export function createSessionPool(): SessionPool {
  const slots = new Map<string, { readonly key: string; readonly session: ModelSession }>();
  const loads: Record<string, number> = {};
  return {
    session(slot, model, options) {
      return async () => {
        const key = JSON.stringify([model, options]);
        const held = slots.get(slot);
        if (held?.key === key) return E.right(held.session);
        if (held) {
          slots.delete(slot);
          await held.session.session.release();
        }
        const opened = await createSession(model, options)();
        if (E.isRight(opened)) {
          slots.set(slot, { key, session: opened.right });
          loads[slot] = (loads[slot] ?? 0) + 1;
        }
        return opened;
      };
    },
    loads,
    async release() {
      const held = [...slots.values()];
      slots.clear();
      for (const { session } of held) await session.session.release();
    },
  };
}
