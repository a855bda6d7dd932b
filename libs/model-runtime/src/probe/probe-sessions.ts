import * as E from 'fp-ts/lib/Either.js';
import { createSession, type ModelSession, type SessionOptions } from '../session/create-session.js';
import type { SessionError } from '../session/session-error.js';
import type { SessionEventListener } from '../session/session-events.js';
import type { SessionPool } from '../session/session-pool.js';
import type { ProbeError } from './probe-error.js';

/** The roles of a probe's sessions. */
export type ProbeSlot = 'text-encoder' | 'transformer';

/** The sessions of one probe run: opened by role, released by role as soon as the run is done with one, so one model is resident at a time. */
export interface ProbeSessions {
  /** The session of `slot` for `model`, opened when not already open. */
  open(slot: ProbeSlot, model: string): Promise<E.Either<ProbeError, ModelSession>>;
  /** Releases the session of `slot` (from a pool: the pool's slot). */
  release(slot: ProbeSlot): Promise<void>;
  /** Releases every session the run opened itself (a pool's are its owner's to release). */
  releaseOwned(): Promise<void>;
}

/** The sessions of a run: its own (created and released here, each reported to `onEvent`), or borrowed from `pool`. */
export function probeSessions(options: SessionOptions, pool: SessionPool | undefined, onEvent: SessionEventListener | undefined): ProbeSessions {
  if (pool) {
    return {
      open: async (slot, model) => E.mapLeft((error: SessionError): ProbeError => ({ _tag: 'Session', error }))(await pool.session(slot, model, options)()),
      release: (slot) => pool.release(slot),
      releaseOwned: async () => undefined,
    };
  }
  const open = new Map<ProbeSlot, { readonly model: string; readonly session: ModelSession }>();
  const release = async (slot: ProbeSlot) => {
    const held = open.get(slot);
    if (!held) return;
    open.delete(slot);
    await held.session.session.release();
    onEvent?.({ action: 'release', slot, model: held.model });
  };
  return {
    async open(slot, model) {
      const held = open.get(slot);
      if (held?.model === model) return E.right(held.session);
      await release(slot);
      const created = await createSession(model, options)();
      if (E.isLeft(created)) return E.left({ _tag: 'Session', error: created.left });
      open.set(slot, { model, session: created.right });
      onEvent?.({ action: 'open', slot, model });
      return E.right(created.right);
    },
    release,
    async releaseOwned() {
      for (const slot of [...open.keys()]) await release(slot);
    },
  };
}
